"""Measurements of one frame that several detectors share (computed once per frame).

All pure numpy on the analysis-size planes of a :class:`~psvis.health.vqd.frames.Frame`:

* a two-level pyramid of the luma (2x2 means), so edges can be compared at two scales;
* a robust noise estimate per level (Immerkaer's Laplacian-difference mask, whose response
  to any linear ramp is zero, taken over the flattest blocks so texture is not read as
  noise);
* 10x10 block means and standard deviations (texture map for occlusion);
* the gradient-orientation field (double-angle form) used for scene shift;
* chroma statistics (mean offset, spread, saturation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from psvis.health.vqd.frames import FloatArray, Frame

__all__ = [
    "BLOCK",
    "COARSE_BLOCK",
    "Features",
    "box_mean",
    "features_of",
    "luma_levels",
    "sharpness",
    "upper_quantile",
]

#: Block edge in analysis pixels (10 px = 1/32 of the width).
BLOCK = 10
#: Cells of the orientation field (columns x rows) for scene shift.
CELLS = (8, 6)
#: Fraction of the flattest blocks whose noise estimates are pooled (texture excluded).
NOISE_POOL = 0.2
#: The flattest fifth of 10x10 blocks of pure Gaussian noise read 1/1.215 of its sigma
#: (they are the low tail of the per-block estimates); measured, both pyramid levels.
POOL_BIAS = 1.215

ComplexArray = NDArray[np.complex64]
BoolArray = NDArray[np.bool_]


def half(plane: FloatArray) -> FloatArray:
    """2x2 mean (odd edge dropped)."""
    h, w = plane.shape[0] // 2 * 2, plane.shape[1] // 2 * 2
    p = plane[:h, :w]
    out: FloatArray = (p[0::2, 0::2] + p[1::2, 0::2] + p[0::2, 1::2] + p[1::2, 1::2]) * np.float32(
        0.25
    )
    return out


def blocks(plane: FloatArray, size: int) -> FloatArray:
    """``plane`` cut into ``size x size`` blocks: shape (rows, cols, size*size)."""
    rows, cols = plane.shape[0] // size, plane.shape[1] // size
    p = plane[: rows * size, : cols * size]
    out: FloatArray = (
        p.reshape(rows, size, cols, size).transpose(0, 2, 1, 3).reshape(rows, cols, -1)
    )
    return out


def box_mean(plane: NDArray[np.generic], radius: int) -> NDArray[np.generic]:
    """Mean over a (2r+1)^2 window, edges by replication (integral image)."""
    if radius <= 0:
        return plane
    padded = np.pad(plane, radius + 1, mode="edge")
    integral = padded.cumsum(axis=0).cumsum(axis=1)
    k = 2 * radius + 1
    s = integral[k:, k:] - integral[:-k, k:] - integral[k:, :-k] + integral[:-k, :-k]
    out: NDArray[np.generic] = s[: plane.shape[0], : plane.shape[1]] / (k * k)
    return out


def laplacian_response(plane: FloatArray) -> FloatArray:
    """Immerkaer's mask [[1,-2,1],[-2,4,-2],[1,-2,1]]: zero on any plane, 6 sigma on noise."""
    p = plane
    r: FloatArray = (
        p[:-2, :-2]
        - 2 * p[:-2, 1:-1]
        + p[:-2, 2:]
        - 2 * p[1:-1, :-2]
        + 4 * p[1:-1, 1:-1]
        - 2 * p[1:-1, 2:]
        + p[2:, :-2]
        - 2 * p[2:, 1:-1]
        + p[2:, 2:]
    )
    return r


def noise_sigma(plane: FloatArray, block: int, *, exclude: BoolArray | None = None) -> float:
    """Noise standard deviation of ``plane``: mean |mask response| per block scaled to a
    sigma (sqrt(pi/2)/6 for Gaussian noise), pooled over the flattest ``NOISE_POOL`` of
    the blocks that are not clipped (clipping hides noise) - nor in ``exclude`` (a block
    map of the same grid, cropped to it: a cover's flat, noiseless area would be the
    flattest blocks and set the estimate)."""
    r = np.abs(laplacian_response(plane))
    per_block = blocks(r, block).mean(axis=2)
    means = blocks(plane[1:-1, 1:-1], block).mean(axis=2)
    keep = (means > 8) & (means < 247)
    if exclude is not None:
        rows, cols = min(keep.shape[0], exclude.shape[0]), min(keep.shape[1], exclude.shape[1])
        keep[:rows, :cols] &= ~exclude[:rows, :cols]
    usable = per_block[keep]
    if usable.size == 0:
        return 0.0
    k = max(1, int(usable.size * NOISE_POOL))
    flattest = np.partition(usable.ravel(), k - 1)[:k]
    return float(flattest.mean()) * math.sqrt(math.pi / 2) / 6.0 * POOL_BIAS


def luma_levels(luma: FloatArray) -> tuple[float, float, float]:
    """(2nd percentile, median, 98th percentile) of ``luma`` with one partition - the
    same order statistics as :func:`upper_quantile` and ``np.median`` would give."""
    flat = luma.ravel()
    n = flat.size
    lo, hi = min(int(n * 0.02), n - 1), min(int(n * 0.98), n - 1)
    mid_a, mid_b = (n - 1) // 2, n // 2
    part = np.partition(flat, sorted({lo, mid_a, mid_b, hi}))
    return float(part[lo]), float((part[mid_a] + part[mid_b]) / 2), float(part[hi])


def upper_quantile(values: NDArray[np.floating], top: float) -> float:
    """The value with a ``top`` fraction of ``values`` above it (a partition, not a sort)."""
    flat = values.ravel()
    k = min(max(int(flat.size * (1.0 - top)), 0), flat.size - 1)
    return float(np.partition(flat, k)[k])


#: Blocks whose coarse edge energy (noise removed) is below this are not used to judge
#: sharpness (luma levels squared per pixel).
EDGE_FLOOR = 16.0


def sharpness(
    luma: FloatArray, level1: FloatArray, noise0: float, noise1: float
) -> tuple[float, float]:
    """(sharpness, fraction of blocks with an edge).

    Per 20x20 block, the gradient energy (mean squared gradient) at the analysis scale
    against the energy one octave down (2x2 means) over the same area. An edge of height
    h spread over w pixels gives h^2/w per pixel of its length; one octave down it covers
    half the pixels of a four-times smaller image and is half as wide: a sharp step
    (w ~ 1 at both scales) gives a ratio E1/E0 of 2, a wide edge one of 4. Sharpness is
    2 E0/E1: ~1 sharp, towards 0.5 blurred. Noise adds exactly 4 sigma^2 to the mean
    squared forward-difference gradient, so it is subtracted at each scale with that
    scale's own noise estimate: noise alone neither sharpens a blurred picture nor blurs
    a sharp one. The median over the blocks with an edge is the frame's sharpness - an
    on-screen clock or caption, drawn sharp after the lens, is a handful of blocks and
    cannot hide a defocused picture."""
    g0 = gradient_magnitude(luma)
    g1 = gradient_magnitude(level1)
    b1 = BLOCK
    rows, cols = g1.shape[0] // b1, g1.shape[1] // b1
    if rows == 0 or cols == 0:
        return 0.0, 0.0
    e1 = blocks(g1 * g1, b1).mean(axis=2)[:rows, :cols] - 4.0 * noise1 * noise1
    e0 = blocks(g0 * g0, 2 * b1).mean(axis=2)[:rows, :cols] - 4.0 * noise0 * noise0
    edges = e1 >= max(EDGE_FLOOR, 16.0 * noise1 * noise1)
    if not edges.any():
        return 0.0, 0.0
    ratio = 2.0 * np.maximum(e0[edges], 0.0) / e1[edges]
    return float(np.median(ratio)), float(edges.mean())


def gradient_magnitude(plane: FloatArray) -> FloatArray:
    """|grad| from forward differences (a one-pixel step reads at its full height)."""
    dx = plane[:-1, 1:] - plane[:-1, :-1]
    dy = plane[1:, :-1] - plane[:-1, :-1]
    out: FloatArray = np.sqrt(dx * dx + dy * dy)
    return out


def orientation_field(plane: FloatArray) -> ComplexArray:
    """Double-angle gradient field (gx + i gy)^2 / |g|, box-smoothed: opposite gradients of
    the same edge agree, a brightness gain scales it, a 1-2 px sway barely moves it."""
    smooth = box_mean(plane, 1).astype(np.float32)
    gx = np.zeros_like(smooth)
    gy = np.zeros_like(smooth)
    gx[:, 1:-1] = smooth[:, 2:] - smooth[:, :-2]
    gy[1:-1, :] = smooth[2:, :] - smooth[:-2, :]
    g = gx + 1j * gy
    z = g * g / (np.abs(g) + 1e-3)
    out: ComplexArray = box_mean(z, 2).astype(np.complex64)
    return out


#: Block edge (analysis pixels) of the reference-relative blur and colour measures: 20 px
#: = 5 px two octaves down, and 10 chroma pixels.
COARSE_BLOCK = 20


def block_energy(plane: FloatArray, size: int, noise: float) -> FloatArray:
    """Mean squared gradient per ``size`` block, the noise's share (4 sigma^2) removed."""
    g = gradient_magnitude(plane)
    out: FloatArray = np.maximum(blocks(g * g, size).mean(axis=2) - 4.0 * noise * noise, 0.0)
    return out


#: Span (analysis pixels) of the coarse scale: two octaves down, a 4x4 mean.
COARSE_SPAN = 4


def coarse_block_energy(plane: FloatArray, size: int, noise: float) -> FloatArray:
    """Mean squared gradient per ``size`` block two octaves down (:data:`COARSE_SPAN`), the
    noise's share removed (4 sigma^2, ``noise`` that scale's sigma) - measured at *every*
    position rather than on the decimated 4x4-mean picture.

    Why not decimate (as up to round 13): a 4x4 mean sampled every 4 pixels aliases - a
    thin line or a grid line's coarse energy depends on where it falls in its 4-pixel
    cell, so a sway of a fraction of a pixel changed it by half either way and the fine
    to coarse ratio of a clean, printed page swung 0.64-1.3 (round 13: noticeboard's
    false blur alarms). Averaged over all sixteen phases it is shift-invariant and equal
    to the decimated energy's expectation, so the blur bar keeps its meaning."""
    k = COARSE_SPAN
    h, w = plane.shape
    # k-wide sums along each axis by shifted adds (float32, no integral image: faster)
    rows = sum((plane[i : h - k + 1 + i] for i in range(1, k)), start=plane[: h - k + 1])
    sums_k = sum((rows[:, i : w - k + 1 + i] for i in range(1, k)), start=rows[:, : w - k + 1])
    means = sums_k * np.float32(1.0 / (k * k))  # means[y, x]: the k x k mean, top-left (y, x)
    half_k = k // 2
    gx = means[half_k : half_k + h - 2 * k + 1, k:] - means[half_k : half_k + h - 2 * k + 1, :-k]
    gy = means[k:, half_k : half_k + w - 2 * k + 1] - means[:-k, half_k : half_k + w - 2 * k + 1]
    rows_n, cols_n = h // size, w // size
    # e[i, j] is centred at (i + k, j + k): block b's mean is over the centres inside it
    # (the first and last blocks have k fewer rows or columns - no padding needed).
    e = (gx * gx + gy * gy)[: rows_n * size - k, : cols_n * size - k]
    if rows_n * cols_n == 0 or min(e.shape) <= 0 or size <= k:
        return np.zeros((rows_n, cols_n), dtype=np.float32)
    row_starts = np.arange(0, rows_n * size, size) - k
    col_starts = np.arange(0, cols_n * size, size) - k
    row_starts[0] = col_starts[0] = 0
    sums = np.add.reduceat(np.add.reduceat(e, row_starts, axis=0), col_starts, axis=1)
    heights = np.diff(np.append(row_starts, e.shape[0]))
    widths = np.diff(np.append(col_starts, e.shape[1]))
    counts = np.outer(heights, widths).astype(np.float32)
    out: FloatArray = np.maximum(sums / counts - np.float32(4.0 * noise * noise), 0.0)
    return out


def block_rgb(luma: FloatArray, cb: FloatArray, cr: FloatArray) -> FloatArray:
    """RGB means of ``COARSE_BLOCK`` blocks (rows, cols, 3), from the block means of
    luma and chroma (the colour transform is linear, so means commute with it)."""
    y = blocks(luma, COARSE_BLOCK).mean(axis=2)
    half_block = COARSE_BLOCK // 2
    u = blocks(cb, half_block).mean(axis=2)
    v = blocks(cr, half_block).mean(axis=2)
    rows, cols = min(y.shape[0], u.shape[0]), min(y.shape[1], u.shape[1])
    y, u, v = y[:rows, :cols], u[:rows, :cols], v[:rows, :cols]
    out: FloatArray = np.stack(
        [y + 1.402 * v, y - 0.344136 * u - 0.714136 * v, y + 1.772 * u], axis=2
    ).astype(np.float32)
    return out


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class Features:
    """Shared measurements of one frame (see the module docstring). Compared and hashed
    by identity: the diagnosis remembers per-frame verdicts for a kept ``Features``."""

    frame: Frame
    level1: FloatArray
    noise0: float
    noise1: float
    #: Noise sigma two octaves down (the coarse energies' estimate).
    noise2: float
    block_mean: FloatArray
    block_std: FloatArray
    orientation: ComplexArray
    chroma_mean: tuple[float, float]
    chroma_spread: float
    saturation: float
    sharpness: float
    edge_fraction: float
    luma_mean: float
    luma_median: float
    #: 98th minus 2nd percentile of the luma (contrast, robust to a few outliers).
    luma_spread: float
    #: Noise-corrected gradient energy per ``COARSE_BLOCK`` block at the analysis scale and
    #: two octaves down (same block grid): blur removes the first, not the second.
    fine_energy: FloatArray
    coarse_energy: FloatArray
    #: Mean luma per ``COARSE_BLOCK`` block and the RGB means (colour cast's regression).
    coarse_mean: FloatArray
    coarse_rgb: FloatArray
    #: Fourier transform of the level-1 luma (mean removed): the sway estimate's input,
    #: computed once per frame (a reference's is reused by every frame compared with it).
    level1_spectrum: ComplexArray
    #: For a reference: the least fine detail its own keyframes read against it (see
    #: :func:`~psvis.health.vqd.detectors.detail_ratio`), which a frame's is taken relative
    #: to. 1.0 for a frame, and for a reference stored before it was kept.
    own_detail: float = 1.0


def features_of(frame: Frame) -> Features:
    """Compute the shared measurements of ``frame``."""
    luma = frame.luma
    level1 = half(luma)
    noise0 = noise_sigma(luma, BLOCK)
    noise1 = noise_sigma(level1, BLOCK)
    sharp, edge = sharpness(luma, level1, noise0, noise1)
    b = blocks(luma, BLOCK)
    cb, cr = frame.cb, frame.cr
    luma_c = half(luma)[: cb.shape[0], : cb.shape[1]]
    cb_c, cr_c = cb[: luma_c.shape[0], : luma_c.shape[1]], cr[: luma_c.shape[0], : luma_c.shape[1]]
    # Mid-tones only: clipped and crushed pixels carry no colour information.
    mid = (luma_c > 25) & (luma_c < 235)
    if int(mid.sum()) < 16:
        mid = np.ones_like(mid)
    mcb, mcr = float(cb_c[mid].mean()), float(cr_c[mid].mean())
    spread = float(np.hypot(cb_c[mid] - mcb, cr_c[mid] - mcr).mean())
    p2, median, p98 = luma_levels(luma)
    level2 = half(level1)
    noise2 = noise_sigma(level2, BLOCK // 2)
    fine = block_energy(luma, COARSE_BLOCK, noise0)
    coarse = coarse_block_energy(luma, COARSE_BLOCK, noise2)
    rows, cols = min(fine.shape[0], coarse.shape[0]), min(fine.shape[1], coarse.shape[1])
    return Features(
        frame=frame,
        level1=level1,
        noise0=noise0,
        noise1=noise1,
        noise2=noise2,
        block_mean=b.mean(axis=2),
        block_std=b.std(axis=2),
        orientation=orientation_field(level1),
        chroma_mean=(mcb, mcr),
        chroma_spread=spread,
        saturation=float(np.hypot(cb_c, cr_c).mean()),
        sharpness=sharp,
        edge_fraction=edge,
        luma_mean=float(luma.mean()),
        luma_median=median,
        luma_spread=p98 - p2,
        fine_energy=fine[:rows, :cols],
        coarse_energy=coarse[:rows, :cols],
        coarse_mean=blocks(luma, COARSE_BLOCK).mean(axis=2)[:rows, :cols],
        coarse_rgb=block_rgb(luma, cb, cr)[:rows, :cols],
        level1_spectrum=np.fft.rfft2(level1 - level1.mean()).astype(np.complex64),
    )
