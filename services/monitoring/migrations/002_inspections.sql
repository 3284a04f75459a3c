-- Inspection plans (kế hoạch kiểm tra), inspection records (biên bản kiểm tra) and the follow-up of failures.

CREATE TABLE IF NOT EXISTS inspection_plans (
    plan_id         TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    planner_kind    TEXT NOT NULL,
    planner_name    TEXT NOT NULL,
    planner_code    TEXT,
    title           TEXT NOT NULL,
    planned_on      DATE NOT NULL,
    due_on          DATE NOT NULL,
    planned_by      JSONB,
    planned_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS inspection_plans_due_idx ON inspection_plans (due_on);

CREATE TABLE IF NOT EXISTS plan_products (
    plan_id         TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    position        INTEGER NOT NULL,
    inspection_id   TEXT,
    inspected_on    DATE,
    passed          BOOLEAN,
    dropped_on      DATE,
    drop_reason     TEXT,
    PRIMARY KEY (plan_id, product_id)
);
CREATE INDEX IF NOT EXISTS plan_products_product_idx ON plan_products (product_id);

CREATE TABLE IF NOT EXISTS inspections (
    inspection_id   TEXT PRIMARY KEY,
    product_id      TEXT NOT NULL,
    plan_id         TEXT,
    certificate_number TEXT NOT NULL,
    inspected_on    DATE NOT NULL,
    body_kind       TEXT NOT NULL,
    body_name       TEXT NOT NULL,
    body_code       TEXT,
    inspectors      TEXT[] NOT NULL,
    findings        JSONB NOT NULL,
    severity        TEXT NOT NULL,
    result          TEXT NOT NULL,          -- passed | failed
    recommended_action TEXT,
    correlation_id  TEXT,
    closed_outcome  TEXT,
    closed_on       DATE,
    closed_evaluation_id TEXT,
    closed_stars    INTEGER,
    closed_decision_number TEXT,
    closed_reason   TEXT,
    recorded_by     JSONB,
    recorded_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS inspections_product_idx ON inspections (product_id, inspected_on);
CREATE INDEX IF NOT EXISTS inspections_plan_idx ON inspections (plan_id);
CREATE INDEX IF NOT EXISTS inspections_open_idx ON inspections (product_id) WHERE result = 'failed' AND closed_on IS NULL;
