package dev.caravan.billing;

/**
 * Where the refund of an account's refundable credit plugs into its deletion (the payments work):
 * every bean implementing this is called, in no set order; with none, a deletion refunds nothing.
 * Both calls may come more than once for one account (a retry, another instance): an implementation
 * must be idempotent. An exception from {@link #beforeErasure} postpones the erasure to the next run
 * of the deletion job; the account stays closed meanwhile.
 */
public interface DeletionRefunds {

    /** The owner or the operator asked for the deletion; keys are revoked and sessions ended already. */
    default void onDeletionRequested(String accountId) {
    }

    /** The account's personal data is about to be erased: the last moment its payments can be refunded. */
    default void beforeErasure(String accountId) {
    }
}
