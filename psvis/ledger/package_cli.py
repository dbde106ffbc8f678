"""``psvis export --camera …`` (an evidence package) and ``psvis verify-package``.

``psvis export`` already writes the registry (``--format xlsx|geojson``); the issue gives
the evidence package the same verb, so :func:`register` replaces that command with one
that takes both forms: with ``--camera`` it writes a package, without it it runs the
registry export unchanged (:func:`psvis.registry.cli.export_command`).

An evidence package made here is the **installation operator's** export at the server
console, outside any retrieval request: its manifest's custody slots stay null, and it
is logged as a ``custody`` ledger entry of act ``operator_export`` by ``cli:<login>``
(committed before the file appears under its name), so no export ever happens unlogged.
Officers export through the custody API, inside a two-officer execution session
(``POST /api/v1/custody/sessions/{id}/exports``, Art. 18-19).

``verify-package`` reads no settings, database or data directory: it runs in an empty
directory on another machine with the package and the public key. Exit status 0 when
every check holds, 1 when one fails, 2 when it could not run (unreadable key, usage).
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from psvis.registry.cli import ExportFormat

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from psvis.ledger.package import PackageSummary

CAMERA_HELP = "Camera id: write an evidence package of its recording (a zip)."
TIME_HELP = "ISO 8601 with a UTC offset, e.g. 2026-01-05T10:00:00+08:00 or …Z."


def export_command(
    out: Annotated[Path, typer.Option("--out", help="File to write.", dir_okay=False)],
    camera: Annotated[int | None, typer.Option("--camera", help=CAMERA_HELP)] = None,
    start: Annotated[
        str | None, typer.Option("--from", help=f"Package: start of the range. {TIME_HELP}")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help=f"Package: end of the range (excluded). {TIME_HELP}")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Package: replace an existing output file.")
    ] = False,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="Registry export: xlsx (default) or geojson."),
    ] = None,
    sites: Annotated[
        bool, typer.Option("--sites", help="Registry GeoJSON: include sites as points too.")
    ] = False,
) -> None:
    """Export the registry (--format xlsx|geojson), or with --camera ID --from T --to T an
    evidence package: the original segments, a viewing MP4, a signed manifest and ledger
    proofs, verifiable offline with `psvis verify-package`.

    A package made here is the installation operator's export, outside any retrieval
    request (officers export inside an execution session, through the custody API); it
    is logged on the ledger as custody act operator_export by cli:<your login>."""
    from psvis.core.errors import InvalidInput

    if camera is None:
        if start is not None or end is not None or force:
            raise InvalidInput("--from, --to and --force make an evidence package: add --camera")
        from psvis.registry.cli import export_command as registry_export

        registry_export(out=out, fmt=fmt or ExportFormat.XLSX, sites=sites)
        return
    if fmt is not None or sites:
        raise InvalidInput("--format and --sites are for registry exports, not --camera")
    if start is None or end is None:
        raise InvalidInput("an evidence package needs --from and --to")
    _export_package(camera=camera, start=start, end=end, out=out, force=force)


def _export_package(*, camera: int, start: str, end: str, out: Path, force: bool) -> None:
    from psvis.cli.context import open_context
    from psvis.cli.main import load_settings
    from psvis.core.errors import Conflict
    from psvis.ledger.config_changes import cli_actor
    from psvis.ledger.entries import stamp
    from psvis.ledger.keys import SigningKey, public_path
    from psvis.ledger.package import MAX_PACKAGE_SPAN, build_package
    from psvis.recording.playback import check_range, parse_time

    begin, finish = parse_time("--from", start), parse_time("--to", end)
    check_range(begin, finish, max_span=MAX_PACKAGE_SPAN)
    if out.exists() and not force:
        raise Conflict(f"{out} exists; use --force to replace it")
    out = out.absolute()
    # Written under a hidden name, logged and committed, then renamed into place: the
    # package never appears without its ledger entry.
    staged = out.with_name(f".{out.name}.{uuid.uuid4().hex[:12]}.partial")
    actor = cli_actor()
    try:
        with open_context(load_settings()) as ctx, ctx.session() as session:
            key = SigningKey.load_or_create(ctx.settings.data_dir)
            summary = build_package(
                session,
                settings=ctx.settings,
                camera_id=camera,
                start=begin,
                end=finish,
                out=staged,
                key=key,
            )
            _log_operator_export(session, summary=summary, actor=actor)
            session.commit()
            key_file = public_path(ctx.settings.data_dir)
        if out.exists() and not force:
            raise Conflict(f"{out} appeared while the package was written; not replaced")
        os.replace(staged, out)
    finally:
        staged.unlink(missing_ok=True)
    summary = dataclasses.replace(summary, path=out)
    typer.echo(f"wrote evidence package {summary.path} ({summary.package_bytes} bytes)")
    typer.echo(f"  camera     {summary.camera_id} {summary.gb_id} {summary.camera_name}")
    typer.echo(f"  range      {stamp(summary.start)} – {stamp(summary.end)}")
    typer.echo(
        f"  segments   {summary.segments} (seq {summary.first_seq}–{summary.last_seq}, "
        f"{summary.segment_bytes} bytes); view.mp4 {summary.view_bytes} bytes"
    )
    typer.echo(
        f"  checkpoint tree size {summary.tree_size}, root {summary.root_hex[:16]}…, "
        f"{summary.cosignatures} witness cosignature(s)"
    )
    typer.echo(f"  key        {summary.key_fingerprint}")
    typer.echo(f"  sha256     {summary.sha256}")
    typer.echo(
        "  custody    none: the installation operator's export, outside any retrieval "
        f"request; logged on the ledger as operator_export by {actor}"
    )
    typer.echo(f"verify with: psvis verify-package {summary.path.name} --public-key {key_file}")


def _log_operator_export(session: Session, *, summary: PackageSummary, actor: str) -> None:
    """Queue the ``operator_export`` custody entry (committed by the caller before the
    package is renamed into place)."""
    from psvis.core.timeutil import utcnow
    from psvis.custody import acts

    acts.log(
        session,
        acts.Act.OPERATOR_EXPORT,
        at=utcnow(),
        actor=actor,
        kind="package",
        camera=summary.camera_id,
        start=summary.start,
        end=summary.end,
        package_id=summary.package_id,
        sha256=summary.sha256,
        size=summary.package_bytes,
        segments=len(summary.segment_ids),
        seqs=[summary.first_seq, summary.last_seq],
    )


def verify_package_command(
    package: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="The package (zip)."),
    ],
    public_key: Annotated[
        Path,
        typer.Option(
            "--public-key",
            help="The log's Ed25519 public key (PEM), obtained from the archive's owner.",
        ),
    ],
    witness_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--witness-key", help="A witness's public key (PEM) whose cosignature you require."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify an evidence package offline: every byte, the signatures, the ledger proofs.
    Exit 0 when every check holds, 1 when one fails."""
    from psvis.ledger.keys import PublicKey
    from psvis.ledger.verify_package import verify_package

    key = PublicKey.read(public_key)
    witnesses = [PublicKey.read(path) for path in witness_key or ()]
    report = verify_package(package, key, witness_keys=witnesses)
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
    else:
        summary = report.summary()
        if summary:
            camera = summary["camera"]
            # Until every check holds, the manifest's description is only a claim.
            label = "package" if report.ok else "UNVERIFIED claim: package"
            typer.echo(
                f"{label} {summary['package_id']}: camera {camera['gb_id']} {camera['name']}, "
                f"{summary['range']['from']} – {summary['range']['to']}, "
                f"{summary['segments']} segments"
            )
            custody = summary["custody"]
            if custody is None:
                typer.echo(
                    "  custody: none recorded (an export by the installation's operator, "
                    "not under a retrieval request)"
                )
            else:
                typer.echo(
                    f"  custody: request {custody['request']}, approval document "
                    f"{custody['document_number']}, officers "
                    + " and ".join(f"{o['name']} ({o['work_id']})" for o in custody["officers"])
                )
        for check in report.checks:
            typer.echo(f"{'✓' if check.ok else '✗'} {check.name}: {check.detail}")
        failed = report.failed()
        if report.ok:
            typer.echo(f"VERIFIED: all {len(report.checks)} checks hold")
        else:
            typer.echo(f"NOT VERIFIED: {len(failed)} of {len(report.checks)} checks fail")
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach ``export`` (replacing the registry-only one) and ``verify-package``."""
    from psvis.cli.main import clear_errors

    app.registered_commands[:] = [c for c in app.registered_commands if c.name != "export"]
    app.command("export")(clear_errors(export_command))
    app.command("verify-package")(clear_errors(verify_package_command))
