"""Benchmark the compliance check at city scale, on SQLite and on PostgreSQL.

    .venv/bin/python bench/compliance.py [--sites 20000] [--cameras 100000]

For each backend: a fresh database (SQLite in a temporary data dir; PostgreSQL in a
private schema of postgresql+psycopg://postgres@127.0.0.1:5432/test, dropped at the end)
migrated by :func:`psvis.cli.context.initialise`, filled by :mod:`bench.synthetic`, then
``run_check`` is timed twice: the first run inserts every finding, the second is the
steady state (nothing new). The baseline is the bare fact-loading SELECTs the check
issues, run on the same data; the ratio check / baseline says how much the check adds to
just reading its facts. Target: the full check under 2 s. When a run misses it (or with
``--profile``) the check is profiled phase by phase and by function.

At the end the registry import benchmark (``bench/registry_import.py``, ``run(url,
rows)``) runs on a fresh database of each backend, if that module exists.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Executable, select, text
from sqlalchemy.orm import Session

from psvis.compliance.engine import evaluate
from psvis.compliance.models import Finding
from psvis.compliance.rules import FINDING_RULES
from psvis.compliance.service import CheckSummary, run_check
from psvis.core.db import make_engine
from psvis.registry.enums import MANDATORY_CATEGORIES, PRIVACY_CATEGORIES
from psvis.registry.models import Camera, Site, System

# ``bench`` is a directory of scripts, not a package: run as ``python bench/compliance.py``
# its siblings import by their own names.
from bench_databases import postgres_database, sqlite_database  # isort: skip
from synthetic import generate  # isort: skip

TARGET_SECONDS = 2.0


DATABASES: dict[str, Callable[[], Any]] = {
    "sqlite": sqlite_database,
    "postgresql": postgres_database,
}


def fact_queries() -> list[Executable]:
    """The SELECTs the compliance engine reads its facts with (psvis.compliance.engine),
    restated here so the baseline does not run any of the check's own code."""
    return [
        select(
            System.id,
            System.site_id,
            System.state,
            System.in_operation,
            System.signage_present,
            System.commissioned_on,
            System.acceptance_result,
            System.acceptance_date,
            System.filing_date,
            System.removal_notice_date,
            System.planned_removal_date,
            System.removed_on,
            System.observed_retention_days,
            System.jurisdiction_code,
            System.user_unit_id,
        ),
        select(Camera.system_id, Camera.role).where(Camera.enabled.is_(True)).distinct(),
        select(Site.id, Site.category, Site.jurisdiction_code, Site.responsible_unit_id).where(
            Site.category.in_(MANDATORY_CATEGORIES)
        ),
        select(Camera.id, Camera.gb_id, Site.category, Camera.jurisdiction_code)
        .join(System, Camera.system_id == System.id)
        .join(Site, System.site_id == Site.id)
        .where(Site.category.in_(PRIVACY_CATEGORIES)),
    ]


def findings_query() -> Executable:
    return select(
        Finding.id,
        Finding.rule,
        Finding.subject_type,
        Finding.subject_id,
        Finding.status,
        Finding.evidence,
        Finding.reason,
    ).where(Finding.rule.in_(FINDING_RULES))


def best_of(runs: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def read_all(engine: Engine, queries: list[Executable]) -> Callable[[], int]:
    def run() -> int:
        rows = 0
        with Session(engine) as session:
            for query in queries:
                rows += len(session.execute(query).all())
        return rows

    return run


@dataclass(frozen=True, slots=True)
class CheckRun:
    seconds: float
    summary: CheckSummary


def timed_check(engine: Engine) -> CheckRun:
    """One run_check in its own session, committed: what ``psvis compliance check`` does."""
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        summary = run_check(session)
        session.commit()
        return CheckRun(time.perf_counter() - started, summary)


def phases(engine: Engine) -> dict[str, float]:
    """Where a steady-state check spends its time, measured from outside the check."""
    out: dict[str, float] = {}
    with Session(engine) as session:
        started = time.perf_counter()
        violations = list(evaluate(session))
        out["evaluate (fact SELECTs + pure rules)"] = time.perf_counter() - started
        started = time.perf_counter()
        existing = session.execute(findings_query()).all()
        out["read existing findings"] = time.perf_counter() - started
        out["violations"] = float(len(violations))
        out["existing findings"] = float(len(existing))
    out["fact SELECTs only"] = best_of(1, read_all(engine, fact_queries()))
    return out


def profile_check(engine: Engine, top: int = 18) -> str:
    profiler = cProfile.Profile()
    with Session(engine) as session:
        profiler.enable()
        run_check(session)
        session.commit()
        profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def bench_backend(name: str, url: str, *, sites: int, cameras: int, profile: bool) -> bool:
    """Fill, baseline, check twice; True when every check run met the target."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            made = generate(connection, sites=sites, cameras=cameras)
        print(
            f"[{name}] generated {made.units:,} units, {made.sites:,} sites, "
            f"{made.systems:,} systems, {made.cameras:,} cameras in {made.seconds:.1f} s"
        )
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        baseline = best_of(3, read_all(engine, fact_queries()))
        first = timed_check(engine)
        second = timed_check(engine)
        third = timed_check(engine)
        steady = min(second.seconds, third.seconds)
        findings = best_of(3, read_all(engine, [findings_query()]))
        s1, s2 = first.summary, second.summary
        print(f"[{name}] baseline: fact-loading SELECTs {baseline:.3f} s (best of 3)")
        print(
            f"[{name}] run_check #1 (inserts findings): {first.seconds:.3f} s — "
            f"opened {s1.opened:,}, open {s1.open_total:,}"
        )
        print(
            f"[{name}] run_check #2/#3 (steady state):  {second.seconds:.3f} s / "
            f"{third.seconds:.3f} s — opened {s2.opened}, resolved {s2.resolved}, "
            f"still open {s2.still_open:,}"
        )
        print(
            f"[{name}] ratio check/baseline: first {first.seconds / baseline:.1f}x, "
            f"steady {steady / baseline:.1f}x; reading the findings table alone {findings:.3f} s"
        )
        ok = max(first.seconds, steady) < TARGET_SECONDS
        print(f"[{name}] target < {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}")
        if profile or not ok:
            for label, value in phases(engine).items():
                shown = (
                    f"{value:,.0f}"
                    if label in ("violations", "existing findings")
                    else (f"{value:.3f} s")
                )
                print(f"[{name}]   phase {label}: {shown}")
            print(profile_check(engine))
        return ok
    finally:
        engine.dispose()


IMPORT_MODULE = "bench.registry_import"


def import_benchmark_available() -> bool:
    root = str(Path(__file__).resolve().parents[1])  # where ``bench/`` lives
    if root not in sys.path:
        sys.path.append(root)
    try:
        return importlib.util.find_spec(IMPORT_MODULE) is not None
    except ModuleNotFoundError:
        return False


def bench_import(name: str, database: Callable[[], Any], rows: int) -> None:
    """``bench.registry_import.run(url, rows)`` on a fresh, migrated database."""
    registry_import = importlib.import_module(IMPORT_MODULE)
    with database() as url:
        started = time.perf_counter()
        result = registry_import.run(url, rows=rows)
        print(f"[{name}] import benchmark ({rows:,} rows, {time.perf_counter() - started:.1f} s):")
        for key, value in dict(result).items():
            print(f"[{name}]   {key}: {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sites", type=int, default=20_000)
    parser.add_argument("--cameras", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--profile", action="store_true", help="Always profile the check.")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - set(DATABASES)
    if unknown:
        parser.error(f"unknown backends {sorted(unknown)}; choose from {sorted(DATABASES)}")
    all_ok = True
    for name in backends:
        try:
            with DATABASES[name]() as url:
                all_ok &= bench_backend(
                    name, url, sites=args.sites, cameras=args.cameras, profile=args.profile
                )
        except Exception as exc:  # a missing server skips that backend, loudly
            if name == "postgresql" and "connect" in str(exc).lower():
                print(f"[{name}] skipped: {exc.__class__.__name__}: {exc}"[:300])
                continue
            raise
    if not args.skip_import:
        if not import_benchmark_available():
            print("import benchmark: bench/registry_import.py not available")
        else:
            for name in backends:
                bench_import(name, DATABASES[name], args.import_rows)
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
