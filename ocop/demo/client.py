"""HTTP client, credentials and the context the demo's steps share."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import httpx
from rich.console import Console

from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.settings import KernelSettings

START_HINT = "start it with `make run` (or `ocop up`)"



# ----------------------------------------------------------------------------------------------------- errors


class DemoError(Exception):
    """The demo cannot go on; the message says why and what to do."""


class SystemUnreachable(DemoError):
    pass


class ApiError(DemoError):
    """A service answered with an unexpected status; the message carries its error code, text and field."""

    def __init__(self, service: str, method: str, path: str, status: int, body: Any) -> None:
        self.status, self.body = status, body
        detail = body.get("detail") if isinstance(body, dict) else None
        if isinstance(detail, dict):
            field_ = f" (field {detail['field']})" if detail.get("field") else ""
            said = f"{detail.get('error', '?')}: {detail.get('message', '')}{field_}"
        else:
            said = json.dumps(body, ensure_ascii=False)[:500] if body is not None else "no body"
        self.error = detail.get("error") if isinstance(detail, dict) else None
        super().__init__(f"{service}: {method} {path} answered {status} {said}")


# ----------------------------------------------------------------------------------------------------- actors


@dataclass(frozen=True)
class Credential:
    """One person the demo plays, with the bearer header to send."""

    actor_id: str
    role: Role
    headers: dict[str, str]


class Staff:
    """Mints the tokens of the people the demo plays, with the same key the services verify (``OCOP_JWT_*``)."""

    def __init__(self, settings: KernelSettings | None = None, ttl: timedelta = timedelta(hours=2)) -> None:
        self.settings = settings or KernelSettings()
        self.ttl = ttl
        self._minted: dict[tuple[str, Role, str | None], Credential] = {}

    def _credential(self, actor_id: str, role: Role, district: str | None = None, commune: str | None = None) -> Credential:
        key = (actor_id, role, district)
        if key not in self._minted:
            token = mint_token(self.settings, actor_id=actor_id, role=role, district=district, commune=commune, ttl=self.ttl)
            self._minted[key] = Credential(actor_id, role, {"Authorization": f"Bearer {token}"})
        return self._minted[key]

    def commune_officer(self, district: str, commune: str) -> Credential:
        return self._credential(f"can-bo-xa-{commune}", Role.commune_officer, district, commune)

    def district_officer(self, district: str) -> Credential:
        return self._credential(f"can-bo-huyen-{district}", Role.district_officer, district)

    def producer(self, producer_id: str) -> Credential:
        return self._credential(producer_id, Role.producer)

    def provincial_office(self) -> Credential:
        return self._credential("vp-dieu-phoi-ntm", Role.provincial_office)

    def central_office(self) -> Credential:
        return self._credential("vp-dieu-phoi-ntm-trung-uong", Role.central_office)

    def council_member(self, member_id: str, district: str | None = None) -> Credential:
        """A member of a district council carries its district; provincial and central members carry none."""
        return self._credential(member_id, Role.council_member, district)

    def council_secretary(self, member_id: str, district: str | None = None) -> Credential:
        return self._credential(member_id, Role.council_secretary, district)

    def operator(self) -> Credential:
        return self._credential("demo-operator", Role.operator)

    def finance_officer(self) -> Credential:
        """An officer of the Department of Finance (Sở Tài chính): appraises, allocates, approves and pays."""
        return self._credential("so-tai-chinh-ke-toan", Role.finance_officer)

    def inspector(self) -> Credential:
        return self._credential("thanh-tra-so-cong-thuong", Role.inspector)

    @property
    def people(self) -> int:
        return len(self._minted)


# ----------------------------------------------------------------------------------------------------- HTTP


class ServiceClient:
    """One service's public HTTP API, with at most ``concurrency`` requests in flight."""

    def __init__(self, name: str, base_url: str, *, concurrency: int = 8, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.name, self.base_url = name, base_url.rstrip("/")
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, limits=limits, transport=transport)
        self._slots = asyncio.Semaphore(concurrency)
        self.requests = 0

    async def request(self, method: str, path: str, *, as_: Credential | None = None, json_body: Any = None,
                      params: dict[str, Any] | None = None, correlation_id: uuid.UUID | None = None,
                      expect: Iterable[int] = (200, 201)) -> Any:
        headers = dict(as_.headers) if as_ else {}
        if correlation_id is not None:
            headers["X-Correlation-ID"] = str(correlation_id)
        async with self._slots:
            try:
                response = await self.http.request(method, path, json=json_body, params=params, headers=headers)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise SystemUnreachable(
                    f"the {self.name} service at {self.base_url} is not reachable ({exc or type(exc).__name__});"
                    f" {START_HINT}"
                ) from exc
            except httpx.TransportError as exc:
                raise DemoError(f"{self.name}: {method} {path} got no answer ({type(exc).__name__}: {exc})") from exc
        self.requests += 1
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = {"detail": {"error": "not_json", "message": response.text[:300]}}
        if response.status_code not in tuple(expect):
            raise ApiError(self.name, method, path, response.status_code, body)
        return body

    async def get(self, path: str, *, as_: Credential | None = None, params: dict[str, Any] | None = None,
                  expect: Iterable[int] = (200,)) -> Any:
        return await self.request("GET", path, as_=as_, params=params, expect=expect)

    async def pages(self, path: str, *, as_: Credential, params: dict[str, Any] | None = None,
                    size: int = 500) -> list[dict[str, Any]]:
        """Every item of a paged listing (``{"total", "items"}`` with ``limit`` and ``offset``)."""
        items: list[dict[str, Any]] = []
        while True:
            page = await self.get(path, as_=as_, params={**(params or {}), "limit": size, "offset": len(items)})
            items += page["items"]
            if not page["items"] or len(items) >= page["total"]:
                return items

    async def get_text(self, path: str, *, as_: Credential | None = None, params: dict[str, Any] | None = None) -> str:
        """A plain-text answer (e.g. a printed results table)."""
        headers = dict(as_.headers) if as_ else {}
        async with self._slots:
            response = await self.http.get(path, params=params, headers=headers)
        self.requests += 1
        if response.status_code != 200:
            raise ApiError(self.name, "GET", path, response.status_code, {"detail": response.text[:300]})
        return response.text

    async def post(self, path: str, body: Any, *, as_: Credential, correlation_id: uuid.UUID | None = None) -> Any:
        return await self.request("POST", path, as_=as_, json_body=body, correlation_id=correlation_id)

    async def put(self, path: str, body: Any, *, as_: Credential) -> Any:
        return await self.request("PUT", path, as_=as_, json_body=body)

    async def ensure_ready(self) -> None:
        """The service answers and its database and broker are reachable, or a :class:`DemoError` that says so."""
        answer = await self.request("GET", "/readyz", expect=(200, 503))
        if not isinstance(answer, dict) or answer.get("status") != "ready":
            raise DemoError(f"the {self.name} service at {self.base_url} is not ready: {answer}; {START_HINT}")

    async def ops_status(self, operator: Credential) -> dict[str, Any]:
        return await self.get("/ops/status", as_=operator)

    async def wait_outbox_drained(self, operator: Credential, timeout: float,
                                  interval: float = 0.25) -> tuple[bool, dict[str, Any]]:
        """Poll ``/ops/status`` until nothing waits in the outbox (every committed event is on the broker)."""
        deadline = time.monotonic() + timeout
        while True:
            status = await self.ops_status(operator)
            if status.get("outbox_pending") == 0:
                return True, status
            if time.monotonic() >= deadline:
                return False, status
            await asyncio.sleep(interval)

    async def aclose(self) -> None:
        await self.http.aclose()


# ----------------------------------------------------------------------------------------------------- steps


class StepReport(Protocol):
    title: str
    ok: bool
    problems: list[str]

    def render(self, console: Console) -> None: ...


@dataclass
class Checked:
    """A step's report base: what the demo found wrong while checking the API's answers (none: ``ok``)."""

    problems: list[str] = field(default_factory=list, kw_only=True)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class DemoContext:
    """What every step shares: the services' clients, the staff, the run's identity and its random source."""

    clients: dict[str, ServiceClient]
    staff: Staff
    run_id: str
    seed: int
    cycle_year: int
    rng: random.Random
    say: Callable[[str], None] = lambda _: None
    drain_timeout: float = 60.0
    #: Filled by the steps for the ones after them (e.g. the season's producers for rating).
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def registration(self) -> ServiceClient:
        return self.clients["registration"]

    @property
    def rating(self) -> ServiceClient:
        return self.clients["rating"]

    @property
    def finance(self) -> ServiceClient:
        return self.clients["finance"]

    @property
    def monitoring(self) -> ServiceClient:
        return self.clients["monitoring"]

    def producer_id(self, n: int) -> str:
        return f"demo-{self.run_id}-{n:03d}"


Step = Callable[[DemoContext], Awaitable[StepReport]]


async def eventually(probe: Callable[[], Awaitable[Any]], timeout: float, waiting_for: str,
                     interval: float = 0.25) -> Any:
    """Call ``probe`` until it returns something truthy (returned); a :class:`DemoError` naming what did not happen
    after ``timeout`` seconds. The services hear each other's events asynchronously: this is how the demo waits."""
    deadline = time.monotonic() + timeout
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise DemoError(f"after {timeout:.0f}s still waiting for {waiting_for}")
        await asyncio.sleep(interval)


