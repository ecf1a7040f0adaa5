-- 0005: the clinic service keeps every token and secret, in its own computer's keyring; the
-- database carries only what is sealed to a key (X25519 sealed boxes) and never a token in clear.
--
-- `clinic_service`: the one service that keeps them, by its public key (the private key is in its
-- keyring), where it runs, and when it was last heard from (it says so every few seconds).
--
-- `service_requests`: what a desk asks of the service that needs a token or a secret: finishing a
-- connection (the sign-in's code, sealed to the service), the host's link of a meeting (answered
-- sealed to the asking desk's own key), checking accounts, reconciling, disconnecting, keeping a
-- secret setting. A row lives only until its desk has read the answer; the service clears away
-- any left behind. Times are Unix milliseconds; `args` and `answer` are JSON text. The service is woken by `frontdesk_requests` ({"asked": id}); the desk by the
-- same channel ({"answered": id}). Ids only in the payload.

CREATE TABLE clinic_service (
    id            INTEGER     PRIMARY KEY CHECK (id = 1),
    public_key    TEXT        NOT NULL CHECK (length(public_key) <= 100),
    host          TEXT        NOT NULL CHECK (length(host) <= 200),
    registered_at BIGINT      NOT NULL,
    seen_at       BIGINT      NOT NULL
);

CREATE TABLE service_requests (
    id            BIGSERIAL   PRIMARY KEY,
    kind          TEXT        NOT NULL CHECK (length(kind) <= 40),
    asked_by      TEXT        NOT NULL CHECK (length(asked_by) <= 200),
    args          TEXT        NOT NULL DEFAULT '{}' CHECK (length(args) <= 4096),
    sealed_args   TEXT        CHECK (length(sealed_args) <= 65536),
    reply_key     TEXT        CHECK (length(reply_key) <= 100),
    asked_at      BIGINT      NOT NULL,
    taken_by      TEXT,
    taken_at      BIGINT,
    answered_at   BIGINT,
    answer        TEXT        CHECK (length(answer) <= 65536),
    sealed_answer TEXT        CHECK (length(sealed_answer) <= 65536),
    problem       TEXT        CHECK (length(problem) <= 2000)
);

CREATE FUNCTION frontdesk_tell_service() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('frontdesk_requests', jsonb_build_object('asked', NEW.id)::text);
    ELSIF NEW.answered_at IS NOT NULL AND OLD.answered_at IS NULL THEN
        PERFORM pg_notify('frontdesk_requests', jsonb_build_object('answered', NEW.id)::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER service_requests_tell AFTER INSERT OR UPDATE ON service_requests
    FOR EACH ROW EXECUTE FUNCTION frontdesk_tell_service();

-- A connection made, refreshed away or disconnected by the service shows on every desk.
CREATE TRIGGER connections_tell_desks AFTER INSERT OR UPDATE OR DELETE ON connections
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_tell_desks();
