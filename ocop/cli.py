"""``ocop``: run the system, serve one service, mint tokens, rebuild projections, regenerate contracts."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import timedelta
from typing import Optional

import typer

app = typer.Typer(help="OCOP platform (Mỗi xã một sản phẩm) operations.", no_args_is_help=True)


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
def serve(service: str = typer.Argument(..., help="registration | rating | finance | monitoring")) -> None:
    """Run one service process (what docker-compose and Kubernetes run)."""
    from shared.serve import serve as run

    run(service, _service_definition(service))


@app.command()
def token(
    role: str = typer.Option(..., help="actor role, see docs/ROLES.md"),
    district: Optional[str] = typer.Option(None, help="district code, for district and commune staff"),
    commune: Optional[str] = typer.Option(None, help="commune code, for commune staff"),
    actor_id: str = typer.Option("local-user", "--actor-id", help="the actor's id (JWT sub)"),
    hours: float = typer.Option(8.0, help="validity in hours"),
) -> None:
    """Mint a signed bearer token for local use."""
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
    typer.echo(minted)


@app.command()
def rebuild(
    service: str = typer.Argument(..., help="registration | rating | finance | monitoring"),
    batch_size: int = typer.Option(1000, min=1),
) -> None:
    """Drop the service's read models and rebuild them from its own event store."""
    from rich.progress import Progress

    from shared.db import create_pool
    from shared.projections import rebuild as rebuild_projections
    from shared.settings import service_settings

    definition = _service_definition(service)
    settings = service_settings(service)

    async def run() -> int:
        pool = await create_pool(settings.database_url, settings.schema, name=f"ocop-{service}-rebuild")
        try:
            with Progress() as progress:
                task = progress.add_task(f"rebuilding {service}", total=None)
                return await rebuild_projections(
                    pool,
                    list(definition.projections()),
                    definition.events,
                    batch_size=batch_size,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
        finally:
            await pool.close()

    typer.echo(f"{service}: {asyncio.run(run())} events replayed into its projections")


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
def schemas(check: bool = typer.Option(False, "--check", help="fail if the committed files drift from the code")) -> None:
    """Regenerate the JSON Schemas and the AsyncAPI document of the public events."""
    from shared.contracts import generate

    if check:
        drift = generate.check()
        if drift:
            typer.echo("out of date: " + ", ".join(map(str, drift)), err=True)
            raise typer.Exit(1)
        typer.echo("contracts up to date")
        return
    for path in generate.write():
        typer.echo(f"wrote {path}")


if __name__ == "__main__":
    app()
