"""Approval scans: content-type by first bytes, the size limit, content-addressed storage."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from psvis.core.errors import InvalidInput, NotFound
from psvis.custody import scans

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.mark.parametrize(
    ("data", "media_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_accepted_types(data: bytes, media_type: str) -> None:
    assert scans.media_type_of(data) == media_type


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 60,  # a Windows executable named approval.pdf
        b"\x7fELF\x02\x01\x01",  # an ELF binary
        b"GIF89a",  # an image, but not one we take
        b"PK\x03\x04",  # a zip / docx
        b" %PDF-1.4",  # not at the start
        b"%PD",  # truncated magic
        b"<html><script>alert(1)</script>",
        b"",
    ],
)
def test_refused_by_content(data: bytes) -> None:
    with pytest.raises(InvalidInput):
        scans.media_type_of(data)


def test_size_limit_boundary() -> None:
    exact = b"%PDF-" + b"0" * (scans.MAX_SCAN_BYTES - 5)
    assert scans.media_type_of(exact) == "application/pdf"
    with pytest.raises(InvalidInput, match="10 MB"):
        scans.media_type_of(exact + b"0")


def test_store_is_content_addressed_read_only_and_idempotent(tmp_path: Path) -> None:
    first = scans.store(tmp_path, PDF)
    again = scans.store(tmp_path, PDF)
    assert first == again
    assert first.path == tmp_path / "custody" / "scans" / first.sha256
    assert first.path.read_bytes() == PDF
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o400
    assert scans.path_of(tmp_path, first.sha256) == first.path
    assert not [p for p in first.path.parent.iterdir() if p.name.startswith(".scan-")]
    with pytest.raises(InvalidInput):
        scans.store(tmp_path, b"MZ")
    assert len(os.listdir(first.path.parent)) == 1


@pytest.mark.parametrize("name", ["../../etc/passwd", "0" * 63, "G" * 64, "", "0" * 64])
def test_path_of_refuses_anything_but_a_stored_hash(tmp_path: Path, name: str) -> None:
    with pytest.raises(NotFound):
        scans.path_of(tmp_path, name)
