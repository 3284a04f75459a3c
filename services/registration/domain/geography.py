"""Thanh Hóa's district-level units and communes (đơn vị hành chính) with their official GSO codes."""

from __future__ import annotations

from dataclasses import dataclass

from services.registration.domain.errors import InvalidInput


@dataclass(frozen=True)
class Commune:
    code: str
    name: str


@dataclass(frozen=True)
class District:
    code: str
    name: str
    communes: dict[str, Commune]

    @property
    def kind(self) -> str:
        """thành phố (city), thị xã (town) or huyện (rural district), from the official name."""
        for kind in ("Thành phố", "Thị xã", "Huyện"):
            if self.name.startswith(kind):
                return kind.lower()
        return "huyện"


class Geography:
    """Reference data; an unknown code or a commune outside its district is invalid input."""

    def __init__(self, districts: list[District]) -> None:
        self.districts = {d.code: d for d in districts}

    def district(self, code: str, *, field: str = "district_code") -> District:
        try:
            return self.districts[code]
        except KeyError:
            raise InvalidInput(f"unknown district code {code!r}; see GET /reference/districts", field=field) from None

    def locate(self, district_code: str, commune_code: str, *, prefix: str = "") -> tuple[District, Commune]:
        district = self.district(district_code, field=prefix + "district_code")
        commune = district.communes.get(commune_code)
        if commune is None:
            raise InvalidInput(
                f"commune code {commune_code!r} is not a commune of {district.name} ({district.code})",
                field=prefix + "commune_code",
            )
        return district, commune
