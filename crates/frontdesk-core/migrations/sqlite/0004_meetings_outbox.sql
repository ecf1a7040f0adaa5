-- 0004: telehealth meetings and the outbox that provisions them.
--
-- Booking, moving or cancelling a telehealth appointment writes the appointment and its outbox
-- job in one transaction, so the desk never waits on Zoom or Microsoft. A background worker
-- sends the jobs; what it learns lands in `meetings`. Nothing here holds patient data, a token
-- or a host (start) link: host links are fetched at click time and never stored.

-- The meeting of one telehealth appointment as Frontdesk knows it.
-- `state`: 'pending' (the worker has yet to send it; `waiting` says why it is held: 'queued',
-- 'offline', 'quota', 'not_connected' or 'retrying'), 'ready' (the provider made it and
-- `join_url` is the patient's link), 'failed' (the provider refused; `error` is its reason), or
-- 'cancelled' (deleted at the provider, or never made because the visit was cancelled first).
-- Zoom's meeting number is a 64-bit integer and is kept as one (`zoom_id`); Graph's id is text.
-- `attempts` counts Zoom create calls recorded *before* each is sent; `attempt_open` is 1 from
-- that record until the answer is stored, so a worker that died in between knows to look for
-- the meeting that attempt made (by the marker in its agenda) before creating another.
-- `synced_start`/`synced_end` are the times the provider has, to skip an update that changes nothing.
CREATE TABLE meetings (
    appointment_id  INTEGER PRIMARY KEY REFERENCES appointments (id),
    provider        TEXT    NOT NULL CHECK (provider IN ('zoom', 'microsoft')),
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'ready', 'failed', 'cancelled')),
    waiting         TEXT    CHECK (waiting IS NULL OR waiting IN ('queued', 'offline', 'quota', 'not_connected', 'retrying')),
    zoom_id         INTEGER CHECK (zoom_id IS NULL OR provider = 'zoom'),
    teams_id        TEXT    CHECK (teams_id IS NULL OR (provider = 'microsoft' AND length(teams_id) <= 1000)),
    join_url        TEXT    CHECK (join_url IS NULL OR length(join_url) <= 2000),
    error           TEXT    CHECK (error IS NULL OR length(error) <= 500),
    attempts        INTEGER NOT NULL DEFAULT 0,
    attempt_open    INTEGER NOT NULL DEFAULT 0 CHECK (attempt_open IN (0, 1)),
    synced_start    INTEGER,
    synced_end      INTEGER,
    updated_at      INTEGER NOT NULL
);

-- At most one job per appointment: it means "make the provider's meeting match the
-- appointment as it is now". Later changes fold into the waiting job (`changes` counts them), so
-- book-then-cancel before sending makes no call and several moves send one update.
-- `state` is 'pending' (due at `due_at_ms`) or 'failed' (refused; `outbox retry` puts it back).
-- A job is deleted once the provider matches the appointment.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    appointment_id  INTEGER NOT NULL UNIQUE REFERENCES appointments (id),
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'failed')),
    changes         INTEGER NOT NULL DEFAULT 1,
    tries           INTEGER NOT NULL DEFAULT 0,
    due_at_ms       INTEGER NOT NULL,
    reason          TEXT    CHECK (reason IS NULL OR length(reason) <= 500),
    created_at_ms   INTEGER NOT NULL,
    updated_at_ms   INTEGER NOT NULL
);
CREATE INDEX outbox_by_due ON outbox (state, due_at_ms);

-- Zoom allows 100 meeting creates and updates per host per day (reset at 00:00 UTC). The worker
-- counts each call here before sending it and holds the doctor's jobs once the day's count is used.
CREATE TABLE meeting_calls (
    doctor_id  INTEGER NOT NULL REFERENCES staff (id),
    provider   TEXT    NOT NULL CHECK (provider IN ('zoom', 'microsoft')),
    utc_day    TEXT    NOT NULL CHECK (length(utc_day) = 10),
    count      INTEGER NOT NULL,
    PRIMARY KEY (doctor_id, provider, utc_day)
);
