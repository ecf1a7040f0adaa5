-- 0003: a job taken by a worker is that worker's for a while (its lease), as SQLite's 0011:
-- two clinic services never send one job, and a job whose service died is taken over once its
-- lease has passed. Both columns are cleared when the outcome is written back.

ALTER TABLE outbox ADD COLUMN lease_until_ms BIGINT;
ALTER TABLE outbox ADD COLUMN leased_by TEXT CHECK (leased_by IS NULL OR length(leased_by) <= 100);
ALTER TABLE mails ADD COLUMN lease_until_ms BIGINT;
ALTER TABLE mails ADD COLUMN leased_by TEXT CHECK (leased_by IS NULL OR length(leased_by) <= 100);
