package dev.caravan.billing;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogProperties;
import dev.caravan.catalog.Price;
import dev.caravan.provider.ProviderAdapters;
import dev.caravan.provider.openai.OpenAiAdapter;
import dev.caravan.support.MigratedDatabase;
import dev.caravan.support.TestCatalog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The notice rule at start-up, against a real (H2, migrated) database: every "start" is a new
 * {@link PriceNotice} on the same database, at a moment of the test's choosing.
 */
class PriceNoticeTest {

    private static final ProviderAdapters ADAPTERS = new ProviderAdapters(List.of(new OpenAiAdapter(new ObjectMapper())));
    private static final Instant DAY_0 = Instant.parse("2030-01-01T09:30:00Z");
    private static final Duration NOTICE = Duration.ofDays(30);

    private JdbcTemplate jdbc;

    @BeforeEach
    void freshDatabase() {
        javax.sql.DataSource dataSource = MigratedDatabase.fresh("price_notice");
        jdbc = new JdbcTemplate(dataSource);
    }

    @Test
    void anIncreaseAnnouncedTodayTakesEffectNoSoonerThanThirtyDaysLater() {
        // 09:30 + 30 days is during 2030-01-31: the first whole day after the notice is 2030-02-01
        assertThatThrownBy(() -> start(DAY_0, catalog(price("1", "2"), change("2030-01-31", "2", "4"))))
                .hasMessageContaining("model 'chat' backend 'acme/m'")
                .hasMessageContaining("caravan.models[0].backends[0].price-changes[0]")
                .hasMessageContaining("the earliest allowed date is 2030-02-01");
        assertThat(announcements()).isZero(); // a refused start announced nothing
        start(DAY_0, catalog(price("1", "2"), change("2030-02-01", "2", "4")));
        assertThat(announcements()).isEqualTo(1);
    }

    @Test
    void theNoticeRunsFromTheFirstStartThatSawTheAnnouncementSoARestartCannotShortenIt() {
        start(DAY_0, catalog(price("1", "2"), change("2030-03-01", "2", "4")));
        // ten days later the operator brings the same increase forward: 30 days from day 0 is the limit
        Instant day10 = DAY_0.plus(Duration.ofDays(10));
        start(day10, catalog(price("1", "2"), change("2030-02-01", "2", "4")));
        assertThatThrownBy(() -> start(day10, catalog(price("1", "2"), change("2030-01-31", "2", "4"))))
                .hasMessageContaining("model 'chat' backend 'acme/m'")
                .hasMessageContaining("the earliest allowed date is 2030-02-01");
        // a different increase first seen on day 10 has its own 30 days
        assertThatThrownBy(() -> start(day10, catalog(price("1", "2"), change("2030-02-01", "3", "4"))))
                .hasMessageContaining("the earliest allowed date is 2030-02-11");
    }

    @Test
    void aCurrentPriceRaisedWithoutAnnouncementIsRefusedAndADecreaseAppliesAtOnce() {
        start(DAY_0, catalog(price("1", "2")));
        assertThatThrownBy(() -> start(DAY_0.plus(Duration.ofDays(1)), catalog(price("1", "2.5"))))
                .hasMessageContaining("caravan.models[0].backends[0].price: model 'chat' backend 'acme/m'")
                .hasMessageContaining("never announced")
                .hasMessageContaining("the earliest allowed date is 2030-02-02");
        start(DAY_0.plus(Duration.ofDays(1)), catalog(price("0.5", "2")));
        // back up to the old price is an increase over the lowered one: it needs notice too
        assertThatThrownBy(() -> start(DAY_0.plus(Duration.ofDays(2)), catalog(price("1", "2"))))
                .hasMessageContaining("never announced");
    }

    @Test
    void anAnnouncedIncreaseMayBecomeTheCurrentPriceOnceItIsInEffect() {
        start(DAY_0, catalog(price("1", "2"), change("2030-02-01", "2", "4")));
        assertThatThrownBy(() -> start(DAY_0.plus(Duration.ofDays(20)), catalog(price("2", "4"))))
                .hasMessageContaining("announced at 2030-01-01T09:30:00Z")
                .hasMessageContaining("the earliest allowed date is 2030-02-01");
        start(Instant.parse("2030-02-01T00:00:00Z"), catalog(price("2", "4")));
    }

    @Test
    void aDecreaseNeedsNoNoticeAndAnIncreaseAfterItIsMeasuredFromIt() {
        start(DAY_0, catalog(price("2", "4"), change("2030-01-02", "1", "2"), change("2030-03-01", "2", "4")));
        assertThatThrownBy(() -> start(DAY_0, catalog(price("2", "4"), change("2030-01-02", "1", "2"),
                change("2030-01-20", "2", "4"))))
                .hasMessageContaining("price-changes[1]");
    }

    @Test
    void theNoticeCannotBeSetBelowThirtyDays() {
        assertThatThrownBy(() -> new PriceNotice(catalog(price("1", "2")), jdbc, Clock.fixed(DAY_0, ZoneOffset.UTC),
                Duration.ofDays(29)))
                .hasMessageContaining("caravan.billing.price-notice: at least 30d");
    }

    @Test
    void twoInstancesSeeingOneAnnouncementKeepTheFirstSighting() {
        start(DAY_0, catalog(price("1", "2"), change("2030-03-01", "2", "4")));
        start(DAY_0.plus(Duration.ofDays(5)), catalog(price("1", "2"), change("2030-03-01", "2", "4")));
        assertThat(announcements()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT first_seen_at FROM price_announcements", java.sql.Timestamp.class)
                .toInstant()).isEqualTo(DAY_0);
    }

    private void start(Instant now, Catalog catalog) {
        new PriceNotice(catalog, jdbc, Clock.fixed(now, ZoneOffset.UTC), NOTICE);
    }

    private int announcements() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM price_announcements", Integer.class);
    }

    private static Price price(String input, String output) {
        return new Price(new BigDecimal(input), new BigDecimal(output), null);
    }

    private static CatalogProperties.PriceChange change(String effective, String input, String output) {
        return new CatalogProperties.PriceChange(effective, new BigDecimal(input), new BigDecimal(output),
                null, null, null, null, null);
    }

    private static Catalog catalog(Price price, CatalogProperties.PriceChange... changes) {
        CatalogProperties.Backend backend = new CatalogProperties.Backend("acme", "m", price, null, List.of(changes));
        return new Catalog(new CatalogProperties(
                Map.of("acme", TestCatalog.provider("openai", "https://api.acme.test/v1", "k")),
                List.of(new CatalogProperties.Model("chat", null, null, Set.of(), null, List.of(backend)))), ADAPTERS);
    }
}
