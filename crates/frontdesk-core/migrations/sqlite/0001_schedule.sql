-- 0001: the schedule.
--
-- Instants are INTEGER Unix seconds in UTC; each appointment also keeps the IANA zone it was
-- booked in, so that "09:30 in Toronto" can be shown again exactly as it was booked.
-- Words (roles, modes, statuses) are stored as the same kebab-case words the app and the
-- command line use. The rules that SQL can hold live here as CHECK, UNIQUE and FOREIGN KEY
-- constraints; the store turns their violations into domain errors.
-- Never edit a released migration: add the next number instead.

-- The clinic's own settings: exactly one row once the clinic is set up.
CREATE TABLE clinic (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    tz          TEXT    NOT NULL CHECK (length(tz) BETWEEN 1 AND 64),
    created_at  INTEGER NOT NULL
);

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    role        TEXT    NOT NULL CHECK (role IN ('receptionist', 'doctor', 'admin')),
    -- argon2id PHC string; NULL until a PIN is set. The PIN itself is never stored.
    pin_hash    TEXT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL
);

-- Patient data: never logged, never sent to a meeting provider.
CREATE TABLE patients (
    id             INTEGER PRIMARY KEY,
    full_name      TEXT    NOT NULL CHECK (length(full_name) BETWEEN 1 AND 500),
    email          TEXT    CHECK (email IS NULL OR length(email) <= 500),
    phone          TEXT    CHECK (phone IS NULL OR length(phone) <= 500),
    date_of_birth  TEXT    CHECK (date_of_birth IS NULL OR date_of_birth GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    note           TEXT,
    created_at     INTEGER NOT NULL
);
CREATE INDEX patients_by_name ON patients (full_name COLLATE NOCASE);

CREATE TABLE appointment_types (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 500),
    minutes     INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 720),
    mode        TEXT    NOT NULL CHECK (mode IN ('in-person', 'zoom', 'teams')),
    created_at  INTEGER NOT NULL
);

CREATE TABLE appointments (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patients (id),
    doctor_id      INTEGER NOT NULL REFERENCES staff (id),
    type_id        INTEGER NOT NULL REFERENCES appointment_types (id),
    start_at       INTEGER NOT NULL,
    end_at         INTEGER NOT NULL,
    tz             TEXT    NOT NULL,
    topic          TEXT,
    description    TEXT,
    status         TEXT    NOT NULL DEFAULT 'booked'
                   CHECK (status IN ('booked', 'checked-in', 'in-progress', 'completed', 'cancelled', 'no-show')),
    cancel_reason  TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    -- At most 12 hours: the day view relies on this bound to use the start index.
    CHECK (end_at > start_at AND end_at - start_at <= 43200),
    -- A cancelled appointment always has its reason, and only a cancelled one has one.
    CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);
-- The day view: every appointment starting in a window.
CREATE INDEX appointments_by_start ON appointments (start_at);
-- The double-booking check: one doctor's appointments around a time.
CREATE INDEX appointments_by_doctor ON appointments (doctor_id, start_at);
CREATE INDEX appointments_by_patient ON appointments (patient_id);

-- Every change to an appointment: who, when, what. Append-only.
CREATE TABLE appointment_history (
    id              INTEGER PRIMARY KEY,
    appointment_id  INTEGER NOT NULL REFERENCES appointments (id),
    at_ms           INTEGER NOT NULL,
    actor           TEXT    NOT NULL,
    action          TEXT    NOT NULL CHECK (action IN ('booked', 'moved', 'status', 'cancelled')),
    detail          TEXT    NOT NULL CHECK (json_valid(detail))
);
CREATE INDEX appointment_history_by_appointment ON appointment_history (appointment_id, id);

CREATE TRIGGER appointment_history_is_append_only_update
BEFORE UPDATE ON appointment_history
BEGIN
    SELECT RAISE(ABORT, 'appointment history is append-only');
END;

CREATE TRIGGER appointment_history_is_append_only_delete
BEFORE DELETE ON appointment_history
BEGIN
    SELECT RAISE(ABORT, 'appointment history is append-only');
END;

-- Appointments are never deleted either: cancelling keeps the record and its history.
CREATE TRIGGER appointments_are_never_deleted
BEFORE DELETE ON appointments
BEGIN
    SELECT RAISE(ABORT, 'appointments are cancelled, never deleted');
END;
