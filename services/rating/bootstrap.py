"""Composition root of rating: settings → policy and checked catalogue → the ports every handler receives.

Production calls ``bootstrap`` once the pool exists (``ServiceDefinition.bootstrap``); tests pass an in-memory unit of
work, a fixed clock, their own catalogue or policy. Nothing is read at import time.
"""

from __future__ import annotations

from services.rating.adapters.places import load_places
from services.rating.adapters.queries import past_validity
from services.rating.application.ports import PastValidity, RatingPorts
from services.rating.config import RatingSettings
from services.rating.domain.catalogue import Catalogue, load_catalogue
from services.rating.domain.policy import RatingPolicy
from shared.ports import Clock, UnitOfWorkFactory, system_clock


def bootstrap(uow: UnitOfWorkFactory, *, catalogue: Catalogue | None = None, policy: RatingPolicy | None = None,
              settings: RatingSettings | None = None, clock: Clock | None = None,
              certificates_past_validity: PastValidity | None = None) -> RatingPorts:
    """The service's ports; what is not given comes from ``OCOP_RATING_*`` and, for the expiry check's candidates,
    from the certificates read model.

    The catalogue is loaded and checked here, so a catalogue that does not add up stops the service at start.
    """
    settings = settings or RatingSettings()
    return RatingPorts(uow=uow, clock=clock or system_clock, catalogue=catalogue or load_catalogue(settings.catalogue),
                       policy=policy or settings.policy(), settings=settings,
                       certificates_past_validity=certificates_past_validity or past_validity, places=load_places())
