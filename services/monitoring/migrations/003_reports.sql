-- District reports as filed (báo cáo 6 tháng / năm). Which are expected, and whether each is on time, late or
-- missing, is not stored: the domain reads it from the filing, the due date and the policy, as of any date.

CREATE TABLE IF NOT EXISTS district_reports (
    report_id       TEXT PRIMARY KEY,
    plan_year       INTEGER NOT NULL,
    district_code   TEXT NOT NULL,
    kind            TEXT NOT NULL,
    filed_on        DATE NOT NULL,
    first_document_ref TEXT NOT NULL,
    document_ref    TEXT NOT NULL,
    amendments      INTEGER NOT NULL DEFAULT 0,
    last_amended_on DATE,
    filed_by        JSONB,
    filed_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS district_reports_year_idx ON district_reports (plan_year, district_code);
