"""The four public events of the OCOP programme (Chương trình Mỗi xã một sản phẩm) and their data.

Data models are frozen (an event is a fact) but open: unknown keys are ignored, so
adding an optional field is not a breaking change for consumers already deployed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from .envelope import Envelope, NonEmptyStr


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", use_attribute_docstrings=True)


def _two_decimals(value: float) -> float:
    if round(value, 2) != value:
        raise ValueError("must have at most 2 decimal places")
    return value


# Counts and money are strict: 4.0 stars or 1e6 VND point to a producer bug, not a rounding choice.
Year = Annotated[int, Field(ge=2018, le=2100, strict=True)]  # OCOP started in 2018 (QĐ 490/QĐ-TTg)
Stars = Annotated[int, Field(ge=0, le=5, strict=True)]
Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False), AfterValidator(_two_decimals)]
Vnd = Annotated[int, Field(ge=0, strict=True)]
Level = Literal["district", "provincial", "central"]
"""Cấp đánh giá: huyện, tỉnh, trung ương."""


class Product(_Data):
    """Sản phẩm: what is put forward for rating."""

    name: NonEmptyStr
    sector: NonEmptyStr
    """Ngành, e.g. "Thực phẩm"."""
    group: NonEmptyStr
    """Nhóm within the sector, e.g. "Thực phẩm chế biến"."""
    product_set: int = Field(ge=1, le=26, strict=True)
    """Bộ sản phẩm 1..26; it decides which scoring sheet (phiếu đánh giá) applies."""
    description: str


class Producer(_Data):
    """Chủ thể: the legal or natural person owning the product."""

    producer_id: NonEmptyStr
    name: NonEmptyStr
    legal_form: Literal["enterprise", "cooperative", "cooperative_group", "household"]
    """Doanh nghiệp, hợp tác xã, tổ hợp tác, hộ sản xuất có đăng ký kinh doanh."""


class Location(_Data):
    """Địa bàn: administrative unit codes (mã đơn vị hành chính) of the producer."""

    district_code: NonEmptyStr
    commune_code: NonEmptyStr


class ProductRegisteredData(_Data):
    """Hồ sơ đăng ký: a product entered into a rating cycle."""

    registration_id: NonEmptyStr
    cycle_year: Year
    """Year of the rating cycle (chu kỳ đánh giá)."""
    product: Product
    producer: Producer
    location: Location


class DecisionRef(_Data):
    """Quyết định: a numbered administrative decision."""

    number: NonEmptyStr
    """Số quyết định, e.g. "1234/QĐ-UBND"."""
    date: dt.date
    """Ngày ký (civil date, no time zone)."""


class RatingDecision(DecisionRef):
    """Quyết định công nhận (or thu hồi) and who signed it."""

    issued_by: NonEmptyStr
    """Authority that signed, e.g. "UBND tỉnh Thanh Hóa"."""


class Certificate(_Data):
    """Giấy chứng nhận OCOP."""

    number: NonEmptyStr
    valid_from: dt.date
    valid_until: dt.date
    """Last valid day, inclusive."""

    @field_validator("valid_until")
    @classmethod
    def _not_before_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("valid_from")  # absent when valid_from itself was invalid
        if start is not None and value < start:
            raise ValueError(f"must be on or after valid_from ({start.isoformat()})")
        return value


class ProductRatedData(_Data):
    """Kết quả đánh giá, phân hạng: the outcome of a rating or of a change to it."""

    evaluation_id: NonEmptyStr
    cycle_year: Year
    level: Level
    average_score: Score
    """Điểm trung bình of the council, on 100, at most 2 decimals."""
    stars: Stars
    """Hạng sao 0..5 (3 stars is the recognition threshold)."""
    status: Literal["recognized", "not_recognized", "proposed", "downgraded", "revoked", "expired"]
    decision: RatingDecision | None
    certificate: Certificate | None
    reason: str | None
    """Why, in words, for refusals, downgrades, revocations."""
    inspection_id: NonEmptyStr | None
    """The inspection that led to a downgrade or revocation, if any."""


class RewardApprovedData(_Data):
    """Khen thưởng / hỗ trợ: money granted to a rated product."""

    reward_id: NonEmptyStr
    plan_year: Year
    level: Level
    stars: Stars
    amount_vnd: Vnd
    """Whole đồng: ISO 4217 gives VND no minor unit, so a fractional amount is always a bug."""
    funding_source: NonEmptyStr
    """Nguồn kinh phí, e.g. "ngân sách tỉnh"."""
    budget_line: NonEmptyStr
    """Mục chi in the budget plan."""
    decision: DecisionRef


class Finding(_Data):
    """One thing found wrong (tồn tại) during the inspection."""

    criterion: NonEmptyStr
    """Tiêu chí that is no longer met."""
    description: NonEmptyStr


class InspectionFailedData(_Data):
    """Kiểm tra, giám sát sau công nhận found the product below its rating."""

    inspection_id: NonEmptyStr
    inspected_on: dt.date
    inspector_org: NonEmptyStr
    certificate_number: NonEmptyStr
    findings: tuple[Finding, ...] = Field(min_length=1)
    severity: Literal["minor", "major", "critical"]
    recommended_action: Literal["warning", "downgrade", "revocation"]


class ProductRegistered(Envelope[ProductRegisteredData]):
    """A producer (chủ thể) registered a product for the OCOP rating cycle."""

    event_type: Literal["ProductRegistered"]
    schema_version: Literal[1]
    source: Literal["registration"]


class ProductRated(Envelope[ProductRatedData]):
    """A council rated a product, or its recognition changed (downgrade, revocation, expiry)."""

    event_type: Literal["ProductRated"]
    schema_version: Literal[1]
    source: Literal["rating"]


class RewardApproved(Envelope[RewardApprovedData]):
    """Finance approved a reward for a rated product."""

    event_type: Literal["RewardApproved"]
    schema_version: Literal[1]
    source: Literal["finance"]


class InspectionFailed(Envelope[InspectionFailedData]):
    """A post-recognition inspection found the product no longer meets its criteria."""

    event_type: Literal["InspectionFailed"]
    schema_version: Literal[1]
    source: Literal["monitoring"]


AnyEvent = ProductRegistered | ProductRated | RewardApproved | InspectionFailed
