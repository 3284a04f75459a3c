"""Reference data of monitoring: the shipped Thanh Hóa 2021 files, and refusals at load that name the entry."""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import Any

import pytest

from services.monitoring.domain.errors import NotKnown, ReferenceDataError
from services.monitoring.domain.reference import SHIPPED, parse_reference, read_reference_files
from tests.monitoring import shipped

RAW = read_reference_files(SHIPPED)


def raw() -> dict[str, Any]:
    return copy.deepcopy(RAW)


def refusal(data: dict[str, Any]) -> ReferenceDataError:
    with pytest.raises(ReferenceDataError) as caught:
        parse_reference(data)
    return caught.value


def test_thanh_hoa_2021_has_27_district_level_units_2_cities_2_towns_23_rural_districts():
    units = shipped().units.of_year(2021)
    assert len(units) == 27
    assert Counter(u.kind for u in units.values()) == {"city": 2, "town": 2, "rural_district": 23}
    assert units["380"].name == "Thành phố Thanh Hóa" and units["407"].name == "Thị xã Nghi Sơn"


def test_an_edition_applies_to_later_plan_years_until_the_next_one():
    data = raw()
    later = copy.deepcopy(data["district-units"]["editions"][0])
    later["from_plan_year"], later["units"] = 2025, [u for u in later["units"] if u["code"] != "405"]
    data["district-units"]["editions"].append(later)
    units = parse_reference(data).units
    assert len(units.of_year(2024)) == 27 and "405" in units.of_year(2024)
    assert len(units.of_year(2025)) == 26 and "405" not in units.of_year(2026)


def test_a_plan_year_before_the_first_edition_has_no_units():
    with pytest.raises(NotKnown) as caught:
        shipped().units.of_year(2020)
    assert caught.value.field == "plan_year"


def test_the_2021_reports_are_due_before_15_june_and_before_1_december():
    deadlines = shipped().deadlines
    assert str(deadlines.due_before(2021, "six_month")) == "2021-06-15"
    assert str(deadlines.due_before(2022, "annual")) == "2022-12-01"  # the 2021 edition carries on


def test_the_2021_targets_are_80_provincial_3_star_products_and_3_proposed_for_5_stars():
    targets = {t.target_id: t for t in shipped().targets[2021].targets}
    recognised, proposed = targets["provincial_3_stars_or_more"], targets["proposed_for_5_stars"]
    assert (recognised.measure, recognised.level, recognised.min_stars, recognised.at_least) == \
        ("recognised", "provincial", 3, 80)
    assert (proposed.measure, proposed.level, proposed.at_least) == ("proposed", "provincial", 3)


def test_a_unit_listed_twice_is_refused_naming_its_entry():
    data = raw()
    units = data["district-units"]["editions"][0]["units"]
    units[3]["code"] = units[1]["code"]
    assert refusal(data).field == "district-units.editions[0].units[3].code"


def with_value(path: str, value: Any) -> dict[str, Any]:
    """The shipped files with ``value`` at ``path`` (``file.key[i].key``), the way a refusal's field names it."""
    data = raw()
    steps = [int(part) if part.isdigit() else part for part in re.split(r"\.|\[|\]\.?", path) if part]
    target: Any = data
    for step in steps[:-1]:
        target = target[step]
    target[steps[-1]] = value
    return data


@pytest.mark.parametrize("path, value", [
    ("district-units.editions[0].units[5].kind", "huyen"),
    ("district-units.editions[0].units[2].name", " "),
    ("district-units.format", "ocop-district-units/2"),
    ("report-deadlines.editions[0].reports[0].due", "06-15"),  # a misspelt key is refused, never ignored
    *[("report-deadlines.editions[0].reports[0].due_before", day)
      for day in ("02-29", "06-31", "15/06", "6-15-2021", "")],  # not a day of every year written MM-DD
    ("report-deadlines.editions[0].reports[1].kind", "Báo cáo năm"),
    *[("programme-targets.years[0].targets[0].at_least", value) for value in (80.0, "80", True, 0, -1)],
    ("programme-targets.years[0].targets[1].measure", "certified"),
    ("programme-targets.years[0].targets[1].level", "commune"),
])
def test_a_bad_entry_is_refused_at_load_naming_it(path, value):
    assert refusal(with_value(path, value)).field == path


def test_editions_must_ascend_by_plan_year():
    data = raw()
    data["report-deadlines"]["editions"].append(copy.deepcopy(data["report-deadlines"]["editions"][0]))
    assert refusal(data).field == "report-deadlines.editions[1].from_plan_year"


@pytest.mark.parametrize("value", [80.0, "80", True, 0, -1])
def test_a_target_that_is_not_a_whole_number_of_at_least_one_is_refused(value):
    data = raw()
    data["programme-targets"]["years"][0]["targets"][0]["at_least"] = value
    assert refusal(data).field == "programme-targets.years[0].targets[0].at_least"


def test_an_unknown_measure_is_refused_naming_the_target():
    data = raw()
    data["programme-targets"]["years"][0]["targets"][1]["measure"] = "certified"
    assert refusal(data).field == "programme-targets.years[0].targets[1].measure"


def test_targets_of_a_year_without_district_units_are_refused():
    data = raw()
    year = copy.deepcopy(data["programme-targets"]["years"][0])
    year["plan_year"] = 2019
    data["programme-targets"]["years"].append(year)
    assert refusal(data).field == "programme-targets.years"


def test_a_file_of_another_format_or_a_missing_file_is_refused():
    data = raw()
    data["district-units"]["format"] = "ocop-district-units/2"
    assert refusal(data).field == "district-units.format"
    data = raw()
    del data["programme-targets"]
    assert refusal(data).field == "programme-targets"
