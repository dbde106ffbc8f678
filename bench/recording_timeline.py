"""Benchmark a camera's day timeline over a month of index (target < 20 ms).

    .venv/bin/python bench/recording_timeline.py                 # SQLite
    .venv/bin/python bench/recording_timeline.py --postgres      # and PostgreSQL
    .venv/bin/python bench/recording_timeline.py --cameras 10 --days 3   # a quick run

A fresh database (SQLite in a temporary data dir; PostgreSQL in a private schema of
postgresql+psycopg://postgres@127.0.0.1:5432/test, dropped at the end) holds ``cameras``
cameras (``bench/synthetic.py``) × ``days`` days of 60 s segments — 100 × 30 × 1440 is
about 4.3 million rows — bulk-inserted at the driver level (``executemany`` in chunks on
SQLite, ``COPY`` on PostgreSQL). Each camera-day has a 5-minute outage (with a row) and a
2-minute unexplained gap, so the timeline has all three kinds of interval.

Then :func:`psvis.recording.timeline.day_timeline` is timed for ``queries`` random
camera-days (median and p99), against the baseline of the bare SELECT of the same
camera-day's segment rows through the driver. The query plan is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from psvis.core.db import make_engine, make_session_factory
from psvis.core.timeutil import CHINA_TZ, today_china
from psvis.recording.models import Outage, Segment
from psvis.recording.storage import create_root
from psvis.recording.timeline import day_bounds, day_timeline, segment_query
from psvis.registry.models import Camera

# ``bench`` is a directory of scripts, not a package: siblings import by their own names.
from bench_databases import postgres_database, sqlite_database  # isort: skip
from synthetic import generate  # isort: skip

TARGET_MS = 20.0
SEGMENT_S = 60
CHUNK = 50_000
#: Minutes of each day (China time) without segments: an outage row covers the first.
OUTAGE_MINUTES = range(600, 605)
GAP_MINUTES = range(900, 902)
COLUMNS = (
    "camera_id, seq, storage_id, rel_path, start_at, end_at, media_duration_ms, "
    "clock_delta_ms, size_bytes, sha256, keyframes, codec, width, height, state, sealed_at, "
    "node"
)
SHA = "ab" * 32


def _stamp(value: dt.datetime, *, sqlite: bool) -> str:
    # SQLite: SQLAlchemy's DATETIME storage format (UTC, no zone; see check_format).
    if sqlite:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def check_format(engine: Engine) -> None:
    """The text the bulk insert writes must be what SQLAlchemy binds (SQLite compares
    datetimes as text): bind one value through the column type and compare."""
    if engine.dialect.name != "sqlite":
        return
    value = dt.datetime(2025, 3, 1, 2, 3, 4, 56, tzinfo=dt.UTC)
    processor = Segment.__table__.c.start_at.type.dialect_impl(engine.dialect).bind_processor(
        engine.dialect
    )
    bound = processor(value) if processor else value
    assert bound == _stamp(value, sqlite=True), (bound, _stamp(value, sqlite=True))


def segment_rows(
    camera_ids: list[int], storage_id: int, days: list[dt.date], *, sqlite: bool
) -> Iterator[tuple[Any, ...]]:
    skip = set(OUTAGE_MINUTES) | set(GAP_MINUTES)
    sealed = _stamp(dt.datetime.now(dt.UTC), sqlite=sqlite)
    rng = random.Random(3)
    for camera_id in camera_ids:
        seq = 0
        previous_end: dt.datetime | None = None
        for day in days:
            start, _ = day_bounds(day)
            for minute in range(1440):
                if minute in skip:
                    continue
                seq += 1
                # As recorded: each segment lasts 60 s give or take a few frames' worth of
                # milliseconds, so consecutive segments leave holes of a few ms (never an
                # overlap: the sealer clamps, S5).
                begin = start + dt.timedelta(minutes=minute)
                if previous_end is not None and begin < previous_end:
                    begin = previous_end
                end = begin + dt.timedelta(milliseconds=SEGMENT_S * 1000 - rng.randint(0, 40))
                previous_end = end
                name = begin.strftime("%Y%m%dT%H%M%SZ")
                yield (
                    camera_id,
                    seq,
                    storage_id,
                    f"{camera_id}/{begin.date().isoformat()}/{name}.ts",
                    _stamp(begin, sqlite=sqlite),
                    _stamp(end, sqlite=sqlite),
                    int((end - begin).total_seconds() * 1000),
                    0,
                    1_500_000,
                    SHA,
                    30,
                    "h264",
                    1920,
                    1080,
                    "sealed",
                    sealed,
                    "bench",
                )


def outage_rows(camera_ids: list[int], days: list[dt.date]) -> list[dict[str, Any]]:
    rows = []
    for camera_id in camera_ids:
        for day in days:
            start, _ = day_bounds(day)
            rows.append(
                {
                    "camera_id": camera_id,
                    "start_at": start + dt.timedelta(minutes=OUTAGE_MINUTES.start),
                    "end_at": start + dt.timedelta(minutes=OUTAGE_MINUTES.stop),
                    "cause": "camera_unreachable",
                    "detail": "bench",
                    "node": "bench",
                }
            )
    return rows


def fill(engine: Engine, *, cameras: int, days: int, data_dir: Path) -> tuple[list[int], int]:
    """Cameras, a storage root, segments and outages; returns camera ids and row count."""
    with engine.begin() as connection:
        generate(connection, sites=max(1, cameras // 2), cameras=cameras)
    sessions = make_session_factory(engine)
    with sessions() as session:
        camera_ids = sorted(session.scalars(select(Camera.id)))[:cameras]
        root = create_root(
            session, name=f"bench-{uuid.uuid4().hex[:6]}", path=data_dir, reserve_bytes=0
        )
        storage_id = root.id
        session.commit()
    last = today_china() - dt.timedelta(days=1)
    day_list = [last - dt.timedelta(days=n) for n in range(days)][::-1]
    sqlite = engine.dialect.name == "sqlite"
    check_format(engine)
    count = 0
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        rows = segment_rows(camera_ids, storage_id, day_list, sqlite=sqlite)
        if sqlite:
            marks = ", ".join("?" * len(COLUMNS.split(",")))
            sql = f"INSERT INTO segment ({COLUMNS}) VALUES ({marks})"  # noqa: S608 - constants
            chunk: list[tuple[Any, ...]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == CHUNK:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk.clear()
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
        else:
            with cursor.copy(f"COPY segment ({COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as connection:
        connection.execute(insert(Outage), outage_rows(camera_ids, day_list))
        connection.execute(text("ANALYZE"))
    seconds = time.perf_counter() - started
    print(f"  inserted {count:,} segments in {seconds:.1f} s ({count / seconds:,.0f} rows/s)")
    return camera_ids, count


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(
    samples: list[tuple[int, dt.date]], action: Callable[[int, dt.date], object]
) -> list[float]:
    times = []
    for camera_id, day in samples:
        started = time.perf_counter()
        action(camera_id, day)
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench(url: str, *, cameras: int, days: int, queries: int, label: str) -> bool:
    print(f"{label}: {cameras} cameras × {days} days of {SEGMENT_S} s segments")
    engine = make_engine(url)
    try:
        with tempfile.TemporaryDirectory(prefix="psvis-bench-root-") as tmp:
            camera_ids, _count = fill(engine, cameras=cameras, days=days, data_dir=Path(tmp))
        last = today_china() - dt.timedelta(days=1)
        rng = random.Random(7)
        samples = [
            (rng.choice(camera_ids), last - dt.timedelta(days=rng.randrange(days)))
            for _ in range(queries)
        ]
        sessions = make_session_factory(engine)
        with sessions() as session:
            explain(session, camera_ids[0], last)
            bare = bare_select(session)
            result = day_timeline(session, camera_id=samples[0][0], day=samples[0][1])
            print(
                f"  one day: {len(result.recorded)} recorded, {len(result.outages)} outages, "
                f"{len(result.gaps)} gaps, {result.recorded_seconds / 3600:.2f} h recorded"
            )
            for _ in range(3):  # warm up: connection, statement caches
                day_timeline(session, camera_id=samples[0][0], day=samples[0][1])
                bare(*samples[0])
            base = measure(samples, bare)
            full = measure(samples, lambda c, d: day_timeline(session, camera_id=c, day=d))
    finally:
        engine.dispose()
    med, p99 = statistics.median(full), percentile(full, 99)
    base_med, base_p99 = statistics.median(base), percentile(base, 99)
    met = p99 < TARGET_MS
    print(
        f"  bare SELECT of a camera-day (baseline): median {base_med:.2f} ms, p99 {base_p99:.2f} ms"
    )
    print(f"  day_timeline:                           median {med:.2f} ms, p99 {p99:.2f} ms")
    print(
        f"  ratio median timeline/baseline {med / base_med:.2f}×; "
        f"target p99 < {TARGET_MS:.0f} ms: {'met' if met else 'MISSED'}"
    )
    return met


def bare_select(session: Session) -> Callable[[int, dt.date], object]:
    sql = text(
        "SELECT start_at, end_at, state FROM segment "
        "WHERE camera_id = :c AND start_at >= :s AND start_at < :e ORDER BY start_at"
    )
    sqlite = session.get_bind().dialect.name == "sqlite"

    def run(camera_id: int, day: dt.date) -> object:
        start, end = day_bounds(day)
        params: dict[str, Any] = {"c": camera_id, "s": start, "e": end}
        if sqlite:
            params |= {"s": _stamp(start, sqlite=True), "e": _stamp(end, sqlite=True)}
        return session.execute(sql, params).fetchall()

    return run


def explain(session: Session, camera_id: int, day: dt.date) -> None:
    """Print the plan of the timeline's segment query (it must use the index)."""
    start, end = day_bounds(day)
    dialect = session.get_bind().dialect
    prefix = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
    compiled = segment_query(camera_id, start, end).compile(dialect=dialect)
    params = {
        key: _stamp(value, sqlite=True)
        if dialect.name == "sqlite" and isinstance(value, dt.datetime)
        else value
        for key, value in compiled.params.items()
    }
    connection = session.connection()
    if compiled.positiontup:  # qmark (SQLite): positional parameters
        positional = tuple(params[key] for key in compiled.positiontup)
        plan = connection.exec_driver_sql(prefix + str(compiled), positional).fetchall()
    else:
        plan = connection.exec_driver_sql(prefix + str(compiled), params).fetchall()
    print("  plan of the segment query:")
    for line in plan:
        print("    " + " | ".join(str(v) for v in line))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cameras", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    args = parser.parse_args(argv)
    print(f"China time days; now {dt.datetime.now(CHINA_TZ):%Y-%m-%d %H:%M} (UTC+8)")
    ok = True
    with sqlite_database() as url:
        ok &= bench(url, cameras=args.cameras, days=args.days, queries=args.queries, label="SQLite")
    if args.postgres:
        with postgres_database() as url:
            ok &= bench(
                url, cameras=args.cameras, days=args.days, queries=args.queries, label="PostgreSQL"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
