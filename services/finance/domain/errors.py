"""Errors of the finance domain; the API maps each to a status, with the field and the rule in the message."""

from __future__ import annotations

from shared.errors import DomainError


class FinanceError(DomainError):
    """Base of finance's refusals: ``field`` names what was wrong (an amount, a budget line, a tariff entry)."""


class InvalidAmount(FinanceError):
    """An amount of money that is not a positive whole number of đồng (422): a bool, a float, zero or negative."""


class TariffError(FinanceError):
    """The reward tariff table (biểu mức thưởng) does not add up; refused at load, ``field`` names the entry (422)."""


class PeriodsOutOfOrder(TariffError):
    """A tariff table whose periods do not follow each other: an entry ending before it begins, two entries in force
    on one day (409, ``out_of_order`` as other dates out of order). The document states every other rule of the table;
    this one compares values, which JSON Schema cannot, so a table its schema allows may still have it."""


class InsufficientFunds(FinanceError):
    """A budget line (mục chi) cannot hold the money asked for: reserved + committed + disbursed would pass the
    approved amount (409). Nothing was recorded; a reward claim waits for the budget to be amended."""

    def __init__(self, message: str, *, field: str | None = "amount", requested: int = 0, available: int = 0) -> None:
        super().__init__(message, field=field)
        self.requested = requested
        self.available = available


class AbovePermitted(FinanceError):
    """A payment (chi trả) or recovery (thu hồi) above what remains of the approved amount (409, field ``amount``):
    what remains is the record's state, not something the request alone could get wrong."""


class NotAllowed(FinanceError):
    """The step does not fit the state it is asked of (409): approving a draft, paying a claim on hold, …"""


class OutOfOrder(FinanceError):
    """A step dated before one it follows (409): a budget step before the previous one, an approval before its
    proposal or its decision, a payment before its approval. The record's dates are its state: the same date is right
    once the earlier step is dated earlier."""


class AlreadyExists(FinanceError):
    """Something that must be unique is taken (409): a voucher number, a second pending amendment, …"""


class Unknown(FinanceError):
    """The command names something this aggregate does not hold (404/422): a claim, a funding source, a line."""
