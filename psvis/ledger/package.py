"""Evidence packages: a camera's original segments over a range, proved to be in the
ledger, in one zip that anyone can verify offline (docs/design/evidence-package.md).

Art. 20(3) forbids altering or destroying original records; a package lets a court, a
lawyer or another bureau check, without trusting the archive's operator, that each file
is byte for byte the one sealed into the log. The exporter refuses to package anything
that does not match the ledger: a file whose size or hash differs from its
``segment.sealed`` entry, an entry not in the tree, a proof that does not reach a signed
checkpoint.

Who may export is decided by the caller: the custody API
(:mod:`psvis.custody.exports`, Art. 18-19) passes the request, approval and officers as
:class:`~psvis.ledger.package_format.CustodyFacts` for the manifest's custody slots and
only the segments inside the approved range; the installation's operator at the server
console (``psvis export``) leaves the slots null. Both log the export on the ledger
before the file appears under its final name.

Steps: integrate and sign a fresh checkpoint; pick the checkpoint (the newest one
covering every segment's leaf that a witness cosigned, else the newest); hash each file
against its entry; cut ``view.mp4`` with :mod:`psvis.recording.clips` (``-c copy``);
sign the manifest; write the canonical zip to a temporary file (each file re-hashed as
it is copied), fsync, rename into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

import psvis
from psvis.core.config import Settings
from psvis.core.errors import Conflict, InvalidInput, NotFound, PsvisError
from psvis.core.timeutil import utcnow
from psvis.ledger import entries, merkle, tree
from psvis.ledger import service as ledger
from psvis.ledger.checkpoints import Checkpoint, CheckpointError, Cosignature
from psvis.ledger.keys import SigningKey
from psvis.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerEntry
from psvis.ledger.package_format import (
    CHECKPOINT,
    CHUNK,
    FINGERPRINT,
    MANIFEST,
    SIGNATURE,
    VIEW,
    CustodyFacts,
    FileSink,
    Manifest,
    MemberChanged,
    SegmentRecord,
    ZipMember,
    fingerprint_text,
    segment_path,
    signature_text,
    write_canonical_zip,
)
from psvis.recording import clips, playback
from psvis.recording.models import Segment
from psvis.registry.models import Camera, Jurisdiction, Site, System, Unit

#: Longest range one package covers (one day; longer periods are several packages).
MAX_PACKAGE_SPAN = dt.timedelta(hours=24)
VIEW_NOTE = (
    "A viewing copy of the range, copied from the segments without re-encoding (ffmpeg "
    "-c copy). Copy mode cuts at keyframes: it starts at the keyframe at or before 'from' "
    "(up to one GOP early) and ends at 'to'; holes between segments are not filled. The "
    "segments are the evidence; this file is for viewing."
)


class PackageRefused(PsvisError):
    """The archive does not match its ledger: nothing is packaged."""

    status_code = 409
    code = "package_refused"


@dataclass(frozen=True, slots=True)
class PackageSummary:
    path: Path
    package_id: str
    camera_id: int
    gb_id: str
    camera_name: str
    start: dt.datetime
    end: dt.datetime
    segments: int
    first_seq: int
    last_seq: int
    segment_bytes: int
    view_bytes: int
    package_bytes: int
    tree_size: int
    root_hex: str
    cosignatures: int
    key_id: str
    key_fingerprint: str
    #: SHA-256 of the package file.
    sha256: str
    #: The packaged segments' ids, in order (for the custody access log).
    segment_ids: tuple[int, ...]
    #: Whether the manifest carries a custody record (request, approval, officers).
    custody: bool


@dataclass(frozen=True, slots=True)
class _Part:
    segment: Segment
    path: Path
    entry: bytes
    leaf_index: int
    sha256: str
    crc32: int


def _millis(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None:
        raise InvalidInput(f"{name}: a time with a UTC offset is required")
    utc = moment.astimezone(dt.UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def _camera_facts(session: Session, camera_id: int) -> dict[str, dict[str, str | int]]:
    """The registry's description of the camera, as the manifest states it. Read by id:
    the caller has decided the export is allowed (CLI: the installation's operator)."""
    camera = session.get(Camera, camera_id)
    if camera is None:
        raise NotFound(f"camera {camera_id} does not exist")
    system = session.get(System, camera.system_id)
    site = session.get(Site, system.site_id) if system is not None else None
    unit = session.get(Unit, system.user_unit_id) if system is not None else None
    place = session.get(Jurisdiction, camera.jurisdiction_code)
    return {
        "camera": {"id": camera.id, "gb_id": camera.gb_id, "name": camera.name},
        "site": {
            "name": site.name if site else "",
            "address": site.address if site else "",
        },
        "unit": {
            "name": unit.name if unit else "",
            "credit_code": unit.credit_code if unit else "",
        },
        "jurisdiction": {
            "code": camera.jurisdiction_code,
            "name": place.name if place else "",
        },
    }


def _sign_fresh(session: Session, *, settings: Settings, key: SigningKey) -> None:
    """Integrate everything queued and sign a checkpoint by ``key`` covering it."""
    ledger.ensure_log(session, node_name=settings.node_name, key=key)
    signed = ledger.sign_checkpoint(session, key=key, data_dir=settings.data_dir, now=utcnow())
    session.commit()
    if signed is not None:
        ledger.append_to_log(settings.data_dir, signed)
    last = ledger.latest(session)
    if last is None or last.key_id != key.public.key_id:  # a rotated key: sign anew
        signed = ledger.sign_checkpoint(
            session,
            key=key,
            data_dir=settings.data_dir,
            now=utcnow(),
            max_age=dt.timedelta(0),
        )
        session.commit()
        if signed is not None:
            ledger.append_to_log(settings.data_dir, signed)


def _choose_checkpoint(
    session: Session, *, key: SigningKey, needed_size: int
) -> tuple[Checkpoint, tuple[Cosignature, ...]]:
    """The newest checkpoint by ``key`` covering ``needed_size`` leaves that a witness
    cosigned, else the newest covering them; its note verified."""
    covering = select(LedgerCheckpoint).where(
        LedgerCheckpoint.key_id == key.public.key_id,
        LedgerCheckpoint.tree_size >= needed_size,
    )
    cosigned = exists().where(LedgerCosignature.checkpoint_id == LedgerCheckpoint.id)
    row = (
        session.scalars(
            covering.where(cosigned).order_by(LedgerCheckpoint.id.desc()).limit(1)
        ).first()
        or session.scalars(covering.order_by(LedgerCheckpoint.id.desc()).limit(1)).first()
    )
    if row is None:
        raise PackageRefused("no signed checkpoint covers the segments' ledger entries")
    try:
        checkpoint = Checkpoint.parse(row.note)
    except CheckpointError as exc:
        raise PackageRefused(f"checkpoint {row.id} in the database is malformed: {exc}") from exc
    if not checkpoint.verify(key.public) or checkpoint.size != row.tree_size:
        raise PackageRefused(f"checkpoint {row.id} in the database does not verify")
    cosignatures = tuple(
        Cosignature(
            witness_name=c.witness_name,
            witness_key_id=c.witness_key_id,
            time=c.cosigned_at,
            signature=bytes(c.signature),
        )
        for c in session.scalars(
            select(LedgerCosignature)
            .where(LedgerCosignature.checkpoint_id == row.id)
            .order_by(LedgerCosignature.witness_key_id)
        )
    )
    return checkpoint, cosignatures


def _sealed_entry(session: Session, segment: Segment) -> tuple[bytes, int]:
    rows = session.execute(
        select(LedgerEntry.entry, LedgerEntry.leaf_index).where(
            LedgerEntry.type == str(entries.EntryType.SEGMENT_SEALED),
            LedgerEntry.camera_id == segment.camera_id,
            LedgerEntry.seq == segment.seq,
        )
    ).all()
    where = f"segment seq {segment.seq} of camera {segment.camera_id}"
    if len(rows) != 1:
        raise PackageRefused(
            f"{where} has {len(rows)} segment.sealed ledger entries, not one: run `psvis audit`"
        )
    entry, leaf_index = bytes(rows[0][0]), rows[0][1]
    if leaf_index is None:
        raise PackageRefused(f"{where}: its ledger entry is not in the tree yet")
    body = entries.decode(entry)
    if (
        body.get("sha256") != segment.sha256
        or body.get("size") != segment.size_bytes
        or body.get("start") != entries.stamp(segment.start_at)
        or body.get("end") != entries.stamp(segment.end_at)
    ):
        raise PackageRefused(
            f"{where}: the index row disagrees with its ledger entry (hash, size or times): "
            "run `psvis audit`"
        )
    return entry, int(leaf_index)


def _hash_file(path: Path) -> tuple[int, str, int]:
    digest, crc, size = hashlib.sha256(), 0, 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return size, digest.hexdigest(), crc


def _part(session: Session, segment: Segment) -> _Part:
    entry, leaf_index = _sealed_entry(session, segment)
    try:
        path = playback.segment_file(session, segment)
    except PsvisError as exc:
        raise PackageRefused(
            f"segment seq {segment.seq} of camera {segment.camera_id}: {exc.message}"
        ) from exc
    size, sha256, crc = _hash_file(path)
    body = entries.decode(entry)
    if size != body["size"] or sha256 != body["sha256"]:
        raise PackageRefused(
            f"segment seq {segment.seq} of camera {segment.camera_id}: its file "
            f"({size} bytes, SHA-256 {sha256[:16]}…) is not the one sealed in the ledger "
            f"({body['size']} bytes, {str(body['sha256'])[:16]}…): the archive was altered; "
            "run `psvis audit`"
        )
    return _Part(segment, path, entry, leaf_index, sha256, crc)


def _parts(session: Session, segments: list[Segment]) -> list[_Part]:
    """Every segment checked against the ledger; all mismatches reported at once."""
    parts: list[_Part] = []
    problems: list[str] = []
    for segment in segments:
        try:
            parts.append(_part(session, segment))
        except PackageRefused as exc:
            problems.append(exc.message)
    if len(problems) == 1:
        raise PackageRefused(f"{problems[0]}. Nothing was packaged.")
    if problems:
        shown = "\n  ".join(problems[:10])
        more = f"\n  … and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise PackageRefused(
            f"{len(problems)} segments do not match the ledger; nothing was packaged:\n  "
            f"{shown}{more}"
        )
    return parts


def build_package(
    session: Session,
    *,
    settings: Settings,
    camera_id: int,
    start: dt.datetime,
    end: dt.datetime,
    out: Path,
    key: SigningKey,
    overwrite: bool = False,
    custody: CustodyFacts | None = None,
    within: Sequence[tuple[dt.datetime, dt.datetime]] | None = None,
) -> PackageSummary:
    """Write the evidence package of ``camera_id`` over ``[start, end)`` to ``out``.

    ``custody``: the request, approval and officers for the manifest's custody slots
    (None: the slots stay null, an operator's export). ``within``: package only the
    segments lying wholly inside these half-open intervals — an approved range
    (Art. 18) is never widened by a segment straddling its edge, and originals are
    never cut.

    Commits the session (the fresh checkpoint). Raises :class:`PackageRefused` when the
    archive does not match the ledger, ``NotFound`` for an unknown camera or an empty
    range, ``InvalidInput`` for a bad range, ``Conflict`` when ``out`` exists and
    ``overwrite`` is false."""
    start, end = _millis(start, "from"), _millis(end, "to")
    playback.check_range(start, end, max_span=MAX_PACKAGE_SPAN)
    out = out.absolute()
    if out.exists() and not overwrite:
        raise Conflict(f"{out} exists; choose another name or allow replacing it")
    if not out.parent.is_dir():
        raise InvalidInput(f"{out.parent} is not a directory")
    facts = _camera_facts(session, camera_id)
    _sign_fresh(session, settings=settings, key=key)
    segments = playback.playable_segments(session, camera_id=camera_id, start=start, end=end)
    if within is not None:
        segments = [
            s for s in segments if any(a <= s.start_at and s.end_at <= b for a, b in within)
        ]
    if not segments:
        inside = " (whole segments inside the approved range)" if within is not None else ""
        raise NotFound(
            f"camera {camera_id} has no recording between {entries.stamp(start)} and "
            f"{entries.stamp(end)}{inside}"
        )
    parts = _parts(session, segments)
    checkpoint, cosignatures = _choose_checkpoint(
        session, key=key, needed_size=max(p.leaf_index for p in parts) + 1
    )
    records = []
    for part in parts:
        proof = tree.inclusion(session, index=part.leaf_index, size=checkpoint.size)
        if not merkle.verify_inclusion(
            leaf=merkle.leaf_hash(part.entry),
            index=part.leaf_index,
            size=checkpoint.size,
            proof=proof,
            root_hash=checkpoint.root,
        ):
            raise PackageRefused(
                f"segment seq {part.segment.seq}: the stored tree does not prove its entry "
                f"against signed checkpoint {checkpoint.size}: the ledger was rewritten; "
                "run `psvis audit`. Nothing was packaged."
            )
        body = entries.decode(part.entry)
        records.append(
            SegmentRecord(
                seq=part.segment.seq,
                path=segment_path(part.segment.seq, part.path.name),
                size=int(body["size"]),
                sha256=str(body["sha256"]),
                start=entries.parse_stamp(str(body["start"])),
                end=entries.parse_stamp(str(body["end"])),
                leaf_index=part.leaf_index,
                entry=part.entry,
                inclusion_proof=tuple(proof),
            )
        )
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise InvalidInput(f"cannot write in {out.parent}: {exc.strerror or exc}") from exc
    try:
        view = work / VIEW
        span_hours = (end - start).total_seconds() / 3600
        clips.write_clip(
            [(p.segment, p.path) for p in parts],
            start=start,
            end=end,
            out=view,
            timeout=clips.CLIP_TIMEOUT_S * max(1.0, span_hours),
        )
        view_size, view_sha256, view_crc = _hash_file(view)
        manifest = Manifest(
            package_id=str(uuid.uuid4()),
            created=utcnow(),
            camera=dict(facts["camera"]),
            site={k: str(v) for k, v in facts["site"].items()},
            unit={k: str(v) for k, v in facts["unit"].items()},
            jurisdiction={k: str(v) for k, v in facts["jurisdiction"].items()},
            range_from=start,
            range_to=end,
            segments=tuple(records),
            origin=checkpoint.origin,
            tree_size=checkpoint.size,
            root=checkpoint.root,
            cosignatures=cosignatures,
            view_sha256=view_sha256,
            view_size=view_size,
            view_note=VIEW_NOTE,
            key_id=key.public.key_id,
            key_fingerprint=key.public.fingerprint,
            generator=f"psvis {psvis.__version__}",
            custody=custody,
        )
        manifest_bytes = manifest.encode()
        members = [
            ZipMember.of_bytes(MANIFEST, manifest_bytes),
            ZipMember.of_bytes(SIGNATURE, signature_text(key.sign(manifest_bytes))),
            ZipMember.of_bytes(CHECKPOINT, checkpoint.note().encode()),
            ZipMember.of_bytes(
                FINGERPRINT, fingerprint_text(key.public.key_id, key.public.fingerprint)
            ),
            *(
                ZipMember(
                    name=record.path,
                    size=record.size,
                    crc32=part.crc32,
                    source=part.path,
                    sha256=part.sha256,
                )
                for record, part in zip(records, parts, strict=True)
            ),
            ZipMember(name=VIEW, size=view_size, crc32=view_crc, source=view, sha256=view_sha256),
        ]
        staged = work / "package.zip"
        with staged.open("wb") as handle:
            sink = FileSink(handle)
            try:
                write_canonical_zip(sink, members)
            except MemberChanged as exc:
                raise PackageRefused(f"{exc}; nothing was packaged") from exc
            handle.flush()
            os.fsync(handle.fileno())
        if out.exists() and not overwrite:
            raise Conflict(f"{out} appeared while the package was written; not replaced")
        os.replace(staged, out)
        _fsync_dir(out.parent)
    except OSError as exc:  # disk full, permissions: say so, leave nothing behind
        raise PsvisError(
            f"writing {out} failed: {exc.strerror or exc}; nothing was packaged"
        ) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return PackageSummary(
        path=out,
        package_id=manifest.package_id,
        camera_id=camera_id,
        gb_id=str(facts["camera"]["gb_id"]),
        camera_name=str(facts["camera"]["name"]),
        start=start,
        end=end,
        segments=len(records),
        first_seq=records[0].seq,
        last_seq=records[-1].seq,
        segment_bytes=sum(r.size for r in records),
        view_bytes=view_size,
        package_bytes=out.stat().st_size,
        tree_size=checkpoint.size,
        root_hex=checkpoint.root.hex(),
        cosignatures=len(cosignatures),
        key_id=key.public.key_id,
        key_fingerprint=key.public.fingerprint,
        sha256=sink.digest.hexdigest(),
        segment_ids=tuple(p.segment.id for p in parts),
        custody=custody is not None,
    )


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["MAX_PACKAGE_SPAN", "PackageRefused", "PackageSummary", "build_package"]
