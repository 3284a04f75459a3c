"""Stored RatingOutcomeRecorded v1 events (the old catch-all outcome) read as the specific facts they recorded, so a
store written by older code replays into the same dossier."""

from __future__ import annotations

from datetime import date

import pytest

from services.rating.domain import events as ev
from services.rating.domain import outcomes as out
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import NotAllowed
from services.rating.service import definition
from shared.eventstore import NewEvent
from shared.memory import InMemoryStore
from tests.rating.legacy import DECISION_1, a_certified_life, certificate, numbers, outcome

REGISTRY = definition.events
HELD = certificate("1114/QĐ-UBND#2021-001", 3, DECISION_1, "2024-04-06", "S-p1/p", "62.00", 2021)


def decoded(event):
    return REGISTRY.decode(event.event_type, event.schema_version, event.data)


async def test_a_dossier_stored_with_v1_outcomes_replays_into_the_same_state():
    store = InMemoryStore(REGISTRY)
    async with store.unit_of_work() as uow:
        await uow.append("old-1", RatingDossier.stream_type, 0, a_certified_life("old-1"))
        await uow.commit()
    async with store.unit_of_work() as uow:
        dossier = await uow.repository(RatingDossier).get("old-1")

    assert (dossier.version, dossier.status, dossier.stage, dossier.holds) == (10, "expired", None, None)
    assert dossier.examined_at == {"district", "provincial"} and dossier.under_review is None
    with pytest.raises(NotAllowed, match="has no rating pending"):
        dossier.purpose_at("provincial")
    dossier.enter("reg-2026", 2026)
    assert dossier.purpose_at("district") == "re_entry", "its old district outcome counts as an attempt"
    assert [type(r.event).__name__ for r in store.recorded()] == [
        "DossierOpened", "ExaminationScheduled", "ForwardedToProvince", "ExaminationScheduled", "CertificateIssued",
        "ExaminationScheduled", "CertificateIssued", "CertificateUnderReview", "WarningIssued", "CertificateExpired"]
    assert [e.schema_version for e in store.events] == [1] * 10, "stored events are never edited"


def test_an_upgrade_names_the_certificate_it_superseded_and_an_expiry_the_first_day_it_no_longer_held():
    facts = [decoded(e) for e in a_certified_life("old-2")]
    upgrade, warning, expiry = facts[6], facts[8], facts[9]
    old, new = numbers("old-2")
    assert isinstance(upgrade, out.CertificateIssued)
    assert (upgrade.supersedes, upgrade.lower, upgrade.certificate.number) == (old, False, new)
    assert upgrade.certificate.valid_until == date(2025, 8, 5) and upgrade.certificate.decision.date == date(2022, 8, 5)
    assert isinstance(warning, out.WarningIssued)
    assert (warning.reason, warning.inspection_id, warning.cycle_year) == ("Nhãn bao bì chưa cập nhật", "I-1", 2023)
    assert isinstance(expiry, out.CertificateExpired) and expiry.ended_on == date(2025, 8, 6)
    assert expiry.reason.startswith(f"certificate {new} (4★) was valid until 2025-08-05")


@pytest.mark.parametrize("v1, fact, fields", [
    (outcome("S-d/p", "S-d", "district", "not_recognized", 2, "42.00", stage="district", reason="mean 42.00 is under 50"),
     out.NotRecognised, {"level": "district", "may_reenter_at": "district", "keeps": None, "stars": 2}),
    (outcome("S-p/p", "S-p", "provincial", "not_recognized", 3, "45.00", decision=DECISION_1, certificate=HELD,
             holds=HELD, reason="not an upgrade"),
     out.NotRecognised, {"level": "provincial", "may_reenter_at": None, "stars": 3}),
    (outcome("S-p/p", "S-p", "provincial", "proposed", 4, "93.00", decision=DECISION_1, certificate=HELD, holds=HELD,
             stage="central", reason="proposed to the central council"),
     out.ProposedToCentre, {"stars": 4, "inspection_id": None}),
    (outcome("S-c/p", "S-c", "central", "not_recognized", 3, "85.00", decision=DECISION_1, certificate=HELD,
             holds=HELD, reason="not passed by the central council"),
     out.CentralNotPassed, {"stars": 3}),
    (outcome("S-p/p", "S-p", "provincial", "downgraded", 2, "45.00", decision=DECISION_1, certificate=HELD,
             inspection_id="I-9", reason="re-rating after inspection; certificate withdrawn"),
     out.CertificateWithdrawn, {"inspection_id": "I-9", "stars": 2}),
    (outcome("S-p/p", "S-p", "provincial", "downgraded", 3, "60.00", decision=DECISION_1, certificate=HELD,
             holds=HELD, inspection_id="I-9", reason="downgraded from 4★; certificate X#1 is superseded"),
     out.CertificateIssued, {"lower": True, "supersedes": "X#1", "inspection_id": "I-9"}),
    (outcome("S-p1/p", None, "provincial", "revoked", 0, "62.00", cycle_year=2021, decision=DECISION_1,
             certificate=HELD, inspection_id="I-9", reason="Vi phạm quy chế"),
     out.CertificateRevoked, {"inspection_id": "I-9", "reason": "Vi phạm quy chế"}),
])
def test_each_v1_outcome_reads_as_the_fact_it_recorded(v1, fact, fields):
    event = decoded(v1)
    assert isinstance(event, fact)
    assert {k: getattr(event, k) for k in fields} == fields
    if hasattr(event, "keeps") and v1.data["holds"] is not None:
        assert event.keeps is not None and event.keeps.number == HELD["number"]


def test_a_re_rating_ordered_by_older_code_names_no_decision():
    event = decoded(NewEvent("ReRatingOrdered", {"inspection_id": "I-1", "reason": "Đánh giá lại"}, schema_version=1))
    assert event == ev.ReRatingOrdered("I-1", "Đánh giá lại", None)
