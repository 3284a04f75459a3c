-- The register's page (GET /register) shows each listed certificate's failed inspections, asked for by certificate
-- number (queries.failures): without an index that was a scan of every inspection per page (issue 16: 44 ms of a
-- page's 53 ms at 100,000 products, 37,500 inspections).
CREATE INDEX IF NOT EXISTS inspections_certificate_idx ON inspections (certificate_number);
