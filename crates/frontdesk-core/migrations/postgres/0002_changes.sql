-- 0002: every desk hears of a change at once. Each write to an appointment, its meeting or its
-- mail sends a notification on the channel `frontdesk_changes` when its transaction commits,
-- whichever desk, service or program wrote it; the desks listen (LISTEN) and re-read what
-- changed. The payload is JSON with ids and instants only, never a name or a patient detail:
--   {"appointment": 42, "spans": [[start, end], ...]}  the appointment, and the times it held
--                                                      before and after (Unix seconds)
--   {}                                                  something every desk shows changed
--                                                      (staff, patients, types, the clinic)

CREATE FUNCTION frontdesk_tell_desks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload jsonb;
BEGIN
    IF TG_TABLE_NAME = 'appointments' THEN
        payload := jsonb_build_object('appointment', NEW.id, 'spans', jsonb_build_array(jsonb_build_array(NEW.start_at, NEW.end_at)));
        IF TG_OP = 'UPDATE' AND (OLD.start_at, OLD.end_at) IS DISTINCT FROM (NEW.start_at, NEW.end_at) THEN
            payload := jsonb_set(payload, '{spans}', (payload -> 'spans') || jsonb_build_array(jsonb_build_array(OLD.start_at, OLD.end_at)));
        END IF;
    ELSIF TG_TABLE_NAME IN ('meetings', 'mails') THEN
        payload := jsonb_build_object('appointment', NEW.appointment_id, 'spans', '[]'::jsonb);
    ELSE
        payload := '{}'::jsonb;
    END IF;
    PERFORM pg_notify('frontdesk_changes', payload::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER appointments_tell_desks AFTER INSERT OR UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION frontdesk_tell_desks();
CREATE TRIGGER meetings_tell_desks AFTER INSERT OR UPDATE ON meetings
    FOR EACH ROW EXECUTE FUNCTION frontdesk_tell_desks();
CREATE TRIGGER mails_tell_desks AFTER INSERT OR UPDATE ON mails
    FOR EACH ROW EXECUTE FUNCTION frontdesk_tell_desks();
CREATE TRIGGER staff_tell_desks AFTER INSERT OR UPDATE OF name, role, active ON staff
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_tell_desks();
CREATE TRIGGER patients_tell_desks AFTER INSERT OR UPDATE ON patients
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_tell_desks();
CREATE TRIGGER types_tell_desks AFTER INSERT OR UPDATE ON appointment_types
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_tell_desks();
CREATE TRIGGER clinic_tell_desks AFTER UPDATE ON clinic
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_tell_desks();
