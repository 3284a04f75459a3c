"""The ports finance's handlers receive (its composition root, bootstrap.py, builds them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from services.finance.config import FinanceSettings
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.tariffs import TariffTable
from services.finance.domain.values import LineRef
from shared.ports import ServicePorts

# (unit of work, lines or None for every line) → ids of the claims waiting for budget there, oldest first: where a
# retry after an allocation or an amendment starts (each claim still decides for itself whether it waits).
WaitingClaims = Callable[[Any, Sequence[LineRef] | None], Awaitable[list[str]]]


@dataclass(frozen=True, kw_only=True)
class FinancePorts(ServicePorts):
    """Units of work and the clock, plus the §9.3 policy, the tariff table in force until one is installed, the
    settings and the read side that finds waiting claims."""

    policy: FinancePolicy
    tariffs: TariffTable
    settings: FinanceSettings
    waiting_claims: WaitingClaims
