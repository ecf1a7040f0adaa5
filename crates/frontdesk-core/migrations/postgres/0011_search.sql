-- 0011: as SQLite's 0017: one patient's appointments by start (each patient's next and last
-- visit, a record's visits), replacing the index on patient_id alone; patients by date of birth.
CREATE INDEX appointments_by_patient_start ON appointments (patient_id, start_at);
DROP INDEX appointments_by_patient;
CREATE INDEX patients_by_birth ON patients (date_of_birth);
