"""The register of certified products (sổ theo dõi sản phẩm OCOP được công nhận): one entry per product.

Stream id = product_id. Fed from ProductRegistered (``note_product``), ProductRated (``note_rating``) and
RewardApproved (``note_reward``) as the application translates them; any may come first (they travel on different
topics). The entry keeps the certificate periods ``certificates.follow`` derives, and answers as of any date through
that module's functions.
"""

from __future__ import annotations

from datetime import date

from services.monitoring.domain.certificates import CertificatePeriod, check_rating, ending_within, follow, in_force_on
from services.monitoring.domain.errors import InvalidInput
from services.monitoring.domain.events.register import ProductNoted, RatingNoted, RewardNoted
from services.monitoring.domain.values import ProductFacts, RatingFact, RewardFact
from shared.aggregate import Aggregate, DomainEvent


class RegisterEntry(Aggregate):
    """One product in the register: what it is, where, and every certificate it held."""

    stream_type = "register-entry"
    event_types = {e.__name__: e for e in (ProductNoted, RatingNoted, RewardNoted)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.product: ProductFacts | None = None
        self.periods: tuple[CertificatePeriod, ...] = ()
        self.last_rating: RatingFact | None = None
        self.rewards: dict[str, RewardFact] = {}

    def note_product(self, product: ProductFacts) -> bool:
        """The registered product's facts; the same facts again change nothing (False)."""
        if product == self.product:
            return False
        self.record(ProductNoted(product))
        return True

    def note_rating(self, rating: RatingFact) -> bool:
        """A ProductRated, checked (``InvalidInput`` naming the contract's field); the last one again is a no-op."""
        check_rating(rating)
        if rating == self.last_rating:
            return False
        self.record(RatingNoted(rating))
        return True

    def note_reward(self, reward: RewardFact) -> bool:
        """A RewardApproved; the same reward again is a no-op (False), a corrected one replaces it. Refused naming
        the contract's field: an amount below zero (``amount_vnd``), a star outside 0–5 (``stars``)."""
        if reward.amount_vnd < 0:
            raise InvalidInput("amount_vnd is a whole number of đồng, ≥ 0", field="amount_vnd")
        if not 0 <= reward.stars <= 5:
            raise InvalidInput("stars must be 0–5", field="stars")
        if self.rewards.get(reward.reward_id) == reward:
            return False
        self.record(RewardNoted(reward))
        return True

    # ------------------------------------------------------------------------------------------- queries

    @property
    def district_code(self) -> str | None:
        return self.product.district_code if self.product else None

    @property
    def product_set(self) -> int | None:
        return self.product.product_set if self.product else None

    def certificate_on(self, day: date) -> CertificatePeriod | None:
        """The certificate in force on ``day``, or None."""
        return in_force_on(self.periods, day)

    def in_force_on(self, day: date) -> bool:
        return in_force_on(self.periods, day) is not None

    def ending_within(self, day: date, days: int) -> CertificatePeriod | None:
        """The certificate in force on ``day`` whose last day is at most ``days`` days after it, or None."""
        return ending_within(self.periods, day, days)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ProductNoted(product=product):
                self.product = product
            case RatingNoted(rating=rating):
                self.periods, self.last_rating = follow(self.periods, rating), rating
            case RewardNoted(reward=reward):
                self.rewards[reward.reward_id] = reward
