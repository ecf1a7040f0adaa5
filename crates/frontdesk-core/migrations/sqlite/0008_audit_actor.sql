-- The audit log names the member of staff who acted as an id of its own, so that the log is
-- filtered by person in SQL (not by the actor's text) and joined to the staff's names.
-- No foreign key: a row is never refused, and staff are deactivated, never deleted.
-- `actor` stays as it was ('staff:<id>', 'cli:<os user>', 'system', 'system:outbox', 'system:mail').
--
-- The rows written before this migration get the id from their actor text. The append-only
-- trigger is set aside for that one statement, inside this migration's transaction.

ALTER TABLE audit_log ADD COLUMN actor_staff_id INTEGER;

DROP TRIGGER audit_log_is_append_only_update;
UPDATE audit_log SET actor_staff_id = CAST(substr(actor, 7) AS INTEGER) WHERE actor GLOB 'staff:[0-9]*';
CREATE TRIGGER audit_log_is_append_only_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE INDEX audit_log_by_actor ON audit_log (actor_staff_id, at_ms);
CREATE INDEX audit_log_by_patient ON audit_log (patient_id, at_ms);
