"""How the console writes money, dates and numbers."""

from __future__ import annotations

from datetime import date, datetime, timezone

from console import formatting


def test_money_is_integer_vnd_with_dots_and_the_dong_sign():
    assert formatting.money(10_000_000) == "10.000.000\u00a0₫"
    assert formatting.money(0) == "0\u00a0₫"
    assert formatting.money(None) == "–"
    assert formatting.number(1234567) == "1.234.567"
    assert formatting.number(-5000) == "-5.000"


def test_dates_are_dd_mm_yyyy_in_vietnam():
    assert formatting.day("2021-12-31") == "31/12/2021"
    assert formatting.day(date(2021, 1, 2)) == "02/01/2021"
    # 20:00 UTC on 31 December is already 1 January in Vietnam (UTC+7).
    assert formatting.day("2021-12-31T20:00:00Z") == "01/01/2022"
    assert formatting.moment(datetime(2021, 12, 31, 20, 0, tzinfo=timezone.utc)) == "01/01/2022 03:00:00"
    assert formatting.day("not a date") == "not a date"
    assert formatting.day(None) == "–"


def test_stars_and_percent():
    assert formatting.stars(4) == "★★★★"
    assert formatting.stars(0) == "–" and formatting.stars("x") == "–"
    assert formatting.percent(40, 80) == 50
    assert formatting.percent(120, 80) == 100
    assert formatting.percent(1, 0) == 0


def test_a_day_of_a_filter_reads_as_people_write_it_or_as_iso():
    from pydantic import TypeAdapter, ValidationError

    from console.params import CivilDay

    day = TypeAdapter(CivilDay)
    assert day.validate_python("31/12/2021") == date(2021, 12, 31)
    assert day.validate_python("2021-12-31") == date(2021, 12, 31)
    assert day.validate_python("1/2/2021") == date(2021, 2, 1)
    assert day.validate_python("") is None
    for wrong in ("31/02/2021", "2021-02-30", "12/31/2021", "tomorrow"):
        try:
            day.validate_python(wrong)
        except ValidationError:
            continue
        raise AssertionError(f"{wrong} was taken as a day")
