"""``psvis import`` and ``psvis export``: the registry's files from the server's console.

Both act as the installation operator (:func:`psvis.cli.context.operator_principal`).
An import with any problem prints every one as ``sheet:row:column: message`` on stderr,
writes nothing and exits 1, so a script can tell "fix the file" (1) from "could not run"
(2, configuration or database).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from psvis.registry.file_columns import Kind


class KindOption(StrEnum):
    UNITS = "units"
    SITES = "sites"
    SYSTEMS = "systems"
    CAMERAS = "cameras"


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    GEOJSON = "geojson"


def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or XLSX.")
    ],
    kind: Annotated[
        KindOption | None,
        typer.Option(help="What a CSV holds (default: from its name, e.g. cameras.csv)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; write nothing.")] = False,
    legacy_survey: Annotated[
        bool,
        typer.Option(
            "--legacy-survey",
            help="Existing installations recorded as found: cameras at Art. 9 privacy sites "
            "are admitted (and become findings) instead of refused.",
        ),
    ] = False,
) -> None:
    """Import units, sites, systems and cameras; all rows are checked, then all or none
    are written."""
    from psvis.cli.context import open_context, operator_principal
    from psvis.cli.main import load_settings
    from psvis.registry.importer import import_file

    chosen: Kind | None = kind.value if kind is not None else None
    with (
        open_context(load_settings()) as ctx,
        ctx.session() as session,
        # disable=None: no bar when stderr is not a terminal (scripts, logs)
        tqdm(file=sys.stderr, unit="rows", leave=False, mininterval=0.5, disable=None) as bar,
    ):
        report = import_file(
            session,
            principal=operator_principal(session),
            path_or_bytes=file,
            kind=chosen,
            legacy_survey=legacy_survey,
            dry_run=dry_run,
            box=ctx.box,
            camera_type_codes=ctx.settings.camera_type_codes,
            progress=bar,
        )
    counts = ", ".join(f"{n} {k}" for k, n in report.counts.items()) or "no rows"
    if not report.ok:
        for issue in report.errors:
            typer.echo(issue.line(), err=True)
        listed = len(report.errors)
        more = (
            f" ({report.error_count - listed} more not listed)"
            if listed < report.error_count
            else ""
        )
        typer.echo(
            f"{report.error_count} error(s){more}; nothing imported ({counts} read)", err=True
        )
        raise typer.Exit(1)
    verb = "checked (dry run, nothing written)" if dry_run else "imported"
    typer.echo(f"{verb}: {counts}" + (" [legacy survey]" if legacy_survey else ""))


def export_command(
    out: Annotated[Path, typer.Option("--out", help="File to write.", dir_okay=False)],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="xlsx or geojson.")] = (
        ExportFormat.XLSX
    ),
    sites: Annotated[
        bool, typer.Option("--sites", help="GeoJSON: include sites as points too.")
    ] = False,
) -> None:
    """Export the registry: XLSX in the import format (no passwords), or GeoJSON."""
    from psvis.cli.context import open_context, operator_principal
    from psvis.cli.main import load_settings
    from psvis.registry.exporter import export_geojson, export_xlsx

    with open_context(load_settings()) as ctx, ctx.session() as session:
        principal = operator_principal(session)
        if fmt is ExportFormat.XLSX:
            counts = export_xlsx(session, principal=principal, out=out)
            summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        else:
            collection = export_geojson(session, principal=principal, include_sites=sites)
            out.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
            summary = f"{len(collection['features'])} features"
    typer.echo(f"exported {summary} to {out}")


def register(app: typer.Typer) -> None:
    """Attach the registry's file commands to the ``psvis`` app (errors shown the same
    way as every other command's)."""
    from psvis.cli.main import clear_errors

    app.command("import")(clear_errors(import_command))
    app.command("export")(clear_errors(export_command))
