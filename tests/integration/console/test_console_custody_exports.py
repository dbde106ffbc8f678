"""Exports from the console's two-officer session screen (Art. 18-19, 20(2)) on SQLite and
PostgreSQL, through the real app with real sealed footage and real ffmpeg: the screen's
"导出证据包" and "导出带水印查看副本" buttons post a plain form (CSRF field), the export is
made by the same service as the API's, the download passes the gate again; the package
verifies against the node's public key and carries request, approval and officers.
Refused: no CSRF, a view-only request (naming Art. 18), a closed session, other people,
and malformed or hostile form values."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.core.config import Settings
from psvis.custody.exports import EXPORT_DIR, STAGING
from psvis.custody.models import ExecutionSession
from psvis.ledger import entries
from psvis.ledger.keys import PublicKey, public_path
from psvis.ledger.models import LedgerEntry
from psvis.ledger.package_format import MANIFEST
from psvis.ledger.verify_package import verify_package
from tests.integration.console import test_console_custody as base
from tests.integration.console.helpers import csrf_field, signed_in

# The custody console tests' world: district 360102's camera A (8 s from 10:00:00 China
# time in 2 s segments) and its neighbour, officers "officer" (036102) and "partner"
# (036103, TOTP), the district chief (036001), an auditor and others.
world = base.world
World = base.World

_FORM = re.compile(
    r'<form method="post" action="(/custody/sessions/\d+/exports)"[^>]*>(.*?)</form>', re.S
)
_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
_DOWNLOAD = re.compile(r"/custody/sessions/(\d+)/exports/([0-9a-f]{64})")


def session_of(client: TestClient, world: World, db: Session, **changes: object) -> int:
    """Officer files (camera A, [0 s, 4 s); view + copy unless changed), the chief approves,
    the officer opens the session with the partner; the officer stays signed in."""
    signed_in(client, "officer")
    request_id = base.file_request(client, world, **changes)
    base.switch(client, "chief")
    assert base.approve(client, request_id).status_code == 303
    base.switch(client, "officer")
    opened = base.open_session(client, request_id, code=base.fresh_code(world.partner_secret))
    assert opened.status_code == 303, opened.text
    db.expire_all()
    row = db.scalar(select(ExecutionSession).where(ExecutionSession.request_id == request_id))
    assert row is not None
    return row.id


def export_forms(page: str) -> list[tuple[str, dict[str, str]]]:
    """The screen's export forms: (action, hidden fields)."""
    return [(action, dict(_HIDDEN.findall(body))) for action, body in _FORM.findall(page)]


def post_export(client: TestClient, session_id: int, kind: str, **changes: str) -> httpx.Response:
    """Post the screen's own export form (its first piece) with ``kind``."""
    page = client.get(f"/custody/sessions/{session_id}")
    assert page.status_code == 200, page.text
    ((action, fields),) = export_forms(page.text)
    response: httpx.Response = client.post(
        action, data={**fields, "kind": kind, **changes}, follow_redirects=False
    )
    return response


def exported(settings: Settings) -> list[Path]:
    """Every file under the exports directory but the (empty) staging area."""
    found = settings.data_dir / EXPORT_DIR
    if not found.exists():
        return []
    return sorted(p for p in found.rglob("*") if p.is_file() and STAGING not in p.parts)


def custody_acts(db: Session) -> list[dict[str, object]]:
    db.expire_all()
    rows = db.scalars(
        select(LedgerEntry.entry)
        .where(LedgerEntry.type == str(entries.EntryType.CUSTODY))
        .order_by(LedgerEntry.id)
    )
    return [entries.decode(bytes(row)) for row in rows]


def test_export_needs_the_csrf_field(
    client: TestClient, world: World, db: Session, settings: Settings
) -> None:
    session_id = session_of(client, world, db)
    ((action, fields),) = export_forms(client.get(f"/custody/sessions/{session_id}").text)
    for token in (None, "", "wrong-token", fields["csrf_token"] + "x"):
        data = {k: v for k, v in fields.items() if k != "csrf_token"} | {"kind": "package"}
        if token is not None:
            data["csrf_token"] = token
        response = client.post(action, data=data, follow_redirects=False)
        assert response.status_code == 403, (token, response.text[:300])
    # The API's cookie route refuses a form post too (no X-CSRF-Token header).
    api = client.post(
        f"/api/v1/custody/sessions/{session_id}/exports",
        json={"camera_id": world.camera, "from": fields["start"], "to": fields["end"]}
        | {"kind": "package"},
    )
    assert api.status_code == 403
    assert exported(settings) == []
    assert "export" not in [e["act"] for e in custody_acts(db)]


def test_package_and_viewing_copy_from_the_screen(
    client: TestClient, world: World, db: Session, settings: Settings, tmp_path: Path
) -> None:
    session_id = session_of(client, world, db)
    screen = client.get(f"/custody/sessions/{session_id}").text
    assert "导出证据包" in screen
    assert "导出带水印查看副本" in screen
    assert 'id="exports-none"' in screen
    ((_action, fields),) = export_forms(screen)
    assert fields["camera_id"] == str(world.camera)
    assert fields["start"].endswith("+00:00")

    # The evidence package: made, then the browser is led to its download.
    made = post_export(client, session_id, "package")
    assert made.status_code == 303, made.text
    where = _DOWNLOAD.fullmatch(made.headers["location"])
    assert where is not None
    assert int(where.group(1)) == session_id
    sha256 = where.group(2)
    fetched = client.get(made.headers["location"])
    assert fetched.status_code == 200, fetched.text
    assert fetched.headers["content-type"] == "application/zip"
    assert fetched.headers["x-content-sha256"] == sha256
    assert fetched.headers["cache-control"] == "no-store"
    disposition = fetched.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert re.search(r'filename="360102-\d{4}-\d{6}-camera-\d+-20250301T100000\.zip"', disposition)
    package = tmp_path / "evidence.zip"
    package.write_bytes(fetched.content)

    # It verifies against the node's public key (read from its PEM, as a verifier would).
    report = verify_package(package, PublicKey.read(public_path(settings.data_dir)))
    assert report.ok, report.failed()
    assert "custody" in [c.name for c in report.checks]
    with zipfile.ZipFile(io.BytesIO(fetched.content)) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    number = re.search(r'href="/custody/requests/\d+">([^<]+)<', screen)
    assert number is not None
    assert manifest["request"]["number"] == number.group(1)
    assert manifest["request"]["actions"] == ["copy", "view"]
    assert manifest["approval"]["chief_work_id"] == "036001"
    assert manifest["approval"]["document_number"] == "东公(刑)批字[2026]12号"
    assert manifest["officers"]["session_id"] == session_id
    assert manifest["officers"]["first"]["work_id"] == "036102"
    assert manifest["officers"]["second"]["work_id"] == "036103"
    assert len(manifest["segments"]) == 2  # [0, 2) and [2, 4): the approved range

    # The watermarked viewing copy: an MP4.
    copy = post_export(client, session_id, "viewing_copy")
    assert copy.status_code == 303, copy.text
    video = client.get(copy.headers["location"])
    assert video.status_code == 200, video.text
    assert video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
    assert len(video.content) > 1_000
    assert "-viewing.mp4" in video.headers["content-disposition"]

    # The screen lists both with hash, size, kind and a download link.
    listed = client.get(f"/custody/sessions/{session_id}").text
    rows = re.findall(r'<tr data-sha256="([0-9a-f]{64})">(.*?)</tr>', listed, re.S)
    by_hash = dict(rows)
    copied = _DOWNLOAD.fullmatch(copy.headers["location"])
    assert copied is not None
    assert set(by_hash) == {sha256, copied.group(2)}
    assert "证据包" in by_hash[sha256]
    assert f'title="{len(fetched.content)} B"' in by_hash[sha256]
    assert f'href="/custody/sessions/{session_id}/exports/{sha256}"' in by_hash[sha256]
    assert "带水印查看副本" in listed
    english = client.get(f"/custody/sessions/{session_id}", params={"lang": "en"}).text
    assert "Export an evidence package" in english
    assert "Watermarked viewing copy" in english
    assert (
        "查阅 0 段，复制 0 段，导出 4 段"
        in client.get(f"/custody/sessions/{session_id}", params={"lang": "zh-CN"}).text
    )

    # Both made and both fetched are on the ledger, with the file's hash.
    acts = custody_acts(db)
    assert sorted(str(e["kind"]) for e in acts if e["act"] == "export") == [
        "package",
        "viewing_copy",
    ]
    assert sha256 in [e["sha256"] for e in acts if e["act"] == "export.downloaded"]
    assert len([e for e in acts if e["act"] == "export.downloaded"]) == 2


def test_a_view_only_request_exports_nothing_and_says_why(
    client: TestClient, world: World, db: Session, settings: Settings
) -> None:
    session_id = session_of(client, world, db, action=["view"])
    screen = client.get(f"/custody/sessions/{session_id}").text
    assert export_forms(screen) == []
    assert "导出证据包" not in screen
    csrf = csrf_field(screen)
    form = {
        "csrf_token": csrf,
        "camera_id": str(world.camera),
        "start": base.at(0).isoformat(),
        "end": base.at(4).isoformat(),
    }
    for kind in ("package", "viewing_copy"):
        refused = client.post(
            f"/custody/sessions/{session_id}/exports", data={**form, "kind": kind}
        )
        assert refused.status_code == 403, refused.text
        assert 'id="custody-error"' in refused.text
        assert "调取申请未批准此项操作（第十八条）" in html.unescape(refused.text)
    english = client.post(
        f"/custody/sessions/{session_id}/exports",
        data={**form, "kind": "package"},
        params={"lang": "en"},
    )
    assert "The request does not approve this action (Art. 18)" in english.text
    assert exported(settings) == []
    assert "export" not in [e["act"] for e in custody_acts(db)]


def test_after_closing_the_download_is_refused(
    client: TestClient, world: World, db: Session, settings: Settings
) -> None:
    session_id = session_of(client, world, db)
    made = post_export(client, session_id, "package")
    assert made.status_code == 303, made.text
    download = made.headers["location"]
    assert client.get(download).status_code == 200
    closed = client.post(
        f"/custody/sessions/{session_id}/close",
        data={"csrf_token": base.token_of(client, f"/custody/sessions/{session_id}")},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    refused = client.get(download)
    assert refused.status_code == 403
    assert "调阅会话已结束（第十九条）" in html.unescape(refused.text)
    assert refused.headers["content-type"].startswith("text/html")
    # Still listed (it was made and logged), no longer downloadable; no more buttons.
    screen = client.get(f"/custody/sessions/{session_id}").text
    assert download.rsplit("/", 1)[1] in screen
    assert 'class="export-download"' not in screen
    assert export_forms(screen) == []
    again = client.post(
        f"/custody/sessions/{session_id}/exports",
        data={
            "csrf_token": csrf_field(screen),
            "camera_id": str(world.camera),
            "start": base.at(0).isoformat(),
            "end": base.at(4).isoformat(),
            "kind": "package",
        },
    )
    assert again.status_code == 403
    assert "第十九条" in html.unescape(again.text)
    assert len([p for p in exported(settings) if p.suffix == ".zip"]) == 1
    downloads = [e for e in custody_acts(db) if e["act"] == "export.downloaded"]
    assert len(downloads) == 1  # the refused fetch is not logged as delivered


def test_other_people_can_neither_export_nor_download(
    client: TestClient, world: World, db: Session, settings: Settings
) -> None:
    session_id = session_of(client, world, db)
    made = post_export(client, session_id, "package")
    download = made.headers["location"]
    ((action, fields),) = export_forms(client.get(f"/custody/sessions/{session_id}").text)
    # The approving chief is no officer of the session; the auditor and another
    # department's staff act in no police session.
    for username in ("chief", "auditor", "market"):
        base.switch(client, username)
        token = base.token_of(client, "/custody/new" if username == "market" else "/custody")
        response = client.post(action, data={**fields, "csrf_token": token, "kind": "package"})
        assert response.status_code == 403, (username, response.text[:300])
        assert client.get(download).status_code == 403, username
    # Signed out: the sign-in form, nothing else.
    client.cookies.clear()
    assert client.get(download, follow_redirects=False).status_code == 303
    response = client.post(action, data={**fields, "kind": "package"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    # The second officer, signed in separately, is an officer of the session.
    signed_in(client, "partner")
    assert client.get(download).status_code == 200
    assert len([p for p in exported(settings) if p.suffix == ".zip"]) == 1


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"camera_id": "abc"}, 422, "is not a camera id"),
        ({"camera_id": "0"}, 422, "is not a camera id"),
        ({"camera_id": "9" * 11}, 422, "is not a camera id"),
        ({"camera_id": "１２"}, 422, "is not a camera id"),  # full-width digits
        ({"camera_id": "1; DROP TABLE camera"}, 422, "is not a camera id"),
        ({"kind": "zip"}, 422, "is not package or viewing_copy"),
        ({"kind": ""}, 422, "is not package or viewing_copy"),
        ({"start": "yesterday"}, 422, "is not an ISO 8601 time"),
        ({"start": "2025-03-01T10:00:00"}, 422, "UTC offset"),  # naive
        ({"start": "1970-01-01T00:00:00+00:00"}, 422, "outside the recordable period"),
        ({"start": "{end}"}, 422, "end must be after start"),
        ({"start": "{outside}"}, 403, "所选时段超出批准的调取时段（第十八条）"),
        ({"camera_id": "{neighbour}"}, 403, "该摄像机不在批准的调取范围内（第十八条）"),
        ({"camera_id": "{foreign}"}, 404, "not found"),
        ({"start": "x" * 201}, 400, ""),  # longer than any form field may be
    ],
)
def test_malformed_and_hostile_forms_are_refused_clearly(
    client: TestClient,
    world: World,
    db: Session,
    settings: Settings,
    changes: dict[str, str],
    status: int,
    message: str,
) -> None:
    session_id = session_of(client, world, db)
    values = {
        "end": base.at(4).isoformat(),
        "outside": base.at(-2).isoformat(),
        "neighbour": str(world.neighbour),
        "foreign": str(world.foreign),
    }
    filled = {k: v.format(**values) if v.startswith("{") else v for k, v in changes.items()}
    response = post_export(client, session_id, filled.pop("kind", "package"), **filled)
    assert response.status_code == status, response.text[:400]
    assert message in html.unescape(response.text)
    if status != 400:
        assert 'id="custody-error"' in response.text or status == 404
    assert exported(settings) == []
    assert "export" not in [e["act"] for e in custody_acts(db)]


def test_bad_session_ids_and_hashes_in_the_paths(
    client: TestClient, world: World, db: Session
) -> None:
    session_id = session_of(client, world, db)
    csrf = base.token_of(client, f"/custody/sessions/{session_id}")
    for bad in ("0", "-1", "2147483648", "abc", "1.5"):
        assert (
            client.post(f"/custody/sessions/{bad}/exports", data={"csrf_token": csrf}).status_code
            == 400
        )
        assert client.get(f"/custody/sessions/{bad}/exports/{'a' * 64}").status_code == 400
    # A session that does not exist: no export, the same answer as a session not one's own.
    missing = client.post(
        "/custody/sessions/999999/exports",
        data={
            "csrf_token": csrf,
            "camera_id": str(world.camera),
            "start": base.at(0).isoformat(),
            "end": base.at(4).isoformat(),
            "kind": "package",
        },
    )
    assert missing.status_code == 404
    for sha in ("A" * 64, "a" * 63, "g" * 64, "..%2F..%2Fpsvis.db", "a" * 65):
        assert client.get(f"/custody/sessions/{session_id}/exports/{sha}").status_code in (
            400,
            404,
        ), sha
    unknown = client.get(f"/custody/sessions/{session_id}/exports/{'a' * 64}")
    assert unknown.status_code == 404
    assert client.get(f"/custody/sessions/999999/exports/{'a' * 64}").status_code == 403
