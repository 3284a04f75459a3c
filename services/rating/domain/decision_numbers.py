"""Decision numbers (số quyết định): unique within a year, kept race-free by a stream per number and year."""

from __future__ import annotations

from datetime import date

from services.rating.domain import events as ev
from shared.aggregate import Aggregate, DomainEvent


class DecisionNumber(Aggregate):
    """The register of one decision number in one year: taking it twice is a conflict, even between racing writers."""

    stream_type = "decision-number"
    event_types = {"DecisionNumberTaken": ev.DecisionNumberTaken}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.session_id: str | None = None

    @staticmethod
    def key(number: str, on: date) -> str:
        return f"decision:{on.year}:{number}"

    @classmethod
    def take(cls, number: str, on: date, session_id: str) -> DecisionNumber:
        taken = cls(cls.key(number, on))
        taken.record(ev.DecisionNumberTaken(number, on.year, session_id))
        return taken

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.DecisionNumberTaken(session_id=session_id):
                self.session_id = session_id
