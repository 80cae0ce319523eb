-- Fewer writes per request (issue 18). Runs on H2 (PostgreSQL mode) and PostgreSQL 15.
--
-- A charged request was written twice: its usage row and a 'debit' ledger entry with the same
-- request id, amount and account, each with its own unique index on request_id. The usage row is
-- now the debit: it carries the balance after the charge, and ledger_entries keeps what is not a
-- request (credits, refunds, restores). The account's statement is both tables; the invariant is
--   balance = sum(credit + restore entries) - sum(refund entries) - sum(usage_records.cost).
ALTER TABLE usage_records ADD COLUMN balance_after DECIMAL(38,12);

UPDATE usage_records SET balance_after =
    (SELECT l.balance_after FROM ledger_entries l WHERE l.request_id = usage_records.request_id);

DELETE FROM ledger_entries WHERE kind = 'debit';

-- holds holds only requests in flight (a row is deleted at settlement): the sweeper's scan by age
-- reads a few rows without an index, and every hold no longer writes and deletes an index entry.
DROP INDEX holds_created;
