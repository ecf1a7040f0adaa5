-- 0014: wrong PINs escalate to a lock, and a pause is kept so that the clock cannot end it early.
--
-- Five wrong PINs in a row pause sign-in for 5 minutes, the next five for 30 minutes, and the
-- next five lock it until an admin unlocks it (`pin_pauses` keeps counting those rounds). A pause
-- is kept as the wall-clock instant it began and its length, not as an end time: it holds until
-- the clock reads at least its start plus its length, and never while the clock reads earlier
-- than its start (see `store::auth`). A lock has no end time at all: only an admin lifts it.

-- Unix seconds when the current pause began, and its length in seconds; NULL when not paused.
ALTER TABLE staff ADD COLUMN pin_paused_at INTEGER;
ALTER TABLE staff ADD COLUMN pin_pause_seconds INTEGER CHECK (pin_pause_seconds >= 0);
-- Unix seconds when sign-in was locked after the third round of wrong PINs; NULL when not locked.
ALTER TABLE staff ADD COLUMN pin_locked_at INTEGER;

-- A pause in progress keeps its end: it becomes a pause of no length that begins at that end
-- (it holds while the clock reads earlier than its start).
UPDATE staff SET pin_paused_at = pin_locked_until, pin_pause_seconds = 0 WHERE pin_locked_until IS NOT NULL;
-- Under the old rule the pauses could go on doubling; now a third round locks.
UPDATE staff SET pin_pauses = 2 WHERE pin_pauses > 2;
ALTER TABLE staff DROP COLUMN pin_locked_until;
