"""``psvis``: initialise, serve, demo, check compliance, manage the registry.

Every command reads the same settings as the server (``PSVIS_*``, ``psvis.toml``);
a psvis error prints one clear line on stderr and exits with status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import SecretStr, ValidationError

from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.cli.context import initialise, open_context, operator_principal
from psvis.compliance import service as compliance_service
from psvis.compliance.schemas import FindingRead
from psvis.core.config import Settings
from psvis.core.errors import PsvisError
from psvis.registry import cameras, systems
from psvis.registry.enums import CameraRole
from psvis.registry.schemas import CameraCreate, CameraRead, SystemRead, SystemUpdate

# Plain tracebacks without local variables: a rich traceback would print locals, and a
# local can be a password.
app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help=__doc__,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)
compliance_app = typer.Typer(no_args_is_help=True, help="The regulation's findings.")
user_app = typer.Typer(no_args_is_help=True, help="Users and roles.")
camera_app = typer.Typer(no_args_is_help=True, help="Cameras (前端设备).")
system_app = typer.Typer(no_args_is_help=True, help="Systems (系统).")
app.add_typer(compliance_app, name="compliance")
app.add_typer(user_app, name="user")
app.add_typer(camera_app, name="camera")
app.add_typer(system_app, name="system")

P = ParamSpec("P")
T = TypeVar("T")


def clear_errors(func: Callable[P, T]) -> Callable[P, T]:
    """Turn psvis and validation errors into one line on stderr and exit status 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except PsvisError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            for problem in exc.details.get("problems", []):
                typer.echo(f"  - {problem.get('field')}: {problem.get('message')}", err=True)
            raise typer.Exit(2) from exc
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "input"
                typer.echo(f"error: {where}: {err['msg']}", err=True)
            raise typer.Exit(2) from exc

    return wrapper


def load_settings() -> Settings:
    try:
        return Settings()
    except (ValidationError, FileNotFoundError) as exc:
        typer.echo(f"error: configuration: {exc}", err=True)
        raise typer.Exit(2) from exc


@app.command()
@clear_errors
def init() -> None:
    """Create the data directory, migrate the database, load the jurisdiction tree."""
    settings = load_settings()
    count = initialise(settings)
    typer.echo(f"initialised {settings.data_dir} ({count} jurisdictions)")


@app.command()
@clear_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Serve the API and console (run `psvis init` first)."""
    import uvicorn

    from psvis.api.app import create_app

    settings = load_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


@app.command()
@clear_errors
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Initialise ./var, seed the synthetic Nanchang dataset, print logins, serve."""
    from psvis.demo.run import run_demo

    run_demo(load_settings(), serve=serve_after)


@compliance_app.command("check")
@clear_errors
def compliance_check(
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as a JSON list.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Include resolved findings, not only open ones.")
    ] = False,
) -> None:
    """Recompute every registry rule's findings (idempotent) and print them."""
    with open_context(load_settings()) as ctx, ctx.session() as session:
        summary = compliance_service.run_check(session)
        findings = compliance_service.all_findings(session, status=None if show_all else "open")
        if as_json:
            payload = [FindingRead.model_validate(f).model_dump(mode="json") for f in findings]
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
            return
        typer.echo(
            f"open findings: {summary.open_total} (new {summary.opened}, reopened "
            f"{summary.reopened}, resolved {summary.resolved})"
        )
        counts: dict[tuple[str, str], int] = {}
        for finding in findings:
            key = (finding.article, finding.rule)
            counts[key] = counts.get(key, 0) + 1
        for (article, rule), count in sorted(counts.items()):
            typer.echo(f"  {article:<12} {rule:<34} {count}")


@user_app.command("create")
@clear_errors
def user_create(
    username: str,
    role: Annotated[Role, typer.Option(help="Role of the new user.")],
    jurisdiction: Annotated[str | None, typer.Option(help="GB/T 2260 code (police roles).")] = None,
    unit: Annotated[
        list[int] | None, typer.Option(help="Unit id (unit roles); repeatable.")
    ] = None,
    work_id: Annotated[str, typer.Option(help="Officer's work ID (警号).")] = "",
    department: Annotated[str, typer.Option(help="Department (other-department staff).")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a user; the password is asked for, never taken from the command line history."""
    with open_context(load_settings()) as ctx, ctx.session() as session:
        user = auth_service.create_user(
            session,
            username=username,
            password=password,
            role=role,
            jurisdiction_code=jurisdiction,
            unit_ids=tuple(unit or ()),
            work_id=work_id,
            department=department,
        )
        typer.echo(f"created user {user.username} (id {user.id}, role {user.role.value})")


def _echo_json(model: Any) -> None:
    typer.echo(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=1))


@camera_app.command("add")
@clear_errors
def camera_add(
    gb_id: Annotated[str, typer.Option(help="20-digit GB/T 28181 ID.")],
    name: Annotated[str, typer.Option()],
    system_id: Annotated[int, typer.Option()],
    lat: Annotated[float, typer.Option()],
    lon: Annotated[float, typer.Option()],
    role: Annotated[CameraRole, typer.Option()],
    azimuth: Annotated[float, typer.Option()] = 0.0,
    fov: Annotated[float, typer.Option()] = 90.0,
    range_m: Annotated[float, typer.Option("--range")] = 30.0,
    stream_url: Annotated[str, typer.Option()] = "",
    username: Annotated[str, typer.Option()] = "",
    password_env: Annotated[
        str | None,
        typer.Option(help="Name of an environment variable holding the camera password."),
    ] = None,
) -> None:
    """Register a camera. A camera at an Art. 9 privacy site is refused."""
    import os

    password = os.environ.get(password_env) if password_env else None
    if password_env and password is None:
        raise PsvisError(f"environment variable {password_env} is not set")
    data = CameraCreate(
        gb_id=gb_id,
        name=name,
        system_id=system_id,
        lat=lat,
        lon=lon,
        role=role,
        azimuth_deg=azimuth,
        fov_deg=fov,
        range_m=range_m,
        stream_url=stream_url,
        username=username,
        password=SecretStr(password) if password else None,
    )
    with open_context(load_settings()) as ctx, ctx.session() as session:
        camera = cameras.create_camera(
            session,
            principal=operator_principal(session),
            data=data,
            box=ctx.box,
            camera_type_codes=ctx.settings.camera_type_codes,
        )
        _echo_json(CameraRead.model_validate(camera))


@system_app.command("set-retention")
@clear_errors
def system_set_retention(system_id: int, days: int) -> None:
    """Set a system's retention in days; below 30 is refused (Art. 17(4))."""
    with open_context(load_settings()) as ctx, ctx.session() as session:
        system = systems.update_system(
            session,
            principal=operator_principal(session),
            system_id=system_id,
            data=SystemUpdate(retention_days=days),
        )
        _echo_json(SystemRead.model_validate(system))


def register_extra_commands() -> None:
    """Commands that live beside their domains (import/export)."""
    from psvis.registry.cli import register

    register(app)
    from psvis.recording.storage_cli import register as register_storage

    register_storage(app)
    from psvis.recording.record_cli import register as register_record

    register_record(app)
    from psvis.recording.cli import register as register_sim

    register_sim(app)
    from psvis.ledger.package_cli import register as register_package

    register_package(app)
    from psvis.ledger.cli import register as register_ledger

    register_ledger(app)
    from psvis.ledger.audit_cli import register as register_audit

    register_audit(app)
    from psvis.health.cli import register as register_health

    register_health(app)
    from psvis.demo.cli import register as register_demo

    register_demo(app)


def main() -> None:
    register_extra_commands()
    app()


__all__ = ["Path", "app", "main"]
