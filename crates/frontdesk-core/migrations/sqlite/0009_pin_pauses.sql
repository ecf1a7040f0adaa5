-- Each pause of sign-in after too many wrong PINs doubles the next one (5 minutes, 10, 20...
-- up to a day), until the person signs in or an admin sets a new PIN: five guesses every five
-- minutes, for ever, would let a four-digit PIN fall in about a week.
ALTER TABLE staff ADD COLUMN pin_pauses INTEGER NOT NULL DEFAULT 0 CHECK (pin_pauses >= 0);
