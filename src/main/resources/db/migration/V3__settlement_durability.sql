-- No answered request goes unbilled, none is billed twice (docs/billing.md, "When something fails").
-- Runs on H2 (PostgreSQL mode) and PostgreSQL 15.

-- Gateway instances and their leases. A hold belongs to the instance that made it; once that
-- instance stops renewing its lease (a crash), another instance, or its own restart, settles what it
-- left behind. Times are the database's own clock, so instances with drifting clocks agree.
CREATE TABLE gateway_instances (
    id            VARCHAR(40)  PRIMARY KEY,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The instance that made a hold (NULL for holds made before this migration: their instance is gone),
-- and the catalog model asked for, so that a hold settled without its usage still says what it was for.
ALTER TABLE holds ADD COLUMN instance_id VARCHAR(40);
ALTER TABLE holds ADD COLUMN model VARCHAR(200);

-- cost stays what the ledger debited (the usage events and /v1/usage call it cost). What the upstream's
-- usage cost at catalog prices beyond that is uncollected: the hold bounds every charge.
ALTER TABLE usage_records ADD COLUMN uncollected DECIMAL(38,12) NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD CONSTRAINT usage_uncollected_not_negative CHECK (uncollected >= 0);
-- How the charge was decided: 'metered' (the answer's usage), 'orphaned_hold' (the instance crashed
-- before the usage reached the database: the held amount) or 'hold_timeout' (a hold older than
-- caravan.billing.hold-timeout whose settlement never came: the held amount).
ALTER TABLE usage_records ADD COLUMN settlement VARCHAR(20) NOT NULL DEFAULT 'metered';
ALTER TABLE usage_records ADD CONSTRAINT usage_settlement_kind
    CHECK (settlement IN ('metered', 'orphaned_hold', 'hold_timeout'));

-- Usage records the database refused for a reason of their own (not an outage): kept whole, metadata
-- only, with their hold still open, until an operator settles them again (POST /admin/dead-letters/...).
CREATE TABLE settlement_dead_letters (
    request_id  VARCHAR(40)   PRIMARY KEY,
    account_id  VARCHAR(40)   NOT NULL,
    -- the usage record as JSON: what settling it again needs; never message content
    payload     TEXT          NOT NULL,
    -- the exception class only: messages can quote values
    failure     VARCHAR(300)  NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
