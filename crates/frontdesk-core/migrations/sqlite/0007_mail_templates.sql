-- 0007: the clinic's own wording of the patient e-mails.
--
-- The built-in texts (English, French, Spanish) stay in the code (`mail_text.rs`); a row here
-- replaces one of them for one language, and resetting a text deletes its row, so the clinic
-- gets the built-in wording again, including a later version's improvements. The texts are
-- checked by the core before they come here (known placeholders, the ones a text needs, one-line
-- subjects); the checks below only bound what a row can hold. Texts never name a patient: there
-- is no placeholder for it (ADR 0010). Each change is also an audit row (`mail_template_changed`).
--
-- `key` is a text of `mail_text::TextKey`; a new key in a later version comes with a migration
-- that widens the CHECK. `changed_by` is the actor as in `audit_log` ('staff:<id>', 'cli:<os user>').
CREATE TABLE mail_templates (
    language       TEXT    NOT NULL CHECK (language IN ('en', 'fr', 'es')),
    key            TEXT    NOT NULL CHECK (key IN (
                       'subject_new', 'subject_moved', 'subject_cancelled', 'greeting', 'booked',
                       'moved', 'join', 'how_to_cancel', 'attached', 'cancelled',
                       'cancelled_reason', 'book_again', 'sign_off')),
    text           TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    changed_by     TEXT    NOT NULL CHECK (length(changed_by) BETWEEN 1 AND 200),
    changed_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (language, key)
);
