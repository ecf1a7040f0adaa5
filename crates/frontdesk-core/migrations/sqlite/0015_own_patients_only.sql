-- 0015: a clinic may keep to the minimum necessary: each doctor then reads only their own
-- patients (their records and their visits), and sees other doctors' visits as busy time.
ALTER TABLE clinic ADD COLUMN own_patients_only INTEGER NOT NULL DEFAULT 0 CHECK (own_patients_only IN (0, 1));
