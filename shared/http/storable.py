"""Input PostgreSQL cannot store is refused at the edge, for every route at once, with 422 naming the field.

Text and jsonb cannot hold the NUL character (U+0000) nor a lone surrogate, ``bigint`` stops at 64 bits and jsonb has
no NaN or infinity. Validation lets all of them through, so without this check they reach the database and fail there
as a 500. :func:`storable_input` is an app-wide dependency: it runs before a route's own validation, on the raw path
and query values and on the JSON body FastAPI has already parsed.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INTEGER_TEXT = re.compile(r"[+-]?\d[\d_]*")

Loc = tuple[str | int, ...]
Problem = dict[str, Any]


async def storable_input(request: Request) -> None:
    """Raise a validation error for every value of the request that PostgreSQL could not store."""
    problems = [*_parameter_problems(request), *_value_problems(await _json_body(request), ("body",))]
    if problems:
        raise RequestValidationError(problems)


def _parameter_problems(request: Request) -> Iterator[Problem]:
    dependant = getattr(request.scope.get("route"), "dependant", None)
    for where, values, declared in (
        ("path", request.path_params.items(), getattr(dependant, "path_params", ())),
        ("query", request.query_params.multi_items(), getattr(dependant, "query_params", ())),
    ):
        integers = {field.alias for field in declared if _integer(field.field_info.annotation)}
        for name, value in values:
            yield from _text_problems(value, (where, name))
            # A string of digits is text unless the route declares the parameter an integer.
            if name in integers and _INTEGER_TEXT.fullmatch(value.strip()):
                yield from _integer_problems(int(value.strip()), (where, name))


async def _json_body(request: Request) -> Any:
    route = request.scope.get("route")
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if getattr(route, "body_field", None) is None or not (media == "application/json" or media.endswith("+json")):
        return None
    try:
        return await request.json()  # parsed (and kept) by FastAPI before any dependency runs
    except ValueError:
        return None  # not JSON: the route's own validation answers


def _value_problems(value: Any, loc: Loc) -> Iterator[Problem]:
    if isinstance(value, str):
        yield from _text_problems(value, loc)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        yield from _integer_problems(value, loc)
    elif isinstance(value, float) and not math.isfinite(value):
        yield _problem(loc, "must be a finite number (NaN and infinity cannot be stored)")
    elif isinstance(value, float) and not INT64_MIN <= value <= INT64_MAX:
        # Validation turns an integral float (1e30) into an int for an int field, which then overflows bigint;
        # no OCOP quantity comes near 2**63, so every number beyond it is refused here, whatever the field.
        yield _problem(loc, f"must be between {INT64_MIN} and {INT64_MAX} (64 bits)")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _text_problems(key, (*loc, key))
            yield from _value_problems(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _value_problems(item, (*loc, index))


def _text_problems(text: str, loc: Loc) -> Iterator[Problem]:
    if "\x00" in text:
        yield _problem(loc, "must not contain the NUL character (\\u0000)")
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        yield _problem(loc, "must be valid Unicode (a lone surrogate cannot be stored)")


def _integer_problems(number: int, loc: Loc) -> Iterator[Problem]:
    if not INT64_MIN <= number <= INT64_MAX:
        yield _problem(loc, f"must be between {INT64_MIN} and {INT64_MAX} (64 bits)")


def _integer(annotation: Any) -> bool:
    """``int``, ``int | None``, ``list[int]`` …: the parameter's values are parsed as integers."""
    if typing.get_origin(annotation) is not None or isinstance(annotation, types.UnionType):
        return any(_integer(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, int) and not issubclass(annotation, bool)


def _problem(loc: Loc, message: str) -> Problem:
    return {"loc": loc, "msg": message, "type": "value_error"}
