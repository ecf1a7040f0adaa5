-- 0016: working hours (ADR 0021): the clinic's opening hours, each doctor's weekly hours from a
-- date on, and the exceptions to them (days off, clinic holidays, one-off extra hours); and
-- whether a visit was booked outside them with staff's confirmation.
--
-- Hours are wall-clock blocks in the clinic's zone, as minutes since local midnight
-- (`start_minute` 0..1439, `end_minute` up to 1440, i.e. 24:00), and days are the clinic's
-- local dates as `YYYY-MM-DD` text (which sorts as dates do): a 09:00 shift stays 09:00 across
-- DST changes, and the store resolves each day's blocks to instants when it reads them.
-- Nothing entered means no restriction: no clinic rows, the clinic is open at all hours; no
-- weekly hours for a doctor on a date, they work whenever the clinic is open.

-- The clinic's opening hours: blocks per ISO weekday (1 = Monday). A weekday with no row is closed
-- (once any row exists).
CREATE TABLE clinic_hours (
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute  INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    INTEGER NOT NULL CHECK (end_minute > start_minute AND end_minute <= 1440),
    PRIMARY KEY (weekday, start_minute)
);

-- A doctor's weekly hours from `effective_from` on, until their next week's date. A week with
-- no blocks is a doctor who works no regular hours from that date (only extra hours).
CREATE TABLE doctor_weeks (
    id              INTEGER PRIMARY KEY,
    doctor_id       INTEGER NOT NULL REFERENCES staff (id),
    effective_from  TEXT    NOT NULL CHECK (effective_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    created_at      INTEGER NOT NULL,
    UNIQUE (doctor_id, effective_from)
);

CREATE TABLE doctor_hours (
    week_id       INTEGER NOT NULL REFERENCES doctor_weeks (id) ON DELETE CASCADE,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute  INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    INTEGER NOT NULL CHECK (end_minute > start_minute AND end_minute <= 1440),
    PRIMARY KEY (week_id, weekday, start_minute)
);

-- Exceptions: `off` is days not worked from `first_day` to `last_day` (a doctor's days off, or
-- with no doctor the clinic's holidays); `extra` is a doctor's one-off block on one day.
-- `label` is what the clinic calls it ("Canada Day"), never anything about a patient.
CREATE TABLE hours_exceptions (
    id            INTEGER PRIMARY KEY,
    doctor_id     INTEGER REFERENCES staff (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('off', 'extra')),
    first_day     TEXT    NOT NULL CHECK (first_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    last_day      TEXT    NOT NULL CHECK (last_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND last_day >= first_day),
    start_minute  INTEGER,
    end_minute    INTEGER,
    label         TEXT    CHECK (label IS NULL OR length(label) BETWEEN 1 AND 500),
    created_at    INTEGER NOT NULL,
    CHECK ((kind = 'off' AND start_minute IS NULL AND end_minute IS NULL)
        OR (kind = 'extra' AND doctor_id IS NOT NULL AND first_day = last_day
            AND start_minute BETWEEN 0 AND 1439 AND end_minute > start_minute AND end_minute <= 1440))
);
CREATE INDEX hours_exceptions_by_day ON hours_exceptions (last_day, first_day);

-- A visit booked (or moved) outside its doctor's hours with staff's confirmation; the history
-- says so too (`outside_hours_allowed`), and the day sheet marks it.
ALTER TABLE appointments ADD COLUMN outside_hours INTEGER NOT NULL DEFAULT 0 CHECK (outside_hours IN (0, 1));
