"""Errors of the rating domain; the API maps each to a status with the field and the rule."""

from __future__ import annotations

from collections.abc import Sequence

from shared.errors import DomainError


class RatingError(DomainError):
    """Base of rating's refusals: ``field`` names what was wrong (a criterion id, a catalogue entry)."""


class CatalogueError(RatingError):
    """The criteria catalogue does not add up; it is refused at load (bộ tiêu chí không hợp lệ)."""


class InvalidScorecard(RatingError):
    """A member's scorecard (phiếu đánh giá) breaks the product's sheet (422); ``field`` is the criterion."""


class NotReady(RatingError):
    """The council (hội đồng) cannot reach a result yet: quorum, chair, or scorecards for another sheet (409)."""


class AlreadyExists(RatingError):
    """An id that must be unique is taken: one council per level and district, one decision per session (409)."""


class NotAllowed(RatingError):
    """The step does not fit the state it is asked of (409): a closed session, a product on another list, …"""


class Ambiguous(RatingError):
    """What the request names is several things the service holds (a decision number used in several years or by
    both bodies): 409, ``field`` names the parameter that tells them apart."""


class DecisionDateRefused(RatingError):
    """A decision dated in the future or before what it decides on (422, ``field`` = ``decision.date``)."""


class Duplicate(RatingError):
    """A list that names each member or product once names one twice (409, like an id already taken): a rule JSON
    Schema cannot state of a list of objects (its ``uniqueItems`` compares whole items), so the document can allow it."""


def ensure_each_once(ids: Sequence[str], what: str, field: str) -> None:
    """Each id once in a list that must name each once (council members, a decision's products)."""
    repeated = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
    if repeated is not None:
        raise Duplicate(f"{what} {repeated!r} is listed twice", field=field)
