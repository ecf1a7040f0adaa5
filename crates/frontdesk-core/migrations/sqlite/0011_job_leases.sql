-- 0011: a job taken by a worker is that worker's for a while (its lease), so that two workers
-- (the clinic service on two computers) never send one job, and a job whose worker died is
-- taken over once its lease has passed. `leased_by` is the worker (its data folder's id);
-- `lease_until_ms` when the lease ends. Both are cleared when the outcome is written back.

ALTER TABLE outbox ADD COLUMN lease_until_ms INTEGER;
ALTER TABLE outbox ADD COLUMN leased_by TEXT CHECK (leased_by IS NULL OR length(leased_by) <= 100);
ALTER TABLE mails ADD COLUMN lease_until_ms INTEGER;
ALTER TABLE mails ADD COLUMN leased_by TEXT CHECK (leased_by IS NULL OR length(leased_by) <= 100);
