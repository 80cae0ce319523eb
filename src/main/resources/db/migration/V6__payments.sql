-- Razorpay top-ups and refunds (docs/payments.md). Runs on H2 (PostgreSQL mode) and PostgreSQL 15.
-- Money paid is in the currency's smallest unit (paise for INR); credit is USD, DECIMAL(38,12).

-- An order the gateway created at Razorpay for one account, and, once paid, what it credited. The
-- credit itself is a credit_purchases row and a ledger entry, like any other top-up; this row keeps
-- what was paid for it, at which rate, so a later change of rate never changes credit already bought.
CREATE TABLE payment_orders (
    -- Razorpay's order id (order_...)
    id            VARCHAR(40)    PRIMARY KEY,
    account_id    VARCHAR(40)    NOT NULL REFERENCES accounts (id),
    amount_minor  BIGINT         NOT NULL,
    currency      VARCHAR(3)     NOT NULL,
    -- currency units per USD used for this order (caravan.payments.usd-rate when it was created)
    usd_rate      DECIMAL(38,12) NOT NULL,
    credit        DECIMAL(38,12) NOT NULL,
    -- created: waiting for payment; paid: credited (exactly once: the conditional update to 'paid'
    -- and the unique payment_id and purchase_id decide which of the callback and the webhook credits)
    status        VARCHAR(10)    NOT NULL,
    payment_id    VARCHAR(40)    UNIQUE,
    purchase_id   VARCHAR(40)    UNIQUE REFERENCES credit_purchases (id),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    paid_at       TIMESTAMP WITH TIME ZONE,
    CONSTRAINT payment_orders_status CHECK (status IN ('created', 'paid')),
    CONSTRAINT payment_orders_amount_positive CHECK (amount_minor > 0),
    CONSTRAINT payment_orders_credit_positive CHECK (credit > 0),
    CONSTRAINT payment_orders_paid_complete CHECK (status = 'created' OR (payment_id IS NOT NULL
        AND purchase_id IS NOT NULL AND paid_at IS NOT NULL))
);
CREATE INDEX payment_orders_account ON payment_orders (account_id, created_at);

-- A refund of (part of) one paid order. Its credit leaves the balance when the refund is asked for
-- (a 'refund' ledger entry), so it cannot be spent while Razorpay processes it; a refund that fails
-- gives it back once (a 'restore' entry: the conditional update from pending to failed decides).
CREATE TABLE payment_refunds (
    -- ours (rfd_...); sent to Razorpay as the refund's receipt
    id                  VARCHAR(40)    PRIMARY KEY,
    account_id          VARCHAR(40)    NOT NULL REFERENCES accounts (id),
    order_id            VARCHAR(40)    NOT NULL REFERENCES payment_orders (id),
    payment_id          VARCHAR(40)    NOT NULL,
    -- Razorpay's refund id (rfnd_...), once Razorpay answered
    razorpay_refund_id  VARCHAR(40)    UNIQUE,
    amount_minor        BIGINT         NOT NULL,
    currency            VARCHAR(3)     NOT NULL,
    credit              DECIMAL(38,12) NOT NULL,
    -- pending: asked (credit debited); processed: money on its way back; failed: credit restored
    status              VARCHAR(10)    NOT NULL,
    reason              VARCHAR(200),
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT payment_refunds_status CHECK (status IN ('pending', 'processed', 'failed')),
    CONSTRAINT payment_refunds_amount_positive CHECK (amount_minor > 0),
    CONSTRAINT payment_refunds_credit_positive CHECK (credit > 0)
);
CREATE INDEX payment_refunds_account ON payment_refunds (account_id, created_at);
CREATE INDEX payment_refunds_order ON payment_refunds (order_id);

-- Refunds in the ledger: 'refund' takes a refund's credit off the balance, 'restore' gives a failed
-- refund's credit back. At most one of each per refund.
ALTER TABLE ledger_entries ADD COLUMN refund_id VARCHAR(40);
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_kind;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_kind CHECK (kind IN ('credit', 'debit', 'refund', 'restore'));
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_refund_once UNIQUE (refund_id, kind);
