"""Keys of the HTTP event feed over real PostgreSQL: missing, unknown, wrong and revoked keys get one 401 that
reveals nothing; a type outside the key's scope a 403; the rate limit a 429 until the bucket refills (its clock is
driven, nothing waits); every successful read is in the audit, which the province reads."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from services.monitoring.feed.application.handlers import revoke_key
from services.monitoring.feed.domain.keys import presented
from shared.auth import mint_token
from shared.contracts.roles import Role
from tests.monitoring.feed_support import Feed, feed_service

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def feed(launcher) -> AsyncIterator[Feed]:
    async with feed_service(launcher) as running:
        yield running


def bearer(feed: Feed, role: Role, district: str | None = None) -> dict[str, str]:
    token = mint_token(feed.settings, actor_id=f"{role.value}-1", role=role, district=district)
    return {"Authorization": f"Bearer {token}"}


async def test_a_missing_unknown_wrong_or_revoked_key_gets_the_same_401(feed):
    key = await feed.key()
    key_id, secret = presented(key)
    revoked = await feed.key()
    assert (await feed.get(revoked)).status_code == 200
    await revoke_key(feed.runtime.uow, feed.runtime.ports.clock, key_id=presented(revoked)[0], revoked_by="test")

    answers = [await feed.get(k) for k in (None, "", "not-a-key", f"ocopfeed_{key_id}_{secret[:-1]}x",
                                           f"ocopfeed_0000000000000000_{secret}", revoked)]

    assert [a.status_code for a in answers] == [401] * 6
    assert len({a.text for a in answers}) == 1
    assert answers[0].json()["detail"]["error"] == "unauthorized"
    assert all(a.headers["WWW-Authenticate"].startswith("ApiKey") for a in answers)
    assert (await feed.get(key)).status_code == 200


async def test_a_type_outside_the_keys_scope_is_refused_and_the_default_is_the_scope(feed, launcher):
    key = await feed.key("ProductRated")

    refused = await feed.get(key, type=["ProductRated", "RewardApproved"])
    events, _ = await feed.page(key)

    assert refused.status_code == 403
    assert refused.json()["detail"]["field"] == "type" and "RewardApproved" in refused.json()["detail"]["message"]
    assert {e["type"] for e in events} <= {"vn.ocop.ProductRated.v1"}


async def test_over_the_rate_the_key_gets_429_until_its_bucket_refills(feed):
    key = await feed.key(rate=2)
    now = [1000.0]
    feed.state.gate.clock = lambda: now[0]
    try:
        first, second, third = [await feed.get(key) for _ in range(3)]
        now[0] += 29.0
        still = await feed.get(key)
        now[0] += 1.0
        refilled = await feed.get(key)
        other = await feed.get(await feed.key(rate=2))
    finally:
        feed.state.gate.clock = __import__("time").monotonic

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert third.headers["Retry-After"] == "30" and third.json()["detail"]["error"] == "rate_limited"
    assert still.status_code == 429 and int(still.headers["Retry-After"]) == 1
    assert refilled.status_code == 200
    assert other.status_code == 200, "each key has its own bucket"


async def test_every_successful_read_is_recorded_and_the_province_sees_them(feed):
    key = await feed.key("ProductRated", "ProductRegistered", organisation="Sở Công Thương Hà Tĩnh")
    key_id = presented(key)[0]
    await feed.page(key, after=0, limit=5)
    await feed.page(key, after=3, type="ProductRated", district="380", since="2021-03-01", product="sp-1")
    assert (await feed.get(key, type="RewardApproved")).status_code == 403  # refused: not a read

    audit = await feed.client.get("/v1/feed/reads", params={"key": key_id}, headers=bearer(feed, Role.provincial_office))
    forbidden = await feed.client.get("/v1/feed/reads", headers=bearer(feed, Role.district_officer, "380"))

    assert audit.status_code == 200, audit.text
    body = audit.json()
    assert body["total"] == 2
    latest, first = body["items"]
    assert {latest["key_id"], first["key_id"]} == {key_id}
    assert latest["organisation"] == "Sở Công Thương Hà Tĩnh"
    assert (first["after"], first["filters"]["type"]) == (0, ["ProductRegistered", "ProductRated"])
    assert first["returned"] <= 5 and first["last_position"] >= 0
    assert latest["after"] == 3 and latest["returned"] == 0 and latest["last_position"] == 3
    assert latest["filters"] == {"type": ["ProductRated"], "product": "sp-1", "district": "380", "since": "2021-03-01"}
    assert forbidden.status_code == 403


async def test_bad_parameters_are_422_naming_the_parameter(feed):
    key = await feed.key()
    for params, field in (({"after": -1}, "after"), ({"limit": 0}, "limit"), ({"limit": 1001}, "limit"),
                          ({"timeout": 31}, "timeout"), ({"type": "ProductDeleted"}, "type.0"),
                          ({"district": "38"}, "district"), ({"since": "2021-02-30"}, "since")):
        answer = await feed.get(key, **params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["detail"]["field"] == field, (params, answer.text)
