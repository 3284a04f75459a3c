"""The criteria catalogue (bộ tiêu chí 1048+781): the shipped one adds up; a broken one is refused naming the entry."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

from services.rating.domain.catalogue import parse_catalogue
from services.rating.domain.errors import CatalogueError
from tests.rating.support import raw_catalogue, shipped


def sheet_of(raw: dict[str, Any], number: int) -> dict[str, Any]:
    return next(s for s in raw["sheets"] if s["product_set"] == number)


def criterion_of(raw: dict[str, Any], number: int, cid: str) -> dict[str, Any]:
    sheet = sheet_of(raw, number)
    return next(c for p in sheet["parts"] for g in p["groups"] for c in g["criteria"] if c["id"] == cid)


def refused(change: Callable[[dict[str, Any]], None]) -> str:
    raw = raw_catalogue()
    change(raw)
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(raw)
    return str(caught.value)


# --------------------------------------------------------------------------------------- the shipped catalogue

def test_the_shipped_catalogue_has_6_sectors_16_groups_and_26_product_sets_each_with_a_sheet():
    catalogue = shipped()
    assert catalogue.regime == "1048+781"
    assert len(catalogue.sectors) == 6 and len({s.group for s in catalogue.product_sets.values()}) == 16
    assert sorted(catalogue.sheets) == list(range(1, 27))
    assert catalogue.product_sets[26].lead_ministry == "MCST" and catalogue.product_sets[1].name_vi == "Rau, củ, quả, hạt tươi"


@pytest.mark.parametrize("number", range(1, 27))
def test_every_shipped_sheet_adds_up_to_35_25_40_and_100(number):
    sheet = shipped().sheet(number)
    assert {p.id: sum(c.max for c in p.criteria) for p in sheet.parts} == {"A": 35, "B": 25, "C": 40}
    assert sheet.total == 100
    assert all(max(o.points for o in c.options) == c.max for c in sheet.criteria.values())


def test_only_product_set_1_is_transcribed_the_others_are_marked_provisional():
    catalogue = shipped()
    assert not catalogue.sheet(1).provisional
    assert all(catalogue.sheet(n).provisional for n in range(2, 27))
    assert any("35" in note and "A3.2" in note for note in catalogue.sheet(1).notes)


def test_set_1_keeps_the_transcribed_criteria_and_points():
    criteria = shipped().sheet(1).criteria
    assert [o.points for o in criteria["A1.1"].options] == [1, 2, 3]
    assert criteria["A3.2"].max == 2 and criteria["C1.2"].max == 8 and criteria["B1.1"].max == 5
    assert len(criteria) == 31


def test_shipped_bands_are_half_open_with_the_top_band_closed():
    catalogue = shipped()
    cases = {0: 1, Fraction(2999, 100): 1, 30: 2, 49.99: 2, 50: 3, Fraction(209, 3): 3, 70: 4, Fraction(179, 2): 4, 90: 5, 100: 5}
    assert {mean: catalogue.band(Fraction(mean)) for mean in cases} == cases


def test_minimums_are_cumulative_and_tourism_is_exempt():
    catalogue = shipped()
    assert [r.id for r in catalogue.minimums(2, 7)] == ["m2-quality-declaration"]
    assert {r.id for r in catalogue.minimums(3, 7)} == {"m2-quality-declaration", "m3-declared-standard", "m3-control-plan"}
    assert "m3-control-plan" not in {r.id for r in catalogue.minimums(3, 23)}
    assert catalogue.minimums(5, 26, include_unverified=True) == ()


def test_unverified_minimums_are_only_listed_when_asked_for():
    catalogue = shipped()
    assert "m4-uniqueness-set01" not in {r.id for r in catalogue.minimums(4, 1)}
    assert "m4-uniqueness-set01" in {r.id for r in catalogue.minimums(4, 1, include_unverified=True)}


# --------------------------------------------------------------------------------------------------- refusals

def test_a_part_whose_criteria_exceed_its_maximum_is_refused_naming_set_and_part():
    def raise_b(raw):
        criterion_of(raw, 7, "B1.1")["max"] = 17
        criterion_of(raw, 7, "B1.1")["options"].extend({"id": f"x{p}", "points": p} for p in (16, 17))
    assert refused(raise_b) == "set-07 part B: criteria maxima add up to 27, over the part maximum 25"


def test_a_part_whose_criteria_fall_short_of_its_maximum_is_refused():
    def lower(raw):
        criterion_of(raw, 1, "A1.6")["max"] = 0
        criterion_of(raw, 1, "A1.6")["options"] = [{"id": "p0", "points": 0}]
    assert refused(lower) == "set-01 part A: criteria maxima add up to 34, under the part maximum 35"


def test_an_option_over_its_criterion_maximum_is_refused_naming_criterion_and_option():
    def inflate(raw):
        criterion_of(raw, 1, "A1.2")["options"][1] = {"id": "x", "points": 4}
    assert refused(inflate) == "set-01 criterion A1.2 option 'x' worth 4 is over the criterion maximum 3"


def test_a_criterion_whose_maximum_no_option_reaches_is_refused():
    def cap(raw):
        criterion_of(raw, 1, "A1.2")["options"].pop()
    assert refused(cap) == "set-01 criterion A1.2: no option reaches the criterion maximum 3"


def test_a_criterion_id_used_twice_on_a_sheet_is_refused():
    def duplicate(raw):
        criterion_of(raw, 1, "A1.6")["id"] = "A1.5"
        criterion_of(raw, 1, "A1.5")["max"] = 5
    assert refused(duplicate) == "set-01 criterion A1.5 appears twice"


def test_a_part_maximum_other_than_the_regime_fixes_is_refused():
    def change(raw):
        sheet_of(raw, 3)["parts"][0]["max"] = 40
    assert refused(change) == "set-03 part A: maximum 40, the regime fixes 35"


def test_a_missing_sheet_is_refused_naming_it():
    def drop(raw):
        raw["sheets"] = [s for s in raw["sheets"] if s["product_set"] != 12]
    assert refused(drop) == "no sheet for set-12"


@pytest.mark.parametrize("change, message", [
    (lambda b: b[1].update({"from": 31}), "bands: 2★ [31, 50) starts at 31: gap after 30"),
    (lambda b: b[2].update({"from": 45}), "bands: 3★ [45, 70) starts at 45: overlap after 50"),
    (lambda b: b[4].update({"to": 99}), "bands: the top band ends at 99, the sheets total 100"),
    (lambda b: b[3].update({"upper": "closed"}), "bands: 4★ [70, 90]: empty, or only the top band may be closed"),
])
def test_a_band_table_with_gaps_or_overlaps_is_refused(change, message):
    assert refused(lambda raw: change(raw["bands"]["bands"])) == message


def test_a_minimum_on_an_unknown_criterion_is_refused_naming_the_rule_and_sheet():
    def change(raw):
        raw["minimums"]["rules"][0]["criterion"] = "C9.9"
    assert refused(change) == "minimums rule m2-quality-declaration: criterion C9.9 is not on set-01"


def test_a_minimum_on_an_unknown_option_is_refused():
    def change(raw):
        raw["minimums"]["rules"][1]["one_of"] = ["declared", "notarised"]
    assert refused(change) == "minimums rule m3-declared-standard: set-01 criterion C2.1 has no option notarised"


def test_a_file_of_another_regime_is_refused():
    def change(raw):
        raw["bands"]["regime"] = "148"
    assert refused(change) == "bands: regime '148' in a '1048+781' catalogue"


def test_a_refusal_carries_the_entry_as_its_field():
    raw = raw_catalogue()
    criterion_of(raw, 1, "A1.2")["options"][1] = {"id": "x", "points": 4}
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(raw)
    assert caught.value.field == "set-01 criterion A1.2"
