"""Custody over the API on SQLite and PostgreSQL, with real sealed footage: the whole flow
(request → chief's approval with a scan → TOTP → two-officer session → playback, clip →
close) and the hostile cases of the issue, each answered with its article."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from psvis.auth import totp
from psvis.auth.models import User
from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.custody.enums import AccessKind
from psvis.custody.gate import HEADER
from psvis.custody.models import AccessRecord, RetrievalRequest
from psvis.custody.scans import MAX_SCAN_BYTES
from psvis.ledger import entries
from psvis.ledger.models import LedgerEntry
from psvis.recording.models import LegalHold, Segment
from psvis.recording.storage import Root
from tests.support.custody import PDF
from tests.support.factories import PASSWORD, Registry
from tests.support.http import bearer
from tests.support.media import record, storage_root

API = "/api/v1"
T0 = dt.datetime(2025, 3, 1, 10, 0, 0, tzinfo=CHINA_TZ).astimezone(dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def iso(value: dt.datetime) -> str:
    return value.isoformat()


@dataclass
class World:
    root: Root
    camera: int
    neighbour: int  # same district, not in the request
    foreign: int  # another district
    segments: list[Segment]
    neighbour_segments: list[Segment]
    foreign_segments: list[Segment]
    users: dict[str, User]


@pytest.fixture
def world(registry: Registry, db: Session, settings: Settings) -> World:
    """District 360102: cameras A and N of one unit; district 360103: camera F. Camera A
    has 8 s in 2 s segments from T0; N and F 4 s each."""
    unit, _s, system, camera = registry.covered_site(jurisdiction="360102")
    neighbour = registry.camera(system=system)
    _u2, _s2, _y2, foreign = registry.covered_site(jurisdiction="360103")
    users = {
        "officer": registry.user(
            role=Role.OFFICER, jurisdiction="360102", username="officer", work_id="360102001"
        ),
        "partner": registry.user(
            role=Role.OFFICER, jurisdiction="360102", username="partner", work_id="360102002"
        ),
        "nobadge": registry.user(role=Role.OFFICER, jurisdiction="360102", username="nobadge"),
        "chief": registry.user(
            role=Role.CHIEF, jurisdiction="360102", username="chief", work_id="360102900"
        ),
        "chief_away": registry.user(
            role=Role.CHIEF, jurisdiction="360103", username="chief_away", work_id="360103900"
        ),
        "city_chief": registry.user(
            role=Role.CHIEF, jurisdiction="360100", username="city_chief", work_id="360100900"
        ),
        "city_officer": registry.user(
            role=Role.OFFICER, jurisdiction="360100", username="city_officer", work_id="3601001"
        ),
        "auditor": registry.user(role=Role.AUDITOR, jurisdiction="360102", username="auditor"),
        "unit_admin": registry.user(role=Role.UNIT_ADMIN, units=(unit.id,), username="unit_admin"),
        "market": registry.user(role=Role.OTHER_DEPT, jurisdiction="360102", username="market"),
    }
    db.commit()
    root = storage_root(db, settings.data_dir)
    segments = record(db, root, camera.id, start=at(0), seconds=8)
    neighbour_segments = record(db, root, neighbour.id, start=at(0), seconds=4)
    foreign_segments = record(db, root, foreign.id, start=at(0), seconds=4)
    return World(
        root,
        camera.id,
        neighbour.id,
        foreign.id,
        segments,
        neighbour_segments,
        foreign_segments,
        users,
    )


def request_body(
    cameras: list[int], start: dt.datetime, end: dt.datetime, **changes: object
) -> dict[str, object]:
    now = utcnow()
    body: dict[str, object] = {
        "department_name": "东湖分局刑侦大队",
        "case_number": "A3601020000002026030001",
        "purpose": "盗窃案调查",
        "actions": ["view", "copy"],
        "valid_from": iso(now - dt.timedelta(minutes=5)),
        "valid_until": iso(now + dt.timedelta(days=2)),
        "scopes": [{"camera_id": c, "start": iso(start), "end": iso(end)} for c in cameras],
    }
    body.update(changes)
    return body


def file_request(client: TestClient, who: dict[str, str], body: dict[str, object]) -> int:
    response = client.post(f"{API}/custody/requests", json=body, headers=who)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def approve(
    client: TestClient, who: dict[str, str], request_id: int, *, scan: bytes = PDF
) -> httpx.Response:
    response: httpx.Response = client.post(
        f"{API}/custody/requests/{request_id}/approve",
        headers=who,
        data={"document_number": "东公(刑)批字[2026]12号"},
        files={"scan": ("approval.pdf", scan, "application/pdf")},
    )
    return response


def enrol(client: TestClient, who: dict[str, str]) -> str:
    response = client.post(f"{API}/custody/totp", json={}, headers=who)
    assert response.status_code == 200, response.text
    uri = response.json()["provisioning_uri"]
    assert uri.startswith("otpauth://totp/")
    return str(parse_qs(urlparse(uri).query)["secret"][0])


def open_session(
    client: TestClient,
    who: dict[str, str],
    request_id: int,
    *,
    username: str = "partner",
    password: str = PASSWORD,
    code: str,
) -> httpx.Response:
    response: httpx.Response = client.post(
        f"{API}/custody/requests/{request_id}/sessions",
        headers=who,
        json={
            "officer_b_username": username,
            "officer_b_password": password,
            "officer_b_totp": code,
        },
    )
    return response


def custody_entries(db: Session) -> list[dict[str, Any]]:
    rows = db.scalars(
        select(LedgerEntry.entry)
        .where(LedgerEntry.type == str(entries.EntryType.CUSTODY))
        .order_by(LedgerEntry.id)
    )
    return [entries.decode(bytes(row)) for row in rows]


@pytest.fixture
def tokens(client: TestClient, world: World) -> dict[str, dict[str, str]]:
    return {name: bearer(client, name) for name in world.users}


@pytest.fixture
def approved(client: TestClient, world: World, tokens: dict[str, dict[str, str]]) -> int:
    """A request by ``officer`` over camera A [0 s, 4 s), approved by the district chief."""
    request_id = file_request(client, tokens["officer"], request_body([world.camera], at(0), at(4)))
    response = approve(client, tokens["chief"], request_id)
    assert response.status_code == 200, response.text
    return request_id


# --- the whole flow ---------------------------------------------------------------------------


def test_full_flow_request_approval_session_access_registration_ledger(
    client: TestClient,
    world: World,
    tokens: dict[str, dict[str, str]],
    db: Session,
    settings: Settings,
) -> None:
    officer, chief = tokens["officer"], tokens["chief"]
    body = request_body([world.camera], at(0), at(4))
    created = client.post(f"{API}/custody/requests", json=body, headers=officer)
    assert created.status_code == 201, created.text
    request = created.json()
    year = utcnow().astimezone(CHINA_TZ).year
    assert request["number"] == f"360102-{year}-000001"
    assert request["state"] == "requested"
    assert [s["camera_id"] for s in request["scopes"]] == [world.camera]
    # Before approval: no footage, and no session.
    url = f"{API}/segments/{world.segments[0].id}/media"
    assert client.get(url, headers=officer).status_code == 403
    # The chief's queue shows it; the requester's does not.
    queue = client.get(f"{API}/custody/requests", params={"awaiting_me": True}, headers=chief)
    assert [r["id"] for r in queue.json()["items"]] == [request["id"]]
    mine = client.get(f"{API}/custody/requests", params={"awaiting_me": True}, headers=officer)
    assert mine.status_code == 403  # only chiefs decide… the queue is theirs
    second = file_request(client, officer, body)
    assert client.get(f"{API}/custody/requests/{second}", headers=officer).json()["number"] == (
        f"360102-{year}-000002"
    )

    decided = approve(client, chief, request["id"])
    assert decided.status_code == 200, decided.text
    approved_body = decided.json()
    assert approved_body["state"] == "approved"
    assert approved_body["approval"]["document_number"] == "东公(刑)批字[2026]12号"
    assert approved_body["approval"]["scan_media_type"] == "application/pdf"
    assert approved_body["holds_unreleased"] == 1
    scan_path = settings.data_dir / "custody" / "scans" / approved_body["approval"]["scan_sha256"]
    assert scan_path.read_bytes() == PDF
    assert not os.access(scan_path, os.W_OK) or os.geteuid() == 0
    shown = client.get(f"{API}/custody/requests/{request['id']}/approval/scan", headers=officer)
    assert shown.status_code == 200
    assert shown.content == PDF
    assert shown.headers["content-type"] == "application/pdf"
    holds = db.scalars(select(LegalHold).where(LegalHold.reason == request["number"])).all()
    assert [(h.camera_id, h.start_at, h.end_at) for h in holds] == [(world.camera, at(0), at(4))]

    secret = enrol(client, tokens["partner"])
    opened = open_session(client, officer, request["id"], code=totp.code_at(secret, at=utcnow()))
    assert opened.status_code == 201, opened.text
    run = opened.json()
    assert run["officer_a_work_id"] == "360102001"
    assert run["officer_b_work_id"] == "360102002"
    assert run["document_number"] == "东公(刑)批字[2026]12号"
    header = {**officer, HEADER: str(run["id"])}

    # Exactly the approved scope: the playlist lists the two segments inside [0, 4).
    playlist = client.get(
        f"{API}/cameras/{world.camera}/playback.m3u8",
        params={"start": iso(at(0)), "end": iso(at(4))},
        headers=header,
    )
    assert playlist.status_code == 200, playlist.text
    inside = [s for s in world.segments if s.end_at <= at(4)]
    assert [line for line in playlist.text.splitlines() if line.startswith("/")] == [
        f"{API}/segments/{s.id}/media" for s in inside
    ]
    for segment in inside:
        got = client.get(f"{API}/segments/{segment.id}/media", headers=header)
        assert got.status_code == 200
        assert got.content == (world.root.path / segment.rel_path).read_bytes()
    # A second fetch (Range) of a viewed segment is not a second view.
    again = client.get(
        f"{API}/segments/{inside[0].id}/media", headers={**header, "Range": "bytes=0-187"}
    )
    assert again.status_code == 206
    clip = client.get(
        f"{API}/cameras/{world.camera}/clip.mp4",
        params={"start": iso(at(1)), "end": iso(at(3))},
        headers=header,
    )
    assert clip.status_code == 200, clip.text
    shot = client.get(
        f"{API}/cameras/{world.camera}/snapshot.jpg",
        params={"at": iso(at(2.5))},
        headers=header,
    )
    assert shot.status_code == 200, shot.text
    # The partner (officer B) reaches the footage through the same session.
    assert (
        client.get(
            f"{API}/segments/{inside[1].id}/media",
            headers={**tokens["partner"], HEADER: str(run["id"])},
        ).status_code
        == 200
    )
    accesses = client.get(f"{API}/custody/sessions/{run['id']}/accesses", headers=officer).json()
    views = [(a["segment_id"], a["user_id"]) for a in accesses if a["action"] == "view"]
    officer_id, partner_id = world.users["officer"].id, world.users["partner"].id
    assert views == [
        (inside[0].id, officer_id),
        (inside[1].id, officer_id),
    ]  # the snapshot and the partner's fetch viewed segments already viewed
    copies = sorted(a["segment_id"] for a in accesses if a["action"] == "copy")
    assert copies == [s.id for s in inside]
    assert partner_id  # (the partner's fetch is the same session's view: not logged twice)

    closed = client.post(f"{API}/custody/sessions/{run['id']}/close", headers=officer)
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_at"] is not None
    assert client.get(f"{API}/segments/{inside[0].id}/media", headers=header).status_code == 403

    book = client.get(f"{API}/custody/registrations", headers=chief)
    assert book.status_code == 200, book.text
    (entry,) = book.json()["items"]
    assert entry["request_number"] == request["number"]
    assert entry["officer_a_work_id"] == "360102001"
    assert entry["officer_b_work_id"] == "360102002"
    assert entry["document_number"] == "东公(刑)批字[2026]12号"
    assert entry["closed_at"] is not None
    assert entry["accessed_segments"] == 2
    assert [s["camera_id"] for s in entry["scopes"]] == [world.camera]
    # The unit's own book shows it; filters work.
    unit_book = client.get(f"{API}/custody/registrations", headers=tokens["unit_admin"]).json()
    assert unit_book["total"] == 1
    none = client.get(
        f"{API}/custody/registrations",
        params={"request_number": "360102-2000-000009"},
        headers=chief,
    ).json()
    assert none["total"] == 0

    acts = [e["act"] for e in custody_entries(db)]
    assert acts[:2] == ["request.created", "request.created"]
    for act in (
        "request.approved",
        "hold.placed",
        "totp.enrolled",
        "session.opened",
        "access",
        "session.closed",
    ):
        assert act in acts, act
    access_entries = [e for e in custody_entries(db) if e["act"] == "access"]
    assert sum(len(e["segments"]) for e in access_entries) == db.scalar(
        select(func.count()).select_from(AccessRecord)
    )


def test_every_step_is_on_the_ledger_and_the_audit_is_clean(
    client: TestClient,
    world: World,
    tokens: dict[str, dict[str, str]],
    approved: int,
    db: Session,
    settings: Settings,
) -> None:
    from psvis.ledger import service as ledger
    from psvis.ledger.audit import run_audit
    from psvis.ledger.keys import SigningKey

    secret = enrol(client, tokens["partner"])
    run = open_session(client, tokens["officer"], approved, code=totp.code_at(secret, at=utcnow()))
    session_id = run.json()["id"]
    header = {**tokens["officer"], HEADER: str(session_id)}
    assert client.get(f"{API}/segments/{world.segments[0].id}/media", headers=header).is_success
    client.post(f"{API}/custody/sessions/{session_id}/close", headers=tokens["officer"])
    released = client.post(
        f"{API}/custody/requests/{approved}/release-hold",
        json={"reason": "案件已结"},
        headers=tokens["chief"],
    )
    assert released.status_code == 200, released.text
    rejected_id = file_request(
        client, tokens["officer"], request_body([world.camera], at(0), at(2))
    )
    rejected = client.post(
        f"{API}/custody/requests/{rejected_id}/reject",
        json={"reason": "理由不充分"},
        headers=tokens["chief"],
    )
    assert rejected.json()["state"] == "rejected"
    acts = [e["act"] for e in custody_entries(db)]
    assert acts == [
        "request.created",
        "request.approved",
        "hold.placed",
        "totp.enrolled",
        "session.opened",
        "access",
        "session.closed",
        "hold.released",
        "request.created",
        "request.rejected",
    ]
    # Integrated into the log under a signed checkpoint; the audit finds nothing.
    key = SigningKey.load_or_create(settings.data_dir)
    db.expire_all()
    ledger.ensure_log(db, node_name="test-node", key=key)
    checkpoint = ledger.sign_checkpoint(db, key=key, data_dir=settings.data_dir, now=utcnow())
    db.commit()
    assert checkpoint is not None
    ledger.append_to_log(settings.data_dir, checkpoint)
    unplaced = db.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.leaf_index.is_(None))
    )
    assert unplaced == 0
    report = run_audit(db, roots={world.root.id: world.root}, data_dir=settings.data_dir, deep=True)
    assert report.findings == [], report.findings
    assert (
        db.scalar(
            select(func.count()).select_from(LegalHold).where(LegalHold.released_at.is_(None))
        )
        == 0
    )
    # Hiding who looked: deleting an access record is caught against the ledger.
    from psvis.custody.models import AccessRecord

    hidden = db.scalars(select(AccessRecord).limit(1)).one()
    db.delete(hidden)
    db.commit()
    report = run_audit(db, roots={world.root.id: world.root}, data_dir=settings.data_dir)
    assert [(f.kind, f.evidence["table"]) for f in report.findings] == [
        ("index_mismatch", "custody_access")
    ]
    assert report.findings[0].evidence["segment"] == hidden.segment_id


# --- Art. 18: who approves ---------------------------------------------------------------


def test_nobody_approves_their_own_request(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]]
) -> None:
    own = file_request(client, tokens["chief"], request_body([world.camera], at(0), at(4)))
    response = approve(client, tokens["chief"], own)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["details"]["rule"] == "art18_not_requester"
    assert "Art. 18" in error["message"]
    # Another competent chief (the city's) may.
    assert approve(client, tokens["city_chief"], own).status_code == 200


def test_a_district_chief_cannot_approve_another_districts_camera(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]]
) -> None:
    request_id = file_request(client, tokens["officer"], request_body([world.camera], at(0), at(4)))
    # The request does not exist for the other district's chief.
    assert approve(client, tokens["chief_away"], request_id).status_code == 404
    reject = client.post(
        f"{API}/custody/requests/{request_id}/reject",
        json={"reason": "x"},
        headers=tokens["chief_away"],
    )
    assert reject.status_code == 404


def test_a_request_spanning_two_districts_needs_a_chief_over_both(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]]
) -> None:
    body = request_body([world.camera, world.foreign], at(0), at(4))
    request_id = file_request(client, tokens["city_officer"], body)
    for chief in ("chief", "chief_away"):
        response = approve(client, tokens[chief], request_id)
        assert response.status_code == 403, chief
        details = response.json()["error"]["details"]
        assert details["rule"] == "art18_jurisdiction"
        assert details["article"] == "Art. 18"
    officer = client.post(
        f"{API}/custody/requests/{request_id}/approve",
        headers=tokens["officer"],
        data={"document_number": "x"},
        files={"scan": ("a.pdf", PDF, "application/pdf")},
    )
    assert officer.status_code == 403  # not a chief at all (policy table)
    assert approve(client, tokens["city_chief"], request_id).status_code == 200
    # Decided once: a second decision is a conflict.
    again = approve(client, tokens["city_chief"], request_id)
    assert again.status_code == 409


def test_scans_are_type_checked_by_content_and_size_limited(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]], db: Session
) -> None:
    request_id = file_request(client, tokens["officer"], request_body([world.camera], at(0), at(4)))
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows executable
    for name, data in (
        ("approval.pdf", exe),
        ("scan.png", b"GIF89a" + b"\x00" * 64),
        ("empty.pdf", b""),
        ("text.pdf", b"%PD"),
    ):
        response = client.post(
            f"{API}/custody/requests/{request_id}/approve",
            headers=tokens["chief"],
            data={"document_number": "东公批字1号"},
            files={"scan": (name, data, "application/pdf")},
        )
        assert response.status_code == 422, (name, response.text)
        assert "PDF, PNG or JPEG" in response.text or "empty" in response.text
    big = b"%PDF-1.4\n" + b"0" * MAX_SCAN_BYTES
    response = client.post(
        f"{API}/custody/requests/{request_id}/approve",
        headers=tokens["chief"],
        data={"document_number": "东公批字1号"},
        files={"scan": ("big.pdf", big, "application/pdf")},
    )
    assert response.status_code == 413, response.text
    # Malformed forms: no scan, no number, not multipart at all.
    no_scan = client.post(
        f"{API}/custody/requests/{request_id}/approve",
        headers=tokens["chief"],
        data={"document_number": "1"},
    )
    assert no_scan.status_code == 422
    no_number = client.post(
        f"{API}/custody/requests/{request_id}/approve",
        headers=tokens["chief"],
        files={"scan": ("a.pdf", PDF, "application/pdf")},
    )
    assert no_number.status_code == 422
    blank = client.post(
        f"{API}/custody/requests/{request_id}/approve",
        headers=tokens["chief"],
        data={"document_number": "   "},
        files={"scan": ("a.pdf", PDF, "application/pdf")},
    )
    assert blank.status_code == 422
    as_json = client.post(
        f"{API}/custody/requests/{request_id}/approve", headers=tokens["chief"], json={"a": 1}
    )
    assert as_json.status_code == 422
    # Nothing was decided; PNG and JPEG scans are taken.
    db.expire_all()
    assert db.get(RetrievalRequest, request_id).state == "requested"  # type: ignore[union-attr]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    ok = client.post(
        f"{API}/custody/requests/{request_id}/approve",
        headers=tokens["chief"],
        data={"document_number": "东公批字1号"},
        files={"scan": ("scan.bin", png, "application/octet-stream")},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["approval"]["scan_media_type"] == "image/png"


# --- Art. 19: two officers --------------------------------------------------------------


def test_the_same_officer_cannot_be_both_officers(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]], approved: int
) -> None:
    secret = enrol(client, tokens["officer"])
    response = open_session(
        client,
        tokens["officer"],
        approved,
        username="officer",
        code=totp.code_at(secret, at=utcnow()),
    )
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert details["rule"] == "art19_two_officers"
    assert details["article"] == "Art. 19(1)"


def test_a_reused_or_wrong_totp_code_is_refused_and_counted(
    client: TestClient,
    world: World,
    tokens: dict[str, dict[str, str]],
    approved: int,
    db: Session,
) -> None:
    secret = enrol(client, tokens["partner"])
    now = utcnow()
    code = totp.code_at(secret, at=now)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = open_session(client, tokens["officer"], approved, code=wrong)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["rule"] == "art19_second_officer_authenticated"
    db.expire_all()
    assert db.get(User, world.users["partner"].id).failed_logins == 1  # type: ignore[union-attr]
    first = open_session(client, tokens["officer"], approved, code=code)
    assert first.status_code == 201, first.text
    client.post(f"{API}/custody/sessions/{first.json()['id']}/close", headers=tokens["officer"])
    replay = open_session(client, tokens["officer"], approved, code=code)
    assert replay.status_code == 422
    assert replay.json()["error"]["details"]["rule"] == "art19_second_officer_authenticated"
    # Wrong password, malformed codes, an unknown second officer: the same refusal.
    for username, password, bad in (
        ("partner", "nope", code),
        ("partner", PASSWORD, "１２３４５６"),
        ("partner", PASSWORD, "12345"),
        ("ghost", PASSWORD, code),
    ):
        got = open_session(
            client, tokens["officer"], approved, username=username, password=password, code=bad
        )
        assert got.status_code == 422, (username, bad)
    # Enough failures lock the second officer out, even with the right factors.
    db.expire_all()
    assert db.get(User, world.users["partner"].id).failed_logins == 4  # type: ignore[union-attr]
    assert open_session(client, tokens["officer"], approved, code="000000").status_code == 422
    right = totp.code_at(secret, at=utcnow() + dt.timedelta(seconds=totp.STEP_S))
    locked = open_session(client, tokens["officer"], approved, code=right)
    assert locked.status_code == 422
    db.expire_all()
    partner = db.get(User, world.users["partner"].id)
    assert partner is not None
    assert partner.locked_until is not None


def test_session_conditions_work_id_jurisdiction_and_enrolment(
    client: TestClient,
    world: World,
    tokens: dict[str, dict[str, str]],
    approved: int,
) -> None:
    # The second officer has no work ID to show (Art. 19(2)).
    secret = enrol(client, tokens["nobadge"])
    response = open_session(
        client,
        tokens["officer"],
        approved,
        username="nobadge",
        code=totp.code_at(secret, at=utcnow()),
    )
    assert response.json()["error"]["details"]["rule"] == "art19_work_ids"
    # Not enrolled.
    response = open_session(
        client, tokens["officer"], approved, username="city_officer", code="123456"
    )
    assert response.status_code == 422
    assert "TOTP" in response.json()["error"]["message"]
    # An auditor is police but handles no footage (not an executing officer).
    auditor = client.post(
        f"{API}/custody/requests/{approved}/sessions",
        headers=tokens["auditor"],
        json={
            "officer_b_username": "partner",
            "officer_b_password": PASSWORD,
            "officer_b_totp": "000000",
        },
    )
    assert auditor.status_code == 403
    # The other district's chief cannot even see the request.
    away = client.post(
        f"{API}/custody/requests/{approved}/sessions",
        headers=tokens["chief_away"],
        json={
            "officer_b_username": "partner",
            "officer_b_password": PASSWORD,
            "officer_b_totp": "000000",
        },
    )
    assert away.status_code == 404
    # Malformed bodies.
    for body in (
        {},
        {"officer_b_username": "partner"},
        {"officer_b_username": "x" * 65, "officer_b_password": "p", "officer_b_totp": "1"},
        {"extra": 1},
    ):
        bad = client.post(
            f"{API}/custody/requests/{approved}/sessions", headers=tokens["officer"], json=body
        )
        assert bad.status_code == 422, body


def test_rejected_and_expired_requests_open_no_session_and_reach_nothing(
    client: TestClient,
    world: World,
    tokens: dict[str, dict[str, str]],
    approved: int,
    db: Session,
) -> None:
    secret = enrol(client, tokens["partner"])
    rejected = file_request(client, tokens["officer"], request_body([world.camera], at(0), at(4)))
    client.post(
        f"{API}/custody/requests/{rejected}/reject",
        json={"reason": "不必要"},
        headers=tokens["chief"],
    )
    got = open_session(client, tokens["officer"], rejected, code=totp.code_at(secret, at=utcnow()))
    assert got.status_code == 422
    assert got.json()["error"]["details"]["rule"] == "art18_approved"
    # That code is spent (a refusal after the factors passed still burns it): the next
    # time step's code (within the accepted window) opens a session on the approved one,
    # which reaches nothing more once the request expires.
    later = utcnow() + dt.timedelta(seconds=totp.STEP_S)
    opened = open_session(client, tokens["officer"], approved, code=totp.code_at(secret, at=later))
    assert opened.status_code == 201, opened.text
    header = {**tokens["officer"], HEADER: str(opened.json()["id"])}
    url = f"{API}/segments/{world.segments[0].id}/media"
    assert client.get(url, headers=header).status_code == 200
    now = utcnow()
    db.execute(
        update(RetrievalRequest)
        .where(RetrievalRequest.id == approved)
        .values(valid_from=now - dt.timedelta(hours=2), valid_until=now - dt.timedelta(seconds=1))
    )
    db.commit()
    refused = client.get(url, headers=header)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["rule"] == "art18_validity"
    listed = client.get(f"{API}/custody/requests/{approved}", headers=tokens["officer"]).json()
    assert listed["state"] == "expired"
    expired = client.get(
        f"{API}/custody/requests", params={"state": "expired"}, headers=tokens["officer"]
    ).json()
    assert [r["id"] for r in expired["items"]] == [approved]


# --- exactly the approved scope ---------------------------------------------------------------


def test_nothing_outside_the_approved_range_or_camera_even_by_guessed_ids(
    client: TestClient,
    world: World,
    tokens: dict[str, dict[str, str]],
    approved: int,
) -> None:
    secret = enrol(client, tokens["partner"])
    run = open_session(client, tokens["officer"], approved, code=totp.code_at(secret, at=utcnow()))
    header = {**tokens["officer"], HEADER: str(run.json()["id"])}
    outside = [s for s in world.segments if s.end_at > at(4)]
    assert outside
    for segment in outside:  # same camera, after the approved range
        response = client.get(f"{API}/segments/{segment.id}/media", headers=header)
        assert response.status_code == 403
        assert response.json()["error"]["details"]["rule"] == "art18_range"
    for segment in world.neighbour_segments:  # same district, camera not in the request
        response = client.get(f"{API}/segments/{segment.id}/media", headers=header)
        assert response.status_code == 403
        assert response.json()["error"]["details"]["rule"] == "art18_camera"
    for segment in world.foreign_segments:  # another district: does not exist for him
        assert client.get(f"{API}/segments/{segment.id}/media", headers=header).status_code == 404
    # Every id around the approved ones: only the approved two answer 200.
    ids = [s.id for s in world.segments + world.neighbour_segments + world.foreign_segments]
    allowed = {s.id for s in world.segments if s.end_at <= at(4)}
    for guess in range(min(ids) - 3, max(ids) + 4):
        status = client.get(f"{API}/segments/{guess}/media", headers=header).status_code
        assert (status == 200) == (guess in allowed), (guess, status)
    for params in (
        {"start": iso(at(0)), "end": iso(at(6))},
        {"start": iso(at(-1)), "end": iso(at(2))},
    ):
        playlist = client.get(
            f"{API}/cameras/{world.camera}/playback.m3u8", params=params, headers=header
        )
        assert playlist.status_code == 403, params
        clip = client.get(f"{API}/cameras/{world.camera}/clip.mp4", params=params, headers=header)
        assert clip.status_code == 403, params
    # The request approved view and copy, not retrieve; a clip is a copy: fine in range.
    inside = client.get(
        f"{API}/cameras/{world.camera}/clip.mp4",
        params={"start": iso(at(0)), "end": iso(at(4))},
        headers=header,
    )
    assert inside.status_code == 200
    # Another officer naming this session: not his (the same answer as no session).
    stranger = client.get(
        f"{API}/segments/{world.segments[0].id}/media",
        headers={**tokens["city_officer"], HEADER: header[HEADER]},
    )
    assert stranger.status_code == 403
    assert stranger.json()["error"]["details"]["rule"] == "art19_session_officer"
    missing = client.get(
        f"{API}/segments/{world.segments[0].id}/media",
        headers={**tokens["city_officer"], HEADER: "2000000000"},
    )
    assert missing.status_code == 403
    assert missing.json()["error"]["message"] == stranger.json()["error"]["message"]
    for evil in ("abc", "-1", "0", "99999999999", "1 OR 1=1", "0x10", "1e3", ""):
        bad = client.get(
            f"{API}/segments/{world.segments[0].id}/media",
            headers={**tokens["officer"], HEADER: evil},
        )
        assert bad.status_code == 422, evil


def test_an_action_not_approved_is_refused(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]]
) -> None:
    body = request_body([world.camera], at(0), at(4), actions=["view"])
    request_id = file_request(client, tokens["officer"], body)
    approve(client, tokens["chief"], request_id)
    secret = enrol(client, tokens["partner"])
    run = open_session(
        client, tokens["officer"], request_id, code=totp.code_at(secret, at=utcnow())
    )
    header = {**tokens["officer"], HEADER: str(run.json()["id"])}
    clip = client.get(
        f"{API}/cameras/{world.camera}/clip.mp4",
        params={"start": iso(at(0)), "end": iso(at(4))},
        headers=header,
    )
    assert clip.status_code == 403
    assert clip.json()["error"]["details"]["rule"] == "art18_action"
    assert client.get(f"{API}/segments/{world.segments[0].id}/media", headers=header).is_success


# --- filing: malformed, hostile and boundary input -----------------------------------------


def test_filing_refuses_bad_requests(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]]
) -> None:
    officer = tokens["officer"]
    now = utcnow()
    cases: list[tuple[dict[str, object], int, str]] = [
        (request_body([world.camera], at(4), at(0)), 422, "end must be after start"),
        (request_body([world.camera], at(0), at(0)), 422, "end must be after start"),
        (request_body([world.camera], at(0), at(0) + dt.timedelta(days=40)), 422, "31 days"),
        (request_body([], at(0), at(4)), 422, ""),
        (request_body([world.camera] * 101, at(0), at(4)), 422, ""),
        (request_body([world.camera], at(0), at(4), actions=[]), 422, ""),
        (request_body([world.camera], at(0), at(4), actions=["delete"]), 422, ""),
        (request_body([world.camera], at(0), at(4), case_number=""), 422, ""),
        (request_body([world.camera], at(0), at(4), purpose="x" * 1001), 422, ""),
        (
            request_body(
                [world.camera],
                at(0),
                at(4),
                valid_until=iso(now - dt.timedelta(hours=1)),
                valid_from=iso(now - dt.timedelta(hours=2)),
            ),
            422,
            "already ended",
        ),
        (
            request_body(
                [world.camera], at(0), at(4), valid_until=iso(now + dt.timedelta(days=91))
            ),
            422,
            "90 days",
        ),
        (request_body([world.camera], now, now + dt.timedelta(days=3)), 422, "validity"),
        (
            request_body(
                [world.camera],
                dt.datetime(1999, 1, 1, tzinfo=dt.UTC),
                dt.datetime(1999, 1, 2, tzinfo=dt.UTC),
            ),
            422,
            "2000-01-01",
        ),
        (request_body([world.camera], at(0), at(4), department_kind="other"), 422, "legal"),
        (request_body([world.camera], at(0), at(4), department_kind="army"), 422, ""),
        (request_body([world.camera], at(0), at(4), unknown=1), 422, ""),
        (request_body([2_000_000_000], at(0), at(4)), 404, "not found"),
        (request_body([world.foreign], at(0), at(4)), 404, "not found"),  # outside his reach
        (request_body([0], at(0), at(4)), 422, ""),
    ]
    for body, status, fragment in cases:
        response = client.post(f"{API}/custody/requests", json=body, headers=officer)
        assert response.status_code == status, (body, response.text)
        assert fragment in response.text, (fragment, response.text)
    naive = request_body([world.camera], at(0), at(4))
    naive["scopes"] = [
        {"camera_id": world.camera, "start": "2025-03-01T10:00:00", "end": "2025-03-01T10:00:04"}
    ]
    assert client.post(f"{API}/custody/requests", json=naive, headers=officer).status_code == 422
    # Roles that may not file at all.
    for who in ("auditor", "unit_admin"):
        body = request_body([world.camera], at(0), at(4))
        assert (
            client.post(f"{API}/custody/requests", json=body, headers=tokens[who]).status_code
            == 403
        )


def test_another_department_files_with_its_legal_basis_and_sees_only_its_own(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]]
) -> None:
    market = tokens["market"]
    body = request_body(
        [world.camera], at(0), at(4), department_kind="other", department_name="市场监管局"
    )
    assert client.post(f"{API}/custody/requests", json=body, headers=market).status_code == 422
    body["legal_basis"] = "《中华人民共和国行政处罚法》第五十五条"
    wrong_dept = {**body, "department_name": "税务局"}
    assert (
        client.post(f"{API}/custody/requests", json=wrong_dept, headers=market).status_code == 422
    )
    police_kind = {**body, "department_kind": "police"}
    assert (
        client.post(f"{API}/custody/requests", json=police_kind, headers=market).status_code == 422
    )
    request_id = file_request(client, market, body)
    assert client.get(f"{API}/custody/requests/{request_id}", headers=market).status_code == 200
    police = file_request(client, tokens["officer"], request_body([world.camera], at(0), at(4)))
    assert client.get(f"{API}/custody/requests/{police}", headers=market).status_code == 404
    listed = client.get(f"{API}/custody/requests", headers=market).json()
    assert [r["id"] for r in listed["items"]] == [request_id]
    # The chief of the place decides it like any other (same chief rule, basis cited).
    assert approve(client, tokens["chief"], request_id).status_code == 200
    # Staff of another department never touch footage themselves.
    response = client.get(f"{API}/segments/{world.segments[0].id}/media", headers=market)
    assert response.status_code == 403


def test_hold_release_and_closing_are_decisions_of_their_own(
    client: TestClient,
    world: World,
    tokens: dict[str, dict[str, str]],
    approved: int,
    db: Session,
) -> None:
    url = f"{API}/custody/requests/{approved}/release-hold"
    assert client.post(url, json={"reason": "结案"}, headers=tokens["officer"]).status_code == 403
    assert (
        client.post(url, json={"reason": "结案"}, headers=tokens["chief_away"]).status_code == 404
    )
    assert client.post(url, json={"reason": ""}, headers=tokens["chief"]).status_code == 422
    done = client.post(url, json={"reason": "结案"}, headers=tokens["chief"])
    assert done.status_code == 200, done.text
    assert done.json()["holds_unreleased"] == 0
    assert client.post(url, json={"reason": "结案"}, headers=tokens["chief"]).status_code == 409
    close = f"{API}/custody/requests/{approved}/close"
    assert client.post(close, headers=tokens["partner"]).status_code == 403  # not his request
    closed = client.post(close, headers=tokens["officer"])
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed"
    assert client.post(close, headers=tokens["officer"]).status_code == 409
    secret = enrol(client, tokens["partner"])
    refused = open_session(
        client, tokens["officer"], approved, code=totp.code_at(secret, at=utcnow())
    )
    assert refused.status_code == 422


def test_totp_enrolment_is_replaced_only_with_a_current_code(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]], db: Session
) -> None:
    partner = tokens["partner"]
    secret = enrol(client, partner)
    stored = db.scalar(select(User.totp_secret_encrypted).where(User.username == "partner"))
    assert stored is not None
    assert secret not in stored  # encrypted at rest
    again = client.post(f"{API}/custody/totp", json={}, headers=partner)
    assert again.status_code == 403
    wrong = client.post(f"{API}/custody/totp", json={"current_code": "000000"}, headers=partner)
    assert wrong.status_code == 403 or totp.code_at(secret, at=utcnow()) == "000000"
    code = totp.code_at(secret, at=utcnow())
    replaced = client.post(f"{API}/custody/totp", json={"current_code": code}, headers=partner)
    assert replaced.status_code == 200, replaced.text
    # Roles that never are a session's second officer do not enrol.
    for who in ("auditor", "unit_admin", "market"):
        assert client.post(f"{API}/custody/totp", json={}, headers=tokens[who]).status_code == 403


def test_registration_book_scoping_and_filters(
    client: TestClient,
    world: World,
    tokens: dict[str, dict[str, str]],
    approved: int,
    db: Session,
) -> None:
    secret = enrol(client, tokens["partner"])
    assert (
        open_session(
            client, tokens["officer"], approved, code=totp.code_at(secret, at=utcnow())
        ).status_code
        == 201
    )
    url = f"{API}/custody/registrations"
    assert client.get(url, headers=tokens["auditor"]).json()["total"] == 1
    assert client.get(url, headers=tokens["chief_away"]).json()["total"] == 0
    assert client.get(url, headers=tokens["market"]).status_code == 403
    day = utcnow()
    assert (
        client.get(
            url,
            params={
                "opened_from": iso(day - dt.timedelta(hours=1)),
                "opened_until": iso(day + dt.timedelta(hours=1)),
            },
            headers=tokens["chief"],
        ).json()["total"]
        == 1
    )
    assert (
        client.get(
            url, params={"opened_until": iso(day - dt.timedelta(hours=1))}, headers=tokens["chief"]
        ).json()["total"]
        == 0
    )
    assert (
        client.get(url, params={"jurisdiction_code": "360103"}, headers=tokens["chief"]).json()[
            "total"
        ]
        == 0
    )
    for params in (
        {"opened_from": "2026-01-01T00:00:00"},
        {"opened_from": "yesterday"},
        {"jurisdiction_code": "../.."},
        {"unit_id": 0},
        {"limit": 501},
    ):
        assert client.get(url, params=params, headers=tokens["chief"]).status_code == 422, params


def test_a_view_is_logged_once_per_session_and_each_copy_always(
    client: TestClient, world: World, tokens: dict[str, dict[str, str]], approved: int, db: Session
) -> None:
    secret = enrol(client, tokens["partner"])
    run = open_session(client, tokens["officer"], approved, code=totp.code_at(secret, at=utcnow()))
    header = {**tokens["officer"], HEADER: str(run.json()["id"])}
    for _ in range(3):
        assert client.get(f"{API}/segments/{world.segments[0].id}/media", headers=header).is_success
    for _ in range(2):
        assert client.get(
            f"{API}/cameras/{world.camera}/clip.mp4",
            params={"start": iso(at(0)), "end": iso(at(2))},
            headers=header,
        ).is_success
    kinds = db.scalars(select(AccessRecord.action).order_by(AccessRecord.id)).all()
    assert kinds == [AccessKind.VIEW, AccessKind.COPY, AccessKind.COPY]
    assert [e["action"] for e in custody_entries(db) if e["act"] == "access"] == [
        "view",
        "copy",
        "copy",
    ]


def test_unauthenticated_custody_routes_are_401(client: TestClient, tmp_path: Path) -> None:
    for method, url in (
        ("get", "/custody/requests"),
        ("post", "/custody/requests"),
        ("get", "/custody/registrations"),
        ("post", "/custody/totp"),
        ("post", "/custody/requests/1/approve"),
        ("post", "/custody/sessions/1/close"),
    ):
        assert client.request(method, API + url).status_code == 401, url
