"""The console process: JSON logs, tracing, the app under uvicorn (``ocop serve console``, ``python -m console``)."""

from __future__ import annotations

from pydantic import ValidationError

from console.config import ConsoleSettings
from shared.observability import configure_logging
from shared.tracing import configure_tracing


def serve() -> None:
    import uvicorn
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    from console.app import create_app

    try:
        settings = ConsoleSettings()
    except ValidationError as exc:
        problems = "; ".join(f"OCOP_CONSOLE_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                             for e in exc.errors(include_input=False))
        raise SystemExit(f"ocop serve console: invalid settings: {problems}") from None
    configure_logging("console", settings.log_level, json=settings.log_json)
    configure_tracing("console", settings.trace_sample_ratio)
    HTTPXClientInstrumentor().instrument()  # before the gateway's clients are made (in the app's lifespan)
    app = create_app(settings)
    # The sign-in link carries a token in its query: never recorded in a span (spans keep the URL).
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,static,sign-in/link")
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False, lifespan="on")
