"""A reward claim and a recovery item as a product's ``ProductRewards`` holds them (state, not events).

Claim statuses:

    waiting_for_budget ─reserve→ reserved ─approve→ approved ─pay→ partly_paid ─pay→ paid
    any unpaid status ─withdrawal→ on_hold ─release→ (the status before) | ─cancel→ cancelled
    money already paid ─withdrawal→ a Recovery: open ─pay back→ recovered | ─waive→ waived
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.finance.domain.recognitions import Recognition
from services.finance.domain.tariffs import TariffRef
from services.finance.domain.values import Decision, LineRef

CLAIM_STATUSES = ("waiting_for_budget", "reserved", "approved", "partly_paid", "paid", "on_hold", "cancelled")
PAYABLE = ("approved", "partly_paid")


def claim_id_for(product_id: str, sequence: int) -> str:
    """The product's id and the claim's number in its stream: the stream is found back from the claim id."""
    return f"{product_id}:{sequence}"


def product_of(claim_or_recovery_id: str) -> str:
    """The product (``ProductRewards`` stream id) of a claim id (``<product>:<n>``) or a recovery id
    (``<product>:<n>:r<k>``); the product id itself may hold colons."""
    head, _, last = claim_or_recovery_id.rpartition(":")
    if last.startswith("r") and head.count(":"):
        head = head.rpartition(":")[0]
    return head


@dataclass(frozen=True)
class Claim:
    """Yêu cầu khen thưởng: one recognition's reward, its line, approval and payments."""

    claim_id: str
    recognition: Recognition
    amount: int
    rule: str
    tariff: TariffRef
    flags: tuple[str, ...]
    line: LineRef
    status: str = "waiting_for_budget"
    shortfall: int = 0  # what the line lacked at the last attempt to reserve (0 = none seen)
    decision: Decision | None = None  # the approval's decision
    approved_on: date | None = None
    paid: int = 0
    vouchers: tuple[str, ...] = ()
    held_from: str | None = None  # the status a hold interrupted
    recovered: int = 0  # paid back through recoveries

    @property
    def stars(self) -> int:
        return self.recognition.stars

    @property
    def plan_year(self) -> int:
        return self.tariff.plan_year

    @property
    def kept(self) -> int:
        """What the product keeps, or is still to receive, from this claim: its amount (or, once cancelled, what
        was paid) less what was paid back. A claim keeping nothing leaves its star free of any reward."""
        return (self.paid if self.status == "cancelled" else self.amount) - self.recovered


@dataclass(frozen=True)
class Recovery:
    """Khoản thu hồi: ``amount`` paid on ``claim_id`` to be paid back, the reason and the withdrawal's decision."""

    recovery_id: str
    claim_id: str
    amount: int
    reason: str
    decision: Decision | None
    status: str = "open"
    recovered: int = 0
    vouchers: tuple[str, ...] = ()
    waived_by: Decision | None = None
