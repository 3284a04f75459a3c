"""Events of a register entry (one certified or candidate product, as monitoring hears of it)."""

from __future__ import annotations

from dataclasses import dataclass

from services.monitoring.domain.values import ProductFacts, RatingFact, RewardFact
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class ProductNoted(DomainEvent):
    """ProductRegistered heard: the product's name, product set, district and producer (a later cycle's again)."""

    product: ProductFacts


@dataclass(frozen=True)
class RatingNoted(DomainEvent):
    """ProductRated heard: a council's result, a decision, an expiry, a revocation or a warning on the product."""

    rating: RatingFact


@dataclass(frozen=True)
class RewardNoted(DomainEvent):
    """RewardApproved heard: finance approved a reward for the product (counted in its district's figures)."""

    reward: RewardFact
