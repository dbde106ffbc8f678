"""Round 16 (docs/design/vqd.md): a grey day frame is a day frame.

A frame at or under ``night_max_chroma`` was taken for an infrared one and compared with
the night reference. A grey day scene (a tree in fog) keeps only its colour sensor's
chroma noise, near that bar on either side, and a flat achromatic cover over half of it
halves that: the covered day frame was compared with the night reference - dimmer,
vignetted - and its visible rest read as overexposed; at acceptance, the greyest day
keyframes went into the night reference. An infrared picture has no chroma at all, so a
frame under the bar is night only while it has at most a quarter of the day's colour."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from psvis.health.vqd import detectors as d
from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.diagnose import FaultClass, diagnose
from psvis.health.vqd.features import features_of
from psvis.health.vqd.frames import Frame
from tests.unit.health.vqd_pictures import H, T, W, frame, grey, scene


def grey_day(chroma_noise: float = 3.0, seed: int = 1) -> NDArray[np.float32]:
    """A colourless scene as a colour sensor sees it: grey plus its own chroma noise."""
    img = grey(scene(seed=2))
    noise = np.random.default_rng(seed).normal(0, chroma_noise, img.shape)
    out: NDArray[np.float32] = (img + noise).astype(np.float32)
    return out


def infrared(seed: int = 1) -> NDArray[np.float32]:
    """The same view by night: greyscale, at a little over half the level."""
    rng = np.random.default_rng(seed)
    out: NDArray[np.float32] = (grey(scene(seed=2)) * 0.55 + rng.normal(0, 1.0)).astype(np.float32)
    return out


def covered(img: NDArray[np.float32]) -> NDArray[np.float32]:
    """A flat, dark, achromatic cover over the left half (the encoder leaves a flat dark
    area without chroma noise)."""
    out = img.copy()
    out[:, : W // 2] = 30.0
    return out


def accepted() -> Baseline:
    frames = [frame(grey_day(seed=s)) for s in range(3)]
    frames += [frame(infrared(seed=s)) for s in range(3)]
    return Baseline.capture(frames, thresholds=T)


def test_a_half_covered_grey_day_frame_is_judged_against_the_day_reference() -> None:
    base = accepted()
    assert base.day is not None
    assert base.night is not None
    shot = features_of(frame(covered(grey_day(seed=5))))
    # Under the absolute bar: the old rule called it infrared.
    assert shot.saturation <= T.night_max_chroma
    assert d.is_night(shot, T)
    assert not base.is_night(shot, thresholds=T)
    ref = base.reference_for(shot, thresholds=T)
    assert ref is not None
    assert ref.luma_mean == float(base.day.luma.mean())


def test_the_covered_grey_day_is_a_cover_not_an_overexposure() -> None:
    base = accepted()
    frames = [frame(covered(grey_day(seed=s))) for s in range(5, 8)]
    diagnosis = diagnose(frames, baseline=base, thresholds=T)
    assert FaultClass.OCCLUSION in diagnosis.classes
    assert FaultClass.OVEREXPOSED not in diagnosis.classes
    assert diagnosis.metrics["night_frames"] == 0.0
    assert diagnosis.reference == "day"


def test_the_greyest_day_keyframes_stay_out_of_the_night_reference() -> None:
    greyest = [frame(grey_day(chroma_noise=2.2, seed=s)) for s in range(10, 13)]
    assert all(features_of(f).saturation <= T.night_max_chroma for f in greyest)
    frames = [frame(grey_day(seed=s)) for s in range(3)] + greyest
    frames += [frame(infrared(seed=s)) for s in range(2)]
    base = Baseline.capture(frames, thresholds=T)
    assert base.night is not None
    assert base.day is not None
    # The night reference is the two infrared frames' median, not a day/night mixture
    # (three grey day frames of five would have made it a day picture).
    night_level = float(np.mean([f.luma.mean() for f in frames[-2:]]))
    assert abs(float(base.night.luma.mean()) - night_level) < 2.0


def test_an_infrared_frame_is_night_and_a_coloured_one_is_not() -> None:
    night = features_of(frame(infrared()))
    assert night.saturation < 1e-3
    assert d.is_night(night, T, day_saturation=1.0)
    assert d.is_night(night, T, day_saturation=None)
    base = accepted()
    assert base.is_night(night, thresholds=T)
    ref = base.reference_for(night, thresholds=T)
    assert base.night is not None
    assert ref is not None
    assert ref.luma_mean == float(base.night.luma.mean())
    colour = features_of(frame(scene(seed=2)))
    assert colour.saturation > T.night_max_chroma
    assert not d.is_night(colour, T, day_saturation=1000.0)
    # Under the bar, without a day reference to compare with: the bar alone decides.
    faint = features_of(frame(grey_day(chroma_noise=2.0)))
    assert faint.saturation <= T.night_max_chroma
    assert d.is_night(faint, T)
    assert Baseline(day=None, night=Frame.from_rgb(np.zeros((H, W, 3), np.uint8))).is_night(
        faint, thresholds=T
    )
