-- 0017: Find answers as the desk types (issue 17), so its reads are index seeks:
-- one patient's appointments by start (each patient's next and last visit, a record's visits,
-- found from now instead of by sorting all their visits), replacing the index on patient_id
-- alone, whose every use ("a visit with this doctor") it serves as well; and patients by date
-- of birth (a search typed as YYYY-MM-DD compares only that).
CREATE INDEX appointments_by_patient_start ON appointments (patient_id, start_at);
DROP INDEX appointments_by_patient;
CREATE INDEX patients_by_birth ON patients (date_of_birth);
