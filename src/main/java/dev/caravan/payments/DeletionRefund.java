package dev.caravan.payments;

import dev.caravan.billing.DeletionRefunds;
import org.springframework.stereotype.Component;

/**
 * An account's deletion refunds its refundable credit (docs/payments.md): when it is requested, and
 * again just before its personal data is erased, for a refund that could not be made then (payments
 * off, Razorpay away: the erasure waits for the next run). A second call finds nothing left to refund.
 */
@Component
class DeletionRefund implements DeletionRefunds {

    private static final String REASON = "account deletion";

    private final Refunds refunds;

    DeletionRefund(Refunds refunds) {
        this.refunds = refunds;
    }

    @Override
    public void onDeletionRequested(String accountId) {
        try {
            refunds.refundAll(accountId, REASON);
        } catch (RuntimeException notNow) {
            // the request is recorded and the keys revoked; the erasure job tries again, and waits for it
        }
    }

    @Override
    public void beforeErasure(String accountId) {
        refunds.refundAll(accountId, REASON);
    }
}
