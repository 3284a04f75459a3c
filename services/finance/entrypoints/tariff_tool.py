"""Command to check a reward tariff table and to install it in a running finance service, without touching code.

    ocop tariffs check   TABLE.json
    ocop tariffs install TABLE.json [--url http://127.0.0.1:8003] [--token BEARER]

``check`` checks the table against the policy the ``OCOP_FINANCE_*`` settings give (format:
services/finance/tariffs/README.md) and prints its entries, or the refusal naming the entry (exit 1). ``install``
checks it the same way, then sends it to ``PUT /tariffs``: the service checks it again and records it in its tariff
book (an event: every installation is kept, the last one in force). Without ``--token``, a finance officer's token is
minted with the local ``OCOP_JWT_*`` settings, as ``ocop token`` does (development only).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from services.finance.config import FinanceSettings
from services.finance.domain.errors import TariffError
from services.finance.domain.money import format_vnd
from services.finance.domain.tariffs import TariffTable, check_tariff_table


def summary(table: TariffTable) -> str:
    count = len(table.tariffs)
    lines = [f"tariffs of {table.province}: {count} {'entry adds' if count == 1 else 'entries add'} up"]
    for t in table.tariffs:
        stars = ", ".join(f"{s}★ {format_vnd(t.amount(s))}" if t.amount(s) else f"{s}★ none" for s in (3, 4, 5))
        lines.append(f"  {t.plan_year} from {t.ref.valid_from} to {t.valid_until or 'replaced'}: {stars}")
    return "\n".join(lines)


def install(raw: dict[str, Any], url: str, token: str, transport: httpx.BaseTransport | None = None) -> str:
    """PUT the table to the service; its answer, or ``TariffError`` with the service's refusal."""
    with httpx.Client(base_url=url, transport=transport, timeout=30) as client:
        response = client.put("/tariffs", json=raw, headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        detail = response.json().get("detail", {}) if response.headers.get("content-type", "").startswith(
            "application/json") else {}
        raise TariffError(f"the service refused it ({response.status_code}): {detail.get('message', response.text)}",
                          field=detail.get("field"))
    installed = response.json()
    return f"installed: {installed['province']} (installation {installed['installations']})"


def _local_token() -> str:
    from shared.auth import mint_token
    from shared.contracts.roles import Role
    from shared.settings import KernelSettings

    return mint_token(KernelSettings(), actor_id="tariff-tool", role=Role.finance_officer, ttl=timedelta(minutes=5))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ocop tariffs")
    parser.add_argument("action", choices=("check", "install"))
    parser.add_argument("table", type=Path, help="the tariff table (JSON)")
    parser.add_argument("--url", default="http://127.0.0.1:8003", help="the finance service (install)")
    parser.add_argument("--token", help="a finance officer's bearer token (install; default: minted locally)")
    args = parser.parse_args(argv)
    try:
        raw = json.loads(args.table.read_text(encoding="utf-8"))
        print(summary(check_tariff_table(raw, FinanceSettings().policy())))
        if args.action == "install":
            print(install(raw, args.url, args.token or _local_token()))
    except (TariffError, json.JSONDecodeError, OSError) as refused:
        where = f" ({refused.field})" if getattr(refused, "field", None) else ""
        print(f"refused{where}: {refused}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
