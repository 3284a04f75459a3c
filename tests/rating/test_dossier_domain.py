"""The rating dossier, pure: opened into its product set, re-entered in a later cycle, a repeat changes nothing."""

from __future__ import annotations

import dataclasses

import pytest

from services.rating.domain import events as ev
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import RatingError
from services.rating.domain.values import Producer, ProductEntry, RegisteredProduct
from services.rating.service import definition
from tests.rating.support import shipped


def entry(*, registration_id: str = "reg-2021", cycle_year: int = 2021, product_set: int = 5) -> ProductEntry:
    return ProductEntry(
        product_id="prod-1",
        registration_id=registration_id,
        cycle_year=cycle_year,
        product=RegisteredProduct("Nem chua Thanh Hóa", "Thực phẩm", "Thực phẩm chế biến", product_set),
        producer=Producer("p-1", "HTX Nem chua", "cooperative"),
        district_code="380",
        commune_code="14758",
    )


def test_opening_classifies_the_product_into_its_set_and_names_the_sheet():
    dossier = RatingDossier.open(entry(), shipped())
    [opened] = dossier.collect()

    sheet = shipped().sheet(5)
    assert isinstance(opened, ev.DossierOpened)
    assert opened.product_id == dossier.id == "prod-1"
    assert opened.product_set == 5 and opened.sheet_id == "set-05"
    assert opened.sheet_provisional is sheet.provisional and opened.sheet_version == sheet.version
    assert opened.regime == shipped().regime
    assert opened.registration_id == "reg-2021" and opened.cycle_year == 2021
    assert dataclasses.asdict(opened.product) == {"name": "Nem chua Thanh Hóa", "sector": "Thực phẩm",
                                                  "group": "Thực phẩm chế biến", "product_set": 5}
    assert opened.producer.producer_id == "p-1"
    assert (opened.district_code, opened.commune_code) == ("380", "14758")
    assert dossier.status == "awaiting_council" and dossier.version == 1


def test_a_product_set_the_catalogue_lacks_is_refused():
    catalogue = shipped()
    lacking = dataclasses.replace(catalogue, sheets={n: s for n, s in catalogue.sheets.items() if n != 5})
    with pytest.raises(RatingError) as refused:
        RatingDossier.open(entry(), lacking)
    assert refused.value.field == "product_set"


def test_a_later_cycle_re_enters_the_dossier():
    dossier = RatingDossier.open(entry(), shipped())
    dossier.collect()
    dossier.enter("reg-2023", 2023)

    assert dossier.collect() == [ev.DossierReentered("reg-2023", 2023)]
    assert dossier.registrations == {"reg-2021": 2021, "reg-2023": 2023}
    assert dossier.cycle_year == 2023 and dossier.version == 2


def test_the_same_registration_again_records_nothing():
    dossier = RatingDossier.open(entry(), shipped())
    dossier.enter("reg-2021", 2021)
    dossier.enter("reg-2023", 2023)
    dossier.enter("reg-2023", 2023)

    assert [e.event_type for e in dossier.collect()] == ["DossierOpened", "DossierReentered"]


def test_replaying_the_stored_events_gives_the_same_dossier():
    recorded = RatingDossier.open(entry(), shipped())
    recorded.enter("reg-2023", 2023)
    replayed = RatingDossier(recorded.id)
    for event in recorded.collect():
        stored = definition.events.encode(event, {})
        replayed.replay(definition.events.decode(stored.event_type, stored.schema_version, stored.data))

    assert (replayed.version, replayed.status, replayed.registrations, replayed.product_set) == (
        2, "awaiting_council", {"reg-2021": 2021, "reg-2023": 2023}, 5)
    replayed.enter("reg-2021", 2021)
    assert replayed.collect() == []
