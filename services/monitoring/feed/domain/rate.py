"""A token bucket per key: ``rate_per_minute`` requests, refilled continuously, a burst of at most one minute's worth.

Pure: the caller gives the time (seconds on a monotonic clock), so tests drive it without waiting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class TokenBucket:
    rate_per_minute: int
    tokens: float
    at: float

    @classmethod
    def full(cls, rate_per_minute: int, now: float) -> TokenBucket:
        return cls(rate_per_minute, float(rate_per_minute), now)

    def take(self, now: float) -> int:
        """Take one token: 0 when there was one, else the whole seconds until there is (Retry-After)."""
        per_second = self.rate_per_minute / 60
        self.tokens = min(float(self.rate_per_minute), self.tokens + max(0.0, now - self.at) * per_second)
        self.at = max(self.at, now)
        if self.tokens >= 1:
            self.tokens -= 1
            return 0
        return max(1, math.ceil((1 - self.tokens) / per_second))
