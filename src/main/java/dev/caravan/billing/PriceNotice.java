package dev.caravan.billing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogCheck;
import dev.caravan.catalog.CatalogModel;
import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.catalog.Price;
import dev.caravan.catalog.ScheduledPrice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The terms' promise that prices go up only with notice, checked when the gateway starts (a bean: it
 * runs before the server takes a request) and on every catalog reload, before the new catalog is put
 * in effect ({@link #check}). An increase, in {@code price-changes} or in the current
 * {@code price} against the price the last start applied, must take effect no sooner than
 * {@code caravan.billing.price-notice} (30 days at least) after this gateway first saw it announced.
 * First sightings are kept in the database, so neither a restart nor another instance shortens the
 * notice. A catalog that breaks the rule stops the start, naming the model, the backend and the
 * earliest date allowed; a reload that breaks it is refused the same way, and the catalog before it
 * stays. Decreases apply at once.
 */
@Component
public class PriceNotice implements CatalogCheck {

    /** The terms promise at least this much notice; a setting may only lengthen it. */
    public static final Duration MINIMUM_NOTICE = Duration.ofDays(30);

    private static final Logger log = LoggerFactory.getLogger(PriceNotice.class);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration notice;

    @Autowired
    public PriceNotice(CurrentCatalog catalog, JdbcTemplate jdbc, Clock clock,
                       @Value("${caravan.billing.price-notice:30d}") Duration notice) {
        this(catalog.get(), jdbc, clock, notice);
    }

    public PriceNotice(Catalog catalog, JdbcTemplate jdbc, Clock clock, Duration notice) {
        if (notice.compareTo(MINIMUM_NOTICE) < 0) {
            throw new IllegalStateException("caravan.billing.price-notice: at least 30d (the terms promise 30 days' "
                    + "notice of a price increase), got " + notice.toDays() + "d");
        }
        this.jdbc = jdbc;
        this.clock = clock;
        this.notice = notice;
        check(catalog);
    }

    /**
     * Checks {@code catalog} against the announcements and applied prices recorded so far and, when it
     * keeps the promise, records its announcements and current prices as seen now.
     *
     * @throws Refused naming each model, backend and the earliest date its increase may take effect;
     *                 nothing is recorded then (a refused catalog showed nobody its prices)
     */
    @Override
    public void check(Catalog catalog) {
        // statement by statement, no transaction: an insert another instance won must not abort the rest
        Instant now = clock.instant();
        List<String> refused = new ArrayList<>();
        List<Runnable> writes = new ArrayList<>();
        int i = 0;
        for (CatalogModel model : catalog.models()) {
            for (int j = 0; j < model.backends().size(); j++) {
                String key = "caravan.models[" + i + "].backends[" + j + "]";
                checkBackend(key, model.id(), model.backends().get(j), now, refused, writes);
            }
            i++;
        }
        if (!refused.isEmpty()) {
            throw new Refused("price increases without " + notice.toDays() + " days' notice:\n"
                    + String.join("\n", refused));
        }
        // only a catalog that is accepted counts as announced: a refused start showed nobody its prices
        writes.forEach(Runnable::run);
    }

    private void checkBackend(String key, String modelId, Backend backend, Instant now, List<String> refused,
                              List<Runnable> writes) {
        String who = "model '" + modelId + "' backend '" + backend.id() + "'";
        Price before = backend.price();
        for (int k = 0; k < backend.priceChanges().size(); k++) {
            ScheduledPrice change = backend.priceChanges().get(k);
            if (change.price().raisesOver(before)) {
                Instant firstSeen = firstSeen(modelId, backend.id(), change.version()).orElse(now);
                LocalDate earliest = earliestDate(firstSeen);
                if (change.effective().isBefore(earliest.atStartOfDay(ZoneOffset.UTC).toInstant())) {
                    refused.add(key + ".price-changes[" + k + "]: " + who + ": the increase effective "
                            + date(change.effective()) + " needs notice from " + firstSeen
                            + "; the earliest allowed date is " + earliest);
                }
                writes.add(() -> announce(modelId, backend.id(), change, now));
            }
            before = change.price();
        }
        Backend current = backend.pricedAt(now);
        Optional<Price> applied = appliedPrice(modelId, backend.id());
        if (applied.isPresent() && current.price().raisesOver(applied.get())) {
            Optional<Instant> announced = firstSeen(modelId, current.id(), current.priceVersion());
            LocalDate earliest = earliestDate(announced.orElse(now));
            if (now.isBefore(earliest.atStartOfDay(ZoneOffset.UTC).toInstant())) {
                refused.add(key + ".price: " + who + ": the price in effect (version " + current.priceVersion()
                        + ") is higher than the one last applied" + (announced.isPresent() ? ", announced at "
                        + announced.get() : " and was never announced") + "; keep the old price and announce the new "
                        + "one under price-changes, the earliest allowed date is " + earliest);
            }
        }
        writes.add(() -> apply(modelId, current, now));
    }

    /** A catalog that raises a price without the notice the terms promise. */
    public static final class Refused extends IllegalStateException {
        Refused(String message) {
            super(message);
        }
    }

    /** The first UTC day whose start is at least the notice after {@code firstSeen}. */
    private LocalDate earliestDate(Instant firstSeen) {
        Instant due = firstSeen.plus(notice);
        LocalDate day = LocalDate.ofInstant(due, ZoneOffset.UTC);
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().isBefore(due) ? day.plusDays(1) : day;
    }

    private static LocalDate date(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }

    private Optional<Instant> firstSeen(String modelId, String backendId, String version) {
        return jdbc.query("SELECT first_seen_at FROM price_announcements WHERE model_id = ? AND backend = ? "
                        + "AND price_version = ?", (rs, row) -> rs.getTimestamp(1).toInstant(), modelId, backendId, version)
                .stream().findFirst();
    }

    /** Insert if absent: the first instance to see an announcement fixes when its notice began. */
    private void announce(String modelId, String backendId, ScheduledPrice change, Instant now) {
        if (firstSeen(modelId, backendId, change.version()).isPresent()) {
            return;
        }
        try {
            jdbc.update("INSERT INTO price_announcements (model_id, backend, price_version, effective_at, first_seen_at) "
                    + "VALUES (?, ?, ?, ?, ?)", modelId, backendId, change.version(),
                    Timestamp.from(change.effective()), Timestamp.from(now));
            log.info("Price increase announced: model '{}' backend '{}' version {} from {}", modelId, backendId,
                    change.version(), date(change.effective()));
        } catch (DuplicateKeyException anotherInstance) {
            // seen first by another instance starting at the same time: its time stands
        }
    }

    private Optional<Price> appliedPrice(String modelId, String backendId) {
        return jdbc.query("SELECT price FROM applied_prices WHERE model_id = ? AND backend = ?",
                (rs, row) -> PriceJson.parse(rs.getString(1)), modelId, backendId).stream().findFirst();
    }

    private void apply(String modelId, Backend current, Instant now) {
        String price = PriceJson.write(current.price());
        int updated = jdbc.update("UPDATE applied_prices SET price_version = ?, price = ?, applied_at = ? "
                + "WHERE model_id = ? AND backend = ?", current.priceVersion(), price, Timestamp.from(now), modelId,
                current.id());
        if (updated == 0) {
            try {
                jdbc.update("INSERT INTO applied_prices (model_id, backend, price_version, price, applied_at) "
                        + "VALUES (?, ?, ?, ?, ?)", modelId, current.id(), current.priceVersion(), price, Timestamp.from(now));
            } catch (DuplicateKeyException anotherInstance) {
                // another instance with the same catalog recorded it at the same moment
            }
        }
    }

    /** The components of a price as JSON of plain decimal strings: exact, and readable in the table. */
    static final class PriceJson {

        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

        private PriceJson() {
        }

        static String write(Price price) {
            try {
                return JSON.writeValueAsString(tree(price));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private static com.fasterxml.jackson.databind.node.ObjectNode tree(Price price) {
            var node = JSON.createObjectNode();
            node.put("input", Money.plain(price.input()));
            node.put("output", Money.plain(price.output()));
            node.put("cached_input", Money.plain(price.cachedInput()));
            node.put("cache_write", Money.plain(price.cacheWrite()));
            node.put("audio_input", Money.plain(price.audioInput()));
            if (price.audioOutput() != null) {
                node.put("audio_output", Money.plain(price.audioOutput()));
            }
            var tiers = node.putObject("service_tiers");
            price.serviceTiers().forEach((tier, tierPrice) -> tiers.set(tier, tree(tierPrice)));
            return node;
        }

        static Price parse(String text) {
            try {
                return fromTree(JSON.readTree(text));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("applied_prices.price is not a price: " + e.getOriginalMessage());
            }
        }

        private static Price fromTree(com.fasterxml.jackson.databind.JsonNode node) {
            Map<String, Price> tiers = new java.util.HashMap<>();
            node.path("service_tiers").fields().forEachRemaining(tier -> tiers.put(tier.getKey(), fromTree(tier.getValue())));
            return new Price(amount(node, "input"), amount(node, "output"), amount(node, "cached_input"),
                    amount(node, "cache_write"), amount(node, "audio_input"), amount(node, "audio_output"), tiers);
        }

        private static BigDecimal amount(com.fasterxml.jackson.databind.JsonNode node, String field) {
            return node.hasNonNull(field) ? new BigDecimal(node.get(field).asText()) : null;
        }
    }
}
