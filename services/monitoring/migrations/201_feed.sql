-- The HTTP event feed (issue 14). `feed_log` is a promise to subscribers, not a read model: a position once given
-- must keep naming the same event, so `ocop rebuild monitoring` leaves it (and its counter, its product districts
-- and the read audit) alone. `feed_keys` is the read model of the FeedSubscription facts and is rebuilt as any other.

CREATE TABLE IF NOT EXISTS feed_log (
    position     BIGINT      PRIMARY KEY,
    event_id     UUID        NOT NULL UNIQUE,
    event_type   TEXT        NOT NULL,
    product_id   TEXT        NOT NULL,
    -- The product's district-level unit, when monitoring knew it at append (or learnt it from the product's
    -- ProductRegistered later): the `district` filter reads it.
    district     TEXT,
    occurred_at  TIMESTAMPTZ NOT NULL,
    appended_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The envelope exactly as published (the Kafka message value), served as the CloudEvent's `data`.
    envelope     TEXT        NOT NULL
);
CREATE INDEX IF NOT EXISTS feed_log_type_idx ON feed_log (event_type, position);
CREATE INDEX IF NOT EXISTS feed_log_product_idx ON feed_log (product_id, position);
CREATE INDEX IF NOT EXISTS feed_log_district_idx ON feed_log (district, position);
CREATE INDEX IF NOT EXISTS feed_log_occurred_idx ON feed_log (occurred_at);

-- One row: the last position given. Its row lock, taken by an appending transaction and held until it commits,
-- makes positions visible strictly in order.
CREATE TABLE IF NOT EXISTS feed_counter (
    singleton    BOOLEAN     PRIMARY KEY DEFAULT true CHECK (singleton),
    last         BIGINT      NOT NULL
);
INSERT INTO feed_counter (singleton, last) VALUES (true, 0) ON CONFLICT DO NOTHING;

-- Where each product is, from its ProductRegistered as the feed heard it.
CREATE TABLE IF NOT EXISTS feed_districts (
    product_id   TEXT        PRIMARY KEY,
    district     TEXT        NOT NULL
);

CREATE TABLE IF NOT EXISTS feed_keys (
    key_id           TEXT        PRIMARY KEY,
    organisation     TEXT        NOT NULL,
    event_types      TEXT[]      NOT NULL,
    rate_per_minute  INTEGER     NOT NULL,
    secret_hash      TEXT        NOT NULL,
    issued_by        TEXT        NOT NULL,
    issued_at        TIMESTAMPTZ NOT NULL,
    revoked_by       TEXT,
    revoked_at       TIMESTAMPTZ
);

-- Every successful read: telemetry, written per request (not facts of the store, so not rebuilt).
CREATE TABLE IF NOT EXISTS feed_reads (
    id            BIGSERIAL   PRIMARY KEY,
    key_id        TEXT        NOT NULL,
    organisation  TEXT        NOT NULL,
    after         BIGINT      NOT NULL,
    returned      INTEGER     NOT NULL,
    last_position BIGINT      NOT NULL,
    filters       JSONB       NOT NULL,
    at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS feed_reads_key_idx ON feed_reads (key_id, id);
