"""From ProductRegistered in to ProductRated out, over the real broker and PostgreSQL, for each level and outcome."""

from __future__ import annotations

import uuid

import pytest

from tests.rating.flow import rated, registered, send_registered

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "392"



def ids(n: int) -> list[str]:
    return [f"lv-{uuid.uuid4().hex[:12]}" for _ in range(n)]


async def test_district_province_and_centre_publish_each_outcome(driver, launcher):
    three, four, five, weak, low = ids(5)
    await send_registered(launcher.bootstrap_servers, *(registered(p, district_code=DISTRICT) for p in (three, four, five, weak, low)))
    for p in (three, four, five, weak, low):
        await driver.dossier_when(p)

    await driver.season("district", {three: 62, four: 78, five: 95, weak: 42, low: 55}, district=DISTRICT, held_on="2021-03-10")
    [proposed] = await rated(launcher.bootstrap_servers, three, 1)
    assert (proposed.data.level, proposed.data.status, proposed.data.stars, proposed.data.average_score) == ("district", "proposed", 3, 62.0)
    assert proposed.data.certificate is None and proposed.data.decision is None
    [refused] = await rated(launcher.bootstrap_servers, weak, 1)
    assert (refused.data.level, refused.data.status, refused.data.stars) == ("district", "not_recognized", 2)
    [ninety] = await rated(launcher.bootstrap_servers, five, 1)
    assert ninety.data.stars == 4, "no level below the centre shows 5★"

    await driver.season("provincial", {three: 62, four: 78, five: 95, low: 45}, held_on="2021-04-01",
                        decided_on="2021-04-06", number="1114/QĐ-UBND")
    recognised = (await rated(launcher.bootstrap_servers, three, 2))[1].data
    assert (recognised.level, recognised.status, recognised.stars) == ("provincial", "recognized", 3)
    assert recognised.decision.number == "1114/QĐ-UBND" and str(recognised.decision.date) == "2021-04-06"
    assert (str(recognised.certificate.valid_from), str(recognised.certificate.valid_until)) == ("2021-04-06", "2024-04-06")
    assert (await rated(launcher.bootstrap_servers, four, 2))[1].data.stars == 4
    to_centre = (await rated(launcher.bootstrap_servers, five, 2))[1].data
    assert (to_centre.status, to_centre.stars, to_centre.certificate) == ("proposed", 4, None)
    low_out = (await rated(launcher.bootstrap_servers, low, 2))[1].data
    assert (low_out.level, low_out.status) == ("provincial", "not_recognized")

    await driver.season("central", {five: 96}, held_on="2021-09-01", decided_on="2021-09-20", number="2000/QĐ-BNN")
    national = (await rated(launcher.bootstrap_servers, five, 3))[2].data
    assert (national.level, national.status, national.stars) == ("central", "recognized", 5)
    assert str(national.certificate.valid_until) == "2024-09-20"

    certified = await driver.get("/certificates", as_of="2021-10-01", district_code=DISTRICT)
    assert {(c["product_id"], c["stars"]) for c in certified["items"]} == {(three, 3), (four, 4), (five, 5)}


async def test_a_product_withdrawn_from_a_session_can_go_before_a_later_one(driver, launcher):
    stays, leaves = ids(2)
    await send_registered(launcher.bootstrap_servers, registered(stays, district_code=DISTRICT),
                          registered(leaves, district_code=DISTRICT))
    for p in (stays, leaves):
        await driver.dossier_when(p)
    council = await driver.council("district", DISTRICT)
    session = await driver.open_session(council, [stays, leaves], held_on="2021-05-01", round_=2)
    await driver.score(session, stays, [66] * 5)
    headers = driver.secretary("district", DISTRICT)
    partly = await driver.finalise(session, "2021-05-01")
    assert [r["product_id"] for r in partly["results"]] == [stays] and not partly["finalised"]
    [still] = partly["still_open"]
    assert still["product_id"] == leaves and "0 of 5 members scored" in still["reason"]
    assert (await driver.get(f"/sessions/{session['session_id']}"))["status"] == "partly_finalised"

    withdrawn = await driver.client.post(f"/sessions/{session['session_id']}/products/{leaves}/withdrawal",
                                         json={"reason": "Chủ thể xin rút hồ sơ"}, headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert [p["product_id"] for p in withdrawn.json()["products"]] == [stays] and withdrawn.json()["finalised"]
    assert (await driver.get(f"/sessions/{session['session_id']}"))["status"] == "finalised"
    results = await driver.get(f"/sessions/{session['session_id']}/results")
    assert {r["product_id"]: r["outcome"] for r in results["results"]} == {stays: "proposed", leaves: "withdrawn"}
    assert (await driver.get(f"/dossiers/{leaves}"))["status"] == "withdrawn_from_session"

    later = await driver.season("district", {leaves: 58}, district=DISTRICT, held_on="2021-06-01", round_=3)
    [proposed] = await rated(launcher.bootstrap_servers, leaves, 1)
    assert proposed.data.evaluation_id == f"{later['session_id']}/{leaves}" and proposed.data.status == "proposed"


async def test_a_product_withdrawn_and_listed_again_in_the_same_session_is_examined_afresh(driver, launcher):
    first, again = ids(2)
    await send_registered(launcher.bootstrap_servers, registered(first, district_code=DISTRICT),
                          registered(again, district_code=DISTRICT))
    for p in (first, again):
        await driver.dossier_when(p)
    council = await driver.council("district", DISTRICT)
    session = await driver.open_session(council, [first, again], held_on="2021-05-10", round_=5)
    headers = driver.secretary("district", DISTRICT)
    path = f"/sessions/{session['session_id']}/products"
    withdrawn = await driver.client.post(f"{path}/{again}/withdrawal", json={"reason": "hồ sơ thiếu"}, headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    relisted = await driver.client.post(path, json={"product_ids": [again]}, headers=headers)
    assert relisted.status_code == 200, relisted.text
    assert sorted(p["product_id"] for p in relisted.json()["products"]) == sorted([first, again])

    await driver.score(session, first, [64] * 5)
    await driver.score(session, again, [57] * 5)
    done = await driver.finalise(session, "2021-05-10")
    results = await driver.get(f"/sessions/{session['session_id']}/results")
    assert done["finalised"] and {r["product_id"]: r["outcome"] for r in results["results"]} == {
        first: "proposed", again: "proposed"}


async def test_product_rated_continues_the_flow_of_the_products_registration(driver, launcher):
    [product] = ids(1)
    entered = registered(product, district_code=DISTRICT)
    await send_registered(launcher.bootstrap_servers, entered)
    await driver.dossier_when(product)
    await driver.season("district", {product: 71}, district=DISTRICT, held_on="2021-07-01", round_=4)
    [proposed] = await rated(launcher.bootstrap_servers, product, 1)
    assert proposed.correlation_id == entered.correlation_id
    assert proposed.actor is not None and proposed.actor.role == "council_secretary"


async def test_a_decision_number_is_used_once_a_year(driver, launcher):
    first, second, next_year = ids(3)
    await send_registered(launcher.bootstrap_servers, *(registered(p, district_code=DISTRICT) for p in (first, second, next_year)))
    for p in (first, second, next_year):
        await driver.dossier_when(p)
    await driver.season("district", {first: 65, second: 65, next_year: 65}, district=DISTRICT, held_on="2021-08-01", round_=5)
    await driver.season("provincial", {first: 65}, held_on="2021-09-01", decided_on="2021-09-10", number="77/QĐ-UBND")
    again = await driver.season("provincial", {second: 65}, held_on="2021-10-01")
    refused = await driver.client.post(f"/sessions/{again['session_id']}/decision",
                                       json={"number": "77/QĐ-UBND", "date": "2021-10-05", "issued_by": "UBND tỉnh"},
                                       headers=driver.office("provincial", None))
    assert refused.status_code == 409 and refused.json()["detail"]["field"] == "number"
    assert (await driver.get(f"/dossiers/{second}"))["status"] == "in_session", "nothing of the refused decision was kept"
    later = await driver.season("provincial", {next_year: 65}, held_on="2022-03-01", decided_on="2022-03-10",
                                number="77/QĐ-UBND")
    rated_later = (await rated(launcher.bootstrap_servers, next_year, 2))[1].data
    assert rated_later.certificate.number == "77/QĐ-UBND#2022-001" and later["session_id"]


async def test_the_outbox_derived_again_from_the_store_is_the_outbox_first_written(driver, launcher):
    """A broker that lost its log is refilled from the store: every ProductRated must come back byte for byte."""
    three, weak = ids(2)
    await send_registered(launcher.bootstrap_servers, registered(three, district_code=DISTRICT),
                          registered(weak, district_code=DISTRICT))
    for p in (three, weak):
        await driver.dossier_when(p)
    await driver.season("district", {three: 62, weak: 42}, district=DISTRICT, held_on="2021-03-10")
    await driver.season("provincial", {three: 62}, held_on="2021-04-01", decided_on="2021-04-06", number="1116/QĐ-UBND")
    await rated(launcher.bootstrap_servers, three, 2)

    columns = "event_id, topic, message_key, payload, headers"
    async with driver.runtime.pool.acquire() as conn:
        written = [tuple(r) for r in await conn.fetch(f"SELECT {columns} FROM outbox ORDER BY id")]
        tx = conn.transaction()
        await tx.start()
        try:
            count = await driver.runtime.regenerate_outbox(conn)
            derived = [tuple(r) for r in await conn.fetch(f"SELECT {columns} FROM outbox ORDER BY id")]
        finally:
            await tx.rollback()  # the relay of this module's service must not publish everything again

    mine = {three, weak}
    assert count == len(derived) and len([r for r in written if r[2] in mine]) == 3
    assert [r for r in derived if r[2] in mine] == [r for r in written if r[2] in mine]
    assert derived == written
