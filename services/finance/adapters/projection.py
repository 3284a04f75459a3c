"""Finance's read models (written with the events, rebuilt by ``ocop rebuild finance``): budgets and their lines
(``budget_projection``), products, claims, recoveries, support items and money histories (``reward_projection``)."""

from __future__ import annotations

from services.finance.adapters import budget_projection, reward_projection
from shared.projections import EventWriters


class FinanceProjection(EventWriters):
    name = "finance"
    tables = ("products", "budgets", "budget_amounts", "budget_amendments", "budget_lines", "line_movements",
              "recognitions", "claims", "recoveries", "support_items", "money_history")
    writers = {**budget_projection.WRITERS, **reward_projection.WRITERS}
