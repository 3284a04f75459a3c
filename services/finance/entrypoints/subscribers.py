"""What finance hears from other services: products sent to the province (where they are), and ratings (rewards)."""

from __future__ import annotations

from services.finance.application import rewards
from shared.consumer import Subscription
from shared.contracts import CONTRACTS

SUBSCRIPTIONS = (
    Subscription("product-registered", (CONTRACTS["ProductRegistered"].topic,), rewards.enter_product),
    Subscription("product-rated", (CONTRACTS["ProductRated"].topic,), rewards.hear_rating),
)
