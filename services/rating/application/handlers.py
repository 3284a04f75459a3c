"""One handler per command or inbound event: load, call one domain method (the consumer commits)."""

from __future__ import annotations

from functools import cache
from typing import Any

from services.rating.application import translators
from services.rating.domain.catalogue import Catalogue, load_catalogue
from services.rating.domain.dossier import RatingDossier
from shared.uow import UnitOfWork


@cache
def catalogue() -> Catalogue:
    """The shipped criteria catalogue, loaded (and checked) once per process."""
    return load_catalogue()


async def open_dossier(envelope: Any, uow: UnitOfWork, catalogue_: Catalogue | None = None) -> None:
    """ProductRegistered arrived (the consumer's unit of work is open and commits with the inbox row).

    The product's first registration opens its dossier; a later one re-enters it. A product set the
    catalogue lacks raises ``RatingError``, so the event goes to the dead-letter topic.
    """
    entry = translators.product_entry(envelope)
    repo = uow.repository(RatingDossier)
    dossier = await repo.find(entry.product_id)
    if dossier is None:
        repo.add(RatingDossier.open(entry, catalogue_ or catalogue()))
    else:
        dossier.enter(entry.registration_id, entry.cycle_year)
