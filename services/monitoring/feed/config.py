"""Settings of the HTTP event feed (``OCOP_MONITORING_FEED_*``), read when the feed first serves, never at import."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The longest ``timeout`` a reader may ask (the document's maximum).
MAX_TIMEOUT_SECONDS = 30


class FeedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_MONITORING_FEED_", extra="ignore")

    # How long a long-polling request really waits at most: the asked timeout, cut to this (a test run of every
    # operation, such as schemathesis's, sets it low so that random timeouts do not make it slow).
    longest_wait_seconds: float = Field(default=MAX_TIMEOUT_SECONDS, ge=0, le=MAX_TIMEOUT_SECONDS)
    # A waiting reader looks again after this even without a notification (a listener that lost its connection).
    recheck_seconds: float = Field(default=1.0, gt=0)
    # The rate `ocop feed-key issue` gives a key when none is asked.
    default_rate_per_minute: int = Field(default=600, ge=1)
