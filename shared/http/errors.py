"""Every error a service answers over HTTP has one body: ``{"detail": {"error", "message", "field", ...}}``.

Kernel errors (a lost race, an id taken, an unknown stream, a malformed request) have fixed statuses; a service's
domain errors (:class:`~shared.errors.DomainError` subclasses) get theirs from the definition's ``errors`` table.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
import structlog

from shared.errors import DomainError
from shared.eventstore import ConcurrencyError, WrongStreamType
from shared.uow import NotFound

log = structlog.get_logger(__name__)

#: What a domain error answers when neither it nor any of its bases is in the definition's ``errors`` table.
UNMAPPED_DOMAIN_ERROR = (422, "invalid_input")


class ErrorDetail(BaseModel):
    error: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """Every error answer; some add keys to ``detail`` (``stream_id`` of a conflict, ``errors`` of a 422)."""

    detail: ErrorDetail


#: Answers any route may give, documented on every route of a service's OpenAPI.
SHARED_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No bearer token, or one that is expired, forged or malformed"
          " (`WWW-Authenticate: Bearer`)."},
    403: {"model": ErrorBody, "description": "The caller's role or district may not do this."},
    404: {"model": ErrorBody, "description": "The id names nothing this service holds (`error`: `not_found`)."},
    409: {"model": ErrorBody, "description": "The command does not fit the current state, or another writer got there"
          " first (`conflict`: reload and retry)."},
    413: {"model": ErrorBody, "description": "The request body is over the service's limit."},
    # Replaces FastAPI's own 422 schema: our validation answers carry the field, the rule and every problem.
    422: {"model": ErrorBody, "description": "Invalid input: `field` names the first field at fault and the message"
          " the rule; `errors` lists every problem."},
    500: {"model": ErrorBody, "description": "Unexpected error; the message names the reference logged with its trace."},
    503: {
        "model": ErrorBody,
        "description": "The database is unavailable (`error`: `unavailable`): nothing was applied, or, when the"
        " message says the connection was lost while committing, the command may have been. Try again after"
        " `Retry-After`.",
        "headers": {"Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}},
    },
}


def internal_error(exc: BaseException, method: str | None, path: str | None) -> JSONResponse:
    """A JSON 500 whose message names a reference, logged with the traceback (and the trace ids of the request)."""
    reference = uuid.uuid4().hex[:16]
    log.error("unexpected error", reference=reference, exc_info=exc, method=method, path=path)
    return error_response(500, "internal", f"unexpected error; reference {reference} in the service's log", field=None)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """What escapes every other handler and middleware (Starlette's last resort would answer plain text)."""
    return internal_error(exc, request.method, request.url.path)


def error_response(status: int, error: str, message: str, headers: Mapping[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": {"error": error, "message": message, **extra}},
                        headers=headers)


def validation_problem(error: Mapping[str, Any]) -> dict[str, str]:
    """One validation problem as the field path (without FastAPI's 'body' prefix) and the rule broken."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path"):
        loc = loc[1:] or loc
    if error.get("type") == "json_invalid":
        return {"field": "body", "rule": f"malformed JSON: {error.get('ctx', {}).get('error', error.get('msg'))}"}
    return {"field": ".".join(loc) or "body", "rule": str(error.get("msg"))}


async def _conflict(_: Request, exc: ConcurrencyError) -> JSONResponse:
    return error_response(409, "conflict", str(exc), stream_id=exc.stream_id)


async def _id_taken(_: Request, exc: WrongStreamType) -> JSONResponse:
    return error_response(409, "id_taken", str(exc))


async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
    return error_response(404, "not_found", str(exc))


#: The error code of each status Starlette or FastAPI answers by itself (an unknown path, a method not served …).
_HTTP_ERRORS = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """Starlette's and FastAPI's own refusals in our body. A body that cannot even be decoded (FastAPI's 400) is
    malformed input like any other: 422 naming the body, as a malformed JSON body is."""
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return error_response(422, "invalid_request", "body: malformed JSON: not UTF-8 text", field="body",
                              errors=[{"field": "body", "rule": "malformed JSON: not UTF-8 text"}])
    if isinstance(exc.detail, dict) and "error" in exc.detail:
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(exc.status_code, _HTTP_ERRORS.get(exc.status_code, "http_error"), str(exc.detail),
                          field=None, headers=headers or None)


def allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document gives the request's path: Starlette's 405 names only the first route's."""
    return sorted(method.upper() for template, operations in request.app.openapi().get("paths", {}).items()
                  if _template(template).fullmatch(request.url.path) for method in operations)


@functools.cache
def _template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{[^}/]+\\}", "[^/]+", re.escape(path)))


async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [validation_problem(e) for e in exc.errors()]
    message = "; ".join(f"{p['field']}: {p['rule']}" for p in problems)
    return error_response(422, "invalid_request", message, field=problems[0]["field"] if problems else None,
                          errors=problems)


def domain_error_handler(status: int, code: str) -> Callable[[Request, Exception], Any]:
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return error_response(status, code, str(exc), field=getattr(exc, "field", None))

    return handle


def install_error_handlers(app: FastAPI, errors: Mapping[type[Exception], tuple[int, str]]) -> None:
    """Kernel errors, then the service's table; Starlette answers an exception with the handler of its nearest
    listed class, so a domain error takes its own entry, else its base's, else :data:`UNMAPPED_DOMAIN_ERROR`."""
    app.add_exception_handler(ConcurrencyError, _conflict)
    app.add_exception_handler(WrongStreamType, _id_taken)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(DomainError, domain_error_handler(*UNMAPPED_DOMAIN_ERROR))
    for error_type, (status, code) in errors.items():
        app.add_exception_handler(error_type, domain_error_handler(status, code))
