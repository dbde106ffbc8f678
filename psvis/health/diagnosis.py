"""Diagnosing a camera, and its baselines.

A diagnosis reads the first keyframes of the camera's newest sealed segment — a file
the recorder already wrote: no extra stream pull — and runs the pure VQD core
(:func:`psvis.health.vqd.diagnose`) against the camera's current baseline. The row keeps
the evidence: metrics, faults, the baseline compared with and (when it says something
new) a thumbnail.

Baselines (what the camera saw when accepted):

* :func:`capture_baseline` — explicit (API/CLI, at acceptance): from the newest segment
  whose keyframes diagnose clean without a baseline;
* automatically, by the first good diagnosis of a camera that has none;
* the night reference is added the first time a good, all-night (greyscale) diagnosis is
  seen on a camera whose baseline has only a day reference.

Every step flushes and never commits; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.principal import Principal
from psvis.core.errors import Conflict, PsvisError
from psvis.core.timeutil import utcnow
from psvis.health import acts
from psvis.health.enums import BaselineSource
from psvis.health.models import CameraHealth, HealthBaseline, HealthDiagnosis
from psvis.health.vqd import (
    Baseline,
    BaselineError,
    Diagnosis,
    Frame,
    KeyframeError,
    VqdThresholds,
    diagnose,
    no_video,
    read_keyframes,
    thumbnail_jpeg,
)
from psvis.recording.models import Segment
from psvis.recording.playback import PLAYABLE, segment_file

log = logging.getLogger("psvis.health")

#: A faulty camera keeps a picture at least this often (evidence of a lasting fault).
THUMBNAIL_EVERY = dt.timedelta(hours=1)
#: Segments looked at, newest first, to find a clean one for an explicit capture.
CAPTURE_LOOKBACK = 5
#: Keyframes used to capture a baseline (their pixel-wise median is the reference).
CAPTURE_KEYFRAMES = 8


@dataclass(frozen=True, slots=True)
class Outcome:
    """A stored diagnosis with the pure result and the segment it read."""

    row: HealthDiagnosis
    diagnosis: Diagnosis
    segment: Segment | None
    baseline_captured: HealthBaseline | None


def camera_health(session: Session, camera_id: int) -> CameraHealth:
    """The camera's health row, created on first use."""
    row = session.get(CameraHealth, camera_id)
    if row is None:
        row = CameraHealth(camera_id=camera_id, fault_classes=[], streaks={})
        session.add(row)
        session.flush()
    return row


def newest_segments(session: Session, camera_id: int, *, limit: int = 1) -> list[Segment]:
    """The camera's newest playable segments, newest first (an index seek)."""
    return list(
        session.scalars(
            select(Segment)
            .where(Segment.camera_id == camera_id, Segment.state.in_(PLAYABLE))
            .order_by(Segment.start_at.desc())
            .limit(limit)
        )
    )


def _frames(session: Session, segment: Segment, *, limit: int) -> list[Frame]:
    """The segment's first ``limit`` keyframes; none when the file is unreadable."""
    try:
        path = segment_file(session, segment)
        return [k.frame for k in read_keyframes(path, limit=limit)]
    except (KeyframeError, PsvisError) as exc:
        log.warning(
            "camera %s segment %s: no keyframe decoded: %s", segment.camera_id, segment.id, exc
        )
        return []


def current_baseline(
    session: Session, health: CameraHealth
) -> tuple[HealthBaseline | None, Baseline | None]:
    if health.baseline_id is None:
        return None, None
    row = session.get(HealthBaseline, health.baseline_id)
    if row is None:
        return None, None
    try:
        return row, Baseline.from_bytes(row.data)
    except BaselineError as exc:  # a stored format this build cannot read: diagnose without
        log.error("camera %s baseline %s unreadable: %s", health.camera_id, row.id, exc)
        return row, None


def _store_baseline(
    session: Session,
    *,
    health: CameraHealth,
    baseline: Baseline,
    source: BaselineSource,
    segment: Segment | None,
    now: dt.datetime,
    user_id: int | None = None,
) -> HealthBaseline:
    row = HealthBaseline(
        camera_id=health.camera_id,
        data=baseline.to_bytes(),
        has_day=baseline.day is not None,
        has_night=baseline.night is not None,
        source=source,
        segment_id=segment.id if segment else None,
        captured_at=now,
        captured_by=user_id,
    )
    session.add(row)
    session.flush()
    health.baseline_id = row.id
    acts.record(
        session,
        act="baseline.captured",
        at=now,
        camera_id=health.camera_id,
        baseline=row.id,
        source=source.value,
        segment=row.segment_id,
        day=row.has_day,
        night=row.has_night,
        by=user_id,
    )
    return row


def _fault_json(diagnosis: Diagnosis) -> list[dict[str, Any]]:
    return [
        {"class": f.fault_class.value, "detail": f.detail, "frame": f.frame_index}
        for f in diagnosis.faults
    ]


def _evidence_frame(diagnosis: Diagnosis, frames: list[Frame]) -> Frame | None:
    if not frames:
        return None
    index = diagnosis.faults[0].frame_index if diagnosis.faults else len(frames) - 1
    return frames[index if 0 <= index < len(frames) else -1]


def _keep_thumbnail(
    health: CameraHealth | None, classes: list[str], good: bool, now: dt.datetime
) -> bool:
    """Keep a picture when the outcome changes, and at least hourly while faulty."""
    if health is None or health.last_diagnosis_id is None:
        return True
    if classes != list(health.fault_classes):
        return True
    if good:
        return False
    return health.last_thumbnail_at is None or now - health.last_thumbnail_at >= THUMBNAIL_EVERY


def _streaks(previous: dict[str, Any], classes: list[str], now: dt.datetime) -> dict[str, Any]:
    """Consecutive faulty diagnoses per class: absent classes drop out."""
    return {
        c: {
            "count": int(previous.get(c, {}).get("count", 0)) + 1,
            "since": previous.get(c, {}).get("since", now.isoformat()),
        }
        for c in classes
    }


def run_diagnosis(
    session: Session,
    *,
    camera_id: int,
    thresholds: VqdThresholds,
    keyframes: int = 3,
    now: dt.datetime | None = None,
    force: bool = False,
) -> Outcome | None:
    """Diagnose the camera from its newest segment and store the result.

    None when there is nothing new to look at: no segment, or (unless ``force``) the
    newest segment was already diagnosed — a camera that stopped recording is an outage,
    which liveness and the outage tickets handle, not a picture fault."""
    now = now or utcnow()
    # Reads and the decode first, writes last: on SQLite the first write takes the
    # database's write lock, which the recorders need to seal their segments.
    known = session.get(CameraHealth, camera_id)
    newest = newest_segments(session, camera_id)
    if not newest:
        return None
    segment = newest[0]
    if not force and known is not None and known.last_segment_id == segment.id:
        return None
    frames = _frames(session, segment, limit=keyframes)
    baseline_row, baseline = current_baseline(session, known) if known else (None, None)
    diagnosis = diagnose(frames, baseline=baseline, thresholds=thresholds) if frames else no_video()
    classes = sorted(f.fault_class.value for f in diagnosis.faults)

    thumb = None
    if _keep_thumbnail(known, classes, diagnosis.good, now):
        frame = _evidence_frame(diagnosis, frames)
        thumb = thumbnail_jpeg(frame) if frame is not None else None
    health = known or camera_health(session, camera_id)
    row = HealthDiagnosis(
        camera_id=camera_id,
        segment_id=segment.id,
        diagnosed_at=now,
        good=diagnosis.good,
        fault_classes=classes,
        faults=_fault_json(diagnosis),
        metrics={k: float(v) for k, v in sorted(diagnosis.metrics.items())},
        frame_count=diagnosis.frame_count,
        reference=diagnosis.reference,
        baseline_id=baseline_row.id if baseline_row is not None and baseline is not None else None,
        thumbnail_jpeg=thumb,
    )
    session.add(row)
    session.flush()

    captured = None
    if diagnosis.good and frames:
        night_frames = int(diagnosis.metrics.get("night_frames", 0))
        if baseline is None:
            captured = _store_baseline(
                session,
                health=health,
                baseline=Baseline.capture(frames, thresholds=thresholds),
                source=BaselineSource.AUTO,
                segment=segment,
                now=now,
            )
        elif baseline.night is None and night_frames == len(frames):
            captured = _store_baseline(
                session,
                health=health,
                baseline=baseline.with_reference(frames, thresholds=thresholds),
                source=BaselineSource.NIGHT,
                segment=segment,
                now=now,
            )

    health.streaks = _streaks(dict(health.streaks or {}), classes, now)
    health.fault_classes = classes
    health.last_diagnosis_id = row.id
    health.last_diagnosed_at = now
    health.last_segment_id = segment.id
    if thumb is not None:
        health.last_thumbnail_at = now
    health.updated_at = now
    if not diagnosis.good:
        acts.record(
            session,
            act="fault.diagnosed",
            at=now,
            camera_id=camera_id,
            diagnosis=row.id,
            segment=segment.id,
            faults=classes,
            baseline=row.baseline_id,
            metrics=acts.decimal_strings(diagnosis.metrics),
        )
    session.flush()
    return Outcome(row=row, diagnosis=diagnosis, segment=segment, baseline_captured=captured)


def capture_baseline(
    session: Session,
    *,
    camera_id: int,
    thresholds: VqdThresholds,
    principal: Principal | None = None,
    now: dt.datetime | None = None,
) -> HealthBaseline:
    """Capture the camera's baseline from its newest clean segment (explicit: at
    acceptance, or after a lawful change). Refused (409) when none of the newest
    ``CAPTURE_LOOKBACK`` segments diagnoses clean: a baseline of a faulty picture would
    make the fault the norm."""
    now = now or utcnow()
    health = camera_health(session, camera_id)
    segments = newest_segments(session, camera_id, limit=CAPTURE_LOOKBACK)
    if not segments:
        raise Conflict(f"camera {camera_id} has no recorded segment to capture a baseline from")
    seen: list[str] = []
    for segment in segments:
        frames = _frames(session, segment, limit=CAPTURE_KEYFRAMES)
        if not frames:
            seen.append(f"segment {segment.id}: unreadable")
            continue
        clean = diagnose(frames, baseline=None, thresholds=thresholds)
        if clean.good:
            return _store_baseline(
                session,
                health=health,
                baseline=Baseline.capture(frames, thresholds=thresholds),
                source=BaselineSource.CAPTURE,
                segment=segment,
                now=now,
                user_id=principal.user_id if principal else None,
            )
        seen.append(f"segment {segment.id}: {', '.join(sorted(clean.classes))}")
    raise Conflict(
        f"no clean segment among camera {camera_id}'s newest {len(segments)}: " + "; ".join(seen),
        details={"segments": seen},
    )
