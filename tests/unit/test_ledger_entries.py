"""Ledger entries: one canonical encoding, and anything else refused when read."""

from __future__ import annotations

import datetime as dt

import pytest

from psvis.ledger import entries

T = dt.datetime(2026, 11, 27, 3, 4, 5, 120_999, tzinfo=dt.UTC)


def sealed() -> bytes:
    return entries.segment_sealed(
        camera_id=7,
        seq=42,
        storage_id=1,
        rel_path="7/2026-11-27/20261127T030405.120Z-000042.ts",
        start_at=T,
        end_at=T + dt.timedelta(seconds=60),
        size_bytes=15_000_000,
        sha256="ab" * 32,
        state="sealed",
        sealed_at=T,
    )


def test_encoding_is_canonical_and_stable() -> None:
    data = sealed()
    assert data.startswith(b'{"at":"2026-11-27T03:04:05.120Z","camera":7,')
    assert b" " not in data
    assert entries.decode(data)["type"] == "segment.sealed"
    assert entries.decode(data)["v"] == entries.VERSION


def test_times_are_utc_milliseconds_whatever_the_zone() -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert entries.stamp(T.astimezone(beijing)) == "2026-11-27T03:04:05.120Z"
    assert entries.parse_stamp("2026-11-27T03:04:05.120Z") == T.replace(microsecond=120_000)
    with pytest.raises(entries.EntryError):
        entries.stamp(T.replace(tzinfo=None))
    for bad in ["2026-11-27T03:04:05Z", "2026-11-27 03:04:05.120Z", "", "x" * 24]:
        with pytest.raises(entries.EntryError):
            entries.parse_stamp(bad)


def test_chinese_text_stays_utf8_in_nfc() -> None:
    decomposed = "Cafe\u0301 南昌"  # "Café" with a combining accent
    data = entries.config_changed(
        subject="camera", subject_id=1, field="name", old=None, new=decomposed, actor="张三", at=T
    )
    assert "Café 南昌".encode() in data  # composed (NFC), not \\u-escaped
    assert entries.decode(data)["new"] == "Café 南昌"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"type":"segment.sealed","v":2}',
        b'{"type":"nope","v":1}',
        b'{"v":1,"type":"custody","act":"x","at":"2026-11-27T03:04:05.120Z"}',  # key order
        b'{"act":"x","at":"2026-11-27T03:04:05.120Z","type":"custody","v":1} ',  # whitespace
        b'{"act":"x","at":"2026-11-27T03:04:05.120Z","n":1.5,"type":"custody","v":1}',  # float
        b'{"act":"x","at":"2026-11-27T03:04:05.120Z","n":NaN,"type":"custody","v":1}',
        b'{"act":"Cafe\xcc\x81","at":"2026-11-27T03:04:05.120Z","type":"custody","v":1}',  # NFD
    ],
)
def test_anything_but_the_canonical_form_is_refused(data: bytes) -> None:
    with pytest.raises(entries.EntryError):
        entries.decode(data)


def test_values_without_one_encoding_are_refused_when_writing() -> None:
    with pytest.raises(entries.EntryError):
        entries.custody(act="x", at=T, amount=1.5)
    with pytest.raises(entries.EntryError):
        entries.custody(act="x", at=T, blob=b"bytes")
