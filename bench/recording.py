"""Recording benchmarks (issue: recording engine).

    .venv/bin/python bench/recording.py cpu   [--streams 8] [--seconds 240] [--rounds 1]
    .venv/bin/python bench/recording.py load  [--streams 32] [--minutes 10]

(a) ``cpu``: CPU seconds per recorded stream, psvis's recorder (ffmpeg + sealing, index,
    status, in one process) against bare ``ffmpeg -c copy`` with the same segmenting,
    on the same streams, in the same run. Target ratio ≤ 1.10.
(b) ``load``: N streams of 2 Mbit/s recorded for M minutes on this machine: every
    segment ffmpeg closed is sealed and indexed (the invariant check finds no file
    without a row and no gap without an outage), and the p99 of segment end → row
    committed is under 1 s.

Streams come from cheap servers: one 2 Mbit/s H.264 clip is encoded once, then served
by ``ffmpeg -re -stream_loop -1 -c copy -f mpegts -listen 1`` per stream (no encoding
at serve time, so the recorder, not the simulator, is what the machine spends on).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update

from psvis.cli.context import initialise, open_context
from psvis.core.config import Settings
from psvis.recording.ffmpeg import ffmpeg_exe
from psvis.recording.models import Segment, StorageRoot
from psvis.recording.recorder import CameraRecorder
from psvis.recording.sources import source_for
from psvis.recording.storage import check_root
from psvis.recording.verify import verify
from psvis.registry.models import Camera

#: Segment length of both sides; children inherit it through the environment.
SEGMENT_SECONDS = int(os.environ.get("BENCH_SEGMENT_SECONDS", "60"))


def make_clip(directory: Path, *, bitrate: str = "2M", seconds: int = 30) -> Path:
    clip = directory / "clip.ts"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=25,noise=alls=12:allf=t",
            "-t",
            str(seconds),
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-g",
            "50",
            "-keyint_min",
            "50",
            "-sc_threshold",
            "0",
            "-b:v",
            bitrate,
            "-minrate",
            bitrate,
            "-maxrate",
            bitrate,
            "-bufsize",
            bitrate,
            "-x264-params",
            "nal-hrd=cbr",
            "-f",
            "mpegts",
            str(clip),
        ],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return clip


def free_ports(count: int) -> list[int]:
    ports, sockets = [], []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


class ClipServers:
    """One looping copy-server per port, restarted after each client (listen mode)."""

    def __init__(self, clip: Path, ports: list[int]) -> None:
        self.clip, self.ports = clip, ports
        self._stop = threading.Event()
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._threads = [
            threading.Thread(target=self._serve, args=(p,), daemon=True) for p in ports
        ]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}/live.ts" for p in self.ports]

    def _serve(self, port: int) -> None:
        while not self._stop.is_set():
            proc = subprocess.Popen(
                [
                    ffmpeg_exe(),
                    "-loglevel",
                    "quiet",
                    "-re",
                    "-stream_loop",
                    "-1",
                    "-i",
                    str(self.clip),
                    "-c",
                    "copy",
                    "-f",
                    "mpegts",
                    "-listen",
                    "1",
                    f"http://127.0.0.1:{port}/live.ts",
                ],
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            self._procs[port] = proc
            proc.wait()

    def __enter__(self) -> ClipServers:
        for thread in self._threads:
            thread.start()
        time.sleep(1.0)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._kill_all()
        for thread in self._threads:
            thread.join(5)
        # A thread that had just passed its stop check may have started one more server
        # after the first sweep: sweep again once no thread can start another.
        self._kill_all()

    def _kill_all(self) -> None:
        for proc in list(self._procs.values()):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@contextmanager
def database(tmp: Path, cameras: int, urls: list[str]) -> Iterator[tuple[Settings, list[int]]]:
    settings = Settings(data_dir=tmp / "data", segment_seconds=SEGMENT_SECONDS)
    initialise(settings)
    from tests.support.factories import Registry  # the same builders the tests use

    with open_context(settings) as ctx, ctx.session() as session:
        registry = Registry(session=session, box=ctx.box)
        ids = []
        for url in urls[:cameras]:
            _u, _s, _sys, camera = registry.covered_site()
            session.execute(update(Camera).where(Camera.id == camera.id).values(stream_url=url))
            ids.append(camera.id)
        session.commit()
    yield settings, ids


#: Until every recorder has sealed its first segment and both sides are in steady state:
#: once-per-run costs (imports, ffmpeg's input probe, the recorder's first query plans
#: and its one PyAV read of stream parameters) are paid once a day or less in service
#: and would otherwise dominate a window of a few segments.
def warmup_seconds() -> float:
    return SEGMENT_SECONDS + 15.0


TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pids: list[int]) -> float:
    """utime + stime of running processes, seconds (from /proc/<pid>/stat)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def measure(
    pids: Callable[[], list[int]], seconds: float, ended: Callable[[], int]
) -> tuple[list[float], float, int]:
    """Steady-state CPU of ``pids()`` (the side's ffmpeg processes) over ``seconds``
    after a warm-up that ends after the first segment of every stream: start-up costs
    (interpreter, imports, connecting, first segment) are not the question. Returns (CPU
    seconds of each process that ran the whole window, this Python process alone, how
    many ffmpeg runs ended inside the window by ``ended()``: a run that ended would take
    its CPU out of the sum, so a round with any is not a clean measurement)."""
    time.sleep(warmup_seconds())
    before = {pid: process_cpu([pid]) for pid in pids()}
    own_before, ended_before = process_cpu([os.getpid()]), ended()
    time.sleep(seconds)
    after = {pid: process_cpu([pid]) for pid in pids()}
    own = process_cpu([os.getpid()]) - own_before
    per_process = [after[pid] - before[pid] for pid in before if pid in after]
    return per_process, own, ended() - ended_before


@dataclass(frozen=True)
class SideCpu:
    """One side's steady-state CPU: its ffmpeg processes one by one, and its own Python
    process (the recorder's sealing, index, ledger, status and lease work; idle for the
    bare side)."""

    ffmpeg: list[float]
    own: float
    #: ffmpeg runs that ended inside the window (a restart would lose its CPU).
    restarts: int

    @property
    def total(self) -> float:
        return sum(self.ffmpeg) + self.own


def run_child(args: list[str]) -> SideCpu:
    """Run a measuring child; it prints its result as JSON on its last line."""
    result = subprocess.run(
        [sys.executable, __file__, *args],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    return SideCpu(**json.loads(result.stdout.strip().splitlines()[-1]))


def report_child(ffmpeg: list[float], own: float, restarts: int) -> None:
    print(json.dumps({"ffmpeg": ffmpeg, "own": own, "restarts": restarts}))


# --- children ----------------------------------------------------------------------


def child_bare(urls: list[str], seconds: float, out: Path) -> None:
    procs = []
    for i, url in enumerate(urls):
        target = out / f"bare-{i}"
        target.mkdir(parents=True)
        procs.append(
            subprocess.Popen(
                [
                    ffmpeg_exe(),
                    "-nostdin",
                    "-loglevel",
                    "error",
                    "-rw_timeout",
                    "10000000",
                    "-i",
                    url,
                    "-map",
                    "0:v:0",
                    "-c",
                    "copy",
                    "-f",
                    "segment",
                    "-segment_time",
                    str(SEGMENT_SECONDS),
                    "-segment_format",
                    "mpegts",
                    "-segment_format_options",
                    "flush_packets=1",
                    "-reset_timestamps",
                    "1",
                    "-segment_list",
                    "pipe:1",
                    "-segment_list_type",
                    "csv",
                    str(target / "%06d.ts"),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        )
    result = measure(
        lambda: [p.pid for p in procs if p.poll() is None],
        seconds,
        lambda: sum(1 for p in procs if p.poll() is not None),
    )
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait()
    report_child(*result)


def child_psvis(data_dir: Path, seconds: float) -> None:
    settings = Settings(data_dir=data_dir, segment_seconds=SEGMENT_SECONDS)
    with open_context(settings) as ctx:
        with ctx.session() as session:
            root = check_root(session.scalars(select(StorageRoot)).one())
            cameras = list(session.execute(select(Camera.id, Camera.stream_url)))
        recorders = [
            CameraRecorder(
                camera_id=cid,
                source=source_for(url),
                root=root,
                sessions=ctx.sessions,
                node="bench",
                segment_seconds=SEGMENT_SECONDS,
            )
            for cid, url in cameras
        ]
        for rec in recorders:
            rec.start()
        result = measure(
            lambda: [pid for r in recorders if (pid := r.pid)],
            seconds,
            lambda: sum(r.info.restarts for r in recorders),
        )
        for rec in recorders:
            rec.stop(reason="bench finished")
    report_child(*result)


# --- benchmarks ----------------------------------------------------------------------


def bench_cpu(streams: int, seconds: float, rounds: int) -> None:
    bare_runs: list[SideCpu] = []
    mine_runs: list[SideCpu] = []
    print(
        f"(a) steady-state CPU over {seconds:.0f} s after {warmup_seconds():.0f} s warm-up, "
        f"{streams} streams of 2 Mbit/s per side, {SEGMENT_SECONDS} s segments, {rounds} round(s)"
    )
    for number in range(1, rounds + 1):
        with tempfile.TemporaryDirectory(prefix="psvis-bench-rec-") as tmpdir:
            tmp = Path(tmpdir)
            clip = make_clip(tmp)
            # Both sides at once, each on its own copy of the same streams, so that
            # whatever else the machine does weighs on both alike.
            with ClipServers(clip, free_ports(2 * streams)) as servers:
                with database(tmp, streams, servers.urls[streams:]) as (settings, _ids):
                    pass
                with ThreadPoolExecutor(2) as pool:
                    bare_job = pool.submit(
                        run_child,
                        ["_bare", str(seconds), str(tmp / "bare"), *servers.urls[:streams]],
                    )
                    mine_job = pool.submit(
                        run_child, ["_psvis", str(seconds), str(settings.data_dir)]
                    )
                    bare, mine = bare_job.result(), mine_job.result()
        bare_runs.append(bare)
        mine_runs.append(mine)
        print(f"  round {number}:")
        _print_side("bare ffmpeg -c copy", bare, streams)
        _print_side("psvis recorder     ", mine, streams)
        print(
            f"      of which Python  : {mine.own:.2f} CPU-s (sealing, index, ledger, status, lease)"
        )
        print(
            f"    ratio psvis/bare   : {mine.total / bare.total:.3f}; psvis's ffmpeg / bare "
            f"ffmpeg {sum(mine.ffmpeg) / sum(bare.ffmpeg):.3f}; Python / bare ffmpeg "
            f"{mine.own / sum(bare.ffmpeg):.3f}"
        )
    bare_total = sum(run.total for run in bare_runs)
    mine_total = sum(run.total for run in mine_runs)
    print(
        f"  all rounds: bare {bare_total:.2f} CPU-s, psvis {mine_total:.2f} CPU-s "
        f"(Python {sum(run.own for run in mine_runs):.2f}) -> ratio psvis/bare "
        f"{mine_total / bare_total:.3f}  (target <= 1.10)"
    )


def _print_side(name: str, side: SideCpu, streams: int) -> None:
    spread = sorted(side.ffmpeg)
    print(
        f"    {name}: {side.total:.2f} CPU-s ({side.total / streams:.3f} per stream); "
        f"per ffmpeg min {spread[0]:.3f} median {statistics.median(spread):.3f} "
        f"max {spread[-1]:.3f}; {len(spread)}/{streams} ran the whole window, "
        f"{side.restarts} ended inside it"
    )


def bench_load(streams: int, minutes: float) -> None:
    seconds = minutes * 60
    with tempfile.TemporaryDirectory(prefix="psvis-bench-load-") as tmpdir:
        tmp = Path(tmpdir)
        clip = make_clip(tmp)
        with (
            ClipServers(clip, free_ports(streams)) as servers,
            database(tmp, streams, servers.urls) as (settings, ids),
            open_context(settings) as ctx,
        ):
            with ctx.session() as session:
                root = check_root(session.scalars(select(StorageRoot)).one())
            recorders = [
                CameraRecorder(
                    camera_id=cid,
                    source=source_for(url),
                    root=root,
                    sessions=ctx.sessions,
                    node="bench",
                    segment_seconds=SEGMENT_SECONDS,
                )
                for cid, url in zip(ids, servers.urls, strict=True)
            ]
            started = time.monotonic()
            for rec in recorders:
                rec.start()
            time.sleep(seconds)
            for rec in recorders:
                rec.stop(reason="bench finished")
            elapsed = time.monotonic() - started
            latencies = sorted(x for rec in recorders for x in rec.info.commit_latencies)
            restarts = sum(rec.info.restarts for rec in recorders)
            with ctx.session() as session:
                count = session.scalar(select(func.count()).select_from(Segment)) or 0
                problems = verify(session, roots=[root], deep=False)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    expected = streams * elapsed / SEGMENT_SECONDS
    print(
        f"(b) {streams} streams x 2 Mbit/s for {elapsed / 60:.1f} min, {SEGMENT_SECONDS} s segments"
    )
    print(f"    segments indexed: {count} (about {expected:.0f} expected)")
    print(f"    recorder restarts: {restarts}")
    print(f"    invariant violations (unindexed files, gaps without outage, ...): {len(problems)}")
    for problem in problems[:10]:
        print(f"      {problem}")
    print(
        f"    segment end -> row committed: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000 if latencies else float('nan'):.0f} ms (target p99 < 1000 ms)"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_bare":
        child_bare(sys.argv[4:], float(sys.argv[2]), Path(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_psvis":
        child_psvis(Path(sys.argv[3]), float(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="which", required=True)
    cpu = sub.add_parser("cpu")
    cpu.add_argument("--streams", type=int, default=8)
    cpu.add_argument("--seconds", type=float, default=240)
    cpu.add_argument("--rounds", type=int, default=1)
    cpu.add_argument("--segment-seconds", type=int, default=60)
    load = sub.add_parser("load")
    load.add_argument("--streams", type=int, default=32)
    load.add_argument("--minutes", type=float, default=10)
    load.add_argument("--segment-seconds", type=int, default=10)
    args = parser.parse_args()
    global SEGMENT_SECONDS
    SEGMENT_SECONDS = args.segment_seconds
    os.environ["BENCH_SEGMENT_SECONDS"] = str(SEGMENT_SECONDS)
    if args.which == "cpu":
        bench_cpu(args.streams, args.seconds, args.rounds)
    else:
        bench_load(args.streams, args.minutes)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
