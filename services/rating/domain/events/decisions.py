"""Events of a decision (quyết định) of the province or the centre: one record per decision, whatever it decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.rating.domain.values import Decision, DecisionEntry
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class DecisionIssued(DomainEvent):
    """Quyết định của UBND tỉnh (or Bộ NN&PTNT): its number in its issuing body's year, kind, date, who signed it, the
    session it approves (recognitions) and every product it covers with what it did to each."""

    number: str
    year: int
    body: str  # province | centre: numbers are unique per issuing body and year
    kind: str  # recognition | revocation | re_rating | warning
    date: date
    issued_by: str
    session_id: str | None
    entries: tuple[DecisionEntry, ...]

    @property
    def decision(self) -> Decision:
        return Decision(self.number, self.date, self.issued_by)


@dataclass(frozen=True)
class DecisionNumberTaken(DomainEvent):
    """Written by older code, which registered only the numbers of round decisions (still read: a number taken then
    stays taken). A decision number (số quyết định) of a year used by a session."""

    number: str
    year: int
    session_id: str
