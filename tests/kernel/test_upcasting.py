"""Stored events are never edited: events written in an old shape replay through upcasters.

The stall (tests/kernel/stall.py) stored ``StallOpened`` v1 with one ``place`` field (now split into district and
commune) and ``StockAdded`` v1 with ``count`` (now ``amount``). Old rows are put straight into the event store, as
older code left them; the aggregate, the read model after a rebuild and the live path must all see today's shapes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

import pytest

from shared.aggregate import DomainEvent
from shared.events import EventDecodingError, EventRegistry, Upcast
from shared.rebuild import rebuild
from tests.kernel.stall import Stall, StallOpened, StockAdded, count_is_amount, split_place
from tests.kernel.support import tally_service
from tests.kernel.tally import EVENTS

# --------------------------------------------------------------------------- the registry on its own


@dataclass(frozen=True)
class Harvested(DomainEvent):
    """v1 ``{"kg": 2}``; v2 ``{"grams": 2000}``; v3 adds the grade, unknown for old harvests."""

    schema_version: ClassVar[int] = 3
    grams: int
    grade: str


@dataclass(frozen=True)
class Delivered(DomainEvent):
    """Stored as ``Shipped`` v1 ``{"to": ...}`` before the event was renamed (v2)."""

    schema_version: ClassVar[int] = 2
    destination: str


HARVEST_UPCASTS = (
    Upcast("Harvested", 1, lambda d: {"grams": d["kg"] * 1000}),
    Upcast("Harvested", 2, lambda d: d | {"grade": "unknown"}),
)


def test_an_old_event_climbs_every_upcaster_to_the_current_version():
    registry = EventRegistry([Harvested], HARVEST_UPCASTS)
    assert registry.decode("Harvested", 1, {"kg": 2}) == Harvested(2000, "unknown")
    assert registry.decode("Harvested", 2, {"grams": 500}) == Harvested(500, "unknown")
    assert registry.decode("Harvested", 3, {"grams": 500, "grade": "A"}) == Harvested(500, "A")


def test_a_renamed_event_type_is_read_as_its_new_type():
    registry = EventRegistry([Delivered], [Upcast("Shipped", 1, lambda d: {"destination": d["to"]}, to_type="Delivered")])
    assert registry.decode("Shipped", 1, {"to": "Thọ Xuân"}) == Delivered("Thọ Xuân")
    assert registry.decode("Delivered", 2, {"destination": "Nga Sơn"}) == Delivered("Nga Sơn")


def test_a_renamed_field_and_a_split_field_are_pure_functions_of_the_old_data():
    old = {"product_id": "p-1", "place": "380/15409"}
    assert split_place(old) == {"product_id": "p-1", "district": "380", "commune": "15409"}
    assert old == {"product_id": "p-1", "place": "380/15409"}  # the stored data is not touched
    assert count_is_amount({"count": 3}) == {"amount": 3}


def test_an_unknown_event_type_cannot_be_decoded_and_the_error_names_it():
    with pytest.raises(EventDecodingError, match="RewardDreamedUp"):
        EVENTS.decode("RewardDreamedUp", 1, {})


def test_a_version_no_upcaster_reaches_cannot_be_decoded():
    with pytest.raises(EventDecodingError, match="StockAdded v3 cannot be read as v2"):
        EVENTS.decode("StockAdded", 3, {"amount": 1})


def test_data_that_does_not_fit_the_event_cannot_be_decoded():
    with pytest.raises(EventDecodingError, match="StockAdded v2 does not fit StockAdded"):
        EVENTS.decode("StockAdded", 2, {"count": 1})


def test_stored_json_text_decodes_as_its_parsed_data_does_through_the_upcasters_or_straight_into_the_class():
    shipped = Upcast("Shipped", 1, lambda d: {"destination": d["to"]}, to_type="Delivered")
    registry = EventRegistry([Harvested, Delivered], [*HARVEST_UPCASTS, shipped])
    assert registry.decode_text("Harvested", 1, '{"kg": 2}') == Harvested(2000, "unknown")
    assert registry.decode_text("Harvested", 3, '{"grams": 500, "grade": "A"}') == Harvested(500, "A")
    assert registry.decode_text("Shipped", 1, '{"to": "Thọ Xuân"}') == Delivered("Thọ Xuân")
    assert registry.decode_text("Delivered", 2, '{"destination": "Nga S\\u01a1n"}') == Delivered("Nga Sơn")
    with pytest.raises(EventDecodingError, match="does not fit Harvested"):
        registry.decode_text("Harvested", 3, '{"grams": "many"}')


def test_the_registry_refuses_an_event_at_v2_with_no_upcaster_for_v1():
    with pytest.raises(ValueError, match="Harvested is at v3 but nothing upcasts v2"):
        EventRegistry([Harvested], HARVEST_UPCASTS[:1])
    with pytest.raises(ValueError, match="StallOpened is at v2 but nothing upcasts v1"):
        EventRegistry.of(Stall, upcasts=[Upcast("StockAdded", 1, count_is_amount)])


def test_a_rename_vouches_only_for_the_versions_before_it():
    @dataclass(frozen=True)
    class Dispatched(DomainEvent):
        schema_version: ClassVar[int] = 3
        destination: str

    renamed = Upcast("Shipped", 1, lambda d: {"destination": d["to"]}, to_type="Dispatched")
    with pytest.raises(ValueError, match="Dispatched is at v3 but nothing upcasts v2"):
        EventRegistry([Dispatched], [renamed])
    registry = EventRegistry([Dispatched], [renamed, Upcast("Dispatched", 2, lambda d: d | {"destination": d["destination"].upper()})])
    assert registry.decode("Shipped", 1, {"to": "nga sơn"}) == Dispatched("NGA SƠN")


def test_the_registry_refuses_two_upcasters_for_one_version():
    with pytest.raises(ValueError, match="two upcasters for Harvested v1"):
        EventRegistry([Harvested], [*HARVEST_UPCASTS, HARVEST_UPCASTS[0]])


# --------------------------------------------------------------------------- the store, the aggregate, the read model

_INSERT = """
INSERT INTO events (stream_id, stream_type, version, event_id, event_type, schema_version, data)
VALUES ($1, 'stall', $2, $3, $4, 1, $5)
"""


async def _store_as_older_code_did(conn, stall_id: str) -> None:
    """Rows written before the events changed shape (and before any projection of today's code saw them)."""
    await conn.execute(_INSERT, stall_id, 1, uuid.uuid4(), "StallOpened", {"product_id": "p-old", "place": "380/15409"})
    await conn.execute(_INSERT, stall_id, 2, uuid.uuid4(), "StockAdded", {"count": 3})


async def _stalls(svc) -> list[tuple]:
    async with svc.pool.acquire() as conn:
        return [tuple(r) for r in await conn.fetch("SELECT * FROM stalls ORDER BY stall_id")]


async def _stored(svc, stall_id: str) -> list[tuple]:
    async with svc.pool.acquire() as conn:
        rows = await conn.fetch("SELECT schema_version, data FROM events WHERE stream_id = $1 ORDER BY version", stall_id)
    return [tuple(r) for r in rows]


async def test_old_shaped_events_load_the_aggregate_rebuild_the_read_model_and_new_ones_are_written_at_v2(launcher):
    old_id, new_id = f"a-stall-{uuid.uuid4()}", f"b-stall-{uuid.uuid4()}"
    async with tally_service(launcher, "test.upcasting.unused", consume=False, relay=False) as svc:
        async with svc.pool.acquire() as conn:
            await _store_as_older_code_did(conn, old_id)
        async with svc.uow() as uow:
            stall = await uow.repository(Stall).get(old_id)
            loaded = (stall.product_id, stall.district, stall.commune, stall.stock, stall.version)
            stall.add(4)
            uow.repository(Stall).add(Stall.open(new_id, "p-new", "381", "15500"))
            await uow.commit()
        live = await _stalls(svc)  # the old stall has no row: no projection saw its opening live
        replayed = await rebuild(svc.pool, svc.projections, svc.definition.events)
        rebuilt = await _stalls(svc)
        old_rows, new_rows = await _stored(svc, old_id), await _stored(svc, new_id)

    assert loaded == ("p-old", "380", "15409", 3, 2)
    assert live == [(new_id, "p-new", "381", "15500", 0)]
    assert replayed == 4
    assert rebuilt == [(old_id, "p-old", "380", "15409", 7), (new_id, "p-new", "381", "15500", 0)]
    assert old_rows == [(1, {"product_id": "p-old", "place": "380/15409"}), (1, {"count": 3}), (2, {"amount": 4})]
    assert new_rows == [(2, {"product_id": "p-new", "district": "381", "commune": "15500"})]


async def test_a_projection_fed_live_with_old_shaped_events_gets_them_typed(launcher):
    from shared.eventstore import NewEvent

    stall_id = f"stall-{uuid.uuid4()}"
    old = [NewEvent("StallOpened", {"product_id": "p-raw", "place": "382/15600"}, schema_version=1),
           NewEvent("StockAdded", {"count": 5}, schema_version=1)]
    async with tally_service(launcher, "test.upcasting.unused", consume=False, relay=False) as svc:
        async with svc.uow() as uow:
            recorded_events = await uow.append(stall_id, "stall", 0, old)
            committed = await uow.commit()
        rows = await _stalls(svc)

    assert [e.schema_version for e in recorded_events] == [1, 1]
    assert [r.event for r in committed] == [StallOpened("p-raw", "382", "15600"), StockAdded(5)]
    assert rows == [(stall_id, "p-raw", "382", "15600", 5)]
