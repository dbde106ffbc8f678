"""The *viewing copy* of an export: the recorded footage re-encoded with a visible
watermark naming the request, the officers and the export time.

Art. 6 and 20(2) forbid leaking and unlawful copying; a copy handed to a viewer must
say whose it is. The originals and evidence packages stay byte-identical (the clip is
``-c copy``, see :mod:`psvis.recording.clips`); this module is the **only** place psvis
re-encodes footage, and its output is never evidence of the original bitstream.

The watermark is drawn with ffmpeg's ``drawtext`` in three layers so that cropping
cannot remove it:

* the lines in a dark box at the top-left corner,
* the same lines at the bottom-right corner,
* the lines joined into one string and repeated over the whole frame, every row shifted
  a few characters against the row above (a diagonal pattern), semi-transparent.

**Escaping.** The text never enters the filter graph: each layer's text is written to a
UTF-8 file (``textfile=``) and drawn with ``expansion=none``, so quotes, colons,
backslashes and ``%{…}`` sequences in a request number or a name are drawn as they
are and cannot add filter options. Only file paths appear in the graph, escaped for both
levels of ffmpeg's filtergraph syntax. Control and bidi-format characters in a line are
replaced by spaces (an RTL override could otherwise reorder what the viewer reads).

**Trim.** Re-encoding allows an exact cut: ``-ss`` on the concat input (decoded from the
keyframe before, frames before the offset dropped) and ``-t`` on the output.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection

from psvis.core.errors import Conflict, InvalidInput, PsvisError
from psvis.custody.fonts import FontFace, FontMissing, find_cjk_font
from psvis.recording.ffmpeg import ffmpeg_exe, spawn, stop
from psvis.recording.media import UnplayableFile, probe

__all__ = ["MAX_SPAN_S", "ViewingCopy", "ViewingCopyFailed", "make_viewing_copy"]

log = logging.getLogger("psvis.custody.watermark")

#: Longest viewing copy (as for clips: one hour per export).
MAX_SPAN_S = 3600.0
#: Lines of watermark text and characters per line.
MAX_LINES = 8
MAX_LINE_CHARS = 160
#: x264 quality: CRF 20 is visually close to the source; ``veryfast`` keeps an hour of
#: 1080p within a few times real time on two cores.
CRF = "20"
PRESET = "veryfast"
#: Fixed part of the timeout plus this many seconds per second of footage.
TIMEOUT_BASE_S = 120.0
TIMEOUT_PER_S = 3.0
#: Opacity of the corner blocks' text and box, and of the repeated pattern.
BLOCK_TEXT_ALPHA = 0.85
BLOCK_BOX_ALPHA = 0.45
TILE_ALPHA = 0.25
#: Between repetitions of the text in the pattern.
TILE_GAP = "\u3000\u3000"  # two ideographic spaces
#: Characters each pattern row is shifted against the row above (the diagonal).
TILE_SHIFT = 4


class ViewingCopyFailed(PsvisError):
    status_code = 500
    code = "viewing_copy_failed"


@dataclass(frozen=True, slots=True)
class ViewingCopy:
    """The watermarked MP4 written: where, how big, its SHA-256 and what it holds."""

    path: Path
    size_bytes: int
    sha256: str
    duration_s: float
    width: int
    height: int


# --- text ---------------------------------------------------------------------------------


def clean_line(text: str) -> str:
    """``text`` with control, format (bidi marks, zero-width) and line/paragraph
    separator characters replaced by a space, trimmed."""
    kept = [" " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in text]
    return re.sub(r" {2,}", " ", "".join(kept)).strip()


def _clean_lines(lines: Sequence[str]) -> list[str]:
    if isinstance(lines, str):
        raise InvalidInput("watermark lines must be a sequence of strings, not one string")
    if not 0 < len(lines) <= MAX_LINES:
        raise InvalidInput(f"the watermark needs 1 to {MAX_LINES} lines")
    cleaned = []
    for line in lines:
        if not isinstance(line, str):
            raise InvalidInput("watermark lines must be strings")
        text = clean_line(line)
        if len(text) > MAX_LINE_CHARS:
            raise InvalidInput(f"a watermark line has more than {MAX_LINE_CHARS} characters")
        if text:
            cleaned.append(text)
    if not cleaned:
        raise InvalidInput("the watermark text is empty")
    return cleaned


def _em_width(text: str) -> float:
    """Rough width in em: wide (CJK) characters 1, others 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def _tile_text(lines: Sequence[str], *, width: int, height: int, fontsize: int) -> str:
    """Rows of the repeated text covering ``width × height``, each shifted against the
    row above."""
    unit = TILE_GAP.join(lines) + TILE_GAP
    row_height = fontsize * 2.2  # glyph height plus the line spacing used below
    rows = math.ceil(height / row_height) + 2
    # The narrowest glyphs (spaces, "1", "i") are about 0.25 em: enough characters for
    # the widest possible row, plus one shift per row.
    chars = math.ceil(width / (0.25 * fontsize)) + TILE_SHIFT * rows
    repeated = unit * (chars // len(unit) + 2)
    out = []
    for row in range(rows):
        start = (row * TILE_SHIFT) % len(unit)
        out.append(repeated[start : start + chars])
    return "\n".join(out)


# --- ffmpeg -------------------------------------------------------------------------------


_LEVEL1 = re.compile(r"([\\':])")
_LEVEL2 = re.compile(r"([\\'\[\],;])")


def filter_value(value: str) -> str:
    """``value`` escaped as one option value inside a filtergraph (ffmpeg-filters
    "Notes on filtergraph escaping": first the option level, then the graph level)."""
    return _LEVEL2.sub(r"\\\1", _LEVEL1.sub(r"\\\1", value))


def _drawtext(options: dict[str, str]) -> str:
    return "drawtext=" + ":".join(f"{key}={value}" for key, value in options.items())


def _font_file(face: FontFace, scratch: Path) -> Path:
    """A file whose first face is ``face``: drawtext always opens face 0, so another face
    of a collection is copied out into ``scratch`` (its tables are copied, not parsed)."""
    if not face.is_collection or face.index == 0:
        return face.path
    try:
        collection = TTCollection(str(face.path), lazy=True)
    except Exception as exc:  # fontTools raises many kinds for a broken file
        raise FontMissing(f"{face.path} is not a readable font collection") from exc
    try:
        if not 0 <= face.index < len(collection.fonts):
            raise FontMissing(f"{face.path} has no face {face.index}")
        font = collection.fonts[face.index]
        target = scratch / ("face.otf" if font.sfntVersion == "OTTO" else "face.ttf")
        font.save(str(target))
    finally:
        collection.close()
    return target


def _concat_script(segments: Sequence[Path]) -> str:
    lines = ["ffconcat version 1.0"]
    for path in segments:
        if "\n" in str(path) or "\r" in str(path):
            raise InvalidInput("segment paths must not contain line breaks")
        quoted = "'" + str(path.resolve()).replace("'", "'\\''") + "'"
        lines.append(f"file {quoted}")
    return "\n".join(lines) + "\n"


def _filter_graph(
    lines: Sequence[str], *, font: Path, scratch: Path, width: int, height: int
) -> str:
    block_size = max(
        10, min(round(height / 22), math.floor(width * 0.9 / max(map(_em_width, lines))))
    )
    tile_size = max(10, round(height / 20))
    block = scratch / "block.txt"
    block.write_text("\n".join(lines), "utf-8")
    tile = scratch / "tile.txt"
    tile.write_text(_tile_text(lines, width=width, height=height, fontsize=tile_size), "utf-8")
    margin = max(4, round(height / 60))
    common = {"fontfile": filter_value(str(font)), "expansion": "none"}
    corner = {
        **common,
        "textfile": filter_value(str(block)),
        "fontsize": str(block_size),
        "fontcolor": f"white@{BLOCK_TEXT_ALPHA}",
        "box": "1",
        "boxcolor": f"black@{BLOCK_BOX_ALPHA}",
        "boxborderw": str(max(2, block_size // 3)),
        "line_spacing": str(max(2, block_size // 4)),
    }
    layers = [
        _drawtext(
            {
                **common,
                "textfile": filter_value(str(tile)),
                "fontsize": str(tile_size),
                "fontcolor": f"white@{TILE_ALPHA}",
                "bordercolor": f"black@{TILE_ALPHA}",
                "borderw": "1",
                "line_spacing": str(round(tile_size * 1.2)),
                # Start above and left of the frame so the pattern has no clean edge.
                "x": str(-tile_size),
                "y": str(-tile_size // 2),
            }
        ),
        _drawtext({**corner, "x": str(margin), "y": str(margin)}),
        _drawtext({**corner, "text_align": "right", "x": f"w-tw-{margin}", "y": f"h-th-{margin}"}),
    ]
    return ",".join([*layers, "format=yuv420p"])


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def make_viewing_copy(
    *,
    segments: Sequence[Path],
    start_offset_s: float,
    duration_s: float,
    out: Path,
    lines: Sequence[str],
    fonts: Sequence[FontFace] | None = None,
    timeout: float | None = None,
) -> ViewingCopy:
    """Re-encode ``duration_s`` seconds of ``segments`` (played in order), starting
    ``start_offset_s`` into the first, into the H.264 MP4 ``out`` with ``lines`` drawn
    as a watermark (Art. 19, 20(2)).

    ``fonts`` restricts the font search (see :func:`psvis.custody.fonts.find_cjk_font`).
    ``out`` must not exist; it appears only when complete. The copy may be shorter than
    asked when the footage ends earlier; ``duration_s`` of the result says what it holds.
    """
    if not segments:
        raise InvalidInput("no segments to copy")
    for path in segments:
        if not Path(path).is_file():
            raise InvalidInput(f"segment file missing: {Path(path).name}")
    if not math.isfinite(start_offset_s) or start_offset_s < 0:
        raise InvalidInput("start offset must be a finite number of seconds ≥ 0")
    if not math.isfinite(duration_s) or not 0 < duration_s <= MAX_SPAN_S:
        raise InvalidInput(f"duration must be more than 0 and at most {MAX_SPAN_S:.0f} s")
    text = _clean_lines(lines)
    out = Path(out)
    if out.exists():
        raise Conflict(f"{out.name} exists; a viewing copy is never overwritten")
    if not out.parent.is_dir():
        raise InvalidInput(f"the directory for {out.name} does not exist")
    face = find_cjk_font(fonts)
    facts = probe(Path(segments[0]))
    limit = timeout if timeout is not None else TIMEOUT_BASE_S + TIMEOUT_PER_S * duration_s
    scratch = Path(tempfile.mkdtemp(prefix=".viewing-", dir=out.parent))
    try:
        script = scratch / "input.ffconcat"
        script.write_text(_concat_script([Path(p) for p in segments]), "utf-8")
        graph = _filter_graph(
            text,
            font=_font_file(face, scratch),
            scratch=scratch,
            width=facts.width,
            height=facts.height,
        )
        partial = scratch / "copy.mp4"
        _run_ffmpeg(
            script=script,
            graph=graph,
            start_offset_s=start_offset_s,
            duration_s=duration_s,
            target=partial,
            timeout=limit,
        )
        try:
            result = probe(partial)
        except UnplayableFile as exc:
            raise ViewingCopyFailed("the range holds no footage to copy") from exc
        if result.codec != "h264":
            raise ViewingCopyFailed(f"ffmpeg wrote {result.codec}, not H.264")
        digest = _sha256(partial)
        size = partial.stat().st_size
        os.replace(partial, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return ViewingCopy(
        path=out,
        size_bytes=size,
        sha256=digest,
        duration_s=result.duration_ms / 1000,
        width=result.width,
        height=result.height,
    )


def _run_ffmpeg(
    *,
    script: Path,
    graph: str,
    start_offset_s: float,
    duration_s: float,
    target: Path,
    timeout: float,
) -> None:
    argv = [
        ffmpeg_exe(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-protocol_whitelist",
        "file",
        "-f",
        "concat",
        "-safe",
        "0",
        "-ss",
        f"{start_offset_s:.6f}",
        "-i",
        str(script),
        "-t",
        f"{duration_s:.6f}",
        "-map",
        "0:v:0",
        "-vf",
        graph,
        "-c:v",
        "libx264",
        "-preset",
        PRESET,
        "-crf",
        CRF,
        "-pix_fmt",
        "yuv420p",
        "-an",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "-y",
        str(target),
    ]
    process = spawn(argv)
    try:
        _stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        stop(process)
        raise ViewingCopyFailed(
            f"the viewing copy took longer than {timeout:.0f} s; try a shorter range"
        ) from exc
    if process.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        log.error("viewing copy ffmpeg exit %s: %s", process.returncode, " | ".join(tail))
        raise ViewingCopyFailed("ffmpeg could not write the viewing copy; see the server log")
