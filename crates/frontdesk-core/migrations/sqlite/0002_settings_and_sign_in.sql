-- 0002: what the desktop app needs: clinic settings for the shared desk (how long before an idle
-- screen locks, the locale dates are shown in) and PIN sign-in protection (a PIN is short, so
-- wrong guesses are counted and the account waits after too many).

ALTER TABLE clinic ADD COLUMN lock_minutes INTEGER NOT NULL DEFAULT 10 CHECK (lock_minutes BETWEEN 1 AND 240);
ALTER TABLE clinic ADD COLUMN locale TEXT NOT NULL DEFAULT 'en-CA' CHECK (length(locale) BETWEEN 2 AND 35);

ALTER TABLE staff ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0 CHECK (pin_failures >= 0);
-- Unix seconds; NULL when sign-in is not paused.
ALTER TABLE staff ADD COLUMN pin_locked_until INTEGER;
