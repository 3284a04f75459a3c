"""The relay is woken after a command's commit, not by a NOTIFY inside it: in process when this process's relay leads,
by one NOTIFY (coalesced, outside the command's transaction) when another process's relay leads."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from shared.relay import notify_channel
from tests.kernel.support import eventually, new_topic, tally_service
from tests.kernel.tally import open_and_increment

# Polls and broker checks far apart: only a wake-up can explain a publication within seconds.
SLOW = dict(consume=False, relay_poll_seconds=30, relay_broker_check_seconds=30)


async def _drained(svc) -> bool:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def _waiting(svc) -> bool:
    # The leader waits on its wake-up event between polls: after its first drain, nothing else would publish.
    return bool(svc.relay and svc.relay.is_leader and svc.relay._wake._waiters)


async def test_a_command_committed_where_the_relay_does_not_lead_wakes_the_relay_that_leads(launcher):
    topic = new_topic(launcher)
    name = f"kt_{uuid.uuid4().hex[:10]}"
    async with tally_service(launcher, topic, name=name, **SLOW) as a, tally_service(launcher, topic, name=name, **SLOW) as b:
        leader = await eventually(lambda: _first_waiting(a, b), what="one relay leads and waits")
        follower = b if leader is a else a
        await open_and_increment(follower.uow(), f"t-{uuid.uuid4()}", "from-the-follower", [1, 1], topic)
        await eventually(lambda: _drained(leader), timeout=10, what="published by the leader, well before its poll")
        leads = (leader.relay.is_leader, follower.relay.is_leader)

    assert leads == (True, False)
    assert follower.wakeup.notifies >= 1  # the follower's NOTIFY woke it
    assert leader.wakeup.notifies == 0


async def _first_waiting(a, b):
    for svc in (a, b):
        if await _waiting(svc):
            return svc
    return None


async def test_a_command_committed_where_the_relay_leads_wakes_it_in_process_without_a_notify(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, **SLOW) as svc:
        await eventually(lambda: _waiting(svc), what="the relay leads and waits")
        for n in range(3):
            await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", f"local-{n}", [1], topic)
            await eventually(lambda: _drained(svc), timeout=10, what="published, well before the poll")

    assert svc.wakeup.notifies == 0


async def test_commits_before_a_notify_leaves_share_it_and_commits_while_it_is_in_flight_get_one_more(launcher):
    async with tally_service(launcher, new_topic(launcher), consume=False, relay=False) as svc:
        heard: list[str] = []
        listener = await asyncpg.connect(launcher.database_url)
        await listener.add_listener(notify_channel(svc.settings.schema), lambda *args: heard.append(args[2]))
        try:
            for _ in range(10):  # a burst, all before the first NOTIFY is sent
                svc.wakeup()
            await svc.wakeup._task
            first = svc.wakeup.notifies
            svc.wakeup()
            await asyncio.sleep(0)  # the NOTIFY is on its way now
            for _ in range(5):
                svc.wakeup()
            await svc.wakeup._task
            await eventually(lambda: _at_least(heard, 3), timeout=10, what="the three NOTIFYs heard")
        finally:
            await listener.close()

    assert first == 1
    assert svc.wakeup.notifies == 3
    assert len(heard) == 3


async def _at_least(heard: list[str], count: int) -> bool:
    return len(heard) >= count
