"""Members, products and producers are value objects in rating's events, stored as the same JSON as when they were
dicts: events written before read back unchanged, so no schema version moved."""

from __future__ import annotations

from datetime import date

from services.rating.domain import events as ev
from services.rating.domain import outcomes
from services.rating.domain.events import councils, decisions, dossiers, sessions
from services.rating.domain.values import Member, Producer, RegisteredProduct
from services.rating.service import definition
from shared.aggregate import DomainEvent

REGISTRY = definition.events
CHAIR = {"member_id": "m-chair", "name": "Lê Văn Chủ", "role": "chair", "organisation": "UBND huyện"}
SECRETARY = {"member_id": "m-sec", "name": "Thư ký", "role": "secretary", "organisation": "Văn phòng"}


def round_trip(event: DomainEvent, stored: dict) -> None:
    encoded = REGISTRY.encode(event, {})
    assert (encoded.data, encoded.schema_version) == (stored, 1)
    assert REGISTRY.decode(encoded.event_type, 1, stored) == event


def test_a_council_and_an_appointed_member_are_stored_as_member_dicts():
    formed = ev.CouncilFormed("council-district-380", "district", "380", "Hội đồng",
                              (Member(**CHAIR), Member(**SECRETARY)))
    round_trip(formed, {"council_id": "council-district-380", "level": "district", "district_code": "380",
                        "name": "Hội đồng", "members": [CHAIR, SECRETARY]})
    round_trip(ev.MemberAppointed(Member(**SECRETARY)), {"member": SECRETARY})


def test_a_session_stores_the_members_who_score_in_it_as_member_dicts():
    opened = ev.SessionOpened("S-1", "council-provincial", "provincial", None, 2021, 1, "Đợt 1", date(2021, 4, 2),
                              "m-chair", (Member(**CHAIR),))
    round_trip(opened, {"session_id": "S-1", "council_id": "council-provincial", "level": "provincial",
                        "district_code": None, "cycle_year": 2021, "round": 1, "title": "Đợt 1",
                        "held_on": "2021-04-02", "chair_id": "m-chair", "members": [CHAIR]})


def test_an_opened_dossier_stores_the_product_and_producer_as_before():
    product = {"name": "Nem chua", "sector": "Thực phẩm", "group": "Thực phẩm chế biến", "product_set": 5}
    producer = {"producer_id": "p-1", "name": "HTX Nem chua", "legal_form": "cooperative"}
    opened = ev.DossierOpened("prod-1", RegisteredProduct(**product), Producer(**producer), "380", "14758",
                              "reg-2021", 2021, 5, "set-05", "2021.1", True, "1048+781", None)
    round_trip(opened, {"product_id": "prod-1", "product": product, "producer": producer, "district_code": "380",
                        "commune_code": "14758", "registration_id": "reg-2021", "cycle_year": 2021, "product_set": 5,
                        "sheet_id": "set-05", "sheet_version": "2021.1", "sheet_provisional": True,
                        "regime": "1048+781", "correlation_id": None})


def test_the_registry_reads_every_event_rating_defines():
    modules = (councils, sessions, decisions, dossiers, outcomes)
    defined = {cls.__name__ for module in modules for cls in vars(module).values()
               if isinstance(cls, type) and issubclass(cls, DomainEvent) and cls.__module__ == module.__name__}
    assert [name for name in sorted(defined - {"CouncilOutcome"}) if name not in REGISTRY] == []
    assert len(defined) == 31, "the four event modules and the outcomes, one abstract base among them"


def test_a_scorecard_older_code_stored_on_the_session_stream_reads_as_v2_naming_neither_session_nor_listing():
    stored = {"product_id": "p-1", "member_id": "m-chair", "version": 2, "choices": {"A1.1": "a"}, "total": 61,
              "note": "chấm lại"}
    card = REGISTRY.decode("ScorecardSubmitted", 1, stored)
    assert card == ev.ScorecardSubmitted("p-1", "m-chair", 2, {"A1.1": "a"}, 61, "chấm lại", None, None)
    assert REGISTRY.encode(card, {}).schema_version == 2
