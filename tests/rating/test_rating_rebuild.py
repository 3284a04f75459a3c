"""Rating's read models are disposable: after a season, dropping and replaying them from the event store gives the
same answers to every query (histories, results tables, certificates held on a date, dossiers)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
import pytest_asyncio

from services.rating.domain import events as ev
from services.rating.domain import rounds
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.session import CouncilSession
from services.rating.domain.values import Decision
from services.rating.service import definition
from shared.contracts.roles import Role
from shared.rebuild import rebuild
from tests.kernel.support import running_service
from tests.rating.flow import RatingDriver, ids, inspection_failed, rated, send_inspections
from tests.rating.legacy import a_certified_life, numbers
from tests.rating.support import shipped
from tests.rating.test_decision_dates import TODAY
from tests.rating.test_rounds_domain import POLICY, council, dossier, finalise, score

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "400"
TABLES = {"dossiers": "product_id", "dossier_history": "product_id, version", "councils": "council_id",
          "sessions": "session_id", "session_products": "session_id, product_id",
          "scorecards": "session_id, product_id, member_id, version", "certificates": "number",
          "decisions": "decision_id", "decision_products": "decision_id, product_id"}
DATES = ("2021-03-01", "2021-04-20", "2021-09-01", "2021-11-30", "2022-07-01", "2024-04-20", "2025-01-01")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def service(launcher) -> AsyncIterator[tuple[RatingDriver, Any]]:
    async with running_service(launcher, definition) as (client, settings, runtime):
        yield RatingDriver(client, settings), runtime


async def a_season(driver: RatingDriver, launcher: Any) -> tuple[list[str], list[str]]:
    """Re-entry, a correction, a withdrawal, a refusal, certificates, an upgrade and a revocation."""
    bootstrap = launcher.bootstrap_servers
    upgraded, revoked, refused, withdrawn = ids("rb", 4)
    await driver.enter(bootstrap, DISTRICT, upgraded, revoked, refused, withdrawn, name="Mắm tép Hà Trung")
    council = await driver.council("district", DISTRICT)

    first = await driver.open_session(council, [upgraded, revoked, refused, withdrawn], held_on="2021-03-01", round_=1)
    await driver.score(first, upgraded, [42] * 5)
    await driver.score(first, revoked, [66] * 5)
    assert (await driver.card(first, revoked, (await driver.members(first))[2], 70)).json()["version"] == 2
    await driver.score(first, refused, [52] * 5)
    out = await driver.client.post(f"/sessions/{first['session_id']}/products/{withdrawn}/withdrawal",
                                   json={"reason": "Chủ thể xin rút"}, headers=driver.secretary("district", DISTRICT))
    assert out.status_code == 200, out.text
    await driver.finalise(first, "2021-03-01")
    second = await driver.season("district", {upgraded: 58}, district=DISTRICT, held_on="2021-03-20", round_=2)

    round1 = await driver.season("provincial", {upgraded: 65, revoked: 78, refused: 45}, held_on="2021-04-15",
                                 decided_on="2021-04-20", round_=1)
    certified = (await rated(bootstrap, revoked, 2))[1].data
    failed = inspection_failed(revoked, certified.certificate.number, inspected_on="2021-08-01")
    await send_inspections(bootstrap, failed)
    await driver.dossier_when(revoked, lambda d: d["status"] == "under_review")
    decision = {"number": "4000/QĐ-UBND", "date": "2021-09-01", "issued_by": "UBND tỉnh Thanh Hóa"}
    revocation = await driver.client.post(f"/products/{revoked}/inspection-decision", headers=driver.office("provincial", None),
                                          json={"inspection_id": failed.data.inspection_id, "action": "revoke",
                                                "reason": "Vi phạm quy chế quản lý sản phẩm OCOP", "decision": decision})
    assert revocation.status_code == 200, revocation.text

    round2 = await driver.season("provincial", {upgraded: 76}, held_on="2022-06-20", decided_on="2022-07-01", round_=2,
                                 cycle_year=2022)
    assert (await rated(bootstrap, upgraded, 4))[3].data.stars == 4
    assert (await rated(bootstrap, revoked, 3))[2].data.status == "revoked"
    return [upgraded, revoked, refused, withdrawn], [s["session_id"] for s in (first, second, round1, round2)]


async def answers(driver: RatingDriver, products: list[str], sessions: list[str]) -> dict[str, Any]:
    """What the read side answers about the season, through the API."""
    text = {"format": "text"}
    found: dict[str, Any] = {
        "dossiers": await driver.get("/dossiers", district_code=DISTRICT, limit=500),
        "sessions": await driver.get("/sessions", district_code=DISTRICT, limit=500),
        "provincial sessions": await driver.get("/sessions", level="provincial", limit=500),
        "councils": await driver.get("/councils"),
        "decisions": await driver.get("/decisions", limit=500),
        "decisions of the season": [await driver.get("/decisions", product_id=p) for p in products],
    }
    for product in products:
        found[f"dossier {product}"] = await driver.get(f"/dossiers/{product}")
        found[f"history {product}"] = await driver.get(f"/products/{product}/rating-history")
    for session in sessions:
        found[f"session {session}"] = await driver.get(f"/sessions/{session}")
        found[f"results {session}"] = await driver.get(f"/sessions/{session}/results")
        printed = await driver.client.get(f"/sessions/{session}/results", params=text,
                                          headers=driver.token(Role.provincial_office))
        found[f"printed {session}"] = printed.text
    for on in DATES:
        found[f"certificates {on}"] = await driver.get("/certificates", as_of=on, district_code=DISTRICT, limit=500)
        found[f"all certificates {on}"] = await driver.get("/certificates", as_of=on, limit=500)
        found[f"expiring {on}"] = await driver.get("/certificates/expiring", as_of=on, within_days=1200, limit=500)
    return found


async def tables(runtime: Any) -> dict[str, list[tuple]]:
    async with runtime.pool.acquire() as conn:
        return {table: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
                for table, key in TABLES.items()}


async def test_a_dossier_stored_with_v1_outcomes_is_projected_as_the_facts_they_recorded(service):
    """Written by older code (one RatingOutcomeRecorded per outcome): read models as if recorded today, and (below)
    a rebuild over them gives the same rows."""
    driver, runtime = service
    [product] = ids("v1", 1)
    async with runtime.uow() as uow:
        await uow.append(product, "rating-dossier", 0, a_certified_life(product, district_code="401"))
        await uow.commit()

    dossier = await driver.get(f"/dossiers/{product}")
    assert (dossier["status"], dossier["stars"], dossier["certificate_number"], dossier["version"]) == (
        "expired", 0, None, 10)
    history = await driver.get(f"/products/{product}/rating-history")
    old, new = numbers(product)
    assert {c["number"]: (c["status"], c["ended_on"]) for c in history["certificates"]} == {
        old: ("superseded", "2022-08-05"), new: ("expired", "2025-08-06")}
    assert [(e["event_type"], e["status"]) for e in history["events"]][-2:] == [
        ("WarningIssued", "recognized"), ("CertificateExpired", "expired")]
    held = await driver.get("/certificates", as_of="2023-01-01", district_code="401")
    assert [(c["number"], c["stars"]) for c in held["items"] if c["product_id"] == product] == [(new, 4)]


async def test_rebuilt_read_models_answer_every_query_as_live_processing_did(service, launcher):
    driver, runtime = service
    products, sessions = await a_season(driver, launcher)
    live = await answers(driver, products, sessions)
    live_rows = await tables(runtime)
    history = live[f"history {products[0]}"]
    assert len(history["attempts"]) == 4 and len(history["certificates"]) == 2
    assert [c["status"] for c in live[f"history {products[1]}"]["certificates"]] == ["revoked"]
    assert products[0] in {c["product_id"] for c in live["certificates 2022-07-01"]["items"]}
    assert set(live_rows) == set(runtime.projections[0].tables)

    async with runtime.pool.acquire() as conn:  # a read model gone wrong: rows lost, others changed
        await conn.execute("DELETE FROM certificates WHERE district_code = $1", DISTRICT)
        await conn.execute("DELETE FROM scorecards WHERE session_id = $1", sessions[0])
        await conn.execute("UPDATE dossiers SET status = 'lost', stars = 5 WHERE district_code = $1", DISTRICT)
    assert await answers(driver, products, sessions) != live

    async with runtime.pool.acquire() as conn:
        events = await conn.fetchval("SELECT count(*) FROM events")
    replayed = await rebuild(runtime.pool, runtime.projections, definition.events, batch_size=100)
    assert replayed >= events

    rebuilt = await answers(driver, products, sessions)
    assert rebuilt.keys() == live.keys()
    for key in live:
        assert rebuilt[key] == live[key], key
    rebuilt_rows = await tables(runtime)
    for table in TABLES:
        assert rebuilt_rows[table] == live_rows[table], table


def a_round_decided_by_older_code(product_id: str, no: str) -> list[tuple[str, str, list]]:
    """A provincial round certifying one product, stored as older code did: the session, the dossier, and only the
    decision's number (DecisionNumberTaken) instead of a decision record; (stream, type, events) in store order."""
    d = dossier(product_id)
    d.opened = dataclasses.replace(d.opened, product_id=product_id, district_code="403")
    d.stage = "provincial"
    session = CouncilSession.open(f"S-old-{product_id}", council("provincial", None), cycle_year=2021, round_=1,
                                  title="Đợt 1", held_on=date(2021, 4, 1))
    opened = RatingDossier(product_id)
    opened.record(d.opened)
    rounds.examine(session, {product_id: d})
    score(session, product_id, 64, 64, 64, 64)
    finalise(session, {product_id: d}, date(2021, 4, 1))
    rounds.decide(session, {product_id: d}, shipped(), POLICY, decision=Decision(no, date(2021, 4, 6), "UBND tỉnh"),
                  today=TODAY)
    scheduled, *outcome = d.collect()
    taken = ev.DecisionNumberTaken(no, 2021, session.id)
    return [(product_id, "rating-dossier", [*opened.collect(), scheduled]),
            (session.id, "council-session", session.collect()), (product_id, "rating-dossier", outcome),
            (f"decision:2021:{no}", "decision-number", [taken])]


async def test_a_round_decision_older_code_stored_as_a_number_is_listed_as_a_recognition(service):
    driver, runtime = service
    [product] = ids("v1", 1)
    no = f"{product}/QĐ-UBND"
    async with runtime.uow() as uow:
        versions: dict[str, int] = {}
        for stream, kind, events in a_round_decided_by_older_code(product, no):
            encoded = [definition.events.encode(e, {}) for e in events]
            await uow.append(stream, kind, versions.get(stream, 0), encoded)
            versions[stream] = versions.get(stream, 0) + len(events)
        await uow.commit()

    found = await driver.get(f"/decisions/{no}")
    assert (found["kind"], found["body"], found["date"], found["issued_by"], found["products"]) == (
        "recognition", "province", "2021-04-06", "UBND tỉnh", 1)
    entries = [(e["product_id"], e["outcome"], e["stars"], e["certificate_number"], e["issued"])
               for e in found["entries"]]
    assert entries == [(product, "recognized", 3, f"{no}#2021-001", True)]
