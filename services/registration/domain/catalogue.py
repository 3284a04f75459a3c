"""The 26 OCOP product sets of Decision 1048 as amended by 781 (bộ sản phẩm): each belongs to one sector and group.

The product set decides the scoring sheet at rating, so a registration names it
and the sector and group follow from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.registration.domain.errors import InvalidInput
from services.registration.domain.values import Product


@dataclass(frozen=True)
class ProductSet:
    number: int
    sector: str
    group: str
    name: str


_FOOD, _DRINKS, _HERBAL = "Thực phẩm", "Đồ uống", "Thảo dược"
_CRAFT = "Lưu niệm - nội thất - trang trí"
_TEXTILE, _TOURISM = "Vải và may mặc", "Dịch vụ du lịch nông thôn, bán hàng"

PRODUCT_SETS: dict[int, ProductSet] = {
    s.number: s
    for s in (
        ProductSet(1, _FOOD, "Thực phẩm tươi sống", "Rau, củ, quả, hạt tươi"),
        ProductSet(2, _FOOD, "Thực phẩm tươi sống", "Thịt, trứng, sữa tươi"),
        ProductSet(3, _FOOD, "Thực phẩm thô, sơ chế", "Gạo, ngũ cốc"),
        ProductSet(4, _FOOD, "Thực phẩm thô, sơ chế", "Mật ong, các sản phẩm từ mật ong, mật khác"),
        ProductSet(5, _FOOD, "Thực phẩm chế biến", "Đồ ăn nhanh"),
        ProductSet(6, _FOOD, "Thực phẩm chế biến", "Chế biến từ gạo, ngũ cốc"),
        ProductSet(7, _FOOD, "Thực phẩm chế biến", "Chế biến từ rau, củ, quả, hạt"),
        ProductSet(8, _FOOD, "Thực phẩm chế biến", "Chế biến từ thịt, trứng, sữa"),
        ProductSet(9, _FOOD, "Thực phẩm chế biến", "Chế biến từ thủy, hải sản"),
        ProductSet(10, _FOOD, "Gia vị", "Tương, nước mắm, gia vị dạng lỏng khác"),
        ProductSet(11, _FOOD, "Gia vị", "Gia vị khác"),
        ProductSet(12, _FOOD, "Chè", "Chè tươi, chế biến"),
        ProductSet(13, _FOOD, "Chè", "Các sản phẩm khác từ chè, trà"),
        ProductSet(14, _FOOD, "Cà phê, ca cao", "Cà phê, ca cao"),
        ProductSet(15, _DRINKS, "Đồ uống có cồn", "Rượu trắng"),
        ProductSet(16, _DRINKS, "Đồ uống có cồn", "Đồ uống có cồn khác"),
        ProductSet(17, _DRINKS, "Đồ uống không cồn", "Nước khoáng thiên nhiên, nước uống tinh khiết"),
        ProductSet(18, _DRINKS, "Đồ uống không cồn", "Đồ uống không cồn"),
        ProductSet(19, _HERBAL, "Thực phẩm chức năng, thuốc dược liệu, thuốc Y học cổ truyền", "Thực phẩm chức năng, thuốc dược liệu, thuốc Y học cổ truyền"),
        ProductSet(20, _HERBAL, "Mỹ phẩm", "Mỹ phẩm"),
        ProductSet(21, _HERBAL, "Trang thiết bị, dụng cụ y tế", "Trang thiết bị, dụng cụ y tế"),
        ProductSet(22, _HERBAL, "Thảo dược khác", "Thảo dược khác"),
        ProductSet(23, _CRAFT, "Thủ công mỹ nghệ, trang trí", "Thủ công mỹ nghệ, trang trí"),
        ProductSet(24, _CRAFT, "Thủ công mỹ nghệ gia dụng", "Thủ công mỹ nghệ gia dụng"),
        ProductSet(25, _TEXTILE, "Vải, may mặc", "Vải, may mặc"),
        ProductSet(26, _TOURISM, "Dịch vụ du lịch cộng đồng và điểm du lịch", "Dịch vụ du lịch cộng đồng và điểm du lịch"),
    )
}

# The API's bounds on a product set number come from here too.
FIRST_SET, LAST_SET = min(PRODUCT_SETS), max(PRODUCT_SETS)


def product_set(number: int, *, field: str = "product.product_set") -> ProductSet:
    try:
        return PRODUCT_SETS[number]
    except KeyError:
        raise InvalidInput(f"product set {number} does not exist; it must be one of {FIRST_SET}–{LAST_SET}", field=field) from None


def describe_product(name: str, number: int, description: str, sector: str | None = None, group: str | None = None) -> Product:
    """The product as registered: its set decides its sector and group, which must agree if given."""
    chosen = product_set(number)
    if not name.strip():
        raise InvalidInput("the product needs a name", field="product.name")
    if sector is not None and sector != chosen.sector:
        raise InvalidInput(f"product set {number} belongs to sector {chosen.sector!r}, not {sector!r}", field="product.sector")
    if group is not None and group != chosen.group:
        raise InvalidInput(f"product set {number} belongs to group {chosen.group!r}, not {group!r}", field="product.group")
    return Product(name, chosen.sector, chosen.group, number, description)
