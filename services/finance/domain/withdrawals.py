"""What a product's revocation or downgrade does to its rewards — nothing is silently kept or dropped:

- a claim above the star the product keeps and not fully paid is put on hold (tạm dừng chi) until a finance officer
  releases it (it goes on from where it stood) or cancels it (its unpaid money goes back to its line);
- money already paid on such a claim opens a recovery item (khoản thu hồi: amount, reason, the withdrawal's
  decision), paid back in parts or waived by a finance officer's decision.

A mixin of ``ProductRewards`` (one module per reason to change, as rating's ``Examinations``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from services.finance.domain.claims import Claim, Recovery
from services.finance.domain.errors import NotAllowed, Unknown
from services.finance.domain.events import rewards as ev
from services.finance.domain.payments import check_payment
from services.finance.domain.recognitions import Withdrawal
from services.finance.domain.values import Decision, Payment, text
from shared.aggregate import DomainEvent

HOLDABLE = ("waiting_for_budget", "reserved", "approved", "partly_paid")


class Withdrawals:
    claims: dict[str, Claim]
    recoveries: dict[str, Recovery]
    withdrawn: set[tuple[str, int, str]]
    record: Callable[[DomainEvent], None]
    claim: Callable[[str], Claim]
    _update: Callable[..., None]
    _in: Callable[[Claim, tuple[str, ...], str], None]

    def withdraw(self, withdrawal: Withdrawal) -> tuple[list[str], list[str]]:
        """Hold the unpaid claims above the star the product keeps and open recoveries of what they paid.

        Returns (claims put on hold, recoveries opened); a withdrawal already heard changes nothing."""
        if withdrawal.key in self.withdrawn:
            return [], []
        self.record(ev.RecognitionWithdrawn(withdrawal))
        held, opened = [], []
        for claim in [c for c in self.claims.values() if c.stars > withdrawal.stars]:
            if claim.status in HOLDABLE:
                self.record(ev.ClaimPutOnHold(claim.claim_id, withdrawal.reason, withdrawal.decision))
                held.append(claim.claim_id)
            unclaimed = claim.paid - sum(r.amount for r in self.recoveries.values() if r.claim_id == claim.claim_id)
            if unclaimed > 0:
                recovery_id = f"{claim.claim_id}:r{len(self.recoveries) + 1}"
                self.record(ev.RecoveryOpened(recovery_id, claim.claim_id, unclaimed, withdrawal.reason,
                                              withdrawal.decision))
                opened.append(recovery_id)
        return held, opened

    def release_hold(self, claim_id: str, *, decision: Decision, decided_by: str, reason: str) -> Claim:
        self._in(self.claim(claim_id), ("on_hold",), "release the hold of")
        self.record(ev.HoldReleased(claim_id, decision, text(decided_by, "decided_by"), text(reason, "reason")))
        return self.claims[claim_id]

    def cancel(self, claim_id: str, *, decision: Decision, decided_by: str, reason: str) -> Claim:
        """Cancel a held claim; the application releases its money on ``claim.line`` in the same unit."""
        self._in(self.claim(claim_id), ("on_hold",), "cancel")
        self.record(ev.ClaimCancelled(claim_id, decision, text(decided_by, "decided_by"), text(reason, "reason")))
        return self.claims[claim_id]

    def record_recovery(self, recovery_id: str, payment: Payment) -> Recovery:
        """Money paid back on an open recovery (partial allowed, never above it)."""
        recovery = self.recovery(recovery_id)
        if recovery.status != "open":
            raise NotAllowed(f"{recovery_id} is {recovery.status}", field="recovery_id")
        check_payment(payment, permitted=recovery.amount, paid=recovery.recovered, vouchers=recovery.vouchers,
                      what=recovery_id)
        self.record(ev.RecoveryPaid(recovery_id, payment))
        return self.recoveries[recovery_id]

    def waive_recovery(self, recovery_id: str, *, decision: Decision, decided_by: str, reason: str) -> Recovery:
        recovery = self.recovery(recovery_id)
        if recovery.status != "open":
            raise NotAllowed(f"{recovery_id} is {recovery.status}", field="recovery_id")
        self.record(ev.RecoveryWaived(recovery_id, decision, text(decided_by, "decided_by"), text(reason, "reason")))
        return self.recoveries[recovery_id]

    def recovery(self, recovery_id: str) -> Recovery:
        if recovery_id not in self.recoveries:
            raise Unknown(f"no recovery {recovery_id!r} on this product", field="recovery_id")
        return self.recoveries[recovery_id]

    def _apply_withdrawal(self, event: DomainEvent) -> None:
        match event:
            case ev.RecognitionWithdrawn(withdrawal=withdrawal):
                self.withdrawn.add(withdrawal.key)
            case ev.ClaimPutOnHold(claim_id=claim_id):
                self._update(claim_id, status="on_hold", held_from=self.claims[claim_id].status)
            case ev.HoldReleased(claim_id=claim_id):
                self._update(claim_id, status=self.claims[claim_id].held_from, held_from=None)
            case ev.ClaimCancelled(claim_id=claim_id):
                self._update(claim_id, status="cancelled")
            case ev.RecoveryOpened():
                self.recoveries[event.recovery_id] = Recovery(event.recovery_id, event.claim_id, event.amount,
                                                              event.reason, event.decision)
            case ev.RecoveryPaid(recovery_id=recovery_id, payment=payment):
                recovery = self.recoveries[recovery_id]
                recovered = recovery.recovered + payment.amount
                self.recoveries[recovery_id] = replace(recovery, recovered=recovered,
                                                       vouchers=(*recovery.vouchers, payment.voucher),
                                                       status="recovered" if recovered == recovery.amount else "open")
                self._update(recovery.claim_id, recovered=self.claims[recovery.claim_id].recovered + payment.amount)
            case ev.RecoveryWaived(recovery_id=recovery_id):
                self.recoveries[recovery_id] = replace(self.recoveries[recovery_id], status="waived",
                                                       waived_by=event.decision)
