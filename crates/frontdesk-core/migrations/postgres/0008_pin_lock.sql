-- 0008: wrong PINs escalate to a lock, and a pause is kept as its start and its length: as
-- SQLite's 0014.
ALTER TABLE staff ADD COLUMN pin_paused_at BIGINT;
ALTER TABLE staff ADD COLUMN pin_pause_seconds BIGINT CHECK (pin_pause_seconds >= 0);
ALTER TABLE staff ADD COLUMN pin_locked_at BIGINT;

UPDATE staff SET pin_paused_at = pin_locked_until, pin_pause_seconds = 0 WHERE pin_locked_until IS NOT NULL;
UPDATE staff SET pin_pauses = 2 WHERE pin_pauses > 2;
ALTER TABLE staff DROP COLUMN pin_locked_until;
