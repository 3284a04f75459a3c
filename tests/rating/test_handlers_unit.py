"""Rating's handlers in memory (no PostgreSQL, no broker): the composition root with an in-memory unit of work and a
fixed clock. The same flows run over the real broker and PostgreSQL in the other modules of this folder."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from services.rating.application import decisions, handlers
from services.rating.application.ports import RatingPorts
from services.rating.bootstrap import bootstrap
from services.rating.domain import outcomes as out
from services.rating.domain import rounds
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import AlreadyExists, NotAllowed, RatingError
from services.rating.domain.rulings import Ruling
from services.rating.domain.scorecards import MemberScorecards
from services.rating.domain.session import CouncilSession
from services.rating.domain.values import Decision, Member
from services.rating.service import definition
from shared.auth import Actor
from shared.contracts import new_envelope
from shared.contracts.envelope import VIETNAM_TZ
from shared.contracts.roles import Role
from shared.eventstore import ConcurrencyError, NewEvent
from shared.memory import InMemoryStore
from shared.publication import Publications
from shared.ports import fixed_clock
from tests.rating.support import card_with_total, shipped

pytestmark = pytest.mark.asyncio
DISTRICT = "380"
PROVINCE = Actor(id="office-provincial", role=Role.provincial_office)
SECRETARY = Actor(id="secretary", role=Role.council_secretary)


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore(definition.events, Publications(definition.publishers))


@pytest.fixture
def ports(store: InMemoryStore) -> RatingPorts:
    return bootstrap(store.unit_of_work, catalogue=shipped(),
                     clock=fixed_clock(datetime(2022, 1, 10, 9, tzinfo=VIETNAM_TZ)))


def registered(product_id: str, registration_id: str = "reg-2021", cycle_year: int = 2021) -> Any:
    return new_envelope("ProductRegistered", product_id, {
        "registration_id": registration_id, "cycle_year": cycle_year,
        "product": {"name": f"Nem chua {product_id}", "sector": "Thực phẩm", "group": "Thực phẩm chế biến",
                    "product_set": 5, "description": "Nem chua lá ổi"},
        "producer": {"producer_id": f"p-{product_id}", "name": "HTX Nem chua", "legal_form": "cooperative"},
        "location": {"district_code": DISTRICT, "commune_code": "14758"},
    })


def inspection_failed(product_id: str, certificate_number: str, inspection_id: str = "I-1") -> Any:
    return new_envelope("InspectionFailed", product_id, {
        "inspection_id": inspection_id, "inspected_on": "2021-07-01", "inspector_org": "Chi cục QLCL",
        "certificate_number": certificate_number, "severity": "major", "recommended_action": "revocation",
        "findings": [{"criterion": "C2.1", "description": "Không duy trì công bố tiêu chuẩn"}],
    })


async def deliver(ports: RatingPorts, handler: Any, *envelopes: Any) -> None:
    """As the consumer does: one unit of work per delivery, committed after the handler."""
    for envelope in envelopes:
        async with ports.uow() as uow:
            await handler(envelope, uow, ports)
            await uow.commit()


async def dossier(ports: RatingPorts, product_id: str) -> RatingDossier:
    async with ports.uow() as uow:
        return await uow.repository(RatingDossier).get(product_id)


def rated(store: InMemoryStore, product_id: str) -> list[Any]:
    return [e.data.model_dump() for e in store.published if e.event_type == "ProductRated" and e.product_id == product_id]


def members(prefix: str) -> list[Member]:
    return [Member(f"{prefix}-chair", "Chủ tịch", "chair", "UBND"), Member(f"{prefix}-m1", "Thành viên", "member", "Sở"),
            Member(f"{prefix}-m2", "Thành viên", "member", "Sở"), Member(f"{prefix}-sec", "Thư ký", "secretary", "VP")]


async def session(ports: RatingPorts, level: str, totals: dict[str, int], *, held_on: date,
                  decided_on: date | None = None) -> str:
    """A council of the level (formed once), one session over the products, every member scoring the given total."""
    district = DISTRICT if level == "district" else None
    office = Actor(id="office", role=Role.district_officer, district=DISTRICT) if district else PROVINCE
    council_id = f"council-district-{DISTRICT}" if district else f"council-{level}"
    async with ports.uow() as uow:
        formed = await uow.events.stream_version(council_id)
    if not formed:
        await handlers.form_council(ports, office, level=level, district_code=district, name="Hội đồng",
                                    members=members(level))
    session_id = f"S-{uuid.uuid4().hex[:8]}"
    opened = await handlers.open_session(ports, SECRETARY, session_id=session_id, council_id=council_id,
                                         cycle_year=2021, round_=1, title="Phiên", held_on=held_on,
                                         product_ids=list(totals))
    for product_id, total in totals.items():
        choices = {c: o.id for c, o in card_with_total(shipped().sheet(5), total).choices.items()}
        for member in opened.members:
            await handlers.submit_scorecard(ports, SECRETARY, session_id=session_id, product_id=product_id,
                                            member_id=member, choices=choices, note=None)
    await handlers.finalise_session(ports, SECRETARY, session_id, held_on)
    if decided_on is not None:
        await decisions.record_decision(ports, PROVINCE, session_id,
                                        Decision(f"{session_id}/QĐ-UBND", decided_on, "UBND tỉnh Thanh Hóa"))
    return session_id


@pytest.fixture
def certified(ports: RatingPorts) -> Iterator[Any]:
    async def certify(product_id: str, total: int = 75) -> RatingDossier:
        await deliver(ports, handlers.open_dossier, registered(product_id))
        await session(ports, "district", {product_id: 80}, held_on=date(2021, 3, 1))
        await session(ports, "provincial", {product_id: total}, held_on=date(2021, 4, 1), decided_on=date(2021, 4, 6))
        return await dossier(ports, product_id)

    yield certify


async def test_product_registered_opens_a_dossier_once_and_a_later_cycle_re_enters_it(store, ports):
    await deliver(ports, handlers.open_dossier, registered("nem"), registered("nem"))
    opened = await dossier(ports, "nem")
    assert (opened.version, opened.status, opened.stage, opened.product_set) == (1, "awaiting_council", "district", 5)

    await deliver(ports, handlers.open_dossier, registered("nem", "reg-2023", 2023))
    again = await dossier(ports, "nem")
    assert (again.version, again.cycle_year, again.registrations) == (2, 2023, {"reg-2021": 2021, "reg-2023": 2023})
    assert store.published == [], "entering rating is not an outcome"


async def test_a_district_session_forwards_a_mean_of_50_and_not_one_below(store, ports):
    await deliver(ports, handlers.open_dossier, registered("good"), registered("weak"))
    session_id = await session(ports, "district", {"good": 62, "weak": 42}, held_on=date(2021, 3, 1))

    [forwarded] = rated(store, "good")
    assert (forwarded["level"], forwarded["status"], forwarded["stars"], forwarded["average_score"]) == (
        "district", "proposed", 3, 62.0)
    assert forwarded["evaluation_id"] == f"{session_id}/good" and forwarded["certificate"] is None
    [refused] = rated(store, "weak")
    assert (refused["status"], refused["stars"]) == ("not_recognized", 2) and "re-enter" in refused["reason"]
    assert (await dossier(ports, "good")).stage == "provincial" and (await dossier(ports, "weak")).stage == "district"


async def test_a_provincial_decision_issues_a_certificate_to_its_last_valid_day_and_publishes_it(store, certified):
    d = await certified("tra")
    assert d.holds is not None and (d.holds.stars, d.holds.valid_from, d.holds.valid_until) == (
        4, date(2021, 4, 6), date(2024, 4, 6))
    recognised = rated(store, "tra")[1]
    assert (recognised["level"], recognised["status"], recognised["stars"]) == ("provincial", "recognized", 4)
    assert recognised["certificate"] == {"number": d.holds.number, "valid_from": date(2021, 4, 6),
                                         "valid_until": date(2024, 4, 6)}
    assert recognised["decision"]["date"] == date(2021, 4, 6)


async def test_a_failed_inspection_puts_the_certificate_under_review_and_the_province_revokes_it(store, ports, certified):
    d = await certified("mam")
    await deliver(ports, handlers.put_under_review, inspection_failed("mam", d.holds.number))
    assert (await dossier(ports, "mam")).status == "under_review"

    decision = Decision("3763/QĐ-UBND", date(2021, 11, 18), "UBND tỉnh Thanh Hóa")
    revoked = await decisions.decide_inspection(ports, PROVINCE, "mam", inspection_id="I-1", action="revoke",
                                               reason="Vi phạm quy chế", on=date(2021, 11, 18), decision=decision)
    assert (revoked.status, revoked.holds, revoked.under_review) == ("revoked", None, None)
    out_ = rated(store, "mam")[-1]
    assert (out_["status"], out_["stars"], out_["inspection_id"]) == ("revoked", 0, "I-1")
    assert out_["certificate"]["number"] == d.holds.number and out_["decision"]["number"] == "3763/QĐ-UBND"
    with pytest.raises(NotAllowed):
        await decisions.decide_inspection(ports, PROVINCE, "mam", inspection_id="I-1", action="revoke",
                                         reason="lần hai", on=date(2021, 11, 19), decision=decision)


async def test_expiry_is_reported_once_from_the_day_after_the_last_valid_day(store, ports, certified):
    d = await certified("che")
    assert not await handlers.expire_certificate(ports, "che", date(2024, 4, 6))
    assert await handlers.expire_certificate(ports, "che", date(2024, 4, 7))
    assert not await handlers.expire_certificate(ports, "che", date(2024, 4, 8))

    expired = [r for r in rated(store, "che") if r["status"] == "expired"]
    assert len(expired) == 1 and expired[0]["certificate"]["number"] == d.holds.number
    [fact] = [e.event for e in store.recorded() if isinstance(e.event, out.CertificateExpired)]
    assert fact.ended_on == date(2024, 4, 7)


async def test_the_expiry_check_expires_only_the_certificate_past_its_last_valid_day_and_only_once(store, ports):
    """Every certified product is a candidate here (a read model may offer more than is due): each dossier decides."""
    await deliver(ports, handlers.open_dossier, registered("lapsed"), registered("valid"))
    await session(ports, "district", {"lapsed": 80, "valid": 80}, held_on=date(2021, 3, 1))
    await session(ports, "provincial", {"lapsed": 75}, held_on=date(2021, 4, 1), decided_on=date(2021, 4, 6))
    await session(ports, "provincial", {"valid": 75}, held_on=date(2021, 6, 1), decided_on=date(2021, 6, 15))
    lapsing = (await dossier(ports, "lapsed")).holds
    asked: list[date] = []

    async def past_validity(uow: Any, as_of: date) -> list[str]:
        asked.append(as_of)
        return ["lapsed", "valid"]

    later = bootstrap(store.unit_of_work, catalogue=shipped(), certificates_past_validity=past_validity,
                      clock=fixed_clock(datetime(2024, 4, 8, 9, tzinfo=VIETNAM_TZ)))
    assert await handlers.expire_due(later, date(2024, 4, 7)) == ["lapsed"]
    assert await handlers.expire_due(later, date(2024, 4, 7)) == [], "a second run changes nothing"
    assert asked == [date(2024, 4, 7)] * 2

    expired = [e.event for e in store.recorded() if isinstance(e.event, out.CertificateExpired)]
    assert [(fact.certificate, fact.ended_on) for fact in expired] == [(lapsing, date(2024, 4, 7))]
    [public] = [r for r in rated(store, "lapsed") if r["status"] == "expired"]
    assert (public["stars"], public["certificate"]["number"]) == (0, lapsing.number)
    assert all(r["status"] != "expired" for r in rated(store, "valid"))
    assert (await dossier(ports, "valid")).holds is not None and (await dossier(ports, "lapsed")).holds is None

    with pytest.raises(RatingError) as refused:
        await handlers.expire_due(later, date(2024, 4, 9))
    assert refused.value.field == "as_of" and "as_of 2024-04-09" in str(refused.value)


async def test_a_revocation_covering_several_products_is_one_transaction_all_or_nothing(store, ports, certified):
    first, second = await certified("ca"), await certified("cb")
    await deliver(ports, handlers.put_under_review, inspection_failed("ca", first.holds.number))
    decision = Decision("3763/QĐ-UBND", date(2021, 11, 18), "UBND tỉnh Thanh Hóa")
    stored = len(store.events)
    with pytest.raises(NotAllowed) as refused:
        await decisions.issue_decision(ports, PROVINCE, kind="revocation", decision=decision,
                                       rulings=[Ruling("ca", "I-1", "vi phạm"), Ruling("cb", "I-1", "vi phạm")])
    assert refused.value.field == "inspection_id" and "'cb'" in str(refused.value)
    assert len(store.events) == stored and (await dossier(ports, "ca")).status == "under_review"

    await deliver(ports, handlers.put_under_review, inspection_failed("cb", second.holds.number))
    record = await decisions.issue_decision(ports, PROVINCE, kind="revocation", decision=decision,
                                            rulings=[Ruling("ca", "I-1", "vi phạm"), Ruling("cb", "I-1", "vi phạm")])
    assert record.id == "decision:province:2021:3763/QĐ-UBND"
    assert [(e.product_id, e.outcome, e.certificate_number) for e in record.issued.entries] == [
        ("ca", "revoked", first.holds.number), ("cb", "revoked", second.holds.number)]
    assert [r["status"] for r in (rated(store, "ca")[-1], rated(store, "cb")[-1])] == ["revoked", "revoked"]


async def test_a_decision_number_older_code_registered_for_the_year_stays_taken(store, ports, certified):
    async with ports.uow() as uow:
        await uow.append("decision:2021:77/QĐ-UBND", "decision-number", 0, [NewEvent(
            "DecisionNumberTaken", {"number": "77/QĐ-UBND", "year": 2021, "session_id": "S-old"})])
        await uow.commit()
    held = await certified("lg")
    await deliver(ports, handlers.put_under_review, inspection_failed("lg", held.holds.number))
    with pytest.raises(AlreadyExists) as taken:
        await decisions.issue_decision(ports, PROVINCE, kind="revocation",
                                       decision=Decision("77/QĐ-UBND", date(2021, 11, 18), "UBND tỉnh"),
                                       rulings=[Ruling("lg", "I-1", "vi phạm")])
    assert taken.value.field == "number" and "S-old" in str(taken.value)
    assert (await dossier(ports, "lg")).status == "under_review"


async def open_district_session(ports: RatingPorts, product_id: str) -> str:
    await deliver(ports, handlers.open_dossier, registered(product_id))
    await handlers.form_council(ports, Actor(id="office", role=Role.district_officer, district=DISTRICT),
                                level="district", district_code=DISTRICT, name="Hội đồng", members=members("district"))
    session_id = f"S-{uuid.uuid4().hex[:8]}"
    await handlers.open_session(ports, SECRETARY, session_id=session_id, council_id=f"council-district-{DISTRICT}",
                                cycle_year=2021, round_=1, title="Phiên", held_on=date(2021, 3, 1),
                                product_ids=[product_id])
    return session_id


def worth(total: int) -> dict[str, str]:
    return {c: o.id for c, o in card_with_total(shipped().sheet(5), total).choices.items()}


async def test_each_members_cards_are_their_own_stream_and_the_session_stream_does_not_grow(store, ports):
    session_id = await open_district_session(ports, "own")
    for member, total in (("district-chair", 60), ("district-m1", 62), ("district-m2", 64)):
        await handlers.submit_scorecard(ports, SECRETARY, session_id=session_id, product_id="own", member_id=member,
                                        choices=worth(total), note=None)
    corrected = await handlers.submit_scorecard(ports, SECRETARY, session_id=session_id, product_id="own",
                                                member_id="district-m1", choices=worth(66), note="chấm lại")
    assert (corrected.version, corrected.session_id, corrected.listing) == (2, session_id, 2)
    streams = {e.stream_id: e.stream_type for e in store.events if "scorecards:" in e.stream_id}
    assert streams == {f"scorecards:{session_id}:district-{m}": "member-scorecards" for m in ("chair", "m1", "m2")}
    async with ports.uow() as uow:
        assert (await uow.events.stream_version(session_id)) == 2, "opened and the product listed: no card on it"

    finalised = await handlers.finalise_session(ports, SECRETARY, session_id, date(2021, 3, 1))
    assert finalised.results["own"].totals == {"district-chair": 60, "district-m1": 66, "district-m2": 64}
    counted = [e for e in store.events if e.event_type == "ScorecardsCounted"]
    assert len(counted) == 3, "every member's stream records what the finalisation counted"


async def test_a_card_entered_while_the_finalisation_counts_conflicts_and_then_finds_the_result_final(store, ports):
    session_id = await open_district_session(ports, "race")
    for member in ("district-chair", "district-m1", "district-m2"):
        await handlers.submit_scorecard(ports, SECRETARY, session_id=session_id, product_id="race", member_id=member,
                                        choices=worth(60), note=None)
    key = MemberScorecards.key(session_id, "district-m2")
    async with ports.uow() as late:  # a correction under way: it read the session and the member's cards
        session_seen = await late.repository(CouncilSession).get(session_id)
        cards = await late.repository(MemberScorecards).get(key)
        rounds.score(session_seen, cards, "district-m2", shipped(), product_id="race", choices=worth(70), note=None)
        await handlers.finalise_session(ports, SECRETARY, session_id, date(2021, 3, 1))  # commits meanwhile
        with pytest.raises(ConcurrencyError):
            await late.commit()
    with pytest.raises(NotAllowed, match="scorecards are closed"):
        await handlers.submit_scorecard(ports, SECRETARY, session_id=session_id, product_id="race",
                                        member_id="district-m2", choices=worth(70), note=None)
    assert (await dossier(ports, "race")).status == "proposed"


async def test_a_session_older_code_kept_cards_on_finalises_with_the_cards_members_add_now(store, ports):
    session_id = await open_district_session(ports, "old")
    legacy = [NewEvent("ScorecardSubmitted", {"product_id": "old", "member_id": member, "version": 1,
                                              "choices": worth(60), "total": 60, "note": None}, schema_version=1)
              for member in ("district-chair", "district-m1")]
    async with ports.uow() as uow:
        await uow.append(session_id, "council-session", 2, legacy)
        await uow.commit()
    again = await handlers.submit_scorecard(ports, SECRETARY, session_id=session_id, product_id="old",
                                            member_id="district-m1", choices=worth(64), note=None)
    assert again.version == 2, "a correction follows the card older code stored"
    await handlers.submit_scorecard(ports, SECRETARY, session_id=session_id, product_id="old", member_id="district-m2",
                                    choices=worth(68), note=None)
    finalised = await handlers.finalise_session(ports, SECRETARY, session_id, date(2021, 3, 1))
    assert finalised.results["old"].totals == {"district-chair": 60, "district-m1": 64, "district-m2": 68}
