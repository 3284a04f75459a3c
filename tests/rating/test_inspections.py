"""After recognition (OCOP-RULES §8): InspectionFailed puts the certificate under review at once; the province then
revokes it, orders a re-rating (which may downgrade) or closes with a warning. Over the real broker and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.contracts.roles import Role
from tests.kernel.support import eventually, header, read_topic
from tests.rating.flow import RatingDriver, ids, inspection_failed, rated, send_inspections

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "395"
CONSUMER = "rating.inspection-failed"


class Inspected(RatingDriver):
    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        async with self.runtime.pool.acquire() as conn:
            return await conn.fetch(sql, *args)

    async def under_review(self, product_id: str, inspection_id: str) -> dict[str, Any]:
        return await self.dossier_when(product_id, lambda d: d["under_review_inspection"] == inspection_id)

    async def decide_inspection(self, product_id: str, body: dict[str, Any], role: Role = Role.provincial_office) -> Any:
        return await self.client.post(f"/products/{product_id}/inspection-decision", json=body,
                                      headers=self.token(role, "office-provincial"))

    async def certificate(self, product_id: str, as_of: str) -> dict[str, Any] | None:
        listed = await self.get("/certificates", as_of=as_of, district_code=DISTRICT, limit=500)
        return next((c for c in listed["items"] if c["product_id"] == product_id), None)


DRIVER = Inspected


async def test_a_failed_inspection_puts_the_certificate_under_review_and_the_province_revokes_it(driver, launcher):
    [product] = ids("in", 1)
    certified = await driver.certify(launcher.bootstrap_servers, DISTRICT, {product: 75}, district_on="2021-03-03",
                                     province_on="2021-04-04", decided_on="2021-04-09")
    number = certified[product].certificate.number
    failed = inspection_failed(product, number, inspected_on="2021-07-01")
    await send_inspections(launcher.bootstrap_servers, failed)

    dossier = await driver.under_review(product, failed.data.inspection_id)
    assert (dossier["status"], dossier["stars"], dossier["certificate_number"]) == ("under_review", 4, number)
    held = await driver.certificate(product, "2021-07-15")
    assert held is not None and held["number"] == number
    assert held["under_review"] is True and held["under_review_inspection"] == failed.data.inspection_id

    decision = {"number": "3763/QĐ-UBND", "date": "2021-11-18", "issued_by": "UBND tỉnh Thanh Hóa"}
    revoked = await driver.decide_inspection(product, {"inspection_id": failed.data.inspection_id, "action": "revoke",
                                                       "reason": "Không duy trì chất lượng như đã công nhận",
                                                       "decision": decision})
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()["status"], revoked.json()["holds"]) == ("revoked", None)

    out = (await rated(launcher.bootstrap_servers, product, 3))[2].data
    assert (out.status, out.stars, out.level, out.inspection_id) == ("revoked", 0, "provincial", failed.data.inspection_id)
    assert out.decision.number == "3763/QĐ-UBND" and out.certificate.number == number
    assert await driver.certificate(product, "2021-11-17") is not None, "held until the revocation day"
    assert await driver.certificate(product, "2021-11-18") is None
    assert await driver.certificate(product, "2022-01-01") is None
    [record] = (await driver.history(product))["certificates"]
    assert (record["status"], record["ended_on"], record["under_review_inspection"]) == ("revoked", "2021-11-18", None)
    dossier = await driver.get(f"/dossiers/{product}")
    assert (dossier["status"], dossier["stars"], dossier["certificate_number"], dossier["stage"]) == ("revoked", 0, None, None)

    without = await driver.decide_inspection(product, {"inspection_id": failed.data.inspection_id, "action": "revoke",
                                                       "reason": "lần hai", "decision": decision})
    assert without.status_code == 409 and without.json()["detail"]["field"] == "inspection_id"


async def test_a_re_rating_ordered_after_inspection_downgrades_through_a_later_provincial_round(driver, launcher):
    lower, lowest = ids("in", 2)
    certified = await driver.certify(launcher.bootstrap_servers, DISTRICT, {lower: 78, lowest: 58},
                                     district_on="2021-03-04", province_on="2021-04-05", decided_on="2021-04-10")
    inspections = {p: inspection_failed(p, certified[p].certificate.number, severity="major",
                                        recommended_action="downgrade") for p in (lower, lowest)}
    await send_inspections(launcher.bootstrap_servers, *inspections.values())
    for product, failed in inspections.items():
        await driver.under_review(product, failed.data.inspection_id)
        ordered = await driver.decide_inspection(product, {"inspection_id": failed.data.inspection_id,
                                                           "action": "re_rate", "reason": "Đánh giá lại sau kiểm tra"})
        assert ordered.status_code == 200, ordered.text
        assert (ordered.json()["status"], ordered.json()["stage"]) == ("re_rating_ordered", "provincial")

    council = await driver.council("provincial")
    session = await driver.open_session(council, [lower, lowest], held_on="2021-10-01", round_=4)
    assert {p["purpose"] for p in session["products"]} == {"re_rating"}
    await driver.score(session, lower, [60] * 5)
    await driver.score(session, lowest, [45] * 5)
    await driver.finalise(session, "2021-10-01")
    decided = await driver.decide(session, "4100/QĐ-UBND", "2021-10-12")
    assert decided["certificates_issued"] == 1

    down = (await rated(launcher.bootstrap_servers, lower, 3))[2].data
    assert (down.status, down.stars, down.level) == ("downgraded", 3, "provincial")
    assert down.inspection_id == inspections[lower].data.inspection_id
    assert down.certificate.number.startswith("4100/QĐ-UBND#") and "downgraded from 4★" in down.reason
    gone = (await rated(launcher.bootstrap_servers, lowest, 3))[2].data
    assert (gone.status, gone.stars, gone.inspection_id) == ("downgraded", 2, inspections[lowest].data.inspection_id)
    assert gone.certificate.number == certified[lowest].certificate.number and "withdrawn" in gone.reason

    now_lower = await driver.certificate(lower, "2021-10-12")
    assert (now_lower["number"], now_lower["stars"], now_lower["under_review"]) == (down.certificate.number, 3, False)
    assert await driver.certificate(lowest, "2021-10-12") is None
    assert (await driver.certificate(lowest, "2021-10-11"))["stars"] == 3
    records = {c["number"]: c["status"] for c in (await driver.history(lower))["certificates"]}
    assert records == {certified[lower].certificate.number: "superseded", down.certificate.number: "valid"}
    assert [c["status"] for c in (await driver.history(lowest))["certificates"]] == ["withdrawn"]


async def test_a_warning_keeps_the_certificate_and_ends_the_review(driver, launcher):
    [product] = ids("in", 1)
    certified = await driver.certify(launcher.bootstrap_servers, DISTRICT, {product: 64}, district_on="2021-03-06",
                                     province_on="2021-04-06", decided_on="2021-04-11")
    failed = inspection_failed(product, certified[product].certificate.number, severity="minor",
                               recommended_action="warning")
    await send_inspections(launcher.bootstrap_servers, failed)
    await driver.under_review(product, failed.data.inspection_id)

    warned = await driver.decide_inspection(product, {"inspection_id": failed.data.inspection_id, "action": "warning",
                                                      "reason": "Nhãn bao bì chưa cập nhật", "on": "2021-08-20"})
    assert warned.status_code == 200, warned.text
    out = (await rated(launcher.bootstrap_servers, product, 3))[2].data
    assert (out.status, out.stars, out.inspection_id) == ("recognized", 3, failed.data.inspection_id)
    assert out.reason.startswith("warning") and "Nhãn bao bì chưa cập nhật" in out.reason
    assert out.certificate.number == certified[product].certificate.number
    held = await driver.certificate(product, "2021-09-01")
    assert (held["number"], held["under_review"]) == (certified[product].certificate.number, False)
    dossier = await driver.get(f"/dossiers/{product}")
    assert (dossier["status"], dossier["under_review_inspection"], dossier["stars"]) == ("recognized", None, 3)


async def test_an_inspection_delivered_twice_is_flagged_once(driver, launcher):
    [product] = ids("in", 1)
    certified = await driver.certify(launcher.bootstrap_servers, DISTRICT, {product: 70}, district_on="2021-03-07",
                                     province_on="2021-04-07", decided_on="2021-04-12")
    failed = inspection_failed(product, certified[product].certificate.number)
    resent = inspection_failed(product, failed.data.certificate_number, inspection_id=failed.data.inspection_id)
    assert resent.event_id != failed.event_id
    await send_inspections(launcher.bootstrap_servers, failed, failed, resent)

    async def handled() -> bool:
        rows = await driver.fetch("SELECT event_id FROM inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])",
                                  CONSUMER, [failed.event_id, resent.event_id])
        return len(rows) == 2

    await eventually(handled, timeout=60, what="both deliveries of the inspection")
    flagged = await driver.fetch("SELECT data FROM events WHERE stream_id = $1 AND event_type = 'CertificateUnderReview'",
                                 product)
    assert len(flagged) == 1
    dossier = await driver.get(f"/dossiers/{product}")
    assert (dossier["status"], dossier["under_review_inspection"]) == ("under_review", failed.data.inspection_id)


async def test_an_inspection_of_a_product_rating_never_saw_goes_to_the_dead_letter_topic(driver, launcher):
    unknown = f"in-{uuid.uuid4().hex[:12]}"
    [uncertified] = ids("in", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, uncertified)
    await send_inspections(launcher.bootstrap_servers, inspection_failed(unknown, "999/QĐ-UBND#001"),
                           inspection_failed(uncertified, "998/QĐ-UBND#001"))

    async def dead_letters() -> int:
        rows = await driver.fetch("SELECT message_key FROM dead_letters WHERE message_key = ANY($1::bytea[])",
                                  [unknown.encode(), uncertified.encode()])
        return len(rows) == 2 and len(await driver.fetch("SELECT 1 FROM dead_letters"))

    total = await eventually(dead_letters, timeout=60, what="the local dead letters")
    records = await read_topic(launcher.bootstrap_servers, "ocop.dlq.rating", count=total)
    dead = {r.key.decode(): r for r in records if r.key in (unknown.encode(), uncertified.encode())}
    assert set(dead) == {unknown, uncertified}
    assert {header(r, "dlq.consumer") for r in dead.values()} == {CONSUMER}
    assert "not found" in header(dead[unknown], "dlq.error")
    assert "holds no certificate" in header(dead[uncertified], "dlq.error")
    assert (await driver.client.get(f"/dossiers/{unknown}", headers=driver.token(Role.provincial_office))).status_code == 404
    assert (await driver.get(f"/dossiers/{uncertified}"))["status"] == "awaiting_council"
