"""The reference-relative VQD measures (blur, exposure, contrast, cast, sway, signal loss
against structure) and the diagnosis's reuse of kept keyframes, on synthetic frames."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from psvis.health.vqd import detectors as d
from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.diagnose import FaultClass, diagnose
from psvis.health.vqd.features import Features, features_of
from psvis.health.vqd.frames import Frame
from tests.unit.health.vqd_pictures import H, T, W, feats, frame, scene

from .test_vqd_detectors import gaussian


def reference(img: NDArray[np.float32]) -> Baseline:
    return Baseline.capture([frame(img, noise=1.0, seed=s) for s in (1, 2, 3)], thresholds=T)


def ref_features(baseline: Baseline) -> Features:
    ref = baseline.reference_for(feats(scene()), thresholds=T)
    assert ref is not None
    return ref


# --------------------------------------------------------------------------- blur


@pytest.mark.parametrize("noise", [0.0, 6.0])
def test_detail_against_the_reference_finds_defocus_through_noise(noise: float) -> None:
    ref = ref_features(reference(scene()))
    sharp = d.detail_ratio(feats(scene(), noise=noise), ref, T)
    soft = d.detail_ratio(feats(gaussian(scene(), 2.0), noise=noise), ref, T)
    assert sharp is not None
    assert soft is not None
    assert sharp > T.blur_max_detail_ratio  # noise adds no detail and hides none
    assert soft <= T.blur_max_detail_ratio
    assert d.blur(feats(gaussian(scene(), 2.0), noise=noise), ref, T).fault
    assert not d.blur(feats(scene(), noise=noise), ref, T).fault


def test_haze_is_not_a_loss_of_detail() -> None:
    ref = ref_features(reference(scene()))
    hazy = scene() * 0.5 + 100.0  # every scale loses the same share
    ratio = d.detail_ratio(feats(hazy), ref, T)
    assert ratio is not None
    assert ratio > T.blur_max_detail_ratio


def test_a_swaying_pole_does_not_smear_the_reference() -> None:
    """Keyframes captured a few pixels apart are realigned before their median."""
    big = np.pad(scene(), ((8, 8), (8, 8), (0, 0)), mode="reflect")
    shots = [big[8 + dy : 8 + dy + H, 8 + dx : 8 + dx + W] for dy, dx in ((0, 0), (3, -4), (-3, 4))]
    baseline = Baseline.capture([frame(s, noise=1.0) for s in shots], thresholds=T)
    ratio = d.detail_ratio(feats(scene()), ref_features(baseline), T)
    assert ratio is not None
    assert 0.85 < ratio < 1.2


# --------------------------------------------------------------------------- exposure, contrast


def test_a_scene_bright_or_dark_by_nature_is_not_an_exposure_fault() -> None:
    bright = scene() * 0.5 + 130.0  # a pale, well-lit hall: mean ~ 185
    ref = ref_features(reference(bright))
    assert not d.overexposed(feats(bright), T, ref=ref).fault
    assert d.overexposed(feats(bright), T).fault  # without a reference it would be
    dark = scene() * 0.3  # a dim yard: mean ~ 35
    ref = ref_features(reference(dark))
    assert not d.underexposed(feats(dark), T, ref=ref).fault
    assert d.underexposed(feats(dark * 0.4), T, ref=ref).fault


def test_brighter_with_spread_is_overexposure_brighter_and_flat_is_haze() -> None:
    base = scene() * 0.6 + 20.0
    ref = ref_features(reference(base))
    gained = feats(np.clip(base * 1.9 + 10.0, 0, 255))
    veiled = feats(base * 0.35 + 0.65 * 210.0)
    assert d.overexposed(gained, T, ref=ref).fault
    assert not d.overexposed(veiled, T, ref=ref).fault
    assert d.low_contrast(veiled, T, ref=ref).fault
    assert not d.low_contrast(feats(base * 1.3), T, ref=ref).fault  # a gain keeps contrast


# --------------------------------------------------------------------------- colour


def test_a_white_balance_error_is_a_cast_a_grey_veil_and_a_gain_are_not() -> None:
    ref = ref_features(reference(scene()))
    cast = feats(np.clip(scene() * np.array([1.2, 1.0, 0.8], dtype=np.float32), 0, 255))
    veil = feats(scene() * 0.5 + 100.0)
    gain = feats(scene() * 0.8)
    assert d.colour_cast(cast, ref, T).fault
    assert not d.colour_cast(veil, ref, T).fault
    assert not d.colour_cast(gain, ref, T).fault
    gains = d.channel_gains(cast, ref, T)
    assert gains is not None
    assert max(gains) / min(gains) == pytest.approx(1.5, abs=0.1)


# --------------------------------------------------------------------------- shift, loss


def test_sway_is_compensated_a_move_is_not() -> None:
    big = np.pad(scene(), ((40, 40), (40, 40), (0, 0)), mode="reflect")
    ref = ref_features(reference(scene()))
    swayed = feats(big[42 : 42 + H, 37 : 37 + W])
    moved = feats(big[40 : 40 + H, 10 : 10 + W])
    assert d.sway(swayed, ref) != (0, 0)
    assert not d.scene_shift(swayed, ref, T).fault
    assert d.scene_shift(moved, ref, T).fault


def test_a_very_dark_picture_of_the_scene_is_underexposed_not_signal_loss() -> None:
    grey = scene() @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    night = np.repeat(grey[:, :, None], 3, axis=2)
    shots = [frame(img, noise=1.0, seed=s) for img in (scene(), night) for s in (1, 2, 3)]
    baseline = Baseline.capture(shots, thresholds=T)
    assert baseline.day is not None
    assert baseline.night is not None
    # Nearly uniform (and all but colourless: judged against the night reference), the
    # scene's edges still there.
    dim = frame(scene() * 0.08, noise=0.5)
    assert d.signal_loss(features_of(dim), T).fault
    diagnosis = diagnose([dim] * 3, baseline=baseline, thresholds=T)
    assert FaultClass.UNDEREXPOSED in diagnosis.classes
    assert FaultClass.SIGNAL_LOSS not in diagnosis.classes
    black = np.zeros((H, W, 3), dtype=np.float32)
    black[5:15, 5:120] = 235.0
    lost = diagnose([frame(black, noise=0.5)] * 3, baseline=baseline, thresholds=T)
    assert FaultClass.SIGNAL_LOSS in lost.classes


# --------------------------------------------------------------------------- reuse


def test_kept_features_diagnose_as_frames_do() -> None:
    baseline = reference(scene())
    frames: list[Frame] = [frame(gaussian(scene(), 2.0), noise=2.0, seed=s) for s in (4, 5, 6)]
    from_frames = diagnose(frames, baseline=baseline, thresholds=T)
    kept = [features_of(f) for f in frames]
    first = diagnose(kept, baseline=baseline, thresholds=T)
    again = diagnose(kept, baseline=baseline, thresholds=T)  # verdicts remembered
    assert from_frames.classes == first.classes == again.classes == {FaultClass.BLUR}
    assert from_frames.metrics == first.metrics == again.metrics
    # Other thresholds are other verdicts, not the remembered ones.
    lenient = T.model_copy(update={"blur_max_detail_ratio": 0.05})
    assert diagnose(kept, baseline=baseline, thresholds=lenient).good
