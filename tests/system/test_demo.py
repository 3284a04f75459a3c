"""`ocop demo` against a registration service process: the season adds up, its events are published, runs never collide."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from ocop.cli import app
from ocop.demo import run_demo
from ocop.infra.ports import free_port
from ocop.launcher import ROOT
from shared.auth import Role, mint_token
from shared.contracts import PRODUCT_REGISTERED_TOPIC
from shared.settings import kernel_settings
from tests.registration.support import keyed, topic_records

PRODUCERS = 12


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def registration_url(launcher, tmp_path_factory) -> Iterator[str]:
    """``python -m services.registration`` on a free port, on the session's PostgreSQL and broker."""
    port = free_port()
    log = tmp_path_factory.mktemp("demo") / "registration.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "services.registration"], cwd=ROOT,
                                   env=launcher.service_env("registration", port), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _ready(url):
            assert process.poll() is None, f"registration exited: {log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"registration not ready: {log.read_text()[-3000:]}"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _registrations(url: str, producer_ids: list[str]) -> list[dict]:
    reader = {"Authorization": "Bearer " + mint_token(kernel_settings(), actor_id="vp-test", role=Role.provincial_office)}
    rows = []
    with httpx.Client(base_url=url, headers=reader, timeout=30) as client:
        for producer_id in producer_ids:
            answer = client.get("/registrations", params={"producer_id": producer_id, "cycle_year": 2021, "limit": 500})
            assert answer.status_code == 200, answer.text
            rows += answer.json()["items"]
    return rows


def test_demo_season_adds_up_and_its_events_are_published(registration_url, launcher):
    said: list[str] = []
    report = asyncio.run(run_demo(registration_url, seed=7, producers=PRODUCERS, say=said.append))
    season = report.season
    totals = season.totals()

    assert report.ok, season.problems
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

    # The same seed plays the same season under a new run id, through the command line.
    result = CliRunner().invoke(app, ["demo", "--registration-url", registration_url, "--seed", "7",
                                      "--producers", str(PRODUCERS)])
    assert result.exit_code == 0, result.output
    again = next(line.split()[2] for line in result.output.splitlines() if line.startswith("demo run "))
    assert again != report.run_id
    assert "ProductRegistered events published" in result.output and "(outbox drained)" in result.output
    assert "Huyện Nga Sơn" in result.output and "Thị xã Nghi Sơn" in result.output
    replayed = _registrations(registration_url, [f"demo-{again}-{n:03d}" for n in range(1, PRODUCERS + 1)])
    assert sorted((r["district_code"], r["producer_name"], r["product"]["name"], r["status"]) for r in replayed) == sorted(
        (r["district_code"], r["producer_name"], r["product"]["name"], r["status"]) for r in rows
    )


def test_demo_says_how_to_start_the_system_when_it_is_not_running():
    result = CliRunner().invoke(app, ["demo", "--registration-url", f"http://127.0.0.1:{free_port()}"])
    assert result.exit_code == 1
    assert "not reachable" in result.output and "make run" in result.output
