"""The documented shapes of the answers about decisions (quyết định): the record a command made, and the read model."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from services.rating.domain.decisions import DecisionRecord
from services.rating.entrypoints.views import Page


class DecisionEntryView(BaseModel):
    """One product the decision covers and what it did to it."""

    product_id: str
    outcome: str = Field(description="recognized | confirmed | renewed | proposed | not_recognized | downgraded"
                                     " | revoked | re_rating_ordered | warned (two joined with '+')")
    stars: int = Field(description="the star the product shows after the decision")
    certificate_number: str | None = Field(description="the certificate concerned (issued, kept, revoked…)")
    issued: bool = Field(description="whether this decision issued that certificate")
    inspection_id: str | None
    reason: str | None


class DecisionFacts(BaseModel):
    """Quyết định: number (unique per issuing body and year), kind, civil date, signer, the session it approves."""

    number: str
    year: int
    body: str = Field(description="province (UBND tỉnh) | centre (Bộ NN&PTNT)")
    kind: str = Field(description="recognition | revocation | re_rating | warning")
    date: date
    issued_by: str = Field(description="who signed it")
    session_id: str | None = Field(description="the session whose results it approves (recognitions)")


class DecisionView(DecisionFacts):
    """The decision as the command recorded it, with every product it covers."""

    entries: list[DecisionEntryView]
    certificates_issued: int

    @classmethod
    def of(cls, record: DecisionRecord) -> DecisionView:
        e = record.issued
        assert e is not None
        return cls(number=e.number, year=e.year, body=e.body, kind=e.kind, date=e.date, issued_by=e.issued_by,
                   session_id=e.session_id, certificates_issued=record.certificates_issued,
                   entries=[DecisionEntryView(**vars(entry)) for entry in e.entries])


class DecisionSummary(DecisionFacts):
    """A decision in a listing."""

    products: int = Field(description="how many products it covers")
    recorded_at: datetime
    district_products: int | None = Field(
        default=None, description="with district_code: how many of that district's products it covers")


class DecisionPage(Page[DecisionSummary]):
    """Decisions by year, kind, issuing body or product, in date order."""


class CoveredProductView(DecisionEntryView):
    """A product the decision covers, with its names and place as its dossier has them."""

    product_name: str | None
    producer_name: str | None
    district_code: str | None
    commune_code: str | None


class DecisionDetail(DecisionSummary):
    """A decision with every product it covers, in the order it lists them."""

    entries: list[CoveredProductView]
