"""One valid event of each type, with Vietnamese text, built the way a service would build it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.contracts import VIETNAM_TZ, AnyEvent, new_envelope, serialize_event

FLOW = UUID("5b0f8a3e-2c1d-4e8f-9a6b-7c3d2e1f0a9b")
AT = datetime(2021, 12, 20, 9, 30, tzinfo=VIETNAM_TZ)
PRODUCT_ID = "TH-2021-0042"
PRODUCT_NAME = "Nước mắm Ba Làng"
PRODUCER_NAME = "Hợp tác xã chế biến hải sản Ba Làng"
ISSUER = "UBND tỉnh Thanh Hóa"


def product_registered() -> AnyEvent:
    return new_envelope(
        "ProductRegistered",
        PRODUCT_ID,
        {
            "registration_id": "REG-2021-0042",
            "cycle_year": 2021,
            "product": {
                "name": PRODUCT_NAME,
                "sector": "Thực phẩm",
                "group": "Thực phẩm chế biến",
                "product_set": 6,
                "description": "Nước mắm truyền thống ủ chượp từ cá cơm, độ đạm 30°N.",
            },
            "producer": {"producer_id": "HTX-0871", "name": PRODUCER_NAME, "legal_form": "cooperative"},
            "location": {"district_code": "407", "commune_code": "16561"},
        },
        correlation_id=FLOW,
        actor={"id": "user-17", "role": "producer"},
        occurred_at=AT,
    )


def product_rated() -> AnyEvent:
    return new_envelope(
        "ProductRated",
        PRODUCT_ID,
        {
            "evaluation_id": "EV-2021-0042",
            "cycle_year": 2021,
            "level": "provincial",
            "average_score": 87.35,
            "stars": 4,
            "status": "recognized",
            "decision": {"number": "4567/QĐ-UBND", "date": "2021-12-20", "issued_by": ISSUER},
            "certificate": {"number": "OCOP-TH-2021-012", "valid_from": "2021-12-20", "valid_until": "2024-12-19"},
            "reason": None,
            "inspection_id": None,
        },
        correlation_id=FLOW,
        actor={"id": "user-3", "role": "provincial_council"},
        occurred_at=AT,
    )


def reward_approved() -> AnyEvent:
    return new_envelope(
        "RewardApproved",
        PRODUCT_ID,
        {
            "reward_id": "RW-2022-0042",
            "plan_year": 2022,
            "level": "provincial",
            "stars": 4,
            "amount_vnd": 30_000_000,
            "funding_source": "Ngân sách tỉnh",
            "budget_line": "Hỗ trợ chương trình OCOP",
            "decision": {"number": "112/QĐ-UBND", "date": "2022-01-10"},
        },
        correlation_id=FLOW,
        actor={"id": "user-9", "role": "finance_officer"},
        occurred_at=AT,
    )


def inspection_failed() -> AnyEvent:
    return new_envelope(
        "InspectionFailed",
        PRODUCT_ID,
        {
            "inspection_id": "INS-2023-0007",
            "inspected_on": "2023-06-15",
            "inspector_org": "Sở Nông nghiệp và Phát triển nông thôn Thanh Hóa",
            "certificate_number": "OCOP-TH-2021-012",
            "findings": [{"criterion": "Chất lượng sản phẩm", "description": "Độ đạm dưới mức công bố."}],
            "severity": "major",
            "recommended_action": "downgrade",
        },
        correlation_id=FLOW,
        actor=None,
        occurred_at=AT,
    )


SAMPLES = {
    "ProductRegistered": product_registered,
    "ProductRated": product_rated,
    "RewardApproved": reward_approved,
    "InspectionFailed": inspection_failed,
}


def sample_dict(event_type: str) -> dict[str, Any]:
    """The wire form of a sample as a dict, ready to be broken by a test."""
    return json.loads(serialize_event(SAMPLES[event_type]()))


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
