-- Read models of registration; all derived from the event store and rebuilt by `ocop rebuild registration`.

CREATE TABLE IF NOT EXISTS producers (
    producer_id     TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    legal_form      TEXT NOT NULL,
    district_code   TEXT NOT NULL,
    commune_code    TEXT NOT NULL,
    business_registration_number TEXT,
    search          TEXT NOT NULL,
    registered_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS registrations (
    registration_id TEXT PRIMARY KEY,
    product_id      TEXT NOT NULL,
    cycle_year      INTEGER NOT NULL,
    form            TEXT NOT NULL,
    producer_id     TEXT NOT NULL,
    producer_name   TEXT NOT NULL,
    legal_form      TEXT NOT NULL,
    product         JSONB NOT NULL,
    district_code   TEXT NOT NULL,
    commune_code    TEXT NOT NULL,
    status          TEXT NOT NULL,
    return_reasons  JSONB NOT NULL DEFAULT '[]'::jsonb,
    rejection_reason TEXT,
    list_id         TEXT,
    search          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    submitted_at    TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS registrations_district_idx ON registrations (district_code, cycle_year, status);
CREATE INDEX IF NOT EXISTS registrations_producer_idx ON registrations (producer_id);
CREATE INDEX IF NOT EXISTS registrations_product_idx ON registrations (product_id);

CREATE TABLE IF NOT EXISTS district_lists (
    list_id         TEXT PRIMARY KEY,
    district_code   TEXT NOT NULL,
    cycle_year      INTEGER NOT NULL,
    registration_ids JSONB NOT NULL,
    product_ids     JSONB NOT NULL,
    sent_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS product_views (
    product_id      TEXT PRIMARY KEY,
    stars           INTEGER,
    rating_status   TEXT,
    level           TEXT,
    average_score   NUMERIC(5, 2),
    certificate     JSONB,
    decision        JSONB,
    rated_at        TEXT,
    ratings         INTEGER NOT NULL DEFAULT 0,
    failed_inspections JSONB NOT NULL DEFAULT '[]'::jsonb
);
