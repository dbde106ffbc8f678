"""Evidence packages (docs/design/evidence-package.md): real segments exported, verified
offline in an empty directory, and every tamper — one byte anywhere — detected by the
check that names it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import av
import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from psvis.ledger import entries, merkle, package_format
from psvis.ledger import service as ledger
from psvis.ledger import verify_package as verifier
from psvis.ledger.checkpoints import Checkpoint, cosign
from psvis.ledger.keys import WITNESS_KEY, PublicKey, SigningKey, public_path
from psvis.ledger.models import LedgerEntry
from psvis.ledger.package import build_package
from psvis.ledger.package_format import (
    CHECKPOINT,
    FINGERPRINT,
    MANIFEST,
    SIGNATURE,
    VIEW,
    FileSink,
    ZipMember,
    canonical_json,
    fingerprint_text,
    read_members,
    signature_text,
    write_canonical_zip,
)
from psvis.ledger.verify_package import VerifyReport, verify_package
from psvis.recording.models import Segment
from psvis.recording.playback import segment_file
from tests.support.databases import fresh_sqlite
from tests.support.factories import Registry
from tests.support.media import record, storage_root

#: Recorded two days ago, on whole seconds (segment file names are per second).
T0 = (utcnow() - dt.timedelta(days=2)).replace(microsecond=0)
PSVIS = Path(sys.executable).with_name("psvis")


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PSVIS_")}
    return env | (extra or {})


def psvis(
    *args: str, cwd: Path, settings: Settings | None = None
) -> subprocess.CompletedProcess[str]:
    extra = {}
    if settings is not None:
        extra = {
            "PSVIS_DATA_DIR": str(settings.data_dir),
            "PSVIS_DATABASE_URL": settings.resolved_database_url(),
        }
    return subprocess.run(
        [str(PSVIS), *args],
        capture_output=True,
        text=True,
        env=clean_env(extra),
        cwd=cwd,
        timeout=180,
        check=False,
        stdin=subprocess.DEVNULL,
    )


# --- reading and rewriting packages the way an attacker would ---------------------------


def extract(path: Path) -> dict[str, bytes]:
    with path.open("rb") as handle:
        found = read_members(handle, path.stat().st_size)
        out = {}
        for member in found:
            handle.seek(member.data_offset)
            out[member.name] = handle.read(member.size)
    return out


def rebuild(members: dict[str, bytes], out: Path) -> Path:
    """A canonical zip of ``members`` (the exporter's own writer)."""
    with out.open("wb") as handle:
        write_canonical_zip(
            FileSink(handle), [ZipMember.of_bytes(n, d) for n, d in members.items()]
        )
    return out


def resign(members: dict[str, bytes], manifest: dict[str, object], key: SigningKey) -> None:
    data = canonical_json(manifest)
    members[MANIFEST] = data
    members[SIGNATURE] = signature_text(key.sign(data))


def flipped(path: Path, offset: int, out: Path, mask: int = 0x01) -> Path:
    data = bytearray(path.read_bytes())
    data[offset] ^= mask
    out.write_bytes(bytes(data))
    return out


def failed(report: VerifyReport) -> set[str]:
    return {c.name for c in report.failed()}


def member_offset(path: Path, name: str) -> tuple[int, int]:
    """(local header offset, data offset) of a member."""
    with path.open("rb") as handle:
        for member in read_members(handle, path.stat().st_size):
            if member.name == name:
                return member.header_offset, member.data_offset
    raise KeyError(name)


# --- one package made once for the tamper tests (SQLite) ---------------------------------


@dataclass(frozen=True)
class Built:
    path: Path
    key: SigningKey
    witness: SigningKey
    pem: Path
    witness_pem: Path
    segment_files: list[Path]

    @property
    def public(self) -> PublicKey:
        return self.key.public


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Built:
    base = tmp_path_factory.mktemp("package")
    data_dir = base / "data"
    settings = Settings(data_dir=data_dir, database_url=fresh_sqlite(_sqlite_template, data_dir))
    engine = make_engine(settings.resolved_database_url())
    session = make_session_factory(engine)()
    try:
        registry = Registry(session=session, box=SecretBox.from_data_dir(data_dir))
        _unit, _site, _system, camera = registry.covered_site()
        session.commit()
        root = storage_root(session, data_dir)
        segments = record(session, root, camera.id, start=T0, seconds=6, segment_seconds=2)
        files = [root.absolute(s.rel_path) for s in segments]
        key = SigningKey.load_or_create(data_dir)
        # A witness cosigns the checkpoint covering the segments; the package uses it.
        ledger.ensure_log(session, node_name="node-1", key=key)
        checkpoint = ledger.sign_checkpoint(session, key=key, data_dir=data_dir, now=utcnow())
        assert checkpoint is not None
        session.commit()
        witness = SigningKey.load_or_create(data_dir / "witness", WITNESS_KEY)
        row = ledger.latest(session)
        assert row is not None
        ledger.store_cosignature(
            session,
            checkpoint_row=row,
            cosignature=cosign(checkpoint, key=witness, name="city-bureau", now=utcnow()),
        )
        session.commit()
        out = base / "evidence.zip"
        build_package(
            session,
            settings=settings,
            camera_id=camera.id,
            start=T0 + dt.timedelta(seconds=1),
            end=T0 + dt.timedelta(seconds=5),
            out=out,
            key=key,
        )
    finally:
        session.close()
        engine.dispose()
    return Built(
        path=out,
        key=key,
        witness=witness,
        pem=public_path(data_dir),
        witness_pem=public_path(data_dir / "witness", WITNESS_KEY),
        segment_files=files,
    )


def test_clean_package_verifies_with_every_check(built: Built) -> None:
    report = verify_package(built.path, built.public, witness_keys=[built.witness.public])
    assert report.ok, report.failed()
    names = [c.name for c in report.checks]
    assert names == [
        "zip",
        "zip-canonical",
        "manifest",
        "manifest-signature",
        "members",
        "key-fingerprint",
        "checkpoint",
        "checkpoint-manifest",
        "segment-files",
        "segment-entries",
        "segment-proofs",
        "segment-order",
        "view",
        "cosignatures",
    ]
    assert "city-bureau" in report.checks[-1].detail
    plain = verify_package(built.path, built.public)
    assert plain.ok
    assert plain.checks[-1].detail.startswith("not checked: no witness key given")


def test_package_layout_is_canonical_and_readable_by_any_zip_reader(built: Built) -> None:
    with zipfile.ZipFile(built.path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        infos = archive.infolist()
    assert names[:4] == [MANIFEST, SIGNATURE, CHECKPOINT, FINGERPRINT]
    assert names[-1] == VIEW
    assert names[4:-1] == sorted(names[4:-1])
    assert all(n.startswith("segments/") for n in names[4:-1])
    for info in infos:
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.extra == b""
        assert info.comment == b""
        assert info.external_attr == 0o100644 << 16
    # Rebuilding from the extracted members gives the same bytes.
    members = extract(built.path)
    assert rebuild(members, built.path.with_name("again.zip")).read_bytes() == (
        built.path.read_bytes()
    )


def test_segments_are_byte_identical_and_the_view_plays(built: Built, tmp_path: Path) -> None:
    members = extract(built.path)
    manifest = json.loads(members[MANIFEST])
    originals = {p.name: p.read_bytes() for p in built.segment_files}
    packaged = [s for s in manifest["segments"]]
    assert [s["seq"] for s in packaged] == [1, 2, 3]
    for segment in packaged:
        name = segment["path"].split("-", 1)[1]
        assert members[segment["path"]] == originals[name]
    assert manifest["request"] is None
    assert manifest["approval"] is None
    assert manifest["officers"] is None
    assert manifest["range"] == {
        "from": entries.stamp(T0 + dt.timedelta(seconds=1)),
        "to": entries.stamp(T0 + dt.timedelta(seconds=5)),
    }
    assert manifest["key"]["key_id"] == built.public.key_id
    assert len(manifest["checkpoint"]["cosignatures"]) == 1
    assert members[CHECKPOINT].decode().startswith("psvis-checkpoint/v1\n")
    view = tmp_path / "view.mp4"
    view.write_bytes(members[VIEW])
    with av.open(str(view)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = sum(1 for _ in container.demux(stream))
    # 4 s at 10 fps, starting up to one GOP (1 s) early: between 40 and 50 packets.
    assert 40 <= frames <= 51, frames


# --- tampering: each fails with the check that names it ----------------------------------


def test_one_byte_in_a_segment_fails_segment_files(built: Built, tmp_path: Path) -> None:
    _header, data = member_offset(built.path, extract_name(built, 2))
    report = verify_package(flipped(built.path, data + 500, tmp_path / "t.zip"), built.public)
    assert "segment-files" in failed(report)
    detail = next(c.detail for c in report.failed() if c.name == "segment-files")
    assert extract_name(built, 2) in detail


def extract_name(built: Built, seq: int) -> str:
    return next(n for n in extract(built.path) if n.startswith(f"segments/{seq:06d}-"))


def test_one_byte_in_a_manifest_field_fails_its_signature(built: Built, tmp_path: Path) -> None:
    members = extract(built.path)
    gb_id = json.loads(members[MANIFEST])["camera"]["gb_id"]
    _header, data = member_offset(built.path, MANIFEST)
    at = data + members[MANIFEST].index(gb_id.encode()) + 19  # the last digit
    report = verify_package(flipped(built.path, at, tmp_path / "t.zip"), built.public)
    assert "manifest-signature" in failed(report)


def test_edited_manifest_rebuilt_canonically_fails_only_its_signature(
    built: Built, tmp_path: Path
) -> None:
    """An attacker without the key edits a field and rebuilds a perfect zip."""
    members = extract(built.path)
    manifest = json.loads(members[MANIFEST])
    manifest["camera"]["name"] = "another camera"
    members[MANIFEST] = canonical_json(manifest)
    report = verify_package(rebuild(members, tmp_path / "t.zip"), built.public)
    assert failed(report) == {"manifest-signature"}


def test_altered_proof_hash_fails(built: Built, tmp_path: Path) -> None:
    members = extract(built.path)
    manifest = json.loads(members[MANIFEST])
    proof = manifest["segments"][1]["inclusion_proof"]
    assert proof, "a tree of several leaves has proofs"
    proof[0] = ("0" if proof[0][0] != "0" else "1") + proof[0][1:]
    # Without the key: the signature fails.
    members[MANIFEST] = canonical_json(manifest)
    assert "manifest-signature" in failed(
        verify_package(rebuild(members, tmp_path / "a.zip"), built.public)
    )
    # Even an insider who holds the key cannot make a wrong proof verify.
    resign(members, manifest, built.key)
    report = verify_package(rebuild(members, tmp_path / "b.zip"), built.public)
    assert failed(report) == {"segment-proofs"}
    assert "seq 2" in report.failed()[0].detail


def test_insider_swapping_a_segment_is_caught_by_the_ledger_entry(
    built: Built, tmp_path: Path
) -> None:
    """Key holder replaces segment 2 and fixes the manifest's hash: the ledger entry
    (proved in the signed tree) still names the original."""
    members = extract(built.path)
    manifest = json.loads(members[MANIFEST])
    name = manifest["segments"][1]["path"]
    members[name] = members[name][:-188] + bytes(188)
    manifest["segments"][1]["sha256"] = hashlib.sha256(members[name]).hexdigest()
    resign(members, manifest, built.key)
    report = verify_package(rebuild(members, tmp_path / "t.zip"), built.public)
    assert failed(report) == {"segment-entries"}


def test_one_byte_in_the_view_fails_view(built: Built, tmp_path: Path) -> None:
    _header, data = member_offset(built.path, VIEW)
    report = verify_package(flipped(built.path, data + 1000, tmp_path / "t.zip"), built.public)
    assert "view" in failed(report)


def test_one_byte_in_the_checkpoint_fails_checkpoint(built: Built, tmp_path: Path) -> None:
    members = extract(built.path)
    _header, data = member_offset(built.path, CHECKPOINT)
    at = data + members[CHECKPOINT].index(b"\nroot ") + 8
    report = verify_package(flipped(built.path, at, tmp_path / "t.zip"), built.public)
    assert "checkpoint" in failed(report)
    # The same edit with the zip rebuilt canonically: only the checkpoint checks fail.
    note = bytearray(members[CHECKPOINT])
    note[at - data] ^= 0x01
    members[CHECKPOINT] = bytes(note)
    report = verify_package(rebuild(members, tmp_path / "r.zip"), built.public)
    assert failed(report) <= {"checkpoint", "checkpoint-manifest", "segment-proofs"}
    assert "checkpoint" in failed(report)


def test_one_byte_in_a_zip_header_timestamp_fails_zip_canonical(
    built: Built, tmp_path: Path
) -> None:
    header, _data = member_offset(built.path, CHECKPOINT)
    report = verify_package(flipped(built.path, header + 10, tmp_path / "t.zip"), built.public)
    assert failed(report) == {"zip-canonical"}
    assert "local header of checkpoint.txt" in report.failed()[0].detail


def test_appended_bytes_fail_zip_canonical(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "t.zip"
    out.write_bytes(built.path.read_bytes() + b"trailing")
    report = verify_package(out, built.public)
    assert failed(report) == {"zip-canonical"}
    assert "8 bytes follow" in report.failed()[0].detail


def test_one_byte_flipped_anywhere_fails(built: Built, tmp_path: Path) -> None:
    """~200 offsets evenly spread over the whole file: headers, manifest, signature,
    checkpoint, fingerprint, segments, view, central directory, end record."""
    size = built.path.stat().st_size
    offsets = sorted({round(i * (size - 1) / 199) for i in range(200)} | {size - 1, size - 22})
    original = built.path.read_bytes()
    target = tmp_path / "t.zip"
    for offset in offsets:
        data = bytearray(original)
        data[offset] ^= 0x01
        target.write_bytes(bytes(data))
        report = verify_package(target, built.public)
        assert not report.ok, f"a flip at byte {offset} of {size} went undetected"


def test_every_byte_of_the_small_members_and_headers_is_covered(
    built: Built, tmp_path: Path
) -> None:
    """Exhaustively: each byte before the first segment's data (headers, manifest,
    signature, checkpoint, fingerprint) and of the central directory and end record."""
    _header, first_data = member_offset(built.path, extract_name(built, 1))
    original = built.path.read_bytes()
    view_header, view_data = member_offset(built.path, VIEW)
    tail_start = view_data + len(extract(built.path)[VIEW])
    target = tmp_path / "t.zip"
    step = max(1, first_data // 600)  # the manifest is a few KB; sample it densely
    for offset in [*range(0, first_data, step), *range(tail_start, len(original))]:
        data = bytearray(original)
        data[offset] ^= 0x01
        target.write_bytes(bytes(data))
        assert not verify_package(target, built.public).ok, f"byte {offset} undetected"
    assert view_header < view_data


def test_wrong_public_key_fails(built: Built) -> None:
    report = verify_package(
        built.path, SigningKey.load_or_create(Path(built.path.parent / "k")).public
    )
    assert {"manifest-signature", "checkpoint", "key-fingerprint"} <= failed(report)


def test_forged_package_resigned_with_another_key_fails_with_the_real_key(
    built: Built, tmp_path: Path
) -> None:
    forger = SigningKey.load_or_create(tmp_path / "forger")
    members = extract(built.path)
    manifest = json.loads(members[MANIFEST])
    manifest["camera"]["name"] = "forged"
    manifest["key"] = {"key_id": forger.public.key_id, "fingerprint": forger.public.fingerprint}
    old = Checkpoint.parse(members[CHECKPOINT].decode())
    members[CHECKPOINT] = (
        Checkpoint(old.origin, old.size, old.root, old.time).signed(forger).note().encode()
    )
    members[FINGERPRINT] = fingerprint_text(forger.public.key_id, forger.public.fingerprint)
    resign(members, manifest, forger)
    forged = rebuild(members, tmp_path / "forged.zip")
    with_real = verify_package(forged, built.public)
    assert {"manifest-signature", "checkpoint", "key-fingerprint"} <= failed(with_real)
    # Internally consistent: only the key tells the forgery apart.
    assert verify_package(forged, forger.public).ok


def test_cosignature_checked_against_the_witness_key(built: Built, tmp_path: Path) -> None:
    stranger = SigningKey.load_or_create(tmp_path / "stranger", WITNESS_KEY)
    report = verify_package(built.path, built.public, witness_keys=[stranger.public])
    assert failed(report) == {"cosignatures"}
    members = extract(built.path)
    manifest = json.loads(members[MANIFEST])
    cosignature = manifest["checkpoint"]["cosignatures"][0]
    cosignature["time"] = entries.stamp(utcnow())  # not the time the witness signed
    resign(members, manifest, built.key)
    tampered = rebuild(members, tmp_path / "t.zip")
    assert verify_package(tampered, built.public).ok  # not checked without the key
    report = verify_package(tampered, built.public, witness_keys=[built.witness.public])
    assert failed(report) == {"cosignatures"}


# --- hostile input: failed checks with reasons, never a traceback ------------------------


def test_not_a_zip_and_empty_file(built: Built, tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"%PDF-1.7 this is not a package" * 10)
    report = verify_package(junk, built.public)
    assert [(c.name, c.ok) for c in report.checks] == [("zip", False)]
    assert "not a zip file" in report.checks[0].detail
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    assert "empty" in verify_package(empty, built.public).checks[0].detail
    missing = verify_package(tmp_path / "nowhere.zip", built.public)
    assert failed(missing) == {"zip"}


def _python_zip(
    out: Path, members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED
) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(out, "w", compression=compression) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return out


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.sh", "not allowed"),
        ("/etc/passwd", "not allowed"),
        ("segments/../../x", "not allowed"),
        ("segments\\..\\x", "not allowed"),
        ("c:/x", "not allowed"),
        ("naïve.txt", "not ASCII"),
    ],
)
def test_path_traversal_names_fail(built: Built, tmp_path: Path, name: str, reason: str) -> None:
    members = [(MANIFEST, b"{}"), (name, b"#!/bin/sh\n")]
    report = verify_package(_python_zip(tmp_path / "t.zip", members), built.public)
    assert failed(report) == {"zip"}
    assert reason in report.checks[0].detail


def test_duplicate_members_fail(built: Built, tmp_path: Path) -> None:
    members = extract(built.path)
    doubled = [*members.items(), (MANIFEST, members[MANIFEST])]
    report = verify_package(_python_zip(tmp_path / "t.zip", doubled), built.public)
    assert failed(report) == {"zip"}
    assert "appears twice" in report.checks[0].detail


def test_compressed_members_fail(built: Built, tmp_path: Path) -> None:
    members = list(extract(built.path).items())
    out = _python_zip(tmp_path / "t.zip", members, compression=zipfile.ZIP_DEFLATED)
    report = verify_package(out, built.public)
    assert failed(report) == {"zip"}
    assert "compressed" in report.checks[0].detail


def test_size_claim_beyond_the_file_fails(built: Built, tmp_path: Path) -> None:
    """A header claiming 4 GiB (zip-bomb-ish) is refused before anything is read."""
    data = bytearray(built.path.read_bytes())
    data[18:26] = (0xFFFFFFF0).to_bytes(4, "little") * 2  # sizes of manifest.json
    target = tmp_path / "t.zip"
    target.write_bytes(bytes(data))
    report = verify_package(target, built.public)
    assert failed(report) == {"zip"}
    assert "more than the file holds" in report.checks[0].detail


def test_extra_member_fails_members(built: Built, tmp_path: Path) -> None:
    members = extract(built.path)
    members["segments/000009-extra.ts"] = b"\x47" * 188
    report = verify_package(rebuild(members, tmp_path / "t.zip"), built.public)
    assert failed(report) == {"members"}
    assert "unexpected segments/000009-extra.ts" in report.failed()[0].detail


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda m: m["segments"][0].__setitem__("size", "12"),
            "segments[0].size: expected an integer",
        ),
        (
            lambda m: m["segments"][0].__setitem__("size", True),
            "expected an integer, found a boolean",
        ),
        (lambda m: m.__setitem__("camera", []), "manifest.camera: expected an object"),
        (lambda m: m.__setitem__("segments", {}), "manifest.segments: expected an array"),
        (lambda m: m.__setitem__("segments", []), "manifest.segments: empty"),
        (lambda m: m.__setitem__("surprise", 1), "unexpected surprise"),
        (lambda m: m.pop("view"), "missing view"),
        (lambda m: m.__setitem__("version", 2), "not a version this verifier reads"),
        (lambda m: m["range"].__setitem__("from", "yesterday"), "manifest.range.from"),
        (lambda m: m["segments"][0].__setitem__("entry", "%%%"), "segments[0].entry: not base64"),
        (lambda m: m.__setitem__("request", "x" * 10), "manifest.request"),
        (
            lambda m: m["segments"][0].__setitem__("path", "segments/000001-../../x"),
            "segments[0].path",
        ),
    ],
)
def test_wrong_manifest_types_fail_manifest(
    built: Built, tmp_path: Path, edit: object, message: str
) -> None:
    members = extract(built.path)
    manifest = json.loads(members[MANIFEST])
    assert callable(edit)
    edit(manifest)
    resign(members, manifest, built.key)  # signed, so only the schema can object
    report = verify_package(rebuild(members, tmp_path / "t.zip"), built.public)
    assert "manifest" in failed(report)
    detail = next(c.detail for c in report.checks if c.name == "manifest")
    assert message in detail, detail


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":1.5}', "only integers"),
        (b'{"a":NaN}', "NaN is not JSON"),
        (b'{"a":1,"a":2}', "appears twice"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"a":' + b"9" * 10_000 + b"}", "not acceptable JSON"),
        (b"not json", "not JSON"),
    ],
)
def test_malformed_manifest_json_fails_manifest(
    built: Built, tmp_path: Path, text: bytes, message: str
) -> None:
    members = extract(built.path)
    members[MANIFEST] = text
    members[SIGNATURE] = signature_text(built.key.sign(text))
    report = verify_package(rebuild(members, tmp_path / "t.zip"), built.public)
    assert "manifest" in failed(report)
    assert message in next(c.detail for c in report.checks if c.name == "manifest")


def test_huge_manifest_is_not_read(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verifier, "MAX_MANIFEST_BYTES", 1000)
    report = verify_package(built.path, built.public)
    assert "larger than 1000 bytes" in next(c.detail for c in report.checks if c.name == "manifest")


def test_zip64_layout_is_read_by_pythons_zipfile_and_verifies(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ZIP64 fields (members ≥ 4 GiB, > 65,534 members) exercised by lowering the
    thresholds: standard readers read the layout and the verifier accepts it."""
    monkeypatch.setattr(package_format, "ZIP64_SIZE_AT", 1000)
    monkeypatch.setattr(package_format, "ZIP64_COUNT_AT", 3)
    members = extract(built.path)
    out = rebuild(members, tmp_path / "z64.zip")
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        assert archive.read(VIEW) == members[VIEW]
        assert archive.namelist()[0] == MANIFEST
    assert verify_package(out, built.public).ok
    data = bytearray(out.read_bytes())
    data[-30] ^= 0x01  # inside the ZIP64 locator / end record
    (tmp_path / "t.zip").write_bytes(bytes(data))
    assert not verify_package(tmp_path / "t.zip", built.public).ok


def test_verifier_imports_nothing_of_the_platform() -> None:
    code = (
        "import sys, psvis.ledger.verify_package\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'av', 'fastapi', 'pydantic', 'typer', 'alembic') or "
        "m.startswith(('psvis.recording', 'psvis.registry', 'psvis.core.config', "
        "'psvis.core.db', 'psvis.ledger.models', 'psvis.ledger.service', 'psvis.ledger.tree')))\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stdout


# --- the CLI, on both backends ------------------------------------------------------------


@pytest.fixture
def recorded(settings: Settings, registry: Registry, db: Session) -> tuple[int, list[Segment]]:
    _unit, _site, _system, camera = registry.covered_site()
    db.commit()
    root = storage_root(db, settings.data_dir)
    segments = record(db, root, camera.id, start=T0, seconds=6, segment_seconds=2)
    return camera.id, segments


def export_args(camera_id: int, out: Path, *extra: str) -> list[str]:
    return [
        "export",
        "--camera",
        str(camera_id),
        "--from",
        _stamp(T0 + dt.timedelta(seconds=1)),
        "--to",
        (T0 + dt.timedelta(seconds=5)).astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(),
        "--out",
        str(out),
        *extra,
    ]


def test_export_then_verify_in_an_empty_directory(
    settings: Settings, recorded: tuple[int, list[Segment]], tmp_path: Path
) -> None:
    camera_id, segments = recorded
    out = tmp_path / "evidence.zip"
    result = psvis(*export_args(camera_id, out), cwd=tmp_path, settings=settings)
    assert result.returncode == 0, result.stderr
    assert "segments   3 (seq 1–3" in result.stdout
    # Another machine: an empty directory, the package and the public key, no PSVIS_*.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "evidence.zip").write_bytes(out.read_bytes())
    (elsewhere / "ledger.pub.pem").write_bytes(public_path(settings.data_dir).read_bytes())
    verified = psvis(
        "verify-package", "evidence.zip", "--public-key", "ledger.pub.pem", cwd=elsewhere
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "✓ segment-proofs" in verified.stdout
    assert "VERIFIED: all" in verified.stdout
    assert sorted(p.name for p in elsewhere.iterdir()) == ["evidence.zip", "ledger.pub.pem"]
    as_json = psvis(
        "verify-package", "evidence.zip", "--public-key", "ledger.pub.pem", "--json", cwd=elsewhere
    )
    body = json.loads(as_json.stdout)
    assert body["ok"] is True
    assert body["summary"]["segments"] == 3
    # The segment files in the package are the sealed files, byte for byte.
    members = extract(out)
    for segment in segments:
        name = next(n for n in members if n.startswith(f"segments/{segment.seq:06d}-"))
        assert len(members[name]) == segment.size_bytes
    # One flipped byte: exit 1 with the failing check marked.
    _header, data = member_offset(out, name)
    flipped(out, data + 10, elsewhere / "evidence.zip")
    tampered = psvis(
        "verify-package", "evidence.zip", "--public-key", "ledger.pub.pem", cwd=elsewhere
    )
    assert tampered.returncode == 1
    assert "✗ segment-files" in tampered.stdout
    assert "NOT VERIFIED" in tampered.stdout


def test_verify_package_cli_errors(built: Built, tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    result = psvis("verify-package", str(junk), "--public-key", str(built.pem), cwd=tmp_path)
    assert result.returncode == 1
    assert "✗ zip: not a zip file" in result.stdout
    assert "Traceback" not in result.stderr
    bad_key = tmp_path / "bad.pem"
    bad_key.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    result = psvis("verify-package", str(built.path), "--public-key", str(bad_key), cwd=tmp_path)
    assert result.returncode == 2
    assert "not a PEM public key" in result.stderr
    result = psvis(
        "verify-package", str(built.path), "--public-key", str(tmp_path / "no.pem"), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "cannot read public key" in result.stderr
    result = psvis(
        "verify-package", str(tmp_path / "no.zip"), "--public-key", str(built.pem), cwd=tmp_path
    )
    assert result.returncode == 2
    result = psvis(
        "verify-package",
        str(built.path),
        "--public-key",
        str(built.pem),
        "--witness-key",
        str(built.witness_pem),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout
    assert "✓ cosignatures: cosigned by city-bureau" in result.stdout


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-01-05T10:00:00", "2026-01-05T10:01:00Z", "no UTC offset"),
        ("2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z", "end must be after start"),
        ("2026-01-05T10:00:00Z", "2026-01-05T09:00:00Z", "end must be after start"),
        ("2026-01-05T10:00:00Z", "2026-01-06T10:00:01Z", "at most 24 h"),
        ("yesterday", "2026-01-05T10:00:00Z", "not an ISO 8601 time"),
    ],
)
def test_export_refuses_bad_ranges(tmp_path: Path, start: str, end: str, message: str) -> None:
    out = tmp_path / "e.zip"
    result = psvis(
        "export", "--camera", "1", "--from", start, "--to", end, "--out", str(out), cwd=tmp_path
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert not out.exists()


def test_export_refuses_unknown_camera_and_existing_output(
    settings: Settings, recorded: tuple[int, list[Segment]], tmp_path: Path
) -> None:
    camera_id, _segments = recorded
    out = tmp_path / "e.zip"
    result = psvis(*export_args(999_999, out), cwd=tmp_path, settings=settings)
    assert result.returncode == 2
    assert "camera 999999 does not exist" in result.stderr
    assert not out.exists()
    nowhere = tmp_path / "no" / "such" / "e.zip"
    result = psvis(*export_args(camera_id, nowhere), cwd=tmp_path, settings=settings)
    assert result.returncode == 2
    assert "is not a directory" in result.stderr
    out.write_bytes(b"keep me")
    result = psvis(*export_args(camera_id, out), cwd=tmp_path, settings=settings)
    assert result.returncode == 2
    assert "exists; use --force" in result.stderr
    assert out.read_bytes() == b"keep me"
    result = psvis(*export_args(camera_id, out, "--force"), cwd=tmp_path, settings=settings)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_refuses_an_altered_segment(
    settings: Settings, recorded: tuple[int, list[Segment]], db: Session, tmp_path: Path
) -> None:
    camera_id, segments = recorded
    path = segment_file(db, segments[1])
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[1000] ^= 0x01
    path.write_bytes(bytes(data))
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "e.zip"
    result = psvis(*export_args(camera_id, out), cwd=tmp_path, settings=settings)
    assert result.returncode == 2
    assert "is not the one sealed in the ledger" in result.stderr
    assert "seq 2" in result.stderr
    assert list(outdir.iterdir()) == []  # no package, no temporary files left
    # A missing file besides: both reported, one line each.
    segment_file(db, segments[2]).unlink()
    result = psvis(*export_args(camera_id, out), cwd=tmp_path, settings=settings)
    assert result.returncode == 2
    assert "2 segments do not match the ledger" in result.stderr
    assert "seq 2 of camera" in result.stderr
    assert "its file is missing" in result.stderr
    assert list(outdir.iterdir()) == []


def test_export_refuses_a_segment_missing_from_the_ledger(
    settings: Settings, recorded: tuple[int, list[Segment]], db: Session, tmp_path: Path
) -> None:
    camera_id, _segments = recorded
    db.execute(delete(LedgerEntry).where(LedgerEntry.camera_id == camera_id, LedgerEntry.seq == 3))
    db.commit()
    out = tmp_path / "e.zip"
    result = psvis(*export_args(camera_id, out), cwd=tmp_path, settings=settings)
    assert result.returncode == 2
    assert "seq 3" in result.stderr
    assert "0 segment.sealed ledger entries" in result.stderr
    assert not out.exists()


def test_export_without_camera_is_still_the_registry_export(
    settings: Settings, registry: Registry, tmp_path: Path
) -> None:
    registry.covered_site()
    registry.session.commit()
    out = tmp_path / "cameras.geojson"
    result = psvis(
        "export", "--format", "geojson", "--out", str(out), cwd=tmp_path, settings=settings
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["type"] == "FeatureCollection"
    mixed = psvis(
        "export",
        "--camera",
        "1",
        "--format",
        "xlsx",
        "--from",
        "2026-01-05T10:00:00Z",
        "--to",
        "2026-01-05T11:00:00Z",
        "--out",
        str(tmp_path / "x.zip"),
        cwd=tmp_path,
        settings=settings,
    )
    assert mixed.returncode == 2
    assert "--format and --sites are for registry exports" in mixed.stderr


# --- the design document's worked example stays true ------------------------------------

DOC = Path(__file__).parents[3] / "docs" / "design" / "evidence-package.md"


def _blocks(text: str) -> list[str]:
    return text.split("```")[1::2]


def test_worked_example_in_the_design_doc() -> None:
    text = DOC.read_text("utf-8")
    example = text[text.index("## Worked example") :]
    blocks = [b.strip("\n") for b in _blocks(example)]
    pem, log, note = blocks[0], blocks[1], blocks[2]
    public = PublicKey.from_pem(pem.encode() + b"\n")
    assert public.key_id in example
    assert public.fingerprint in example
    lines = dict(line.split(" = ", 1) for line in log.splitlines() if " = " in line)
    leaves = [merkle.leaf_hash(lines[f"d{i}"].encode()) for i in range(3)]
    for i, leaf in enumerate(leaves):
        assert lines[f"LH(d{i})"] == leaf.hex()
        entries.decode(lines[f"d{i}"].encode())  # canonical entries
    root = merkle.node_hash(merkle.node_hash(leaves[0], leaves[1]), leaves[2])
    assert root.hex() in log
    assert merkle.verify_inclusion(
        leaf=leaves[1], index=1, size=3, proof=[leaves[0], leaves[2]], root_hash=root
    )
    checkpoint = Checkpoint.parse(note + "\n")
    assert checkpoint.verify(public)
    assert (checkpoint.size, checkpoint.root) == (3, root)
    # The zip example: a header, a directory entry and an end record.
    zip_example = next(b for b in _blocks(text) if b.strip().startswith("50 4b 03 04"))
    parts = [bytes.fromhex(p.replace("\n", " ")) for p in zip_example.strip().split("\n\n")]
    member = ZipMember(name="manifest.sig", size=89, crc32=0x1234ABCD)
    assert parts == [
        package_format.local_header(member),
        package_format.central_header(member, 4096),
        package_format.end_records(8, 586_000, 500),
    ]
