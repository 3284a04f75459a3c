"""The ports rating's handlers receive (its composition root, bootstrap.py, builds them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.rating.adapters.places import Places
from services.rating.config import RatingSettings
from services.rating.domain.catalogue import Catalogue
from services.rating.domain.policy import RatingPolicy
from shared.ports import ServicePorts

# (unit of work, as_of) → products whose held certificate's last valid day is before as_of: the expiry check's
# candidates (each dossier still decides whether its certificate expired).
PastValidity = Callable[[Any, date], Awaitable[list[str]]]


@dataclass(frozen=True, kw_only=True)
class RatingPorts(ServicePorts):
    """Units of work and the clock, plus the criteria catalogue, the [U]/[POLICY] choices, the settings, the read
    side the expiry check starts from, and the names of the province's places for printed documents."""

    catalogue: Catalogue
    policy: RatingPolicy
    settings: RatingSettings
    certificates_past_validity: PastValidity
    places: Places
