package dev.caravan.billing;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.auth.ApiKeys;
import dev.caravan.auth.Caller;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's own data, with the caller's own key: credits, the key, one generation, usage history.
 * The key is read from the real {@code Authorization} header only; client values are checked
 * before they reach SQL ({@link UsageQueries}, {@link UsageFilters}).
 */
@RestController
public class CallerApiController {

    private final ApiKeys apiKeys;
    private final Accounts accounts;
    private final UsageQueries usage;
    private final BillingJson json;

    public CallerApiController(ApiKeys apiKeys, Accounts accounts, UsageQueries usage, BillingJson json) {
        this.apiKeys = apiKeys;
        this.accounts = accounts;
        this.usage = usage;
        this.json = json;
    }

    @GetMapping(path = "/v1/credits", produces = "application/json")
    public ObjectNode credits(@RequestHeader(value = "Authorization", required = false) String authorization,
                              HttpServletRequest request) {
        Caller caller = apiKeys.authenticateFresh(authorization, request.getRemoteAddr());
        Accounts.Account account = accounts.get(caller.accountId());
        ObjectNode data = json.object();
        BillingJson.money(data, "total_credits", account.totalCredits());
        BillingJson.money(data, "total_refunds", account.totalRefunds());
        BillingJson.money(data, "total_usage", account.totalUsage());
        BillingJson.money(data, "balance", account.balance());
        BillingJson.money(data, "held", account.held());
        BillingJson.money(data, "available", account.available());
        return json.data(data);
    }

    @GetMapping(path = "/v1/key", produces = "application/json")
    public ObjectNode key(@RequestHeader(value = "Authorization", required = false) String authorization,
                          HttpServletRequest request) {
        Caller caller = apiKeys.authenticateFresh(authorization, request.getRemoteAddr());
        ObjectNode data = json.key(accounts.key(caller.keyId()));
        data.put("label", caller.keyName());
        return json.data(data);
    }

    @GetMapping(path = "/v1/generation", produces = "application/json")
    public ObjectNode generation(@RequestHeader(value = "Authorization", required = false) String authorization,
                                 @RequestParam(value = "id", required = false) String id, HttpServletRequest request) {
        Caller caller = apiKeys.authenticateFresh(authorization, request.getRemoteAddr());
        if (id == null || id.isBlank()) {
            throw GatewayException.invalidRequest("id", "'id' (the request id from X-Request-Id) is required.");
        }
        return json.data(json.usageRecord(usage.generation(caller.accountId(), id)));
    }

    @GetMapping(path = "/v1/usage", produces = "application/json")
    public ObjectNode usage(@RequestHeader(value = "Authorization", required = false) String authorization,
                            @RequestParam Map<String, String> query, HttpServletRequest request) {
        Caller caller = apiKeys.authenticateFresh(authorization, request.getRemoteAddr());
        return json.usagePage(usage.page(UsageFilters.parse(caller.accountId(), query)));
    }
}
