"""``psvis health …``: the installation operator's health commands.

* ``health baseline CAMERA_ID`` captures the camera's baseline from its newest clean
  segment (at acceptance, or after a lawful change of view);
* ``health check [--json]`` runs one health cycle now: diagnoses every monitored
  camera, opens and closes tickets, files findings.

Exit status: 0 done, 2 refused (no clean segment) or could not run.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

health_app = typer.Typer(no_args_is_help=True, help="Camera health and fault tickets.")


def register(app: typer.Typer) -> None:
    app.add_typer(health_app, name="health")


@health_app.command("baseline")
def baseline(camera_id: int) -> None:
    """Capture CAMERA_ID's baseline from its newest clean segment."""
    from psvis.cli.context import open_context
    from psvis.cli.main import clear_errors, load_settings
    from psvis.health.diagnosis import capture_baseline

    @clear_errors
    def run() -> None:
        settings = load_settings()
        with open_context(settings) as ctx, ctx.session() as session:
            row = capture_baseline(session, camera_id=camera_id, thresholds=settings.vqd())
            session.commit()
            typer.echo(
                f"baseline {row.id} of camera {camera_id} from segment {row.segment_id} "
                f"(day: {row.has_day}, night: {row.has_night})"
            )

    run()


@health_app.command("check")
def check(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Run one health cycle now (every monitored camera is diagnosed)."""
    from psvis.cli.context import open_context
    from psvis.cli.main import clear_errors, load_settings
    from psvis.health.chore import run_cycle

    @clear_errors
    def run() -> None:
        settings = load_settings()
        with open_context(settings) as ctx, ctx.session() as session:
            summary = run_cycle(session, settings=settings, force=True)
        body = {
            "diagnosed": summary.diagnosed,
            "faulty": summary.faulty,
            "tickets_opened": summary.opened,
            "tickets_closed": summary.closed,
            "tickets_overdue": summary.overdue,
            "failed_cameras": summary.failed,
        }
        typer.echo(json.dumps(body) if as_json else "\n".join(f"{k}: {v}" for k, v in body.items()))

    run()
