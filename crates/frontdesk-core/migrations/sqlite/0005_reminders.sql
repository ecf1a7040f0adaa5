-- 0005: desktop reminders. How long before a visit its doctor is reminded, and which reminders
-- have been shown, so that none is shown twice (across restarts and clock changes). A reminder is
-- keyed by the appointment's start: a moved appointment is reminded at its new time only.

ALTER TABLE clinic ADD COLUMN reminder_minutes INTEGER NOT NULL DEFAULT 10 CHECK (reminder_minutes BETWEEN 1 AND 240);

CREATE TABLE reminders_shown (
    appointment_id  INTEGER NOT NULL REFERENCES appointments (id),
    staff_id        INTEGER NOT NULL REFERENCES staff (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('upcoming', 'arrival')),
    start_at        INTEGER NOT NULL,
    shown_at_ms     INTEGER NOT NULL,
    PRIMARY KEY (appointment_id, staff_id, kind, start_at)
);
