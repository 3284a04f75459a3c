"""The one rule every payment follows — of a claim, a support item, a budget line's holding, or a recovery:
partial payments are allowed, their sum never passes what was approved, a voucher is used once, and money is not
paid before the decision that allowed it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from services.finance.domain.errors import AbovePermitted, AlreadyExists, OutOfOrder
from services.finance.domain.money import format_vnd
from services.finance.domain.values import Payment


def check_payment(payment: Payment, *, permitted: int, paid: int, vouchers: Collection[str], what: str,
                  not_before: date | None = None) -> None:
    """Refuse ``payment`` when it repeats a voucher (``AlreadyExists``, field ``voucher``), comes before
    ``not_before`` (field ``paid_on``) or brings the payments of ``what`` above ``permitted`` (``AbovePermitted``,
    field ``amount``)."""
    if payment.voucher in vouchers:
        raise AlreadyExists(f"{what}: voucher {payment.voucher!r} is already recorded", field="voucher")
    if not_before is not None and payment.paid_on < not_before:
        raise OutOfOrder(f"{what}: paid on {payment.paid_on} is before its approval ({not_before})", field="paid_on")
    if paid + payment.amount > permitted:
        raise AbovePermitted(f"{what}: {format_vnd(payment.amount)} would bring payments to "
                             f"{format_vnd(paid + payment.amount)}, above the {format_vnd(permitted)} approved "
                             f"({format_vnd(permitted - paid)} remain)", field="amount")
