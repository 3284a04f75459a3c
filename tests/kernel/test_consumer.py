"""Inbox consumer over the real broker: idempotent, and poison messages go to the dead-letter topic."""

from __future__ import annotations

from shared.contracts import kafka_headers, serialize_event
from tests.kernel.support import eventually, header, new_topic, produce, read_topic, tally_service
from tests.kernel.tally import registered


def _message(envelope) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    return envelope.product_id.encode(), serialize_event(envelope), kafka_headers(envelope, None, None)


async def _received(svc) -> dict[str, int]:
    async with svc.pool.acquire() as conn:
        return dict(await conn.fetch("SELECT product_id, messages FROM received"))


async def _handled(svc, count: int) -> bool:
    return sum(c.handled for c in svc.consumers) >= count


async def test_a_redelivered_event_has_no_second_effect(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, relay=False) as svc:
        event = registered("twice-delivered")
        await produce(launcher.bootstrap_servers, topic, [_message(event), _message(event)])
        await eventually(lambda: _handled(svc, 2), what="both deliveries handled")
        assert await _received(svc) == {"twice-delivered": 1}


async def test_malformed_and_failing_events_go_to_the_dead_letter_topic_and_consumption_goes_on(launcher):
    topic = new_topic(launcher, partitions=1)
    async with tally_service(launcher, topic, relay=False) as svc:
        poison = registered("poison-1")
        await produce(
            launcher.bootstrap_servers,
            topic,
            [(b"junk", b"{not json", []), _message(poison), _message(registered("after-poison"))],
        )
        await eventually(lambda: _received(svc), what="the message after the poison ones")
        dead = await read_topic(launcher.bootstrap_servers, svc.settings.dead_letter_topic, count=2)
        async with svc.pool.acquire() as conn:
            local = await conn.fetch("SELECT kafka_offset, attempts, error FROM dead_letters ORDER BY kafka_offset")

    assert await_free_dict(dead) == {
        b"junk": ("malformed event", "1"),
        b"poison-1": ("RuntimeError: cannot handle poison-1", "3"),
    }
    assert [(r["kafka_offset"], r["attempts"]) for r in local] == [(0, 1), (1, 3)]
    assert "JSON" in local[0]["error"] or "json" in local[0]["error"]


def await_free_dict(records) -> dict[bytes, tuple[str, str]]:
    """Dead letters by key: (start of the error, attempts)."""
    out = {}
    for r in records:
        error = header(r, "dlq.error")
        prefix = "malformed event" if error.startswith("malformed event") else error
        out[r.key] = (prefix, header(r, "dlq.attempts"))
        assert header(r, "dlq.topic") is not None and header(r, "dlq.consumer").endswith("tally-counter")
    return out


async def test_operators_see_dead_letters_and_consumer_lag(launcher):
    topic = new_topic(launcher, partitions=1)
    async with tally_service(launcher, topic, relay=False) as svc:
        await produce(launcher.bootstrap_servers, topic, [(b"bad", b"\xff\xfe", []), _message(registered("lag-1"))])
        await eventually(lambda: _received(svc), what="the good event")

        async def caught_up():
            status = await svc.status()
            return status if status["consumer_lag"][f"{svc.settings.service}.tally-counter"][topic] == 0 else None

        status = await eventually(caught_up, what="offsets committed")
    assert status["dead_letters"] == 1 and status["outbox_pending"] == 0
