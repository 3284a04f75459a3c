"""Domain events of finance, in the past tense, stored in the service's own event store; one module per aggregate.

``budgets`` (Budget), ``lines`` (BudgetLine), ``rewards`` (ProductRewards), ``support`` (SupportItem),
``products`` (RegisteredProduct), ``tariffs`` (TariffBook).
"""

from services.finance.domain.events.budgets import (
    AmendmentApproved,
    AmendmentProposed,
    AmendmentRejected,
    BudgetAllocated,
    BudgetAppraised,
    BudgetApproved,
    BudgetDrafted,
)
from services.finance.domain.events.lines import (
    LineAmountChanged,
    LineOpened,
    MoneyCommitted,
    MoneyDisbursed,
    MoneyReleased,
    MoneyReserved,
)
from services.finance.domain.events.products import ProductEntered
from services.finance.domain.events.rewards import (
    ClaimApproved,
    ClaimAwaitsBudget,
    ClaimCancelled,
    ClaimOpened,
    ClaimPaid,
    ClaimPutOnHold,
    ClaimReserved,
    HoldReleased,
    RecognitionWithdrawn,
    RecognitionWithoutReward,
    RecoveryOpened,
    RecoveryPaid,
    RecoveryWaived,
)
from services.finance.domain.events.support import SupportApproved, SupportCancelled, SupportPaid, SupportProposed
from services.finance.domain.events.tariffs import TariffTableInstalled

__all__ = [
    "AmendmentApproved", "AmendmentProposed", "AmendmentRejected", "BudgetAllocated", "BudgetAppraised",
    "BudgetApproved", "BudgetDrafted", "ClaimApproved", "ClaimAwaitsBudget", "ClaimCancelled", "ClaimOpened",
    "ClaimPaid", "ClaimPutOnHold", "ClaimReserved", "HoldReleased", "LineAmountChanged", "LineOpened",
    "MoneyCommitted", "MoneyDisbursed", "MoneyReleased", "MoneyReserved", "ProductEntered", "RecognitionWithdrawn",
    "RecognitionWithoutReward", "RecoveryOpened", "RecoveryPaid", "RecoveryWaived", "SupportApproved",
    "SupportCancelled", "SupportPaid", "SupportProposed", "TariffTableInstalled",
]
