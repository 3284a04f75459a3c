"""`ocop demo` against the four service processes: the registration season adds up and its events are published, the
rating season's summary is what the rating API reports, finance funds and pays the season's rewards (one after a budget
amendment) and recovers what the inspections' decisions withdraw, monitoring's campaign, reports, timeline and health
are what its API reports; runs never collide and a second run reuses the councils and the budget."""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from typer.testing import CliRunner

from ocop.cli import app
from ocop.demo import run_demo
from ocop.demo.scoring import choices_for, member_totals, reachable, total_of
from ocop.infra.ports import free_port
from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.contracts import PRODUCT_REGISTERED_TOPIC
from shared.settings import SERVICES, KernelSettings
from tests.registration.support import keyed, topic_records
from tests.system.processes import service_process

PRODUCERS = 12


@pytest.fixture(scope="module")
def urls(launcher, tmp_path_factory) -> Iterator[dict[str, str]]:
    """The four services, each a process of its own on a free port: name → URL."""
    with ExitStack() as stack:
        logs = tmp_path_factory.mktemp("demo")
        yield {name: stack.enter_context(service_process(launcher, logs, name)) for name in SERVICES}


@pytest.fixture(scope="module")
def first_run(urls):
    """The demo played once (seed 7) against the four services: its report and what it said while playing."""
    said: list[str] = []
    report = asyncio.run(run_demo(*(urls[name] for name in SERVICES), seed=7, producers=PRODUCERS, say=said.append))
    return report, said


READER = {"Authorization": "Bearer " + mint_token(KernelSettings(), actor_id="vp-test", role=Role.provincial_office)}
OPERATOR = {"Authorization": "Bearer " + mint_token(KernelSettings(), actor_id="ops-test", role=Role.operator)}


def _registrations(url: str, producer_ids: list[str]) -> list[dict]:
    reader = READER
    rows = []
    with httpx.Client(base_url=url, headers=reader, timeout=30) as client:
        for producer_id in producer_ids:
            answer = client.get("/registrations", params={"producer_id": producer_id, "cycle_year": 2021, "limit": 500})
            assert answer.status_code == 200, answer.text
            rows += answer.json()["items"]
    return rows


def test_demo_season_adds_up_and_its_events_are_published(first_run, urls, launcher, monkeypatch):
    report, said = first_run
    registration_url, rating_url, finance_url, monitoring_url = (urls[name] for name in SERVICES)
    season = report.season
    totals = season.totals()

    assert report.ok, report.problems
    assert any(report.run_id in line for line in said)
    assert totals["producers"] == PRODUCERS
    assert all(p.producer_id.startswith(f"demo-{report.run_id}-") for p in season.producers)
    assert totals["registrations"] >= PRODUCERS
    assert totals["registrations"] == totals["sent_to_province"] + totals["rejected"]
    assert totals["rejected"] >= 1 and totals["returned_and_resubmitted"] >= 1
    # Every district of the season sent its list; one ProductRegistered per product on it, all published.
    assert set(season.lists) == set(season.districts) and len(season.districts) >= 6
    on_lists = [rid for sent in season.lists.values() for rid in sent["registration_ids"]]
    assert len(on_lists) == len(set(on_lists)) == totals["sent_to_province"]
    assert season.events_produced == season.events_published == totals["sent_to_province"]
    assert season.outbox["outbox_pending"] == 0

    # What the API lists for the run's producers is what the demo reports.
    rows = _registrations(registration_url, [p.producer_id for p in season.producers])
    assert len(rows) == totals["registrations"]
    assert Counter((r["district_code"], r["status"]) for r in rows) == season.counts
    assert sum(season.counts.values()) == totals["registrations"]
    assert {r["registration_id"] for r in rows if r["status"] == "sent_to_province"} == set(on_lists)
    assert sum(bool(r["return_reasons"]) for r in rows) == totals["returned_and_resubmitted"]
    assert all(r["rejection_reason"] for r in rows if r["status"] == "rejected")
    resubmitted = [r for r in rows if r["return_reasons"]]
    assert all("Hồ sơ bổ sung" in r["product"]["description"] for r in resubmitted)

    # The broker holds exactly one ProductRegistered per product sent.
    product_ids = {r["product_id"] for r in rows if r["status"] == "sent_to_province"}
    records = keyed(asyncio.run(topic_records(launcher.bootstrap_servers, PRODUCT_REGISTERED_TOPIC)), product_ids)
    assert Counter(r.key.decode() for r in records) == Counter(product_ids)

    # The rating season: what the demo sums up is what the rating API reports.
    rated = _assert_rating_season(rating_url, report)
    # Finance and monitoring: what the demo sums up is what their APIs report.
    _assert_finance(finance_url, report)
    _assert_monitoring(monitoring_url, rating_url, report)

    # The same seed plays the same season under a new run id, through the command line, reusing the councils and
    # the budget; the command finds finance and monitoring on the ports `ocop up` would give them.
    monkeypatch.setenv("OCOP_FINANCE_PORT", finance_url.rsplit(":", 1)[1])
    monkeypatch.setenv("OCOP_MONITORING_PORT", monitoring_url.rsplit(":", 1)[1])
    result = CliRunner().invoke(app, ["demo", "--registration-url", registration_url, "--rating-url", rating_url,
                                      "--seed", "7", "--producers", str(PRODUCERS)])
    assert result.exit_code == 0, result.output
    again = next(line.split()[2] for line in result.output.splitlines() if line.startswith("demo run "))
    assert again != report.run_id
    assert "ProductRegistered events published" in result.output and "(outbox drained)" in result.output
    assert "Huyện Nga Sơn" in result.output and "Thị xã Nghi Sơn" in result.output
    assert f"Plan 2021 (Kế hoạch 75/KH-UBND): {rated['three_plus']} / 80 products at 3★+ (" in result.output
    assert "1 / 3 products proposed for 5★ (33%)" in result.output
    councils = len(report.rating.councils)
    assert f"Councils: {councils} (0 formed, {councils} reused)" in result.output
    assert "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM OCOP — cấp tỉnh" in result.output
    # The first run recorded the decision numbers: this one's carry its run id (a number is one decision).
    assert f"1114/QĐ-UBND (demo {again})" in result.output and "Decision numbers an earlier run" in result.output
    _assert_printed_finance_and_monitoring(result.output)
    replayed = _registrations(registration_url, [f"demo-{again}-{n:03d}" for n in range(1, PRODUCERS + 1)])
    assert sorted((r["district_code"], r["producer_name"], r["product"]["name"], r["status"]) for r in replayed) == sorted(
        (r["district_code"], r["producer_name"], r["product"]["name"], r["status"]) for r in rows
    )


def test_demo_says_how_to_start_the_system_when_it_is_not_running():
    result = CliRunner().invoke(app, ["demo", "--registration-url", f"http://127.0.0.1:{free_port()}"])
    assert result.exit_code == 1
    assert "not reachable" in result.output and "make run" in result.output


# ----------------------------------------------------------------------------------------------------- rating


def _get(url: str, path: str, headers: dict[str, str] = READER, **params) -> dict | list:
    answer = httpx.get(f"{url}{path}", params=params, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _assert_rating_season(url: str, report) -> dict:
    """Check the demo's rating summary against GET /sessions, /certificates and /dossiers; the numbers it printed."""
    rating = report.rating
    sessions = rating.sessions
    products = {e.product.product_id: e.product for s in sessions for e in s.examinations}
    sent = {r.product_id for p in report.season.producers for r in p.registrations if r.status == "sent_to_province"}
    assert set(products) == sent  # every product the districts sent went before its district council

    # Councils: 7 district ones (one per district of the season), the provincial and the central one, with people.
    assert len(rating.councils) == len(report.season.districts) + 2
    provincial = _get(url, "/councils/council-provincial")
    roles = Counter(m["role"] for m in provincial["members"])
    assert roles["chair"] == 1 and roles["secretary"] == 1 and roles["member"] >= 3
    assert all(not m["name"].isascii() for m in provincial["members"])  # Vietnamese names, with diacritics

    # Sessions: as many as the summary shows, each decided (province, centre) or finalised (district).
    levels = Counter(s.level for s in sessions)
    assert levels["district"] == len(report.season.districts) + 1  # one each, plus the re-entry session
    assert levels["provincial"] == 4 and levels["central"] == 1
    for session in sessions:
        listed = _get(url, f"/sessions/{session.session_id}")
        assert listed["status"] == ("finalised" if session.level == "district" else "decided")
        results = _get(url, f"/sessions/{session.session_id}/results")["results"]
        assert {r["product_id"]: (r["outcome"], r["outcome_stars"]) for r in results} == {
            r["product_id"]: (r["outcome"], r["outcome_stars"]) for r in session.results}
        assert all(r["spread"] <= 10 and r["scorecards"] >= 3 for r in results)
        assert rating.counts(session) == Counter(
            [("recognized" if r["outcome"] == "recognized" else r["outcome"]) for r in results]
            + [f"{r['outcome_stars']}★" for r in results if r["outcome"] == "recognized"])
    district = [r for s in sessions if s.level == "district" for r in s.results]
    assert any(float(r["average_score"]) < 50 and r["outcome"] == "not_recognized" for r in district)
    assert any(r["purpose"] == "re_entry" and r["outcome"] == "proposed" for r in district)
    rounds = [s for s in sessions if s.level == "provincial"]
    assert [s.decision["number"].split(" (demo")[0] for s in rounds][::2] == ["1114/QĐ-UBND", "2942/QĐ-UBND"]
    carried = [r for s in rounds for r in s.results if r["purpose"] == "re_entry"]
    assert carried  # not recognised in one round, examined again in a later one

    # Certificates held at the end of 2021: what the summary counts for this run's products when the rating season
    # ended; since then the inspections' decisions revoked one and downgraded a 4★ one to 3★.
    held = [c for c in _get(url, "/certificates", as_of="2021-12-31", limit=500)["items"] if c["product_id"] in products]
    stories = {i.story: i for i in report.monitoring.inspected}
    after_inspections = rating.certificates - Counter([stories["revoked"].stars, 4]) + Counter([3])
    assert Counter(c["stars"] for c in held) == after_inspections
    three_plus = rating.three_plus
    assert sum(c["stars"] >= 3 for c in held) == three_plus - 1 and rating.progress()[0] == (
        f"{three_plus} / 80 products at 3★+ ({round(100 * three_plus / 80)}%)")
    by_product = {c["product_id"]: c for c in held}

    # The upgrade: 3★ in round 1, listed again in round 3 and recognised 4★; the 3★ certificate is superseded.
    upgrade = next(p for p in products.values() if p.role == "upgrade")
    assert by_product[upgrade.product_id]["stars"] == 4
    history = _get(url, f"/products/{upgrade.product_id}/rating-history")
    assert [(c["stars"], c["status"]) for c in history["certificates"]] == [(3, "superseded"), (4, "valid")]
    assert [a["purpose"] for a in history["attempts"] if a["level"] == "provincial"] == ["first", "upgrade"]

    # The 5★ proposal: 4★ already, ≥ 90 at province, under 90 at the centre, not passed: it keeps its 4★.
    five = next(p for p in products.values() if p.role == "five_star")
    history = _get(url, f"/products/{five.product_id}/rating-history")
    attempts = [(a["level"], a["outcome"], float(a["average_score"])) for a in history["attempts"]]
    assert attempts[-2][:2] == ("provincial", "proposed") and attempts[-2][2] >= 90
    assert attempts[-1][:2] == ("central", "not_recognized") and attempts[-1][2] < 90
    assert history["dossier"]["stars"] == 4 and by_product[five.product_id]["stars"] == 4
    assert rating.proposed_for_five == 1 and rating.counts(sessions[-1])["not_recognized"] == 1
    assert all(c["stars"] < 5 for c in held)
    return {"three_plus": three_plus}


# ----------------------------------------------------------------------------------------------------- finance


def _assert_finance(url: str, report) -> None:
    """Every recognition of the run has one claim, paid in full; one waited for an amendment of the budget; the
    inspections' decisions opened recovery items of what was paid; finance's reconciliation finds no difference."""
    finance, closing = report.finance, report.closing
    recognised = {(r["product_id"], r["outcome_stars"]) for s in report.rating.sessions if s.decision
                  for r in s.results if r["outcome"] == "recognized"}
    claims = {c["claim_id"]: c for c in finance.claims}
    assert {(c["product_id"], c["stars"]) for c in claims.values()} == recognised
    for claim_id, claim in claims.items():
        live = _get(url, f"/claims/{claim_id}")
        assert live["status"] == "paid" and live["paid"] == live["amount"] == claim["amount"] > 0
    assert len(finance.payments) == len(claims) + 1  # one claim paid in two instalments
    assert sum(p["amount"] for p in finance.payments) == sum(c["amount"] for c in claims.values())

    # The budget: approved by the People's Committee, allocated, then amended for the claim that waited.
    budget = _get(url, "/budgets/2021")
    assert budget["status"] == "allocated" and budget["versions"][0]["decision"]["signer"]
    waited = finance.story.waited
    assert waited is not None and waited["available"] < waited["requested"] == waited["amount"]
    last = budget["versions"][-1]
    assert last["decision"]["number"] == finance.story.funded_by
    assert [c["line"] for c in last["changes"]] == ["rewards"]
    assert waited["claim_id"] in finance.story.funded[-1:]

    # Rewards per round add up to the run's claims; the recoveries are what the withdrawn products were paid.
    assert sum(r.amount() for r in closing.rounds) == sum(c["amount"] for c in claims.values())
    kept = {"revoked": 0, "downgraded": 3}
    owed = Counter()
    for claim in claims.values():
        story = closing.withdrawn.get(claim["product_id"])
        if story and claim["stars"] > kept[story]:
            owed[claim["product_id"]] += claim["paid"]
    recovered = Counter()
    for recovery in _get(url, "/recoveries"):
        if recovery["product_id"] in closing.withdrawn:
            recovered[recovery["product_id"]] += recovery["amount"]
    assert set(closing.withdrawn.values()) == {"revoked", "downgraded"}
    assert recovered == owed and all(owed.values())
    assert _get(url, "/reconciliation", OPERATOR)["differences"] == []


# ----------------------------------------------------------------------------------------------------- monitoring


def _assert_monitoring(url: str, rating_url: str, report) -> None:
    """The campaign: one passed, one revoked, one downgraded, as monitoring and rating report them; the run's
    districts owe one late and one missing report; the timeline runs from the registration to the revocation."""
    monitoring = report.monitoring
    plan_id = monitoring.plan["plan_id"]
    inspections = _get(url, "/inspections", plan_id=plan_id)["items"]
    assert sorted(i["result"] for i in inspections) == ["failed", "failed", "passed"]
    stories = {i.story: i for i in monitoring.inspected}
    for story, outcome in (("revoked", "revoked"), ("downgraded", "downgraded")):
        product_id = stories[story].product_id
        follow_ups = _get(url, "/follow-ups", product_id=product_id, as_of="2021-12-31")["items"]
        assert [(f["state"], f["outcome"]) for f in follow_ups] == [("closed", outcome)]
    revoked, downgraded = stories["revoked"].product_id, stories["downgraded"].product_id
    assert _get(rating_url, f"/dossiers/{revoked}")["stars"] == 0
    held = {c["product_id"]: c["stars"] for c in _get(rating_url, "/certificates", as_of="2021-12-31",
                                                       limit=500)["items"]}
    assert revoked not in held and held[downgraded] == 3 and held[stories["passed"].product_id] == stories["passed"].stars

    schedule = _get(url, "/reports", plan_year=2021, as_of="2021-12-31")["items"]
    ours = Counter(r["state"] for r in schedule if r["district_code"] in monitoring.districts)
    assert ours["late"] == 1 and ours["missing"] == 1 and ours["on_time"] == 2 * len(monitoring.districts) - 2

    entries = monitoring.timeline
    kinds = [e["event_type"] for e in entries]
    assert kinds[0] == "ProductRegistered" and kinds[-1] == "ProductRated"
    assert {"RewardApproved", "InspectionFailed"} <= set(kinds)
    assert {"kind": "decision", "value": stories["revoked"].decision} in [
        {k: ref[k] for k in ("kind", "value")} for ref in entries[-1]["references"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["trace"]["trace_id"]) for e in entries)
    # The four services, found in their schemas (the test session's database also holds other modules' schemas).
    found = {s["service"] for s in monitoring.health["services"] if s["found"]}
    assert monitoring.health["state"] in ("ok", "alert") and {"registration", "rating", "finance", "monitoring"} <= found


def _assert_printed_finance_and_monitoring(output: str) -> None:
    """What a second run prints of finance and monitoring (figures that depend on timing are not checked)."""
    assert "Finance before the rating 2021: the tariff table in force covers 2021–2022 already" in output
    assert "Finance 2021: budget 2021 found: allocated, by an earlier run" in output
    assert "Waited for budget: " in output and "until amendment decision " in output
    assert re.search(r"claims of this run fully paid: (\d+)/\1;", output)
    assert "Rewards per round 2021" in output
    assert "Budget execution 2021 as of 31/12/2021" in output
    assert re.search(r"Recovery item \S+ \(revoked\): [\d.]+ đ to pay back, open; decision 3901/QĐ-UBND \(demo ", output)
    assert "(downgraded): " in output
    assert "Reconciliation (GET /reconciliation): " in output and " events recomputed, 0 differences" in output
    assert "3 products, 2 failed" in output and "recommends revocation" in output and "recommends downgrade" in output
    assert re.search(r"this run's \d+ districts: on time \d+, late 1, missing 1 \(0 filed now\)", output)
    assert "Target 2021 provincial_3_stars_or_more (all runs, GET /targets/2021/progress): " in output
    timeline = output[output.index("Timeline of "):output.index("Pipeline health")]
    assert len(re.findall(r"; trace [0-9a-f]{32}", timeline)) >= 6
    assert "ProductRegistered from registration" in timeline and "InspectionFailed from monitoring" in timeline
    assert re.search(r"Pipeline health \(GET /pipeline/health\): (ok|alert) ", output)


def test_scorecards_reach_their_totals_with_part_c_at_its_best():
    sheet = {"entry": "t", "parts": [
        {"id": "A", "groups": [{"criteria": [{"id": "A1", "max": 3, "options": [
            {"id": "lt50", "points": 1}, {"id": "50to75", "points": 2}, {"id": "75to100", "points": 3}]},
            {"id": "A2", "max": 32, "options": [{"id": f"p{n}", "points": n} for n in range(33)]}]}]},
        {"id": "B", "groups": [{"criteria": [{"id": "B1", "max": 25, "options": [
            {"id": f"p{n}", "points": n} for n in range(26)]}]}]},
        {"id": "C", "groups": [{"criteria": [{"id": "C2.1", "max": 2, "options": [
            {"id": "none", "points": 0}, {"id": "dossier", "points": 1}, {"id": "declared", "points": 2}]},
            {"id": "C1", "max": 38, "options": [{"id": f"p{n}", "points": n} for n in range(39)]}]}]},
    ]}
    assert reachable(sheet) == (41, 100)
    rng = random.Random(1)
    for total in range(41, 101):
        choices = choices_for(sheet, total, rng)
        assert total_of(sheet, choices) == total and choices["C2.1"] == "declared" and choices["C1"] == "p38"
    with pytest.raises(ValueError):
        choices_for(sheet, 40, rng)
    for target, members in ((86, 6), (92, 7), (46, 5), (100, 5)):
        totals = member_totals(target, members, rng, spread=8, bounds=(41, 100))
        assert sum(totals) == target * members and max(totals) - min(totals) <= 8 and 41 <= min(totals) <= max(totals) <= 100
