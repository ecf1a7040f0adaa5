-- 0018: a visit rescheduled to another doctor, or to a type held on another provider, keeps one
-- meeting row. `host_id` is the doctor whose account holds the meeting made so far; NULL means
-- the visit's own doctor. While the host or the provider differs from what the visit now needs,
-- the worker deletes the meeting where it is, then makes the new one for the visit's doctor
-- (ADR 0023).
ALTER TABLE meetings ADD COLUMN host_id INTEGER REFERENCES staff (id);
