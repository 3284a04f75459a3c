"""A tariff table comes from outside (PUT /tariffs, ``ocop tariffs``): whatever JSON it is, checking it gives a table
or a ``TariffError`` naming where it is wrong (a 422), never another exception (a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.finance.domain.errors import TariffError
from services.finance.domain.tariffs import check_tariff_table

KEYS = ["plan_year", "valid_from", "valid_until", "stars", "no_reward", "upgrades", "basis", "from", "to", "amount",
        "3", "4", "5", "format", "province", "tariffs"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**9) | st.floats(allow_nan=False)
    | st.sampled_from(["3", "4", "5", "2021-01-01", "x", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    max_leaves=15)
STARS = st.fixed_dictionaries({"3": st.just(10_000_000), "4": st.just(20_000_000), "5": st.just(100_000_000)})
ENTRY = st.fixed_dictionaries(
    {"plan_year": st.just(2021) | JSON, "valid_from": st.just("2021-01-01") | JSON, "stars": STARS | JSON},
    optional={"no_reward": JSON, "upgrades": JSON, "valid_until": JSON, "basis": JSON})
TABLE = st.fixed_dictionaries({"format": st.just("ocop-reward-tariffs/1") | JSON, "province": st.just("Thanh Hóa") | JSON,
                               "tariffs": st.lists(ENTRY, max_size=3) | JSON})


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(TABLE)
def test_any_json_is_a_table_or_a_tariff_error(raw: Any) -> None:
    try:
        table = check_tariff_table(raw)
    except TariffError as refused:
        assert refused.field
    else:
        assert table.tariffs and table.province.strip()


@pytest.mark.parametrize("change, field", [({"upgrades": 5}, "tariffs[0].upgrades"),
                                           ({"upgrades": {"from": 3}}, "tariffs[0].upgrades")])
def test_upgrades_that_are_not_a_list_are_refused_naming_them(change: dict[str, Any], field: str) -> None:
    entry = {"plan_year": 2021, "valid_from": "2021-01-01", "stars": {"3": 1, "4": 2, "5": 3}, **change}
    with pytest.raises(TariffError) as refused:
        check_tariff_table({"format": "ocop-reward-tariffs/1", "province": "X", "tariffs": [entry]})
    assert refused.value.field == field


def test_a_table_names_its_province() -> None:
    with pytest.raises(TariffError) as refused:
        check_tariff_table({"format": "ocop-reward-tariffs/1", "province": {"name": "X"}, "tariffs": []})
    assert refused.value.field == "province"
