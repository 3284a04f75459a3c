-- A poison record reaches the dead-letter topic once, even when its partition is replayed from offset 0.
-- The row (unique per consumer, topic, partition and offset since 001) is written before the record is published,
-- published_at after: a row without it was interrupted before or during publishing, and the redelivered record
-- publishes it; a row with it is a replay, and nothing is published again.
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS published_at TIMESTAMPTZ;
-- Rows written before were published first, then recorded.
UPDATE dead_letters SET published_at = failed_at WHERE published_at IS NULL;
