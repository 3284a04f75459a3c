-- Kernel tables every service has in its own schema: event store, outbox, inbox, relay state, dead letters.

CREATE TABLE IF NOT EXISTS events (
    position        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id       TEXT        NOT NULL,
    stream_type     TEXT        NOT NULL,
    version         INTEGER     NOT NULL CHECK (version > 0),
    event_id        UUID        NOT NULL UNIQUE,
    event_type      TEXT        NOT NULL,
    schema_version  INTEGER     NOT NULL DEFAULT 1,
    data            JSONB       NOT NULL,
    metadata        JSONB       NOT NULL DEFAULT '{}'::jsonb,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Optimistic concurrency: two writers of the same version cannot both commit.
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
);

CREATE TABLE IF NOT EXISTS outbox (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      UUID        NOT NULL UNIQUE,
    topic         TEXT        NOT NULL,
    message_key   TEXT        NOT NULL,
    payload       BYTEA       NOT NULL,
    headers       JSONB       NOT NULL DEFAULT '[]'::jsonb,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at  TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE IF NOT EXISTS inbox (
    consumer      TEXT        NOT NULL,
    event_id      UUID        NOT NULL,
    topic         TEXT        NOT NULL,
    kafka_partition INTEGER   NOT NULL,
    kafka_offset  BIGINT      NOT NULL,
    processed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

CREATE TABLE IF NOT EXISTS relay_state (
    singleton   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    cluster_id  TEXT,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS dead_letters (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer        TEXT        NOT NULL,
    topic           TEXT        NOT NULL,
    kafka_partition INTEGER     NOT NULL,
    kafka_offset    BIGINT      NOT NULL,
    message_key     BYTEA,
    payload         BYTEA,
    error           TEXT        NOT NULL,
    attempts        INTEGER     NOT NULL,
    failed_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (consumer, topic, kafka_partition, kafka_offset)
);
