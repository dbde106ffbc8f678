"""``psvis audit``: the archive audit from the command line (exit 0 clean, 1 findings)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from psvis.core.errors import PsvisError


def _parse_since(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 time: {text!r}") from exc
    if moment.tzinfo is None:
        raise typer.BadParameter("give the time with its offset (e.g. 2026-11-01T00:00+08:00)")
    return moment.astimezone(dt.UTC)


def register(app: typer.Typer) -> None:
    @app.command("audit")
    def audit_command(
        camera: Annotated[int | None, typer.Option(help="Audit one camera only.")] = None,
        since: Annotated[
            str | None, typer.Option(help="Only segments ending at or after this time.")
        ] = None,
        deep: Annotated[
            bool, typer.Option("--deep", help="Hash every file (SHA-256) against its entry.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
        witness_url: Annotated[
            str | None, typer.Option(help="Witness to ask (default: settings.witness_url).")
        ] = None,
        witness_key: Annotated[
            Path | None,
            typer.Option(help="The witness's public key (default: settings.witness_public_keys)."),
        ] = None,
    ) -> None:
        """Audit the archive: ledger ↔ index ↔ files, continuity, expiry, checkpoints
        (Art. 20(3)). Findings are filed as compliance findings."""
        from tqdm import tqdm

        from psvis.cli.context import open_context
        from psvis.cli.main import load_settings
        from psvis.core.timeutil import utcnow
        from psvis.ledger.audit import file_findings, run_audit, save_run
        from psvis.ledger.witness_view import witness_checkpoint
        from psvis.recording.storage import usable_roots

        settings = load_settings()
        moment = _parse_since(since)
        try:
            with open_context(settings) as ctx, ctx.session() as session:
                roots = {root.id: root for root in usable_roots(session)}
                witness = witness_checkpoint(
                    session,
                    settings=settings,
                    url=witness_url,
                    key_path=witness_key,
                )
                bar = tqdm(
                    unit="B",
                    unit_scale=True,
                    desc="deep audit",
                    disable=not deep or as_json,
                    leave=False,
                )

                def progress(done: int) -> None:
                    bar.update(done)

                report = run_audit(
                    session,
                    roots=roots,
                    data_dir=settings.data_dir,
                    deep=deep,
                    camera_id=camera,
                    since=moment,
                    witness=witness,
                    progress=progress,
                )
                bar.close()
                save_run(session, report)
                file_findings(session, report, now=utcnow())
                session.commit()
        except PsvisError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
        if as_json:
            typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        else:
            typer.echo(
                f"audited {report.segments_checked} segments, {report.files_checked} files, "
                f"{report.tree_size} leaves ({report.queued_entries} queued), "
                f"{report.checkpoints_checked} checkpoints; witness: {report.witness}"
                + (f"; {report.bytes_hashed} bytes hashed" if deep else "")
            )
            for finding in report.findings:
                typer.echo(f"  {finding.kind}: {finding.detail}")
            typer.echo("clean" if report.ok else f"{len(report.findings)} finding(s)")
        raise typer.Exit(0 if report.ok else 1)
