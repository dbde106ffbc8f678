"""Retention and capacity on real files and real filesystems (S7, S8, S10).

Segments are real MPEG-TS files (made once per session with the bundled ffmpeg), stored
read-only in storage roots created with ``create_root``; their rows carry the files' true
size and SHA-256. The "disk full" test mounts a real 4 MiB tmpfs (we run as root).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from psvis.compliance.models import Finding
from psvis.core.config import Settings
from psvis.recording import capacity, retention
from psvis.recording.enums import SegmentState
from psvis.recording.ffmpeg import ffmpeg_exe
from psvis.recording.models import LegalHold, Segment, StorageRoot
from psvis.recording.storage import (
    IDENTITY_FILE,
    SEGMENT_NAME_PATTERN,
    Root,
    StorageRefused,
    check_root,
    create_root,
)
from psvis.registry.models import Jurisdiction
from tests.support.factories import Registry

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
SEG = dt.timedelta(seconds=2)
DAY = dt.timedelta(days=1)
S = dt.timedelta(seconds=1)
READ_ONLY = 0o444


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(scope="session")
def ts_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real 2-second H.264 MPEG-TS segment."""
    out = tmp_path_factory.mktemp("ts") / "sample.ts"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=10",
            "-t",
            "2",
            "-c:v",
            "libx264",
            "-g",
            "10",
            "-f",
            "mpegts",
            str(out),
        ],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    data = out.read_bytes()
    assert len(data) > 1000
    return data


@pytest.fixture(autouse=True)
def _no_preexisting_roots(db: Session) -> None:
    """Start every test without storage roots on both backends (the SQLite template
    database may carry the ``default`` root ``psvis init`` creates)."""
    db.execute(delete(StorageRoot))
    db.commit()


def make_root(db: Session, path: Path, *, name: str | None = None, reserve: int = 0) -> Root:
    row = create_root(db, name=name or path.name, path=path, reserve_bytes=reserve)
    db.commit()
    return check_root(row)


@pytest.fixture
def root(db: Session, tmp_path: Path) -> Root:
    return make_root(db, tmp_path / "recordings")


def next_seq(db: Session, camera_id: int) -> int:
    current = db.scalar(select(func.max(Segment.seq)).where(Segment.camera_id == camera_id))
    return (current or 0) + 1


def add_segment(
    db: Session,
    root: Root,
    camera_id: int,
    *,
    end_at: dt.datetime,
    content: bytes,
    state: SegmentState = SegmentState.SEALED,
) -> Segment:
    """A read-only file at its layout path and its sealed row (flushed)."""
    start = end_at - SEG
    rel_path = f"{camera_id}/{start.date().isoformat()}/{start.strftime(SEGMENT_NAME_PATTERN)}"
    path = root.path / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.chmod(path, READ_ONLY)
    row = Segment(
        camera_id=camera_id,
        seq=next_seq(db, camera_id),
        storage_id=root.id,
        rel_path=rel_path,
        start_at=start,
        end_at=end_at,
        media_duration_ms=2000,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        keyframes=2,
        codec="h264",
        width=160,
        height=90,
        state=state,
    )
    db.add(row)
    db.flush()
    return row


def fresh(db: Session, segment_id: int) -> Segment:
    db.expire_all()
    row = db.get(Segment, segment_id)
    assert row is not None
    return row


def file_of(root: Root, segment: Segment) -> Path:
    return root.path / segment.rel_path


def assert_kept(db: Session, root: Root, segment: Segment) -> None:
    row = fresh(db, segment.id)
    assert row.state in (SegmentState.SEALED, SegmentState.RECOVERED)
    assert row.expired_at is None
    path = file_of(root, row)
    assert path.is_file(), f"in-retention file {row.rel_path} was deleted"
    assert stat.S_IMODE(path.stat().st_mode) == READ_ONLY
    assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256


def assert_expired(db: Session, root: Root, segment: Segment, *, at: dt.datetime = NOW) -> None:
    row = fresh(db, segment.id)
    assert row.state is SegmentState.EXPIRED
    assert row.expired_at == at
    assert not file_of(root, row).exists()


def camera_with(
    registry: Registry, *, system_days: int = 30, camera_days: int | None = None
) -> int:
    unit = registry.unit()
    site = registry.site(unit=unit)
    system = registry.system(site=site, unit=unit, retention_days=system_days)
    if camera_days is None:
        camera = registry.camera(system=system)
    else:
        camera = registry.camera(system=system, retention_days=camera_days)
    registry.session.commit()
    return camera.id


def files_under(path: Path) -> dict[str, str]:
    """Every file under ``path`` (relative name → SHA-256)."""
    return {
        p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def psvis_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PSVIS_")}
    environment |= {
        "PSVIS_DATA_DIR": str(settings.data_dir),
        "PSVIS_DATABASE_URL": settings.resolved_database_url(),
    }
    return subprocess.run(
        [sys.executable, "-m", "psvis.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def mount_tmpfs(mountpoint: Path, size: str = "4m") -> None:
    mountpoint.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"cannot mount a {size} tmpfs at {mountpoint} (these tests need root or "
            f"CAP_SYS_ADMIN to test a really full filesystem): "
            f"{result.stderr.strip() or result.returncode}"
        )


def unmount(mountpoint: Path) -> None:
    if not os.path.ismount(mountpoint):
        return
    if subprocess.run(["umount", str(mountpoint)], check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MiB filesystem, unmounted afterwards."""
    mountpoint = tmp_path / "small"
    mount_tmpfs(mountpoint)
    try:
        yield mountpoint
    finally:
        unmount(mountpoint)


# --- the window boundary -------------------------------------------------------------------


def test_sweep_at_the_boundary(
    db: Session, registry: Registry, root: Root, ts_bytes: bytes
) -> None:
    camera_id = camera_with(registry)
    expired = add_segment(db, root, camera_id, end_at=NOW - 30 * DAY, content=ts_bytes)
    # Ended 29 days 23:59:59 ago: one second of its window is left.
    kept = add_segment(db, root, camera_id, end_at=NOW - 30 * DAY + S, content=ts_bytes)
    recent = add_segment(db, root, camera_id, end_at=NOW - DAY, content=ts_bytes)
    db.commit()

    report = retention.sweep(db, roots={root.id: root}, now=NOW)

    assert_expired(db, root, expired)
    assert_kept(db, root, kept)
    assert_kept(db, root, recent)
    assert report.expired_count == 1
    assert report.files_deleted == 1
    assert report.bytes_freed == len(ts_bytes)
    assert report.errors == []
    assert report.missing_files == []
    (record,) = report.expired
    assert record == retention.ExpiredSegment(
        segment_id=expired.id,
        camera_id=camera_id,
        seq=expired.seq,
        storage_id=root.id,
        rel_path=expired.rel_path,
        sha256=hashlib.sha256(ts_bytes).hexdigest(),
        size_bytes=len(ts_bytes),
        start_at=expired.start_at,
        end_at=expired.end_at,
        retention_days=30,
        retention_basis="system",
        expired_at=NOW,
    )
    assert record.to_dict()["sha256"] == record.sha256

    # One second later the next one goes; running again at the same instant changes nothing.
    assert retention.sweep(db, roots={root.id: root}, now=NOW).expired_count == 0
    later = retention.sweep(db, roots={root.id: root}, now=NOW + S)
    assert [r.segment_id for r in later.expired] == [kept.id]
    assert_expired(db, root, kept, at=NOW + S)
    assert_kept(db, root, recent)


def test_camera_and_system_retention_respected(
    db: Session, registry: Registry, root: Root, ts_bytes: bytes
) -> None:
    cam45 = camera_with(registry, camera_days=45)
    sys60 = camera_with(registry, system_days=60)
    segs = {
        "45_kept": add_segment(db, root, cam45, end_at=NOW - 45 * DAY + S, content=ts_bytes),
        "45_30d": add_segment(db, root, cam45, end_at=NOW - 30 * DAY, content=ts_bytes),
        "60_kept": add_segment(db, root, sys60, end_at=NOW - 60 * DAY + S, content=ts_bytes),
        "60_45d": add_segment(db, root, sys60, end_at=NOW - 45 * DAY, content=ts_bytes),
    }
    db.commit()
    first = retention.sweep(db, roots={root.id: root}, now=NOW)
    assert first.expired_count == 0
    for seg in segs.values():
        assert_kept(db, root, seg)

    old45 = add_segment(db, root, cam45, end_at=NOW - 45 * DAY, content=ts_bytes + b"\0")
    old60 = add_segment(db, root, sys60, end_at=NOW - 60 * DAY, content=ts_bytes + b"\0\0")
    db.commit()
    report = retention.sweep(db, roots={root.id: root}, now=NOW)
    assert {r.segment_id for r in report.expired} == {old45.id, old60.id}
    by_id = {r.segment_id: r for r in report.expired}
    assert (by_id[old45.id].retention_days, by_id[old45.id].retention_basis) == (45, "camera")
    assert (by_id[old60.id].retention_days, by_id[old60.id].retention_basis) == (60, "system")
    assert_expired(db, root, old45)
    assert_expired(db, root, old60)
    for seg in segs.values():
        assert_kept(db, root, seg)


def test_recovered_segments_expire_like_sealed_ones(
    db: Session, registry: Registry, root: Root, ts_bytes: bytes
) -> None:
    camera_id = camera_with(registry)
    seg = add_segment(
        db,
        root,
        camera_id,
        end_at=NOW - 31 * DAY,
        content=ts_bytes,
        state=SegmentState.RECOVERED,
    )
    db.commit()
    assert retention.sweep(db, roots={root.id: root}, now=NOW).expired_count == 1
    assert_expired(db, root, seg)


def test_dry_run_changes_nothing(
    db: Session, registry: Registry, root: Root, ts_bytes: bytes
) -> None:
    camera_id = camera_with(registry)
    old = add_segment(db, root, camera_id, end_at=NOW - 40 * DAY, content=ts_bytes)
    db.commit()
    report = retention.sweep(db, roots={root.id: root}, now=NOW, dry_run=True)
    assert report.dry_run
    assert [r.segment_id for r in report.expired] == [old.id]
    assert report.files_deleted == 0
    assert report.bytes_freed == 0
    assert_kept(db, root, old)


def test_only_rows_files_are_deleted_and_only_in_given_roots(
    db: Session, registry: Registry, root: Root, tmp_path: Path, ts_bytes: bytes
) -> None:
    other = make_root(db, tmp_path / "other")
    camera_id = camera_with(registry)
    here = add_segment(db, root, camera_id, end_at=NOW - 40 * DAY, content=ts_bytes)
    there = add_segment(db, other, camera_id, end_at=NOW - 39 * DAY, content=ts_bytes)
    db.commit()
    # Files no row knows about, in the same old day directory and at the root.
    stray = file_of(root, here).parent / "unknown.ts"
    stray.write_bytes(ts_bytes)
    (root.path / "notes.txt").write_text("keep me")

    report = retention.sweep(db, roots={root.id: root}, now=NOW)

    assert [r.segment_id for r in report.expired] == [here.id]
    assert_expired(db, root, here)
    assert_kept(db, other, there)  # its root was not given (e.g. refused): untouched
    assert stray.read_bytes() == ts_bytes
    assert (root.path / "notes.txt").read_text() == "keep me"
    assert (root.path / IDENTITY_FILE).is_file()


def test_batches(db: Session, registry: Registry, root: Root, ts_bytes: bytes) -> None:
    camera_id = camera_with(registry)
    old = [
        add_segment(db, root, camera_id, end_at=NOW - 40 * DAY + i * SEG, content=ts_bytes)
        for i in range(7)
    ]
    db.add(
        LegalHold(
            camera_id=camera_id,
            start_at=old[3].start_at,
            end_at=old[3].end_at,
            reason="case 2026-17",
        )
    )
    db.commit()
    report = retention.sweep(db, roots={root.id: root}, now=NOW, batch_size=2)
    assert [r.seq for r in report.expired] == [s.seq for s in old if s is not old[3]]
    assert report.held == 1
    assert_kept(db, root, old[3])


# --- legal holds ---------------------------------------------------------------------------


def test_legal_hold_prevents_expiry_until_released(
    db: Session, registry: Registry, root: Root, ts_bytes: bytes
) -> None:
    camera_id = camera_with(registry)
    other_camera = camera_with(registry)
    held = add_segment(db, root, camera_id, end_at=NOW - 50 * DAY, content=ts_bytes)
    adjacent = add_segment(db, root, camera_id, end_at=NOW - 40 * DAY, content=ts_bytes)
    elsewhere = add_segment(db, root, other_camera, end_at=NOW - 50 * DAY, content=ts_bytes)
    hold = LegalHold(
        camera_id=camera_id,
        start_at=held.start_at + S,  # overlaps by one second
        end_at=adjacent.start_at,  # ends exactly where `adjacent` starts: does not hold it
        reason="case 2026-001",
    )
    released = LegalHold(
        camera_id=camera_id,
        start_at=adjacent.start_at - DAY,
        end_at=adjacent.end_at + DAY,
        reason="closed case",
        released_at=NOW - DAY,
    )
    db.add_all([hold, released])
    db.commit()

    report = retention.sweep(db, roots={root.id: root}, now=NOW)
    assert {r.segment_id for r in report.expired} == {adjacent.id, elsewhere.id}
    assert report.held == 1
    assert_kept(db, root, held)
    assert_expired(db, root, adjacent)
    assert_expired(db, root, elsewhere)

    # Still held a month later.
    assert retention.sweep(db, roots={root.id: root}, now=NOW + 30 * DAY).expired_count == 0
    assert_kept(db, root, held)

    hold.released_at = NOW + 30 * DAY
    db.commit()
    after = retention.sweep(db, roots={root.id: root}, now=NOW + 31 * DAY)
    assert [r.segment_id for r in after.expired] == [held.id]
    assert_expired(db, root, held, at=NOW + 31 * DAY)


def test_hold_placed_during_the_sweep_wins(
    db: Session,
    registry: Registry,
    root: Root,
    ts_bytes: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The SQL guard of the marking UPDATE re-checks holds in its own transaction."""
    camera_id = camera_with(registry)
    seg = add_segment(db, root, camera_id, end_at=NOW - 40 * DAY, content=ts_bytes)
    db.commit()
    original = retention._unreleased_holds

    def holds_then_hold_placed(
        session: Session,
    ) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
        snapshot = original(session)
        session.add(
            LegalHold(camera_id=camera_id, start_at=seg.start_at, end_at=seg.end_at, reason="x")
        )
        session.flush()
        return snapshot

    monkeypatch.setattr(retention, "_unreleased_holds", holds_then_hold_placed)
    report = retention.sweep(db, roots={root.id: root}, now=NOW)
    assert report.expired_count == 0
    assert report.held == 1
    assert_kept(db, root, seg)


# --- crash between commit and unlink (S8) --------------------------------------------------


class Crash(BaseException):
    """The process dying: not an error the sweep could handle."""


def test_crash_between_commit_and_unlink(
    db: Session,
    registry: Registry,
    root: Root,
    ts_bytes: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    camera_id = camera_with(registry)
    segs = [
        add_segment(db, root, camera_id, end_at=NOW - 40 * DAY + i * SEG, content=ts_bytes)
        for i in range(3)
    ]
    db.commit()

    def die(*_args: object, **_kwargs: object) -> int | None:
        raise Crash

    monkeypatch.setattr(retention, "_remove", die)
    with pytest.raises(Crash):
        retention.sweep(db, roots={root.id: root}, now=NOW)
    monkeypatch.undo()
    db.rollback()

    # The rows were committed as expired; the files are still there (S8's window).
    for seg in segs:
        row = fresh(db, seg.id)
        assert row.state is SegmentState.EXPIRED
        assert row.expired_at == NOW
        assert file_of(root, row).is_file()
    # One of them was removed meanwhile (e.g. the unlink ran just before the crash).
    gone = file_of(root, segs[1])
    os.chmod(gone, 0o644)
    gone.unlink()

    later = NOW + dt.timedelta(hours=1)
    report = retention.sweep(db, roots={root.id: root}, now=later)
    assert report.leftovers_deleted == 2
    assert report.files_deleted == 2
    assert report.bytes_freed == 2 * len(ts_bytes)
    assert report.expired_count == 0  # already recorded by the first sweep
    assert report.errors == []
    for seg in segs:
        assert_expired(db, root, seg)  # expired_at stays the first sweep's

    again = retention.sweep(db, roots={root.id: root}, now=later + S)
    assert (again.leftovers_deleted, again.files_deleted, again.errors) == (0, 0, [])


def test_crash_then_dry_run_reports_leftovers(
    db: Session,
    registry: Registry,
    root: Root,
    ts_bytes: bytes,
) -> None:
    camera_id = camera_with(registry)
    seg = add_segment(db, root, camera_id, end_at=NOW - 40 * DAY, content=ts_bytes)
    db.flush()
    seg.state = SegmentState.EXPIRED  # what step 1 commits before a crash
    seg.expired_at = NOW
    db.commit()
    report = retention.sweep(db, roots={root.id: root}, now=NOW + S, dry_run=True)
    assert (report.leftovers_found, report.leftovers_deleted) == (1, 0)
    assert file_of(root, seg).is_file()
    report = retention.sweep(db, roots={root.id: root}, now=NOW + S)
    assert report.leftovers_deleted == 1
    assert not file_of(root, seg).exists()


def test_failed_unlink_puts_the_row_back(
    db: Session,
    registry: Registry,
    root: Root,
    ts_bytes: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    camera_id = camera_with(registry)
    seg = add_segment(db, root, camera_id, end_at=NOW - 40 * DAY, content=ts_bytes)
    db.commit()

    def refuse(*_args: object, **_kwargs: object) -> int | None:
        raise PermissionError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(retention, "_remove", refuse)
    report = retention.sweep(db, roots={root.id: root}, now=NOW)
    assert report.expired_count == 0
    assert len(report.errors) == 1
    assert "Read-only" in report.errors[0]
    assert_kept(db, root, seg)

    monkeypatch.undo()
    report = retention.sweep(db, roots={root.id: root}, now=NOW + S)
    assert [r.segment_id for r in report.expired] == [seg.id]
    assert_expired(db, root, seg, at=NOW + S)


def test_file_missing_at_expiry_is_reported(
    db: Session, registry: Registry, root: Root, ts_bytes: bytes
) -> None:
    camera_id = camera_with(registry)
    seg = add_segment(db, root, camera_id, end_at=NOW - 40 * DAY, content=ts_bytes)
    db.commit()
    path = file_of(root, seg)
    os.chmod(path, 0o644)
    path.unlink()
    report = retention.sweep(db, roots={root.id: root}, now=NOW)
    assert report.expired_count == 1
    assert report.files_deleted == 0
    assert report.missing_files == [f"{root.name}:{seg.rel_path}"]
    assert_expired(db, root, seg)


# --- a really full disk (S7, S10) ----------------------------------------------------------


def fill_with_segments(db: Session, root: Root, camera_id: int, content: bytes) -> list[Segment]:
    """Recent in-retention segments until the filesystem refuses the next one."""
    segments: list[Segment] = []
    end = NOW - dt.timedelta(minutes=1)
    while True:
        start = end - SEG
        path = root.day_dir(camera_id, start.date()) / start.strftime(SEGMENT_NAME_PATTERN)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "wb") as handle:
                handle.write(content)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            path.unlink(missing_ok=True)  # the partial copy never became a segment
            return segments
        path.unlink()
        segments.append(add_segment(db, root, camera_id, end_at=end, content=content))
        end -= SEG


def fill_rest(path: Path) -> int:
    """Fill the remaining space with a file that is not a segment."""
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                written += os.write(fd, b"\xff" * 4096)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
        while True:  # the last partial block
            try:
                written += os.write(fd, b"\xff")
            except OSError:
                break
    finally:
        os.close(fd)
    return written


def test_full_disk_deletes_nothing_in_retention_and_raises_a_finding(
    db: Session, registry: Registry, small_fs: Path, ts_bytes: bytes
) -> None:
    reserve = 512 * 1024
    root = make_root(db, small_fs, name="small", reserve=reserve)
    camera_id = camera_with(registry)
    # One segment past its window, then recent footage until the disk is full.
    old = add_segment(db, root, camera_id, end_at=NOW - 31 * DAY, content=ts_bytes)
    recent = fill_with_segments(db, root, camera_id, ts_bytes)
    db.commit()
    assert len(recent) > 50
    fill_rest(small_fs / "not-a-segment.bin")
    assert shutil.disk_usage(small_fs).free < len(ts_bytes)
    before = files_under(small_fs)

    report = retention.sweep(db, roots={root.id: root}, now=NOW)

    # Only the expired segment went, although the disk is far below its reserve.
    assert [r.segment_id for r in report.expired] == [old.id]
    after = files_under(small_fs)
    assert set(before) - set(after) == {old.rel_path}
    assert all(after[name] == before[name] for name in after)
    for seg in recent:
        assert_kept(db, root, seg)
    assert root.free_bytes() < reserve

    # Another sweep on the full disk: nothing at all.
    again = retention.sweep(db, roots={root.id: root}, now=NOW + dt.timedelta(minutes=5))
    assert (again.expired_count, again.files_deleted) == (0, 0)
    assert files_under(small_fs) == after

    (forecast,) = capacity.forecast(db, roots={root.id: root}, now=NOW)
    db.commit()
    assert not forecast.ok
    assert forecast.finding_change == "opened"
    assert forecast.cameras == 1
    assert forecast.bytes_per_second == pytest.approx(len(ts_bytes) / 2, rel=0.01)
    assert forecast.days_until_window_lost == 0
    finding = db.scalar(select(Finding).where(Finding.id == forecast.finding_id))
    assert finding is not None
    city = db.scalar(select(Jurisdiction.code).where(Jurisdiction.parent_code.is_(None)))
    assert (finding.rule, finding.subject_type, finding.subject_id) == (
        "art17_4_capacity_forecast",
        "storage",
        root.id,
    )
    assert finding.article == "Art. 17(4)"
    assert finding.jurisdiction_code == city
    assert finding.status == "open"
    evidence = finding.evidence
    assert evidence["reserve_bytes"] == reserve
    assert evidence["free_bytes"] < reserve
    assert evidence["storage_root"] == "small"
    assert evidence["window_lost_on"] == "2026-03-01"
    assert evidence["bytes_per_day"] > 0
    assert files_under(small_fs) == after


# --- capacity findings: open, update, resolve ----------------------------------------------


def test_capacity_finding_lifecycle(
    db: Session, registry: Registry, root: Root, ts_bytes: bytes
) -> None:
    camera_id = camera_with(registry, system_days=60)
    for i in range(30):  # one minute of recording, one hour ago
        add_segment(
            db, root, camera_id, end_at=NOW - dt.timedelta(hours=1) + i * SEG, content=ts_bytes
        )
    db.commit()
    free = root.free_bytes()
    rate = len(ts_bytes) / 2
    needed = rate * 86_400 * 60 - 30 * len(ts_bytes)

    # Reserve such that just 3 days of recording fit: a finding, lost in about 3 days.
    tight = dataclasses.replace(root, reserve_bytes=max(0, free - int(rate * 86_400 * 3)))
    (first,) = capacity.forecast(db, roots={root.id: tight}, now=NOW)
    db.commit()
    assert not first.ok
    assert first.finding_change == "opened"
    assert first.days_until_window_lost == pytest.approx(3, abs=0.05)
    assert first.decision.evidence["bytes_still_needed"] == pytest.approx(needed, rel=0.001)
    assert first.window_lost_at is not None
    assert abs(first.window_lost_at - (NOW + 3 * DAY)) < dt.timedelta(hours=2)

    (second,) = capacity.forecast(db, roots={root.id: tight}, now=NOW + S)
    db.commit()
    assert (second.finding_change, second.finding_id) == ("updated", first.finding_id)

    # Room for 10 days: beyond the 7-day horizon, resolved.
    roomy = dataclasses.replace(root, reserve_bytes=max(0, free - int(rate * 86_400 * 10)))
    (third,) = capacity.forecast(db, roots={root.id: roomy}, now=NOW + 2 * S)
    db.commit()
    assert third.ok
    assert third.finding_change == "resolved"
    (fourth,) = capacity.forecast(db, roots={root.id: roomy}, now=NOW + 3 * S)
    assert fourth.finding_change == "none"

    (fifth,) = capacity.forecast(db, roots={root.id: tight}, now=NOW + 4 * S)
    db.commit()
    assert (fifth.finding_change, fifth.finding_id) == ("reopened", first.finding_id)
    rows = db.scalars(select(Finding).where(Finding.rule == "art17_4_capacity_forecast")).all()
    assert [(r.status, r.resolved_at) for r in rows] == [("open", None)]


# --- storage identity ----------------------------------------------------------------------


def test_swapped_root_is_refused(db: Session, settings: Settings, tmp_path: Path) -> None:
    a = make_root(db, tmp_path / "disk-a")
    b = make_root(db, tmp_path / "disk-b")
    assert psvis_cli(settings, "storage", "check").returncode == 0
    # Disk B now sits where disk A was mounted.
    shutil.copyfile(b.path / IDENTITY_FILE, a.path / IDENTITY_FILE)
    row = db.get(StorageRoot, a.id)
    assert row is not None
    with pytest.raises(StorageRefused, match="foreign"):
        check_root(row)
    result = psvis_cli(settings, "storage", "check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "disk-a" in result.stderr
    assert "foreign" in result.stderr
    listing = json.loads(psvis_cli(settings, "storage", "list", "--json").stdout)
    assert {(r["name"], r["check"]) for r in listing} == {("disk-a", "refused"), ("disk-b", "ok")}


def test_unmounted_root_is_refused(
    db: Session, settings: Settings, tmp_path: Path, registry: Registry, ts_bytes: bytes
) -> None:
    mountpoint = tmp_path / "usb"
    mount_tmpfs(mountpoint)
    try:
        root = make_root(db, mountpoint, name="usb")
        camera_id = camera_with(registry)
        old = add_segment(db, root, camera_id, end_at=NOW - 40 * DAY, content=ts_bytes)
        db.commit()
        assert psvis_cli(settings, "storage", "check").returncode == 0
    finally:
        unmount(mountpoint)
    assert mountpoint.is_dir()
    assert list(mountpoint.iterdir()) == []  # what an unmounted disk looks like
    row = db.get(StorageRoot, root.id)
    assert row is not None
    with pytest.raises(StorageRefused, match="missing"):
        check_root(row)
    result = psvis_cli(settings, "storage", "check")
    assert result.returncode == 1
    assert "missing" in result.stderr
    # The sweep skips the refused root: its expired segment waits, nothing is marked.
    sweep = psvis_cli(settings, "retention", "sweep")
    assert sweep.returncode == 0, sweep.stderr
    assert "skipped" in sweep.stderr
    assert fresh(db, old.id).state is SegmentState.SEALED


def test_missing_directory_is_refused(db: Session, tmp_path: Path) -> None:
    root = make_root(db, tmp_path / "gone")
    shutil.rmtree(root.path)
    row = db.get(StorageRoot, root.id)
    assert row is not None
    with pytest.raises(StorageRefused):
        check_root(row)


# --- CLI -----------------------------------------------------------------------------------


def test_cli_storage_add_list_and_sweep(
    db: Session, settings: Settings, registry: Registry, tmp_path: Path, ts_bytes: bytes
) -> None:
    path = tmp_path / "disk"
    added = psvis_cli(settings, "storage", "add", "main", str(path), "--reserve-bytes", "1234")
    assert added.returncode == 0, added.stderr
    assert (path / IDENTITY_FILE).is_file()
    twice = psvis_cli(settings, "storage", "add", "main", str(tmp_path / "x"))
    assert twice.returncode == 2
    assert "already exists" in twice.stderr

    listing = json.loads(psvis_cli(settings, "storage", "list", "--json").stdout)
    (item,) = listing
    assert (item["name"], item["check"], item["reserve_bytes"]) == ("main", "ok", 1234)
    assert item["free_bytes"] > 0
    text = psvis_cli(settings, "storage", "list")
    assert "main" in text.stdout
    assert "ok" in text.stdout

    row = db.scalar(select(StorageRoot).where(StorageRoot.name == "main"))
    assert row is not None
    root = check_root(row)
    camera_id = camera_with(registry)
    now = dt.datetime.now(dt.UTC)
    old = add_segment(db, root, camera_id, end_at=now - 31 * DAY, content=ts_bytes)
    new = add_segment(db, root, camera_id, end_at=now - 29 * DAY, content=ts_bytes)
    db.commit()

    dry = psvis_cli(settings, "retention", "sweep", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would expire camera {camera_id} seq {old.seq}" in dry.stdout
    assert file_of(root, old).is_file()

    swept = psvis_cli(settings, "retention", "sweep")
    assert swept.returncode == 0, swept.stderr
    assert f"expired camera {camera_id} seq {old.seq} main:{old.rel_path}" in swept.stdout
    assert old.sha256 in swept.stdout
    assert "expired 1 segment(s)" in swept.stdout
    assert_expired(db, root, old, at=fresh(db, old.id).expired_at or now)
    assert_kept(db, root, new)

    forecast = psvis_cli(settings, "storage", "forecast")
    assert forecast.returncode == 0, forecast.stderr
    assert "main" in forecast.stdout


def test_init_creates_the_default_root(db: Session, settings: Settings) -> None:
    result = psvis_cli(settings, "init")
    assert result.returncode == 0, result.stderr
    again = psvis_cli(settings, "init")
    assert again.returncode == 0, again.stderr
    db.expire_all()
    (row,) = db.scalars(select(StorageRoot)).all()
    assert row.name == "default"
    assert Path(row.path) == (settings.data_dir / "recordings").resolve()
    assert row.reserve_bytes == settings.storage_reserve_bytes
    assert check_root(row).path == Path(row.path)
    check = psvis_cli(settings, "storage", "check")
    assert check.returncode == 0, check.stderr


def test_init_keeps_existing_roots(db: Session, settings: Settings, tmp_path: Path) -> None:
    make_root(db, tmp_path / "mine", name="mine")
    assert psvis_cli(settings, "init").returncode == 0
    db.expire_all()
    assert [r.name for r in db.scalars(select(StorageRoot))] == ["mine"]
