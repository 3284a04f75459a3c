"""Value objects finance's events carry: decisions, funding sources, budget lines, recognitions, payments.

Frozen and typed, so events hold them as they are and the store rebuilds them (dates as civil dates in
Asia/Ho_Chi_Minh, money as ``int`` VND). Constructors check what a value alone can check; rules that need an
aggregate's state live in the aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.finance.domain.errors import FinanceError
from services.finance.domain.money import vnd

BUDGET_LINES: dict[str, str] = {
    "communication": "Tuyên truyền",
    "training": "Đào tạo, tập huấn",
    "study_tours": "Tham quan, học tập kinh nghiệm",
    "rating": "Đánh giá, phân hạng sản phẩm",
    "consulting": "Tư vấn hoàn thiện, nâng cấp sản phẩm",
    "promotion": "Xúc tiến thương mại",
    "rewards": "Khen thưởng sản phẩm đạt sao",
    "upgrade_support": "Hỗ trợ nâng cấp sản phẩm (Thông tư 08/2019/TT-BTC)",
    "management": "Quản lý, chỉ đạo, kiểm tra",
}
"""Mục chi of an OCOP estimate, as the 2022 Thanh Hóa estimate splits it (OCOP-RULES §9.1) plus rewards and upgrade
support (plan items II.4.4, II.6)."""

FUNDING_KINDS: dict[str, str] = {
    "ntm_non_business": "Kinh phí sự nghiệp Chương trình MTQG xây dựng nông thôn mới",
    "science_technology": "Kinh phí sự nghiệp khoa học và công nghệ",
    "industrial_extension": "Kinh phí khuyến công",
    "agricultural_extension": "Kinh phí khuyến nông",
    "self_mobilised": "Vốn tự huy động của doanh nghiệp, hợp tác xã, hộ sản xuất",
    "credit_loans": "Vốn vay tổ chức tín dụng",
    "investment_funds": "Quỹ đầu tư",
    "development_funds": "Quỹ phát triển",
}
"""Nguồn kinh phí hợp pháp of plan §III (OCOP-RULES §9.1)."""

REWARDED_STARS = (3, 4, 5)
RECOGNISING_LEVEL = {3: "provincial", 4: "provincial", 5: "central"}  # who recognises each star under 1048 (§6)


def plan_year(value: object, field: str = "plan_year") -> int:
    """A plan year (năm kế hoạch): an integer from 2018, when OCOP started (QĐ 490/QĐ-TTg), to 2100."""
    if isinstance(value, bool) or not isinstance(value, int) or not 2018 <= value <= 2100:
        raise FinanceError(f"{field} must be a year from 2018 (OCOP's start) to 2100, not {value!r}", field=field)
    return value


def text(value: str, field: str) -> str:
    """A required piece of text (a number, a name, a reason): refused when blank."""
    if not isinstance(value, str) or not value.strip():
        raise FinanceError(f"{field} must not be empty", field=field)
    return value


@dataclass(frozen=True)
class Decision:
    """Quyết định: its number (số), the civil date it was signed and who issued it (cơ quan ban hành).

    ``signer`` is the person who signed (người ký), required where the rules ask for it (a budget's approval).
    """

    number: str
    date: date
    issued_by: str
    signer: str | None = None

    def __post_init__(self) -> None:
        text(self.number, "decision.number")
        text(self.issued_by, "decision.issued_by")


@dataclass(frozen=True)
class FundingSource:
    """Nguồn kinh phí of a budget: its code (as budget lines name it), its name and its lawful kind (§9.1)."""

    code: str
    name: str
    kind: str

    def __post_init__(self) -> None:
        text(self.code, "sources.code")
        text(self.name, "sources.name")
        if self.kind not in FUNDING_KINDS:
            raise FinanceError(f"funding source {self.code}: kind must be one of {', '.join(FUNDING_KINDS)}, "
                               f"not {self.kind!r}", field="sources.kind")


def check_line(line: str, field: str = "budget_line") -> str:
    if line not in BUDGET_LINES:
        raise FinanceError(f"{field} must be one of {', '.join(BUDGET_LINES)}, not {line!r}", field=field)
    return line


@dataclass(frozen=True)
class Allotment:
    """One amount of an estimate (dự toán): a budget line paid from a funding source. 0 = struck out."""

    line: str
    source: str
    amount: int

    def __post_init__(self) -> None:
        check_line(self.line, "allotments.line")
        text(self.source, "allotments.source")
        vnd(self.amount, field="allotments.amount", zero=True)

    @property
    def key(self) -> tuple[str, str]:
        return self.line, self.source


@dataclass(frozen=True)
class LineChange:
    """A change to one amount of the estimate (appraisal or amendment): the new amount and why (lý do)."""

    line: str
    source: str
    amount: int
    reason: str

    def __post_init__(self) -> None:
        check_line(self.line, "changes.line")
        text(self.source, "changes.source")
        vnd(self.amount, field="changes.amount", zero=True)
        text(self.reason, "changes.reason")

    @property
    def key(self) -> tuple[str, str]:
        return self.line, self.source


@dataclass(frozen=True)
class LineRef:
    """Which budget line money comes from: plan year, line (mục chi) and funding source (nguồn)."""

    plan_year: int
    line: str
    source: str

    def __post_init__(self) -> None:
        plan_year(self.plan_year)
        check_line(self.line)
        text(self.source, "funding_source")

    @property
    def stream_id(self) -> str:
        """The id of the ``BudgetLine`` aggregate that holds this money."""
        return f"line:{self.plan_year}:{self.line}:{self.source}"


@dataclass(frozen=True)
class Payment:
    """Chi trả (or, for a recovery, nộp trả): the amount, the voucher (chứng từ) number and the civil date."""

    amount: int
    voucher: str
    paid_on: date

    def __post_init__(self) -> None:
        vnd(self.amount)
        text(self.voucher, "voucher")


@dataclass(frozen=True)
class ProductEntry:
    """What a ProductRegistered tells finance of a product: the registration, the cycle, the product's and
    producer's names and where the producer is (district and commune codes)."""

    product_id: str
    registration_id: str
    cycle_year: int
    name: str
    producer_id: str
    producer_name: str
    district_code: str
    commune_code: str

    def __post_init__(self) -> None:
        text(self.product_id, "product_id")
        text(self.registration_id, "registration_id")
        text(self.district_code, "location.district_code")
