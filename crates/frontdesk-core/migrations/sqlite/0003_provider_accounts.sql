-- 0003: video-visit accounts. The clinic's provider settings (hosts, client IDs, how the
-- browser comes back), each doctor's connection to Zoom or Microsoft, and the audit log.
-- Tokens and client secrets are never here: they live in the operating system's keyring,
-- under names scoped by the clinic's `uid` so that two clinics on one machine never share one.

ALTER TABLE clinic ADD COLUMN uid TEXT CHECK (uid IS NULL OR length(uid) = 32);
UPDATE clinic SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
CREATE TRIGGER clinic_gets_a_uid AFTER INSERT ON clinic WHEN NEW.uid IS NULL
BEGIN
    UPDATE clinic SET uid = lower(hex(randomblob(16))) WHERE id = NEW.id;
END;

-- Non-secret provider settings, e.g. 'zoom.client_id' or 'microsoft.tenant'. A key that is
-- absent takes the built-in default (the public hosts).
CREATE TABLE provider_settings (
    key         TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 64),
    value       TEXT NOT NULL CHECK (length(value) <= 2000),
    updated_at  INTEGER NOT NULL
);

-- One row per doctor and provider once a connection has been made. `state` is what the desk
-- sees: 'connected', or 'disconnected' with the `problem` that says why (revoked at the
-- provider, or disconnected here). `kind` says how the app acts for the doctor: through the
-- doctor's own OAuth grant, or through the clinic's Zoom Server-to-Server app as `account_email`.
CREATE TABLE connections (
    doctor_id      INTEGER NOT NULL REFERENCES staff (id),
    provider       TEXT    NOT NULL CHECK (provider IN ('zoom', 'microsoft')),
    kind           TEXT    NOT NULL DEFAULT 'user' CHECK (kind IN ('user', 'server_to_server')),
    state          TEXT    NOT NULL CHECK (state IN ('connected', 'disconnected')),
    account_email  TEXT    CHECK (account_email IS NULL OR length(account_email) <= 320),
    problem        TEXT    CHECK (problem IS NULL OR length(problem) <= 500),
    connected_at   INTEGER,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (doctor_id, provider)
);

-- Who did what, and when. Rows are only ever added: the triggers below refuse any change.
-- `actor` is 'staff:<id>', 'cli:<os user>' or 'system'; `detail` is JSON that never holds a
-- token, a secret or a patient detail beyond the ids.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at_ms           INTEGER NOT NULL,
    actor           TEXT    NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    action          TEXT    NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    doctor_id       INTEGER REFERENCES staff (id),
    patient_id      INTEGER REFERENCES patients (id),
    appointment_id  INTEGER REFERENCES appointments (id),
    detail          TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
);
CREATE INDEX audit_log_by_time ON audit_log (at_ms);

CREATE TRIGGER audit_log_is_append_only_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_is_append_only_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
