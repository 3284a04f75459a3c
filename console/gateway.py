"""The four services' public HTTP APIs, read with the signed-in person's token: the console's only source of data.

A page asks for what it shows with :meth:`Gateway.get` (or several at once with :func:`gather`); what a service
answers is handed back as JSON, and what it refuses or cannot answer becomes a :class:`Refusal` the page shows in
place of that part (403: not for this role; 404; the service down or slow), so one service down never blanks a page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from urllib.parse import quote
from dataclasses import dataclass
from typing import Any

import httpx

SERVICES: tuple[str, ...] = ("registration", "rating", "finance", "monitoring")
KEEPALIVE_SECONDS = 4.0


@dataclass(frozen=True)
class Refusal:
    """What a service answered instead of data; ``kind`` is ``forbidden``, ``not_found``, ``bad_request`` or
    ``unavailable`` (the page's texts ``error.<kind>`` say it to the person)."""

    service: str
    kind: str
    status: int | None
    detail: str

    def __bool__(self) -> bool:  # ``if answer:`` reads "if the data came"
        return False


class Gateway:
    """One pooled HTTP client per service, shared by every request of the process."""

    def __init__(self, urls: Mapping[str, str], timeout: float, transport: httpx.AsyncBaseTransport | None = None):
        # Idle connections are dropped before the services' uvicorn drops them (keep-alive 5 s), so a request never
        # goes out on a connection the server is closing at that moment.
        limits = httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS)
        self._clients = {name: httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport, limits=limits)
                         for name, url in urls.items()}

    async def close(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients.values()))

    async def get(self, token: str | None, service: str, path: str, params: Mapping[str, Any] | None = None,
                  ) -> Any | Refusal:
        """GET ``path`` of ``service`` as the person: its JSON, or a :class:`Refusal`."""
        return await self._call("GET", token, service, path, params=params)

    async def post(self, token: str | None, service: str, path: str, body: Any = None) -> Any | Refusal:
        """POST a command as the person (the service checks the role and records the actor)."""
        return await self._call("POST", token, service, path, json=body)

    async def _call(self, method: str, token: str | None, service: str, path: str, **kwargs: Any) -> Any | Refusal:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        params = kwargs.pop("params", None)
        if params:
            kwargs["params"] = {key: value for key, value in params.items() if value not in (None, "")}
        try:
            answer = await self._clients[service].request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            return Refusal(service, "unavailable", None, type(exc).__name__)
        if answer.status_code < 300:
            return answer.json() if answer.content else None
        return Refusal(service, _kind(answer.status_code), answer.status_code, _detail(answer))


def _kind(status: int) -> str:
    if status in (401, 403):
        return "forbidden"
    if status == 404:
        return "not_found"
    if 400 <= status < 500:
        return "bad_request"
    return "unavailable"


def _detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"HTTP {answer.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict) and isinstance(detail.get("message"), str):
        return detail["message"]  # the services' error body: {"detail": {"error", "message", "field"}}
    if isinstance(detail, str):
        return detail
    return f"HTTP {answer.status_code}"


def segment(value: object) -> str:
    """A value put into a service's path, quoted whole: an id typed in an address (``S1?x=1``, ``../x``, ``a#b``)
    stays one path segment of the service's route, never a query, a fragment or another route."""
    return quote(str(value), safe="")


async def gather(*calls: Awaitable[Any]) -> list[Any]:
    """Several reads at once (each a value or a :class:`Refusal`)."""
    return list(await asyncio.gather(*calls))
