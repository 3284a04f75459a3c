"""The console's settings (prefix ``OCOP_CONSOLE_``), with defaults that work on ``make run``."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import KernelSettings, LogLevel

#: The development JWT secret; while it is in use the console offers a sign-in page that mints tokens.
DEVELOPMENT_JWT_SECRET = KernelSettings.model_fields["jwt_secret"].default


class ConsoleSettings(BaseSettings):
    """Where the services are and how the console serves people."""

    model_config = SettingsConfigDict(env_prefix="OCOP_CONSOLE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8005, ge=1, le=65535)
    registration_url: str = "http://127.0.0.1:8001"
    rating_url: str = "http://127.0.0.1:8002"
    finance_url: str = "http://127.0.0.1:8003"
    monitoring_url: str = "http://127.0.0.1:8004"
    # Signs the session cookie. Unset: a random key per process (sessions end when it restarts); replicas behind one
    # address need the same key.
    session_secret: SecretStr | None = None
    session_hours: float = Field(default=8.0, gt=0)
    # The session cookie only over HTTPS. None: on unless the development JWT secret is in use (make run answers on
    # plain HTTP; a browser treats http://localhost as secure all the same).
    secure_cookies: bool | None = None
    # How often the live parts of a page are refreshed while it is shown.
    refresh_seconds: int = Field(default=5, ge=1, le=3600)
    # The development sign-in page (pick a role and district, get a token). None: on exactly while the development JWT
    # secret is in use, so never in production; true or false forces it (true is refused with a real secret).
    development_sign_in: bool | None = None
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    log_level: LogLevel = "INFO"
    log_json: bool = True
    trace_sample_ratio: float = Field(default=1.0, ge=0, le=1)

    def service_urls(self) -> dict[str, str]:
        return {"registration": self.registration_url, "rating": self.rating_url, "finance": self.finance_url,
                "monitoring": self.monitoring_url}

    def cookies_over_https_only(self, kernel: KernelSettings) -> bool:
        if self.secure_cookies is None:
            return not _development_key(kernel)
        return self.secure_cookies

    def development_sign_in_allowed(self, kernel: KernelSettings) -> bool:
        if self.development_sign_in is None:
            return _development_key(kernel)
        return self.development_sign_in and _development_key(kernel)


def _development_key(kernel: KernelSettings) -> bool:
    return kernel.jwt_secret == DEVELOPMENT_JWT_SECRET and kernel.jwt_algorithm.startswith("HS")
