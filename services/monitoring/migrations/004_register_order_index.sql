-- The register lists certificates in force on a day by their last day (GET /register): read in that order from the
-- day on, the page needs no sort of every certificate in force (issue 16: a page of 50 must not cost more at 100,000
-- products than at 10,000).
CREATE INDEX IF NOT EXISTS register_certificates_order_idx ON register_certificates (last_day, product_id);
