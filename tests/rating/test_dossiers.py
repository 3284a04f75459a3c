"""Rating dossiers over the real broker and PostgreSQL: ProductRegistered opens one, idempotently; poison goes to the DLQ.

The ``rating`` schema and its consumer group are shared within the session (and the consumer reads the topic
from the earliest offset, so it also sees other tests' products): every test uses its own random product ids.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from services.rating.application import handlers
from services.rating.domain.errors import RatingError
from services.rating.service import definition
from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.contracts import PRODUCT_REGISTERED_TOPIC, kafka_headers, new_envelope, serialize_event
from tests.kernel.support import eventually, header, produce, read_topic, running_service

pytestmark = pytest.mark.asyncio(loop_scope="module")


class Rating:
    def __init__(self, client: httpx.AsyncClient, settings: Any, runtime: Any) -> None:
        self.client, self.settings, self.runtime = client, settings, runtime
        token = mint_token(settings, actor_id="office-1", role=Role.provincial_office)
        self.auth = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=self.auth)

    async def dossier_when(self, product_id: str, ready: Any = lambda d: True, what: str = "the dossier") -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            response = await self.get(f"/dossiers/{product_id}")
            if response.status_code == 200 and ready(response.json()):
                return response.json()
            return None

        return await eventually(check, timeout=60, what=what)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rating(launcher) -> AsyncIterator[Rating]:
    async with running_service(launcher, definition) as (client, settings, runtime):
        yield Rating(client, settings, runtime)


def registered(product_id: str, *, registration_id: str | None = None, cycle_year: int = 2021, product_set: int = 5,
               district_code: str = "380") -> Any:
    return new_envelope("ProductRegistered", product_id, {
        "registration_id": registration_id or f"reg-{uuid.uuid4()}",
        "cycle_year": cycle_year,
        "product": {"name": f"Nem chua {product_id[:8]}", "sector": "Thực phẩm", "group": "Thực phẩm chế biến",
                    "product_set": product_set, "description": "Nem chua lá ổi"},
        "producer": {"producer_id": f"p-{product_id[:8]}", "name": "HTX Nem chua Thanh Hóa", "legal_form": "cooperative"},
        "location": {"district_code": district_code, "commune_code": "14758"},
    })


def message(envelope: Any) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    return envelope.product_id.encode(), serialize_event(envelope), kafka_headers(envelope)


async def send(launcher: Any, *messages: tuple[bytes, bytes, list[tuple[str, bytes]]]) -> None:
    await produce(launcher.bootstrap_servers, PRODUCT_REGISTERED_TOPIC, list(messages))


async def test_a_registered_product_gets_one_dossier_classified_into_its_set(rating, launcher):
    product_id = str(uuid.uuid4())
    event = registered(product_id, product_set=7)
    await send(launcher, message(event), message(event))

    dossier = await rating.dossier_when(product_id)
    sheet = rating.runtime.ports.catalogue.sheet(7)
    assert dossier["product_set"] == 7 and dossier["sheet_id"] == "set-07"
    assert dossier["sheet_provisional"] is sheet.provisional
    assert dossier["product_name"] == f"Nem chua {product_id[:8]}"
    assert (dossier["sector"], dossier["product_group"]) == ("Thực phẩm", "Thực phẩm chế biến")
    assert (dossier["producer_id"], dossier["producer_name"]) == (f"p-{product_id[:8]}", "HTX Nem chua Thanh Hóa")
    assert (dossier["district_code"], dossier["commune_code"], dossier["cycle_year"]) == ("380", "14758", 2021)
    assert dossier["first_registration_id"] == event.data.registration_id
    assert dossier["status"] == "awaiting_council"

    # A marker behind the duplicate on the same partition: once it is handled, so is the duplicate.
    later = registered(product_id, cycle_year=2023)
    await send(launcher, message(later))
    dossier = await rating.dossier_when(product_id, lambda d: d["registrations"] == 2, "the re-entry")
    assert (dossier["version"], dossier["cycle_year"]) == (2, 2023)
    async with rating.runtime.pool.acquire() as conn:
        history = await conn.fetch("SELECT event_type FROM events WHERE stream_id = $1 ORDER BY version", product_id)
    assert [r["event_type"] for r in history] == ["DossierOpened", "DossierReentered"]


async def test_the_same_registration_in_a_new_event_changes_nothing(rating, launcher):
    """Idempotent beyond the inbox: a second ProductRegistered (new event id) for the same registration is a no-op."""
    product_id = str(uuid.uuid4())
    first = registered(product_id)
    again = registered(product_id, registration_id=first.data.registration_id)
    later = registered(product_id, cycle_year=2024)
    await send(launcher, message(first), message(again))
    once = await rating.dossier_when(product_id)
    assert once["registrations"] == 1

    await send(launcher, message(later))
    dossier = await rating.dossier_when(product_id, lambda d: d["registrations"] == 2, "the re-entry")
    assert (dossier["version"], dossier["cycle_year"], dossier["latest_registration_id"]) == (
        2, 2024, later.data.registration_id)
    assert dossier["first_registration_id"] == first.data.registration_id


async def test_dossiers_are_listed_by_district_product_set_and_cycle(rating, launcher):
    district = f"{uuid.uuid4().int % 1000:03d}"
    ids = [str(uuid.uuid4()) for _ in range(3)]
    await send(launcher,
               message(registered(ids[0], product_set=3, cycle_year=2021, district_code=district)),
               message(registered(ids[1], product_set=3, cycle_year=2022, district_code=district)),
               message(registered(ids[2], product_set=12, cycle_year=2021, district_code=district)))
    for product_id in ids:
        await rating.dossier_when(product_id)

    def mine(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return sorted(d["product_id"] for d in response.json()["items"] if d["product_id"] in ids)

    assert mine(await rating.get("/dossiers", district_code=district, limit=500)) == sorted(ids)
    assert mine(await rating.get("/dossiers", district_code=district, product_set=3, limit=500)) == sorted(ids[:2])
    assert mine(await rating.get("/dossiers", district_code=district, cycle_year=2021, limit=500)) == sorted([ids[0], ids[2]])
    assert mine(await rating.get("/dossiers", district_code=district, product_set=12, cycle_year=2022, limit=500)) == []
    page = await rating.get("/dossiers", district_code=district, limit=1, offset=0)
    assert page.json()["total"] >= 3 and len(page.json()["items"]) == 1

    # The counts say what the lists hold, by district and status, in one call.
    listed = (await rating.get("/dossiers", district_code=district, limit=500)).json()
    counts = (await rating.get("/dossiers/counts", district_code=district)).json()
    statuses: dict[str, int] = {}
    for d in listed["items"]:
        statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    assert counts["total"] == listed["total"] and counts["by_district"] == {district: statuses}
    of_2021 = (await rating.get("/dossiers/counts", district_code=district, cycle_year=2021)).json()
    assert of_2021["cycle_year"] == 2021
    assert of_2021["total"] == (await rating.get("/dossiers", district_code=district, cycle_year=2021, limit=1)).json()["total"]
    everywhere = (await rating.get("/dossiers/counts", cycle_year=2021)).json()
    assert everywhere["total"] == sum(sum(s.values()) for s in everywhere["by_district"].values())
    assert everywhere["by_district"][district] == of_2021["by_district"][district]


async def test_reads_need_a_token_and_an_unknown_dossier_is_404(rating):
    unknown = await rating.get(f"/dossiers/{uuid.uuid4()}")
    anonymous = await rating.client.get("/dossiers")
    bad_filter = await rating.get("/dossiers", product_set=27)

    assert unknown.status_code == 404 and unknown.json()["detail"]["error"] == "not_found"
    assert anonymous.status_code == 401
    assert bad_filter.status_code == 422


async def test_a_product_set_outside_the_catalogue_goes_to_the_dead_letter_topic_and_consumption_goes_on(rating, launcher):
    poison_id, after_id = str(uuid.uuid4()), str(uuid.uuid4())
    poison = json.loads(serialize_event(registered(poison_id)))
    poison["data"]["product"]["product_set"] = 27
    poison_value = json.dumps(poison, ensure_ascii=False).encode()
    await send(launcher, (poison_id.encode(), poison_value, []), message(registered(after_id)))

    await rating.dossier_when(after_id, what="the product after the poison one")

    async def dead_letter() -> int:
        async with rating.runtime.pool.acquire() as conn:
            mine = await conn.fetchval("SELECT count(*) FROM dead_letters WHERE message_key = $1", poison_id.encode())
            return mine and await conn.fetchval("SELECT count(*) FROM dead_letters")

    total = await eventually(dead_letter, timeout=60, what="the local dead letter")
    records = await read_topic(launcher.bootstrap_servers, rating.settings.dead_letter_topic, count=total)
    [dead] = [r for r in records if r.key == poison_id.encode()]
    assert header(dead, "dlq.consumer") == "rating.product-registered"
    assert "product_set" in header(dead, "dlq.error")
    assert (await rating.get(f"/dossiers/{poison_id}")).status_code == 404


async def test_a_product_set_the_catalogue_lacks_is_refused_by_the_handler_and_nothing_is_written(rating):
    """The handler's own refusal (the consumer dead-letters what raises): a catalogue without the product's set."""
    catalogue = rating.runtime.ports.catalogue
    lacking = dataclasses.replace(catalogue, sheets={n: s for n, s in catalogue.sheets.items() if n != 5})
    product_id = str(uuid.uuid4())
    with pytest.raises(RatingError) as refused:
        async with rating.runtime.uow() as uow:
            await handlers.open_dossier(registered(product_id), uow, dataclasses.replace(rating.runtime.ports,
                                                                                        catalogue=lacking))
            await uow.commit()
    assert refused.value.field == "product_set"
    async with rating.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", product_id) == 0
