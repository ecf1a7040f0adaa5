-- 0012: the audit log becomes a hash chain. Each row written from now on carries the hash of the
-- row before it and its own (SHA-256 over the previous hash and its content, computed by
-- `store::audit::append` under the clinic's write lock), so an edited or removed row shows:
-- `frontdesk-cli audit verify` names the first one. Rows written before this have neither.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
