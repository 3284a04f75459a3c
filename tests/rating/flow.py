"""Drive the rating service over HTTP as its users would, and watch ProductRated on the real broker.

The rating schema is shared by the whole test session, and councils are one per level and district: a test
forms a council or reuses the one already there, and uses its own district codes and random product ids.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.contracts import CONTRACTS, PRODUCT_RATED_TOPIC, PRODUCT_REGISTERED_TOPIC, kafka_headers, new_envelope, parse_event, serialize_event
from tests.kernel.support import eventually, produce
from tests.rating.support import card_with_total, shipped

OFFICE = {"district": Role.district_officer, "provincial": Role.provincial_office, "central": Role.central_office}


def registered(product_id: str, *, district_code: str, product_set: int = 5, cycle_year: int = 2021,
               registration_id: str | None = None, name: str | None = None) -> Any:
    return new_envelope("ProductRegistered", product_id, {
        "registration_id": registration_id or f"reg-{uuid.uuid4()}",
        "cycle_year": cycle_year,
        "product": {"name": name or f"Nem chua {product_id[:8]}", "sector": "Thực phẩm", "group": "Thực phẩm chế biến",
                    "product_set": product_set, "description": "Nem chua lá ổi"},
        "producer": {"producer_id": f"p-{product_id[:8]}", "name": "HTX Nem chua", "legal_form": "cooperative"},
        "location": {"district_code": district_code, "commune_code": "14758"},
    })


async def send_registered(bootstrap: str, *envelopes: Any) -> None:
    await produce(bootstrap, PRODUCT_REGISTERED_TOPIC,
                  [(e.product_id.encode(), serialize_event(e), kafka_headers(e)) for e in envelopes])


async def rated(bootstrap: str, product_id: str, count: int, *, timeout: float = 60.0) -> list[Any]:
    """The ProductRated events of one product on the topic, in order, once at least ``count`` are there."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(PRODUCT_RATED_TOPIC, p) for p in consumer.partitions_for_topic(PRODUCT_RATED_TOPIC) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[Any] = []
        deadline = time.monotonic() + timeout
        while len(found) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} ProductRated for {product_id} after {timeout}s")
            for records in (await consumer.getmany(timeout_ms=200)).values():
                found += [parse_event(r.value) for r in records if r.key == product_id.encode()]
        return found
    finally:
        await consumer.stop()


def ids(prefix: str, n: int) -> list[str]:
    """``n`` random product ids, each test module with its own prefix."""
    return [f"{prefix}-{uuid.uuid4().hex[:12]}" for _ in range(n)]


def inspection_failed(product_id: str, certificate_number: str, *, inspection_id: str | None = None,
                      inspected_on: str = "2021-07-01", severity: str = "major",
                      recommended_action: str = "revocation") -> Any:
    return new_envelope("InspectionFailed", product_id, {
        "inspection_id": inspection_id or f"insp-{uuid.uuid4().hex[:10]}",
        "inspected_on": inspected_on,
        "inspector_org": "Chi cục Quản lý chất lượng Nông lâm sản và Thủy sản Thanh Hóa",
        "certificate_number": certificate_number,
        "findings": [{"criterion": "C2.1", "description": "Không duy trì công bố tiêu chuẩn chất lượng sản phẩm"}],
        "severity": severity,
        "recommended_action": recommended_action,
    })


async def send_inspections(bootstrap: str, *envelopes: Any) -> None:
    await produce(bootstrap, CONTRACTS["InspectionFailed"].topic,
                  [(e.product_id.encode(), serialize_event(e), kafka_headers(e)) for e in envelopes])


class RatingDriver:
    """The people of a rating season, each with their own token."""

    def __init__(self, client: httpx.AsyncClient, settings: Any, runtime: Any = None) -> None:
        self.client, self.settings, self.runtime = client, settings, runtime

    def token(self, role: Role, actor_id: str = "tester", district: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, actor_id=actor_id, role=role, district=district)}"}

    def office(self, level: str, district: str | None) -> dict[str, str]:
        return self.token(OFFICE[level], f"office-{level}", district if level == "district" else None)

    def secretary(self, level: str, district: str | None) -> dict[str, str]:
        return self.token(Role.council_secretary, "secretary", district if level == "district" else None)

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.client.get(path, params=params, headers=self.token(Role.provincial_office))
        assert response.status_code == 200, response.text
        return response.json()

    async def dossier_when(self, product_id: str, ready: Any = lambda d: True) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            response = await self.client.get(f"/dossiers/{product_id}", headers=self.token(Role.provincial_office))
            return response.json() if response.status_code == 200 and ready(response.json()) else None

        return await eventually(check, timeout=60, what=f"the dossier of {product_id}")

    async def council(self, level: str, district: str | None = None, size: int = 5) -> dict[str, Any]:
        """Form the council, or take the one already formed (one per level and district)."""
        prefix = f"{level}-{district or ''}"
        members = [{"member_id": f"{prefix}-chair", "name": "Nguyễn Văn Chủ", "role": "chair", "organisation": "UBND"}]
        members += [{"member_id": f"{prefix}-m{i}", "name": f"Thành viên {i}", "role": "member",
                     "organisation": "Sở Nông nghiệp và PTNT"} for i in range(1, size)]
        members.append({"member_id": f"{prefix}-sec", "name": "Thư ký", "role": "secretary", "organisation": "VP"})
        body = {"level": level, "district_code": district, "name": f"Hội đồng {prefix}", "members": members}
        response = await self.client.post("/councils", json=body, headers=self.office(level, district))
        if response.status_code == 409:
            council_id = f"council-district-{district}" if level == "district" else f"council-{level}"
            return await self.get(f"/councils/{council_id}")
        assert response.status_code == 201, response.text
        return response.json()

    async def open_session(self, council: dict[str, Any], product_ids: list[str], *, held_on: str, round_: int = 1,
                           cycle_year: int = 2021) -> dict[str, Any]:
        body = {"council_id": council["council_id"], "cycle_year": cycle_year, "round": round_,
                "title": f"Phiên {council['level']} {round_}", "held_on": held_on, "product_ids": product_ids}
        response = await self.client.post("/sessions", json=body,
                                          headers=self.secretary(council["level"], council["district_code"]))
        assert response.status_code == 201, response.text
        return response.json()

    async def score(self, session: dict[str, Any], product_id: str, totals: list[int], product_set: int | None = None) -> None:
        """Each scoring member (chair first) enters a card worth the given total, through the secretary.

        The sheet is the product's own (its product set, as the session lists it) unless ``product_set`` is given.
        """
        detail = await self.get(f"/sessions/{session['session_id']}")
        if product_set is None:
            product_set = next(p["product_set"] for p in detail["examined"] if p["product_id"] == product_id)
        for member, total in zip([m["member_id"] for m in detail["members"]], totals, strict=False):
            response = await self.card(session, product_id, member, total, product_set=product_set)
            assert response.status_code == 200, response.text

    async def members(self, session: dict[str, Any]) -> list[str]:
        """The members who score in the session, chair first."""
        return [m["member_id"] for m in (await self.get(f"/sessions/{session['session_id']}"))["members"]]

    async def card(self, session: dict[str, Any], product_id: str, member_id: str, total: int, *, product_set: int = 5,
                   headers: dict[str, str] | None = None, note: str | None = None) -> httpx.Response:
        """One member's scorecard worth ``total`` (entered by the secretary unless ``headers`` say otherwise)."""
        card = card_with_total(shipped().sheet(product_set), total)
        body: dict[str, Any] = {"choices": {c: o.id for c, o in card.choices.items()}}
        if note is not None:
            body["note"] = note
        return await self.client.put(f"/sessions/{session['session_id']}/products/{product_id}/scorecards/{member_id}",
                                     json=body, headers=headers or self.secretary(session["level"], session["district_code"]))

    async def enter(self, bootstrap: str, district: str, *product_ids: str, **fields: Any) -> None:
        """Register the products (ProductRegistered on the broker) and wait until rating has their dossiers."""
        await send_registered(bootstrap, *(registered(p, district_code=district, **fields) for p in product_ids))
        for product_id in product_ids:
            await self.dossier_when(product_id)

    async def history(self, product_id: str) -> dict[str, Any]:
        return await self.get(f"/products/{product_id}/rating-history")

    async def finalise(self, session: dict[str, Any], on: str) -> dict[str, Any]:
        response = await self.client.post(f"/sessions/{session['session_id']}/finalisation", json={"finalised_on": on},
                                          headers=self.secretary(session["level"], session["district_code"]))
        assert response.status_code == 200, response.text
        return response.json()

    async def decide(self, session: dict[str, Any], number: str, on: str) -> dict[str, Any]:
        response = await self.client.post(f"/sessions/{session['session_id']}/decision",
                                          json={"number": number, "date": on, "issued_by": "UBND tỉnh Thanh Hóa"},
                                          headers=self.office(session["level"], None))
        assert response.status_code == 200, response.text
        return response.json()

    async def season(self, level: str, products: dict[str, int], *, district: str | None = None, held_on: str,
                     decided_on: str | None = None, round_: int = 1, number: str | None = None,
                     cycle_year: int = 2021) -> dict[str, Any]:
        """One session: list the products, every member scores each at the given total, finalise, decide."""
        council = await self.council(level, district)
        session = await self.open_session(council, list(products), held_on=held_on, round_=round_,
                                          cycle_year=cycle_year)
        scorers = len([m for m in council["members"] if m["role"] != "secretary"])
        for product_id, total in products.items():
            await self.score(session, product_id, [total] * scorers)
        await self.finalise(session, held_on)
        if decided_on is not None:
            await self.decide(session, number or f"{uuid.uuid4().hex[:6]}/QĐ-UBND", decided_on)
        return session

    async def certify(self, bootstrap: str, district: str, scores: dict[str, int], *, district_on: str = "2021-03-01",
                      province_on: str = "2021-04-01", decided_on: str = "2021-04-06", cycle_year: int = 2021,
                      number: str | None = None, **fields: Any) -> dict[str, Any]:
        """Register the products, forward them from their district and certify them at the province (one round each,
        every member scoring the given total); the data of each product's provincial ProductRated."""
        await self.enter(bootstrap, district, *scores, cycle_year=cycle_year, **fields)
        await self.season("district", scores, district=district, held_on=district_on, cycle_year=cycle_year)
        await self.season("provincial", scores, held_on=province_on, decided_on=decided_on, cycle_year=cycle_year,
                          number=number)
        return {p: (await rated(bootstrap, p, 2))[1].data for p in scores}
