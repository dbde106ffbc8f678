"""Round 7 of the VQD detectors: a badly exposed frame's blur is judged on its own
fine-to-coarse ratio *and* against the reference's own ratio - a shallow-focus view (a
sharp subject before a blurred background) is not blurred by overexposure, a defocused
overexposed view still is. (A shallow-focus view both overexposed and defocused reads as
overexposed only: its median block was soft at acceptance already. The blur is judged
against the reference once the exposure is repaired.)"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from psvis.health.vqd import detectors as d
from psvis.health.vqd.diagnose import FaultClass, diagnose
from tests.unit.health.vqd_pictures import (
    H,
    T,
    W,
    baseline,
    feats,
    frame,
    scene,
    shallow_focus,
    soft,
)


def overexpose(img: NDArray[np.float32]) -> NDArray[np.float32]:
    # The evaluation set's strong overexposure: a gain of 2.3 with an offset.
    out: NDArray[np.float32] = np.clip(img * 2.3 + 52.0, 0, 255)
    return out


def test_a_shallow_focus_view_has_a_low_own_ratio_by_nature() -> None:
    # The premise: judged on its own ratio alone, the picture would read as blurred.
    f = feats(shallow_focus(), noise=1.0)
    assert f.sharpness <= T.blur_max_sharpness
    assert f.edge_fraction >= T.blur_min_edge_fraction


def test_an_overexposed_shallow_focus_view_is_overexposed_not_blurred() -> None:
    view = shallow_focus()
    base = baseline(view)
    shots = [frame(overexpose(view), noise=1.0, seed=s) for s in (4, 5, 6)]
    diagnosis = diagnose(shots, baseline=base, thresholds=T)
    assert FaultClass.OVEREXPOSED in diagnosis.classes
    assert FaultClass.BLUR not in diagnosis.classes
    ratio = diagnosis.metrics["sharpness_vs_reference"]
    assert ratio > T.blur_max_sharpness_drop


def test_a_defocused_overexposed_view_is_still_blurred() -> None:
    view = scene(seed=4)
    base = baseline(view)
    sharp = [frame(overexpose(view), noise=1.0, seed=s) for s in (4, 5, 6)]
    assert FaultClass.BLUR not in diagnose(sharp, baseline=base, thresholds=T).classes
    shots = [frame(overexpose(soft(view, 2.0)), noise=1.0, seed=s) for s in (4, 5, 6)]
    diagnosis = diagnose(shots, baseline=base, thresholds=T)
    assert FaultClass.OVEREXPOSED in diagnosis.classes
    assert FaultClass.BLUR in diagnosis.classes
    assert diagnosis.metrics["sharpness_vs_reference"] <= T.blur_max_sharpness_drop


@pytest.mark.parametrize("drop", [0.5, 0.94, 1.0])
def test_the_own_reference_only_holds_blur_back(drop: float) -> None:
    # Without ``own_ref`` the own ratio decides alone; with it, both must hold - so the
    # reference can never add a blur the own ratio does not show.
    t = T.model_copy(update={"blur_max_sharpness_drop": drop})
    sharp_ref = feats(scene(seed=4), noise=1.0)
    for img in (shallow_focus(), soft(scene(seed=4), 3.0), scene(seed=4)):
        f = feats(img, noise=1.0, seed=11)
        alone = d.blur(f, None, t)
        judged = d.blur(f, None, t, own_ref=sharp_ref)
        assert judged.fault <= alone.fault
        if "sharpness_vs_reference" in judged.metrics:
            expected = alone.fault and judged.metrics["sharpness_vs_reference"] <= drop
            assert judged.fault == expected


def test_a_still_moment_of_a_textured_scene_is_not_frozen() -> None:
    # Round 7's look: a still moment of a finely textured day scene - the change small,
    # the measured noise raised by the texture - read frozen through the change-over-
    # noise gate while the block means had moved (a slow lighting drift). Since round 8
    # the block means decide.
    rng = np.random.default_rng(5)
    texture = rng.normal(0.0, 6.0, (H, W))[:, :, None].astype(np.float32)
    still = scene(seed=4) * 0.8 + 20.0 + texture
    frames = [feats(still + 0.7 * k, noise=0.8, seed=k) for k in range(3)]
    verdict = d.frozen(frames, T)
    assert verdict.metrics["frame_change"] <= T.frozen_max_change
    assert verdict.metrics["block_change"] > T.frozen_max_block_change
    assert frames[0].noise1 >= 1.0  # the texture reads as noise, as on the rooftop
    assert not verdict.fault
    # The same picture encoded again (no drift): frozen.
    again = [feats(still, noise=0.8, seed=k) for k in range(3)]
    assert d.frozen(again, T).fault
