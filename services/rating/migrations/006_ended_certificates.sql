-- Certificates that ended (expired, revoked, superseded, withdrawn) are listed with the reason and the date: the first
-- day a held certificate lapses (certificates.expired_from), the decision that ended it, the certificate that
-- superseded it and the reason given. Derived: `ocop rebuild rating` fills the new columns of older rows; the first
-- one is backfilled here so an unreported expiry is listed before any rebuild (the day after the last valid day,
-- as expired_from gives it).

ALTER TABLE certificates
    ADD COLUMN IF NOT EXISTS lapses_on DATE,
    ADD COLUMN IF NOT EXISTS ended_by JSONB,
    ADD COLUMN IF NOT EXISTS superseded_by TEXT,
    ADD COLUMN IF NOT EXISTS end_note TEXT;
UPDATE certificates SET lapses_on = valid_until + 1 WHERE lapses_on IS NULL;
CREATE INDEX IF NOT EXISTS certificates_ended_idx ON certificates (ended_on);
CREATE INDEX IF NOT EXISTS certificates_lapses_idx ON certificates (lapses_on);
