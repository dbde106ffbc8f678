"""``psvis storage …`` and ``psvis retention sweep``: storage roots from the console.

* ``storage add NAME PATH`` registers a directory (writes its identity file);
* ``storage enable NAME`` / ``storage disable NAME`` start or stop recording there;
* ``storage set-path NAME PATH`` follows a root's disk to where it is now mounted;
* ``storage list`` shows every root with its identity check and free space;
* ``storage check`` exits 1 when any enabled root is refused (unmounted or swapped disk);
* ``storage forecast`` runs the Art. 17(4) capacity forecast and records its findings;
* ``retention sweep`` expires what has passed its window (``--dry-run``: only shows it).

Adding, enabling, disabling and moving a root are recorded in the ledger (actor
``cli:<login>``) in the same transaction as the change.

Exit status: 0 fine, 1 a refused root (``check``) or a sweep error, 2 could not run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.core.timeutil import utcnow
from psvis.ledger.config_changes import cli_actor
from psvis.recording import capacity, retention
from psvis.recording.models import StorageRoot
from psvis.recording.storage import (
    Root,
    StorageRefused,
    check_root,
    create_root,
    set_enabled,
    set_path,
)

storage_app = typer.Typer(no_args_is_help=True, help="Storage roots for recordings.")
retention_app = typer.Typer(no_args_is_help=True, help="Retention of recordings (Art. 17(4)).")


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def _checked(rows: list[StorageRoot]) -> tuple[dict[int, Root], dict[int, str]]:
    """Roots that pass their identity check, and the refusal message of the others."""
    ok: dict[int, Root] = {}
    refused: dict[int, str] = {}
    for row in rows:
        try:
            ok[row.id] = check_root(row)
        except StorageRefused as exc:
            refused[row.id] = exc.message
    return ok, refused


def _all_rows(session: Session) -> list[StorageRoot]:
    return list(session.scalars(select(StorageRoot).order_by(StorageRoot.id)))


def storage_add(
    name: Annotated[str, typer.Argument(help="Name of the root (unique).")],
    path: Annotated[Path, typer.Argument(file_okay=False, help="Directory (created if absent).")],
    reserve_bytes: Annotated[
        int | None,
        typer.Option(
            "--reserve-bytes",
            min=0,
            help="Free space kept in reserve (default: settings storage_reserve_bytes).",
        ),
    ] = None,
) -> None:
    """Register a directory as a storage root and write its identity file."""
    from psvis.cli.context import open_context
    from psvis.cli.main import load_settings

    settings = load_settings()
    reserve = settings.storage_reserve_bytes if reserve_bytes is None else reserve_bytes
    with open_context(settings) as ctx, ctx.session() as session:
        row = create_root(session, name=name, path=path, reserve_bytes=reserve, actor=cli_actor())
        typer.echo(
            f"added storage root {row.name} (id {row.id}) at {row.path}, identity "
            f"{row.identity}, reserve {_size(row.reserve_bytes)}"
        )


def _set_enabled(name: str, *, enabled: bool) -> None:
    from psvis.cli.context import open_context
    from psvis.cli.main import load_settings

    with open_context(load_settings()) as ctx, ctx.session() as session:
        row = set_enabled(session, name=name, enabled=enabled, actor=cli_actor())
        typer.echo(f"storage root {row.name} (id {row.id}) {'enabled' if enabled else 'disabled'}")


def storage_enable(name: Annotated[str, typer.Argument(help="Name of the root.")]) -> None:
    """Enable a root (its identity check must pass); recorded in the ledger."""
    _set_enabled(name, enabled=True)


def storage_disable(name: Annotated[str, typer.Argument(help="Name of the root.")]) -> None:
    """Disable a root: no new recordings go there; recorded in the ledger."""
    _set_enabled(name, enabled=False)


def storage_set_path(
    name: Annotated[str, typer.Argument(help="Name of the root.")],
    path: Annotated[
        Path, typer.Argument(file_okay=False, help="Where the root's disk is mounted now.")
    ],
) -> None:
    """Change a root's path to where its disk is now mounted (the directory must hold
    the root's own identity file); recorded in the ledger."""
    from psvis.cli.context import open_context
    from psvis.cli.main import load_settings

    with open_context(load_settings()) as ctx, ctx.session() as session:
        row = set_path(session, name=name, path=path, actor=cli_actor())
        typer.echo(f"storage root {row.name} (id {row.id}) now at {row.path}")


def storage_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Every storage root with its identity check and free space."""
    from psvis.cli.context import open_context
    from psvis.cli.main import load_settings

    with open_context(load_settings()) as ctx, ctx.session() as session:
        rows = _all_rows(session)
        ok, refused = _checked(rows)
        free = {root_id: root.free_bytes() for root_id, root in ok.items()}
    if as_json:
        listing = [
            {
                "id": row.id,
                "name": row.name,
                "path": row.path,
                "enabled": row.enabled,
                "identity": row.identity,
                "reserve_bytes": row.reserve_bytes,
                "check": "ok" if row.id in ok else "refused",
                "problem": refused.get(row.id, ""),
                "free_bytes": free.get(row.id),
            }
            for row in rows
        ]
        typer.echo(json.dumps(listing, ensure_ascii=False, indent=1))
        return
    if not rows:
        typer.echo("no storage roots (psvis storage add NAME PATH)")
    for row in rows:
        state = "ok" if row.id in ok else f"REFUSED: {refused[row.id]}"
        free_text = _size(free[row.id]) if row.id in free else "-"
        typer.echo(
            f"{row.id:>3} {row.name:<16} {row.path}  "
            f"{'enabled' if row.enabled else 'disabled'}  free {free_text}  "
            f"reserve {_size(row.reserve_bytes)}  {state}"
        )


def storage_check() -> None:
    """Check every enabled root's identity file; exit 1 if any is refused."""
    from psvis.cli.context import open_context
    from psvis.cli.main import load_settings

    with open_context(load_settings()) as ctx, ctx.session() as session:
        rows = [r for r in _all_rows(session) if r.enabled]
        ok, refused = _checked(rows)
    for row in rows:
        if row.id in ok:
            typer.echo(f"ok       {row.name} {row.path}")
        else:
            typer.echo(f"REFUSED  {refused[row.id]}", err=True)
    if refused:
        raise typer.Exit(1)
    if not rows:
        typer.echo("no enabled storage roots")


def storage_forecast() -> None:
    """Art. 17(4) capacity forecast of every usable root; opens or resolves findings."""
    from psvis.cli.context import open_context
    from psvis.cli.main import load_settings

    with open_context(load_settings()) as ctx, ctx.session() as session:
        ok, refused = _checked([r for r in _all_rows(session) if r.enabled])
        forecasts = capacity.forecast(session, roots=ok, now=utcnow())
    for message in refused.values():
        typer.echo(f"skipped: {message}", err=True)
    for item in forecasts:
        verdict = "ok" if item.ok else "FINDING"
        typer.echo(
            f"{verdict:<8} {item.root_name}: {item.cameras} camera(s), "
            f"{_size(item.bytes_per_second * 86_400)}/day, free {_size(item.free_bytes)}, "
            f"reserve {_size(item.reserve_bytes)}"
            + (
                f"; window lost on {item.window_lost_at.date().isoformat()}"
                if item.window_lost_at
                else ""
            )
            + (f" [finding {item.finding_change}]" if item.finding_change != "none" else "")
        )
        if not item.ok:
            typer.echo(f"         {item.decision.reason}")


def retention_sweep(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be expired; delete nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Expire and delete segments past their retention window and not under legal hold.
    Refused roots are skipped (their segments wait); nothing in retention is deleted."""
    from psvis.cli.context import open_context
    from psvis.cli.main import load_settings

    with open_context(load_settings()) as ctx, ctx.session() as session:
        ok, refused = _checked([r for r in _all_rows(session) if r.enabled])
        report = retention.sweep(session, roots=ok, now=utcnow(), dry_run=dry_run)
    for message in refused.values():
        typer.echo(f"skipped: {message}", err=True)
    if as_json:
        payload = {
            "now": report.now.isoformat(),
            "dry_run": report.dry_run,
            "expired": [e.to_dict() for e in report.expired],
            "files_deleted": report.files_deleted,
            "bytes_freed": report.bytes_freed,
            "held": report.held,
            "leftovers_deleted": report.leftovers_deleted,
            "leftovers_found": report.leftovers_found,
            "missing_files": report.missing_files,
            "errors": report.errors,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        names = {root_id: root.name for root_id, root in ok.items()}
        verb = "would expire" if dry_run else "expired"
        for item in report.expired:
            typer.echo(
                f"{verb} camera {item.camera_id} seq {item.seq} "
                f"{names.get(item.storage_id, item.storage_id)}:{item.rel_path} "
                f"sha256 {item.sha256} ({item.retention_days} days, {item.retention_basis})"
            )
        typer.echo(
            f"{verb} {report.expired_count} segment(s); {report.files_deleted} file(s) deleted, "
            f"{_size(report.bytes_freed)} freed; {report.held} held by legal hold; "
            f"{report.leftovers_deleted} leftover(s) removed"
            + (f", {report.leftovers_found} leftover(s) found" if dry_run else "")
        )
        for missing in report.missing_files:
            typer.echo(f"warning: file already missing at expiry: {missing}", err=True)
    for error in report.errors:
        typer.echo(f"error: {error}", err=True)
    if report.errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach ``psvis storage …`` and ``psvis retention …`` to the ``psvis`` app."""
    from psvis.cli.main import clear_errors

    storage_app.command("add")(clear_errors(storage_add))
    storage_app.command("enable")(clear_errors(storage_enable))
    storage_app.command("disable")(clear_errors(storage_disable))
    storage_app.command("set-path")(clear_errors(storage_set_path))
    storage_app.command("list")(clear_errors(storage_list))
    storage_app.command("check")(clear_errors(storage_check))
    storage_app.command("forecast")(clear_errors(storage_forecast))
    retention_app.command("sweep")(clear_errors(retention_sweep))
    app.add_typer(storage_app, name="storage")
    app.add_typer(retention_app, name="retention")
