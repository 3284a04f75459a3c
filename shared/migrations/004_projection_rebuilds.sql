-- A projection rebuilt beside its live tables (shared/rebuild.py) checkpoints here, in the transaction that writes
-- each batch of rows into the beside tables, so an interrupted rebuild resumes where it stopped. Projections rebuilt
-- together share a build id and a position; the row is deleted by the swap that puts the rebuilt tables in service.
CREATE TABLE IF NOT EXISTS projection_rebuilds (
    projection  TEXT        PRIMARY KEY,
    build_id    UUID        NOT NULL,
    scratch     TEXT        NOT NULL,           -- the schema holding the beside tables
    shape       TEXT        NOT NULL,           -- fingerprint of the live tables' definitions when the build began
    unlogged    BOOLEAN     NOT NULL,           -- beside tables are UNLOGGED until just before the swap
    position    BIGINT      NOT NULL DEFAULT 0, -- every event up to here is applied, but the holes
    holes       BIGINT[]    NOT NULL DEFAULT '{}', -- positions below it not visible when read (uncommitted or rolled back)
    settled     BIGINT      NOT NULL DEFAULT 0, -- holes up to here had no writer left running: not visible next time, gone
    applied     BIGINT      NOT NULL DEFAULT 0, -- events applied so far
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
