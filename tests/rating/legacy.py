"""A rating dossier as code before the specific outcome facts stored it: every outcome one RatingOutcomeRecorded v1.

The payloads are the shapes that code wrote (dates as ISO strings, the certificate and decision as plain objects).
"""

from __future__ import annotations

from typing import Any

from shared.eventstore import NewEvent

DECISION_1 = {"number": "1114/QĐ-UBND", "date": "2021-04-06", "issued_by": "UBND tỉnh Thanh Hóa"}


def decision(number: str, on: str) -> dict[str, Any]:
    return {"number": number, "date": on, "issued_by": "UBND tỉnh Thanh Hóa"}


def certificate(number: str, stars: int, decision: dict[str, Any], until: str, evaluation_id: str, score: str,
                cycle_year: int) -> dict[str, Any]:
    return {"number": number, "stars": stars, "level": "provincial", "valid_from": decision["date"],
            "valid_until": until, "evaluation_id": evaluation_id, "average_score": score, "cycle_year": cycle_year,
            "decision": decision}


def outcome(evaluation_id: str, session_id: str | None, level: str, status: str, stars: int, score: str, *,
            cycle_year: int = 2021, decision: dict[str, Any] | None = None, certificate: dict[str, Any] | None = None,
            holds: dict[str, Any] | None = None, reason: str | None = None, inspection_id: str | None = None,
            stage: str | None = None) -> NewEvent:
    return NewEvent("RatingOutcomeRecorded", {
        "evaluation_id": evaluation_id, "session_id": session_id, "cycle_year": cycle_year, "level": level,
        "status": status, "stars": stars, "average_score": score, "decision": decision, "certificate": certificate,
        "holds": holds, "reason": reason, "inspection_id": inspection_id, "stage": stage}, schema_version=1)


def opened(product_id: str, district_code: str) -> NewEvent:
    return NewEvent("DossierOpened", {
        "product_id": product_id, "district_code": district_code, "commune_code": "14758",
        "product": {"name": "Nước mắm Lê Gia", "sector": "Thực phẩm", "group": "Thực phẩm chế biến", "product_set": 5},
        "producer": {"producer_id": "p-le-gia", "name": "Công ty Lê Gia", "legal_form": "company"},
        "registration_id": "reg-2021", "cycle_year": 2021, "product_set": 5, "sheet_id": "set-05",
        "sheet_version": "2021.1", "sheet_provisional": True, "regime": "1048+781", "correlation_id": None})


def scheduled(session_id: str, product_id: str, level: str, purpose: str) -> NewEvent:
    return NewEvent("ExaminationScheduled", {"session_id": session_id, "evaluation_id": f"{session_id}/{product_id}",
                                             "level": level, "purpose": purpose})


def numbers(product_id: str) -> tuple[str, str]:
    """The two certificate numbers of ``a_certified_life`` (decision numbers of the product's own, so unique)."""
    return f"{product_id}-1/QĐ-UBND#2021-001", f"{product_id}-2/QĐ-UBND#2022-001"


def a_certified_life(product_id: str, district_code: str = "380") -> list[NewEvent]:
    """Forwarded, certified 3★, upgraded to 4★, put under review, warned, then expired — all stored the old way."""
    old, new = numbers(product_id)
    first = certificate(old, 3, decision(f"{product_id}-1/QĐ-UBND", "2021-04-06"), "2024-04-06", f"S-p1/{product_id}",
                        "62.00", 2021)
    second = certificate(new, 4, decision(f"{product_id}-2/QĐ-UBND", "2022-08-05"), "2025-08-05", f"S-p2/{product_id}",
                         "76.00", 2022)
    return [
        opened(product_id, district_code),
        scheduled("S-d1", product_id, "district", "first"),
        outcome(f"S-d1/{product_id}", "S-d1", "district", "proposed", 3, "62.00", stage="provincial"),
        scheduled("S-p1", product_id, "provincial", "first"),
        outcome(f"S-p1/{product_id}", "S-p1", "provincial", "recognized", 3, "62.00", decision=first["decision"],
                certificate=first, holds=first),
        scheduled("S-p2", product_id, "provincial", "upgrade"),
        outcome(f"S-p2/{product_id}", "S-p2", "provincial", "recognized", 4, "76.00", cycle_year=2022,
                decision=second["decision"], certificate=second, holds=second,
                reason=f"upgraded from 3★; certificate {old} is superseded"),
        NewEvent("CertificateUnderReview", {
            "inspection_id": "I-1", "certificate_number": second["number"], "inspected_on": "2023-03-01",
            "severity": "minor", "recommended_action": "warning",
            "findings": [{"criterion": "B1.2", "description": "Nhãn chưa cập nhật"}]}),
        outcome(f"S-p2/{product_id}", None, "provincial", "recognized", 4, "76.00", cycle_year=2023, certificate=second,
                holds=second, reason="warning: Nhãn bao bì chưa cập nhật", inspection_id="I-1"),
        outcome(f"S-p2/{product_id}", None, "provincial", "expired", 0, "76.00", cycle_year=2025, certificate=second,
                reason=f"certificate {new} (4★) was valid until 2025-08-05; expired from 2025-08-06 unless rated again"),
    ]
