-- Issue 16, at 100,000 products (a page of 50 must not cost more than at 10,000):
-- GET /dossiers/counts counts a cycle's dossiers by district and status: read from this index alone (index-only
-- scan, in group order) instead of every dossier row.
CREATE INDEX IF NOT EXISTS dossiers_counts_idx ON dossiers (cycle_year, district_code, status);
-- GET /certificates?as_of counts the certificates held on a day: the validity dates and the end day in one index
-- (index-only), for all districts and for one; the first replaces the index on the two dates alone.
CREATE INDEX IF NOT EXISTS certificates_held_idx ON certificates (valid_from, valid_until) INCLUDE (ended_on);
DROP INDEX IF EXISTS certificates_validity_idx;
CREATE INDEX IF NOT EXISTS certificates_district_held_idx
    ON certificates (district_code, valid_from, valid_until) INCLUDE (ended_on);
-- Its page is chosen from the list order's index, which now also holds the dates: certificates that ended or lapsed
-- are skipped in the index (thousands of them before the page at 100,000 products) rather than read from the table.
-- These replace migration 007's two certificate order indexes.
CREATE INDEX IF NOT EXISTS certificates_order_held_idx
    ON certificates (stars DESC, district_code, product_name, number) INCLUDE (valid_from, valid_until, ended_on);
CREATE INDEX IF NOT EXISTS certificates_district_order_held_idx
    ON certificates (district_code, stars DESC, product_name, number) INCLUDE (valid_from, valid_until, ended_on);
DROP INDEX IF EXISTS certificates_order_idx;
DROP INDEX IF EXISTS certificates_district_order_idx;
