"""Verify an evidence package offline: with nothing but the package and the log's public
key (docs/design/evidence-package.md, "Verification").

    report = verify_package(Path("evidence.zip"), PublicKey.read(Path("ledger.pub.pem")))
    for check in report.checks:
        print("✓" if check.ok else "✗", check.name, check.detail)

Every byte of the package is accounted for: the zip structure is rebuilt from the
members and compared byte for byte (``zip-canonical``); ``manifest.json`` is signed
(``manifest-signature``); every other member's contents are either signed
(``checkpoint.txt``), fixed by the key (``manifest.sig``, ``key-fingerprint.txt``) or
hashed in the manifest (segments, ``view.mp4``). Each segment's ledger entry is proved
to be in the log by an RFC 9162 inclusion proof against the signed checkpoint.

An export made in a custody execution session (Art. 18-19) carries the request, the
approval and the two officers in the manifest's custody slots. They are part of the
signed manifest bytes, so ``manifest-signature`` already authenticates them; their
schema is checked with the manifest, and the ``custody`` check (present only when the
slots are filled) says whether the record holds together (an export action approved,
two officers with work IDs, approval → session → package in time order).

This module depends only on the standard library, ``cryptography`` and
``psvis.ledger.{package_format,entries,checkpoints,keys,merkle}``: no database, no
settings, no data directory, no ffmpeg. Malformed or hostile input becomes failed
checks with a reason, never an exception.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from psvis.ledger import merkle
from psvis.ledger.checkpoints import Checkpoint, CheckpointError
from psvis.ledger.entries import EntryError, EntryType, decode, stamp
from psvis.ledger.keys import PublicKey
from psvis.ledger.package_format import (
    CHECKPOINT,
    CHUNK,
    FINGERPRINT,
    FIXED,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    MAX_SMALL_BYTES,
    SIGNATURE,
    VIEW,
    CompareSink,
    CustodyFacts,
    FoundMember,
    Manifest,
    PackageFormatError,
    SegmentRecord,
    ZipMember,
    fingerprint_text,
    parse_manifest,
    read_members,
    region,
    signature_text,
    write_canonical_zip,
)

#: Failures listed in one check's detail before "and N more".
LISTED = 20


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class VerifyReport:
    """The checks in the order they ran; ``ok`` only when there are checks and all
    hold. ``manifest`` is set once the manifest could be read (for a summary)."""

    path: str
    checks: list[Check] = field(default_factory=list)
    manifest: Manifest | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    def summary(self) -> dict[str, Any]:
        m = self.manifest
        if m is None:
            return {}
        return {
            "package_id": m.package_id,
            "camera": m.camera,
            "site": m.site,
            "unit": m.unit,
            "jurisdiction": m.jurisdiction,
            "range": {"from": stamp(m.range_from), "to": stamp(m.range_to)},
            "segments": len(m.segments),
            "tree_size": m.tree_size,
            "cosignatures": len(m.cosignatures),
            "key_fingerprint": m.key_fingerprint,
            "custody": _custody_summary(m.custody),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "package": self.path,
            "summary": self.summary(),
            "checks": [c.as_json() for c in self.checks],
        }


@dataclass(frozen=True, slots=True)
class _Hashed:
    member: FoundMember
    sha256: str
    crc32: int


def _hash(handle: BinaryIO, member: FoundMember) -> _Hashed:
    handle.seek(member.data_offset)
    digest, crc, left = hashlib.sha256(), 0, member.size
    while left > 0:
        chunk = handle.read(min(CHUNK, left))
        if not chunk:
            break
        digest.update(chunk)
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
    return _Hashed(member, digest.hexdigest(), crc)


def _listed(problems: Sequence[str]) -> str:
    shown = "; ".join(problems[:LISTED])
    more = len(problems) - LISTED
    return shown + (f"; and {more} more" if more > 0 else "")


def verify_package(
    path: Path, public_key: PublicKey, *, witness_keys: Sequence[PublicKey] = ()
) -> VerifyReport:
    """Run every check on the package at ``path`` against the log key ``public_key``
    (which the verifier obtained from the archive's owner, never from the package).
    A cosignature is checked when its witness's key is among ``witness_keys``."""
    report = VerifyReport(path=str(path))
    try:
        with path.open("rb") as handle:
            _verify(report, handle, path, public_key, witness_keys)
    except OSError as exc:
        report.add("zip", False, f"cannot read {path.name}: {exc.strerror or exc}")
    except Exception as exc:  # hostile input must end in a failed check, not a traceback
        report.add(
            "internal",
            False,
            f"verification stopped on unexpected input: {type(exc).__name__}: {exc}"[:500],
        )
    return report


def _verify(
    report: VerifyReport,
    handle: BinaryIO,
    path: Path,
    public_key: PublicKey,
    witness_keys: Sequence[PublicKey],
) -> None:
    size = os.fstat(handle.fileno()).st_size
    try:
        found = read_members(handle, size)
    except PackageFormatError as exc:
        report.add("zip", False, str(exc))
        return
    report.add("zip", True, f"{len(found)} stored members in {size} bytes")

    hashed = {m.name: _hash(handle, m) for m in found}
    _check_canonical(report, handle, path, size, list(hashed.values()))

    contents: dict[str, bytes] = {}
    for name, limit in (
        (MANIFEST, MAX_MANIFEST_BYTES),
        (SIGNATURE, MAX_SMALL_BYTES),
        (CHECKPOINT, MAX_SMALL_BYTES),
        (FINGERPRINT, MAX_SMALL_BYTES),
    ):
        if name in hashed and hashed[name].member.size <= limit:
            member = hashed[name].member
            handle.seek(member.data_offset)
            contents[name] = handle.read(member.size)

    manifest = _check_manifest(report, contents.get(MANIFEST), hashed)
    _check_signature(report, contents, manifest, public_key)
    if manifest is None:
        return
    report.manifest = manifest
    _check_members(report, manifest, hashed)
    _check_fingerprint(report, contents.get(FINGERPRINT), public_key)
    checkpoint = _check_checkpoint(report, contents.get(CHECKPOINT), manifest, public_key)
    _check_segments(report, manifest, hashed, checkpoint)
    _check_view(report, manifest, hashed)
    _check_cosignatures(report, manifest, checkpoint, witness_keys)
    _check_custody(report, manifest)


def _check_canonical(
    report: VerifyReport, handle: BinaryIO, path: Path, size: int, members: list[_Hashed]
) -> None:
    """Rebuild the zip from its own members with the exporter's writer; compare."""
    sink = CompareSink(handle, path, size)
    rebuilt = [
        ZipMember(
            name=h.member.name,
            size=h.member.size,
            crc32=h.crc32,
            source=path,
            offset=h.member.data_offset,
        )
        for h in members
    ]
    layout = write_canonical_zip(sink, rebuilt)
    if sink.mismatch is None and sink.position != size:
        sink.mismatch = min(sink.position, size)
    if sink.mismatch is None:
        report.add("zip-canonical", True, "every byte of the zip structure is canonical")
        return
    at = sink.mismatch
    stored = {h.member.name: h for h in members}
    crc_bad = [n for n, h in stored.items() if h.crc32 != h.member.crc32]
    detail = f"byte {at} differs from the canonical package, in {region(layout, at)}"
    if at >= sink.position:
        detail = f"{size - sink.position} bytes follow the end of the package"
    if crc_bad:
        detail += f"; the CRC-32 of {', '.join(crc_bad[:5])} does not match its contents"
    report.add("zip-canonical", False, detail)


def _check_manifest(
    report: VerifyReport, data: bytes | None, hashed: dict[str, _Hashed]
) -> Manifest | None:
    if data is None:
        if MANIFEST in hashed:
            report.add("manifest", False, f"{MANIFEST} is larger than {MAX_MANIFEST_BYTES} bytes")
        else:
            report.add("manifest", False, f"{MANIFEST} is missing: this is not a psvis package")
        return None
    try:
        manifest = parse_manifest(data)
    except PackageFormatError as exc:
        report.add("manifest", False, f"{MANIFEST}: {exc}")
        return None
    report.add(
        "manifest",
        True,
        f"camera {manifest.camera['gb_id']} ({manifest.camera['name']}), "
        f"{stamp(manifest.range_from)} to {stamp(manifest.range_to)}, "
        f"{len(manifest.segments)} segments",
    )
    return manifest


def _check_signature(
    report: VerifyReport,
    contents: dict[str, bytes],
    manifest: Manifest | None,
    public_key: PublicKey,
) -> None:
    name = "manifest-signature"
    data, text = contents.get(MANIFEST), contents.get(SIGNATURE)
    if data is None:
        report.add(name, False, "no manifest to check")
        return
    if text is None:
        report.add(name, False, f"{SIGNATURE} is missing or too large")
        return
    try:
        signature = base64.b64decode(text.rstrip(b"\n"), validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if len(signature) != 64 or signature_text(signature) != text:
        report.add(name, False, f"{SIGNATURE} is not one line of base64 of a 64-byte signature")
        return
    if manifest is not None and manifest.key_id != public_key.key_id:
        report.add(
            name,
            False,
            f"the manifest names signing key {manifest.key_id[:16]}…, the key given is "
            f"{public_key.key_id[:16]}… (fingerprint {public_key.fingerprint})",
        )
        return
    if not public_key.verify(signature, data):
        report.add(
            name,
            False,
            "the manifest's signature does not verify with the given key: the manifest "
            "was changed after signing, or another key signed it",
        )
        return
    report.add(name, True, f"signed by key {public_key.fingerprint}")


def _check_members(report: VerifyReport, manifest: Manifest, hashed: dict[str, _Hashed]) -> None:
    expected = [*FIXED, *(s.path for s in manifest.segments), VIEW]
    missing = [n for n in expected if n not in hashed]
    extra = sorted(set(hashed) - set(expected))
    problems = [f"missing {n}" for n in missing] + [f"unexpected {n}" for n in extra]
    if problems:
        report.add("members", False, _listed(problems))
    else:
        report.add("members", True, f"exactly the {len(expected)} members the manifest lists")


def _check_fingerprint(report: VerifyReport, text: bytes | None, public_key: PublicKey) -> None:
    expected = fingerprint_text(public_key.key_id, public_key.fingerprint)
    if text == expected:
        report.add("key-fingerprint", True, f"{FINGERPRINT} names the given key")
        return
    named = ""
    if text is not None:
        first = text.split(b"\n", 1)[0].decode("ascii", "replace")[:90]
        named = f" (it says {first!r})"
    report.add(
        "key-fingerprint",
        False,
        f"{FINGERPRINT} does not name the given key {public_key.fingerprint}{named}",
    )


def _check_checkpoint(
    report: VerifyReport, data: bytes | None, manifest: Manifest, public_key: PublicKey
) -> Checkpoint | None:
    checkpoint: Checkpoint | None = None
    if data is None:
        report.add("checkpoint", False, f"{CHECKPOINT} is missing or too large")
    else:
        try:
            checkpoint = Checkpoint.parse(data.decode("utf-8"))
        except (UnicodeDecodeError, CheckpointError) as exc:
            report.add("checkpoint", False, f"{CHECKPOINT} is not a signed checkpoint note: {exc}")
        else:
            if checkpoint.key_id != public_key.key_id:
                report.add(
                    "checkpoint",
                    False,
                    f"the checkpoint was signed by key {checkpoint.key_id[:16]}…, not by the "
                    "given key",
                )
                checkpoint = None
            elif not checkpoint.verify(public_key):
                report.add(
                    "checkpoint",
                    False,
                    "the checkpoint's signature does not verify with the given key",
                )
                checkpoint = None
            else:
                report.add(
                    "checkpoint",
                    True,
                    f"tree of {checkpoint.size} entries, root {checkpoint.root.hex()[:16]}…, "
                    f"signed {stamp(checkpoint.time)} by the given key",
                )
    if checkpoint is None:
        report.add("checkpoint-manifest", False, "no verified checkpoint to compare with")
        return None
    differences = []
    if checkpoint.size != manifest.tree_size:
        differences.append(f"tree size {manifest.tree_size} ≠ {checkpoint.size}")
    if checkpoint.root != manifest.root:
        differences.append("root differs")
    if checkpoint.origin != manifest.origin:
        differences.append(f"origin {manifest.origin[:60]!r} ≠ {checkpoint.origin[:60]!r}")
    if differences:
        report.add(
            "checkpoint-manifest",
            False,
            "the manifest's checkpoint is not checkpoint.txt: " + "; ".join(differences),
        )
        return None
    report.add(
        "checkpoint-manifest", True, "the manifest's tree size and root are the checkpoint's"
    )
    return checkpoint


def _entry_problems(record: SegmentRecord, manifest: Manifest) -> list[str]:
    where = f"seq {record.seq}"
    try:
        body = decode(record.entry)
    except (EntryError, RecursionError, TypeError) as exc:
        return [f"{where}: the entry is not a canonical ledger entry ({exc})"[:300]]
    if body.get("type") != str(EntryType.SEGMENT_SEALED):
        return [f"{where}: the entry is a {str(body.get('type'))[:40]!r}, not segment.sealed"]
    wanted = {
        "camera": manifest.camera["id"],
        "seq": record.seq,
        "size": record.size,
        "sha256": record.sha256,
        "start": stamp(record.start),
        "end": stamp(record.end),
    }
    problems = [
        f"{where}: the entry's {key} is {str(body.get(key))[:70]!r}, the manifest says {value!r}"
        for key, value in wanted.items()
        if body.get(key) != value or isinstance(body.get(key), bool)
    ]
    file_name = str(body.get("path", "")).rsplit("/", 1)[-1]
    if not record.path.endswith("-" + file_name):
        problems.append(f"{where}: the entry's file is {file_name[:80]!r}, not {record.path!r}")
    return problems


def _check_segments(
    report: VerifyReport,
    manifest: Manifest,
    hashed: dict[str, _Hashed],
    checkpoint: Checkpoint | None,
) -> None:
    segments = manifest.segments
    file_problems: list[str] = []
    entry_problems: list[str] = []
    proof_problems: list[str] = []
    total = 0
    root = checkpoint.root if checkpoint is not None else manifest.root
    for record in segments:
        member = hashed.get(record.path)
        if member is None:
            file_problems.append(f"{record.path} is missing")
        elif member.member.size != record.size:
            file_problems.append(
                f"{record.path} has {member.member.size} bytes, the manifest says {record.size}"
            )
        elif member.sha256 != record.sha256:
            file_problems.append(
                f"{record.path}: SHA-256 {member.sha256[:16]}… is not the manifest's "
                f"{record.sha256[:16]}…"
            )
        else:
            total += record.size
        entry_problems += _entry_problems(record, manifest)
        if not merkle.verify_inclusion(
            leaf=merkle.leaf_hash(record.entry),
            index=record.leaf_index,
            size=manifest.tree_size,
            proof=record.inclusion_proof,
            root_hash=root,
        ):
            proof_problems.append(
                f"seq {record.seq}: the proof does not place its entry at leaf "
                f"{record.leaf_index} of the tree of {manifest.tree_size}"
            )
    count = len(segments)
    if file_problems:
        report.add("segment-files", False, _listed(file_problems))
    else:
        report.add(
            "segment-files", True, f"{count} segment files ({total} bytes) match the manifest"
        )
    if entry_problems:
        report.add("segment-entries", False, _listed(entry_problems))
    else:
        report.add(
            "segment-entries",
            True,
            f"{count} segment.sealed ledger entries match the files' hashes, sizes and times",
        )
    if proof_problems:
        report.add("segment-proofs", False, _listed(proof_problems))
    elif checkpoint is None:
        report.add(
            "segment-proofs",
            False,
            f"{count} inclusion proofs verify against the manifest's root, but no verified "
            "checkpoint vouches for that root",
        )
    else:
        report.add(
            "segment-proofs",
            True,
            f"{count} inclusion proofs verify against the signed checkpoint's root",
        )
    _check_order(report, manifest)


def _check_order(report: VerifyReport, manifest: Manifest) -> None:
    problems: list[str] = []
    gaps: list[str] = []
    previous: SegmentRecord | None = None
    for record in manifest.segments:
        if record.end <= manifest.range_from or record.start >= manifest.range_to:
            problems.append(f"seq {record.seq} lies outside the requested range")
        if previous is not None:
            if record.seq <= previous.seq:
                problems.append(f"seq {record.seq} follows seq {previous.seq}")
            elif record.seq != previous.seq + 1:
                gaps.append(f"{previous.seq + 1}–{record.seq - 1}")
        previous = record
    seqs = f"seq {manifest.segments[0].seq}–{manifest.segments[-1].seq}"
    if problems:
        report.add("segment-order", False, _listed(problems))
    elif gaps:
        report.add(
            "segment-order",
            True,
            f"{seqs} in order; not in the package (expired or lost; the archive's audit "
            f"says which): seq {', '.join(gaps[:LISTED])}",
        )
    else:
        report.add("segment-order", True, f"{seqs}, consecutive, all within the range")
    # A gap is a fact to show, not a failed check: the package proves what it holds.


def _check_view(report: VerifyReport, manifest: Manifest, hashed: dict[str, _Hashed]) -> None:
    member = hashed.get(VIEW)
    if member is None:
        report.add("view", False, f"{VIEW} is missing")
    elif member.member.size != manifest.view_size or member.sha256 != manifest.view_sha256:
        report.add(
            "view", False, f"{VIEW} is not the file the manifest hashed (size or SHA-256 differ)"
        )
    else:
        report.add("view", True, f"{VIEW} ({member.member.size} bytes) matches the manifest")


def _check_cosignatures(
    report: VerifyReport,
    manifest: Manifest,
    checkpoint: Checkpoint | None,
    witness_keys: Sequence[PublicKey],
) -> None:
    count = len(manifest.cosignatures)
    if not witness_keys:
        report.add(
            "cosignatures",
            True,
            f"not checked: no witness key given ({count} cosignature(s) in the package)",
        )
        return
    if checkpoint is None:
        report.add("cosignatures", False, "no verified checkpoint for the cosignatures to sign")
        return
    keys = {k.key_id: k for k in witness_keys}
    verified: list[str] = []
    problems: list[str] = []
    for cosignature in manifest.cosignatures:
        key = keys.get(cosignature.witness_key_id)
        if key is None:
            continue
        if cosignature.verify(checkpoint, key):
            verified.append(f"{cosignature.witness_name} at {stamp(cosignature.time)}")
        else:
            problems.append(f"the cosignature of {cosignature.witness_name!r} does not verify")
    if problems:
        report.add("cosignatures", False, _listed(problems))
    elif verified:
        report.add("cosignatures", True, "cosigned by " + ", ".join(verified[:LISTED]))
    else:
        report.add(
            "cosignatures",
            False,
            f"none of the {count} cosignature(s) is by a given witness key: the checkpoint "
            "was not witnessed by the witness you trust",
        )


def _custody_summary(facts: CustodyFacts | None) -> dict[str, Any] | None:
    if facts is None:
        return None
    return {
        "request": facts.request_number,
        "case_number": facts.case_number,
        "document_number": facts.document_number,
        "chief": {"name": facts.chief_name, "work_id": facts.chief_work_id},
        "officers": [facts.first.as_json(), facts.second.as_json()],
        "session_id": facts.session_id,
    }


def _check_custody(report: VerifyReport, manifest: Manifest) -> None:
    """The custody record (only when the slots are filled: an operator's export has
    none, and the summary says so). Its fields were read strictly with the manifest;
    they are authentic exactly when the manifest's signature verifies, since the
    signature covers the manifest's every byte."""
    facts = manifest.custody
    if facts is None:
        return
    problems = facts.problems(created=manifest.created)
    signed = any(c.name == "manifest-signature" and c.ok for c in report.checks)
    if not signed:
        problems.insert(0, "not authenticated: the manifest's signature does not verify")
    if problems:
        report.add("custody", False, _listed(problems))
        return
    department = facts.department_name + (
        f", under {facts.legal_basis}" if facts.department_kind == "other" else ""
    )
    report.add(
        "custody",
        True,
        f"request {facts.request_number} (case {facts.case_number}; {department}; "
        f"{', '.join(facts.actions)}; valid {stamp(facts.valid_from)} to "
        f"{stamp(facts.valid_until)}), approved {stamp(facts.decided_at)} by "
        f"{facts.chief_name}{_badge(facts.chief_work_id)} with document "
        f"{facts.document_number} (scan SHA-256 {facts.scan_sha256[:16]}…); exported in "
        f"session {facts.session_id} opened {stamp(facts.opened_at)} by "
        f"{facts.first.name}{_badge(facts.first.work_id)} and "
        f"{facts.second.name}{_badge(facts.second.work_id)}; signed with the manifest",
    )


def _badge(work_id: str) -> str:
    return f" (work ID {work_id})" if work_id else ""
