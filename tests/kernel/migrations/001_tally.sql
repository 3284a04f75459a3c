CREATE TABLE IF NOT EXISTS tallies (
    tally_id    TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL,
    district    TEXT NOT NULL,
    total       INTEGER NOT NULL,
    version     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS received (
    product_id  TEXT PRIMARY KEY,
    messages    INTEGER NOT NULL,
    last_event  UUID NOT NULL
);

CREATE TABLE IF NOT EXISTS stalls (
    stall_id    TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL,
    district    TEXT NOT NULL,
    commune     TEXT NOT NULL,
    stock       INTEGER NOT NULL
);
