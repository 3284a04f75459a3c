"""Load-time checks of reference data: each refusal is a ``ReferenceDataError`` whose ``field`` is the entry's path
in its file (``district-units.editions[0].units[3].code``), so a bad file is fixed without reading code."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from services.monitoring.domain.errors import ReferenceDataError


def need(raw: Any, key: str, entry: str) -> Any:
    if not isinstance(raw, Mapping) or key not in raw:
        raise ReferenceDataError(f"{entry}: missing {key!r}", field=f"{entry}.{key}")
    return raw[key]


def only_keys(raw: Mapping[str, Any], allowed: set[str], entry: str) -> None:
    """Unknown keys are refused: a misspelt key must not silently mean its default."""
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ReferenceDataError(f"{entry}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})",
                                 field=f"{entry}.{unknown[0]}")


def text(raw: Mapping[str, Any], key: str, entry: str) -> str:
    value = need(raw, key, entry)
    if not isinstance(value, str) or not value.strip():
        raise ReferenceDataError(f"{entry}.{key} must be a non-empty text", field=f"{entry}.{key}")
    return value.strip()


def identifier(raw: Mapping[str, Any], key: str, entry: str) -> str:
    """A lower-case ASCII id such as ``six_month``: it is stored in events and typed in requests."""
    value = text(raw, key, entry)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        raise ReferenceDataError(f"{entry}.{key} must be a lower-case id such as six_month, not {value!r}",
                                 field=f"{entry}.{key}")
    return value


def whole(raw: Mapping[str, Any], key: str, entry: str, *, minimum: int) -> int:
    """A whole number ≥ ``minimum``; floats, strings and booleans are refused (8e1 products is a typo)."""
    value = need(raw, key, entry)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ReferenceDataError(f"{entry}.{key} must be a whole number ≥ {minimum}, not {value!r}",
                                 field=f"{entry}.{key}")
    return value


def plan_year(raw: Mapping[str, Any], key: str, entry: str) -> int:
    """A plan year (năm kế hoạch): OCOP began in 2018 (QĐ 490/QĐ-TTg)."""
    return whole(raw, key, entry, minimum=2018)


def entries(raw: Mapping[str, Any], key: str, entry: str) -> Sequence[Any]:
    value = need(raw, key, entry)
    if not isinstance(value, list) or not value:
        raise ReferenceDataError(f"{entry}.{key} must be a non-empty list", field=f"{entry}.{key}")
    return value


def month_day(raw: Mapping[str, Any], key: str, entry: str) -> tuple[int, int]:
    """A day of every year written MM-DD; 29 February is refused (it is not a day of every year)."""
    value = need(raw, key, entry)
    try:
        month, day = (int(part) for part in str(value).split("-"))
        date(2021, month, day)  # any non-leap year
    except ValueError:
        raise ReferenceDataError(f"{entry}.{key} must be a day of every year written MM-DD, not {value!r}",
                                 field=f"{entry}.{key}") from None
    return month, day


def check_format(raw: Any, expected: str, name: str) -> None:
    if need(raw, "format", name) != expected:
        raise ReferenceDataError(f"{name}: format must be {expected!r}, not {raw['format']!r}", field=f"{name}.format")


def ascending_editions(years: Sequence[int], entry: str) -> None:
    """Editions apply from their plan year until the next one: strictly ascending, so each year has one."""
    for i in range(1, len(years)):
        if years[i] <= years[i - 1]:
            raise ReferenceDataError(f"{entry}[{i}]: from_plan_year {years[i]} does not follow {years[i - 1]}",
                                     field=f"{entry}[{i}].from_plan_year")
