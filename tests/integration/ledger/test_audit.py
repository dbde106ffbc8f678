"""The tamper suite: each attack on the archive is found by ``psvis audit`` with the
right kind and nothing else is flagged; a clean archive and lawful expiry audit clean.

Real segments (H.264 by ffmpeg, sealed through seal_file), the real ledger, real files;
the attacker is played by the test with the access the threat model gives each role.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from psvis.cli.context import initialise, open_context
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.ledger import entries, tree
from psvis.ledger import service as ledger
from psvis.ledger.audit import AuditReport, file_findings, run_audit
from psvis.ledger.keys import SigningKey
from psvis.ledger.models import LedgerEntry
from psvis.ledger.rules import Kind
from psvis.recording.enums import OutageCause
from psvis.recording.models import LegalHold, Segment
from psvis.recording.outages import close_outage, open_outage
from psvis.recording.retention import sweep
from psvis.recording.storage import Root
from tests.support.factories import Registry
from tests.support.media import record, storage_root

NOW = utcnow()


class Archive:
    """One camera's archive with its ledger, and the moves of an attacker."""

    def __init__(self, db: Session, settings: Settings, registry: Registry) -> None:
        self.db = db
        self.settings = settings
        self.root: Root = storage_root(db, settings.data_dir)
        _u, _s, _sys, camera = registry.covered_site()
        self.camera_id = camera.id
        self.key = SigningKey.load_or_create(settings.data_dir)
        ledger.ensure_log(db, node_name="test-node", key=self.key)
        db.commit()

    def record(self, start: dt.datetime, seconds: float = 6) -> list[Segment]:
        return record(self.db, self.root, self.camera_id, start=start, seconds=seconds)

    def checkpoint(self) -> None:
        checkpoint = ledger.sign_checkpoint(
            self.db, key=self.key, data_dir=self.settings.data_dir, now=utcnow()
        )
        self.db.commit()
        if checkpoint is not None:
            ledger.append_to_log(self.settings.data_dir, checkpoint)

    def audit(self, *, deep: bool = True) -> AuditReport:
        self.db.expire_all()
        return run_audit(
            self.db, roots={self.root.id: self.root}, data_dir=self.settings.data_dir, deep=deep
        )

    def segments(self) -> list[Segment]:
        self.db.expire_all()
        return list(
            self.db.scalars(
                select(Segment).where(Segment.camera_id == self.camera_id).order_by(Segment.seq)
            )
        )

    def path(self, segment: Segment) -> Path:
        return self.root.path / segment.rel_path


def kinds(report: AuditReport) -> Counter[str]:
    return Counter(str(f.kind) for f in report.findings)


@pytest.fixture
def archive(db: Session, settings: Settings, registry: Registry) -> Archive:
    world = Archive(db, settings, registry)
    world.record(NOW - dt.timedelta(hours=1))
    world.checkpoint()
    return world


def test_a_clean_archive_audits_clean(archive: Archive) -> None:
    report = archive.audit()
    assert report.ok, report.findings
    assert report.segments_checked == 3
    assert report.tree_size >= 3
    assert report.checkpoints_checked >= 2  # the database's and the log file's
    assert report.bytes_hashed == sum(s.size_bytes for s in archive.segments())


def test_flipping_one_byte_is_altered(archive: Archive) -> None:
    target = archive.path(archive.segments()[1])
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    assert kinds(archive.audit()) == {"altered": 1}
    assert archive.audit(deep=False).ok  # same size: only hashing sees it


def test_truncating_is_altered_even_without_hashing(archive: Archive) -> None:
    target = archive.path(archive.segments()[0])
    os.truncate(target, target.stat().st_size // 2)
    report = archive.audit(deep=False)
    assert kinds(report) == {"altered": 1}
    assert report.findings[0].evidence["seq"] == 1


def test_deleting_a_file_is_missing(archive: Archive) -> None:
    archive.path(archive.segments()[2]).unlink()
    report = archive.audit()
    assert kinds(report) == {"missing": 1}
    assert report.findings[0].evidence["index_row"] == "present"


def test_deleting_file_and_row_is_missing(archive: Archive) -> None:
    victim = archive.segments()[1]
    archive.path(victim).unlink()
    archive.db.execute(delete(Segment).where(Segment.id == victim.id))
    archive.db.commit()
    report = archive.audit()
    assert kinds(report) == {"missing": 1}
    assert report.findings[0].evidence["index_row"] == "deleted"


def test_moving_a_file_elsewhere_is_hidden(archive: Archive) -> None:
    victim = archive.segments()[0]
    hideout = archive.root.path / "tmp-old"
    hideout.mkdir()
    shutil.move(archive.path(victim), hideout / "x.bin")
    report = archive.audit()
    assert kinds(report) == {"hidden": 1}
    assert report.findings[0].evidence["found_at"] == "tmp-old/x.bin"


def test_a_foreign_file_is_injected(archive: Archive) -> None:
    day_dir = archive.path(archive.segments()[0]).parent
    (day_dir / "20990101T000000.000Z-000099.ts").write_bytes(b"\x47" + b"\x00" * 187)
    report = archive.audit()
    assert kinds(report) == {"injected": 1}
    assert report.findings[0].camera_id == archive.camera_id


def test_altering_a_file_and_its_row_is_still_altered(archive: Archive) -> None:
    victim = archive.segments()[1]
    target = archive.path(victim)
    forged = target.read_bytes()[: victim.size_bytes - 188 * 10]
    target.write_bytes(forged)
    import hashlib

    archive.db.execute(
        update(Segment)
        .where(Segment.id == victim.id)
        .values(size_bytes=len(forged), sha256=hashlib.sha256(forged).hexdigest())
    )
    archive.db.commit()
    report = archive.audit()
    assert kinds(report) == {"altered": 1}
    assert report.findings[0].evidence["index_rewritten"] == ["size", "sha256"]


def test_deleting_a_row_but_keeping_the_file_is_an_index_mismatch(archive: Archive) -> None:
    victim = archive.segments()[2]
    archive.db.execute(delete(Segment).where(Segment.id == victim.id))
    archive.db.commit()
    assert kinds(archive.audit()) == {"index_mismatch": 1}


def test_a_row_changed_alone_is_an_index_mismatch(archive: Archive) -> None:
    victim = archive.segments()[0]
    archive.db.execute(
        update(Segment)
        .where(Segment.id == victim.id)
        .values(end_at=victim.end_at - dt.timedelta(seconds=1))
    )
    archive.db.commit()
    report = archive.audit()
    assert kinds(report) == {"index_mismatch": 1}
    assert report.findings[0].evidence["fields"] == ["times"]


def test_a_gap_without_an_outage_is_unexplained(archive: Archive) -> None:
    archive.record(NOW - dt.timedelta(minutes=30))  # 30 minutes after, nothing between
    archive.checkpoint()
    report = archive.audit()
    assert kinds(report) == {"unexplained_gap": 1}
    assert report.findings[0].evidence["after_seq"] == 3


def test_a_gap_with_an_outage_is_explained(archive: Archive) -> None:
    last_end = archive.segments()[-1].end_at
    open_outage(
        archive.db,
        camera_id=archive.camera_id,
        start_at=last_end,
        cause=OutageCause.CAMERA_UNREACHABLE,
    )
    restart = NOW - dt.timedelta(minutes=30)
    close_outage(archive.db, camera_id=archive.camera_id, end_at=restart)
    archive.db.commit()
    archive.record(restart)
    archive.checkpoint()
    assert archive.audit().ok


@pytest.fixture
def old_archive(db: Session, settings: Settings, registry: Registry) -> Archive:
    """Footage recorded 29 days + a few minutes ago (retention 30 days)."""
    world = Archive(db, settings, registry)
    world.record(NOW - dt.timedelta(days=29, minutes=10))
    world.checkpoint()
    return world


def test_expiring_one_day_early_is_premature(old_archive: Archive) -> None:
    # The insider runs the sweeper with a clock one day ahead: every rule passes on the
    # false clock, but the checkpoint that first includes the expiries is signed now.
    report = sweep(
        old_archive.db,
        roots={old_archive.root.id: old_archive.root},
        now=utcnow() + dt.timedelta(days=1),
    )
    assert len(report.expired) == 3
    old_archive.checkpoint()
    audit = old_archive.audit()
    assert kinds(audit) == {"premature_expiry": 3}
    assert "before its 30-day window" in audit.findings[0].detail


def test_lawful_expiry_after_thirty_days_is_not_flagged(
    db: Session, settings: Settings, registry: Registry
) -> None:
    world = Archive(db, settings, registry)
    world.record(NOW - dt.timedelta(days=31))
    world.checkpoint()
    report = sweep(db, roots={world.root.id: world.root}, now=utcnow())
    assert len(report.expired) == 3
    world.checkpoint()
    audit = world.audit()
    assert audit.ok, audit.findings
    assert not any(world.path(s).exists() for s in world.segments())


def test_expiring_under_a_hold_is_premature(
    db: Session, settings: Settings, registry: Registry
) -> None:
    world = Archive(db, settings, registry)
    segments = world.record(NOW - dt.timedelta(days=31))
    world.checkpoint()
    # The hold is placed; an insider marks the rows expired and deletes the files with
    # forged expiry entries, as if the sweeper had ignored the hold.
    db.add(
        LegalHold(
            camera_id=world.camera_id,
            start_at=segments[0].start_at,
            end_at=segments[0].end_at,
            reason="case 2026-117",
            placed_at=NOW - dt.timedelta(days=2),
        )
    )
    for segment in segments[:1]:
        db.execute(
            update(Segment)
            .where(Segment.id == segment.id)
            .values(state="expired", expired_at=utcnow())
        )
        ledger.record(
            db,
            entries.segment_expired(
                camera_id=world.camera_id,
                seq=segment.seq,
                sealed_leaf=None,
                retention_days=30,
                end_at=segment.end_at,
                expired_at=utcnow(),
            ),
            camera_id=world.camera_id,
            seq=segment.seq,
        )
        world.path(segment).unlink()
    db.commit()
    world.checkpoint()
    report = world.audit()
    assert kinds(report) == {"premature_expiry": 1}
    assert "legal hold" in report.findings[0].detail


def test_rewriting_an_entry_in_the_database_is_history_rewritten(archive: Archive) -> None:
    # A DBA edits a sealed entry (and its row) to cover a replaced file.
    row = archive.db.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.type == "segment.sealed")
        .order_by(LedgerEntry.leaf_index)
        .limit(1)
    ).one()
    body = json.loads(row.entry)
    body["size"] += 1
    fields = {k: v for k, v in body.items() if k not in ("v", "type")}
    archive.db.execute(
        update(LedgerEntry)
        .where(LedgerEntry.id == row.id)
        .values(entry=entries.encode(entries.EntryType.SEGMENT_SEALED, **fields))
    )
    archive.db.commit()
    report = archive.audit()
    assert set(kinds(report)) == {"history_rewritten", "altered"}
    rewritten = [f for f in report.findings if f.kind is Kind.HISTORY_REWRITTEN]
    assert any("no longer hash to the root" in f.detail for f in rewritten)


def test_restoring_the_database_from_an_earlier_copy_is_history_rewritten(
    tmp_path: Path, registry: Registry
) -> None:
    # A whole-file copy of a SQLite database: this test brings its own data dir.
    settings = Settings(data_dir=tmp_path / "node")
    initialise(settings)
    with open_context(settings) as ctx, ctx.session() as db:
        world = Archive(db, settings, Registry(session=db, box=ctx.box))
        world.record(NOW - dt.timedelta(hours=2))
        world.checkpoint()
        database = settings.data_dir / "psvis.db"
        ctx.engine.dispose()
        shutil.copy(database, tmp_path / "backup.db")
        world.record(NOW - dt.timedelta(hours=2) + dt.timedelta(seconds=6))
        world.checkpoint()
        ctx.engine.dispose()
    shutil.copy(tmp_path / "backup.db", database)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    with open_context(settings) as ctx, ctx.session() as db:
        root = world.root
        report = run_audit(db, roots={root.id: root}, data_dir=settings.data_dir, deep=True)
    assert kinds(report) == {"history_rewritten": 1}, report.findings
    evidence = report.findings[0].evidence
    assert evidence["source"] == "file"
    assert evidence["signed_size"] > evidence["stored_size"]
    assert len(evidence["files_unknown_to_the_restored_log"]) == 3


def test_findings_are_filed_under_article_20_3(archive: Archive) -> None:
    from psvis.compliance.models import Finding

    archive.path(archive.segments()[0]).unlink()
    report = archive.audit()
    counts = file_findings(archive.db, report, now=utcnow())
    archive.db.commit()
    assert counts["opened"] == 1
    finding = archive.db.scalars(select(Finding).where(Finding.rule == "art20_3_missing")).one()
    assert (finding.article, finding.penalty_article) == ("Art. 20(3)", "Art. 26(3)")
    assert (finding.subject_type, finding.subject_id) == ("camera", archive.camera_id)
    assert finding.evidence["count"] == 1


def test_cli_exit_status_and_json(settings: Settings, archive: Archive) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PSVIS_")},
        "PSVIS_DATA_DIR": str(settings.data_dir),
        "PSVIS_DATABASE_URL": settings.resolved_database_url(),
    }
    psvis = [sys.executable, "-m", "psvis.cli"]
    clean = subprocess.run([*psvis, "audit", "--deep"], env=env, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stderr
    assert "clean" in clean.stdout
    archive.path(archive.segments()[0]).unlink()
    found = subprocess.run([*psvis, "audit", "--json"], env=env, capture_output=True, text=True)
    assert found.returncode == 1, found.stderr
    body = json.loads(found.stdout)
    assert [f["kind"] for f in body["findings"]] == ["missing"]
    bad = subprocess.run(
        [*psvis, "audit", "--since", "yesterday"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "ISO 8601" in bad.stderr


def test_every_sealed_segment_is_a_leaf(archive: Archive) -> None:
    sealed = archive.db.scalars(
        select(LedgerEntry.seq).where(
            LedgerEntry.type == "segment.sealed",
            LedgerEntry.camera_id == archive.camera_id,
            LedgerEntry.leaf_index.is_not(None),
        )
    ).all()
    assert sorted(seq or 0 for seq in sealed) == [1, 2, 3]
    assert tree.size(archive.db) >= 3
