-- Dossiers are listed in the order they were opened and certificates held on a day by star, district and name, a page
-- at a time (GET /dossiers, GET /certificates): these indexes give the page without sorting every match (issue 16:
-- a page of 50 must not cost more at 100,000 products than at 10,000).
CREATE INDEX IF NOT EXISTS dossiers_district_order_idx ON dossiers (district_code, opened_at, product_id);
CREATE INDEX IF NOT EXISTS dossiers_order_idx ON dossiers (opened_at, product_id);
CREATE INDEX IF NOT EXISTS certificates_order_idx ON certificates (stars DESC, district_code, product_name, number);
CREATE INDEX IF NOT EXISTS certificates_district_order_idx ON certificates (district_code, stars DESC, product_name, number);
