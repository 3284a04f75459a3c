"""How the console writes dates, money and numbers: dd/mm/yyyy, ``10.000.000 ₫``, ``1.234`` (Vietnamese usage, kept in
both languages so a printed page reads the same whichever language produced it)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

#: Civil dates and times are Vietnam's.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_NBSP = "\u00a0"


def number(value: object) -> str:
    """``1234567`` → ``1.234.567``; None or an empty value → ``–``."""
    if value is None or value == "":
        return "–"
    try:
        whole = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)
    return f"{whole:,}".replace(",", ".")


def money(value: object) -> str:
    """Integer VND: ``10000000`` → ``10.000.000 ₫`` (a no-break space before the sign)."""
    if value is None or value == "":
        return "–"
    return f"{number(value)}{_NBSP}₫"


def _parsed(value: object) -> date | datetime | None:
    if isinstance(value, (date, datetime)):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def day(value: object) -> str:
    """An ISO date or timestamp → ``dd/mm/yyyy`` (a timestamp as Vietnam's civil date); anything else as given."""
    parsed = _parsed(value)
    if parsed is None:
        return "–" if value in (None, "") else str(value)
    if isinstance(parsed, datetime):
        parsed = parsed.astimezone(VIETNAM).date() if parsed.tzinfo else parsed.date()
    return parsed.strftime("%d/%m/%Y")


def moment(value: object) -> str:
    """An ISO timestamp → ``dd/mm/yyyy HH:MM:SS`` in Vietnam's time; a bare date → ``dd/mm/yyyy``."""
    parsed = _parsed(value)
    if parsed is None:
        return "–" if value in (None, "") else str(value)
    if not isinstance(parsed, datetime):
        return parsed.strftime("%d/%m/%Y")
    if parsed.tzinfo:
        parsed = parsed.astimezone(VIETNAM)
    return parsed.strftime("%d/%m/%Y %H:%M:%S")


def stars(value: object) -> str:
    """``4`` → ``★★★★``; nothing → ``–``."""
    try:
        count = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "–"
    return "★" * count if 0 < count <= 5 else "–"


def percent(part: object, whole: object) -> int:
    """How much of ``whole`` ``part`` is, in whole percent, capped to 0–100 (for bars); 0 when ``whole`` is 0."""
    try:
        p, w = float(part), float(whole)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    if w <= 0:
        return 0
    return max(0, min(100, round(100 * p / w)))


def today() -> date:
    return datetime.now(VIETNAM).date()
