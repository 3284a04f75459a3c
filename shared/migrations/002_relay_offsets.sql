-- Per partition, the first offset of the newest batch the broker acknowledged for the relay's sends. A partition
-- whose end offset is not above it has lost that batch, even when the cluster id stayed the same (a configured
-- CLUSTER_ID with a lost volume), so the relay publishes again from the store. Cleared when that happens.
CREATE TABLE IF NOT EXISTS relay_offsets (
    topic           TEXT    NOT NULL,
    kafka_partition INTEGER NOT NULL,
    acked_offset    BIGINT  NOT NULL,
    PRIMARY KEY (topic, kafka_partition)
);
