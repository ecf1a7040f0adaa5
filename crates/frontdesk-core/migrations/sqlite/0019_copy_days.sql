-- 0019: how many days after today each desk's read copy of the clinic's server holds (ADR 0027;
-- and yesterday). An admin setting; a single computer keeps the whole schedule anyway.
ALTER TABLE clinic ADD COLUMN copy_days INTEGER NOT NULL DEFAULT 14 CHECK (copy_days BETWEEN 1 AND 60);
