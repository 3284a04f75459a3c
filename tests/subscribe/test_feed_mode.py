"""``ocop subscribe --feed``: another province follows monitoring's HTTP feed over real HTTP; its table is what
monitoring's register says, and killed with kill -9 mid-stream and restarted it holds every event of the feed once,
in the feed's order; a refused key or an unreachable feed is one sentence, no traceback. Kafka mode, over the same
events, counts the same."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import uvicorn

from ocop.infra.ports import free_port
from shared.auth import mint_token
from shared.contracts.roles import Role
from tests.kernel.support import eventually
from tests.monitoring.feed_support import Feed, feed_service
from tests.subscribe.support import kill_once_it_applied_some, last_json, read_state, season, start, subscribe
from tests.subscribe.test_kafka_mode import publish

pytestmark = pytest.mark.asyncio(loop_scope="module")

AS_OF = "2021-12-31"  # after every decision of the seasons, before any certificate's last valid day but the expired


class Served:
    """Monitoring (its own schema and groups, starting at the topics' ends) answering real HTTP on a free port."""

    def __init__(self, feed: Feed, url: str, key: str) -> None:
        self.feed, self.url, self.key = feed, url, key

    async def register_counts(self) -> dict[str, Counter[int]]:
        """District → star → certificates in force on AS_OF, from GET /register, every page."""
        token = mint_token(self.feed.settings, actor_id="vp-test", role=Role.provincial_office)
        found: dict[str, Counter[int]] = {}
        offset = 0
        while True:
            answer = await self.feed.client.get("/register", params={"as_of": AS_OF, "limit": 500, "offset": offset},
                                                headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200, answer.text
            items = answer.json()["items"]
            for item in items:
                found.setdefault(item["district_code"], Counter())[item["stars"]] += 1
            if len(items) < 500:
                return found
            offset += 500

    async def sent(self, events: list[Any]) -> list[dict[str, Any]]:
        """Publish ``events`` as the services would; the whole feed once monitoring has appended them all."""
        await publish(self.feed.settings.kafka_bootstrap_servers, events)
        return await self.feed.holding(self.key, {str(e.event_id) for e in events})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served(launcher: Any) -> AsyncIterator[Served]:
    async with feed_service(launcher) as feed:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(feed.client._transport.app, host="127.0.0.1", port=port,  # type: ignore[attr-defined]
                                               lifespan="off", log_config=None, access_log=False))
        serving = asyncio.create_task(server.serve())
        await eventually(lambda: _true(server.started), timeout=30, what="the feed's HTTP server")
        try:
            yield Served(feed, f"http://127.0.0.1:{port}", await feed.key("ProductRegistered", "ProductRated",
                                                                          "RewardApproved", "InspectionFailed"))
        finally:
            server.should_exit = True
            await serving


async def _true(value: bool) -> bool:
    return value


def _run(*args: str) -> Any:
    return asyncio.to_thread(subscribe, *args)  # the feed answers from this test's event loop meanwhile


async def test_the_table_from_the_feed_is_what_monitorings_register_says(served: Served, tmp_path: Path) -> None:
    seasons = [season(district) for district in ("380", "389", "394")]
    await served.sent([e for s in seasons for e in s.events])
    state = tmp_path / "feed.sqlite"

    # Both follow the same topics at their own pace (monitoring's register consumers beside its feed's, and whatever
    # else the session's services still publish): the subscriber catches up again until the two agree, or the deadline.
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        done = await _run("--feed", served.url, "--key", served.key, "--state", str(state), "--until-idle", "--json")
        assert done.returncode == 0, done.stderr
        table = {row["district_code"]: Counter({int(k): v for k, v in row["stars"].items() if v})
                 for row in last_json(done.stdout)["districts"]}
        register = await served.register_counts()
        if table == register or asyncio.get_running_loop().time() > deadline:
            break
    assert table == register
    for s in seasons:
        assert table[s.district] >= s.counts()
    _, products = read_state(state)
    assert {p: products[p] for s in seasons for p in s.expected} == {
        p: (s.district, stars) for s in seasons for p, stars in s.expected.items()}

    from_kafka = tmp_path / "kafka.sqlite"
    done = await _run("--kafka", served.feed.settings.kafka_bootstrap_servers, "--state", str(from_kafka),
                      "--until-idle", "--json")
    assert done.returncode == 0, done.stderr
    _, kafka_products = read_state(from_kafka)
    ours = {p for s in seasons for p in s.expected}
    assert {p: kafka_products[p] for p in ours} == {p: products[p] for p in ours}


async def test_killed_mid_stream_and_restarted_it_holds_every_event_of_the_feed_once_in_order(
        served: Served, tmp_path: Path) -> None:
    await served.sent([e for _ in range(20) for e in season("392").events])
    whole = await served.feed.follow(served.key)
    state, log = tmp_path / "feed.sqlite", tmp_path / "subscriber.log"
    process = start("--feed", served.url, "--key", served.key, "--state", str(state), "--limit", "3", "--json",
                    log=log)

    killed_at = await asyncio.to_thread(kill_once_it_applied_some, process, state, len(whole), log)

    done = await _run("--feed", served.url, "--key", served.key, "--state", str(state), "--until-idle", "--json")
    assert done.returncode == 0, done.stderr
    applied, _ = read_state(state)
    assert len(applied) > killed_at
    reached = last_json(done.stdout)["position"]
    assert reached >= whole[-1]["position"]
    # The feed up to where the subscriber stopped (other tests' services may still publish to the shared topics).
    feed = [e for e in await served.feed.follow(served.key) if e["position"] <= reached]
    assert [(a["position"], a["event_id"]) for a in applied] == [(e["position"], e["id"]) for e in feed]


async def test_a_refused_key_or_an_unreachable_feed_is_one_sentence(served: Served, tmp_path: Path) -> None:
    refused = await _run("--feed", served.url, "--key", "k-unknown.secret", "--state", str(tmp_path / "a.sqlite"),
                         "--until-idle")
    assert refused.returncode == 1
    assert "error: the feed refused the key (401)" in refused.stderr and "Traceback" not in refused.stderr

    with socket.socket() as listening:  # a port that takes no connection
        listening.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{listening.getsockname()[1]}"
        unreachable = await _run("--feed", nowhere, "--key", served.key, "--state", str(tmp_path / "b.sqlite"),
                                 "--until-idle")
    assert unreachable.returncode == 1
    assert f"error: cannot reach the feed at {nowhere}/v1/feed" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr
