-- 0013: a clinic may keep the appointment type's name (which can tell a condition) out of what
-- leaves it: meeting titles at Zoom and Microsoft, and the patient e-mails and their calendar
-- files, which then say a neutral "Appointment" in the clinic's language.
ALTER TABLE clinic ADD COLUMN neutral_titles INTEGER NOT NULL DEFAULT 0 CHECK (neutral_titles IN (0, 1));
