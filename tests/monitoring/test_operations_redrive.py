"""Re-driving a dead letter, in memory: the record goes back to its topic once, with who asked; a second request is
refused once published, held while the first awaits its outcome, allowed at once after the broker refused it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import pytest

from services.monitoring.operations.adapters.republish import PublishFailed
from services.monitoring.operations.application.handlers import redrive_dead_letter
from services.monitoring.operations.application.ports import RedrivePorts
from services.monitoring.operations.domain.errors import AlreadyRedriven, NotRedrivable, RedriveInProgress
from services.monitoring.operations.domain.redrive import DeadLetter, DeadLetterRedrive, Operator, RedriveFailed, redrive_id
from services.monitoring.service import definition
from shared.contracts import CONTRACTS, serialize_event
from shared.contracts.envelope import VIETNAM_TZ
from shared.eventstore import ConcurrencyError
from shared.memory import InMemoryStore
from shared.publication import Publications
from shared.uow import NotFound
from tests.monitoring.test_operations_helpers import product_flow

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=VIETNAM_TZ)
OPERATOR = Operator("ops-1", "operator")
REWARD = product_flow("dl-product")[2]


def letter(dead_letter_id: int = 7, *, payload: bytes | None = None, topic: str | None = None,
           published: bool = True) -> DeadLetter:
    return DeadLetter("finance", dead_letter_id, "finance.reward-approved", topic or CONTRACTS["RewardApproved"].topic,
                      2, 41, b"dl-product", serialize_event(REWARD) if payload is None else payload,
                      "InvalidInput: budget line unknown", 4, NOW - timedelta(hours=1), published)


class Letters:
    def __init__(self, *found: DeadLetter) -> None:
        self.found = {(f.service, f.dead_letter_id): f for f in found}

    async def find(self, service: str, dead_letter_id: int) -> DeadLetter | None:
        return self.found.get((service, dead_letter_id))


class Broker:
    """Takes records (or refuses them while ``down``), and remembers them."""

    def __init__(self, *, down: bool = False) -> None:
        self.down, self.sent = down, []

    async def __call__(self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]) -> None:
        if self.down:
            raise PublishFailed("broker unreachable")
        self.sent.append((topic, key, value, headers))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def ports(*found: DeadLetter, broker: Broker | None = None, clock: Clock | None = None) -> tuple[RedrivePorts, InMemoryStore]:
    store = InMemoryStore(definition.events, Publications(definition.publishers))
    return RedrivePorts(uow=store.unit_of_work, clock=clock or Clock(), dead_letters=Letters(*found),
                        publish=broker or Broker(), lease=timedelta(seconds=60)), store


async def test_a_dead_letter_goes_back_to_its_topic_once_with_who_asked():
    p, store = ports(letter())
    done = await redrive_dead_letter(p, OPERATOR, "finance", 7)
    assert done.state == "published" and done.requests[-1].requested_by == OPERATOR
    ((topic, key, value, headers),) = p.publish.sent
    assert (topic, key, value) == (CONTRACTS["RewardApproved"].topic, b"dl-product", serialize_event(REWARD))
    assert headers["event_id"] == str(REWARD.event_id) and headers["ocop.redrive"] == "finance/7"
    assert headers["ocop.redrive.by"] == "ops-1"
    # A public event again, so with the CloudEvents binary-mode headers a subscriber's SDK reads.
    assert (headers["ce_id"], headers["ce_type"], headers["ce_subject"]) == (
        str(REWARD.event_id), "vn.ocop.RewardApproved.v1", REWARD.product_id)
    assert headers["content-type"] == "application/json"
    assert [r.event_type for r in store.recorded()] == ["RedriveRequested", "RedrivePublished"]


async def test_a_second_request_after_publication_is_refused_and_publishes_nothing():
    p, store = ports(letter())
    await redrive_dead_letter(p, OPERATOR, "finance", 7)
    with pytest.raises(AlreadyRedriven) as refused:
        await redrive_dead_letter(p, Operator("ops-2", "operator"), "finance", 7)
    assert "ops-1" in str(refused.value) and refused.value.field == "dead_letter_id"
    assert len(p.publish.sent) == 1 and len(store.recorded()) == 2


async def test_a_refused_publication_is_recorded_and_asking_again_publishes_it():
    broker = Broker(down=True)
    p, store = ports(letter(), broker=broker)
    with pytest.raises(PublishFailed):
        await redrive_dead_letter(p, OPERATOR, "finance", 7)
    failed = [r.event for r in store.recorded() if isinstance(r.event, RedriveFailed)]
    assert [f.reason for f in failed] == ["broker unreachable"]
    broker.down = False
    done = await redrive_dead_letter(p, OPERATOR, "finance", 7)
    assert done.state == "published" and len(done.requests) == 2 and len(broker.sent) == 1


async def test_a_request_whose_outcome_is_unknown_holds_others_for_the_lease():
    clock = Clock()
    p, store = ports(letter(), clock=clock)
    async with store.unit_of_work() as uow:  # as if the process stopped while publishing
        redrive = DeadLetterRedrive(redrive_id("finance", 7))
        redrive.request(letter().ref(str(REWARD.event_id), "RewardApproved", "dl-product"), OPERATOR, clock(),
                        lease=p.lease)
        uow.repository(DeadLetterRedrive).add(redrive)
        await uow.commit()
    clock.now += timedelta(seconds=59)
    with pytest.raises(RedriveInProgress):
        await redrive_dead_letter(p, OPERATOR, "finance", 7)
    clock.now += timedelta(seconds=1)
    assert (await redrive_dead_letter(p, OPERATOR, "finance", 7)).state == "published"
    assert len(p.publish.sent) == 1


async def test_two_operators_at_once_publish_once():
    p, _ = ports(letter())
    results = await asyncio.gather(redrive_dead_letter(p, OPERATOR, "finance", 7),
                                   redrive_dead_letter(p, Operator("ops-2", "operator"), "finance", 7),
                                   return_exceptions=True)
    done = [r for r in results if isinstance(r, DeadLetterRedrive)]
    (refused,) = [r for r in results if not isinstance(r, DeadLetterRedrive)]
    assert len(done) == 1 and len(p.publish.sent) == 1
    assert isinstance(refused, (ConcurrencyError, RedriveInProgress, AlreadyRedriven))


@pytest.mark.parametrize("found, field", [
    (letter(payload=b"{not json"), "payload"),
    (letter(topic=CONTRACTS["ProductRated"].topic), "topic"),
    (letter(published=False), "dead_letter_id"),
])
async def test_a_record_that_cannot_go_back_is_refused_naming_why(found: DeadLetter, field: str):
    p, store = ports(found)
    with pytest.raises(NotRedrivable) as refused:
        await redrive_dead_letter(p, OPERATOR, "finance", 7)
    assert refused.value.field == field
    assert p.publish.sent == [] and store.recorded() == []


async def test_an_unknown_dead_letter_is_not_found():
    p, _ = ports()
    with pytest.raises(NotFound):
        await redrive_dead_letter(p, OPERATOR, "finance", 99)


def test_confirming_what_was_never_requested_is_a_bug():
    with pytest.raises(ValueError):
        DeadLetterRedrive(redrive_id("finance", 1)).confirm(NOW)
