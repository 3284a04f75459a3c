-- GET /register?district_code=… filtered on the joined product's district: with no index across the two tables,
-- PostgreSQL walked the certificates in force in page order and looked up each one's product until 50 were of the
-- district (1.7 s for a district of 12,500 products at 100,000 products, issue 16). A certificate period now carries
-- its product's district and product set (NULL until the product's ProductNoted is heard, as the join gave no row
-- then), kept by the projection, so an index gives the district's page and its count.
ALTER TABLE register_certificates ADD COLUMN IF NOT EXISTS district_code TEXT;
ALTER TABLE register_certificates ADD COLUMN IF NOT EXISTS product_set INTEGER;
UPDATE register_certificates c SET district_code = p.district_code, product_set = p.product_set
    FROM register_products p WHERE p.product_id = c.product_id;
CREATE INDEX IF NOT EXISTS register_certificates_district_order_idx
    ON register_certificates (district_code, last_day, product_id) INCLUDE (valid_from);
CREATE INDEX IF NOT EXISTS register_certificates_district_days_idx
    ON register_certificates (district_code, valid_from, last_day);
