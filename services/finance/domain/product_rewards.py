"""The rewards of one product (khen thưởng sản phẩm OCOP): stream id = the product id.

One aggregate per product owns every reward claim and recovery of that product, so its own state enforces what
must never happen twice: a recognition delivered again changes nothing (``Recognition.key``), and the amount of a
new claim is decided (``rewards.decide_reward``) against what the product already keeps — one reward per star,
upgrades and 5★ topped up per the policy. Claims are numbered in the stream (``claims.claim_id_for``).

This module opens claims and moves them through budget, approval and payment; ``withdrawals`` holds, releases,
cancels and recovers them when rating revokes or downgrades the product.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.finance.domain.claims import PAYABLE, Claim, Recovery, claim_id_for
from services.finance.domain.errors import FinanceError, InsufficientFunds, NotAllowed, OutOfOrder, Unknown
from services.finance.domain.events import rewards as ev
from services.finance.domain.payments import check_payment
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.recognitions import Recognition
from services.finance.domain.rewards import RewardHistory, decide_reward
from services.finance.domain.tariffs import TariffTable
from services.finance.domain.values import Decision, LineRef, Payment, text
from services.finance.domain.withdrawals import Withdrawals
from shared.aggregate import Aggregate, DomainEvent


class ProductRewards(Aggregate, Withdrawals):
    """Hồ sơ khen thưởng of one OCOP product."""

    stream_type = "product-rewards"
    event_types = {e.__name__: e for e in (ev.ClaimOpened, ev.RecognitionWithoutReward, ev.ClaimAwaitsBudget,
                                           ev.ClaimReserved, ev.ClaimApproved, ev.ClaimPaid, ev.RecognitionWithdrawn,
                                           ev.ClaimPutOnHold, ev.HoldReleased, ev.ClaimCancelled, ev.RecoveryOpened,
                                           ev.RecoveryPaid, ev.RecoveryWaived)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.claims: dict[str, Claim] = {}
        self.recoveries: dict[str, Recovery] = {}
        self.recognised: dict[tuple[str, int, str], str | None] = {}  # recognition key → its claim, if it earned one
        self.withdrawn: set[tuple[str, int, str]] = set()

    # ------------------------------------------------------------------------------------------- commands

    def recognise(self, recognition: Recognition, table: TariffTable, policy: FinancePolicy) -> str | None:
        """Open the claim the recognition earns and return its id; None when it earns nothing (recorded, with the
        rule) or was already heard (nothing recorded: a ProductRated delivered twice pays once)."""
        if recognition.product_id != self.id:
            raise FinanceError(f"recognition of {recognition.product_id} given to the rewards of {self.id}",
                               field="product_id")
        if recognition.key in self.recognised:
            return self.recognised[recognition.key]
        decided = decide_reward(recognition, self.history(), table, policy)
        if not decided.amount:
            self.record(ev.RecognitionWithoutReward(recognition, decided.rule, decided.tariff, decided.flags))
            return None
        claim_id = claim_id_for(self.id, len(self.claims) + 1)
        line = LineRef(decided.plan_year, policy.reward_line, policy.reward_source)
        self.record(ev.ClaimOpened(claim_id, recognition, decided.amount, decided.rule, decided.tariff, decided.flags,
                                   line))
        return claim_id

    def await_budget(self, claim_id: str, shortfall: InsufficientFunds) -> None:
        """The claim's line refused it: it waits. Recorded once per distinct shortfall, so retries stay quiet."""
        claim = self.claim(claim_id)
        if claim.status == "waiting_for_budget" and claim.shortfall != shortfall.requested - shortfall.available:
            self.record(ev.ClaimAwaitsBudget(claim_id, claim.line, shortfall.requested, shortfall.available))

    def reserve(self, claim_id: str, line: LineRef | None = None) -> Claim:
        """The line now holds the claim's money (``BudgetLine.reserve`` in the same unit); a repeat is a no-op.
        ``line`` lets a finance officer pay from another line or source than the policy's default."""
        claim = self.claim(claim_id)
        line = line or claim.line
        if claim.status == "reserved" and claim.line == line:
            return claim
        self._in(claim, ("waiting_for_budget",), "reserve money for")
        if line.plan_year != claim.plan_year:
            raise FinanceError(f"{claim_id} is paid from the {claim.plan_year} budget, not {line.plan_year}",
                               field="plan_year")
        self.record(ev.ClaimReserved(claim_id, line))
        return self.claims[claim_id]

    def approve(self, claim_id: str, policy: FinancePolicy, *, on: date, by: str | None = None,
                decision: Decision | None = None) -> ev.ClaimApproved:
        """Approve a reserved claim: automatically (``by`` None; the recognition decision is the reference) when
        the policy allows, or by a finance officer ``by`` with their ``decision``."""
        claim = self.claim(claim_id)
        self._in(claim, ("reserved",), "approve")
        if by is None and policy.approval == "manual":
            raise NotAllowed("the policy asks a finance officer to approve each claim", field="approved_by")
        if by is not None and decision is None:
            raise FinanceError("a finance officer's approval names its decision", field="decision")
        reference = decision or claim.recognition.decision
        if on < reference.date:
            raise OutOfOrder(f"approved on {on}, before its decision ({reference.date})", field="on")
        approved = ev.ClaimApproved(claim_id, claim.amount, claim.plan_year, claim.recognition.level, claim.stars,
                                    claim.line, reference, on, text(by, "approved_by") if by is not None else None)
        self.record(approved)
        return approved

    def record_payment(self, claim_id: str, payment: Payment) -> Claim:
        """Chi trả: part or all of the approved amount (``BudgetLine.disburse`` in the same unit)."""
        claim = self.claim(claim_id)
        self._in(claim, PAYABLE, "pay")
        check_payment(payment, permitted=claim.amount, paid=claim.paid, vouchers=claim.vouchers, what=claim_id,
                      not_before=claim.approved_on)
        self.record(ev.ClaimPaid(claim_id, payment))
        return self.claims[claim_id]

    # ------------------------------------------------------------------------------------------- queries

    def history(self) -> RewardHistory:
        """Star → what the product keeps from its claims of that star (claims keeping nothing are left out)."""
        kept: dict[int, int] = {}
        for claim in self.claims.values():
            if claim.kept > 0:
                kept[claim.stars] = kept.get(claim.stars, 0) + claim.kept
        return RewardHistory(kept)

    def claim(self, claim_id: str) -> Claim:
        if claim_id not in self.claims:
            raise Unknown(f"product {self.id} has no claim {claim_id!r}", field="claim_id")
        return self.claims[claim_id]

    def waiting(self) -> list[Claim]:
        return [c for c in self.claims.values() if c.status == "waiting_for_budget"]

    # ------------------------------------------------------------------------------------------- state

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.ClaimOpened():
                self.recognised[event.recognition.key] = event.claim_id
                self.claims[event.claim_id] = Claim(event.claim_id, event.recognition, event.amount, event.rule,
                                                    event.tariff, event.flags, event.line)
            case ev.RecognitionWithoutReward(recognition=recognition):
                self.recognised[recognition.key] = None
            case ev.ClaimAwaitsBudget():
                self._update(event.claim_id, shortfall=event.requested - event.available)
            case ev.ClaimReserved():
                self._update(event.claim_id, status="reserved", line=event.line)
            case ev.ClaimApproved():
                self._update(event.claim_id, status="approved", decision=event.decision, approved_on=event.approved_on)
            case ev.ClaimPaid(claim_id=claim_id, payment=payment):
                claim = self.claims[claim_id]
                paid = claim.paid + payment.amount
                self._update(claim_id, paid=paid, vouchers=(*claim.vouchers, payment.voucher),
                             status="paid" if paid == claim.amount else "partly_paid")
            case _:
                self._apply_withdrawal(event)

    def _update(self, claim_id: str, **changes: object) -> None:
        self.claims[claim_id] = replace(self.claims[claim_id], **changes)

    @staticmethod
    def _in(claim: Claim, statuses: tuple[str, ...], step: str) -> None:
        if claim.status not in statuses:
            raise NotAllowed(f"cannot {step} {claim.claim_id}: it is {claim.status}", field="claim_id")
