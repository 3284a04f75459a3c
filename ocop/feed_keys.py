"""``ocop feed-key``: API keys of the HTTP event feed, on the machine that runs monitoring, against monitoring's
database (``OCOP_MONITORING_DATABASE_URL`` / ``OCOP_DATABASE_URL``, as ``ocop serve monitoring``) with monitoring's
own handlers: issuing and revoking are facts of its event store (FeedSubscription), so both are audited."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Optional

import typer

app = typer.Typer(help="API keys of the HTTP event feed (GET /v1/feed on monitoring).", no_args_is_help=True)


@asynccontextmanager
async def _monitoring() -> AsyncIterator[Any]:
    from services.monitoring.service import definition
    from shared.runtime import ServiceRuntime
    from shared.settings import service_settings

    runtime = ServiceRuntime(definition, service_settings("monitoring"))
    await runtime.open_database(timeout=10)
    try:
        yield runtime
    finally:
        assert runtime.pool is not None and runtime.wakeup is not None
        await runtime.wakeup.close()  # a NOTIFY still on its way to monitoring's relay
        await runtime.pool.close()


def _operator() -> str:
    """The login name recorded as who acted, read when a key is issued or revoked: at import it would stop every
    ``ocop`` command in a container whose uid has no passwd entry (getpass raises there)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown-operator"


def _run(work: Any) -> Any:
    from services.monitoring.feed.domain.errors import FeedError
    from shared.uow import NotFound

    try:
        return asyncio.run(work)
    except (FeedError, NotFound) as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command()
def issue(
    organisation: str = typer.Option(..., "--organisation", help="the subscribing organisation, e.g. \"Sở Nông nghiệp"
                                     " và PTNT Nghệ An\""),
    event_type: list[str] = typer.Option(..., "--type", help="an event type the key may read (repeat): "
                                         "ProductRegistered | ProductRated | RewardApproved | InspectionFailed"),
    rate_per_minute: Optional[int] = typer.Option(None, "--rate-per-minute", min=1,
                                                  help="requests per minute (default OCOP_MONITORING_FEED_DEFAULT_RATE_PER_MINUTE, 600)"),
    issued_by: Optional[str] = typer.Option(None, "--issued-by", help="who issues it (recorded; default: your login)"),
) -> None:
    """Issue a key; prints its id and the key, once (only the secret's hash is stored)."""
    from services.monitoring.feed.application.handlers import issue_key
    from services.monitoring.feed.config import FeedSettings

    async def work() -> Any:
        async with _monitoring() as runtime:
            return await issue_key(runtime.uow, runtime.ports.clock, organisation=organisation,
                                   event_types=list(event_type), issued_by=issued_by or _operator(),
                                   rate_per_minute=rate_per_minute or FeedSettings().default_rate_per_minute)

    issued = _run(work())
    typer.echo(f"key_id: {issued.key_id}")
    typer.echo(f"key:    {issued.key}")
    typer.echo("The key is shown this once; give it to the organisation (header X-API-Key).")


@app.command()
def revoke(key_id: str = typer.Argument(..., help="the key's id (`ocop feed-key list`)"),
           revoked_by: Optional[str] = typer.Option(None, "--revoked-by",
                                                    help="who revokes it (recorded; default: your login)")) -> None:
    """Revoke a key: its next request is refused (401)."""
    from services.monitoring.feed.application.handlers import revoke_key

    async def work() -> None:
        async with _monitoring() as runtime:
            await revoke_key(runtime.uow, runtime.ports.clock, key_id=key_id, revoked_by=revoked_by or _operator())

    _run(work())
    typer.echo(f"revoked {key_id}")


@app.command(name="list")
def list_keys() -> None:
    """Every key: id, organisation, scope, rate, who issued it and when, revoked or not."""
    from services.monitoring.feed.adapters import keys

    async def work() -> Any:
        async with _monitoring() as runtime, runtime.pool.acquire() as conn:
            return await keys.every(conn)

    for key in _run(work()):
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M} by {key.revoked_by}" if key.revoked_at else "active"
        typer.echo(f"{key.key_id}  {key.organisation}  [{', '.join(key.event_types)}]  {key.rate_per_minute}/min"
                   f"  issued {key.issued_at:%Y-%m-%d %H:%M} by {key.issued_by}  {state}")


@app.command()
def reads(key: Optional[str] = typer.Option(None, "--key", help="only this key's reads"),
          limit: int = typer.Option(50, min=1, max=1000, help="how many, newest first")) -> None:
    """The read audit: who read, when, from which position, how many events, with which filters."""
    from services.monitoring.feed.adapters import reads as audit

    async def work() -> Any:
        async with _monitoring() as runtime, runtime.pool.acquire() as conn:
            return await audit.latest(conn, key_id=key, limit=limit)

    found = _run(work())
    typer.echo(f"{found['total']} reads recorded" + (f" for {key}" if key else ""))
    for read in found["items"]:
        filters = {k: v for k, v in read.filters.items() if v}
        typer.echo(f"{read.at:%Y-%m-%d %H:%M:%S%z}  {read.key_id}  {read.organisation}  after {read.after}"
                   f"  → {read.returned} events, next {read.last_position}  {filters}")
