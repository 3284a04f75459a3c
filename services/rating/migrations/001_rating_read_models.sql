-- Read models of rating; all derived from the event store and rebuilt by `ocop rebuild rating`.

CREATE TABLE IF NOT EXISTS dossiers (
    product_id      TEXT PRIMARY KEY,
    product_name    TEXT NOT NULL,
    product_set     INTEGER NOT NULL,
    sector          TEXT NOT NULL,
    product_group   TEXT NOT NULL,
    producer_id     TEXT NOT NULL,
    producer_name   TEXT NOT NULL,
    legal_form      TEXT NOT NULL,
    district_code   TEXT NOT NULL,
    commune_code    TEXT NOT NULL,
    cycle_year      INTEGER NOT NULL,
    first_registration_id  TEXT NOT NULL,
    latest_registration_id TEXT NOT NULL,
    registrations   INTEGER NOT NULL,
    sheet_id        TEXT NOT NULL,
    sheet_provisional BOOLEAN NOT NULL,
    status          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    opened_at       TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS dossiers_district_idx ON dossiers (district_code, cycle_year);
CREATE INDEX IF NOT EXISTS dossiers_product_set_idx ON dossiers (product_set, cycle_year);
