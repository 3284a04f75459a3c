-- Lists of registrations are read in submission order, a page at a time (GET /registrations, by district or not):
-- these indexes give the page without sorting every match (issue 16: a page of 50 must not cost more at 100,000
-- products than at 10,000).
CREATE INDEX IF NOT EXISTS registrations_district_order_idx ON registrations (district_code, submitted_at, registration_id);
CREATE INDEX IF NOT EXISTS registrations_order_idx ON registrations (submitted_at, registration_id);
