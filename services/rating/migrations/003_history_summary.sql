-- The rating history answers with a documented shape (the dossier's status after each event and a summary line),
-- never with stored event payloads. Read models are derived: `ocop rebuild rating` fills the new columns of rows
-- written before this migration.

ALTER TABLE dossier_history
    ADD COLUMN IF NOT EXISTS status TEXT,
    ADD COLUMN IF NOT EXISTS summary TEXT;
ALTER TABLE dossier_history DROP COLUMN IF EXISTS data;
