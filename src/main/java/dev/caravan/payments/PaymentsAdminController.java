package dev.caravan.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.billing.Accounts;
import dev.caravan.dashboard.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The operator's view of an account's payments and its refunds, by the same rule as the dashboard's. */
@RestController
@RequestMapping(path = "/admin/accounts/{id}", produces = "application/json")
public class PaymentsAdminController {

    private final PaymentSettings settings;
    private final Accounts accounts;
    private final Purchases purchases;
    private final Refunds refunds;
    private final PaymentsJson views;
    private final JsonBody jsonBody;

    public PaymentsAdminController(PaymentSettings settings, Accounts accounts, Purchases purchases, Refunds refunds,
                                   PaymentsJson views, JsonBody jsonBody) {
        this.settings = settings;
        this.accounts = accounts;
        this.purchases = purchases;
        this.refunds = refunds;
        this.views = views;
        this.jsonBody = jsonBody;
    }

    @GetMapping("/payments")
    public ObjectNode history(@PathVariable("id") String accountId) {
        accounts.get(accountId);
        return views.history(purchases.list(accountId), refunds.list(accountId), refunds.shares(accountId));
    }

    /** {@code {order_id?, reason?}} (an empty body refunds every refundable purchase). */
    @PostMapping("/refunds")
    public ObjectNode refund(@PathVariable("id") String accountId, HttpServletRequest request) {
        accounts.get(accountId);
        Payments.requireEnabled(settings);
        JsonNode body = request.getContentLengthLong() == 0 ? views.emptyObject() : jsonBody.object(request);
        return views.refunds(PaymentsApiController.refund(refunds, purchases, accountId, body));
    }
}
