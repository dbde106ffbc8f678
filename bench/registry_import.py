"""Benchmark: import a city's registry of 100,000 cameras from one XLSX (target < 60 s).

Writes a synthetic workbook (openpyxl write-only) with the units, sites and systems the
cameras need, times reading it with openpyxl alone (the floor any import pays), then
times the full import: read, check every row, write, commit.

    .venv/bin/python bench/registry_import.py            # SQLite, and PostgreSQL if up
    .venv/bin/python bench/registry_import.py --rows 20000

``run(url, rows)`` is the entry point other benchmarks use to fill a database; it expects
a database without these synthetic rows (a fresh one) and migrates it first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy.exc import OperationalError

from psvis.cli.context import initialise, operator_principal
from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory, session_scope
from psvis.core.secrets import SecretBox
from psvis.registry.codes import credit_check_character, make_gb_id
from psvis.registry.file_columns import export_columns
from psvis.registry.importer import import_file

# ``bench`` is a folder of scripts: siblings import by their own names.
from bench_databases import postgres_database, sqlite_database  # isort: skip

DISTRICTS = ("360102", "360103", "360104", "360111", "360112", "360113", "360121", "360123")
CAMERAS_PER_SYSTEM = 20
CAMERAS_PER_UNIT = 100


def _credit_code(division: str, n: int) -> str:
    first17 = f"91{division}MA{n:07d}"
    return first17 + credit_check_character(first17)


SYSTEM_FACTS = {
    "investment": "non_government",
    "signage_present": True,
    "retention_days": 30,
    "state": "accepted",
    "in_operation": True,
    "commissioned_on": dt.date(2024, 5, 2),
    "acceptance_police_participant": "张警官",
    "acceptance_date": dt.date(2024, 5, 1),
    "acceptance_result": "passed",
}


def _sheet(book: Workbook, kind: str, header: list[str]) -> Callable[[dict[str, Any]], None]:
    """A write-only sheet; returns a function appending one row given as a dict."""
    sheet = book.create_sheet(kind)
    sheet.append(header)
    return lambda row: sheet.append([row.get(c) for c in header])


def write_workbook(path: Path, rows: int) -> dict[str, int]:
    """The synthetic registry: ``rows`` cameras, one system and site per 20 cameras, one
    unit per 100. Every camera has credentials in its URL (encrypted on import)."""
    book = Workbook(write_only=True)
    n_units = max(1, rows // CAMERAS_PER_UNIT)
    n_systems = max(1, rows // CAMERAS_PER_SYSTEM)
    add_unit = _sheet(book, "units", list(export_columns("units")))
    codes = []
    for n in range(n_units):
        division = DISTRICTS[n % len(DISTRICTS)]
        codes.append(_credit_code(division, n))
        add_unit(
            {
                "name": f"单位{n}",
                "credit_code": codes[-1],
                "kind": "non_government",
                "jurisdiction_code": division,
            }
        )
    add_site = _sheet(book, "sites", list(export_columns("sites")))
    add_system = _sheet(book, "systems", list(export_columns("systems")))
    for n in range(n_systems):
        code = codes[n % n_units]
        division = DISTRICTS[(n % n_units) % len(DISTRICTS)]
        lat, lon = 28.6 + (n % 100) * 0.001, 115.8 + (n // 100) * 0.001
        add_site(
            {
                "ref": f"S{n}",
                "name": f"场所{n}",
                "lat": lat,
                "lon": lon,
                "category": "art8_7",
                "responsible_unit_credit_code": code,
                "jurisdiction_code": division,
            }
        )
        add_system(
            {
                "ref": f"SYS{n}",
                "name": f"系统{n}",
                "site_ref": f"S{n}",
                "builder_unit_credit_code": code,
                "user_unit_credit_code": code,
                "maintainer_unit_credit_code": code,
                **SYSTEM_FACTS,
            }
        )
    add_camera = _sheet(book, "cameras", list(export_columns("cameras")))
    for n in range(rows):
        system = n // CAMERAS_PER_SYSTEM % n_systems
        division = DISTRICTS[(system % n_units) % len(DISTRICTS)]
        host = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        add_camera(
            {
                "gb_id": make_gb_id(division=division, type_code="132", serial=n),
                "name": f"摄像机{n}",
                "system_ref": f"SYS{system}",
                "lat": 28.6,
                "lon": 115.8,
                "azimuth_deg": n % 360,
                "role": "entrance",
                "stream_url": f"rtsp://admin:pw{n}@{host}:554/ch1",
            }
        )
    book.save(path)
    return {"units": n_units, "sites": n_systems, "systems": n_systems, "cameras": rows}


def read_baseline(path: Path) -> float:
    """Seconds openpyxl alone needs to read every cell (read-only mode)."""
    started = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    for sheet in book.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    book.close()
    return time.perf_counter() - started


def run(url: str, rows: int = 100_000) -> dict[str, Any]:
    """Import ``rows`` synthetic cameras (and what they need) into the database at ``url``.

    Returns the timings: ``import_s`` (read + check + write + commit), ``read_s`` (openpyxl
    alone), ``rows_per_s`` (camera rows per second of import) and ``ratio``
    (import / read)."""
    with tempfile.TemporaryDirectory(prefix="psvis-bench-") as tmp:
        workdir = Path(tmp)
        path = workdir / "registry.xlsx"
        started = time.perf_counter()
        counts = write_workbook(path, rows)
        write_s = time.perf_counter() - started
        read_s = read_baseline(path)
        settings = Settings(data_dir=workdir / "data", database_url=url)
        initialise(settings)
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            with session_scope(make_session_factory(engine)) as session:
                report = import_file(
                    session,
                    principal=operator_principal(session),
                    path_or_bytes=path,
                    box=SecretBox.from_data_dir(settings.data_dir),
                    camera_type_codes=settings.camera_type_codes,
                )
                if not report.ok:
                    lines = [e.line() for e in report.errors[:5]]
                    raise RuntimeError(f"{report.error_count} import errors: {lines}")
            import_s = time.perf_counter() - started
        finally:
            engine.dispose()
        return {
            "rows": rows,
            "counts": counts,
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "write_s": round(write_s, 2),
            "read_s": round(read_s, 2),
            "import_s": round(import_s, 2),
            "rows_per_s": round(rows / import_s),
            "ratio": round(import_s / read_s, 2),
        }


def _show(backend: str, result: dict[str, Any]) -> None:
    print(
        f"{backend:<10} {result['rows']:,} camera rows ({result['file_mb']} MB): "
        f"import {result['import_s']:.1f} s = {result['rows_per_s']:,} rows/s; "
        f"openpyxl read alone {result['read_s']:.1f} s; import/read {result['ratio']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with sqlite_database() as url:
        _show("sqlite", run(url, args.rows))
    try:
        with postgres_database() as url:
            _show("postgresql", run(url, args.rows))
    except OperationalError as exc:  # no server here: say so, don't fail the SQLite figure
        print(f"PostgreSQL skipped: {exc.__class__.__name__}: {exc}"[:200])


if __name__ == "__main__":
    main()
