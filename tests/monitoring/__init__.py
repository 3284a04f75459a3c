"""Tests of the monitoring service. Builders shared by its domain tests (random ids, the shipped reference data,
a certified product's register entry, inspection reports) are here, so each test states only what matters to it."""

from __future__ import annotations

import uuid
from datetime import date
from functools import lru_cache

from services.monitoring.domain.reference import Reference, load_reference
from services.monitoring.domain.register import RegisterEntry
from services.monitoring.domain.values import Body, CertificateRef, DecisionRef, Finding, InspectionReport, RatingFact

TODAY = date(2021, 12, 31)
ROUND_1 = DecisionRef("1114/QĐ-UBND", date(2021, 4, 6), "UBND tỉnh Thanh Hóa")  # round 1/2021 (OCOP-RULES §6)
OFFICE = Body("coordination_office", "Văn phòng Điều phối Chương trình nông thôn mới tỉnh Thanh Hóa")
INDUSTRY_AND_TRADE = Body("department", "Sở Công Thương Thanh Hóa", "industry_and_trade")
YEN_DINH = Body("district", "UBND huyện Yên Định", "394")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@lru_cache
def shipped() -> Reference:
    return load_reference()


def certificate(number: str | None = None, valid_from: date = ROUND_1.date,
                valid_until: date = date(2024, 4, 6)) -> CertificateRef:
    return CertificateRef(number or new_id("GCN"), valid_from, valid_until)


def rating(status: str = "recognized", stars: int = 4, cert: CertificateRef | None = None, *,
           decision: DecisionRef | None = ROUND_1, level: str = "provincial", inspection_id: str | None = None,
           reason: str | None = None) -> RatingFact:
    return RatingFact(new_id("eval"), 2021, level, stars, status, decision, cert, reason, inspection_id)


def certified(product_id: str | None = None, *, stars: int = 4, cert: CertificateRef | None = None) -> RegisterEntry:
    """A product recognised by round 1/2021 (6 April 2021), certificate valid until 6 April 2024."""
    entry = RegisterEntry(product_id or new_id("product"))
    entry.note_rating(rating("recognized", stars, cert or certificate()))
    return entry


def finding(area: str = "food_safety", severity: str = "none", description: str = "",
            evidence: tuple[str, ...] | None = None, criterion: str = "") -> Finding:
    """A finding; a non-compliant one gets a description and an evidence reference unless given."""
    if severity != "none":
        description = description or f"{area}: không đạt yêu cầu"
        evidence = ("BB-01/2021",) if evidence is None else evidence
    return Finding(area, severity, description, evidence or (), criterion)


def report(product_id: str, *findings: Finding, inspection_id: str | None = None,
           inspected_on: date = date(2021, 9, 15), body: Body = INDUSTRY_AND_TRADE,
           inspectors: tuple[str, ...] = ("Lê Văn Hùng", "Nguyễn Thị Hoa")) -> InspectionReport:
    return InspectionReport(inspection_id or new_id("insp"), product_id, inspected_on, body, inspectors,
                            findings or (finding(),))
