-- 0012: as SQLite's 0018: the doctor whose account holds a meeting while its visit moves to
-- another doctor or provider (NULL: the visit's own doctor).
ALTER TABLE meetings ADD COLUMN host_id BIGINT REFERENCES staff (id);
