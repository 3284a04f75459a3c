"""``ocop``: run the system, serve one service, mint tokens, rebuild projections, regenerate contracts, feed keys."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Optional

import typer

from ocop import feed_keys

app = typer.Typer(help="OCOP platform (Mỗi xã một sản phẩm) operations.", no_args_is_help=True)
app.add_typer(feed_keys.app, name="feed-key")


def _service_definition(name: str):
    from importlib import import_module

    from shared.settings import SERVICES

    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICES)}", param_hint="SERVICE")
    return import_module(f"services.{name}.service").definition


@app.command()
def up() -> None:
    """Start broker, PostgreSQL and the four services; Ctrl-C stops everything."""
    from ocop.launcher import Launcher
    from shared.observability import configure_logging
    from shared.settings import KernelSettings

    # The launcher talks to a person at a terminal (the services' JSON lines go to their log files).
    configure_logging("launcher", KernelSettings().log_level, json=False)
    launcher = Launcher.from_environment()
    stop = {"now": False}

    def on_signal(*_: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        launcher.start_infrastructure()
        launcher.start_services()
        typer.echo(launcher.summary())
        while not stop["now"]:
            time.sleep(0.5)
            crashed = [s.name for s in launcher.processes.values() if s.process and s.process.poll() is not None]
            if crashed:
                typer.echo(f"service exited unexpectedly: {', '.join(crashed)}; stopping", err=True)
                raise typer.Exit(1)
    finally:
        typer.echo("stopping…")
        launcher.stop()
        typer.echo("stopped.")


@app.command()
def serve(service: str = typer.Argument(..., help="registration | rating | finance | monitoring | console")) -> None:
    """Run one service process, or the web console (what docker-compose and Kubernetes run)."""
    if service == "console":
        from console.serve import serve as run_console

        run_console()
        return
    from shared.serve import serve as run

    run(service, _service_definition(service))


@app.command("console-login")
def console_login(
    role: str = typer.Option("provincial_office", help="actor role, see docs/ROLES.md"),
    district: Optional[str] = typer.Option(None, help="district code, for district and commune staff"),
    commune: Optional[str] = typer.Option(None, help="commune code, for commune staff"),
    actor_id: str = typer.Option("local-user", "--actor-id", help="the actor's id (JWT sub)"),
    hours: float = typer.Option(8.0, help="validity in hours"),
    url: str = typer.Option("", help="the console's address (default: OCOP_CONSOLE_PORT on 127.0.0.1)"),
) -> None:
    """Print a link that signs a person into the web console with a token minted for local use."""
    import os
    from urllib.parse import urlencode

    from ocop.launcher import CONSOLE_PORT

    minted = _minted(role, district, commune, actor_id, hours)
    base = (url or f"http://127.0.0.1:{os.environ.get('OCOP_CONSOLE_PORT', CONSOLE_PORT)}").rstrip("/")
    typer.echo(f"{base}/sign-in/link?{urlencode({'token': minted})}")


@app.command()
def token(
    role: str = typer.Option(..., help="actor role, see docs/ROLES.md"),
    district: Optional[str] = typer.Option(None, help="district code, for district and commune staff"),
    commune: Optional[str] = typer.Option(None, help="commune code, for commune staff"),
    actor_id: str = typer.Option("local-user", "--actor-id", help="the actor's id (JWT sub)"),
    hours: float = typer.Option(8.0, help="validity in hours"),
) -> None:
    """Mint a signed bearer token for local use."""
    typer.echo(_minted(role, district, commune, actor_id, hours))


def _minted(role: str, district: Optional[str], commune: Optional[str], actor_id: str, hours: float) -> str:
    from shared.auth import mint_token
    from shared.contracts.roles import Role
    from shared.settings import KernelSettings

    try:
        parsed = Role(role)
    except ValueError:
        raise typer.BadParameter(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}", param_hint="--role") from None
    try:
        minted = mint_token(
            KernelSettings(), actor_id=actor_id, role=parsed, district=district, commune=commune, ttl=timedelta(hours=hours)
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return minted


@app.command()
def rebuild(
    service: str = typer.Argument(..., help="registration | rating | finance | monitoring"),
    projection: Optional[list[str]] = typer.Option(
        None, "--projection", help="rebuild only this projection (repeatable); default: all of the service's"),
    restart: bool = typer.Option(False, "--restart", help="throw away an interrupted build instead of resuming it"),
    batch_size: int = typer.Option(1000, min=1, help="events per committed batch (and checkpoint)"),
) -> None:
    """Rebuild the service's read models from its own event store beside the live tables, then swap them in.

    The live tables keep answering while the copies fill; an interrupted rebuild resumes from its checkpoint."""
    from rich.progress import Progress

    from shared.db import KERNEL_MIGRATIONS, create_pool, discover, migrate
    from shared.rebuild import RebuildError
    from shared.rebuild import rebuild as rebuild_projections
    from shared.settings import service_settings

    definition = _service_definition(service)
    settings = service_settings(service)

    async def run() -> int:
        pool = await create_pool(settings.database_url, settings.schema, name=f"ocop-{service}-rebuild")
        try:
            await migrate(pool, settings.schema, discover("kernel", KERNEL_MIGRATIONS))  # the checkpoint table
            with Progress() as progress:
                task = progress.add_task(f"rebuilding {service}", total=None)
                return await rebuild_projections(
                    pool,
                    list(definition.projections()),
                    definition.events,
                    only=projection or None,
                    restart=restart,
                    batch_size=batch_size,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
        finally:
            await pool.close()

    try:
        replayed = asyncio.run(run())
    except RebuildError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(f"{service}: {replayed} events replayed into its projections")


@app.command()
def demo(
    registration_url: str = typer.Option("http://127.0.0.1:8001", "--registration-url", help="the registration service"),
    rating_url: str = typer.Option("http://127.0.0.1:8002", "--rating-url", help="the rating service"),
    finance_url: str = typer.Option(None, "--finance-url", help="the finance service (default: where `ocop up` serves it)"),
    monitoring_url: str = typer.Option(None, "--monitoring-url",
                                       help="the monitoring service (default: where `ocop up` serves it)"),
    skip_rating: bool = typer.Option(False, "--skip-rating", help="play the registration season only"),
    skip_finance: bool = typer.Option(False, "--skip-finance", help="leave finance out of the season"),
    skip_monitoring: bool = typer.Option(False, "--skip-monitoring", help="leave monitoring out of the season"),
    cycle_year: int = typer.Option(2021, "--cycle-year", min=2018, max=2100, help="the OCOP cycle to play"),
    seed: int = typer.Option(2021, "--seed", help="the same seed plays the same season"),
    producers: int = typer.Option(40, "--producers", min=1, max=1000, help="how many producers register"),
) -> None:
    """Play a season against the running system (`make run`) through its HTTP APIs — registration, rating, then
    finance's rewards and monitoring's inspections and reports — and print a summary."""
    from ocop.demo import main as run_demo

    skip = frozenset(name for name, left_out in (("finance", skip_finance), ("monitoring", skip_monitoring)) if left_out)
    code = run_demo(registration_url, None if skip_rating else rating_url, finance_url, monitoring_url,
                    cycle_year=cycle_year, seed=seed, producers=producers, skip=skip)
    if code:
        raise typer.Exit(code)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def catalogue(ctx: typer.Context) -> None:
    """Rating criteria catalogue: `check`, or `install SHEET.json` (an official scoring sheet), see services/rating/catalogue."""
    from services.rating.entrypoints.catalogue_tool import main

    raise typer.Exit(main(list(ctx.args)))


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def tariffs(ctx: typer.Context) -> None:
    """Finance's reward tariff tables: `check TABLE.json`, or `install TABLE.json` into a running finance service."""
    from services.finance.entrypoints.tariff_tool import main

    raise typer.Exit(main(list(ctx.args)))


@app.command()
def schemas(
    check: bool = typer.Option(
        False, "--check",
        help="fail if the committed files drift from the code, or a public schema breaks a release",
    ),
    release: bool = typer.Option(
        False, "--release", help="record HEAD as a release in shared/contracts/RELEASES (then commit that file)"
    ),
    note: str = typer.Option("", "--note", help="what the release is, with --release"),
) -> None:
    """Regenerate the JSON Schemas and the AsyncAPI document of the public events; check or record releases."""
    from shared.contracts import generate, releases

    if check and release:
        raise typer.BadParameter("give --check or --release, not both", param_hint="--release")
    try:
        if release:
            recorded = releases.record_release(note)
            typer.echo(f"recorded release {recorded}: commit shared/contracts/RELEASES")
            return
        if check:
            drift = generate.check()
            if drift:
                typer.echo("out of date: " + ", ".join(map(str, drift)) + " (run: ocop schemas)", err=True)
                raise typer.Exit(1)
            typer.echo("contracts: generated files are up to date")
            breaches = releases.check()
            typer.echo(releases.report(breaches), err=bool(breaches))
            if breaches:
                raise typer.Exit(1)
            return
    except releases.ReleaseError as exc:
        typer.echo(f"contracts: {exc}", err=True)
        raise typer.Exit(2) from exc
    for path in generate.write():
        typer.echo(f"wrote {path}")


@app.command()
def subscribe(
    feed: Optional[str] = typer.Option(None, "--feed", help="monitoring's base URL (the feed is GET /v1/feed there), "
                                                            "e.g. http://127.0.0.1:8004"),
    key: Optional[str] = typer.Option(None, "--key", envvar="OCOP_FEED_KEY",
                                      help="the feed key the province issued to your organisation (ocop feed-key issue)"),
    kafka: Optional[str] = typer.Option(None, "--kafka", help="Kafka bootstrap servers: read the four public topics"),
    state: Path = typer.Option(Path("ocop-subscriber.sqlite"), "--state",
                               help="the SQLite file holding the position, the events applied and the table"),
    until_idle: bool = typer.Option(False, "--until-idle", "--once",
                                    help="print the table once caught up, and exit (for scripts and tests)"),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of the table: one object on start and "
                                                       "one per change (with --until-idle, one at the end)"),
    limit: int = typer.Option(100, "--limit", min=1, max=1000, help="feed: events per page"),
    wait: int = typer.Option(30, "--wait", min=1, max=30, help="feed: seconds a caught-up request waits (long-poll)"),
    max_records: int = typer.Option(500, "--max-records", min=1, help="kafka: records per batch at most"),
    districts: Optional[Path] = typer.Option(None, "--districts", help="district names: a district-units.json or a "
                                             "JSON object of code → name (default: the project's reference data)"),
    security_protocol: str = typer.Option("PLAINTEXT", "--security-protocol",
                                          help="kafka: PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL"),
    sasl_mechanism: Optional[str] = typer.Option(None, "--sasl-mechanism", help="kafka: SCRAM-SHA-512, SCRAM-SHA-256, "
                                                                                  "PLAIN"),
    sasl_username: Optional[str] = typer.Option(None, "--sasl-username", help="kafka: your principal"),
    sasl_password: Optional[str] = typer.Option(None, "--sasl-password", envvar="OCOP_KAFKA_SASL_PASSWORD",
                                                help="kafka: its password"),
    ssl_cafile: Optional[Path] = typer.Option(None, "--ssl-cafile", help="kafka: the CA that signed the brokers' "
                                                                         "certificates"),
) -> None:
    """Follow our public events as another province would, and show the products recognised by district and star.

    Two sources, one at a time: --feed URL --key KEY (the HTTP event feed,
    long-polling when caught up) or --kafka SERVERS (the four public topics,
    no consumer group). The position (the feed's, or each partition's
    offset) is kept in --state together with the events applied and the
    table, in one SQLite transaction per page or batch: killed at any
    instant, it restarts where the last page ended, applying nothing twice
    (event ids are checked too).

    The rule: a product counts once, in the star of the certificate it holds
    now, under the district its ProductRegistered names. ProductRated
    recognized or downgraded sets the certificate and its star (a downgrade
    below 3★ leaves none); revoked and expired end the certificate they
    name; proposed and not_recognized change nothing (a product proposed to
    the centre, or refused an upgrade, keeps its certificate).
    """
    from ocop.subscribe.display import district_names
    from ocop.subscribe.errors import SubscribeError
    from ocop.subscribe.kafka import Security
    from ocop.subscribe.run import Output, follow_feed, follow_kafka
    from shared.observability import configure_logging

    if (feed is None) == (kafka is None):
        raise typer.BadParameter("give either --feed URL (with --key) or --kafka SERVERS", param_hint="--feed/--kafka")
    if feed is not None and not key:
        raise typer.BadParameter("the feed needs the key your organisation was issued (or OCOP_FEED_KEY)",
                                 param_hint="--key")
    configure_logging("subscriber", json=True, stream=sys.stderr)
    try:
        output = Output(district_names(districts), json=as_json, until_idle=until_idle)
        if feed is not None:
            follow = follow_feed(feed, key or "", state, output, limit=limit, wait=wait)
        else:
            security = Security(security_protocol, sasl_mechanism, sasl_username, sasl_password,
                                str(ssl_cafile) if ssl_cafile else None)
            follow = follow_kafka(kafka or "", security, state, output, max_records=max_records)
        asyncio.run(follow)
    except SubscribeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


if __name__ == "__main__":
    app()
