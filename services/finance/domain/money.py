"""Money is a whole number of đồng (VND has no minor unit): the one check every amount goes through."""

from __future__ import annotations

from typing import Any

from services.finance.domain.errors import InvalidAmount


def vnd(value: Any, *, field: str = "amount", zero: bool = False) -> int:
    """``value`` as an amount of VND, or ``InvalidAmount`` naming ``field``.

    A bool is refused although Python counts it as an int (``True`` đồng is a bug, not one đồng); so are floats,
    even whole ones (``1e7`` points to a producer that computes money in floating point). ``zero`` allows 0, for
    an estimate line that is struck out.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmount(f"{field} must be a whole number of VND, not {value!r}", field=field)
    if value < 0 or (value == 0 and not zero):
        floor = "0 or more" if zero else "more than 0"
        raise InvalidAmount(f"{field} must be {floor} VND, not {value}", field=field)
    return value


def format_vnd(amount: int) -> str:
    """10000000 → "10.000.000 đ" (Vietnamese grouping), for messages and printed summaries."""
    return f"{amount:,}".replace(",", ".") + " đ"
