"""Is a frame the reference seen through a moved camera? A search for the camera's move.

    >>> moved = registration.register(feats, ref)
    >>> moved.similarity, moved.angle, moved.scale, moved.dy, moved.dx

Scene shift (:func:`~psvis.health.vqd.detectors.scene_shift`) asks whether the frame's
structure is *unlike* the reference's at the same place. Where a large part of the view
is plain, a moved view also looks "covered" against the reference - a dark sky moved
over lit buildings leaves those blocks flat - and what is left to compare is too little
to decide (round 11: a square by day, strongly moved, reported as covered). The two
differ in what the frame is: a covered view is the reference at the same place with a
part hidden; a moved view is the reference *elsewhere* - turned, zoomed, translated.
:func:`register` searches for that move: for each rotation and zoom of a small grid
around the view's centre, the reference's level-1 luma is resampled as the moved camera
would see it, the translation is found by phase correlation, and the frame's
orientation field is compared with the moved reference's over the cells the reference
covers. The search is only run where a cover is found against the reference (see
``diagnose._per_frame``): clean frames never pay for it.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
from numpy.typing import NDArray

from psvis.health.vqd import detectors as d
from psvis.health.vqd.features import CELLS, Features, half, orientation_field
from psvis.health.vqd.frames import FloatArray
from psvis.health.vqd.thresholds import VqdThresholds

__all__ = ["MOVE_MARGIN", "Registration", "moved_view", "register"]

#: Rotations searched (degrees, about the view's centre): a knocked bracket turns a
#: camera by a few degrees to a few tens.
ANGLES = tuple(float(a) for a in range(-15, 16, 3))
#: Zooms searched (focal length over the reference's): out and in.
SCALES = (0.8, 0.9, 1.0, 1.12, 1.25, 1.4, 1.55)
#: Candidates (by phase-correlation peak) whose orientation fields are compared.
SHORTLIST = 4
#: How much better than the view in place a move must explain the frame. A cover leaves
#: the visible part in place (similarity there near the clean view's); a periodic facade
#: can make a move fit nearly as well - a move that is only a little better is no move.
MOVE_MARGIN = 0.3


@dataclasses.dataclass(frozen=True, slots=True)
class Registration:
    """The move that best maps the reference onto the frame: rotation (degrees), zoom,
    translation (level-1 pixels), and the structure similarity under it over ``cells``
    cells the moved reference covers."""

    angle: float
    scale: float
    dy: int
    dx: int
    similarity: float
    cells: int
    #: The structure similarity of the view in place (pole's sway allowed), for contrast.
    in_place_similarity: float

    @property
    def metrics(self) -> dict[str, float]:
        """The move as diagnosis metrics."""
        return {
            "registered_similarity": self.similarity,
            "registered_angle": float(self.angle),
            "registered_scale": self.scale,
            "registered_shift": float(math.hypot(self.dy, self.dx)),
        }

    @property
    def in_place(self) -> bool:
        """No move beyond the pole's sway (:data:`~psvis.health.vqd.detectors.MAX_SWAY`)."""
        return (
            self.angle == 0 and self.scale == 1.0 and max(abs(self.dy), abs(self.dx)) <= d.MAX_SWAY
        )


def _hann(shape: tuple[int, int]) -> FloatArray:
    window: FloatArray = np.outer(np.hanning(shape[0]), np.hanning(shape[1])).astype(np.float32)
    return window


def _moved(
    plane: FloatArray,
    *,
    angle: float,
    scale: float,
    dy: float = 0.0,
    dx: float = 0.0,
    bilinear: bool = True,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """``plane`` as a camera turned by ``angle``, zoomed by ``scale`` about the centre and
    moved by (dy, dx) sees it, and where that view falls inside ``plane``. Nearest
    neighbour for the search (its phase correlation does not need better), bilinear for
    the orientation fields compared."""
    h, w = plane.shape
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    py, px = _grid(h, w)
    # The frame's pixel p shows the reference's point A^-1 (p - d - c) + c.
    py, px = py - (dy + cy), px - (dx + cx)
    c, s = math.cos(math.radians(angle)) / scale, math.sin(math.radians(angle)) / scale
    sx, sy = c * px + s * py + cx, -s * px + c * py + cy
    inside = (sx >= 0) & (sx <= w - 1) & (sy >= 0) & (sy <= h - 1)
    if bilinear:
        x0 = np.clip(sx.astype(np.int32), 0, w - 2)
        y0 = np.clip(sy.astype(np.int32), 0, h - 2)
        fx, fy = np.clip(sx - x0, 0, 1), np.clip(sy - y0, 0, 1)
        top = plane[y0, x0] * (1 - fx) + plane[y0, x0 + 1] * fx
        bottom = plane[y0 + 1, x0] * (1 - fx) + plane[y0 + 1, x0 + 1] * fx
        out: FloatArray = (top * (1 - fy) + bottom * fy).astype(np.float32)
    else:
        xi = np.clip(np.rint(sx).astype(np.int32), 0, w - 1)
        yi = np.clip(np.rint(sy).astype(np.int32), 0, h - 1)
        out = plane[yi, xi]
    out[~inside] = float(plane.mean())
    return out, inside


@functools.lru_cache(maxsize=4)
def _grid(h: int, w: int) -> tuple[FloatArray, FloatArray]:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return yy, xx


def _translation(
    frame_spectrum: NDArray[np.complexfloating], moved: FloatArray, window: FloatArray
) -> tuple[int, int, float]:
    """(dy, dx, peak) of the phase correlation: the frame is ``moved`` shifted by (dy, dx)."""
    spectrum = np.fft.rfft2((moved - moved.mean()) * window)
    cross = frame_spectrum * np.conj(spectrum)
    corr = np.fft.irfft2(cross / (np.abs(cross) + 1e-6), s=moved.shape)
    flat = int(np.argmax(corr))
    y, x = np.unravel_index(flat, corr.shape)
    h, w = moved.shape
    dy = int(y) if y <= h // 2 else int(y) - h
    dx = int(x) if x <= w // 2 else int(x) - w
    return dy, dx, float(corr.ravel()[flat])


def _cells_inside(inside: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Cells of the ``CELLS`` grid wholly inside the moved reference."""
    cols, rows = CELLS
    h, w = inside.shape[0] // rows * rows, inside.shape[1] // cols * cols
    part = inside[:h, :w].reshape(rows, h // rows, cols, w // cols)
    out: NDArray[np.bool_] = np.asarray(part.all(axis=(1, 3)))
    return out


def _compare(
    f: Features, ref: Features, *, angle: float, scale: float, dy: int, dx: int
) -> Registration:
    moved, inside = _moved(ref.level1, angle=angle, scale=scale, dy=dy, dx=dx)
    similarity, cells = d.field_match(
        f.orientation,
        f.noise1,
        orientation_field(moved),
        ref.noise1,
        valid=_cells_inside(inside),
    )
    return Registration(
        angle, scale, dy, dx, -1.0 if similarity is None else similarity, cells, -1.0
    )


def register(f: Features, ref: Features) -> Registration | None:
    """The best move of the reference onto the frame (see the module docstring), or None
    when the two are not the same size. The view in place is always among the candidates
    compared (:func:`~psvis.health.vqd.detectors.structure_match`, the pole's sway
    allowed), so a view in place registers in place unless a move explains it better.

    The grid is searched one octave down (a quarter of the pixels; the translation to
    two level-1 pixels), the shortlist's translations found again at level 1."""
    if f.level1.shape != ref.level1.shape:
        return None
    coarse_frame, coarse_ref = half(f.level1), half(ref.level1)
    coarse_window = _hann(coarse_frame.shape)
    coarse_spectrum = np.fft.rfft2((coarse_frame - coarse_frame.mean()) * coarse_window)
    found: list[tuple[float, float, float]] = []
    for scale in SCALES:
        for angle in ANGLES:
            moved, _ = _moved(coarse_ref, angle=angle, scale=scale, bilinear=False)
            found.append((_translation(coarse_spectrum, moved, coarse_window)[2], angle, scale))
    found.sort(reverse=True)
    window = _hann(f.level1.shape)
    spectrum = np.fft.rfft2((f.level1 - f.level1.mean()) * window)
    shortlist: list[tuple[float, float, int, int]] = []
    for _, angle, scale in found[:SHORTLIST]:
        moved, _ = _moved(ref.level1, angle=angle, scale=scale)
        dy, dx, _ = _translation(spectrum, moved, window)
        shortlist.append((angle, scale, dy, dx))
    here, here_cells = d.structure_match(f, ref)
    here_similarity = -1.0 if here is None else here
    best = Registration(0.0, 1.0, 0, 0, here_similarity, here_cells, here_similarity)
    for angle, scale, dy, dx in shortlist:
        moved_view = _compare(f, ref, angle=angle, scale=scale, dy=dy, dx=dx)
        if moved_view.similarity > best.similarity and not moved_view.in_place:
            best = dataclasses.replace(moved_view, in_place_similarity=here_similarity)
    return best


def moved_view(f: Features, ref: Features, t: VqdThresholds) -> Registration | None:
    """The camera's move when the frame is clearly the reference seen moved: a move
    beyond the sway, fitting as well as a view in place must (``scene_min_similarity``)
    on enough cells (``scene_min_cells``), and ``MOVE_MARGIN`` better than the view in
    place. None otherwise (in place, or not decided by this search)."""
    found = register(f, ref)
    if (
        found is None
        or found.in_place
        or found.similarity < t.scene_min_similarity
        or found.cells < t.scene_min_cells
        or found.similarity - found.in_place_similarity < MOVE_MARGIN
    ):
        return None
    return found
