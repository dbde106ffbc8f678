"""Metadata audit of 1,000,000 segments (issue: integrity ledger). Target: under 60 s.

    .venv/bin/python bench/ledger_audit.py [--cameras 100] [--per-camera 10000]

Builds a real archive on SQLite and local disk: one tiny file per segment (the metadata
audit reads sizes, not contents, so file size does not change the figure), its
``segment.sealed`` entry in the ledger (tree nodes included) and its index row, then a
signed checkpoint. Then, in the same run:

* **baseline** — reading what the audit must read and nothing more: every leaf, every
  index row, and a walk of the storage with each file's size;
* **audit** — ``psvis.ledger.audit.run_audit(deep=False)``: re-hashing the whole log
  against the checkpoint, leaf ↔ row ↔ file for every segment, continuity per camera.

The audit must find nothing (the archive is clean) — a fast audit that misses is useless.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from psvis.cli.context import initialise, open_context
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.ledger import entries, merkle, tree
from psvis.ledger import service as ledger
from psvis.ledger.audit import _walk, run_audit
from psvis.ledger.keys import SigningKey
from psvis.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from psvis.recording.models import Segment, StorageRoot
from psvis.recording.storage import check_root
from tests.support.factories import Registry

SEGMENT = dt.timedelta(seconds=60)
CHUNK = 50_000


def build(settings: Settings, *, cameras: int, per_camera: int) -> None:
    initialise(settings)
    with open_context(settings) as ctx, ctx.session() as session:
        registry = Registry(session=session, box=ctx.box)
        camera_ids = [registry.covered_site()[3].id for _ in range(cameras)]
        session.commit()
        root = check_root(session.scalars(select(StorageRoot)).one())
        key = SigningKey.load_or_create(settings.data_dir)
        ledger.ensure_log(session, node_name="bench", key=key)
        session.commit()
        start0 = utcnow().replace(microsecond=0) - dt.timedelta(days=8)
        store: dict[tuple[int, int], bytes] = {}
        leaf = 0
        rows: list[dict[str, object]] = []
        leaves: list[dict[str, object]] = []
        nodes: list[dict[str, object]] = []
        made_dirs: set[Path] = set()

        def flush() -> None:
            if not rows:
                return
            session.execute(insert(Segment), rows)
            session.execute(insert(LedgerEntry), leaves)
            session.execute(insert(LedgerNode), nodes)
            rows.clear()
            leaves.clear()
            nodes.clear()

        for camera_id in camera_ids:
            for seq in range(1, per_camera + 1):
                start = start0 + (seq - 1) * SEGMENT
                end = start + SEGMENT
                name = f"{start:%Y%m%dT%H%M%S}.000Z-{seq:06d}.ts"
                rel = f"{camera_id}/{start.date().isoformat()}/{name}"
                path = root.path / rel
                if path.parent not in made_dirs:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made_dirs.add(path.parent)
                content = b"\x47" + f"{camera_id}:{seq}".encode().ljust(187, b"\x00")
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
                os.write(fd, content)
                os.close(fd)
                sha = hashlib.sha256(content).hexdigest()
                now = utcnow()
                rows.append(
                    {
                        "camera_id": camera_id,
                        "seq": seq,
                        "storage_id": root.id,
                        "rel_path": rel,
                        "start_at": start,
                        "end_at": end,
                        "media_duration_ms": 60_000,
                        "clock_delta_ms": 0,
                        "size_bytes": len(content),
                        "sha256": sha,
                        "keyframes": 30,
                        "codec": "h264",
                        "width": 1920,
                        "height": 1080,
                        "state": "sealed",
                        "sealed_at": now,
                        "node": "bench",
                    }
                )
                entry = entries.segment_sealed(
                    camera_id=camera_id,
                    seq=seq,
                    storage_id=root.id,
                    rel_path=rel,
                    start_at=start,
                    end_at=end,
                    size_bytes=len(content),
                    sha256=sha,
                    state="sealed",
                    sealed_at=now,
                )
                leaves.append(
                    {
                        "leaf_index": leaf,
                        "entry": entry,
                        "type": "segment.sealed",
                        "camera_id": camera_id,
                        "seq": seq,
                        "recorded_at": now,
                    }
                )
                for level, idx, value in merkle.completed_nodes(
                    leaf,
                    merkle.leaf_hash(entry),
                    lambda lv, i: store[(lv, i)],
                ):
                    store[(level, idx)] = value
                    nodes.append({"level": level, "idx": idx, "hash": value})
                # Only the frontier is needed to go on: forget the rest.
                if leaf % 4096 == 4095:
                    frontier = set(merkle.nodes_for_root(leaf + 1))
                    for stale in [k for k in store if k not in frontier]:
                        del store[stale]
                leaf += 1
                if len(rows) >= CHUNK:
                    flush()
        flush()
        size = leaf
        root_hash = merkle.root(lambda lv, i: store[(lv, i)], size)
        session.execute(update(LedgerHead).values(size=size, root=root_hash))
        session.commit()
        checkpoint = ledger.sign_checkpoint(
            session, key=key, data_dir=settings.data_dir, now=utcnow()
        )
        session.commit()
        assert checkpoint is not None
        ledger.append_to_log(settings.data_dir, checkpoint)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cameras", type=int, default=100)
    parser.add_argument("--per-camera", type=int, default=10_000)
    args = parser.parse_args()
    total = args.cameras * args.per_camera
    with tempfile.TemporaryDirectory(prefix="psvis-bench-audit-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        began = time.perf_counter()
        build(settings, cameras=args.cameras, per_camera=args.per_camera)
        print(
            f"built {total:,} segments (files, rows, leaves) in {time.perf_counter() - began:.0f} s"
        )
        with open_context(settings) as ctx, ctx.session() as session:
            roots = {r.id: check_root(r) for r in session.scalars(select(StorageRoot))}
            began = time.perf_counter()
            leaves = sum(1 for _ in tree.leaves(session))
            rows = len(
                session.execute(
                    select(
                        Segment.camera_id,
                        Segment.seq,
                        Segment.storage_id,
                        Segment.rel_path,
                        Segment.start_at,
                        Segment.end_at,
                        Segment.size_bytes,
                        Segment.sha256,
                        Segment.expired_at,
                    )
                ).all()
            )
            files = len(_walk(roots, None))
            baseline = time.perf_counter() - began
            began = time.perf_counter()
            report = run_audit(session, roots=roots, data_dir=settings.data_dir, deep=False)
            audit = time.perf_counter() - began
    assert rows == files == total <= leaves, (leaves, rows, files)
    assert report.ok, report.counts()
    assert report.segments_checked == total
    print(f"machine: {os.cpu_count()} CPU, Python {platform.python_version()}, SQLite (WAL)")
    print(f"baseline (read every leaf, row and file size): {baseline:.1f} s")
    print(
        f"metadata audit of {total:,} segments: {audit:.1f} s "
        f"({total / audit:,.0f} segments/s), ratio audit/baseline {audit / baseline:.2f}; "
        f"target < 60 s: {'met' if audit < 60 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
