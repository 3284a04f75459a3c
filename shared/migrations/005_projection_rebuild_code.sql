-- The fingerprint of the code that wrote a build's rows (shared/rebuild.py): a build interrupted before a release is
-- started over after it instead of resumed, so no table holds rows of two versions of a writer.
ALTER TABLE projection_rebuilds ADD COLUMN IF NOT EXISTS code TEXT NOT NULL DEFAULT '';
