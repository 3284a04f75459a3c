"""`ocop tariffs`: a table is checked against the policy before anything is sent; install sends it to PUT /tariffs
with a bearer token and reports the service's refusal naming the entry."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from services.finance.domain.errors import TariffError
from services.finance.domain.tariffs import SHIPPED
from services.finance.entrypoints.tariff_tool import install, main

TABLE = {"format": "ocop-reward-tariffs/1", "province": "Trà Vinh", "title": "2022",
         "tariffs": [{"plan_year": 2022, "valid_from": "2022-01-01", "stars": {"3": 5_000_000, "4": 10_000_000},
                      "no_reward": [5]}]}


def test_the_shipped_table_checks_and_prints_its_entries(capsys):
    assert main(["check", str(SHIPPED)]) == 0
    out = capsys.readouterr().out
    assert "Thanh Hóa: 1 entry adds up" in out and "4★ 20.000.000 đ" in out


def test_a_table_missing_a_star_is_refused_naming_the_entry(tmp_path: Path, capsys):
    broken = {**TABLE, "tariffs": [{**TABLE["tariffs"][0], "no_reward": []}]}
    (tmp_path / "t.json").write_text(json.dumps(broken), encoding="utf-8")
    assert main(["check", str(tmp_path / "t.json")]) == 1
    assert "refused (tariffs[0].stars.5)" in capsys.readouterr().err


def test_install_puts_the_table_with_the_bearer_token_and_reports_a_refusal():
    seen: list[httpx.Request] = []

    def service(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(200, json={"province": "Trà Vinh", "installations": 1})
        return httpx.Response(422, json={"detail": {"error": "invalid_tariffs", "field": "tariffs[0].upgrades",
                                                    "message": "no fixed sum for 3★ → 4★"}})

    transport = httpx.MockTransport(service)
    assert install(TABLE, "http://finance", "T0KEN", transport) == "installed: Trà Vinh (installation 1)"
    assert (seen[0].method, seen[0].url.path, seen[0].headers["authorization"]) == ("PUT", "/tariffs", "Bearer T0KEN")
    assert json.loads(seen[0].content) == TABLE
    with pytest.raises(TariffError) as refused:
        install(TABLE, "http://finance", "T0KEN", transport)
    assert refused.value.field == "tariffs[0].upgrades" and "no fixed sum" in str(refused.value)
