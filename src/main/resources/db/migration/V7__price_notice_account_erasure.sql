-- Price changes with notice and the erasure of deleted accounts (docs/billing.md, "Price changes";
-- docs/dashboard.md, "Account deletion"). Runs on H2 (PostgreSQL mode) and PostgreSQL 15.

-- A price increase announced in the catalog (price-changes), remembered from the first start that saw
-- it: its notice runs from first_seen_at, so a restart cannot shorten it. Written once (insert if
-- absent) by whichever instance sees it first; a catalog model serves each backend at its own price.
CREATE TABLE price_announcements (
    model_id       VARCHAR(200)  NOT NULL,
    backend        VARCHAR(300)  NOT NULL,
    price_version  VARCHAR(12)   NOT NULL,
    -- the date it was announced for when first seen (a later catalog may move it, never before the notice)
    effective_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    first_seen_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (model_id, backend, price_version)
);

-- The price each model's backend charged at the last start: a catalog whose current price is higher,
-- without an announcement whose notice has run, is refused.
CREATE TABLE applied_prices (
    model_id       VARCHAR(200)  NOT NULL,
    backend        VARCHAR(300)  NOT NULL,
    price_version  VARCHAR(12)   NOT NULL,
    -- every component, as JSON of plain decimal strings (billing.PriceNotice)
    price          TEXT          NOT NULL,
    applied_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (model_id, backend)
);

-- The prices a request was charged at; NULL for rows settled before this migration and for holds
-- settled without their usage.
ALTER TABLE usage_records ADD COLUMN price_version VARCHAR(12);

-- Erasure of a deleted account's personal data. An instance claims the erasure (claimed_by, with a
-- lease: a crashed claimer's work is taken over), then erases; erased_at marks it done, once.
ALTER TABLE accounts ADD COLUMN erasure_claimed_by VARCHAR(40);
ALTER TABLE accounts ADD COLUMN erasure_claimed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE accounts ADD COLUMN erased_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX accounts_deletion_pending ON accounts (deletion_requested_at);
