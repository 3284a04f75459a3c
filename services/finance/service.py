"""The finance service (tài chính OCOP): budgets and their lines, reward tariffs, reward claims and RewardApproved,
disbursements, holds and recoveries, support items."""

from pathlib import Path

from services.finance.adapters.projection import FinanceProjection
from services.finance.application.translators import PUBLISHER
from services.finance.bootstrap import bootstrap
from services.finance.entrypoints.schedule import start_schedule
from services.finance.domain.budget import Budget
from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.errors import (
    AbovePermitted,
    AlreadyExists,
    FinanceError,
    InsufficientFunds,
    InvalidAmount,
    NotAllowed,
    OutOfOrder,
    PeriodsOutOfOrder,
    TariffError,
    Unknown,
)
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.products import RegisteredProduct
from services.finance.domain.support import SupportItem
from services.finance.domain.tariff_book import TariffBook
from services.finance.entrypoints import api, api_rewards, api_support
from services.finance.entrypoints.subscribers import SUBSCRIPTIONS
from shared.events import EventRegistry
from shared.runtime import ServiceDefinition

definition = ServiceDefinition(
    name="finance",
    events=EventRegistry.of(Budget, BudgetLine, ProductRewards, SupportItem, RegisteredProduct, TariffBook),
    migrations=Path(__file__).parent / "migrations",
    projections=lambda: (FinanceProjection(),),
    subscriptions=SUBSCRIPTIONS,
    routers=(api.router, api_rewards.router, api_support.router),
    errors={
        InvalidAmount: (422, "invalid_amount"),
        TariffError: (422, "invalid_tariffs"),
        PeriodsOutOfOrder: (409, "out_of_order"),
        AbovePermitted: (409, "above_permitted"),
        OutOfOrder: (409, "out_of_order"),
        InsufficientFunds: (409, "insufficient_funds"),
        NotAllowed: (409, "not_allowed"),
        AlreadyExists: (409, "already_exists"),
        Unknown: (404, "unknown"),
        FinanceError: (422, "invalid_input"),
    },
    bootstrap=bootstrap,
    on_start=start_schedule,
    publishers=(PUBLISHER,),
)
