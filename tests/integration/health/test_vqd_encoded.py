"""VQD end to end on real H.264: ffmpeg encodes, PyAV decodes keyframes, diagnose judges.

The simulator's picture faults (``PICTURE_FAULTS``, what the demo injects) are encoded
offline with the same lavfi source, filters and on-screen text, then diagnosed against a
baseline captured from the normal picture.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from psvis.health.vqd import (
    Baseline,
    FaultClass,
    VqdThresholds,
    diagnose,
    read_keyframes,
    thumbnail_jpeg,
)
from psvis.recording.ffmpeg import ffmpeg_exe
from psvis.recording.sim import (
    NORMAL_PICTURE,
    PICTURE_FAULTS,
    Fault,
    Picture,
    escape_filter_value,
    find_font,
)

W, H, FPS, GOP = 640, 360, 10, 20  # keyframes every 2 s, as the simulator's GOP 50 at 25 fps
T = VqdThresholds()

EXPECTED = {
    Fault.BLACK: FaultClass.SIGNAL_LOSS,
    Fault.BLUR: FaultClass.BLUR,
    Fault.DARK: FaultClass.UNDEREXPOSED,
    Fault.COVERED: FaultClass.OCCLUSION,
    Fault.MOVED: FaultClass.SCENE_SHIFT,
    Fault.ROTATED: FaultClass.SCENE_SHIFT,
    Fault.FROZEN: FaultClass.FROZEN,
    Fault.COLOUR_CAST: FaultClass.COLOUR_CAST,
    Fault.NOISE: FaultClass.NOISE,
}


def encode(picture: Picture, out: Path, *, seconds: int = 6, start: int = 0) -> Path:
    """``seconds`` of the simulator's picture (filters, name and clock OSD) as MPEG-TS."""
    font = escape_filter_value(str(find_font()))
    osd = f"fontfile={font}:fontsize=20:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=4"
    chain = [f for f in picture.filter_chain(W, H) if f != "realtime"]
    chain += [
        f"drawtext={osd}:expansion=none:text=cam-0:x=8:y=h-th-12",
        f"drawtext={osd}:text=%{{localtime}}:x=8:y=8",
    ]
    argv = [ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i"]
    argv += [picture.lavfi_input(W, H, FPS), "-ss", str(start), "-t", str(seconds)]
    argv += ["-vf", ",".join(chain), "-c:v", "libx264", "-preset", "ultrafast"]
    argv += ["-g", str(GOP), "-keyint_min", str(GOP), "-sc_threshold", "0", "-b:v", "1M"]
    argv += ["-maxrate", "1M", "-bufsize", "1M", "-pix_fmt", "yuv420p", "-f", "mpegts", str(out)]
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, timeout=60)
    return out


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    clip = encode(NORMAL_PICTURE, tmp_path_factory.mktemp("vqd") / "accept.ts")
    frames = [k.frame for k in read_keyframes(clip, limit=None)]
    assert len(frames) == 3
    return Baseline.capture(frames, thresholds=T)


def test_normal_simulated_picture_is_good(baseline: Baseline, tmp_path: Path) -> None:
    clip = encode(NORMAL_PICTURE, tmp_path / "normal.ts", start=20)
    keyframes = read_keyframes(clip, limit=None)
    diagnosis = diagnose([k.frame for k in keyframes], baseline=baseline, thresholds=T)
    assert diagnosis.good, (diagnosis.faults, diagnosis.metrics)
    assert diagnosis.reference == "day"
    times = [k.time_s or 0.0 for k in keyframes]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    assert thumbnail_jpeg(keyframes[0].frame)[:2] == b"\xff\xd8"


@pytest.mark.parametrize("fault", list(EXPECTED), ids=lambda f: f.value)
def test_each_simulator_fault_is_diagnosed(
    fault: Fault, baseline: Baseline, tmp_path: Path
) -> None:
    clip = encode(PICTURE_FAULTS[fault], tmp_path / f"{fault.value}.ts", start=20)
    frames = [k.frame for k in read_keyframes(clip, limit=None)]
    diagnosis = diagnose(frames, baseline=baseline, thresholds=T)
    assert diagnosis.classes == {EXPECTED[fault]}, diagnosis.metrics
    evidence = diagnosis.fault(EXPECTED[fault])
    assert evidence is not None
    assert 0 <= evidence.frame_index < len(frames)


def test_first_keyframe_only_and_a_photo_scene(tmp_path: Path) -> None:
    """A photograph swaying slightly with sensor noise, day: read one keyframe at a time
    from each segment, as the service does, and diagnose a three-keyframe window."""
    skimage_data = pytest.importorskip("skimage.data")
    photo = np.asarray(skimage_data.astronaut(), dtype=np.uint8)[:288]
    raw = tmp_path / "scene.rgb"
    raw.write_bytes(photo.tobytes())
    segments = []
    for i in range(4):
        out = tmp_path / f"seg{i}.ts"
        argv = [ffmpeg_exe(), "-loglevel", "error", "-y", "-stream_loop", "-1", "-f", "rawvideo"]
        argv += ["-pix_fmt", "rgb24", "-s", "512x288", "-r", "10", "-i", str(raw), "-t", "4"]
        argv += ["-vf", f"crop=480:270:{10 + 3 * i}:{8 + i},noise=alls=6:allf=t:all_seed={i + 1}"]
        argv += ["-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-f", "mpegts", str(out)]
        subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, timeout=60)
        segments.append(out)
    firsts = [read_keyframes(path, limit=1) for path in segments]
    assert all(len(k) == 1 for k in firsts)
    frames = [k[0].frame for k in firsts]
    baseline = Baseline.capture(frames[:1], thresholds=T)
    diagnosis = diagnose(frames[1:], baseline=baseline, thresholds=T)
    assert diagnosis.good, (diagnosis.faults, diagnosis.metrics)
    # The same frames, frozen, are found frozen.
    frozen = diagnose([frames[1]] * 3, baseline=baseline, thresholds=T)
    assert frozen.classes == {FaultClass.FROZEN}
