package dev.caravan.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.provider.ProviderAdapters;
import dev.caravan.provider.openai.OpenAiAdapter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A provider's {@code failover} settings: how they bind, and the start-up checks naming the bad key. */
class FailoverSettingsTest {

    private static final ProviderAdapters ADAPTERS = new ProviderAdapters(List.of(new OpenAiAdapter(new ObjectMapper())));

    @Test
    void bindsFromTheCatalogsKebabCaseKeysAndLeavesWhatIsLeftOutToTheDefault() {
        CatalogProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "caravan.providers.acme.base-url", "https://api.acme.test/v1",
                "caravan.providers.acme.failover.when[0]", "unreachable",
                "caravan.providers.acme.failover.never-codes[0]", "insufficient_quota",
                "caravan.providers.plain.base-url", "https://api.plain.test/v1")))
                .bind("caravan", CatalogProperties.class).get();

        FailoverSettings acme = properties.providers().get("acme").failover();
        assertThat(acme).isEqualTo(new FailoverSettings(List.of("unreachable"), null, List.of("insufficient_quota")));
        assertThat(acme.over(FailoverSettings.DEFAULT))
                .isEqualTo(new FailoverSettings(List.of("unreachable"), List.of(), List.of("insufficient_quota")));
        assertThat(properties.providers().get("plain").failover().over(FailoverSettings.DEFAULT))
                .isEqualTo(FailoverSettings.DEFAULT);
    }

    @Test
    void theDefaultFailsOverOnEveryFailureOfTheBackend() {
        assertThat(FailoverSettings.DEFAULT.when())
                .containsExactly("unreachable", "timeout", "rate-limited", "server-error", "refused", "invalid-answer");
        assertThat(FailoverSettings.DEFAULT.codes()).isEmpty();
        assertThat(FailoverSettings.DEFAULT.neverCodes()).isEmpty();
    }

    @Test
    void refusesAnUnknownOutcome() {
        assertThatThrownBy(() -> catalogWith(new FailoverSettings(List.of("timeout", "rate-limit"), null, null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("caravan.providers.acme.failover.when: unknown outcome 'rate-limit' (known: [unreachable, "
                        + "timeout, rate-limited, server-error, refused, invalid-answer])");
    }

    @Test
    void refusesToFailOverOnEveryClientErrorAndSaysHowToNameOne() {
        assertThatThrownBy(() -> catalogWith(new FailoverSettings(List.of("client-error"), null, null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.providers.acme.failover.when: 'client-error' cannot fail over")
                .hasMessageContaining("caravan.providers.acme.failover.codes");
    }

    @Test
    void refusesACodeListedBothWays() {
        assertThatThrownBy(() -> catalogWith(new FailoverSettings(null, List.of("insufficient_quota"),
                List.of("INSUFFICIENT_QUOTA"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("caravan.providers.acme.failover: codes and never-codes both list [insufficient_quota]");
    }

    @Test
    void refusesABlankCode() {
        assertThatThrownBy(() -> catalogWith(new FailoverSettings(null, null, List.of(" "))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("caravan.providers.acme.failover.never-codes: an upstream error code cannot be blank");
    }

    @Test
    void acceptsAValidPolicy() {
        Catalog catalog = catalogWith(new FailoverSettings(List.of("unreachable", "timeout"), List.of("insufficient_quota"),
                List.of("context_length_exceeded")));

        assertThat(catalog.backends()).singleElement()
                .satisfies(backend -> assertThat(backend.provider().failover().codes()).containsExactly("insufficient_quota"));
    }

    private static Catalog catalogWith(FailoverSettings failover) {
        CatalogProperties.Provider provider = new CatalogProperties.Provider("openai", "https://api.acme.test/v1", "key",
                false, Duration.ofSeconds(60), Duration.ofSeconds(5), null, null, null,
                new CatalogProperties.Breaker(50, 20, 5, Duration.ofSeconds(30), 1), "max_tokens", failover);
        return new Catalog(new CatalogProperties(Map.of("acme", provider), List.of(new CatalogProperties.Model("chat",
                null, null, Set.of(), null, List.of(new CatalogProperties.Backend("acme", "m", null, null))))), ADAPTERS);
    }
}
