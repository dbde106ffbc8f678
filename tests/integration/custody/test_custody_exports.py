"""Exports under custody (Art. 18-19, 20(2)) over the real API on SQLite and PostgreSQL,
with real sealed footage, real ffmpeg and the offline verifier in an empty directory:

* no session, a session not one's own, a request approving no copy or retrieval, another
  camera, a range outside the approval, a closed session: refused, nothing written;
* with everything: an evidence package carrying request, approval and both officers
  that ``psvis verify-package`` verifies offline; a viewing copy whose watermark is
  drawn with the request number and both work IDs; every segment and the file's hash
  on the ledger, the audit clean; fetching again gated and logged;
* ``psvis export`` at the server console logs its ``operator_export`` entry;
* the verifier reads the custody slots strictly and checks they hold together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.auth.models import User
from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.custody import service
from psvis.custody.enums import AccessKind, CustodyAction
from psvis.custody.exports import EXPORT_DIR, STAGING, viewing_plan
from psvis.custody.models import AccessRecord
from psvis.custody.watermark import make_viewing_copy
from psvis.ledger import entries
from psvis.ledger import service as ledger
from psvis.ledger.audit import run_audit
from psvis.ledger.config_changes import cli_actor
from psvis.ledger.keys import SigningKey, public_path
from psvis.ledger.models import LedgerEntry
from psvis.ledger.package_format import MANIFEST, canonical_json, parse_custody
from psvis.ledger.verify_package import verify_package
from psvis.recording.models import Segment
from psvis.recording.playback import segment_file
from psvis.recording.storage import Root
from tests.integration.custody.test_watermark import frames, plain_copy, plane
from tests.integration.ledger.test_evidence_package import (
    extract,
    failed,
    psvis,
    rebuild,
    resign,
)
from tests.support import custody
from tests.support.factories import Registry
from tests.support.http import bearer
from tests.support.media import FPS, record, storage_root

API = "/api/v1/custody"
T0 = dt.datetime(2025, 3, 1, 10, 0, 0, tzinfo=CHINA_TZ).astimezone(dt.UTC)
#: Camera A's approved interval: [1 s, 7 s) of its 8 s in 2 s segments, so the segments
#: [0, 2) and [6, 8) straddle the approval's edges.
APPROVED = (1.0, 7.0)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@dataclass
class World:
    root: Root
    camera: int
    neighbour: int  # same unit and district, not in the request
    foreign: int  # another district
    segments: list[Segment]
    users: dict[str, User]
    tokens: dict[str, dict[str, str]]
    secret: str  # the partner's TOTP secret


@pytest.fixture
def world(registry: Registry, db: Session, settings: Settings, client: TestClient) -> World:
    _unit, _site, system, camera = registry.covered_site(jurisdiction="360102")
    neighbour = registry.camera(system=system)
    _u, _s, _y, foreign = registry.covered_site(jurisdiction="360103")
    users = {
        "officer": registry.user(
            role=Role.OFFICER, jurisdiction="360102", username="officer", work_id="360102001"
        ),
        "partner": registry.user(
            role=Role.OFFICER, jurisdiction="360102", username="partner", work_id="360102002"
        ),
        "other": registry.user(
            role=Role.OFFICER, jurisdiction="360102", username="other", work_id="360102003"
        ),
        "chief": registry.user(
            role=Role.CHIEF, jurisdiction="360102", username="chief", work_id="360102900"
        ),
        "unit_admin": registry.user(role=Role.UNIT_ADMIN, units=(_unit.id,), username="uadmin"),
    }
    for name, shown in (("officer", "张三"), ("partner", "李四"), ("chief", "王局长")):
        users[name].display_name = shown
    secret = custody.enrolled(registry, users["partner"])
    db.commit()
    root = storage_root(db, settings.data_dir)
    segments = record(db, root, camera.id, start=at(0), seconds=8)
    record(db, root, neighbour.id, start=at(0), seconds=4)
    record(db, root, foreign.id, start=at(0), seconds=4)
    tokens = {name: bearer(client, users[name].username) for name in users}
    return World(root, camera.id, neighbour.id, foreign.id, segments, users, tokens, secret)


def grant(
    registry: Registry,
    world: World,
    settings: Settings,
    *,
    actions: tuple[CustodyAction, ...] = (
        CustodyAction.VIEW,
        CustodyAction.COPY,
        CustodyAction.RETRIEVE,
    ),
    second: tuple[User, str] | None = None,
) -> custody.Run:
    """officer files, the district chief approves, officer + partner (or ``second``: a
    user and TOTP secret — a code is accepted once) open a session."""
    officer_b, secret = second or (world.users["partner"], world.secret)
    officer = world.users["officer"]
    request_id = custody.request(
        registry,
        officer=officer,
        cameras=[world.camera],
        start=at(APPROVED[0]),
        end=at(APPROVED[1]),
        actions=actions,
    )
    custody.approve(
        registry, request_id=request_id, data_dir=settings.data_dir, chief=world.users["chief"]
    )
    session_id = custody.open_session(
        registry,
        officer=officer,
        request_id=request_id,
        officer_b=officer_b,
        secret=secret,
    )
    number = service.get_request(
        registry.session, principal=registry.operator, request_id=request_id
    ).number
    return custody.Run(request_id, session_id, number, officer_b.username)


def body(camera: int, start: float, end: float, kind: str = "package") -> dict[str, Any]:
    return {
        "camera_id": camera,
        "from": at(start).isoformat(),
        "to": at(end).isoformat(),
        "kind": kind,
    }


def post(client: TestClient, who: dict[str, str], session_id: int, payload: dict[str, Any]) -> Any:
    return client.post(f"{API}/sessions/{session_id}/exports", json=payload, headers=who)


def custody_entries(db: Session) -> list[dict[str, Any]]:
    db.expire_all()
    rows = db.scalars(
        select(LedgerEntry.entry)
        .where(LedgerEntry.type == str(entries.EntryType.CUSTODY))
        .order_by(LedgerEntry.id)
    )
    return [entries.decode(bytes(row)) for row in rows]


def exported_files(settings: Settings) -> list[Path]:
    """Every file under the exports directory (staging included)."""
    base = settings.data_dir / EXPORT_DIR
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


def export_accesses(db: Session, session_id: int) -> list[AccessRecord]:
    db.expire_all()
    return list(
        db.scalars(
            select(AccessRecord).where(
                AccessRecord.session_id == session_id, AccessRecord.action == AccessKind.EXPORT
            )
        )
    )


def audit_clean(db: Session, settings: Settings, root: Root) -> None:
    """Integrate everything under a signed checkpoint; the deep audit finds nothing."""
    key = SigningKey.load_or_create(settings.data_dir)
    db.expire_all()
    ledger.ensure_log(db, node_name=settings.node_name, key=key)
    checkpoint = ledger.sign_checkpoint(
        db, key=key, data_dir=settings.data_dir, now=utcnow(), max_age=dt.timedelta(0)
    )
    db.commit()
    if checkpoint is not None:
        ledger.append_to_log(settings.data_dir, checkpoint)
    queued = db.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.leaf_index.is_(None))
    )
    assert queued == 0
    report = run_audit(db, roots={root.id: root}, data_dir=settings.data_dir, deep=True)
    assert report.findings == [], report.findings


def changed(a: Any, b: Any, box: tuple[float, float, float, float]) -> int:
    """Pixels of two luma planes that differ by more than encoder noise (text against
    no text), inside a box given as fractions."""
    x0, y0 = int(box[0] * a.width), int(box[1] * a.height)
    x1, y1 = int(box[2] * a.width), int(box[3] * a.height)
    return sum(
        abs(p - q) > 40
        for y in range(y0, y1)
        for p, q in zip(a.rows[y][x0:x1], b.rows[y][x0:x1], strict=True)
    )


# --- refused -------------------------------------------------------------------------------


def test_without_a_session_of_ones_own_nothing_is_exported(
    client: TestClient, world: World, registry: Registry, settings: Settings, db: Session
) -> None:
    run = grant(registry, world, settings)
    payload = body(world.camera, 2, 6)
    # A session that does not exist and one the caller is no officer of: the same 403.
    for who, session_id in (("officer", 999_999), ("other", run.session_id)):
        response = post(client, world.tokens[who], session_id, payload)
        assert response.status_code == 403, response.text
        assert response.json()["error"]["details"]["rule"] == "art19_session_officer"
    # The chief who approved is no officer of the session either.
    assert post(client, world.tokens["chief"], run.session_id, payload).status_code == 403
    # A unit's administrator may not handle footage at all; no sign-in is a 401.
    assert post(client, world.tokens["unit_admin"], run.session_id, payload).status_code == 403
    assert client.post(f"{API}/sessions/{run.session_id}/exports", json=payload).status_code == 401
    assert exported_files(settings) == []
    assert export_accesses(db, run.session_id) == []
    assert "export" not in [e["act"] for e in custody_entries(db)]


def test_a_session_whose_request_approves_no_export_is_refused(
    client: TestClient, world: World, registry: Registry, settings: Settings, db: Session
) -> None:
    run = grant(registry, world, settings, actions=(CustodyAction.VIEW,))
    for kind in ("package", "viewing_copy"):
        response = post(
            client, world.tokens["officer"], run.session_id, body(world.camera, 2, 4, kind)
        )
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["details"]["rule"] == "art18_action"
        assert "Art. 18" in error["message"]
    assert exported_files(settings) == []
    assert export_accesses(db, run.session_id) == []


def test_another_camera_a_range_outside_or_a_closed_session_is_refused(
    client: TestClient, world: World, registry: Registry, settings: Settings, db: Session
) -> None:
    run = grant(registry, world, settings)
    officer = world.tokens["officer"]
    cases = [
        (body(world.neighbour, 2, 4), 403, "art18_camera"),
        (body(world.camera, 0, 4), 403, "art18_range"),  # starts before the approval
        (body(world.camera, 6, 8), 403, "art18_range"),  # ends after it
        (body(world.camera, 6.5, 7.5, "viewing_copy"), 403, "art18_range"),
    ]
    for payload, code, rule in cases:
        response = post(client, officer, run.session_id, payload)
        assert response.status_code == code, (payload, response.text)
        assert response.json()["error"]["details"]["rule"] == rule
    # A camera outside the officer's district does not exist for them.
    assert post(client, officer, run.session_id, body(world.foreign, 0, 2)).status_code == 404
    # Inside the approval but only straddling segments: nothing whole to package.
    edge = post(client, officer, run.session_id, body(world.camera, 1, 1.5))
    assert edge.status_code == 404, edge.text
    assert "inside the approved range" in edge.text
    # Closed: nothing more leaves.
    closed = client.post(f"{API}/sessions/{run.session_id}/close", headers=officer)
    assert closed.status_code == 200, closed.text
    response = post(client, officer, run.session_id, body(world.camera, 2, 4))
    assert response.status_code == 403
    assert response.json()["error"]["details"]["rule"] == "art19_session_open"
    assert [p for p in exported_files(settings) if STAGING not in p.parts] == []
    assert list((settings.data_dir / EXPORT_DIR / STAGING).iterdir()) == []
    assert export_accesses(db, run.session_id) == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"from": "2025-03-01T10:00:02"}, "timezone"),  # naive
        ({"to": "yesterday"}, "datetime"),
        ({"kind": "zip"}, "kind"),
        ({"camera_id": 0}, "camera_id"),
        ({"camera_id": 2**31}, "camera_id"),
        ({"camera_id": "1; DROP TABLE camera"}, "camera_id"),
        ({"surprise": 1}, "surprise"),
        ({"from": None}, "from"),
    ],
)
def test_malformed_bodies_are_422(
    client: TestClient,
    world: World,
    registry: Registry,
    settings: Settings,
    change: dict[str, Any],
    fragment: str,
) -> None:
    run = grant(registry, world, settings)
    payload = body(world.camera, 2, 4) | change
    response = post(client, world.tokens["officer"], run.session_id, payload)
    assert response.status_code == 422, response.text
    assert fragment in response.text


def test_bad_ranges_and_session_ids_are_refused_clearly(
    client: TestClient, world: World, registry: Registry, settings: Settings
) -> None:
    run = grant(registry, world, settings)
    officer = world.tokens["officer"]
    for payload, message in (
        (body(world.camera, 4, 4), "end must be after start"),
        (body(world.camera, 4, 2), "end must be after start"),
        (body(world.camera, 0, 3601, "viewing_copy"), "at most 1 h"),
        (body(world.camera, 0, 24 * 3600 + 1), "at most 24 h"),
        (
            {**body(world.camera, 2, 4), "from": "1970-01-01T00:00:00Z"},
            "outside the recordable period",
        ),
    ):
        response = post(client, officer, run.session_id, payload)
        assert response.status_code == 422, (payload, response.text)
        assert message in response.text
    for bad in ("0", "-1", "2147483648", "abc", "1.5"):
        response = client.post(
            f"{API}/sessions/{bad}/exports", json=body(world.camera, 2, 4), headers=officer
        )
        assert response.status_code == 422, bad


# --- the evidence package --------------------------------------------------------------------


def test_package_carries_the_custody_record_and_verifies_offline(
    client: TestClient,
    world: World,
    registry: Registry,
    settings: Settings,
    db: Session,
    tmp_path: Path,
) -> None:
    run = grant(registry, world, settings)
    officer, partner = world.tokens["officer"], world.tokens["partner"]
    response = post(client, officer, run.session_id, body(world.camera, 1, 7))
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["kind"] == "package"
    assert made["request_number"] == run.number
    assert dt.datetime.fromisoformat(made["from"]) == at(1)
    assert made["segments"] == 2  # [2, 4) and [4, 6): the straddling ones stay out
    assert made["watermark"] == []
    stored = settings.data_dir / EXPORT_DIR / str(run.session_id) / f"{made['sha256']}.zip"
    data = stored.read_bytes()
    assert hashlib.sha256(data).hexdigest() == made["sha256"]
    assert len(data) == made["size_bytes"]
    assert stat.S_IMODE(stored.stat().st_mode) == 0o400
    assert list((settings.data_dir / EXPORT_DIR / STAGING).iterdir()) == []

    # Fetching it again: either officer, the same bytes, logged.
    for who in (officer, partner):
        fetched = client.get(made["download"], headers=who)
        assert fetched.status_code == 200, fetched.text
        assert fetched.content == data
        assert fetched.headers["content-type"] == "application/zip"
        assert fetched.headers["x-content-sha256"] == made["sha256"]
        assert fetched.headers["cache-control"] == "no-store"
        assert made["file_name"] in fetched.headers["content-disposition"]

    # The package: originals byte-identical, the custody record in the signed manifest.
    key = SigningKey.load_or_create(settings.data_dir)
    report = verify_package(stored, key.public)
    assert report.ok, report.failed()
    assert [c.name for c in report.checks][-1] == "custody"
    detail = report.checks[-1].detail
    for fact in (run.number, "王局长", "360102900", "张三", "360102001", "李四", "360102002"):
        assert fact in detail, fact
    members = extract(stored)
    manifest = json.loads(members[MANIFEST])
    request, approval, officers = manifest["request"], manifest["approval"], manifest["officers"]
    row = service.get_request(db, principal=registry.operator, request_id=run.request_id)
    decision = service.approval_of(db, request_id=run.request_id)
    assert decision is not None
    assert request == {
        "number": run.number,
        "case_number": row.case_number,
        "purpose": row.purpose,
        "department_kind": "police",
        "department_name": row.department_name,
        "legal_basis": "",
        "actions": ["copy", "retrieve", "view"],
        "valid_from": entries.stamp(row.valid_from),
        "valid_until": entries.stamp(row.valid_until),
    }
    assert approval == {
        "chief_name": "王局长",
        "chief_work_id": "360102900",
        "document_number": decision.document_number,
        "scan_sha256": hashlib.sha256(custody.PDF).hexdigest(),
        "decided_at": entries.stamp(decision.decided_at),
    }
    assert officers["session_id"] == run.session_id
    assert officers["first"] == {"name": "张三", "work_id": "360102001"}
    assert officers["second"] == {"name": "李四", "work_id": "360102002"}
    inside = [s for s in world.segments if at(2) <= s.start_at and s.end_at <= at(6)]
    assert [s["seq"] for s in manifest["segments"]] == [s.seq for s in inside]
    for segment in inside:
        name = next(n for n in members if n.startswith(f"segments/{segment.seq:06d}-"))
        assert members[name] == segment_file(db, segment).read_bytes()

    # Offline, on another machine: an empty directory, the package and the public key.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "evidence.zip").write_bytes(data)
    (elsewhere / "ledger.pub.pem").write_bytes(public_path(settings.data_dir).read_bytes())
    verified = psvis(
        "verify-package", "evidence.zip", "--public-key", "ledger.pub.pem", cwd=elsewhere
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "✓ custody: request " + run.number in verified.stdout
    assert f"custody: request {run.number}, approval document" in verified.stdout
    assert "VERIFIED: all" in verified.stdout
    as_json = psvis(
        "verify-package", "evidence.zip", "--public-key", "ledger.pub.pem", "--json", cwd=elsewhere
    )
    summary = json.loads(as_json.stdout)["summary"]
    assert summary["custody"]["request"] == run.number
    assert summary["custody"]["officers"][1]["work_id"] == "360102002"

    # Logged: each packaged segment as exported, the export with the file's hash, the
    # fetches; the whole ledger audits clean.
    accesses = export_accesses(db, run.session_id)
    assert sorted(a.segment_id for a in accesses) == [s.id for s in inside]
    assert {a.user_id for a in accesses} == {world.users["officer"].id}
    logged = custody_entries(db)
    (exported,) = [e for e in logged if e["act"] == "export"]
    assert exported["sha256"] == made["sha256"]
    assert exported["size"] == len(data)
    assert exported["session"] == run.session_id
    assert exported["request"] == run.request_id
    assert exported["number"] == run.number
    assert exported["kind"] == "package"
    assert exported["package_id"] == manifest["package_id"]
    assert exported["segments"] == [s.id for s in inside]
    access_entry = [e for e in logged if e["act"] == "access" and e["action"] == "export"]
    assert [e["segments"] for e in access_entry] == [[s.id for s in inside]]
    downloads = [e for e in logged if e["act"] == "export.downloaded"]
    assert [e["user"] for e in downloads] == [
        world.users["officer"].id,
        world.users["partner"].id,
    ]
    assert all(e["sha256"] == made["sha256"] for e in downloads)
    # The export entry comes after the session opened and before it closes.
    acts = [e["act"] for e in logged]
    assert acts.index("session.opened") < acts.index("export")
    closed = client.post(f"{API}/sessions/{run.session_id}/close", headers=officer)
    assert closed.status_code == 200
    book = client.get(f"{API}/registrations", headers=world.tokens["chief"]).json()
    assert book["items"][0]["accessed_segments"] == len(inside)
    audit_clean(db, settings, world.root)


def test_fetching_again_is_gated(
    client: TestClient, world: World, registry: Registry, settings: Settings, db: Session
) -> None:
    run = grant(registry, world, settings)
    officer = world.tokens["officer"]
    made = post(client, officer, run.session_id, body(world.camera, 2, 4)).json()
    url = made["download"]
    assert client.get(url, headers=world.tokens["other"]).status_code == 403
    assert client.get(url, headers=world.tokens["unit_admin"]).status_code == 403
    assert client.get(url).status_code == 401
    base = f"{API}/sessions/{run.session_id}/exports"
    assert client.get(f"{base}/{'0' * 64}", headers=officer).status_code == 404
    for bad in (made["sha256"].upper(), made["sha256"][:-1], "..%2F..%2Fpsvis.db", "x" * 64):
        assert client.get(f"{base}/{bad}", headers=officer).status_code in (404, 422), bad
    # Another session of the same officers does not reach this session's export.
    second = grant(registry, world, settings, second=custody.second_officer(registry))
    elsewhere = f"{API}/sessions/{second.session_id}/exports/{made['sha256']}"
    assert client.get(elsewhere, headers=officer).status_code == 404
    # A damaged description beside the file: not served.
    description = settings.data_dir / EXPORT_DIR / str(run.session_id) / f"{made['sha256']}.json"
    original = description.read_bytes()
    description.chmod(0o600)
    description.write_text(json.dumps({"session_id": 999}))
    assert client.get(url, headers=officer).status_code == 404
    description.write_bytes(original)
    assert client.get(url, headers=officer).status_code == 200
    # Closed: the file stays, the route is shut.
    client.post(f"{API}/sessions/{run.session_id}/close", headers=officer)
    refused = client.get(url, headers=officer)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["rule"] == "art19_session_open"
    downloads = [e for e in custody_entries(db) if e["act"] == "export.downloaded"]
    assert len(downloads) == 1


# --- the viewing copy ------------------------------------------------------------------------


def test_viewing_copy_is_watermarked_with_the_request_and_officers(
    client: TestClient,
    world: World,
    registry: Registry,
    settings: Settings,
    db: Session,
    tmp_path: Path,
) -> None:
    run = grant(registry, world, settings)
    before = {
        s.id: hashlib.sha256(segment_file(db, s).read_bytes()).hexdigest() for s in world.segments
    }
    response = post(
        client,
        world.tokens["officer"],
        run.session_id,
        body(world.camera, 1.5, 4.5, "viewing_copy"),
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["kind"] == "viewing_copy"
    assert made["package_id"] is None
    lines = made["watermark"]
    assert run.number in lines[0]
    assert "张三（警号 360102001）" in lines[1]
    assert "李四（警号 360102002）" in lines[1]
    created = dt.datetime.fromisoformat(made["created_at"]).astimezone(CHINA_TZ)
    assert created.strftime("%Y-%m-%d %H:%M:%S") in lines[2]
    fetched = client.get(made["download"], headers=world.tokens["partner"])
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "video/mp4"
    copy = tmp_path / "copy.mp4"
    copy.write_bytes(fetched.content)
    assert hashlib.sha256(fetched.content).hexdigest() == made["sha256"]

    # Re-encoded, cut exactly: 3 s of H.264 from three segments.
    with av.open(str(copy)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.duration is not None
        assert abs(container.duration / av.time_base - 3.0) <= 2 / FPS
    used = [s for s in world.segments if s.end_at > at(1.5) and s.start_at < at(4.5)]
    assert sorted(a.segment_id for a in export_accesses(db, run.session_id)) == [s.id for s in used]
    paths = [segment_file(db, s) for s in used]
    offset, duration = viewing_plan(used, start=at(1.5), end=at(4.5))
    assert (offset, duration) == (1.5, 3.0)

    # The watermark is drawn: the corners differ from a plain encode of the same cut…
    plain = tmp_path / "plain.mp4"
    plain_copy(paths, start_s=offset, duration_s=duration, out=plain)
    marked, clean = plane(frames(copy)[5]), plane(frames(plain)[5])
    assert marked.mean_diff(clean, (0.0, 0.0, 0.3, 0.12)) > 15
    assert marked.mean_diff(clean, (0.7, 0.88, 1.0, 1.0)) > 15

    # …it is exactly these lines (drawing them again gives the same picture), and another
    # request number draws other pixels: the request number is in the picture.
    def redraw(text: list[str], name: str) -> Any:
        out = tmp_path / name
        make_viewing_copy(
            segments=paths, start_offset_s=offset, duration_s=duration, out=out, lines=text
        )
        return plane(frames(out)[5])

    first_line = (0.0, 0.0, 0.7, 0.08)  # the corner block's first line: the request
    again = redraw(lines, "again.mp4")
    assert again.mean_diff(marked, (0.0, 0.0, 1.0, 1.0)) < 1
    assert changed(again, marked, first_line) < 10
    other = [lines[0].replace(run.number, "360102-1999-999999"), *lines[1:]]
    assert changed(redraw(other, "other.mp4"), marked, first_line) > 30

    # The originals are untouched; the copy and its hash are on the ledger.
    after = {
        s.id: hashlib.sha256(segment_file(db, s).read_bytes()).hexdigest() for s in world.segments
    }
    assert after == before == {s.id: s.sha256 for s in world.segments}
    (exported,) = [e for e in custody_entries(db) if e["act"] == "export"]
    assert exported["kind"] == "viewing_copy"
    assert exported["sha256"] == made["sha256"]
    assert exported["segments"] == [s.id for s in used]
    audit_clean(db, settings, world.root)


# --- the installation operator's export --------------------------------------------------------


def test_cli_export_writes_its_operator_entry(
    world: World, settings: Settings, db: Session, tmp_path: Path
) -> None:
    out = tmp_path / "operator.zip"
    result = psvis(
        "export",
        "--camera",
        str(world.camera),
        "--from",
        at(1).isoformat(),
        "--to",
        at(7).isoformat(),
        "--out",
        str(out),
        cwd=tmp_path,
        settings=settings,
    )
    assert result.returncode == 0, result.stderr
    assert "installation operator's export" in result.stdout
    assert f"operator_export by {cli_actor()}" in result.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    data = out.read_bytes()
    (entry,) = [e for e in custody_entries(db) if e["act"] == "operator_export"]
    assert entry["actor"] == cli_actor()
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["size"] == len(data)
    assert entry["camera"] == world.camera
    assert entry["kind"] == "package"
    assert (entry["start"], entry["end"]) == (entries.stamp(at(1)), entries.stamp(at(7)))
    # The operator's package carries no custody record, and says so when verified.
    key = SigningKey.load_or_create(settings.data_dir)
    report = verify_package(out, key.public)
    assert report.ok, report.failed()
    assert "custody" not in [c.name for c in report.checks]
    assert report.summary()["custody"] is None
    manifest = json.loads(extract(out)[MANIFEST])
    assert (manifest["request"], manifest["approval"], manifest["officers"]) == (None, None, None)
    shown = psvis(
        "verify-package",
        str(out),
        "--public-key",
        str(public_path(settings.data_dir)),
        cwd=tmp_path,
    )
    assert "custody: none recorded" in shown.stdout
    audit_clean(db, settings, world.root)


def test_a_failed_cli_export_is_neither_written_nor_logged(
    world: World, settings: Settings, db: Session, tmp_path: Path
) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "nothing.zip"
    result = psvis(
        "export",
        "--camera",
        str(world.camera),
        "--from",
        at(100).isoformat(),
        "--to",
        at(200).isoformat(),
        "--out",
        str(out),
        cwd=tmp_path,
        settings=settings,
    )
    assert result.returncode == 2
    assert "no recording" in result.stderr
    assert list(outdir.iterdir()) == []  # no package, no staged file
    assert [e for e in custody_entries(db) if e["act"] == "operator_export"] == []


# --- the verifier reads the custody record strictly --------------------------------------------


@pytest.fixture
def package(
    client: TestClient, world: World, registry: Registry, settings: Settings
) -> tuple[Path, SigningKey]:
    run = grant(registry, world, settings)
    made = post(client, world.tokens["officer"], run.session_id, body(world.camera, 2, 4)).json()
    path = settings.data_dir / EXPORT_DIR / str(run.session_id) / f"{made['sha256']}.zip"
    return path, SigningKey.load_or_create(settings.data_dir)


Edit = Callable[[dict[str, Any]], None]
LATER = "2099-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    ("edit", "check", "message"),
    [
        (lambda m: m.__setitem__("officers", None), "manifest", "all null or all filled"),
        (lambda m: m.__setitem__("approval", []), "manifest", "manifest.approval: expected null"),
        (lambda m: m["request"].pop("case_number"), "manifest", "missing case_number"),
        (lambda m: m["request"].__setitem__("extra", 1), "manifest", "unexpected extra"),
        (
            lambda m: m["request"].__setitem__("department_kind", "army"),
            "manifest",
            "police or other",
        ),
        (lambda m: m["request"].__setitem__("actions", ["view", "copy"]), "manifest", "sorted"),
        (lambda m: m["request"].__setitem__("actions", ["fly"]), "manifest", "unknown action"),
        (lambda m: m["request"].__setitem__("number", ""), "manifest", "number: empty"),
        (lambda m: m["request"].__setitem__("number", "9" * 33), "manifest", "longer than 32"),
        (lambda m: m["approval"].__setitem__("scan_sha256", "AB" * 32), "manifest", "scan_sha256"),
        (lambda m: m["approval"].__setitem__("decided_at", "2026-01-05"), "manifest", "decided_at"),
        (lambda m: m["officers"].__setitem__("session_id", 0), "manifest", "out of range"),
        (
            lambda m: m["officers"]["second"].__setitem__("work_id", " "),
            "manifest",
            "work_id: empty",
        ),
        (lambda m: m["officers"]["first"].__setitem__("name", 7), "manifest", "expected a string"),
        # Well-formed, but not a lawful record: each named by the custody check.
        (
            lambda m: m["officers"]["second"].__setitem__("work_id", "360102001"),
            "custody",
            "one work ID",
        ),
        (
            lambda m: m["request"].__setitem__("actions", ["view"]),
            "custody",
            "no copy or retrieval",
        ),
        (
            lambda m: m["request"].__setitem__("department_kind", "other"),
            "custody",
            "cites no legal basis",
        ),
        (
            lambda m: m["approval"].__setitem__("decided_at", LATER),
            "custody",
            "opened before the request was approved",
        ),
        (
            lambda m: m["request"].__setitem__("valid_until", m["officers"]["opened_at"]),
            "custody",
            "outside the request's validity window",
        ),
        (
            lambda m: m["officers"].__setitem__("opened_at", LATER),
            "custody",
            "created before the session opened",
        ),
    ],
)
def test_custody_slots_are_read_strictly(
    package: tuple[Path, SigningKey], tmp_path: Path, edit: Edit, check: str, message: str
) -> None:
    path, key = package
    members = extract(path)
    manifest = json.loads(members[MANIFEST])
    edit(manifest)
    resign(members, manifest, key)  # signed: only the schema or the custody check objects
    report = verify_package(rebuild(members, tmp_path / "t.zip"), key.public)
    assert failed(report) == {check}, report.failed()
    detail = next(c.detail for c in report.checks if c.name == check)
    assert message in detail, detail


def test_an_edited_custody_record_fails_the_signature_and_the_custody_check(
    package: tuple[Path, SigningKey], tmp_path: Path
) -> None:
    path, key = package
    members = extract(path)
    manifest = json.loads(members[MANIFEST])
    manifest["officers"]["second"]["name"] = "王五"  # another officer, not re-signed
    members[MANIFEST] = canonical_json(manifest)
    report = verify_package(rebuild(members, tmp_path / "t.zip"), key.public)
    assert failed(report) == {"manifest-signature", "custody"}
    assert "not authenticated" in next(c.detail for c in report.checks if c.name == "custody")


def test_parse_custody_accepts_all_null_and_names_the_field() -> None:
    assert parse_custody(None, None, None) is None
    with pytest.raises(ValueError, match=r"manifest\.request: expected null or an object"):
        parse_custody("x", None, None)
    with pytest.raises(ValueError, match="all null or all filled"):
        parse_custody({}, {}, None)


def test_the_export_directory_holds_nothing_for_other_users(
    client: TestClient, world: World, registry: Registry, settings: Settings
) -> None:
    """Exports are the server's files: the directories are 0700, the files 0400."""
    run = grant(registry, world, settings)
    made = post(client, world.tokens["officer"], run.session_id, body(world.camera, 2, 4)).json()
    base = settings.data_dir / EXPORT_DIR
    assert stat.S_IMODE(base.stat().st_mode) == 0o700
    assert stat.S_IMODE((base / str(run.session_id)).stat().st_mode) == 0o700
    stored = base / str(run.session_id) / f"{made['sha256']}.zip"
    assert stat.S_IMODE(stored.with_suffix(".json").stat().st_mode) == 0o400
    assert os.access(stored, os.R_OK)
