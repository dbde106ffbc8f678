"""One camera's recorder: a supervised ``ffmpeg -c copy`` run after run.

Each run writes MPEG-TS segments into the camera's writing directory; ffmpeg reports
each closed segment on stdout (segment list CSV) and the recorder seals it at once
(S1), closes any open outage at its start (S6) and updates the status row. When a run
ends — camera gone, stream broken, ffmpeg killed, watchdog — the partial file is
recovered or quarantined, an outage with the classified cause is opened, and the next
run starts after a capped exponential backoff. Time placement: docs/design/time.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy import Table, bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from psvis.core.timeutil import utcnow
from psvis.recording import lease
from psvis.recording.enums import OutageCause, RecorderState
from psvis.recording.ffmpeg import ffmpeg_exe, spawn, stop
from psvis.recording.media import (
    FileDigest,
    MediaFacts,
    UnplayableFile,
    probe,
    stream_params,
    sync_hash_count,
)
from psvis.recording.models import RecorderStatus
from psvis.recording.outages import classify, close_outage, open_outage
from psvis.recording.recovery import RecoveryReport, recover_camera, writing_dir
from psvis.recording.sealing import previous_end, seal_file
from psvis.recording.segment_list import ClosedSegment, parse_line
from psvis.recording.storage import Root

log = logging.getLogger("psvis.recording.recorder")

#: The supervising loop sleeps until ffmpeg reports (a segment line, or end of output)
#: or the next deadline of its own (lease renewal, watchdog) — not on a fixed tick: a
#: two-second tick cost eight idle recorders 0.05 CPU-s a minute, a third of everything
#: the recorder adds to ffmpeg between seals (bench/recording.py). Stop and storage
#: refusal end ffmpeg, whose end of output wakes the loop at once. The floor keeps a
#: deadline just passed from spinning.
MIN_WAIT_SECONDS = 0.05
#: A run asked to end (stop, storage refusal) gets this long to close its segment after
#: SIGTERM before it is killed (the killed run's partial file is recovered).
TERM_GRACE_SECONDS = 10.0

_STATUS_TABLE: Table = RecorderStatus.__table__  # type: ignore[assignment]
#: The status row's UPDATE, compiled once and cached by SQLAlchemy.
_STATUS_UPDATE = (
    update(_STATUS_TABLE)
    .where(_STATUS_TABLE.c.camera_id == bindparam("b_camera_id"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "node",
                "state",
                "restarts",
                "last_segment_at",
                "bitrate_bps",
                "last_error",
                "updated_at",
            )
        }
    )
)
BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
#: Wall clock moving this much more or less than the monotonic clock is a clock step.
CLOCK_STEP_MS = 2000
_EOF = object()


class Source(Protocol):
    """What the recorder needs of a source (``psvis.recording.sources``)."""

    def input_args(self) -> list[str]: ...

    def redacted(self) -> str: ...

    def scrub(self, text: str) -> str: ...


@dataclass
class RecorderInfo:
    """What the recorder knows about itself, for status rows and tests."""

    state: RecorderState = RecorderState.STARTING
    restarts: int = 0
    segments: int = 0
    last_segment_at: dt.datetime | None = None
    bitrate_bps: int = 0
    last_error: str = ""
    pid: int | None = None
    events: deque[str] = field(default_factory=lambda: deque(maxlen=200))
    #: Seconds from ffmpeg reporting a closed segment to its row being committed.
    commit_latencies: deque[float] = field(default_factory=lambda: deque(maxlen=100_000))


class CameraRecorder:
    """Records one camera until :meth:`stop`. Thread-safe start/stop; one thread."""

    def __init__(
        self,
        *,
        camera_id: int,
        source: Source,
        root: Root,
        sessions: sessionmaker[Session],
        node: str,
        segment_seconds: int = 60,
        lease_seconds: int = 30,
        backoff_max_s: float = BACKOFF_MAX_S,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.camera_id = camera_id
        self.source = source
        self.root = root
        self.sessions = sessions
        self.node = node
        self.segment_seconds = segment_seconds
        self.lease_seconds = lease_seconds
        self.backoff_max_s = backoff_max_s
        self.clock = clock
        self.info = RecorderInfo()
        self._stop = threading.Event()
        self._stop_reason = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._run, name=f"recorder-{camera_id}", daemon=True)
        #: Wall clock and monotonic clock when the current run started (media time 0).
        self._anchor: tuple[dt.datetime, float] = (clock(), time.monotonic())
        self._last_end: dt.datetime | None = None
        #: The camera's last sealed (seq, end), known after this recorder's first seal.
        self._last_sealed: tuple[int, dt.datetime | None] | None = None
        #: Codec, width and height of the current run (read from its first segment).
        self._run_params: tuple[str, int, int] | None = None
        #: Set when the storage refuses (full or failing): the run stops with this cause.
        self._storage_cause: OutageCause | None = None
        #: Whether an outage of this camera may be open (one may be left from before this
        #: recorder started), so a seal looks for one to close only when it may exist.
        self._outage_may_be_open = True
        #: The current run's queue of ffmpeg news: ``stop`` puts a wake-up into it.
        self._wake: queue.Queue[object] | None = None

    # --- control ---------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, reason: str = "operator stop", timeout: float = 15.0) -> None:
        """Stop recording: ffmpeg closes its segment, which is sealed; an outage
        ``operator_stop`` with ``reason`` covers the time until recording resumes."""
        self._stop_reason = reason
        self._stop.set()
        # The supervising loop sends ffmpeg its one SIGTERM (a second one makes ffmpeg
        # exit at once, leaving its segment to recovery): wake it.
        wake = self._wake
        if wake is not None:
            wake.put(None)
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    # --- the loop --------------------------------------------------------------------

    def _watchdog_seconds(self) -> float:
        return 2 * self.segment_seconds + 10

    def _argv(self, run_id: str) -> list[str]:
        out = writing_dir(self.root, self.camera_id) / f"{run_id}-%06d.ts"
        return [
            ffmpeg_exe(),
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "level+warning",
            *self.source.input_args(),
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-f",
            "segment",
            # Every packet reaches the file at once: a killed ffmpeg leaves a playable
            # file up to its last packet. (The inner muxer of each segment otherwise
            # holds the whole segment back until it closes; the top-level -flush_packets
            # does not reach it.)
            "-segment_format_options",
            "flush_packets=1",
            "-segment_time",
            str(self.segment_seconds),
            "-segment_format",
            "mpegts",
            "-reset_timestamps",
            "1",
            "-segment_list",
            "pipe:1",
            "-segment_list_type",
            "csv",
            str(out),
        ]

    def _run(self) -> None:
        backoff = BACKOFF_FIRST_S
        with self.sessions() as session:
            self._last_end = previous_end(session, self.camera_id)
        while not self._stop.is_set():
            try:
                if not self._take_lease():
                    self._set_state(RecorderState.STOPPED, "lease held by another node")
                    self._stop.wait(self.lease_seconds / 3)
                    continue
                if self.root.free_bytes() < self.root.reserve_bytes:
                    self._outage(OutageCause.STORAGE_FULL, "free space below the reserve")
                    self._set_state(RecorderState.RECONNECTING, "storage full")
                    self._stop.wait(5)
                    continue
                sealed_any = self._one_run()
            except Exception as exc:  # never let the supervisor die with the camera
                log.exception("camera %s: recorder error", self.camera_id)
                self._note(f"recorder error: {exc.__class__.__name__}: {exc}")
                self._outage(OutageCause.RECORDER_CRASH, f"recorder error: {exc}"[:500])
                sealed_any = False
            if self._stop.is_set():
                break
            backoff = BACKOFF_FIRST_S if sealed_any else min(backoff * 2, self.backoff_max_s)
            self.info.restarts += 1
            self._set_state(RecorderState.RECONNECTING)
            self._stop.wait(backoff)
        self._outage(OutageCause.OPERATOR_STOP, self._stop_reason or "operator stop")
        self._set_state(RecorderState.STOPPED)
        with self.sessions() as session:
            lease.release(session, camera_id=self.camera_id, node=self.node, now=self.clock())

    def _one_run(self) -> bool:
        """One ffmpeg run. Returns whether it sealed at least one segment."""
        writing_dir(self.root, self.camera_id).mkdir(parents=True, exist_ok=True)
        run_id = self.clock().strftime("%Y%m%dT%H%M%S%fZ")
        process = spawn(self._argv(run_id), env={"TZ": "UTC"})
        # Media time 0 of the run is its first packet, received right after connecting.
        self._anchor = (self.clock(), time.monotonic())
        self._run_params = None
        self._process = process
        self.info.pid = process.pid
        lines: queue.Queue[object] = queue.Queue()
        stderr_tail: deque[str] = deque(maxlen=40)
        readers = [
            threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True),
            threading.Thread(
                target=self._pump_stderr, args=(process.stderr, stderr_tail), daemon=True
            ),
        ]
        for reader in readers:
            reader.start()
        self._set_state(RecorderState.RECORDING)
        sealed_any = stalled = False
        terminated_at: float | None = None
        last_progress = time.monotonic()
        next_renew = time.monotonic() + self.lease_seconds / 2
        eof = False
        self._wake = lines
        if self._stop.is_set():  # stopped while this run was starting
            lines.put(None)
        while not eof:
            deadline = min(next_renew, last_progress + self._watchdog_seconds())
            if terminated_at is not None:
                deadline = min(deadline, terminated_at + TERM_GRACE_SECONDS)
            try:
                item = lines.get(timeout=max(MIN_WAIT_SECONDS, deadline - time.monotonic()))
            except queue.Empty:
                item = None
            if item is _EOF:
                eof = True
            elif isinstance(item, tuple) and self._seal_line(*item):
                sealed_any = True
                last_progress = time.monotonic()
                if self._storage_cause is None and self.root.free_bytes() < self.root.reserve_bytes:
                    self._storage_cause = OutageCause.STORAGE_FULL
                    self._note("free space below the reserve: recording stops (S10)")
            # Stop or storage refusal: SIGTERM once (ffmpeg closes its segment, reports
            # it and ends), SIGKILL if it has not ended after the grace.
            wants_end = self._storage_cause is not None or self._stop.is_set()
            if wants_end and process.poll() is None:
                if terminated_at is None:
                    terminated_at = time.monotonic()
                    signal_group(process.pid, signal.SIGTERM)
                elif time.monotonic() - terminated_at >= TERM_GRACE_SECONDS:
                    self._note("ffmpeg did not end after SIGTERM; killing it")
                    signal_group(process.pid, signal.SIGKILL)
            if process.poll() is None and not self._stop.is_set():
                if time.monotonic() - last_progress > self._watchdog_seconds():
                    stalled = True
                    self._note("watchdog: no segment committed in time; killing ffmpeg")
                    signal_group(process.pid, signal.SIGKILL)
                if time.monotonic() >= next_renew:
                    next_renew = time.monotonic() + self.lease_seconds / 2
                    with self.sessions() as session:
                        if not lease.renew(
                            session,
                            camera_id=self.camera_id,
                            node=self.node,
                            seconds=self.lease_seconds,
                            now=self.clock(),
                        ):
                            self._note("lease lost to another node; stopping this run")
                            stop(process)
        returncode = process.wait()
        self._wake = None
        for reader in readers:
            reader.join(timeout=5)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        self._process = None
        self._recover_leftovers()
        if not self._stop.is_set():
            cause = self._storage_cause or classify(
                stderr_tail, killed_by_signal=returncode < 0, stalled=stalled
            )
            self._storage_cause = None
            detail = f"ffmpeg exit {returncode}: " + " | ".join(list(stderr_tail)[-3:])
            self.info.last_error = detail[:500]
            self._outage(cause, detail)
        return sealed_any

    # --- segments --------------------------------------------------------------------

    def _seal_line(self, reported: float, line: str) -> bool:
        """Seal the segment ffmpeg reported (at monotonic time ``reported``)."""
        closed = parse_line(line)
        if closed is None:
            self._note(f"ignored segment list line {line.strip()[:200]!r}")
            return False
        path = writing_dir(self.root, self.camera_id) / closed.name
        start, delta_ms = self._place(closed)
        with self.sessions() as session:
            try:
                digest = sync_hash_count(path)
                segment = seal_file(
                    session,
                    root=self.root,
                    camera_id=self.camera_id,
                    path=path,
                    start_at=start,
                    node=self.node,
                    clock_delta_ms=delta_ms,
                    facts=self._facts(path, closed, digest),
                    digest=digest,
                    previous=self._last_sealed,
                )
            except (UnplayableFile, FileNotFoundError) as exc:
                session.rollback()
                self._note(f"could not seal {closed.name}: {exc}")
                return False
            except IntegrityError as exc:  # a stale ``previous``: the file stays for recovery
                session.rollback()
                self._last_sealed = None
                self._note(f"could not seal {closed.name}: {exc.orig}")
                return False
            except OSError as exc:  # the disk refuses: stop this run, say why
                session.rollback()
                full = exc.errno == errno.ENOSPC
                self._storage_cause = (
                    OutageCause.STORAGE_FULL if full else OutageCause.STORAGE_ERROR
                )
                self._note(f"storage error sealing {closed.name}: {exc}")
                return False
            if self._outage_may_be_open:
                close_outage(session, camera_id=self.camera_id, end_at=segment.start_at)
            self._status_row(session)
            session.commit()
            self._outage_may_be_open = False
            self.info.commit_latencies.append(time.monotonic() - reported)
            self._last_end = segment.end_at
            self._last_sealed = (segment.seq, segment.end_at)
            self.info.segments += 1
            self.info.last_segment_at = segment.end_at
            seconds = max(segment.media_duration_ms / 1000, 0.001)
            self.info.bitrate_bps = int(segment.size_bytes * 8 / seconds)
        return True

    def _facts(self, path: Path, closed: ClosedSegment, digest: FileDigest) -> MediaFacts:
        """Media facts of a closed segment without decoding it: the media span ffmpeg
        reported, keyframes counted on the transport layer, and codec and size read once
        per run with PyAV. (A full PyAV probe demuxes every packet and decodes frames; it
        would cost more CPU than the rest of the recorder — bench/recording.py.) A
        segment without a keyframe gets the full probe, which refuses it."""
        keyframes = digest.ts_keyframes or 0
        duration_ms = round((closed.media_end_s - closed.media_start_s) * 1000)
        if keyframes == 0 or duration_ms <= 0:
            return probe(path)
        if self._run_params is None:
            self._run_params = stream_params(path)
        codec, width, height = self._run_params
        return MediaFacts(
            duration_ms=duration_ms,
            keyframes=keyframes,
            codec=codec,
            width=width,
            height=height,
            first_pts_s=closed.media_start_s,
        )

    def _place(self, closed: ClosedSegment) -> tuple[dt.datetime, int]:
        """Wall-clock start and clock delta of a closed segment (docs/design/time.md).

        The start is the run's anchor plus the media offset. A clock step is the wall
        clock moving differently from the monotonic clock since the anchor; when it
        exceeds CLOCK_STEP_MS the anchor follows the corrected clock. The stored delta is
        the recorder's clock at report time minus the media-derived end."""
        now, mono = self.clock(), time.monotonic()
        wall0, mono0 = self._anchor
        step = now - (wall0 + dt.timedelta(seconds=mono - mono0))
        if abs(step) > dt.timedelta(milliseconds=CLOCK_STEP_MS):
            self._note(f"clock step of {int(step.total_seconds() * 1000)} ms detected")
            wall0 += step
            self._anchor = (wall0, mono0)
        start = wall0 + dt.timedelta(seconds=closed.media_start_s)
        end = wall0 + dt.timedelta(seconds=closed.media_end_s)
        delta_ms = int((now - end).total_seconds() * 1000)
        return start, delta_ms

    def _recover_leftovers(self) -> None:
        report = RecoveryReport()
        with self.sessions() as session:
            recover_camera(
                session, root=self.root, camera_id=self.camera_id, node=self.node, report=report
            )
            self._last_end = previous_end(session, self.camera_id)
        self._last_sealed = None  # recovery may have sealed: ask the index next time
        for item in report.recovered:
            self._note(f"recovered partial segment {item}")
        for item in report.quarantined:
            self._note(f"quarantined unplayable file {item}")

    # --- bookkeeping -----------------------------------------------------------------

    def _take_lease(self) -> bool:
        with self.sessions() as session:
            return lease.acquire(
                session,
                camera_id=self.camera_id,
                node=self.node,
                seconds=self.lease_seconds,
                now=self.clock(),
            )

    def _outage(self, cause: OutageCause, detail: str) -> None:
        self._outage_may_be_open = True
        with self.sessions() as session:
            open_outage(
                session,
                camera_id=self.camera_id,
                start_at=self._last_end or self.clock(),
                cause=cause,
                detail=detail,
                node=self.node,
            )
            session.commit()

    def _set_state(self, state: RecorderState, error: str = "") -> None:
        self.info.state = state
        if error:
            self.info.last_error = error
        self._status(session_commit=True)

    def _status(self, *, session_commit: bool) -> None:
        with self.sessions() as session:
            self._status_row(session)
            if session_commit:
                session.commit()

    def _status_row(self, session: Session) -> None:
        """Write the status row: one UPDATE (an INSERT the first time). The statement is
        built once (``_STATUS_UPDATE``) and run on the session's connection: it runs with
        every seal, and building an ORM update each time cost more than the SQL."""
        values = {
            "node": self.node,
            "state": self.info.state,
            "restarts": self.info.restarts,
            "last_segment_at": self.info.last_segment_at,
            "bitrate_bps": self.info.bitrate_bps,
            "last_error": self.info.last_error[:2000],
            "updated_at": self.clock(),
        }
        result = session.connection().execute(
            _STATUS_UPDATE, {"b_camera_id": self.camera_id, **values}
        )
        if result.rowcount == 0:
            session.add(RecorderStatus(camera_id=self.camera_id, **values))
            session.flush()

    def _note(self, event: str) -> None:
        self.info.events.append(event)
        log.info("camera %s: %s", self.camera_id, event)

    def _pump_stderr(self, stream: object, tail: deque[str]) -> None:
        """ffmpeg's stderr as structured log events (level prefix kept)."""
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            line = self.source.scrub(redact(raw.decode("utf-8", "replace").rstrip()))
            if not line:
                continue
            tail.append(line)
            level = logging.ERROR if "[error]" in line or "[fatal]" in line else logging.WARNING
            log.log(
                level,
                "ffmpeg camera=%s source=%s: %s",
                self.camera_id,
                self.source.redacted(),
                line,
                extra={"camera_id": self.camera_id, "ffmpeg": True},
            )


def _pump(stream: object, sink: queue.Queue[object]) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        sink.put((time.monotonic(), raw.decode("utf-8", "replace")))
    sink.put(_EOF)


_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*):[^@\s]*@", re.I)


def redact(line: str) -> str:
    """ffmpeg repeats input URLs in its messages: never let a password reach a log."""
    return _USERINFO.sub(r"\1:***@", line)


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal ffmpeg's process group (it runs in its own session); gone is fine."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
