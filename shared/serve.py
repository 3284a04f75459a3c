"""One service process: logging and tracing set up, then the service's app under uvicorn."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.http.app import create_app
from shared.observability import configure_logging
from shared.tracing import configure_tracing
from shared.runtime import ServiceDefinition
from shared.settings import service_settings


def serve(name: str, definition: ServiceDefinition) -> None:
    """Run one service process with uvicorn (``ocop serve NAME`` and ``python -m services.NAME``)."""
    import uvicorn
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    try:
        settings = service_settings(name)
    except ValidationError as exc:
        # One line per problem, naming the setting; never the input (it would print the Kafka password).
        problems = "; ".join(_problem(e) for e in exc.errors(include_input=False))
        raise SystemExit(f"ocop serve {name}: invalid settings: {problems}") from None
    configure_logging(name, settings.log_level, json=settings.log_json, library_level=settings.library_log_level)
    configure_tracing(name, settings.trace_sample_ratio)
    AsyncPGInstrumentor().instrument()
    app = create_app(definition, settings)
    uvicorn.run(app, host=settings.host, port=settings.port, lifespan="on", **uvicorn_options())


def uvicorn_options() -> dict[str, Any]:
    """How every service process runs uvicorn (bench.http_floor runs its raw-INSERT app the same way): our access
    lines, not uvicorn's, and logging as :func:`configure_logging` set it. The event loop and HTTP parser stay on
    uvicorn's "auto", which takes uvloop and httptools (C; both dependencies of the project, less CPU per request than
    asyncio's loop and h11 in bench.http_path) when installed, and still starts in an environment installed before
    they were."""
    return {"log_config": None, "access_log": False, "loop": "auto", "http": "auto"}


def _problem(error: Any) -> str:
    """``OCOP_KAFKA_SECURITY_PROTOCOL: Input should be …``; a rule between settings names them in its message."""
    message = error["msg"].removeprefix("Value error, ")
    return f"OCOP_{'_'.join(map(str, error['loc'])).upper()}: {message}" if error["loc"] else message
