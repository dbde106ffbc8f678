"""Finding a font that draws Chinese, for the viewing copy's watermark and the
registration book PDF.

psvis ships no font: it uses one installed on the system. Debian's ``fonts-noto-cjk``
is the reference (``.ci/run`` installs it); a few other common packages are known too,
and fontconfig is asked last. The Noto CJK files are *collections* (``.ttc``) of one face
per region; the Simplified Chinese face is number 2 (JP 0, KR 1, SC 2, TC 3, HK 4). The
other faces draw Chinese too, but with Japanese or Korean glyph forms (门, 骨, 直 differ).

Whoever needs a font calls :func:`find_cjk_font`; passing ``candidates`` restricts the
search to exactly those faces (no fontconfig), which is how tests see a machine
without any CJK font.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from psvis.core.errors import PsvisError

__all__ = ["KNOWN_CJK_FONTS", "FontFace", "FontMissing", "find_cjk_font"]

log = logging.getLogger("psvis.custody.fonts")

#: How long fc-match may take (it builds its cache on a first run).
FC_MATCH_TIMEOUT_S = 20.0
#: The package that provides the reference font, named in the error.
FONT_PACKAGE = "fonts-noto-cjk"


class FontMissing(PsvisError):
    """No font on this machine can draw Chinese text."""

    status_code = 500
    code = "font_missing"


@dataclass(frozen=True, slots=True)
class FontFace:
    """One face of a font file: ``index`` selects it inside a .ttc/.otc collection."""

    path: Path
    index: int = 0

    @property
    def is_collection(self) -> bool:
        return self.path.suffix.lower() in {".ttc", ".otc"}


_NOTO_SC = 2  # Simplified Chinese face of the Noto Sans/Serif CJK collections

#: Searched in order; the first that exists is used.
KNOWN_CJK_FONTS: tuple[FontFace, ...] = (
    # Debian/Ubuntu fonts-noto-cjk
    FontFace(Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), _NOTO_SC),
    # Fedora google-noto-sans-cjk-fonts, Arch noto-fonts-cjk
    FontFace(Path("/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc"), _NOTO_SC),
    FontFace(Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"), _NOTO_SC),
    # Debian fonts-wqy-zenhei / fonts-wqy-microhei: Chinese first
    FontFace(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
    FontFace(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    # Debian fonts-arphic-uming, fonts-droid-fallback
    FontFace(Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),
    FontFace(Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), 0),
)


def _fontconfig_face() -> FontFace | None:
    """fontconfig's best sans-serif face for zh-CN, if it really covers zh-CN (fc-match
    always answers, falling back to a Latin font)."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        result = subprocess.run(
            [exe, "--format=%{file}\n%{index}\n%{lang}", "sans-serif:lang=zh-cn"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=FC_MATCH_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("fc-match failed: %s", exc)
        return None
    lines = result.stdout.decode("utf-8", "replace").split("\n")
    if result.returncode != 0 or len(lines) < 3:
        return None
    path, index, langs = Path(lines[0]), lines[1], lines[2].split("|")
    if "zh-cn" not in langs or not index.isdigit() or not path.is_file():
        return None
    return FontFace(path, int(index))


def find_cjk_font(candidates: Sequence[FontFace] | None = None) -> FontFace:
    """The first usable face: ``candidates`` only, or (None) :data:`KNOWN_CJK_FONTS`
    then fontconfig. Raises :class:`FontMissing` naming what was searched."""
    searched = KNOWN_CJK_FONTS if candidates is None else tuple(candidates)
    for face in searched:
        if face.path.is_file():
            return face
    if candidates is None:
        found = _fontconfig_face()
        if found is not None:
            return found
    looked = ", ".join(str(face.path) for face in searched) or "no paths"
    where = looked if candidates is not None else f"{looked}, and fontconfig (lang zh-cn)"
    raise FontMissing(
        f"no font that draws Chinese was found (looked in {where}); "
        f"install the Debian package {FONT_PACKAGE}"
    )
