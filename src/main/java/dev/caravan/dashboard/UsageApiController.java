package dev.caravan.dashboard;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientInput;
import dev.caravan.api.GatewayException;
import dev.caravan.billing.BillingJson;
import dev.caravan.billing.Money;
import dev.caravan.billing.UsageFilters;
import dev.caravan.billing.UsageQueries;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The signed-in person's request history: pages as in {@code /v1/usage}, a CSV export, and the live
 * stream of new requests. Metadata only.
 */
@RestController
@RequestMapping("/api")
public class UsageApiController {

    /** The most rows one export holds; narrow the dates for more. */
    static final int MAX_CSV_ROWS = 100_000;

    private final UsageQueries usage;
    private final BillingJson billingJson;
    private final UsageFeed feed;

    public UsageApiController(UsageQueries usage, BillingJson billingJson, UsageFeed feed) {
        this.usage = usage;
        this.billingJson = billingJson;
        this.feed = feed;
    }

    /** {@code from, to, model, key_id, cursor, limit} as {@code GET /v1/usage}. */
    @GetMapping(path = "/usage", produces = "application/json")
    public ObjectNode page(@RequestParam Map<String, String> query) {
        return billingJson.usagePage(usage.page(UsageFilters.parse(SessionUser.current().accountId(), query)));
    }

    /** The same filters, every matching row (up to {@value #MAX_CSV_ROWS}), newest first, written as read. */
    @GetMapping(path = "/usage.csv")
    public void csv(@RequestParam Map<String, String> query, HttpServletResponse response) throws IOException {
        UsageQueries.Filter asked = UsageFilters.parse(SessionUser.current().accountId(), query);
        UsageQueries.Filter filter = new UsageQueries.Filter(asked.accountId(), asked.from(), asked.to(), asked.model(),
                asked.keyId(), null, MAX_CSV_ROWS);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"caravan-usage.csv\"");
        Writer out = new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8);
        out.write("time,request_id,key_id,model,backend,prompt_tokens,completion_tokens,cached_tokens,cost,latency_ms,"
                + "streamed,cancelled,finish_reason,price_version\r\n");
        try {
            usage.forEach(filter, row -> write(out, row));
        } catch (UncheckedIOException clientGone) {
            // the browser stopped reading: nothing to answer
            return;
        }
        out.flush();
    }

    /** One CSV line; a client gone away surfaces as {@link UncheckedIOException} to end the export. */
    private void write(Writer out, Map<String, Object> row) {
        ObjectNode record = billingJson.usageRecord(row);
        try {
            out.write(String.join(",", cell(record.path("created_at").asText()), cell(record.path("id").asText()),
                    cell(record.path("key_id").asText()), cell(record.path("model").asText()),
                    cell(record.path("backend").asText()), record.path("prompt_tokens").asText(),
                    record.path("completion_tokens").asText(), record.path("cached_tokens").asText(),
                    Money.plain((BigDecimal) row.get("cost")), record.path("latency_ms").asText(),
                    record.path("streamed").asText(), record.path("cancelled").asText(),
                    cell(record.path("finish_reason").isNull() ? "" : record.path("finish_reason").asText()),
                    cell(record.path("price_version").isNull() ? "" : record.path("price_version").asText())));
            out.write("\r\n");
        } catch (IOException clientGone) {
            throw new UncheckedIOException(clientGone);
        }
    }

    /** Server-sent events: {@code event: usage}, {@code id: <request id>}, data as one record of {@code /api/usage}. */
    @GetMapping(path = "/usage/stream", produces = "text/event-stream")
    public SseEmitter stream(@RequestParam Map<String, String> query, HttpServletResponse response) {
        String keyId = query.get("key_id");
        if (keyId != null && !keyId.isBlank() && !ClientInput.isId(keyId)) {
            throw GatewayException.invalidRequest("key_id", "'key_id' must be a key id such as key_0123456789abcdef01234567.");
        }
        // proxies that buffer would hold the events back
        response.setHeader("X-Accel-Buffering", "no");
        return feed.watch(SessionUser.current(), keyId == null || keyId.isBlank() ? null : keyId);
    }

    /**
     * A CSV field: quoted when it holds a separator, and never read as a formula by a spreadsheet
     * (a leading =, +, - or @ gets an apostrophe).
     */
    static String cell(String value) {
        String safe = !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        boolean quote = safe.chars().anyMatch(c -> c == '"' || c == ',' || c == '\r' || c == '\n');
        return quote ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
    }
}
