"""Round 12 (docs/design/vqd.md): a moved view that looks covered is found moved.

A camera moved so that a large plain part of its view (a night sky, a bare wall) comes
over what was textured leaves those blocks flat: against the reference they look
covered, and what is left to compare is too little to decide a shift (round 11: a
square's dark sky moved over its lit buildings, reported as a cover). A cover leaves the
rest of the view where it was; a move shows the reference elsewhere. The registration
searches for that move (:mod:`psvis.health.vqd.registration`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from skimage import transform as _transform

from psvis.health.vqd import detectors as d
from psvis.health.vqd import registration
from psvis.health.vqd.diagnose import FaultClass, diagnose
from psvis.health.vqd.features import features_of
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

# scikit-image ships py.typed but leaves its transforms unannotated.
sk_transform: Any = _transform


def square_at_night() -> NDArray[np.float32]:
    """A canvas 1.5x the view: a dark, plain sky (level 22, faint noise) over the upper
    half, lit textured buildings below."""
    rng = np.random.default_rng(11)
    ch, cw = int(H * 1.5), int(W * 1.5)
    img = np.full((ch, cw, 3), 22.0, dtype=np.float32)
    img += rng.normal(0, 0.6, (ch, cw))[:, :, None].astype(np.float32)
    skyline = int(ch * 0.5)
    img[skyline:] = np.tile(scene(seed=6), (2, 2, 1))[: ch - skyline, :cw]
    return img


def turned(
    img: NDArray[np.float32], *, angle: float = 0.0, zoom: float = 1.0
) -> NDArray[np.float32]:
    """The canvas as a camera turned by ``angle`` degrees or zoomed about the view's
    centre sees it."""
    centre = np.array([img.shape[1] / 2, img.shape[0] / 2])
    tform = (
        sk_transform.AffineTransform(translation=-centre)
        + sk_transform.AffineTransform(rotation=np.radians(angle), scale=zoom)
        + sk_transform.AffineTransform(translation=centre)
    )
    out = sk_transform.warp(img, tform.inverse, order=1, mode="reflect", preserve_range=True)
    return np.asarray(out, dtype=np.float32)


def textured_canvas() -> NDArray[np.float32]:
    return np.tile(scene(seed=2), (2, 2, 1))[: int(H * 1.5), : int(W * 1.5)].copy()


@pytest.mark.parametrize(("dy", "dx"), [(0, 40), (-20, 30), (24, -16)])
def test_register_finds_a_translation(dy: int, dx: int) -> None:
    img = textured_canvas()
    ref = feats(view(img), 1.0)
    moved = registration.register(feats(view(img, dy, dx), 1.0, seed=3), ref)
    assert moved is not None
    # The view moved by (dy, dx) shows the reference moved by (-dy, -dx); level 1 is half.
    assert (moved.angle, moved.scale) == (0.0, 1.0)
    assert abs(moved.dy + dy // 2) <= 1
    assert abs(moved.dx + dx // 2) <= 1
    assert moved.similarity >= T.scene_min_similarity
    assert moved.in_place_similarity < T.scene_min_similarity_covered


@pytest.mark.parametrize(("angle", "zoom"), [(9.0, 1.0), (-12.0, 1.0), (0.0, 1.25), (0.0, 1.4)])
def test_register_finds_a_turn_or_a_zoom(angle: float, zoom: float) -> None:
    img = textured_canvas()
    ref = feats(view(img), 1.0)
    moved = registration.register(feats(view(turned(img, angle=angle, zoom=zoom)), 1.0), ref)
    assert moved is not None
    assert not moved.in_place
    assert abs(abs(moved.angle) - abs(angle)) <= 1.5
    assert abs(moved.scale - zoom) <= 0.08
    assert moved.similarity - moved.in_place_similarity >= registration.MOVE_MARGIN


def test_a_cover_registers_in_place() -> None:
    img = textured_canvas()
    ref = feats(view(img), 1.0)
    covered = view(img).copy()
    covered[:, : int(W * 0.4)] = 25.0
    found = registration.register(feats(covered, 1.0), ref)
    assert found is not None
    assert found.in_place
    assert registration.moved_view(feats(covered, 1.0), ref, T) is None


def test_frames_of_another_size_do_not_register() -> None:
    ref = feats(scene(seed=2), 1.0)
    small = feats(scene(seed=2)[: H // 2, : W // 2], 1.0)
    assert registration.register(small, ref) is None


def test_a_dark_sky_moved_over_lit_blocks_is_a_shift_not_a_cover() -> None:
    img = square_at_night()
    accepted = baseline(view(img))
    moved_view = view(img, dy=-40, dx=24)
    moved = [frame(moved_view, noise=1.0, seed=s) for s in range(3)]

    diagnosis = diagnose(moved, baseline=accepted, thresholds=T)

    assert FaultClass.SCENE_SHIFT in diagnosis.classes
    assert FaultClass.OCCLUSION not in diagnosis.classes
    assert diagnosis.metrics["registered_similarity"] >= T.scene_min_similarity
    # Against the reference at the same place the view looks covered, and the shift
    # cannot be decided on what is left: the old arbitration reported a cover.
    f = feats(moved_view, 1.0)
    ref = accepted.reference_for(f, thresholds=T)
    assert ref is not None
    assert d.occlusion(f, ref, T)[0].fault
    candidates, _ = d.covered_blocks(f, ref, T, plain=False)
    assert not d.scene_shift(f, ref, T, covered=candidates).fault


def test_a_cover_over_the_same_square_is_still_a_cover() -> None:
    img = square_at_night()
    accepted = baseline(view(img))
    covered = view(img).copy()
    covered[H // 2 :, : int(W * 0.45)] = 60.0
    diagnosis = diagnose(
        [frame(covered, noise=1.0, seed=s) for s in range(3)], baseline=accepted, thresholds=T
    )
    assert FaultClass.OCCLUSION in diagnosis.classes
    assert FaultClass.SCENE_SHIFT not in diagnosis.classes


def test_the_square_in_place_is_neither() -> None:
    diagnosis = diagnose_in_place(square_at_night())
    assert FaultClass.SCENE_SHIFT not in diagnosis.classes
    assert FaultClass.OCCLUSION not in diagnosis.classes


def fine_texture() -> NDArray[np.float32]:
    """A view with no flat part: a fine, high-contrast grain everywhere (a circuit board,
    a gravel bed) - its flattest blocks still hold texture."""
    rng = np.random.default_rng(21)
    grain = rng.normal(0, 5.0, (H, W)).astype(np.float32)
    img = scene(seed=4) + grain[:, :, None]
    out: NDArray[np.float32] = np.clip(img, 0, 255)
    return out


def test_a_view_without_a_flat_part_is_not_noisy_by_its_texture() -> None:
    img = fine_texture()
    accepted = baseline(img, noise=2.0)
    frames = [frame(img, noise=2.0, seed=s) for s in range(10, 13)]
    f = features_of(frames[0])
    # Alone, the frame's flattest blocks read the grain as noise over the bar.
    assert d.noise(f, T).fault
    ref = accepted.reference_for(f, thresholds=T)
    assert ref is not None
    verdict = d.noise(f, T, ref=ref)
    assert not verdict.fault
    assert verdict.metrics["noise_net_sigma"] < T.noise_max_sigma
    diagnosis = diagnose(frames, baseline=accepted, thresholds=T)
    assert FaultClass.NOISE not in diagnosis.classes


@pytest.mark.parametrize("sigma", [6.0, 9.0])
def test_noise_over_the_texture_floor_is_still_noise(sigma: float) -> None:
    img = fine_texture()
    accepted = baseline(img, noise=2.0)
    frames = [frame(img, noise=sigma, seed=s) for s in range(10, 13)]
    diagnosis = diagnose(frames, baseline=accepted, thresholds=T)
    assert FaultClass.NOISE in diagnosis.classes
    assert diagnosis.metrics["noise_net_sigma"] > T.noise_max_sigma


def test_the_net_noise_of_a_plain_view_is_close_to_its_estimate() -> None:
    # A view with flat parts has a texture floor near nothing: moderate noise stays noise.
    img = scene(seed=4)
    accepted = baseline(img)
    f = features_of(frame(img, noise=4.5, seed=3))
    ref = accepted.reference_for(f, thresholds=T)
    assert ref is not None
    verdict = d.noise(f, T, ref=ref)
    assert verdict.fault
    assert verdict.metrics["noise_net_sigma"] >= 0.9 * verdict.metrics["noise_sigma"]
