-- 0010: each appointment says whether it was booked (or moved) onto a doctor's taken time with
-- staff's confirmation. The history has always recorded it (`overlap_allowed`); a column of its
-- own lets the clinic's server (PostgreSQL) refuse every other double booking by a constraint,
-- and both engines keep the same rows.

ALTER TABLE appointments ADD COLUMN double_booked INTEGER NOT NULL DEFAULT 0 CHECK (double_booked IN (0, 1));

UPDATE appointments SET double_booked = 1
WHERE (SELECT json_extract(h.detail, '$.overlap_allowed') FROM appointment_history h
       WHERE h.appointment_id = appointments.id AND h.action IN ('booked', 'moved')
       ORDER BY h.id DESC LIMIT 1) = 1;
