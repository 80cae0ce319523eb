package dev.caravan.billing;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.catalog.Price;
import dev.caravan.catalog.PriceVersion;
import dev.caravan.support.GatewayTest;
import dev.caravan.support.TestClock;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A price increase announced with the gateway's first start, in a gateway of its own (its own
 * catalog and database): {@code rising} goes from 1/2 to 2/4 USD per 1M tokens on 2031-01-01 (the
 * test clock moves there), {@code falling} was lowered in the past (no notice needed). Requests before and
 * after the change are held and charged at their own price version; the lists show what is coming.
 */
@TestPropertySource(properties = {
        "caravan.models-file=src/test/resources/price-change-models.yaml",
        "spring.datasource.url=jdbc:h2:mem:price-change-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"})
class PriceChangeTest extends GatewayTest {

    private static final LocalDate EFFECTIVE = LocalDate.parse("2031-01-01");

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void requestsBeforeAndAfterTheChangeAreChargedAtTheirOwnPriceVersion() throws Exception {
        TestAccount account = newAccount("10");
        String before = requestCost(account.key(), "1", "2");
        JsonNode beforeList = json(get("/v1/models/rising"));
        assertThat(beforeList.path("upcoming_pricing").path(0).path("effective_at").asText())
                .isEqualTo(EFFECTIVE.atStartOfDay(ZoneOffset.UTC).toInstant().toString());
        assertThat(beforeList.path("upcoming_pricing").path(0).path("prompt").decimalValue())
                .isEqualByComparingTo("0.000002");

        // the last minute before the change: still the old price
        Instant change = EFFECTIVE.atStartOfDay(ZoneOffset.UTC).toInstant();
        TestClock.get().advance(Duration.between(TestClock.get().instant(), change).minusMinutes(1));
        String stillBefore = requestCost(account.key(), "1", "2");
        TestClock.get().advance(Duration.ofMinutes(1));
        String after = requestCost(account.key(), "2", "4");

        settledCredits(account.key());
        Map<String, String> versions = new HashMap<>();
        for (JsonNode row : json(get("/v1/usage", account.key())).path("data")) {
            versions.put(row.path("id").asText(), row.path("price_version").asText());
        }
        String oldVersion = PriceVersion.of("fake/ok", price("1", "2"));
        String newVersion = PriceVersion.of("fake/ok", price("2", "4"));
        assertThat(versions).containsEntry(before, oldVersion).containsEntry(stillBefore, oldVersion)
                .containsEntry(after, newVersion);
        // the usage rows say the same, and so does the ledger: balance = credits - usage
        assertThat(jdbc.queryForObject("SELECT price_version FROM usage_records WHERE request_id = ?", String.class, after))
                .isEqualTo(newVersion);
        BigDecimal charged = jdbc.queryForObject("SELECT SUM(cost) FROM usage_records WHERE account_id = ?",
                BigDecimal.class, account.id());
        BigDecimal balance = jdbc.queryForObject("SELECT balance FROM accounts WHERE id = ?", BigDecimal.class, account.id());
        assertThat(balance).isEqualByComparingTo(new BigDecimal("10").subtract(charged));

        // in effect now: listed as the price, no longer as upcoming
        JsonNode afterList = json(get("/v1/models/rising"));
        assertThat(afterList.path("pricing").path("prompt").decimalValue()).isEqualByComparingTo("0.000002");
        assertThat(afterList.has("upcoming_pricing")).isFalse();
        assertThat(backendStatus("fake/ok").path("price_version").asText()).isEqualTo(newVersion);
    }

    @Test
    void aDecreaseAppliesAtOnceAndTheCataloguesShowUpcomingPrices() throws Exception {
        JsonNode falling = json(get("/v1/models/falling"));
        assertThat(falling.path("pricing").path("prompt").decimalValue()).isEqualByComparingTo("0.0000005");
        JsonNode catalogue = json(get("/api/models"));
        for (JsonNode model : catalogue.path("data")) {
            if (model.path("id").asText().equals("rising") && TestClock.get().instant()
                    .isBefore(EFFECTIVE.atStartOfDay(ZoneOffset.UTC).toInstant())) {
                assertThat(model.path("upcoming_pricing").path(0).path("effective").asText()).isEqualTo(EFFECTIVE.toString());
                assertThat(model.path("upcoming_pricing").path(0).path("price").path("input").decimalValue())
                        .isEqualByComparingTo("2");
                assertThat(model.path("backends").path(0).path("upcoming").size()).isEqualTo(1);
            }
        }
    }

    /** Sends a request, checks its cost at the given prices, returns its request id. */
    private String requestCost(String key, String input, String output) throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("rising", ""), key);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode usage = json(response).path("usage");
        BigDecimal expected = new BigDecimal(input).multiply(BigDecimal.valueOf(usage.path("prompt_tokens").asLong()))
                .add(new BigDecimal(output).multiply(BigDecimal.valueOf(usage.path("completion_tokens").asLong())))
                .movePointLeft(6);
        assertThat(usage.path("cost").decimalValue()).isEqualByComparingTo(expected);
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    private static Price price(String input, String output) {
        return new Price(new BigDecimal(input), new BigDecimal(output), null);
    }
}
