"""Scorecards within a session over HTTP: corrections are new versions, members score at once, and finalisation
waits for the quorum and for totals no more than 10 points apart (OCOP-RULES §5.3)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.rating.application import handlers
from shared.contracts.roles import Role
from shared.eventstore import ConcurrencyError
from tests.rating.flow import RatingDriver, ids, rated

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "394"
EIGHT = "406"  # a council of eight scoring members, this module's alone



async def session_with(driver: RatingDriver, launcher, products: list[str], held_on: str, round_: int) -> dict:
    await driver.enter(launcher.bootstrap_servers, DISTRICT, *products)
    council = await driver.council("district", DISTRICT)
    return await driver.open_session(council, products, held_on=held_on, round_=round_)


async def test_a_members_correction_is_version_2_both_stay_on_record_and_the_result_uses_the_latest(driver, launcher):
    [product] = ids("sc", 1)
    session = await session_with(driver, launcher, [product], "2021-03-11", 1)
    members = await driver.members(session)
    corrector = members[1]
    for member in members:
        assert (await driver.card(session, product, member, 60)).status_code == 200

    own = driver.token(Role.council_member, corrector, DISTRICT)
    correction = await driver.card(session, product, corrector, 70, headers=own, note="Chấm lại tiêu chí A1.1")
    assert correction.status_code == 200, correction.text
    assert (correction.json()["version"], correction.json()["total"], correction.json()["member_id"]) == (2, 70, corrector)

    finalised = await driver.finalise(session, "2021-03-11")
    [result] = finalised["results"]
    assert result["totals"] == {**{m: 60 for m in members}, corrector: 70}
    assert result["average_score"] == 62.0 and result["mean"] == "62" and result["spread"] == 10
    [proposed] = await rated(launcher.bootstrap_servers, product, 1)
    assert proposed.data.average_score == 62.0
    detail = await driver.get(f"/sessions/{session['session_id']}")
    table = await driver.get(f"/sessions/{session['session_id']}/results")
    [attempt] = (await driver.history(product))["attempts"]
    everywhere = [result["average_score"], detail["examined"][0]["average_score"], table["results"][0]["average_score"],
                  attempt["average_score"]]
    assert everywhere == [62.0] * 4 and all(type(score) is float for score in everywhere), "one type: a number"

    [attempt] = (await driver.history(product))["attempts"]
    cards = [(c["member_id"], c["version"], c["total"]) for c in attempt["scorecards"] if c["member_id"] == corrector]
    assert cards == [(corrector, 1, 60), (corrector, 2, 70)]
    second = next(c for c in attempt["scorecards"] if c["member_id"] == corrector and c["version"] == 2)
    assert second["note"] == "Chấm lại tiêu chí A1.1" and second["actor"]["role"] == "council_member"
    assert len(attempt["scorecards"]) == len(members) + 1
    results = await driver.get(f"/sessions/{session['session_id']}/results")
    assert results["results"][0]["scorecards"] == len(members), "a correction is not another scorecard"


async def test_members_scoring_the_same_session_at_once_all_land(driver, launcher):
    first, second = ids("sc", 2)
    session = await session_with(driver, launcher, [first, second], "2021-03-12", 2)
    members = await driver.members(session)
    totals = dict(zip(members, (66, 70, 72, 68, 74), strict=True))

    # Five writers at once, each on their own stream of cards: none waits for another.
    responses = []
    for product in (first, second):
        responses += await asyncio.gather(
            *(driver.card(session, product, member, total, headers=driver.token(Role.council_member, member, DISTRICT))
              for member, total in totals.items()))
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses if r.status_code != 200]
    assert {r.json()["version"] for r in responses} == {1}

    detail = await driver.get(f"/sessions/{session['session_id']}")
    assert detail["version"] == 1 + 2, "opened, two products examined: the cards are on the members' streams"
    assert [p["scorecards"] for p in detail["examined"]] == [5, 5], "none lost"
    finalised = await driver.finalise(session, "2021-03-12")
    assert [r["totals"] for r in finalised["results"]] == [totals, totals]
    assert {r["average_score"] for r in finalised["results"]} == {70.0}


async def test_finalisation_waits_for_the_quorum_and_for_totals_within_10_points(driver, launcher):
    short, spread = ids("sc", 2)
    session = await session_with(driver, launcher, [short, spread], "2021-03-15", 3)
    members = await driver.members(session)
    for member in members[:3]:  # 3 of 5 members: under the 3/4 quorum
        assert (await driver.card(session, short, member, 60)).status_code == 200
    for member, total in zip(members, (60, 60, 60, 60, 71), strict=True):
        assert (await driver.card(session, spread, member, total)).status_code == 200

    headers = driver.secretary("district", DISTRICT)
    url = f"/sessions/{session['session_id']}/finalisation"
    refused = await driver.client.post(url, json={"finalised_on": "2021-03-15"}, headers=headers)
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert detail["error"] == "not_ready" and detail["field"] == "scorecards"
    problems = dict(part.split(": ", 1) for part in detail["message"].removeprefix("cannot finalise — ").split(" | "))
    assert set(problems) == {short, spread}
    assert "3 of 5 members scored" in problems[short]
    assert "differ by 11 points" in problems[spread] and "re-score" in problems[spread]
    assert (await driver.get(f"/sessions/{session['session_id']}"))["status"] == "open"

    assert (await driver.card(session, short, members[3], 62)).status_code == 200  # 4 of 5, chair included
    partly = await driver.client.post(url, json={"finalised_on": "2021-03-15"}, headers=headers)
    assert partly.status_code == 200, partly.text
    assert [r["product_id"] for r in partly.json()["results"]] == [short] and not partly.json()["finalised"]
    [still] = partly.json()["still_open"]
    assert still["product_id"] == spread and "differ by 11 points" in still["reason"]
    late = await driver.card(session, short, members[4], 60)
    assert late.status_code == 409 and "has its result" in late.json()["detail"]["message"]
    listed = {p["product_id"]: p for p in (await driver.get(f"/sessions/{session['session_id']}"))["examined"]}
    assert (listed[short]["finalised_on"], listed[short]["open_reason"]) == ("2021-03-15", None)
    assert listed[spread]["finalised_on"] is None and "re-score" in listed[spread]["open_reason"]

    rescored = await driver.card(session, spread, members[4], 68)  # the outlier re-scores: spread 8
    assert rescored.status_code == 200 and rescored.json()["version"] == 2
    done = await driver.client.post(url, json={"finalised_on": "2021-03-16"}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["finalised"] and done.json()["still_open"] == []
    results = {r["product_id"]: r for r in done.json()["results"]}
    assert (results[short]["average_score"], results[short]["totals"]) == (
        60.5, dict(zip(members[:4], (60, 60, 60, 62))))
    assert (results[spread]["average_score"], results[spread]["spread"]) == (61.6, 8)
    assert (await rated(launcher.bootstrap_servers, spread, 1))[0].data.status == "proposed"


async def test_eight_members_scoring_one_session_at_once_never_conflict(driver, launcher, monkeypatch):
    """Counted where the handler retries a lost race (``retry_on_conflict``): a conflict leaves no trace in the
    store."""
    conflicts: list[str] = []
    retry = handlers.retry_on_conflict

    async def counting(attempt: Any, **kwargs: Any) -> Any:
        async def counted() -> Any:
            try:
                return await attempt()
            except ConcurrencyError as lost:
                conflicts.append(str(lost))
                raise

        return await retry(counted, **kwargs)

    monkeypatch.setattr(handlers, "retry_on_conflict", counting)
    products = ids("sc", 3)
    await driver.enter(launcher.bootstrap_servers, EIGHT, *products)
    session = await driver.open_session(await driver.council("district", EIGHT, size=8), products,
                                        held_on="2021-03-20", round_=4)
    members = await driver.members(session)
    assert len(members) == 8

    async def member(member_id: str, total: int) -> list[int]:
        own = driver.token(Role.council_member, member_id, EIGHT)
        return [(await driver.card(session, p, member_id, total, headers=own)).status_code for p in products]

    answers = await asyncio.gather(*(member(m, 60 + n) for n, m in enumerate(members)))
    assert answers == [[200] * 3] * 8 and conflicts == []
    finalised = await driver.finalise(session, "2021-03-20")
    assert [r["totals"] for r in finalised["results"]] == [{m: 60 + n for n, m in enumerate(members)}] * 3
