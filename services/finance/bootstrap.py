"""Composition root of finance: settings → policy and checked tariff table → the ports every handler receives.

Production calls ``bootstrap`` once the pool exists (``ServiceDefinition.bootstrap``); tests pass an in-memory unit of
work, a fixed clock, their own policy, tariffs or waiting-claims query. Nothing is read at import time.
"""

from __future__ import annotations

from services.finance.adapters.queries import waiting_claims
from services.finance.application.ports import FinancePorts, WaitingClaims
from services.finance.config import FinanceSettings
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.tariffs import TariffTable, load_tariffs
from shared.ports import Clock, UnitOfWorkFactory, system_clock


def bootstrap(uow: UnitOfWorkFactory, *, policy: FinancePolicy | None = None, tariffs: TariffTable | None = None,
              settings: FinanceSettings | None = None, clock: Clock | None = None,
              waiting: WaitingClaims | None = None) -> FinancePorts:
    """The service's ports; what is not given comes from ``OCOP_FINANCE_*`` and, for waiting claims, the read model.

    The tariff file is loaded and checked against the policy here, so a table that does not add up (or cannot serve
    the policy) stops the service at start.
    """
    settings = settings or FinanceSettings()
    policy = policy or settings.policy()
    return FinancePorts(uow=uow, clock=clock or system_clock, policy=policy, settings=settings,
                        tariffs=tariffs or load_tariffs(settings.tariffs, policy),
                        waiting_claims=waiting or waiting_claims)
