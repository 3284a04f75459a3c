"""The load a scenario puts on the system, as the programme's people would: over HTTP, with a fixed seed.

Each product goes producer → registration → commune proposal → district selection → district list (registration
publishes ProductRegistered, rating opens a dossier); then a district council scores it and finalises the session
(rating publishes ProductRated, registration records it on the product's file). Every command that got a 2xx is
written to the :class:`History` with the ids it touched; the checker proves later that none of them was lost.

A command whose outcome is unknown (no answer, a 5xx) is tried again a few times, as a client would; a refusal
(4xx) after an unknown outcome leaves that product unfinished, and only what was acknowledged is checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.settings import KernelSettings
from tests.rating.support import card_with_total, shipped
from tests.registration.support import communes

DISTRICTS = ("380", "394", "395", "401")  # TP Thanh Hóa, Yên Định, Thọ Xuân, Nga Sơn
SCORERS = 5  # chair and four members; the secretary enters their cards


@dataclass(frozen=True)
class Ack:
    """A command the system acknowledged: which service, which stream it wrote, at which version (if it said)."""

    service: str
    command: str
    stream_id: str
    version: int | None
    product_ids: tuple[str, ...] = ()
    retried: bool = False


@dataclass(frozen=True)
class ServerError:
    """A 5xx answer as the client saw it; the HTTP contract says: JSON ``detail``, and a 503 names ``Retry-After``."""

    command: str
    status: int
    error: str | None  # detail.error of a JSON body, None when the body was not the documented JSON
    retry_after: str | None

    @staticmethod
    def of(command: str, response: httpx.Response) -> ServerError:
        try:
            error = response.json()["detail"]["error"]
        except (ValueError, KeyError, TypeError):
            error = None
        return ServerError(command, response.status_code, error, response.headers.get("retry-after"))

    @property
    def documented(self) -> bool:
        return self.status == 503 and self.error == "unavailable" and self.retry_after is not None


@dataclass
class History:
    acks: list[Ack] = field(default_factory=list)
    unacknowledged: Counter[str] = field(default_factory=Counter)  # "<command> <status or error>" → count
    server_errors: list[ServerError] = field(default_factory=list)
    sent: dict[str, str] = field(default_factory=dict)  # product id → district, for products on an acknowledged list
    rated: set[str] = field(default_factory=set)  # products of an acknowledged finalisation

    def acked(self, command: str) -> list[Ack]:
        return [a for a in self.acks if a.command == command]

    @property
    def products(self) -> set[str]:
        return {p for a in self.acks for p in a.product_ids}


@dataclass
class Plan:
    products: int = 8
    concurrency: int = 3
    list_size: int = 2
    rate: bool = True
    rate_batch: int = 2
    tries: int = 8  # attempts of a command whose outcome is unknown


class Load:
    def __init__(self, urls: dict[str, str], history: History, *, seed: int, plan: Plan | None = None) -> None:
        self.urls = urls
        self.history = history
        self.plan = plan or Plan()
        self.random = random.Random(seed)
        self.tag = f"{seed}-{uuid.uuid4().hex[:6]}"  # ids unique on a broker that outlives the run
        self.settings = KernelSettings()
        self._client = httpx.AsyncClient(timeout=10)
        self._selected: dict[str, list[tuple[str, str]]] = {d: [] for d in DISTRICTS}
        self._list_locks = {d: asyncio.Lock() for d in DISTRICTS}
        self._to_rate: list[tuple[str, str, int]] = []  # (product id, district, product set)
        self._product_sets: dict[str, int] = {}
        self._pipelines_done = asyncio.Event()
        self.last_ack_at = 0.0  # monotonic time of the last acknowledgement

    # ------------------------------------------------------------------ the run

    async def run(self, *, timeout: float = 120.0) -> History:
        """Every planned product through its pipeline, then the lists and the rating; bounded by ``timeout``."""
        # The seed fixes every choice up front, whatever order the workers take them in.
        choices = [(self.random.choice(DISTRICTS), self.random.randint(1, 26)) for _ in range(self.plan.products)]
        queue: asyncio.Queue[tuple[int, str, int]] = asyncio.Queue()
        for i, (district, product_set) in enumerate(choices):
            queue.put_nowait((i, district, product_set))
        deadline = time.monotonic() + timeout
        rating = asyncio.create_task(self._rating()) if self.plan.rate else None
        try:
            async with asyncio.timeout(timeout):
                await asyncio.gather(*(self._worker(queue) for _ in range(self.plan.concurrency)))
                for district in DISTRICTS:
                    await self._send_list(district, flush=True)
            self._pipelines_done.set()
            if rating is not None:
                # Products whose dossier never came are left unrated: the checker says what was not delivered.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(deadline - time.monotonic(), 1.0)):
                        await rating
        finally:
            if rating is not None:
                rating.cancel()
            await self._client.aclose()
        return self.history

    async def _worker(self, queue: asyncio.Queue[tuple[int, str, int]]) -> None:
        while not queue.empty():
            i, district, product_set = queue.get_nowait()
            await self._product(i, district, product_set)

    async def _product(self, i: int, district: str, product_set: int) -> None:
        commune = communes(district)[i % len(communes(district))]
        producer_id = f"fp-{self.tag}-{i}"
        officer = self._token(actor_id=f"ds-{district}", role=Role.district_officer, district=district)
        body = {"producer_id": producer_id, "name": f"HTX thử lỗi {self.tag} {i}", "legal_form": "cooperative",
                "district_code": district, "commune_code": commune}
        if await self.command("registration", "register producer", "POST", "/producers", body, officer,
                              stream_id=producer_id) is None:
            return
        product = {"name": f"Sản phẩm thử lỗi {self.tag} {i}", "product_set": product_set, "description": "thử lỗi"}
        submitted = await self.command("registration", "submit", "POST", "/registrations",
                                       {"producer_id": producer_id, "cycle_year": 2021, "form": "01", "product": product},
                                       self._token(actor_id=producer_id, role=Role.producer), stream_id="registration_id")
        if submitted is None:
            return
        registration_id, product_id = submitted["registration_id"], submitted["product_id"]
        commune_officer = self._token(actor_id=f"xa-{commune}", role=Role.commune_officer, district=district,
                                      commune=commune)
        version = submitted["version"]
        for step, headers in (("commune-proposal", commune_officer), ("selection", officer)):
            done = await self.command("registration", step, "POST", f"/registrations/{registration_id}/{step}",
                                      {"expected_version": version}, headers, stream_id=registration_id,
                                      product_ids=(product_id,))
            if done is None:
                return
            version = done["version"]
        self._selected[district].append((registration_id, product_id))
        self._product_sets[product_id] = product_set
        await self._send_list(district)

    async def _send_list(self, district: str, *, flush: bool = False) -> None:
        async with self._list_locks[district]:
            waiting = self._selected[district]
            if not waiting or (len(waiting) < self.plan.list_size and not flush):
                return
            chosen, self._selected[district] = waiting[: self.plan.list_size * 4], waiting[self.plan.list_size * 4:]
            products = tuple(p for _, p in chosen)
            sent = await self.command("registration", "send list", "POST", f"/districts/{district}/lists",
                                      {"cycle_year": 2021, "registration_ids": [r for r, _ in chosen]},
                                      self._token(actor_id=f"ds-{district}", role=Role.district_officer,
                                                  district=district),
                                      stream_id="list_id", product_ids=products)
            if sent is not None:
                for product_id in products:
                    self.history.sent[product_id] = district
                    self._to_rate.append((product_id, district, self._product_sets[product_id]))

    # ------------------------------------------------------------------ rating

    async def _rating(self) -> None:
        """Score sent products at their district once rating has their dossiers; a session per batch."""
        councils: dict[str, dict[str, Any]] = {}
        while True:
            ready = [p for p in self._to_rate if await self._has_dossier(p[0])]
            by_district: dict[str, list[tuple[str, str, int]]] = {}
            for entry in ready:
                by_district.setdefault(entry[1], []).append(entry)
            for district, entries in by_district.items():
                if len(entries) >= self.plan.rate_batch or self._pipelines_done.is_set():
                    batch = entries[: self.plan.rate_batch]
                    for entry in batch:
                        self._to_rate.remove(entry)
                    if district not in councils:
                        council = await self._council(district)
                        if council is None:
                            continue
                        councils[district] = council
                    await self._session(councils[district], batch)
            if self._pipelines_done.is_set() and not self._to_rate:
                return
            await asyncio.sleep(0.2)  # polling rating's read model for dossiers; bounded by run()'s timeout

    async def _has_dossier(self, product_id: str) -> bool:
        try:
            response = await self._client.get(f"{self.urls['rating']}/dossiers/{product_id}",
                                              headers=self._token(actor_id="vp", role=Role.provincial_office))
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def _council(self, district: str) -> dict[str, Any] | None:
        prefix = f"district-{district}"
        members = [{"member_id": f"{prefix}-chair", "name": "Nguyễn Văn Chủ", "role": "chair", "organisation": "UBND"}]
        members += [{"member_id": f"{prefix}-m{i}", "name": f"Thành viên {i}", "role": "member",
                     "organisation": "Phòng Nông nghiệp"} for i in range(1, SCORERS)]
        members.append({"member_id": f"{prefix}-sec", "name": "Thư ký", "role": "secretary", "organisation": "VP"})
        office = self._token(actor_id=f"office-{district}", role=Role.district_officer, district=district)
        body = {"level": "district", "district_code": district, "name": f"Hội đồng {prefix}", "members": members}
        formed = await self.command("rating", "form council", "POST", "/councils", body, office,
                                    stream_id=f"council-district-{district}")
        if formed is None:
            try:
                response = await self._client.get(f"{self.urls['rating']}/councils/council-district-{district}",
                                                  headers=self._token(actor_id="vp", role=Role.provincial_office))
            except httpx.HTTPError:
                return None
            return response.json() if response.status_code == 200 else None
        return formed

    async def _session(self, council: dict[str, Any], batch: list[tuple[str, str, int]]) -> None:
        district = council["district_code"]
        secretary = self._token(actor_id="secretary", role=Role.council_secretary, district=district)
        session_id = f"S-{self.tag}-{uuid.uuid4().hex[:8]}"
        products = tuple(p for p, _, _ in batch)
        body = {"session_id": session_id, "council_id": council["council_id"], "cycle_year": 2021, "round": 1,
                "title": "Phiên thử lỗi", "held_on": "2021-03-01", "product_ids": list(products)}
        if await self.command("rating", "open session", "POST", "/sessions", body, secretary, stream_id=session_id,
                              product_ids=products) is None:
            return
        scorers = [m["member_id"] for m in council["members"] if m["role"] != "secretary"]
        for product_id, _, product_set in batch:
            total = self.random.randint(40, 95)
            card = card_with_total(shipped().sheet(product_set), total)
            choices = {"choices": {c: o.id for c, o in card.choices.items()}}
            for member in scorers:
                path = f"/sessions/{session_id}/products/{product_id}/scorecards/{member}"
                # Each member's cards are a stream of their own (MemberScorecards), not the session's.
                if await self.command("rating", "scorecard", "PUT", path, choices, secretary,
                                      stream_id=f"scorecards:{session_id}:{member}", product_ids=(product_id,)) is None:
                    return
        finalised = await self.command("rating", "finalise", "POST", f"/sessions/{session_id}/finalisation",
                                       {"finalised_on": "2021-03-01"}, secretary, stream_id=session_id,
                                       product_ids=products)
        if finalised is not None:
            self.history.rated.update(products)

    # ------------------------------------------------------------------ one command

    async def command(self, service: str, name: str, method: str, path: str, body: Any, headers: dict[str, str], *,
                      stream_id: str, product_ids: tuple[str, ...] = ()) -> dict[str, Any] | None:
        """Send a command; on a 2xx record it and return the body, else record why not and return None.

        ``stream_id`` names the stream the command writes, or the response field holding it.
        """
        delay = 0.2
        for attempt in range(1, self.plan.tries + 1):
            try:
                response = await self._client.request(method, self.urls[service] + path, json=body, headers=headers)
            except httpx.HTTPError as exc:
                self.history.unacknowledged[f"{name} {type(exc).__name__}"] += 1
            else:
                if response.is_success:
                    view = response.json()
                    stream = view.get(stream_id, stream_id) if isinstance(view, dict) else stream_id
                    products = product_ids or ((view["product_id"],) if "product_id" in view else ())
                    self.history.acks.append(Ack(service, name, stream, view.get("version"), products, attempt > 1))
                    self.last_ack_at = time.monotonic()
                    return view
                self.history.unacknowledged[f"{name} {response.status_code}"] += 1
                if response.status_code >= 500:
                    self.history.server_errors.append(ServerError.of(name, response))
                elif response.status_code not in (408, 429):
                    return None  # refused (after an unknown outcome, perhaps because the first attempt was done)
            if attempt < self.plan.tries:
                await asyncio.sleep(delay)  # a client's back-off before trying again, not a synchronisation
                delay = min(delay * 2, 2.0)
        return None

    def _token(self, **claims: Any) -> dict[str, str]:
        return {"Authorization": "Bearer " + mint_token(self.settings, **claims)}


async def wait_for(condition: Any, *, timeout: float, what: str, interval: float = 0.1) -> float:
    """Poll an async ``condition`` until it holds; returns the seconds it took, fails with ``what`` at the deadline."""
    started = time.monotonic()
    while not await condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        await asyncio.sleep(interval)
    return time.monotonic() - started
