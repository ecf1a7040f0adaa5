-- 0006: patient e-mail with a calendar invitation, through the clinic's SMTP server.
--
-- Booking, moving or cancelling an appointment whose patient has an e-mail address writes its
-- mail job in the same transaction; a background worker sends it. One row per appointment, like
-- the meeting outbox: a change that comes while a mail waits folds into it, so several moves
-- send one update. Nothing here holds the address, the message or a secret: the worker reads
-- the address from `patients` when it sends.

-- `state`: 'pending' (due at `due_at_ms`; `reason` says why it waits), 'sent' (the server
-- accepted the invitation with SEQUENCE `sent_sequence`), 'failed' (the server refused it;
-- `reason` is its answer, without the address), or 'skipped' (nothing to send: the patient has
-- no e-mail address, or the visit was cancelled before any invitation went out).
-- `sequence` is the invitation's SEQUENCE (RFC 5545): 0 at booking, + 1 at each move or
-- cancellation, so calendars apply the newest message and ignore older or repeated ones.
-- `attempt_open` is 1 from just before a message is handed to the server until the answer is
-- stored: an invitation that may have arrived must be followed by a cancellation if the visit
-- is cancelled.
CREATE TABLE mails (
    appointment_id  INTEGER PRIMARY KEY REFERENCES appointments (id),
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    sequence        INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    sent_sequence   INTEGER,
    sent_method     TEXT    CHECK (sent_method IS NULL OR sent_method IN ('REQUEST', 'CANCEL')),
    attempt_open    INTEGER NOT NULL DEFAULT 0 CHECK (attempt_open IN (0, 1)),
    tries           INTEGER NOT NULL DEFAULT 0,
    due_at_ms       INTEGER NOT NULL,
    reason          TEXT    CHECK (reason IS NULL OR length(reason) <= 500),
    sent_at_ms      INTEGER,
    updated_at_ms   INTEGER NOT NULL
);
CREATE INDEX mails_by_due ON mails (state, due_at_ms);
