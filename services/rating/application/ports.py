"""The ports rating's handlers receive (its composition root, bootstrap.py, builds them)."""

from __future__ import annotations

from dataclasses import dataclass

from services.rating.config import RatingSettings
from services.rating.domain.catalogue import Catalogue
from services.rating.domain.policy import RatingPolicy
from shared.ports import ServicePorts


@dataclass(frozen=True, kw_only=True)
class RatingPorts(ServicePorts):
    """Units of work and the clock, plus the criteria catalogue, the [U]/[POLICY] choices and the settings."""

    catalogue: Catalogue
    policy: RatingPolicy
    settings: RatingSettings
