-- Issue 16: lists and totals must not cost more at 100,000 products than at 10,000.
-- A district's claims (GET /claims?district_code=, /recoveries, /rewards/totals): each half of the district filter
-- (shared by queries.in_district) is an index lookup, and a page of the claims comes in their opening order.
CREATE INDEX IF NOT EXISTS claims_district_order_idx ON claims (district_code, opened_position);
CREATE INDEX IF NOT EXISTS products_district_idx ON products (district_code);
-- A product's recoveries (GET /products/{id}/money).
CREATE INDEX IF NOT EXISTS recoveries_product_idx ON recoveries (product_id);
