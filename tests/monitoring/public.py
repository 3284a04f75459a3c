"""Public events about a product, as the other services publish them, for monitoring's handler and flow tests; and
the HTTP bodies of inspections (one product's biên bản, with its findings)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from shared.contracts import new_envelope


def registered(product_id: str, *, district_code: str = "394", cycle_year: int = 2021,
               correlation_id: uuid.UUID | None = None, registration_id: str | None = None) -> Any:
    return new_envelope("ProductRegistered", product_id, {
        "registration_id": registration_id or f"reg-{uuid.uuid4().hex[:10]}", "cycle_year": cycle_year,
        "product": {"name": f"Chè lam {product_id[-6:]}", "sector": "Thực phẩm", "group": "Thực phẩm chế biến",
                    "product_set": 5, "description": "Chè lam Phủ Quảng"},
        "producer": {"producer_id": f"p-{product_id}", "name": "HTX Chè lam Yên Định", "legal_form": "cooperative"},
        "location": {"district_code": district_code, "commune_code": "15160"},
    }, correlation_id=correlation_id or uuid.uuid4())


def decision(number: str = "1114/QĐ-UBND", on: str = "2021-04-06") -> dict[str, str]:
    return {"number": number, "date": on, "issued_by": "UBND tỉnh Thanh Hóa"}


def rated(product_id: str, *, status: str = "recognized", stars: int = 4, level: str = "provincial",
          certificate: str | None = None, valid_from: str = "2021-04-06", valid_until: str = "2024-04-05",
          decided: dict[str, str] | None = None, inspection_id: str | None = None, reason: str | None = None,
          cycle_year: int = 2021, average_score: float = 78.5, evaluation_id: str | None = None) -> Any:
    cert = None if certificate is None else {"number": certificate, "valid_from": valid_from,
                                             "valid_until": valid_until}
    return new_envelope("ProductRated", product_id, {
        "evaluation_id": evaluation_id or f"ev-{uuid.uuid4().hex[:10]}", "cycle_year": cycle_year, "level": level,
        "average_score": average_score, "stars": stars, "status": status, "decision": decided, "certificate": cert,
        "reason": reason, "inspection_id": inspection_id,
    })


def certified(product_id: str, certificate: str, **fields: Any) -> Any:
    """Recognised by round 1/2021 (6 April 2021), certificate valid until 5 April 2024."""
    return rated(product_id, certificate=certificate, decided=decision(), **fields)


def reward(product_id: str, *, amount_vnd: int = 20_000_000, stars: int = 4, plan_year: int = 2021,
           reward_id: str | None = None) -> Any:
    return new_envelope("RewardApproved", product_id, {
        "reward_id": reward_id or f"rw-{uuid.uuid4().hex[:10]}", "plan_year": plan_year, "level": "provincial",
        "stars": stars, "amount_vnd": amount_vnd, "funding_source": "ngân sách tỉnh", "budget_line": "OCOP-2021-01",
        "decision": {"number": "2150/QĐ-UBND", "date": "2021-06-20"},
    })


BODY = {"kind": "department", "name": "Sở Công Thương Thanh Hóa", "code": "industry_and_trade"}


def finding(area: str = "food_safety", severity: str = "none", **rest: Any) -> dict[str, Any]:
    if severity != "none":
        rest.setdefault("description", f"{area}: không đạt yêu cầu")
        rest.setdefault("evidence", ["BB-01/2021"])
    return {"area": area, "severity": severity, **rest}


def inspection_body(product_id: str, *findings: dict[str, Any], inspected_on: str = "2021-09-15",
                    **rest: Any) -> dict[str, Any]:
    return {"product_id": product_id, "inspected_on": inspected_on, "body": BODY,
            "inspectors": ["Lê Văn Hùng", "Nguyễn Thị Hoa"],
            "findings": list(findings) or [finding("production_process"), finding("food_safety")], **rest}


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


DAY = date(2021, 12, 31)
