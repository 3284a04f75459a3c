-- Audit and operations (issue 11): the timeline and the re-drives are read models of monitoring's own facts
-- (PublicEventObserved; RedriveRequested, RedrivePublished, RedriveFailed), rebuilt by `ocop rebuild monitoring`; the spans are
-- telemetry the services send over OTLP, kept for a few days and never rebuilt.

CREATE TABLE IF NOT EXISTS audit_timeline (
    event_id        UUID        PRIMARY KEY,
    product_id      TEXT        NOT NULL,
    event_type      TEXT        NOT NULL,
    source          TEXT        NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    actor_id        TEXT,
    actor_role      TEXT,
    correlation_id  UUID        NOT NULL,
    causation_id    UUID,
    trace_id        TEXT,
    refs            JSONB       NOT NULL DEFAULT '[]'::jsonb,
    summary         TEXT        NOT NULL,
    observed_at     TIMESTAMPTZ NOT NULL,
    -- The fact's place in monitoring's store: orders events of the same instant the same way live and rebuilt.
    position        BIGINT      NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_timeline_product_idx ON audit_timeline (product_id, occurred_at, position);
CREATE INDEX IF NOT EXISTS audit_timeline_actor_idx ON audit_timeline (actor_id, occurred_at, position)
    WHERE actor_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_timeline_trace_idx ON audit_timeline (trace_id) WHERE trace_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS dead_letter_redrives (
    service             TEXT        NOT NULL,
    dead_letter_id      BIGINT      NOT NULL,
    consumer            TEXT        NOT NULL,
    topic               TEXT        NOT NULL,
    kafka_partition     INTEGER     NOT NULL,
    kafka_offset        BIGINT      NOT NULL,
    event_id            UUID        NOT NULL,
    event_type          TEXT        NOT NULL,
    product_id          TEXT        NOT NULL,
    state               TEXT        NOT NULL,  -- requested | published | failed
    requested_by        TEXT        NOT NULL,  -- the latest request's
    requested_by_role   TEXT        NOT NULL,
    requested_at        TIMESTAMPTZ NOT NULL,
    requests            INTEGER     NOT NULL,
    published_at        TIMESTAMPTZ,
    failed_at           TIMESTAMPTZ,
    failure             TEXT,
    PRIMARY KEY (service, dead_letter_id)
);

CREATE TABLE IF NOT EXISTS trace_spans (
    trace_id        TEXT        NOT NULL,
    span_id         TEXT        NOT NULL,
    parent_span_id  TEXT,
    service         TEXT        NOT NULL,
    name            TEXT        NOT NULL,
    kind            TEXT        NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    ended_at        TIMESTAMPTZ NOT NULL,
    duration_ms     DOUBLE PRECISION NOT NULL,
    status          TEXT        NOT NULL,
    status_message  TEXT,
    attributes      JSONB       NOT NULL DEFAULT '{}'::jsonb,
    received_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- An exporter that retries a batch sends the same spans again.
    PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS trace_spans_received_idx ON trace_spans (received_at);
