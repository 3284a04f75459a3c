"""Who acts in the OCOP programme: the roles a token's ``role`` claim names, their Vietnamese titles, where they act.

Programme knowledge shared by every service and by the token issuer (``ocop token``). The kernel's auth knows no
role by name: it reads role claims with the vocabulary the settings hand it (``KernelSettings.roles``, this
``Role`` by default) and asks each role where it acts (``district_scoped``, ``optionally_district_scoped``,
``commune_scoped``). See docs/ROLES.md for who may do what in each service.
"""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    """Who acts in the OCOP process. Values are what the ``role`` claim carries."""

    producer = "producer"
    commune_officer = "commune_officer"
    district_officer = "district_officer"
    council_member = "council_member"
    council_secretary = "council_secretary"
    provincial_office = "provincial_office"
    finance_officer = "finance_officer"
    inspector = "inspector"
    central_office = "central_office"
    operator = "operator"

    def __str__(self) -> str:  # f"{role}" -> "district_officer", not "Role.district_officer"
        return self.value

    @property
    def label_vi(self) -> str:
        return _LABELS_VI[self]

    @property
    def district_scoped(self) -> bool:
        """The role always acts inside one district and its token must carry ``district``."""
        return self in DISTRICT_SCOPED_ROLES

    @property
    def optionally_district_scoped(self) -> bool:
        """The role may carry ``district`` (a district council) or not (a provincial or central council)."""
        return self in OPTIONALLY_DISTRICT_SCOPED_ROLES

    @property
    def commune_scoped(self) -> bool:
        """The role acts inside one commune and its token must carry ``commune`` (and that commune's district)."""
        return self in COMMUNE_SCOPED_ROLES

    @classmethod
    def operations_roles(cls) -> tuple[Role, ...]:
        """Who may read a service's pipeline status (``GET /ops/status``)."""
        return (cls.operator, cls.provincial_office)


_LABELS_VI: dict[Role, str] = {
    Role.producer: "Chủ thể sản xuất (HTX, doanh nghiệp, tổ hợp tác, hộ có đăng ký kinh doanh)",
    Role.commune_officer: "Cán bộ UBND cấp xã",
    Role.district_officer: "Cán bộ bộ phận thường trực OCOP cấp huyện",
    Role.council_member: "Thành viên Hội đồng đánh giá, phân hạng sản phẩm OCOP",
    Role.council_secretary: "Thư ký Hội đồng đánh giá, phân hạng sản phẩm OCOP",
    Role.provincial_office: "Văn phòng Điều phối Chương trình MTQG xây dựng NTM tỉnh",
    Role.finance_officer: "Cán bộ Sở Tài chính",
    Role.inspector: "Cán bộ kiểm tra, giám sát chất lượng",
    Role.central_office: "Văn phòng Điều phối NTM Trung ương (Bộ NN&PTNT)",
    Role.operator: "Vận hành hệ thống (CNTT)",
}

#: Must carry ``district`` (and ``commune`` for commune_officer); act only inside it.
DISTRICT_SCOPED_ROLES: frozenset[Role] = frozenset({Role.commune_officer, Role.district_officer})
#: May carry ``district`` (district council) or not (provincial / central council).
OPTIONALLY_DISTRICT_SCOPED_ROLES: frozenset[Role] = frozenset({Role.council_member, Role.council_secretary})
#: Must carry ``commune``; act only inside it.
COMMUNE_SCOPED_ROLES: frozenset[Role] = frozenset({Role.commune_officer})
