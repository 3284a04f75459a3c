-- Decisions (quyết định) of the province and the centre, and what each did to every product it covers; derived from
-- the event store (`ocop rebuild rating` fills them for decisions recorded before this migration).

CREATE TABLE IF NOT EXISTS decisions (
    decision_id   TEXT PRIMARY KEY,        -- decision:<body>:<year>:<number> (older round decisions: decision:<year>:<number>)
    number        TEXT NOT NULL,
    year          INTEGER NOT NULL,
    body          TEXT NOT NULL,           -- province | centre
    kind          TEXT NOT NULL,           -- recognition | revocation | re_rating | warning
    date          DATE NOT NULL,
    issued_by     TEXT NOT NULL,
    session_id    TEXT,
    products      INTEGER NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_number_idx ON decisions (number, year);
CREATE INDEX IF NOT EXISTS decisions_year_idx ON decisions (year, kind);

CREATE TABLE IF NOT EXISTS decision_products (
    decision_id        TEXT NOT NULL,
    position           INTEGER NOT NULL,
    product_id         TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    stars              INTEGER NOT NULL,
    certificate_number TEXT,
    issued             BOOLEAN NOT NULL,
    inspection_id      TEXT,
    reason             TEXT,
    PRIMARY KEY (decision_id, product_id)
);
CREATE INDEX IF NOT EXISTS decision_products_product_idx ON decision_products (product_id);
