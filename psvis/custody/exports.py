"""Exports under custody (Art. 18-19, 20(2)): an evidence package or a watermarked
viewing copy of recorded footage, made only inside an open execution session whose
request approves camera × range × copy or retrieval, and logged before it can be fetched.

    stored = export(db, principal=officer, session_id=run.id, camera_id=7, start=t0,
                    end=t1, kind=ExportKind.PACKAGE, settings=settings)
    path = fetch(db, principal=officer, session_id=run.id, sha256=stored.sha256,
                 data_dir=settings.data_dir).path

* **package** — :func:`psvis.ledger.package.build_package` with the request, the approval
  and both officers in the manifest's custody slots; only segments lying wholly inside
  the approved range (originals are never cut, so a segment straddling the approval's
  edge stays out). Originals byte-identical; verifiable offline.
* **viewing copy** — :func:`psvis.custody.watermark.make_viewing_copy`: the only
  re-encode, cut exactly to ``[start, end)``, with the request number, both officers and
  their work IDs and the export time drawn over the picture.

Order (no export is ever fetchable unlogged): the gate (:func:`psvis.recording.access.
authorize_footage`, Art. 18-19) → the file written under a staging name → the gate asked
again (the session may have closed meanwhile) → one ``access`` row per segment
(:func:`psvis.custody.gate.record_access`, kind ``export``) and the ``export`` ledger entry
in one transaction, committed → the file renamed to
``<data_dir>/custody/exports/<session id>/<sha256>.<zip|mp4>`` (read-only) with a JSON
description beside it. Fetching it again (:func:`fetch`) passes the gate again — same
session, still open, request still valid — and is logged (``export.downloaded``).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy.orm import Session

from psvis.auth.models import User
from psvis.auth.policy import Action
from psvis.auth.principal import Principal
from psvis.core.config import Settings
from psvis.core.errors import Forbidden, InvalidInput, NotFound
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.custody import acts, gate, requests, rules
from psvis.custody.acts import Act
from psvis.custody.enums import AccessKind
from psvis.custody.models import ExecutionSession, RetrievalRequest
from psvis.custody.watermark import make_viewing_copy
from psvis.ledger.entries import stamp
from psvis.ledger.keys import SigningKey
from psvis.ledger.package import MAX_PACKAGE_SPAN, build_package
from psvis.ledger.package_format import CustodyFacts, OfficerFacts
from psvis.recording import access, clips, playback
from psvis.recording.models import Segment

log = logging.getLogger("psvis.custody.exports")

EXPORT_DIR: Final = Path("custody") / "exports"
STAGING: Final = ".staging"
#: Longest viewing copy: as for clips, one hour (re-encoding costs real time).
MAX_VIEWING_SPAN: Final = clips.MAX_CLIP_SPAN
#: Characters of a name drawn in the watermark (a line holds at most 160).
WATERMARK_NAME_CHARS: Final = 24
_SHA256: Final = re.compile(r"[0-9a-f]{64}")


class ExportKind(enum.StrEnum):
    """What an export produces."""

    #: An evidence package (docs/design/evidence-package.md): originals, proofs, custody.
    PACKAGE = "package"
    #: A watermarked MP4 for viewing (the only re-encode; never evidence).
    VIEWING_COPY = "viewing_copy"


EXTENSIONS: Final = {ExportKind.PACKAGE: "zip", ExportKind.VIEWING_COPY: "mp4"}
MEDIA_TYPES: Final = {ExportKind.PACKAGE: "application/zip", ExportKind.VIEWING_COPY: "video/mp4"}
MAX_SPANS: Final = {ExportKind.PACKAGE: MAX_PACKAGE_SPAN, ExportKind.VIEWING_COPY: MAX_VIEWING_SPAN}


@dataclass(frozen=True, slots=True)
class StoredExport:
    """An export on disk and what it holds (the JSON beside it says the same)."""

    session_id: int
    request_id: int
    request_number: str
    kind: ExportKind
    camera_id: int
    start: dt.datetime
    end: dt.datetime
    sha256: str
    size_bytes: int
    created_at: dt.datetime
    segments: int
    package_id: str | None
    watermark: tuple[str, ...]
    path: Path

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]

    @property
    def file_name(self) -> str:
        """The download's name: request number, camera, range (China time)."""
        local = self.start.astimezone(CHINA_TZ).strftime("%Y%m%dT%H%M%S")
        suffix = "" if self.kind is ExportKind.PACKAGE else "-viewing"
        return (
            f"{self.request_number}-camera-{self.camera_id}-{local}{suffix}.{EXTENSIONS[self.kind]}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "request_id": self.request_id,
            "request_number": self.request_number,
            "kind": str(self.kind),
            "camera_id": self.camera_id,
            "from": stamp(self.start),
            "to": stamp(self.end),
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "created_at": stamp(self.created_at),
            "segments": self.segments,
            "package_id": self.package_id,
            "watermark": list(self.watermark),
        }


# --- the facts ------------------------------------------------------------------------------


def _shown(user: User) -> str:
    return user.display_name.strip() or user.username


def custody_facts(session: Session, *, row: ExecutionSession) -> CustodyFacts:
    """The request, approval and officers of an execution session, as a package's
    manifest states them (names and work IDs as they were when the session opened)."""
    request = session.get(RetrievalRequest, row.request_id)
    approval = requests.approval_of(session, request_id=row.request_id)
    assert request is not None
    assert approval is not None
    assert approval.approved
    assert approval.scan_sha256 is not None  # an approval has its scan (CHECK constraint)
    chief = session.get(User, approval.chief_id)
    first = session.get(User, row.officer_a_id)
    second = session.get(User, row.officer_b_id)
    assert chief is not None
    assert first is not None
    assert second is not None
    return CustodyFacts(
        request_number=request.number,
        case_number=request.case_number,
        purpose=request.purpose,
        department_kind=str(request.department_kind),
        department_name=request.department_name,
        legal_basis=request.legal_basis,
        actions=tuple(sorted(set(request.actions))),
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        chief_name=_shown(chief),
        chief_work_id=chief.work_id,
        document_number=approval.document_number,
        scan_sha256=approval.scan_sha256,
        decided_at=approval.decided_at,
        session_id=row.id,
        opened_at=row.opened_at,
        first=OfficerFacts(name=_shown(first), work_id=row.officer_a_work_id),
        second=OfficerFacts(name=_shown(second), work_id=row.officer_b_work_id),
    )


def watermark_lines(facts: CustodyFacts, *, at: dt.datetime) -> list[str]:
    """What a viewing copy shows over its picture (Art. 6, 19, 20(2)): whose copy it is
    and that it is for viewing only."""

    def officer(who: OfficerFacts) -> str:
        return f"{who.name[:WATERMARK_NAME_CHARS]}（警号 {who.work_id}）"

    local = at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
    return [
        f"调取申请 {facts.request_number} · 案件 {facts.case_number[:64]}",
        f"经办人：{officer(facts.first)}、{officer(facts.second)}",
        f"导出时间 {local} (UTC+8)",
        "仅供查看 严禁外传 (第六条、第二十条)",
    ]


def viewing_plan(
    segments: list[Segment], *, start: dt.datetime, end: dt.datetime
) -> tuple[float, float]:
    """``(offset into the first segment, duration)`` in seconds for a viewing copy of
    exactly ``[start, end)``: the segments play back to back, so the duration is the sum
    of each one's overlap with the range (a hole between segments is not filled, and no
    footage after ``end`` slips in behind it)."""
    first = segments[0]
    offset = max(0.0, (start - first.start_at).total_seconds())
    duration = sum(
        max(0.0, (min(end, s.end_at) - max(start, s.start_at)).total_seconds()) for s in segments
    )
    return offset, duration


# --- exporting ------------------------------------------------------------------------------


def _officer_session(
    session: Session, *, principal: Principal, session_id: int
) -> ExecutionSession:
    """The session, if the caller is one of its officers; otherwise the gate's answer
    for a session that is not theirs (the same as for one that does not exist)."""
    row = session.get(ExecutionSession, session_id)
    if row is None or principal.user_id not in (row.officer_a_id, row.officer_b_id):
        decision = rules.not_an_officer()
        raise Forbidden(
            f"{decision.reason} ({decision.article} / {decision.article_zh})",
            details={"article": decision.article, "rule": decision.rule},
        )
    return row


def _instant(name: str, value: dt.datetime) -> dt.datetime:
    """Aware UTC, truncated to the millisecond (the precision of ledger times)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name}: a time with a UTC offset is required")
    utc = value.astimezone(dt.UTC)
    playback.check_plausible(name, utc)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def _authorize(
    session: Session,
    *,
    principal: Principal,
    session_id: int,
    camera_id: int,
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    access.authorize_footage(
        session, principal, camera_id, Action.EXPORT, start, end, custody_session=session_id
    )


def _exports_dir(data_dir: Path) -> Path:
    directory = data_dir / EXPORT_DIR
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def export(
    session: Session,
    *,
    principal: Principal,
    session_id: int,
    camera_id: int,
    start: dt.datetime,
    end: dt.datetime,
    kind: ExportKind,
    settings: Settings,
    now: dt.datetime | None = None,
) -> StoredExport:
    """Make, log and store one export (see the module docstring for the order).

    Commits the session (the package's fresh checkpoint, then the access rows and the
    ``export`` entry). Raises ``Forbidden`` (403, naming Art. 18 or 19) outside an open
    session's approved scope, ``NotFound`` for a range without recording,
    ``InvalidInput`` for a bad range, :class:`~psvis.ledger.package.PackageRefused`
    when the archive does not match its ledger."""
    start, end = _instant("from", start), _instant("to", end)
    playback.check_range(start, end, max_span=MAX_SPANS[kind])
    row = _officer_session(session, principal=principal, session_id=session_id)
    _authorize(
        session,
        principal=principal,
        session_id=session_id,
        camera_id=camera_id,
        start=start,
        end=end,
    )
    moment = (now or utcnow()).replace(microsecond=0)
    facts = custody_facts(session, row=row)
    request_id, number = row.request_id, facts.request_number
    exports = _exports_dir(settings.data_dir)
    staging = exports / STAGING
    staging.mkdir(exist_ok=True, mode=0o700)
    work = Path(tempfile.mkdtemp(prefix="export-", dir=staging))
    try:
        staged = work / f"{uuid.uuid4().hex}.{EXTENSIONS[kind]}"
        lines: list[str] = []
        package_id: str | None = None
        if kind is ExportKind.PACKAGE:
            summary = build_package(
                session,
                settings=settings,
                camera_id=camera_id,
                start=start,
                end=end,
                out=staged,
                key=SigningKey.load_or_create(settings.data_dir),
                custody=facts,
                within=gate.approved_intervals(session, session_id=session_id, camera_id=camera_id),
            )
            segment_ids = list(summary.segment_ids)
            sha256, size, package_id = summary.sha256, summary.package_bytes, summary.package_id
        else:
            segments = playback.playable_segments(
                session, camera_id=camera_id, start=start, end=end
            )
            if not segments:
                raise NotFound(
                    f"camera {camera_id} has no recording between {stamp(start)} and {stamp(end)}"
                )
            clips.check_uniform(segments)
            offset, duration = viewing_plan(segments, start=start, end=end)
            lines = watermark_lines(facts, at=moment)
            copy = make_viewing_copy(
                segments=[playback.segment_file(session, s) for s in segments],
                start_offset_s=offset,
                duration_s=duration,
                out=staged,
                lines=lines,
            )
            segment_ids = [s.id for s in segments]
            sha256, size = copy.sha256, copy.size_bytes
        # The build may have taken minutes: the session must still be open and valid.
        _authorize(
            session,
            principal=principal,
            session_id=session_id,
            camera_id=camera_id,
            start=start,
            end=end,
        )
        stored = StoredExport(
            session_id=session_id,
            request_id=request_id,
            request_number=number,
            kind=kind,
            camera_id=camera_id,
            start=start,
            end=end,
            sha256=sha256,
            size_bytes=size,
            created_at=moment,
            segments=len(segment_ids),
            package_id=package_id,
            watermark=tuple(lines),
            path=exports / str(session_id) / f"{sha256}.{EXTENSIONS[kind]}",
        )
        gate.record_access(
            session,
            principal=principal,
            session_id=session_id,
            kind=AccessKind.EXPORT,
            segments=[(segment_id, camera_id) for segment_id in segment_ids],
            now=moment,
        )
        acts.log(
            session,
            Act.EXPORT,
            at=moment,
            session=session_id,
            request=request_id,
            number=number,
            user=principal.user_id,
            kind=str(kind),
            camera=camera_id,
            start=start,
            end=end,
            sha256=sha256,
            size=size,
            package_id=package_id,
            segments=segment_ids,
        )
        session.commit()
        _publish(staged, stored)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return stored


def _publish(staged: Path, stored: StoredExport) -> None:
    """Move the logged export into place, read-only, with its description beside it."""
    directory = stored.path.parent
    directory.mkdir(exist_ok=True, mode=0o700)
    description = staged.with_suffix(".json")
    description.write_text(json.dumps(stored.as_json(), ensure_ascii=False), "utf-8")
    for path in (staged, description):
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
        path.chmod(0o400)
    os.replace(staged, stored.path)
    os.replace(description, stored.path.with_suffix(".json"))
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- fetching again ----------------------------------------------------------------------------


def _read_description(path: Path, *, session_id: int, sha256: str) -> StoredExport:
    """The JSON beside an export, checked against where it lies."""
    try:
        body = json.loads(path.with_suffix(".json").read_text("utf-8"))
        stored = StoredExport(
            session_id=int(body["session_id"]),
            request_id=int(body["request_id"]),
            request_number=str(body["request_number"]),
            kind=ExportKind(body["kind"]),
            camera_id=int(body["camera_id"]),
            start=dt.datetime.fromisoformat(body["from"]),
            end=dt.datetime.fromisoformat(body["to"]),
            sha256=str(body["sha256"]),
            size_bytes=int(body["size_bytes"]),
            created_at=dt.datetime.fromisoformat(body["created_at"]),
            segments=int(body["segments"]),
            package_id=body["package_id"],
            watermark=tuple(str(line) for line in body["watermark"]),
            path=path,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.error("export %s of session %s: unreadable description (%s)", sha256, session_id, exc)
        raise NotFound(f"export {sha256} not found") from exc
    if stored.session_id != session_id or stored.sha256 != sha256:
        log.error("export %s of session %s: its description names another", sha256, session_id)
        raise NotFound(f"export {sha256} not found")
    return stored


def fetch(
    session: Session,
    *,
    principal: Principal,
    session_id: int,
    sha256: str,
    data_dir: Path,
    now: dt.datetime | None = None,
) -> StoredExport:
    """An export of the session, to be delivered again: the caller is an officer of the
    session, which is still open, its request still valid and approving the camera ×
    range × export — then the fetch is logged (``export.downloaded``; the caller
    commits)."""
    _officer_session(session, principal=principal, session_id=session_id)
    if not _SHA256.fullmatch(sha256):
        raise NotFound("export not found")
    directory = data_dir / EXPORT_DIR / str(session_id)
    found = [directory / f"{sha256}.{ext}" for ext in EXTENSIONS.values()]
    path = next((p for p in found if p.is_file()), None)
    if path is None:
        raise NotFound(f"export {sha256} not found")
    stored = _read_description(path, session_id=session_id, sha256=sha256)
    _authorize(
        session,
        principal=principal,
        session_id=session_id,
        camera_id=stored.camera_id,
        start=stored.start,
        end=stored.end,
    )
    acts.log(
        session,
        Act.EXPORT_DOWNLOADED,
        at=now or utcnow(),
        session=session_id,
        request=stored.request_id,
        user=principal.user_id,
        kind=str(stored.kind),
        sha256=sha256,
    )
    return stored


def list_exports(*, session_id: int, data_dir: Path) -> list[StoredExport]:
    """The exports made in an execution session, newest first, as the descriptions beside
    them say (a description that does not match its file's place is left out and logged).

    Listing reveals hashes and sizes only, never a byte of footage: the caller decides who
    may see the session (delivering a file is :func:`fetch`, which passes the gate)."""
    directory = data_dir / EXPORT_DIR / str(session_id)
    if not directory.is_dir():
        return []
    found: list[StoredExport] = []
    for description in directory.glob("*.json"):
        sha256 = description.stem
        files = [directory / f"{sha256}.{ext}" for ext in EXTENSIONS.values()]
        path = next((p for p in files if p.is_file()), None)
        if not _SHA256.fullmatch(sha256) or path is None:
            continue
        try:
            found.append(_read_description(path, session_id=session_id, sha256=sha256))
        except NotFound:
            continue  # logged by _read_description
    return sorted(found, key=lambda e: (e.created_at, e.sha256), reverse=True)


__all__ = [
    "EXPORT_DIR",
    "ExportKind",
    "StoredExport",
    "custody_facts",
    "export",
    "fetch",
    "list_exports",
    "viewing_plan",
    "watermark_lines",
]
