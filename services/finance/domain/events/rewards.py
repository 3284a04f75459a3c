"""Events of a product's rewards (khen thưởng sản phẩm OCOP): claims, their budget, approval, payment, holds and
recoveries. Stored on the product's ``ProductRewards`` stream."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.finance.domain.recognitions import Recognition, Withdrawal
from services.finance.domain.tariffs import TariffRef
from services.finance.domain.values import Decision, LineRef, Payment
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class ClaimOpened(DomainEvent):
    """A recognition earned a reward: ``amount`` as decided by ``rule`` from ``tariff``; it waits for budget."""

    claim_id: str
    recognition: Recognition
    amount: int
    rule: str
    tariff: TariffRef
    flags: tuple[str, ...]
    line: LineRef


@dataclass(frozen=True)
class RecognitionWithoutReward(DomainEvent):
    """A recognition that earns nothing, and the rule that says so (a re-certification, a star the tariff skips…)."""

    recognition: Recognition
    rule: str
    tariff: TariffRef
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ClaimAwaitsBudget(DomainEvent):
    """The claim's line could not hold it: it waits (visibly) for an amendment of the budget."""

    claim_id: str
    line: LineRef
    requested: int
    available: int


@dataclass(frozen=True)
class ClaimReserved(DomainEvent):
    """The claim's money is held on ``line``; it awaits approval."""

    claim_id: str
    line: LineRef


@dataclass(frozen=True)
class ClaimApproved(DomainEvent):
    """Quyết định khen thưởng: the reward is approved — what ``RewardApproved`` publishes.

    ``approved_by`` is None for an automatic approval, whose ``decision`` is the recognition decision.
    """

    claim_id: str
    amount: int
    plan_year: int
    level: str
    stars: int
    line: LineRef
    decision: Decision
    approved_on: date
    approved_by: str | None


@dataclass(frozen=True)
class ClaimPaid(DomainEvent):
    """Chi trả tiền thưởng: part or all of the approved amount paid, with its voucher."""

    claim_id: str
    payment: Payment


@dataclass(frozen=True)
class RecognitionWithdrawn(DomainEvent):
    """Rating revoked or downgraded the product; what it did to each claim follows as holds and recoveries."""

    withdrawal: Withdrawal


@dataclass(frozen=True)
class ClaimPutOnHold(DomainEvent):
    """Tạm dừng chi: the unpaid part of a claim waits for a finance officer's decision (release or cancel)."""

    claim_id: str
    reason: str
    decision: Decision | None


@dataclass(frozen=True)
class HoldReleased(DomainEvent):
    """A finance officer decided the claim goes on (to where it stood before the hold)."""

    claim_id: str
    decision: Decision
    decided_by: str
    reason: str


@dataclass(frozen=True)
class ClaimCancelled(DomainEvent):
    """A finance officer cancelled the held claim; its unpaid money goes back to its line."""

    claim_id: str
    decision: Decision
    decided_by: str
    reason: str


@dataclass(frozen=True)
class RecoveryOpened(DomainEvent):
    """Khoản thu hồi: money paid on a claim whose recognition was withdrawn, to be paid back (or waived)."""

    recovery_id: str
    claim_id: str
    amount: int
    reason: str
    decision: Decision | None


@dataclass(frozen=True)
class RecoveryPaid(DomainEvent):
    """Part or all of a recovery paid back, with its voucher."""

    recovery_id: str
    payment: Payment


@dataclass(frozen=True)
class RecoveryWaived(DomainEvent):
    """A finance officer decided the rest of a recovery is not claimed back."""

    recovery_id: str
    decision: Decision
    decided_by: str
    reason: str
