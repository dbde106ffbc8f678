"""Synthetic pictures for the VQD detector tests, at the analysis size: a textured scene,
its infrared (greyscale) variant, a defocus and a shallow-focus view, frames with
optional sensor noise, and a baseline captured from a picture."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.diagnose import Diagnosis, diagnose
from psvis.health.vqd.features import Features, features_of
from psvis.health.vqd.frames import Frame
from psvis.health.vqd.thresholds import VqdThresholds

T = VqdThresholds()
H, W = 180, 320


def scene(seed: int = 1, sky: float = 0.0) -> NDArray[np.float32]:
    """Many sharp-edged colour rectangles on a mid-grey wall; ``sky`` > 0 puts a pale sky
    over the top ``sky`` share of the view."""
    rng = np.random.default_rng(seed)
    img = np.full((H, W, 3), 110.0, dtype=np.float32)
    for _ in range(120):
        y, x = int(rng.integers(0, H - 10)), int(rng.integers(0, W - 10))
        h, w = int(rng.integers(6, 40)), int(rng.integers(6, 60))
        img[y : y + h, x : x + w] = rng.uniform(30, 220, 3)
    if sky:
        img[: int(H * sky)] = 238.0
    return img


def grey(img: NDArray[np.float32]) -> NDArray[np.float32]:
    """An infrared night picture: greyscale."""
    luma = img @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.repeat(luma[:, :, None], 3, axis=2)


def frame(rgb: NDArray[np.floating], noise: float = 0.0, seed: int = 7) -> Frame:
    """The picture as a decoded frame, with Gaussian luma noise of ``noise`` levels."""
    rgb = np.asarray(rgb, dtype=np.float32)
    if noise:
        rgb = rgb + np.random.default_rng(seed).normal(0, noise, rgb.shape[:2])[:, :, None]
    return Frame.from_rgb(np.clip(np.rint(rgb), 0, 255).astype(np.uint8))


def feats(rgb: NDArray[np.floating], noise: float = 0.0, seed: int = 7) -> Features:
    return features_of(frame(rgb, noise, seed))


def soft(img: NDArray[np.float32], sigma: float) -> NDArray[np.float32]:
    """A lens's defocus: a separable Gaussian of ``sigma`` pixels (edges reflected)."""
    r = int(3 * sigma + 1)
    kernel = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(img, ((r, r), (r, r), (0, 0)), mode="reflect")
    rows = np.apply_along_axis(np.convolve, 0, padded, kernel, mode="valid")
    out: NDArray[np.float32] = np.apply_along_axis(np.convolve, 1, rows, kernel, mode="valid")
    return out.astype(np.float32)


def shallow_focus() -> NDArray[np.float32]:
    """A sharp subject in the middle third before a background out of focus: most blocks
    with an edge are soft, so the frame's own ratio is low by nature."""
    img = soft(scene(seed=4), 2.5)
    subject = scene(seed=9)
    img[:, W // 3 : 2 * W // 3] = subject[:, W // 3 : 2 * W // 3]
    return img


def baseline(img: NDArray[np.floating], noise: float = 1.0) -> Baseline:
    """A baseline captured from three noisy keyframes of ``img``."""
    return Baseline.capture([frame(img, noise=noise, seed=s) for s in range(3)], thresholds=T)


def view(img: NDArray[np.float32], dy: int = 0, dx: int = 0) -> NDArray[np.float32]:
    """The camera's view of a larger canvas, moved by (dy, dx) pixels from the accepted
    one (the canvas's centre)."""
    y0, x0 = (img.shape[0] - H) // 2 + dy, (img.shape[1] - W) // 2 + dx
    return img[y0 : y0 + H, x0 : x0 + W]


def diagnose_in_place(img: NDArray[np.float32]) -> Diagnosis:
    """Three fresh noisy keyframes of the accepted view of ``img``, against a baseline of
    that view."""
    accepted = baseline(view(img))
    frames = [frame(view(img), noise=1.0, seed=s) for s in range(3, 6)]
    return diagnose(frames, baseline=accepted, thresholds=T)
