-- 0006: the audit log becomes a hash chain, as SQLite's 0012.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
