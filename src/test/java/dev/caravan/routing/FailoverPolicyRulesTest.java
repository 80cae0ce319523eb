package dev.caravan.routing;

import java.util.List;
import java.util.Map;

import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogProperties;
import dev.caravan.catalog.FailoverSettings;
import dev.caravan.catalog.Price;
import dev.caravan.support.TestCatalog;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The failover decision: provider over {@code caravan.routing.failover} over the built-in default. */
class FailoverPolicyRulesTest {

    private static final GatewayException RATE_LIMITED = new GatewayException(429, "rate_limit_error",
            "upstream_rate_limited", null, "slow down", 7L, List.of("rate_limit_exceeded", "requests"));
    private static final GatewayException QUOTA_SPENT = new GatewayException(429, "rate_limit_error",
            "upstream_rate_limited", null, "no quota", 7L, List.of("insufficient_quota"));
    private static final GatewayException REJECTED = new GatewayException(400, "invalid_request_error",
            "upstream_rejected_request", null, "too long", null, List.of("context_length_exceeded"));

    @Test
    void withNothingConfiguredEveryBackendFailureFailsOverAndClientErrorsDoNot() {
        FailoverPolicy policy = new FailoverPolicy(new RoutingProperties(null));
        Backend backend = backend(null);

        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            if (outcome != AttemptOutcome.OK && outcome != AttemptOutcome.CANCELLED) {
                assertThat(policy.failsOver(backend, outcome, REJECTED)).as(outcome.name())
                        .isEqualTo(outcome.isBackendFailure());
            }
        }
    }

    @Test
    void neverCodesWinOverCodesAndCodesOverOutcomes() {
        FailoverPolicy policy = new FailoverPolicy(new RoutingProperties(
                new FailoverSettings(null, List.of("context_length_exceeded"), List.of("INSUFFICIENT_QUOTA"))));
        Backend backend = backend(null);

        assertThat(policy.failsOver(backend, AttemptOutcome.RATE_LIMITED, RATE_LIMITED)).isTrue();
        assertThat(policy.failsOver(backend, AttemptOutcome.RATE_LIMITED, QUOTA_SPENT)).isFalse();
        assertThat(policy.failsOver(backend, AttemptOutcome.CLIENT_ERROR, REJECTED)).isTrue();
    }

    @Test
    void aProviderOverridesTheDefaultSettingBySetting() {
        FailoverPolicy policy = new FailoverPolicy(new RoutingProperties(
                new FailoverSettings(null, null, List.of("insufficient_quota"))));
        Backend backend = backend(new FailoverSettings(List.of("unreachable", "timeout"), null, null));

        assertThat(policy.failsOver(backend, AttemptOutcome.RATE_LIMITED, RATE_LIMITED)).isFalse();
        assertThat(policy.failsOver(backend, AttemptOutcome.TIMEOUT, GatewayException.upstreamTimeout("p/m"))).isTrue();
        // never-codes come from the default: the provider left them out
        assertThat(policy.failsOver(backend, AttemptOutcome.UNREACHABLE, QUOTA_SPENT)).isFalse();
    }

    @Test
    void theDefaultBindsFromCaravanRoutingFailover() {
        RoutingProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "caravan.routing.failover.when", "unreachable,timeout",
                "caravan.routing.failover.codes[0]", "insufficient_quota")))
                .bind("caravan.routing", RoutingProperties.class).get();

        assertThat(properties.failover())
                .isEqualTo(new FailoverSettings(List.of("unreachable", "timeout"), List.of("insufficient_quota"), List.of()));
    }

    @Test
    void aBadDefaultStopsTheStartNamingItsKey() {
        assertThatThrownBy(() -> new FailoverPolicy(new RoutingProperties(new FailoverSettings(List.of("5xx"), null, null))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.routing.failover.when: unknown outcome '5xx'");
    }

    private static Backend backend(FailoverSettings failover) {
        CatalogProperties.Provider base = TestCatalog.provider("openai", "http://x", "k");
        CatalogProperties.Provider provider = new CatalogProperties.Provider(base.protocol(), base.baseUrl(), base.apiKey(),
                false, base.responseTimeout(), base.connectTimeout(), null, null, null, base.breaker(),
                base.maxTokensField(), failover);
        return TestCatalog.backend("p", provider, "m", new Price(null, null, null));
    }
}
