"""A product that fails a council comes back in a later one; a certified product asks for an upgrade (OCOP-RULES §7).

Over the real broker and PostgreSQL; every attempt stays on the product's rating history.
"""

from __future__ import annotations


import pytest

from services.rating.domain import outcomes as out
from tests.rating.flow import ids, rated

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "393"
OUTCOMES = {fact.__name__ for fact in out.OUTCOMES}



def totals(attempt: dict) -> list[int]:
    """The members' totals of one attempt (latest version of each member's scorecard)."""
    latest: dict[str, dict] = {}
    for card in attempt["scorecards"]:
        if card["version"] >= latest.get(card["member_id"], {"version": 0})["version"]:
            latest[card["member_id"]] = card
    return sorted(c["total"] for c in latest.values())


async def test_a_product_refused_at_district_re_enters_a_later_session_and_every_attempt_stays_on_record(driver, launcher):
    [product] = ids("re", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, product)

    first = await driver.season("district", {product: 42}, district=DISTRICT, held_on="2021-03-02", round_=1)
    [refused] = await rated(launcher.bootstrap_servers, product, 1)
    assert (refused.data.level, refused.data.status, refused.data.stars) == ("district", "not_recognized", 2)
    assert "re-enter" in refused.data.reason
    dossier = await driver.dossier_when(product, lambda d: d["status"] == "not_recognized")
    assert dossier["stage"] == "district" and dossier["session_id"] is None

    again = await driver.season("district", {product: 64}, district=DISTRICT, held_on="2021-05-03", round_=2)
    proposed = (await rated(launcher.bootstrap_servers, product, 2))[1].data
    assert (proposed.level, proposed.status, proposed.stars, proposed.average_score) == ("district", "proposed", 3, 64.0)
    assert proposed.evaluation_id == f"{again['session_id']}/{product}"

    history = await driver.history(product)
    attempts = history["attempts"]
    assert [(a["session_id"], a["level"], a["purpose"], a["outcome"]) for a in attempts] == [
        (first["session_id"], "district", "first", "not_recognized"),
        (again["session_id"], "district", "re_entry", "proposed")]
    assert [float(a["average_score"]) for a in attempts] == [42.0, 64.0]
    assert [totals(a) for a in attempts] == [[42] * 5, [64] * 5]
    assert all(card["session_id"] == a["session_id"] for a in attempts for card in a["scorecards"])
    assert history["dossier"]["status"] == "proposed" and history["dossier"]["stage"] == "provincial"


async def test_a_product_refused_at_province_is_examined_again_in_a_later_round(driver, launcher):
    [product] = ids("re", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, product)
    district = await driver.season("district", {product: 58}, district=DISTRICT, held_on="2021-03-05", round_=3)

    weak = await driver.season("provincial", {product: 45}, held_on="2021-04-02", decided_on="2021-04-07", round_=1)
    refused = (await rated(launcher.bootstrap_servers, product, 2))[1].data
    assert (refused.level, refused.status, refused.stars, refused.certificate) == ("provincial", "not_recognized", 2, None)
    assert refused.decision is not None and "later round" in refused.reason
    dossier = await driver.dossier_when(product, lambda d: d["status"] == "not_recognized")
    assert (dossier["stage"], dossier["stars"], dossier["certificate_number"]) == ("provincial", 0, None)

    later = await driver.season("provincial", {product: 66}, held_on="2021-08-01", decided_on="2021-08-05", round_=2,
                                number="2942/QĐ-UBND")
    recognised = (await rated(launcher.bootstrap_servers, product, 3))[2].data
    assert (recognised.level, recognised.status, recognised.stars) == ("provincial", "recognized", 3)
    assert recognised.certificate.number == "2942/QĐ-UBND#2021-001"
    assert str(recognised.certificate.valid_from) == "2021-08-05"

    history = await driver.history(product)
    assert [(a["session_id"], a["level"], a["purpose"], a["outcome"]) for a in history["attempts"]] == [
        (district["session_id"], "district", "first", "proposed"),
        (weak["session_id"], "provincial", "first", "not_recognized"),
        (later["session_id"], "provincial", "re_entry", "recognized")]
    assert [totals(a) for a in history["attempts"]] == [[58] * 5, [45] * 5, [66] * 5]
    assert [a["session_status"] for a in history["attempts"]] == ["finalised", "decided", "decided"]
    assert [c["number"] for c in history["certificates"]] == ["2942/QĐ-UBND#2021-001"]
    outcomes = [(e["event_type"], e["status"]) for e in history["events"] if e["event_type"] in OUTCOMES]
    assert outcomes == [("ForwardedToProvince", "proposed"), ("NotRecognised", "not_recognized"),
                        ("CertificateIssued", "recognized")]
    assert all(e["summary"] and "data" not in e for e in history["events"]), "a documented shape, no stored payload"


async def test_a_3_star_product_listed_for_an_upgrade_gets_4_stars_and_its_old_certificate_is_superseded(driver, launcher):
    product, neighbour = ids("up", 2)
    first = await driver.certify(launcher.bootstrap_servers, DISTRICT, {product: 61, neighbour: 63},
                                 district_on="2021-03-08", province_on="2021-04-03", decided_on="2021-04-08",
                                 number="1120/QĐ-UBND")
    old = first[product].certificate
    assert first[product].stars == 3 and old.number.startswith("1120/QĐ-UBND#")

    council = await driver.council("provincial")
    session = await driver.open_session(council, [product], held_on="2022-06-01", round_=2, cycle_year=2022)
    assert [(p["product_id"], p["purpose"]) for p in session["products"]] == [(product, "upgrade")]
    await driver.score(session, product, [76] * 5)
    await driver.finalise(session, "2022-06-01")
    await driver.decide(session, "1500/QĐ-UBND", "2022-06-10")

    upgraded = (await rated(launcher.bootstrap_servers, product, 3))[2].data
    assert (upgraded.level, upgraded.status, upgraded.stars) == ("provincial", "recognized", 4)
    new = upgraded.certificate
    assert new.number == "1500/QĐ-UBND#2022-001" and new.number != old.number
    assert (str(new.valid_from), str(new.valid_until)) == ("2022-06-10", "2025-06-10")
    assert "upgraded from 3★" in upgraded.reason and old.number in upgraded.reason

    after = await driver.get("/certificates", as_of="2022-06-10", district_code=DISTRICT, limit=500)
    mine = {(c["product_id"], c["number"], c["stars"]) for c in after["items"] if c["product_id"] == product}
    assert mine == {(product, new.number, 4)}
    assert neighbour in {c["product_id"] for c in after["items"]}, "the neighbour's certificate is untouched"
    before = await driver.get("/certificates", as_of="2022-06-09", district_code=DISTRICT, limit=500)
    assert {(c["number"], c["stars"]) for c in before["items"] if c["product_id"] == product} == {(old.number, 3)}

    history = await driver.history(product)
    assert {c["number"]: (c["status"], c["ended_on"]) for c in history["certificates"]} == {
        old.number: ("superseded", "2022-06-10"), new.number: ("valid", None)}
    assert [a["purpose"] for a in history["attempts"]] == ["first", "first", "upgrade"]
    dossier = await driver.get(f"/dossiers/{product}")
    assert (dossier["status"], dossier["stars"], dossier["certificate_number"]) == ("recognized", 4, new.number)


async def test_a_failed_upgrade_request_keeps_the_certificate_and_is_counted_as_a_confirmation(driver, launcher):
    [product] = ids("up", 1)
    first = await driver.certify(launcher.bootstrap_servers, DISTRICT, {product: 75}, district_on="2021-03-09",
                                 province_on="2021-04-04", decided_on="2021-04-09")
    held = first[product].certificate

    council = await driver.council("provincial")
    session = await driver.open_session(council, [product], held_on="2022-06-02", round_=3, cycle_year=2022)
    assert [p["purpose"] for p in session["products"]] == ["upgrade"]
    await driver.score(session, product, [82] * 5)
    await driver.finalise(session, "2022-06-02")
    decided = await driver.decide(session, f"{product}/QĐ-UBND", "2022-06-12")
    assert (decided["certificates_issued"], decided["outcomes"]) == (0, {"confirmed": 1})

    kept = (await rated(launcher.bootstrap_servers, product, 3))[2].data
    assert (kept.status, kept.stars, kept.level, kept.average_score) == ("not_recognized", 4, "provincial", 82.0)
    assert (kept.certificate.number, str(kept.certificate.valid_until)) == (held.number, "2024-04-09")
    assert kept.reason.startswith("confirmed at 4★") and kept.decision.number == f"{product}/QĐ-UBND"

    results = await driver.get(f"/sessions/{session['session_id']}/results")
    [row] = results["results"]
    assert (row["outcome"], row["outcome_stars"], row["certificate_number"]) == ("confirmed", 4, held.number)
    assert results["outcomes"] == {"confirmed": 1}
    history = await driver.history(product)
    assert [(c["number"], c["status"]) for c in history["certificates"]] == [(held.number, "valid")]
    assert [a["outcome"] for a in history["attempts"]] == ["proposed", "recognized", "confirmed"]
    after = await driver.get("/certificates", as_of="2022-06-12", district_code=DISTRICT, limit=500)
    assert [(c["number"], c["stars"]) for c in after["items"] if c["product_id"] == product] == [(held.number, 4)]
    dossier = await driver.get(f"/dossiers/{product}")
    assert (dossier["status"], dossier["stars"], dossier["certificate_number"]) == ("recognized", 4, held.number)
    entries = (await driver.get(f"/decisions/{product}/QĐ-UBND"))["entries"]
    assert [(e["outcome"], e["issued"], e["certificate_number"]) for e in entries] == [
        ("confirmed", False, held.number)]
