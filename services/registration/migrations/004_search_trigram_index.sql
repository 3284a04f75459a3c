-- Search (GET /registrations?q=) matches the folded text anywhere in a registration's `search` key (LIKE '%…%'):
-- without an index that is a scan of every registration (issue 16: 0.5 s at 100,000 products). A trigram index
-- answers it; pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's owner may create it.
-- One extension serves the whole database, so creating it is serialised across schemas migrating at once.
SELECT pg_advisory_xact_lock(hashtext('ocop: create extension pg_trgm'));
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX IF NOT EXISTS registrations_search_trgm_idx ON registrations USING gin (search public.gin_trgm_ops);
