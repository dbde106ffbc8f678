"""Round 9 of the VQD detectors: a cover's own blocks are no evidence of overexposure;
a cover's flat area does not set the noise taken off the visible blocks' energies; a
dominant cover over a shallow-focus view is not blur; a grey day scene is not night."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from psvis.health.vqd import detectors as d
from psvis.health.vqd.diagnose import FaultClass, diagnose
from psvis.health.vqd.features import features_of
from psvis.health.vqd.frames import Frame
from tests.unit.health.vqd_pictures import (
    H,
    T,
    W,
    baseline,
    feats,
    frame,
    grey,
    scene,
    shallow_focus,
)


def _cover(img: NDArray[np.float32], level: float, rows: slice, cols: slice) -> NDArray[np.float32]:
    out = img.copy()
    out[rows, cols] = level
    return out


def test_a_pale_cover_over_a_dark_scene_is_a_cover_not_overexposure() -> None:
    dark = scene(seed=6) * 0.45
    base = baseline(dark)
    covered = _cover(dark, 160.0, slice(0, H), slice(0, W // 2))
    shots = [frame(covered, noise=1.0, seed=s) for s in (4, 5, 6)]
    diagnosis = diagnose(shots, baseline=base, thresholds=T)
    assert FaultClass.OCCLUSION in diagnosis.classes
    assert FaultClass.OVEREXPOSED not in diagnosis.classes
    # The covered blocks alone are far brighter than the reference's same blocks; the
    # visible ones are not.
    f = feats(covered, noise=1.0, seed=4)
    ref = base.reference_for(f, thresholds=T)
    assert ref is not None
    _, mask = d.occlusion(f, ref, T)
    assert mask.any()
    assert float(np.median(f.block_mean[mask] / ref.block_mean[mask])) > T.exposure_max_gain
    assert d.overexposed(f, T, covered=mask, ref=ref).metrics["block_luma_vs_reference"] < 1.2


def _concrete(seed: int = 3) -> NDArray[np.float32]:
    """A fine-grained texture (concrete, gravel): detail at every scale, with a few
    sharp-edged marks so the view has structure to compare."""
    rng = np.random.default_rng(seed)
    grain = rng.normal(0.0, 14.0, (H, W)).astype(np.float32)
    img = np.repeat((120.0 + grain)[:, :, None], 3, axis=2)
    return img * 0.6 + scene(seed=seed) * 0.4


def test_a_covers_noiseless_area_does_not_read_the_visible_part_as_blurred() -> None:
    view = _concrete()
    base = baseline(view, noise=2.0)
    # A flat, noiseless card over a quarter of the view (an encoder leaves no noise on it).
    card = np.zeros((H, W), dtype=bool)
    card[: H // 2, : W // 2] = True
    shots = []
    for s in (4, 5, 6):
        noisy = frame(view, noise=2.0, seed=s)
        luma = noisy.luma.copy()
        luma[card] = 60.0
        shots.append(Frame(luma=luma, cb=noisy.cb, cr=noisy.cr))
    f = features_of(shots[0])
    ref = base.reference_for(f, thresholds=T)
    assert ref is not None
    occluded, mask = d.occlusion(f, ref, T)
    assert occluded.fault
    # The frame-wide noise estimate is the card's - far below the reference's.
    assert f.noise0 < 0.5 * ref.noise0
    kept = d.detail_ratio(f, ref, T, covered=mask)
    assert kept is not None
    # The texture beside the card is what it was: its detail kept is ~1 (with the card's
    # noise estimate taken off the visible blocks it read 5.3 here; on the evaluation
    # set's concrete, 0.78-0.92, i.e. "blurred").
    assert T.blur_max_detail_ratio < kept < 1.25
    diagnosis = diagnose(shots, baseline=base, thresholds=T)
    assert FaultClass.OCCLUSION in diagnosis.classes
    assert FaultClass.BLUR not in diagnosis.classes


def test_a_dominant_cover_over_a_shallow_focus_view_is_not_blur() -> None:
    # The cover hides the sharp subject: what is left is the background, soft by nature -
    # judged on its own ratio alone (the rule before round 9) it reads as blurred.
    view = shallow_focus()
    base = baseline(view)
    covered = _cover(view, 40.0, slice(0, H), slice(W // 3 - 8, 2 * W // 3 + 8))
    alone = d.blur(feats(covered, noise=1.0, seed=4), None, T)
    assert alone.fault
    shots = [frame(covered, noise=1.0, seed=s) for s in (4, 5, 6)]
    diagnosis = diagnose(shots, baseline=base, thresholds=T)
    assert FaultClass.OCCLUSION in diagnosis.classes
    assert FaultClass.BLUR not in diagnosis.classes
    assert diagnosis.metrics["sharpness_vs_reference"] > T.blur_max_sharpness_drop


def test_a_grey_day_scene_is_day_and_an_infrared_picture_night() -> None:
    # A colour sensor's chroma noise keeps even a grey scene's mean chroma above 1.
    concrete = grey(scene(seed=2)) * 0.8 + 30.0
    rng = np.random.default_rng(1)
    chroma_noise = rng.normal(0.0, 3.0, (H, W, 3)).astype(np.float32)
    rgb = np.clip(np.rint(concrete + chroma_noise), 0, 255).astype(np.uint8)
    day = features_of(Frame.from_rgb(rgb))
    assert day.saturation > T.night_max_chroma
    assert not d.is_night(day, T)
    night = feats(concrete, noise=2.0)  # luma noise only: no chroma at all
    assert night.saturation <= T.night_max_chroma
    assert d.is_night(night, T)


def test_a_scene_blown_to_uniform_white_is_overexposed_not_lost() -> None:
    view = scene(seed=8)
    base = baseline(view)
    blown = np.clip(view * 2.3 + 160.0, 0, 255)  # nearly every pixel clipped
    shots = [frame(blown, noise=1.0, seed=s) for s in (4, 5, 6)]
    f = feats(blown, noise=1.0)
    lost = d.signal_loss(f, T)
    assert lost.metrics["uniform_fraction"] >= T.signal_loss_min_uniform_fraction
    assert not lost.fault
    diagnosis = diagnose(shots, baseline=base, thresholds=T)
    assert FaultClass.SIGNAL_LOSS not in diagnosis.classes
    assert FaultClass.OVEREXPOSED in diagnosis.classes
    # A mid-grey uniform screen is still lost video.
    grey_screen = np.full((H, W, 3), 128.0, dtype=np.float32)
    assert d.signal_loss(feats(grey_screen, noise=1.0), T).fault
