"""Edge types every service's routes and bodies share, so the OpenAPI document states what the service accepts.

A value the document allows must be one the service takes (and one it forbids, one the service refuses): pydantic's
lax mode would take ``0`` for a date (1970-01-01) or ``"7"`` for a number, which the document calls wrong, and its
strict mode refuses ``7.0``, which JSON Schema calls an integer. These types take exactly what their schema says.
They are shapes and plausible ranges of the wire format, not business rules: which years have a plan, which codes
exist, are the domain's and its reference data's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

#: Civil dates the platform takes: the OCOP programme began in 2018; nothing is planned past 2100.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
FIRST_YEAR, LAST_YEAR = 2018, 2100
#: The largest page offset a list takes (beyond every table's size; keeps the value a 32-bit SQL parameter).
MAX_OFFSET = 1_000_000

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` text (or a date already parsed): never a number of seconds since 1970."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


def _whole_number(value: Any) -> Any:
    """A JSON integer, which JSON Schema lets be written ``7.0``; never text nor a boolean, never a fraction."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


#: Years the platform takes, in the document too (JSON Schema has no range for dates; a pattern says it).
_YEARS = r"(20[0-9]{2}|2100)"
#: Months and days spelled out too: a generator writes dates from the pattern and drops those that are no date, so
#: ``[0-9]{2}`` for both (one in thirty a date) left a list of dates all but ungeneratable ("filter too much").
_MONTHS, _DAYS = r"(0[1-9]|1[0-2])", r"(0[1-9]|[12][0-9]|3[01])"

#: A civil date (Asia/Ho_Chi_Minh), written YYYY-MM-DD, between 2000-01-01 and 2100-12-31.
CivilDate = Annotated[
    date, Field(ge=FIRST_DAY, le=LAST_DAY), BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": f"^{_YEARS}-{_MONTHS}-{_DAYS}$",
                    "description": "a civil date YYYY-MM-DD, 2000-01-01 to 2100-12-31"}),
]
# The constraints (Field) come before the validator: so they reach the schema as minimum/maximum and are checked on
# the number the validator made.
#: A whole number as JSON Schema's ``integer`` means it (``7`` or ``7.0``), in a JSON body.
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
#: Money in whole đồng, more than 0 (VND has no minor unit in use).
Vnd = Annotated[int, Field(gt=0, le=10**15, description="whole đồng, more than 0"), BeforeValidator(_whole_number)]
#: Money in whole đồng, 0 or more.
VndOrZero = Annotated[int, Field(ge=0, le=10**15, description="whole đồng, 0 or more"), BeforeValidator(_whole_number)]
#: A plan or cycle year of the programme, in a JSON body (a query or path year is ``int`` with ``year_query``).
PlanYear = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR), BeforeValidator(_whole_number)]
#: Free text a person writes: not blank once trimmed. The pattern says "not blank" to the document's readers too, and
#: "no NUL" (which the edge refuses, shared/http/storable.py): a string with a pattern gets no other from the document.
#: Whitespace is spelled out: trimming (pydantic's) takes Unicode's White_Space, while ``\s`` differs by engine (Python's
#: adds U+001C–U+001F, ECMAScript's lacks U+0085 and adds U+FEFF), and a generator saw "\u0085" as not blank. The
#: separators U+001C–U+001F count as blank too: the domains check "not blank" with Python's ``str.strip()``, which
#: removes them, so "\u001e" alone passed the edge and was refused by a domain as empty (422 for a valid request).
_WHITE_SPACE = r"\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NOT_BLANK = rf"^[^\u0000]*[^\u0000{_WHITE_SPACE}][^\u0000]*$"


def text(max_length: int) -> Any:
    """Free text of at most ``max_length`` characters once trimmed, not blank (as ``Text``, of another length)."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
                     Field(pattern=_NOT_BLANK)]


Text = text(300)
LongText = text(2000)


def year_query(default: Any = None) -> Any:
    """``?plan_year=`` and the like (text on the wire: FastAPI parses the digits)."""
    return Query(default=default, ge=FIRST_YEAR, le=LAST_YEAR, description=f"a year, {FIRST_YEAR}–{LAST_YEAR}")


def limit_query(default: int = 50, maximum: int = 500) -> Any:
    """``?limit=`` of a list: how many items one page holds."""
    return Query(default=default, ge=1, le=maximum, description=f"items per page (1–{maximum})")


#: ``?offset=`` of a list: how many items to skip.
OFFSET = Query(default=0, ge=0, le=MAX_OFFSET, description=f"items to skip (0–{MAX_OFFSET})")


def reference_code(codes: Iterable[str], *, what: str) -> Any:
    """A code of a service's reference data (a district, a commune …) as an edge type: the document lists every
    code (``enum``), so one of the right shape that names nothing (district ``000``) is refused by the schema and by
    the service alike, with 422 naming the field. ``what`` names the kind of code in the message and the document."""
    known = tuple(sorted(codes))
    allowed = frozenset(known)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{value!r} is not a known {what}")
        return value

    return Annotated[str, AfterValidator(check),
                     WithJsonSchema({"type": "string", "enum": list(known), "description": f"a {what}"})]


def whole_number_between(low: int, high: int, description: str | None = None) -> Any:
    """A whole number of a JSON body from ``low`` to ``high``, the bounds stated in the document (``WholeNumber``
    given a ``Field`` afterwards would print them as pydantic's ``ge``/``le``, which JSON Schema does not know)."""
    return Annotated[int, Field(ge=low, le=high, description=description), BeforeValidator(_whole_number)]


def one_of(*branches: dict[str, Any]) -> Any:
    """A rule between a body's fields, stated in its schema as JSON Schema's ``oneOf`` (a model's
    ``json_schema_extra``): each branch the values of some fields allow for the others, e.g. a district council and
    its district code. The service still enforces the rule; the document now says it."""

    def add(schema: dict[str, Any]) -> None:
        schema["oneOf"] = list(branches)

    return add
