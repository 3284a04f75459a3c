-- The certified-product register (sổ theo dõi sản phẩm OCOP), from ProductRegistered, ProductRated and
-- RewardApproved as monitoring heard them. Read models: derived from the event store, rebuilt by
-- `ocop rebuild monitoring`. A product's district comes from register_products and is joined at query time, so an
-- event heard before the product's registration counts in its district as soon as that is heard.

CREATE TABLE IF NOT EXISTS register_products (
    product_id      TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL,
    cycle_year      INTEGER NOT NULL,
    name            TEXT NOT NULL,
    product_set     INTEGER NOT NULL,
    district_code   TEXT NOT NULL,
    commune_code    TEXT NOT NULL,
    producer_id     TEXT NOT NULL,
    producer_name   TEXT NOT NULL,
    noted_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS register_products_district_idx ON register_products (district_code);

-- Every registration sent to the province (a product registered again in a later cycle is another row).
CREATE TABLE IF NOT EXISTS register_registrations (
    product_id      TEXT NOT NULL,
    registration_id TEXT NOT NULL,
    cycle_year      INTEGER NOT NULL,
    district_code   TEXT NOT NULL,
    PRIMARY KEY (product_id, registration_id)
);
CREATE INDEX IF NOT EXISTS register_registrations_year_idx ON register_registrations (cycle_year, district_code);

-- Every ProductRated heard, in order (version of the register entry's stream).
CREATE TABLE IF NOT EXISTS register_ratings (
    product_id      TEXT NOT NULL,
    version         INTEGER NOT NULL,
    evaluation_id   TEXT NOT NULL,
    cycle_year      INTEGER NOT NULL,
    level           TEXT NOT NULL,
    status          TEXT NOT NULL,
    stars           INTEGER NOT NULL,
    decision_number TEXT,
    decision_date   DATE,
    decision_issued_by TEXT,
    certificate_number TEXT,
    certificate_valid_from DATE,
    certificate_valid_until DATE,
    reason          TEXT,
    inspection_id   TEXT,
    noted_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_id, version)
);
CREATE INDEX IF NOT EXISTS register_ratings_year_idx ON register_ratings (cycle_year);

-- The certificate periods `certificates.follow` derives; `last_day` is the period's (domain) last day in force.
CREATE TABLE IF NOT EXISTS register_certificates (
    product_id      TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    number          TEXT NOT NULL,
    stars           INTEGER NOT NULL,
    level           TEXT NOT NULL,
    valid_from      DATE NOT NULL,
    valid_until     DATE NOT NULL,
    ends_on         DATE,
    ended_by        TEXT,
    last_day        DATE NOT NULL,
    PRIMARY KEY (product_id, seq)
);
CREATE INDEX IF NOT EXISTS register_certificates_days_idx ON register_certificates (valid_from, last_day);

CREATE TABLE IF NOT EXISTS register_rewards (
    reward_id       TEXT PRIMARY KEY,
    product_id      TEXT NOT NULL,
    plan_year       INTEGER NOT NULL,
    level           TEXT NOT NULL,
    stars           INTEGER NOT NULL,
    amount_vnd      BIGINT NOT NULL,
    decision_number TEXT NOT NULL,
    decided_on      DATE NOT NULL
);
CREATE INDEX IF NOT EXISTS register_rewards_year_idx ON register_rewards (plan_year);
