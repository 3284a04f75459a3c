-- Councils, sessions, scorecards, outcomes and certificates; all derived from the event store
-- (`ocop rebuild rating` drops and replays them).

ALTER TABLE dossiers
    ADD COLUMN IF NOT EXISTS stage TEXT,
    ADD COLUMN IF NOT EXISTS session_id TEXT,
    ADD COLUMN IF NOT EXISTS stars INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS certificate_number TEXT,
    ADD COLUMN IF NOT EXISTS under_review_inspection TEXT;
UPDATE dossiers SET stage = 'district' WHERE stage IS NULL AND status = 'awaiting_council';
CREATE INDEX IF NOT EXISTS dossiers_status_idx ON dossiers (status, stage);

CREATE TABLE IF NOT EXISTS dossier_history (
    product_id   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    event_type   TEXT NOT NULL,
    data         JSONB NOT NULL,
    actor        JSONB,
    recorded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_id, version)
);

CREATE TABLE IF NOT EXISTS councils (
    council_id    TEXT PRIMARY KEY,
    level         TEXT NOT NULL,
    district_code TEXT,
    name          TEXT NOT NULL,
    members       JSONB NOT NULL,
    version       INTEGER NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
    session_id    TEXT PRIMARY KEY,
    council_id    TEXT NOT NULL,
    level         TEXT NOT NULL,
    district_code TEXT,
    cycle_year    INTEGER NOT NULL,
    round         INTEGER NOT NULL,
    title         TEXT NOT NULL,
    held_on       DATE NOT NULL,
    chair_id      TEXT NOT NULL,
    members       JSONB NOT NULL,
    status        TEXT NOT NULL,           -- open | finalised | decided
    products      INTEGER NOT NULL DEFAULT 0,
    finalised_on  DATE,
    decision      JSONB,
    version       INTEGER NOT NULL,
    opened_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_level_idx ON sessions (level, cycle_year, round);

CREATE TABLE IF NOT EXISTS session_products (
    session_id     TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    evaluation_id  TEXT NOT NULL,
    product_name   TEXT NOT NULL,
    product_set    INTEGER NOT NULL,
    district_code  TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    held_stars     INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    scorecards     INTEGER NOT NULL DEFAULT 0,
    mean           TEXT,
    average_score  NUMERIC(5, 2),
    band_stars     INTEGER,
    stars          INTEGER,
    spread         INTEGER,
    totals         JSONB,
    unmet_minimums JSONB,
    outcome        TEXT,
    outcome_stars  INTEGER,
    certificate_number TEXT,
    PRIMARY KEY (session_id, product_id)
);
CREATE INDEX IF NOT EXISTS session_products_product_idx ON session_products (product_id);

CREATE TABLE IF NOT EXISTS scorecards (
    session_id   TEXT NOT NULL,
    product_id   TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    choices      JSONB NOT NULL,
    total        INTEGER NOT NULL,
    note         TEXT,
    actor        JSONB,
    submitted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, product_id, member_id, version)
);
CREATE INDEX IF NOT EXISTS scorecards_product_idx ON scorecards (product_id);

CREATE TABLE IF NOT EXISTS certificates (
    number         TEXT PRIMARY KEY,
    product_id     TEXT NOT NULL,
    product_name   TEXT NOT NULL,
    district_code  TEXT NOT NULL,
    product_set    INTEGER NOT NULL,
    stars          INTEGER NOT NULL,
    level          TEXT NOT NULL,
    valid_from     DATE NOT NULL,
    valid_until    DATE NOT NULL,
    evaluation_id  TEXT NOT NULL,
    average_score  NUMERIC(5, 2) NOT NULL,
    decision       JSONB NOT NULL,
    status         TEXT NOT NULL,          -- valid | superseded | withdrawn | revoked | expired
    ended_on       DATE,                   -- first day it no longer holds (null while held)
    under_review_inspection TEXT
);
CREATE INDEX IF NOT EXISTS certificates_validity_idx ON certificates (valid_from, valid_until);
CREATE INDEX IF NOT EXISTS certificates_product_idx ON certificates (product_id);
