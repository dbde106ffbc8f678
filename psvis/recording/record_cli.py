"""``psvis record`` (the recorder service) and ``psvis recording verify``."""

from __future__ import annotations

import json
import signal
import threading
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    from psvis.cli.main import clear_errors, load_settings

    recording_app = typer.Typer(no_args_is_help=True, help="Recordings: invariant checks.")
    app.add_typer(recording_app, name="recording")

    @app.command("record")
    @clear_errors
    def record() -> None:
        """Run this node's recorders until SIGINT/SIGTERM (recovery pass first)."""
        from psvis.cli.context import open_context
        from psvis.recording.service import RecorderService

        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        signal.signal(signal.SIGINT, lambda *_: done.set())
        with open_context(load_settings()) as ctx:
            service = RecorderService(settings=ctx.settings, sessions=ctx.sessions, box=ctx.box)
            report = service.start()
            typer.echo(
                f"recording {len(service.recorders)} cameras on node {service.node}; recovery: "
                f"{len(report.recovered)} recovered, {len(report.quarantined)} quarantined, "
                f"{len(report.outages_opened)} outages opened",
                err=True,
            )
            done.wait()
            service.stop(reason="recorder service stopped (signal)")

    @recording_app.command("verify")
    @clear_errors
    def verify_command(
        deep: Annotated[bool, typer.Option("--deep", help="Re-hash every file.")] = False,
        allow_writing: Annotated[
            bool, typer.Option(help="Recorders are running: tolerate files being written.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Check the recording invariants (docs/design/recording.md); exit 1 on violations."""
        from psvis.cli.context import open_context
        from psvis.recording.storage import usable_roots
        from psvis.recording.verify import verify

        with open_context(load_settings()) as ctx, ctx.session() as session:
            found = verify(
                session, roots=usable_roots(session), deep=deep, allow_writing=allow_writing
            )
        if as_json:
            rows = [
                {"invariant": v.invariant, "camera_id": v.camera_id, "detail": v.detail}
                for v in found
            ]
            typer.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for v in found:
                typer.echo(f"{v.invariant} camera={v.camera_id}: {v.detail}")
            typer.echo(f"{len(found)} violations")
        if found:
            raise typer.Exit(1)
