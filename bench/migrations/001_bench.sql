-- Read model written by the benchmark's consumer: one row per product, counting the events seen.
CREATE TABLE IF NOT EXISTS bench_seen (
    product_id  TEXT PRIMARY KEY,
    messages    INTEGER     NOT NULL,
    last_event  UUID        NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
