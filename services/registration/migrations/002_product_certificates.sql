-- Which product each certificate was issued to, so a form 02 can name its product by a certificate number.
-- Filled from the product files' RatingRecorded facts (also those stored before this table existed).

CREATE TABLE IF NOT EXISTS product_certificates (
    certificate_number TEXT PRIMARY KEY,
    product_id         TEXT NOT NULL
);

INSERT INTO product_certificates (certificate_number, product_id)
SELECT data->'certificate'->>'number', stream_id FROM events
 WHERE stream_type = 'product-file' AND event_type = 'RatingRecorded' AND jsonb_typeof(data->'certificate') = 'object'
 ORDER BY position
ON CONFLICT DO NOTHING;
