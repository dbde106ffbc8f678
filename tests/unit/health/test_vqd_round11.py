"""Round 11 (docs/design/vqd.md): a camera moved across a dark, plain surface is a moved
camera, not a covered one.

When the view has changed, occlusion is judged without the reference's positions - and
without a reference, "flat and dark" is all a cover can be told by. A view that is mostly
a dark, plain surface (round 10: a black notebook cover on a desk) is flat and dark by
nature; the reference's own share of it is the scene's, not a cover's."""

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
    diagnose_in_place,
    feats,
    frame,
    scene,
    view,
)


def dark_desk() -> NDArray[np.float32]:
    """A canvas 1.5x the view: a dark, plain surface (level 30, a faint weave) crossed by
    two pale diagonal bands, over a desk edge of coloured objects in its lower part."""
    rng = np.random.default_rng(5)
    ch, cw = int(H * 1.5), int(W * 1.5)
    img = np.full((ch, cw, 3), 30.0, dtype=np.float32)
    img += rng.normal(0, 0.8, (ch, cw))[:, :, None].astype(np.float32)
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    for centre in (0.45, 0.75):
        img[np.abs(xx - (centre * cw + 0.35 * yy)) < 12] = 170.0
    edge = int(ch * 0.62)
    img[edge:] = np.tile(scene(seed=3), (1, 2, 1))[: ch - edge, :cw]
    return img


@pytest.mark.parametrize("dx", [20, 32])
def test_a_view_moved_across_a_dark_plain_surface_is_a_shift_not_a_cover(dx: int) -> None:
    img = dark_desk()
    accepted = baseline(view(img))
    moved = [frame(view(img, dx=dx), noise=1.0, seed=s) for s in range(3)]

    diagnosis = diagnose(moved, baseline=accepted, thresholds=T)

    assert FaultClass.SCENE_SHIFT in diagnosis.classes
    assert FaultClass.OCCLUSION not in diagnosis.classes
    # The picture alone is flat and dark over half the view: without the reference's
    # make-up it reads as a cover (the old rule).
    alone = d.occlusion(feats(view(img, dx=dx), 1.0), None, T)[0]
    assert alone.fault


def test_the_view_in_place_is_neither() -> None:
    diagnosis = diagnose_in_place(dark_desk())
    assert FaultClass.SCENE_SHIFT not in diagnosis.classes
    assert FaultClass.OCCLUSION not in diagnosis.classes


def test_the_references_make_up_subtracts_only_what_it_had() -> None:
    # A textured reference had no dark, plain share: a dark card over most of a changed
    # view is still a cover.
    textured = feats(scene(seed=2), 1.0)
    covered = scene(seed=8)
    covered[:, : int(W * 0.7)] = 15.0
    verdict = d.occlusion(feats(covered, 1.0), None, T, scene=textured)[0]
    assert verdict.fault
    assert verdict.metrics["covered_fraction"] >= T.occlusion_min_fraction_without_baseline
