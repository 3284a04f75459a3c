"""What finance hears of a product's rating (from ProductRated, through the application's translator):
a recognition that may earn a reward, or a withdrawal (revocation, downgrade) that may hold or recover one."""

from __future__ import annotations

from dataclasses import dataclass

from services.finance.domain.errors import FinanceError
from services.finance.domain.values import RECOGNISING_LEVEL, REWARDED_STARS, Decision, text

WITHDRAWALS = ("revoked", "downgraded")


@dataclass(frozen=True)
class Recognition:
    """Quyết định công nhận sản phẩm OCOP: the product, its star, the level that recognised it (provincial for
    3★/4★, central for 5★ under 1048), the decision, the rating cycle and the producer's district (for reports; empty
    when finance has not heard the product registered yet)."""

    product_id: str
    evaluation_id: str
    stars: int
    level: str
    decision: Decision
    cycle_year: int
    district_code: str
    certificate_number: str | None = None
    correlation_id: str | None = None  # the product's flow in the programme, continued by its RewardApproved

    def __post_init__(self) -> None:
        text(self.product_id, "product_id")
        if isinstance(self.stars, bool) or self.stars not in REWARDED_STARS:
            raise FinanceError(f"a rewarded recognition is of 3, 4 or 5 stars, not {self.stars!r}", field="stars")
        if self.level != RECOGNISING_LEVEL[self.stars]:
            raise FinanceError(f"{self.stars}★ is recognised at {RECOGNISING_LEVEL[self.stars]} level, not "
                               f"{self.level!r}", field="level")

    @property
    def key(self) -> tuple[str, int, str]:
        """The same decision recognising the same star is one recognition, however often it is delivered."""
        return self.level, self.stars, self.decision.number


@dataclass(frozen=True)
class Withdrawal:
    """Thu hồi (revoked: ``stars`` 0) or hạ hạng (downgraded to ``stars``, 0 when no star is left) of a product's
    recognition, with the decision (when the rating carried one), the reason, and the inspection that led to it."""

    status: str
    stars: int
    evaluation_id: str
    reason: str
    decision: Decision | None = None
    inspection_id: str | None = None

    def __post_init__(self) -> None:
        if self.status not in WITHDRAWALS:
            raise FinanceError(f"status must be one of {', '.join(WITHDRAWALS)}, not {self.status!r}", field="status")
        top = 0 if self.status == "revoked" else 4
        if isinstance(self.stars, bool) or not isinstance(self.stars, int) or not 0 <= self.stars <= top:
            raise FinanceError(f"a revocation keeps 0 stars, a downgrade 0–4, not {self.stars!r}", field="stars")
        text(self.reason, "reason")

    @property
    def key(self) -> tuple[str, int, str]:
        return self.status, self.stars, self.decision.number if self.decision else self.evaluation_id
