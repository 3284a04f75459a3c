-- Read models of finance; all derived from the event store and rebuilt by `ocop rebuild finance`.
-- Money is BIGINT đồng; dates are civil dates (Asia/Ho_Chi_Minh).

-- Where each product is and whose it is (from ProductRegistered): rewards by district, printed names.
CREATE TABLE IF NOT EXISTS products (
    product_id      TEXT PRIMARY KEY,
    product_name    TEXT NOT NULL,
    producer_id     TEXT NOT NULL,
    producer_name   TEXT NOT NULL,
    district_code   TEXT NOT NULL,
    commune_code    TEXT NOT NULL,
    cycle_year      INTEGER NOT NULL,
    registration_id TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS budgets (
    plan_year         INTEGER PRIMARY KEY,
    status            TEXT NOT NULL,
    version           INTEGER NOT NULL,        -- the approved version in force (0 before approval)
    sources           JSONB NOT NULL,
    drafted_by        TEXT NOT NULL,
    drafted_on        DATE NOT NULL,
    appraised_by      TEXT,
    appraised_on      DATE,
    decision          JSONB,                   -- the decision of the version in force
    allocated_by      TEXT,
    allocated_on      DATE,
    pending_amendment INTEGER,
    updated_at        TIMESTAMPTZ NOT NULL
);

-- Every amount a budget step set, dated: the estimate (drafted, appraised) and the approved amounts (approval,
-- amendments); execution "as of" a date takes the latest of each kind on or before it.
CREATE TABLE IF NOT EXISTS budget_amounts (
    position   BIGINT NOT NULL,
    plan_year  INTEGER NOT NULL,
    line       TEXT NOT NULL,
    source     TEXT NOT NULL,
    kind       TEXT NOT NULL,                  -- estimate | approved
    amount     BIGINT NOT NULL,
    on_date    DATE NOT NULL,
    step       TEXT NOT NULL,
    PRIMARY KEY (position, line, source, kind)
);
CREATE INDEX IF NOT EXISTS budget_amounts_year_idx ON budget_amounts (plan_year, on_date);

CREATE TABLE IF NOT EXISTS budget_amendments (
    plan_year   INTEGER NOT NULL,
    amendment   INTEGER NOT NULL,
    status      TEXT NOT NULL,                 -- pending | approved | rejected
    changes     JSONB NOT NULL,
    new_sources JSONB NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_on DATE NOT NULL,
    version     INTEGER,
    decision    JSONB,
    reason      TEXT,
    rejected_by TEXT,
    decided_on  DATE,
    PRIMARY KEY (plan_year, amendment)
);

CREATE TABLE IF NOT EXISTS budget_lines (
    line_id        TEXT PRIMARY KEY,
    plan_year      INTEGER NOT NULL,
    line           TEXT NOT NULL,
    source         TEXT NOT NULL,
    approved       BIGINT NOT NULL,
    reserved       BIGINT NOT NULL DEFAULT 0,
    committed      BIGINT NOT NULL DEFAULT 0,
    disbursed      BIGINT NOT NULL DEFAULT 0,
    budget_version INTEGER NOT NULL,
    funded_on      DATE NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

-- One row per movement of money on a line, with the civil date it counts from.
CREATE TABLE IF NOT EXISTS line_movements (
    position  BIGINT PRIMARY KEY,
    line_id   TEXT NOT NULL,
    plan_year INTEGER NOT NULL,
    line      TEXT NOT NULL,
    source    TEXT NOT NULL,
    holder    TEXT NOT NULL,                   -- a claim id or a support item's stream id
    kind      TEXT NOT NULL,                   -- reserved | committed | disbursed | released
    on_date   DATE NOT NULL,
    reserved  BIGINT NOT NULL,
    committed BIGINT NOT NULL,
    disbursed BIGINT NOT NULL,
    voucher   TEXT
);
CREATE INDEX IF NOT EXISTS line_movements_year_idx ON line_movements (plan_year, on_date);

-- Every recognition finance heard, with the claim it opened (or the rule that gave it nothing).
CREATE TABLE IF NOT EXISTS recognitions (
    position        BIGINT PRIMARY KEY,
    product_id      TEXT NOT NULL,
    evaluation_id   TEXT NOT NULL,
    level           TEXT NOT NULL,
    stars           INTEGER NOT NULL,
    cycle_year      INTEGER NOT NULL,
    district_code   TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date   DATE NOT NULL,
    issued_by       TEXT NOT NULL,
    claim_id        TEXT,
    amount          BIGINT NOT NULL,
    rule            TEXT NOT NULL,
    flags           TEXT[] NOT NULL
);
CREATE INDEX IF NOT EXISTS recognitions_decision_idx ON recognitions (decision_number);

CREATE TABLE IF NOT EXISTS claims (
    claim_id            TEXT PRIMARY KEY,
    product_id          TEXT NOT NULL,
    opened_position     BIGINT NOT NULL,
    evaluation_id       TEXT NOT NULL,
    level               TEXT NOT NULL,
    stars               INTEGER NOT NULL,
    cycle_year          INTEGER NOT NULL,
    district_code       TEXT NOT NULL,             -- as known when opened ('' if not yet); queries prefer products'
    certificate_number  TEXT,
    decision_number     TEXT NOT NULL,             -- the recognition decision
    decision_date       DATE NOT NULL,
    decision_issued_by  TEXT NOT NULL,
    amount              BIGINT NOT NULL,
    rule                TEXT NOT NULL,
    flags               TEXT[] NOT NULL,
    tariff              JSONB NOT NULL,
    plan_year           INTEGER NOT NULL,
    line                TEXT NOT NULL,
    source              TEXT NOT NULL,
    status              TEXT NOT NULL,
    requested           BIGINT,                    -- the last shortfall: what the line was asked, what it had
    available           BIGINT,
    approval_decision   JSONB,
    approved_on         DATE,
    approved_by         TEXT,
    paid                BIGINT NOT NULL DEFAULT 0,
    recovered           BIGINT NOT NULL DEFAULT 0,
    held_from           TEXT,
    hold_reason         TEXT,
    hold_decision       JSONB,
    hold_outcome        JSONB,                     -- the release or cancellation: decision, by whom, why
    opened_at           TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS claims_status_idx ON claims (status, plan_year, line, source, opened_position);
CREATE INDEX IF NOT EXISTS claims_product_idx ON claims (product_id);
CREATE INDEX IF NOT EXISTS claims_decision_idx ON claims (decision_number);

CREATE TABLE IF NOT EXISTS recoveries (
    recovery_id TEXT PRIMARY KEY,
    claim_id    TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    recovered   BIGINT NOT NULL DEFAULT 0,
    status      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    decision    JSONB,
    waiver      JSONB,
    opened_at   TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS support_items (
    item_id      TEXT PRIMARY KEY,
    plan_item    TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    plan_year    INTEGER NOT NULL,
    line         TEXT NOT NULL,
    source       TEXT NOT NULL,
    product_id   TEXT NOT NULL,
    producer_id  TEXT NOT NULL,
    status       TEXT NOT NULL,
    paid         BIGINT NOT NULL DEFAULT 0,
    proposed_by  TEXT NOT NULL,
    proposed_on  DATE NOT NULL,
    decision     JSONB,
    approved_by  TEXT,
    approved_on  DATE,
    cancel_reason TEXT,
    cancelled_on DATE,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS support_items_product_idx ON support_items (product_id);

-- A product's money history: one line per fact of its rewards and support items, in order.
CREATE TABLE IF NOT EXISTS money_history (
    position    BIGINT PRIMARY KEY,
    product_id  TEXT NOT NULL,
    stream_id   TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    reference   TEXT,                          -- the claim, recovery or support item the fact is about
    amount      BIGINT,
    on_date     DATE,
    summary     TEXT NOT NULL,
    actor       JSONB,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS money_history_product_idx ON money_history (product_id, position);
