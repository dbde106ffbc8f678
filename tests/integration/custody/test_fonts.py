"""The CJK font search: known paths first, fontconfig last, a clear error otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from psvis.custody.fonts import (
    KNOWN_CJK_FONTS,
    FontFace,
    FontMissing,
    _fontconfig_face,
    find_cjk_font,
)


def test_the_system_has_a_cjk_font() -> None:
    # .ci/run installs fonts-noto-cjk; its Simplified Chinese face is number 2.
    face = find_cjk_font()
    assert face.path.is_file()
    noto = KNOWN_CJK_FONTS[0]
    if noto.path.is_file():
        assert face == noto
        assert face.index == 2
        assert face.is_collection


def test_candidates_are_searched_in_order_and_alone(tmp_path: Path) -> None:
    first = tmp_path / "a.ttf"
    second = tmp_path / "b.ttc"
    second.write_bytes(b"not really a font")
    # The first existing candidate wins; the file is not opened here.
    assert find_cjk_font([FontFace(first), FontFace(second, 3)]) == FontFace(second, 3)
    first.write_bytes(b"x")
    assert find_cjk_font([FontFace(first), FontFace(second, 3)]) == FontFace(first)
    assert not FontFace(first).is_collection
    assert FontFace(Path("X.OTC")).is_collection


def test_nothing_found_names_what_was_searched(tmp_path: Path) -> None:
    with pytest.raises(FontMissing, match="looked in no paths") as caught:
        find_cjk_font(())
    assert "fonts-noto-cjk" in caught.value.message
    assert caught.value.status_code == 500
    absent = tmp_path / "absent.ttc"
    with pytest.raises(FontMissing, match=r"absent\.ttc"):
        find_cjk_font([FontFace(absent, 2)])


def test_fontconfig_is_asked_for_a_face_covering_zh_cn() -> None:
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig's fc-match is not installed")
    face = _fontconfig_face()
    assert face is not None, "fontconfig knows no font covering zh-cn (fonts-noto-cjk)"
    assert face.path.is_file()
    assert face.index >= 0
