"""Helpers of the registration tests: actors' tokens, the steps of the flow over HTTP, store and topic reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from services.registration.adapters.reference import load_geography
from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.settings import KernelSettings
from tests.kernel.support import eventually, read_topic

__all__ = ["eventually"]

YEN_DINH = "394"  # Huyện Yên Định
THO_XUAN = "395"  # Huyện Thọ Xuân
THANH_HOA_CITY = "380"  # Thành phố Thanh Hóa
CYCLE = 2021
GEOGRAPHY = load_geography()  # read once for the whole test session; the services load their own


def communes(district_code: str) -> list[str]:
    """The official commune codes of one district, in the reference data's order."""
    return list(GEOGRAPHY.district(district_code).communes)


def run_id() -> str:
    return uuid.uuid4().hex[:10]


def product(name: str, product_set: int = 6, description: str = "làm thủ công", **extra: Any) -> dict[str, Any]:
    return {"name": name, "product_set": product_set, "description": description, **extra}


@dataclass
class Registered:
    """A registration as the API answered it, with its producer."""

    producer_id: str
    registration_id: str
    product_id: str
    version: int
    district_code: str
    commune_code: str


class RegistrationClient:
    """Calls the registration API as the actors of the programme; ``runtime`` is set for an in-process app."""

    def __init__(self, client: httpx.AsyncClient, settings: KernelSettings, runtime: Any = None) -> None:
        self.client = client
        self.settings = settings
        self.runtime = runtime

    # ------------------------------------------------------------------ actors

    def _bearer(self, **claims: Any) -> dict[str, str]:
        return {"Authorization": "Bearer " + mint_token(self.settings, **claims)}

    def district_officer(self, district: str = YEN_DINH) -> dict[str, str]:
        return self._bearer(actor_id=f"ds-{district}", role=Role.district_officer, district=district)

    def commune_officer(self, district: str, commune: str) -> dict[str, str]:
        return self._bearer(actor_id=f"xa-{commune}", role=Role.commune_officer, district=district, commune=commune)

    def producer(self, producer_id: str) -> dict[str, str]:
        return self._bearer(actor_id=producer_id, role=Role.producer)

    def operator(self) -> dict[str, str]:
        return self._bearer(actor_id="ops-1", role=Role.operator)

    def province(self) -> dict[str, str]:
        return self._bearer(actor_id="vp-ntm", role=Role.provincial_office)

    # ------------------------------------------------------------------ commands

    async def register_producer(
        self,
        producer_id: str | None = None,
        *,
        name: str | None = None,
        district: str = YEN_DINH,
        commune: str | None = None,
        legal_form: str = "cooperative",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        producer_id = producer_id or f"p-{run_id()}"
        body = {
            "producer_id": producer_id,
            "name": name or f"HTX nông sản {producer_id}",
            "legal_form": legal_form,
            "district_code": district,
            "commune_code": commune or communes(district)[0],
        }
        return await self.client.post("/producers", json=body, headers=headers or self.district_officer(district))

    async def new_producer(self, **kwargs: Any) -> dict[str, Any]:
        response = await self.register_producer(**kwargs)
        assert response.status_code == 201, response.text
        return response.json()

    async def submit(
        self,
        producer_id: str,
        product_body: dict[str, Any],
        *,
        cycle_year: int = CYCLE,
        form: str = "01",
        headers: dict[str, str] | None = None,
        existing_product: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = {"producer_id": producer_id, "cycle_year": cycle_year, "form": form, "product": product_body}
        if existing_product is not None:
            body["existing_product"] = existing_product
        return await self.client.post("/registrations", json=body, headers=headers or self.producer(producer_id))

    async def step(self, registration_id: str, step: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        return await self.client.post(f"/registrations/{registration_id}/{step}", json=body, headers=headers)

    async def propose(self, r: Registered, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        return await self.step(r.registration_id, "commune-proposal", body,
                               headers or self.commune_officer(r.district_code, r.commune_code))

    async def return_(self, r: Registered, reasons: list[str], headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        return await self.step(r.registration_id, "return", {"reasons": reasons, **body},
                               headers or self.district_officer(r.district_code))

    async def resubmit(self, r: Registered, product_body: dict[str, Any], headers: dict[str, str] | None = None,
                       **body: Any) -> httpx.Response:
        return await self.step(r.registration_id, "resubmission", {"product": product_body, **body},
                               headers or self.producer(r.producer_id))

    async def select(self, r: Registered, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        return await self.step(r.registration_id, "selection", body, headers or self.district_officer(r.district_code))

    async def reject(self, r: Registered, reason: str, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        return await self.step(r.registration_id, "rejection", {"reason": reason, **body},
                               headers or self.district_officer(r.district_code))

    async def send_list(self, district: str, registration_ids: list[str], *, cycle_year: int = CYCLE,
                        headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.post(f"/districts/{district}/lists",
                                      json={"cycle_year": cycle_year, "registration_ids": registration_ids},
                                      headers=headers or self.district_officer(district))

    # ------------------------------------------------------------------ whole steps

    async def submitted(self, product_name: str | None = None, *, district: str = YEN_DINH, commune: str | None = None,
                        producer_id: str | None = None, product_set: int = 6, cycle_year: int = CYCLE,
                        producer_name: str | None = None) -> Registered:
        """A new producer (unless given) and its registration, submitted."""
        if producer_id is None:
            producer = await self.new_producer(district=district, commune=commune, name=producer_name)
            producer_id, district, commune = producer["producer_id"], producer["district_code"], producer["commune_code"]
        response = await self.submit(producer_id, product(product_name or f"Bánh gai Tứ Trụ {run_id()}", product_set),
                                     cycle_year=cycle_year)
        assert response.status_code == 201, response.text
        view = response.json()
        return Registered(producer_id, view["registration_id"], view["product_id"], view["version"],
                          view["district_code"], view["commune_code"])

    async def proposed(self, product_name: str | None = None, **kwargs: Any) -> Registered:
        r = await self.submitted(product_name, **kwargs)
        return await self._advance(r, await self.propose(r))

    async def selected(self, product_name: str | None = None, **kwargs: Any) -> Registered:
        r = await self.proposed(product_name, **kwargs)
        return await self._advance(r, await self.select(r))

    async def returned(self, product_name: str | None = None, **kwargs: Any) -> Registered:
        r = await self.proposed(product_name, **kwargs)
        return await self._advance(r, await self.return_(r, ["thiếu giấy chứng nhận an toàn thực phẩm"]))

    async def sent_to_province(self) -> Registered:
        """A cooperative of Yên Định and one product selected and sent on its district's list: one ProductRegistered."""
        run = run_id()
        producer = await self.new_producer(name=f"HTX Nông nghiệp Định Liên {run}", district=YEN_DINH)
        chosen = await self.selected(f"Bánh gai Tứ Trụ {run}", producer_id=producer["producer_id"], district=YEN_DINH,
                                     commune=producer["commune_code"], product_set=6)
        sent = await self.send_list(YEN_DINH, [chosen.registration_id])
        assert sent.status_code == 201, sent.text
        return chosen

    @staticmethod
    async def _advance(r: Registered, response: httpx.Response) -> Registered:
        assert response.status_code == 200, response.text
        r.version = response.json()["version"]
        return r

    # ------------------------------------------------------------------ reads

    async def detail(self, registration_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/registrations/{registration_id}", headers=self.province())
        assert response.status_code == 200, response.text
        return response.json()

    async def search(self, **params: Any) -> dict[str, Any]:
        response = await self.client.get("/registrations", params={"limit": 500, **params}, headers=self.province())
        assert response.status_code == 200, response.text
        return response.json()

    async def products_of(self, producer_id: str) -> list[dict[str, Any]]:
        response = await self.client.get(f"/producers/{producer_id}/products", headers=self.producer(producer_id))
        assert response.status_code == 200, response.text
        return response.json()


# ---------------------------------------------------------------------- the store


async def stream_history(conn: asyncpg.Connection, stream_id: str) -> list[tuple[int, str]]:
    rows = await conn.fetch("SELECT version, event_type FROM events WHERE stream_id = $1 ORDER BY version", stream_id)
    return [(r["version"], r["event_type"]) for r in rows]


async def written_state(conn: asyncpg.Connection, *stream_ids: str) -> dict[str, Any]:
    """What a command could have written: the streams' events, their read-model rows, the outbox."""
    return {
        "streams": {s: await stream_history(conn, s) for s in stream_ids},
        "registrations": [tuple(r) for r in await conn.fetch(
            "SELECT registration_id, status, version, product, return_reasons, rejection_reason, list_id FROM registrations"
            " WHERE registration_id = ANY($1) OR producer_id = ANY($1) ORDER BY registration_id", list(stream_ids))],
        "producers": [tuple(r) for r in await conn.fetch(
            "SELECT * FROM producers WHERE producer_id = ANY($1) ORDER BY producer_id", list(stream_ids))],
        "outbox": await conn.fetchval("SELECT count(*) FROM outbox"),
        "district_lists": await conn.fetchval("SELECT count(*) FROM district_lists"),
    }


# ---------------------------------------------------------------------- the broker


async def topic_records(bootstrap: str, topic: str) -> list[ConsumerRecord]:
    """Every record the topic holds right now: read up to the partitions' end offsets."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = await consumer.end_offsets(partitions) if partitions else {}
    finally:
        await consumer.stop()
    total = sum(ends.values())
    return await read_topic(bootstrap, topic, count=total) if total else []


def keyed(records: list[ConsumerRecord], keys: set[str]) -> list[ConsumerRecord]:
    return [r for r in records if r.key is not None and r.key.decode() in keys]


def header(record: ConsumerRecord, name: str) -> str | None:
    return next((v.decode() for k, v in record.headers or () if k == name), None)
