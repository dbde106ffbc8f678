"""The custody pages of the console (Art. 18-19) on SQLite and PostgreSQL, through the real
app with real sealed footage: the request form, the chief's queue and approval with a
scan upload, the two-officer session (a real TOTP code), playback bound to the console
sign-in, the registration book and its PDF, and one's TOTP enrolment — plus who is
refused, CSRF on every form, and malformed or hostile input."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.auth import totp
from psvis.auth.models import User
from psvis.auth.policy import Role
from psvis.console.custody_i18n import CUSTODY_MESSAGES
from psvis.console.i18n import CATALOG, LANGUAGES
from psvis.console.render import TEMPLATE_DIR
from psvis.core.config import Settings
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.custody import scans
from psvis.custody.models import ExecutionSession, Registration, RetrievalRequest
from psvis.recording.models import Segment
from tests.integration.console.helpers import csrf_field, signed_in
from tests.support.custody import PDF, enrolled
from tests.support.factories import PASSWORD, Registry
from tests.support.media import record, storage_root

API = "/api/v1"
#: A past morning, China time: the recorded footage the requests ask for.
T0 = dt.datetime(2025, 3, 1, 10, 0, 0, tzinfo=CHINA_TZ)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def local(value: dt.datetime) -> str:
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class World:
    camera: int
    camera_gb: str
    neighbour: int
    foreign: int
    segments: list[Segment]
    neighbour_segments: list[Segment]
    partner_secret: str
    chief_secret: str


@pytest.fixture
def world(registry: Registry, db: Session, settings: Settings) -> World:
    """District 360102: camera A (8 s in 2 s segments from T0) and its neighbour N (4 s);
    district 360103: camera F. Officers of 360102 with work IDs, the partner and the
    chief with TOTP enrolled; an auditor, a unit admin and market-supervision staff."""
    unit, _site, system, camera = registry.covered_site(jurisdiction="360102")
    neighbour = registry.camera(system=system)
    _u, _s, _y, foreign = registry.covered_site(jurisdiction="360103")
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="officer", work_id="036102")
    partner = registry.user(
        role=Role.OFFICER, jurisdiction="360102", username="partner", work_id="036103"
    )
    chief = registry.user(
        role=Role.CHIEF, jurisdiction="360102", username="chief", work_id="036001"
    )
    registry.user(role=Role.AUDITOR, jurisdiction="360102", username="auditor")
    registry.user(role=Role.UNIT_ADMIN, units=(unit.id,), username="unit_admin")
    registry.user(role=Role.OTHER_DEPT, jurisdiction="360102", username="market")
    db.commit()
    partner_secret = enrolled(registry, partner)
    chief_secret = enrolled(registry, chief)
    db.commit()
    root = storage_root(db, settings.data_dir)
    segments = record(db, root, camera.id, start=at(0).astimezone(dt.UTC), seconds=8)
    neighbour_segments = record(db, root, neighbour.id, start=at(0).astimezone(dt.UTC), seconds=4)
    return World(
        camera=camera.id,
        camera_gb=camera.gb_id,
        neighbour=neighbour.id,
        foreign=foreign.id,
        segments=segments,
        neighbour_segments=neighbour_segments,
        partner_secret=partner_secret,
        chief_secret=chief_secret,
    )


def form_fields(world: World, **changes: object) -> dict[str, object]:
    now = utcnow()
    fields: dict[str, object] = {
        "department_kind": "police",
        "department_name": "东湖分局刑侦大队",
        "legal_basis": "",
        "case_number": "A3601020000002026030001",
        "purpose": "盗窃案调查",
        "action": ["view", "copy"],
        "camera": [str(world.camera)],
        "camera_list": "",
        "footage_from": local(at(0)),
        "footage_until": local(at(4)),
        "valid_from": local(now - dt.timedelta(minutes=5)),
        "valid_until": local(now + dt.timedelta(days=2)),
    }
    fields.update(changes)
    return fields


def post_form(client: TestClient, url: str, fields: dict[str, object]) -> httpx.Response:
    page = client.get("/custody/new")
    assert page.status_code == 200, page.text
    response: httpx.Response = client.post(
        url, data={"csrf_token": csrf_field(page.text), **fields}, follow_redirects=False
    )
    return response


def file_request(client: TestClient, world: World, **changes: object) -> int:
    response = post_form(client, "/custody/new", form_fields(world, **changes))
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/custody/requests/(\d+)", response.headers["location"])
    assert found is not None
    return int(found.group(1))


def token_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_field(page.text)


def approve(
    client: TestClient,
    request_id: int,
    *,
    scan: bytes = PDF,
    number: str = "东公(刑)批字[2026]12号",
    token: str | None = None,
) -> httpx.Response:
    csrf = token if token is not None else token_of(client, f"/custody/requests/{request_id}")
    response: httpx.Response = client.post(
        f"/custody/requests/{request_id}/approve",
        data={"csrf_token": csrf, "document_number": number},
        files={"scan": ("approval.pdf", scan, "application/pdf")},
        follow_redirects=False,
    )
    return response


def open_session(
    client: TestClient,
    request_id: int,
    *,
    code: str,
    username: str = "partner",
    password: str = PASSWORD,
) -> httpx.Response:
    response: httpx.Response = client.post(
        f"/custody/requests/{request_id}/sessions",
        data={
            "csrf_token": token_of(client, f"/custody/requests/{request_id}"),
            "officer_b_username": username,
            "officer_b_password": password,
            "officer_b_totp": code,
        },
        follow_redirects=False,
    )
    return response


def switch(client: TestClient, username: str) -> None:
    client.cookies.clear()
    signed_in(client, username)


def playlist(client: TestClient, camera: int, start: dt.datetime, end: dt.datetime) -> int:
    response = client.get(
        f"{API}/cameras/{camera}/playback.m3u8",
        params={"start": start.isoformat(), "end": end.isoformat()},
    )
    return int(response.status_code)


def approved_request(client: TestClient, world: World) -> int:
    """Officer files (camera A, [0 s, 4 s), view + copy); the district chief approves;
    the officer is signed in again at the end."""
    signed_in(client, "officer")
    request_id = file_request(client, world)
    switch(client, "chief")
    response = approve(client, request_id)
    assert response.status_code == 303, response.text
    switch(client, "officer")
    return request_id


def fresh_code(secret: str) -> str:
    return totp.code_at(secret, at=utcnow())


# --- the catalog --------------------------------------------------------------------------


def test_every_custody_message_is_in_both_languages_and_every_template_key_exists() -> None:
    used: set[str] = set()
    for template in (TEMPLATE_DIR / "custody").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*'([^']+)'""", template.read_text("utf-8")))
    video = (TEMPLATE_DIR / "video.html").read_text("utf-8")
    used |= set(re.findall(r"""\bt\(\s*'(video\.custody[^']*)'""", video))
    for key, entry in CUSTODY_MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        assert CATALOG[key] == entry, f"{key} is not merged into the console catalog"
    assert "custody.approve" in used
    assert "video.custody_none" in used
    prefixes = {k for k in used if k.endswith((".", "_"))}  # t('prefix.' ~ value)
    assert prefixes == {
        "custody.access.",
        "custody.action.",
        "custody.kind.",
        "custody.list_",
        "custody.state.",
    }
    assert not sorted(k for k in used - prefixes if k not in CATALOG)
    for view in ("mine", "queue", "all"):
        assert f"custody.list_{view}" in CATALOG
    for kind in ("police", "other"):
        assert f"custody.kind.{kind}" in CATALOG
    for state in ("requested", "approved", "rejected", "expired", "closed"):
        assert f"custody.state.{state}" in CATALOG
    for action in ("view", "copy", "retrieve", "direct_access"):
        assert f"custody.action.{action}" in CATALOG
    for kind in ("view", "copy", "export"):
        assert f"custody.access.{kind}" in CATALOG
    # Every rule a refusal can name has its sentence.
    rules_py = Path("psvis/custody/rules.py").read_text("utf-8")
    gate_py = Path("psvis/custody/gate.py").read_text("utf-8")
    named = set(re.findall(r'"(art\d+_[a-z_0-9]+)"', rules_py + gate_py))
    named -= {"art18_scope"}  # the ok decision: never a refusal
    assert named
    assert not sorted(r for r in named if f"custody.rule.{r}" not in CATALOG)


# --- pages, languages, roles ------------------------------------------------------------------


def test_pages_render_in_chinese_and_english(client: TestClient, world: World) -> None:
    signed_in(client, "officer")
    home = client.get("/").text
    assert 'href="/custody"' in home
    assert 'href="/registrations"' in home
    for path, zh in (
        ("/custody", "我的调取申请"),
        ("/custody?view=all", "全部调取申请"),
        ("/custody/new", "新建调取申请"),
        ("/registrations", "调取登记簿"),
        ("/account/totp", "我的动态口令"),
    ):
        page = client.get(path)
        assert page.status_code == 200, (path, page.text)
        assert 'lang="zh-CN"' in page.text
        assert zh in page.text, path
        assert "<script>" not in page.text
    english = client.get("/custody/new", params={"lang": "en"})
    assert english.status_code == 200
    assert 'lang="en"' in english.text
    assert "New retrieval request" in english.text
    assert "Registration book" in client.get("/registrations").text  # the cookie remembers

    switch(client, "chief")
    queue = client.get("/custody", params={"lang": "zh-CN"})
    assert queue.status_code == 200
    assert "待我审批的调取申请" in queue.text
    assert 'id="tab-queue"' in queue.text


def test_camera_picker_searches_cameras_the_officer_may_read(
    client: TestClient, world: World
) -> None:
    signed_in(client, "officer")
    found = client.get("/custody/new", params={"q": world.camera_gb})
    assert found.status_code == 200
    assert f'data-camera="{world.camera}"' in found.text
    chosen = client.get("/custody/new", params={"camera": str(world.camera)}).text
    assert f'name="camera" value="{world.camera}" checked' in chosen
    # A camera of another district is not offered and cannot be put in the query.
    foreign = client.get("/custody/new", params={"camera": str(world.foreign)})
    assert foreign.status_code == 200
    assert f'value="{world.foreign}" checked' not in foreign.text
    assert 'id="request-error"' in foreign.text
    assert client.get("/custody/new", params={"camera": "abc"}).status_code == 422
    assert client.get("/custody/new", params={"camera": "9" * 12}).status_code == 422
    assert client.get("/custody/new", params={"q": "x" * 101}).status_code == 400


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("auditor", "/custody/new", 403),  # reads requests, files none
        ("auditor", "/account/totp", 403),  # is never the second officer
        ("unit_admin", "/custody", 403),  # reads its units' book, not requests
        ("unit_admin", "/custody/new", 403),
        ("unit_admin", "/registrations", 200),
        ("market", "/custody/new", 200),  # another department files its own
        ("market", "/registrations", 403),
        ("market", "/account/totp", 403),
        ("officer", "/custody?view=queue", 422),  # not a chief: no approval queue
        ("officer", "/custody?view=nonsense", 422),
        ("officer", "/custody?state=nonsense", 422),
    ],
)
def test_roles_see_only_their_pages(
    client: TestClient, world: World, username: str, path: str, status: int
) -> None:
    signed_in(client, username)
    assert client.get(path).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, world: World) -> None:
    for path in ("/custody", "/custody/new", "/registrations", "/registrations.pdf"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    response = client.post("/custody/new", data={}, follow_redirects=False)
    assert response.status_code == 303


def test_csrf_is_required_on_every_post(client: TestClient, world: World, db: Session) -> None:
    request_id = approved_request(client, world)
    posts: list[tuple[str, dict[str, object]]] = [
        ("/custody/new", form_fields(world)),
        (f"/custody/requests/{request_id}/reject", {"reason": "x"}),
        (f"/custody/requests/{request_id}/release-hold", {"reason": "x"}),
        (f"/custody/requests/{request_id}/close", {}),
        (
            f"/custody/requests/{request_id}/sessions",
            {
                "officer_b_username": "partner",
                "officer_b_password": PASSWORD,
                "officer_b_totp": "000000",
            },
        ),
        ("/custody/sessions/1/close", {}),
        ("/account/totp/new", {}),
        ("/account/totp/confirm", {"pending": "x", "code": "000000"}),
    ]
    for token in ("", "wrong-token"):
        for url, fields in posts:
            data = {**fields, "csrf_token": token} if token else dict(fields)
            response = client.post(url, data=data, follow_redirects=False)
            assert response.status_code == 403, (url, token, response.text[:200])
        switch(client, "chief")
        upload = approve(client, request_id, token=token)
        assert upload.status_code == 403
        switch(client, "officer")
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(RetrievalRequest)) == 1
    assert db.scalar(select(func.count()).select_from(ExecutionSession)) == 0
    state = db.scalar(select(RetrievalRequest.state).where(RetrievalRequest.id == request_id))
    assert state is not None
    assert state.value == "approved"


# --- the whole flow ---------------------------------------------------------------------------


def test_full_flow_request_approve_session_playback_close_book_pdf(
    client: TestClient, world: World, db: Session, settings: Settings
) -> None:
    signed_in(client, "officer")
    # Without a session the camera page says why, and the footage API refuses.
    before = client.get(f"/cameras/{world.camera}/video", params={"day": "2025-03-01"})
    assert 'id="playback-no-session"' in before.text
    assert "第十八条" in before.text
    assert 'id="playback-video"' not in before.text
    assert playlist(client, world.camera, at(0), at(4)) == 403

    request_id = file_request(client, world)
    page = client.get(f"/custody/requests/{request_id}").text
    number = re.search(r'id="request-number">([^<]+)<', page)
    assert number is not None
    number_text = number.group(1)
    assert re.fullmatch(r"360102-\d{4}-\d{6}", number_text)
    assert "待审批" in page
    assert 'id="approve-form"' not in page  # the requester never decides
    mine = client.get("/custody").text
    assert number_text in mine

    # The chief's queue holds it; the chief approves with a real PDF scan.
    switch(client, "chief")
    queue = client.get("/custody", params={"view": "queue"}).text
    assert number_text in queue
    detail = client.get(f"/custody/requests/{request_id}").text
    assert 'id="approve-form"' in detail
    assert 'enctype="multipart/form-data"' in detail
    response = approve(client, request_id)
    assert response.status_code == 303, response.text
    approved = client.get(f"/custody/requests/{request_id}").text
    assert "已批准" in approved
    assert "东公(刑)批字[2026]12号" in html.unescape(approved)
    assert 'id="holds">1 段录像在保全中' in approved
    scan = client.get(f"/custody/requests/{request_id}/scan")
    assert scan.status_code == 200
    assert scan.headers["content-type"] == "application/pdf"
    assert scan.content == PDF
    assert number_text not in client.get("/custody", params={"view": "queue"}).text

    # Officer A opens the session; officer B types password and a real TOTP code.
    switch(client, "officer")
    opened = open_session(client, request_id, code=fresh_code(world.partner_secret))
    assert opened.status_code == 303, opened.text
    session_url = opened.headers["location"]
    screen = client.get(session_url)
    assert screen.status_code == 200
    text = html.unescape(screen.text)
    assert "036102" in text
    assert "036103" in text
    assert "东公(刑)批字[2026]12号" in text
    assert 'id="session-unbound"' not in screen.text
    links = re.findall(r'class="playback-link" href="([^"]+)"', screen.text)
    clips = re.findall(r'class="clip-link" href="([^"]+)"', screen.text)
    assert len(links) == 1
    assert len(clips) == 1
    video = client.get(html.unescape(links[0]).split("#")[0])
    assert video.status_code == 200
    assert 'id="playback-video"' in video.text
    assert 'id="clip-link"' in video.text
    assert 'id="snapshot-link"' in video.text
    assert 'id="custody-session"' in video.text

    # Playback of the approved segments works; the segments and the clip are delivered.
    assert playlist(client, world.camera, at(0), at(4)) == 200
    listed = client.get(
        f"{API}/cameras/{world.camera}/playback.m3u8",
        params={"start": at(0).isoformat(), "end": at(4).isoformat()},
    ).text
    segment_urls = [line for line in listed.splitlines() if line.startswith("/api/")]
    assert len(segment_urls) == 2
    assert client.get(segment_urls[0]).status_code == 200
    clip = client.get(html.unescape(clips[0]))
    assert clip.status_code == 200, clip.text
    assert clip.headers["content-type"] == "video/mp4"
    # Outside the approval: another camera, another range.
    assert playlist(client, world.neighbour, at(0), at(4)) == 403
    assert playlist(client, world.camera, at(4), at(8)) == 403
    assert client.get(f"{API}/segments/{world.segments[3].id}/media").status_code == 403
    assert client.get(f"{API}/segments/{world.neighbour_segments[0].id}/media").status_code == 403
    out = client.get(
        f"/cameras/{world.camera}/video",
        params={"day": "2025-03-01", "start": "10:00:04", "end": "10:00:08"},
    ).text
    assert 'id="playback-refused"' in out
    assert "所选时段超出批准的调取时段" in out
    assert 'id="playback-video"' not in out
    neighbour = client.get(
        f"/cameras/{world.neighbour}/video",
        params={"day": "2025-03-01", "start": "10:00:00", "end": "10:00:04"},
    ).text
    assert 'id="camera-not-approved"' in neighbour
    assert 'id="playback-video"' not in neighbour

    # The access log on the screen.
    screen = client.get(session_url).text
    assert "查阅 1 段，复制 2 段" in screen

    # Close: the footage is out of reach again.
    close = client.post(
        f"{session_url}/close",
        data={"csrf_token": csrf_field(screen)},
        follow_redirects=False,
    )
    assert close.status_code == 303
    assert playlist(client, world.camera, at(0), at(4)) == 403
    after = client.get(f"/cameras/{world.camera}/video", params={"day": "2025-03-01"}).text
    assert 'id="playback-no-session"' in after
    assert 'id="session-unusable"' in client.get(session_url).text

    # The registration book lists it, filterable; its PDF carries the request number.
    book = client.get("/registrations").text
    assert number_text in book
    assert "036103" in book
    assert number_text in client.get("/registrations", params={"number": number_text}).text
    assert number_text not in client.get("/registrations", params={"number": "nope"}).text
    today = utcnow().astimezone(CHINA_TZ).date()
    assert (
        number_text
        in client.get(
            "/registrations",
            params={
                "day_from": today.isoformat(),
                "day_to": today.isoformat(),
                "jurisdiction": "360102",
            },
        ).text
    )
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert number_text not in client.get("/registrations", params={"day_to": yesterday}).text
    pdf = client.get("/registrations.pdf", params={"number": number_text})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert number_text in text.replace("\x00", "").replace("\n", "")
    # The unit's administrator reads its unit's book too.
    switch(client, "unit_admin")
    assert number_text in client.get("/registrations").text
    db.expire_all()
    registration = db.scalar(select(Registration).where(Registration.request_number == number_text))
    assert registration is not None
    assert registration.closed_at is not None
    assert registration.accessed_segments == 2


def test_rejection_with_reason_and_release_and_close(client: TestClient, world: World) -> None:
    signed_in(client, "officer")
    first = file_request(client, world)
    second = file_request(client, world, case_number="A-2")
    switch(client, "chief")
    token = token_of(client, f"/custody/requests/{first}")
    empty = client.post(
        f"/custody/requests/{first}/reject", data={"csrf_token": token, "reason": "  "}
    )
    assert empty.status_code == 422
    assert "请填写理由" in empty.text
    rejected = client.post(
        f"/custody/requests/{first}/reject",
        data={"csrf_token": token, "reason": "依据不足"},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    page = client.get(f"/custody/requests/{first}").text
    assert "已驳回" in page
    assert "依据不足" in page
    again = approve(client, first, token=token)
    assert again.status_code == 409
    assert "该申请已不在待审批状态" in again.text

    assert approve(client, second, token=token).status_code == 303
    release = client.post(
        f"/custody/requests/{second}/release-hold",
        data={"csrf_token": token, "reason": "结案"},
        follow_redirects=False,
    )
    assert release.status_code == 303
    assert 'id="holds">无' in client.get(f"/custody/requests/{second}").text
    closed = client.post(
        f"/custody/requests/{second}/close", data={"csrf_token": token}, follow_redirects=False
    )
    assert closed.status_code == 303
    assert "已终止" in client.get(f"/custody/requests/{second}").text


# --- hostile and malformed input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"camera": [], "camera_list": ""}, "请至少选择一台摄像机"),
        ({"camera_list": "abc"}, "不是摄像机编号"),
        ({"camera_list": "99999999"}, "不存在或不在您的辖区内"),
        ({"camera": [], "camera_list": "{foreign}"}, "不存在或不在您的辖区内"),
        ({"footage_from": "{end}", "footage_until": "{start}"}, "录像截止时间须晚于起始时间"),
        ({"footage_from": "yesterday"}, "不是有效的时间"),
        ({"action": []}, "请至少选择一项调取事项"),
        ({"case_number": "  "}, "请填写案件编号"),
        ({"department_kind": "other", "legal_basis": ""}, "第十八条第二款"),
        ({"department_kind": "martian"}, "unknown department kind"),
        ({"valid_until": "{start}"}, "有效期"),
    ],
)
def test_request_form_refuses_bad_input_and_keeps_what_was_typed(
    client: TestClient,
    world: World,
    db: Session,
    changes: dict[str, object],
    message: str,
) -> None:
    signed_in(client, "officer")
    values = {
        k: (
            v.format(foreign=world.foreign, start=local(at(0)), end=local(at(4)))
            if isinstance(v, str)
            else v
        )
        for k, v in changes.items()
    }
    response = post_form(client, "/custody/new", form_fields(world, **values))
    assert response.status_code == 422, response.text
    assert message in html.unescape(response.text)
    assert "盗窃案调查" in response.text  # the typed purpose is kept
    assert db.scalar(select(func.count()).select_from(RetrievalRequest)) == 0


def test_request_by_gb_id_and_other_department_with_legal_basis(
    client: TestClient, world: World
) -> None:
    signed_in(client, "officer")
    request_id = file_request(client, world, camera=[], camera_list=f"{world.camera_gb}")
    assert world.camera_gb in client.get(f"/custody/requests/{request_id}").text
    switch(client, "market")
    form = client.get("/custody/new").text
    assert 'name="department_kind" value="other"' in form
    assert "市场监管局" in form
    other = file_request(
        client,
        world,
        department_kind="other",
        department_name="市场监管局",
        legal_basis="《中华人民共和国行政处罚法》第五十五条",
        camera=[],
        camera_list=str(world.camera),
    )
    page = client.get(f"/custody/requests/{other}").text
    assert "行政处罚法" in page
    assert "其他国家机关" in page


def test_approval_refuses_own_fake_oversized_and_unnumbered_scans(
    client: TestClient, world: World, db: Session, settings: Settings
) -> None:
    signed_in(client, "chief")
    own = file_request(client, world)
    refused = approve(client, own)
    assert refused.status_code == 403
    assert "不能审批本人提出的申请" in refused.text

    switch(client, "officer")
    request_id = file_request(client, world)
    switch(client, "chief")
    fake = approve(client, request_id, scan=b"MZ\x90\x00 this is an exe renamed .pdf")
    assert fake.status_code == 422
    assert "PDF, PNG or JPEG" in fake.text
    huge = approve(client, request_id, scan=b"%PDF-" + b"0" * scans.MAX_SCAN_BYTES)
    assert huge.status_code == 413
    assert 'id="custody-error"' in huge.text
    empty = approve(client, request_id, scan=b"")
    assert empty.status_code == 422
    unnumbered = approve(client, request_id, number="  ")
    assert unnumbered.status_code == 422
    assert "请填写审批文书编号" in unnumbered.text
    # Nothing was decided, no scan stored.
    db.expire_all()
    state = db.scalar(select(RetrievalRequest.state).where(RetrievalRequest.id == request_id))
    assert state is not None
    assert state.value == "requested"
    scan_dir = settings.data_dir / scans.SCAN_DIR
    assert not scan_dir.exists() or not [p for p in scan_dir.iterdir() if p.name != "."]
    # An officer may not approve at all; an unknown request is a 404.
    switch(client, "officer")
    assert approve(client, request_id, token=token_of(client, "/custody")).status_code == 403
    switch(client, "chief")
    assert approve(client, 999999, token=token_of(client, "/custody")).status_code == 404


def test_session_refuses_wrong_code_same_officer_and_replay(
    client: TestClient, world: World, db: Session
) -> None:
    request_id = approved_request(client, world)
    wrong = open_session(client, request_id, code="000000")
    assert wrong.status_code == 422
    assert "第二名民警的密码或动态口令不正确" in wrong.text
    assert 'value="partner"' in wrong.text  # the username is kept, never the password
    assert PASSWORD not in wrong.text
    db.expire_all()
    partner = db.scalar(select(User).where(User.username == "partner"))
    assert partner is not None
    assert partner.failed_logins == 1
    bad_password = open_session(
        client, request_id, code=fresh_code(world.partner_secret), password="nope"
    )
    assert bad_password.status_code == 422
    myself = open_session(
        client, request_id, code=fresh_code(world.partner_secret), username="officer"
    )
    assert myself.status_code == 422
    missing = open_session(client, request_id, code="")
    assert missing.status_code == 422
    assert "请由第二名民警填写" in missing.text

    code = fresh_code(world.partner_secret)
    assert open_session(client, request_id, code=code).status_code == 303
    run = db.scalar(select(ExecutionSession).where(ExecutionSession.request_id == request_id))
    assert run is not None
    client.post(
        f"/custody/sessions/{run.id}/close",
        data={"csrf_token": token_of(client, f"/custody/sessions/{run.id}")},
    )
    replay = open_session(client, request_id, code=code)  # the same code again
    assert replay.status_code == 422


def test_other_officers_session_is_not_shown_as_usable(
    client: TestClient, world: World, db: Session
) -> None:
    request_id = approved_request(client, world)
    assert (
        open_session(client, request_id, code=fresh_code(world.partner_secret)).status_code == 303
    )
    run = db.scalar(select(ExecutionSession).where(ExecutionSession.request_id == request_id))
    assert run is not None
    # Officer B signs in separately: the session is bound to A's sign-in, not B's.
    switch(client, "partner")
    screen = client.get(f"/custody/sessions/{run.id}")
    assert screen.status_code == 200
    assert 'id="session-unbound"' in screen.text
    assert 'class="playback-link"' not in screen.text
    assert playlist(client, world.camera, at(0), at(4)) == 403
    switch(client, "market")  # another department's staff do not see police requests
    assert client.get(f"/custody/sessions/{run.id}").status_code == 404
    switch(client, "auditor")
    denied = client.post(
        f"/custody/sessions/{run.id}/close",
        data={"csrf_token": token_of(client, "/custody")},
    )
    assert denied.status_code == 403


def test_book_filters_refuse_malformed_values(client: TestClient, world: World) -> None:
    signed_in(client, "officer")
    for params in (
        {"unit": "abc"},
        {"unit": "9" * 20},
        {"jurisdiction": "36"},
        {"day_from": "2025-13-01"},
        {"day_from": "2025-03-02", "day_to": "2025-03-01"},
    ):
        assert client.get("/registrations", params=params).status_code == 422, params
        assert client.get("/registrations.pdf", params=params).status_code == 422, params
    empty = client.get("/registrations.pdf")
    assert empty.status_code == 200
    assert empty.content.startswith(b"%PDF-")


# --- TOTP enrolment ---------------------------------------------------------------------------


def _pending(page: str) -> tuple[str, str]:
    """The shown secret (from the otpauth URI) and the sealed pending field."""
    uri = re.search(r'id="totp-uri">([^<]+)<', page)
    sealed = re.search(r'name="pending" value="([^"]+)"', page)
    assert uri is not None
    assert sealed is not None
    query = parse_qs(urlparse(html.unescape(uri.group(1))).query)
    return unquote(query["secret"][0]), sealed.group(1)


def test_totp_enrolment_two_steps_with_qr_code(
    client: TestClient, world: World, db: Session
) -> None:
    signed_in(client, "officer")
    page = client.get("/account/totp").text
    assert "尚未绑定认证器" in page
    token = csrf_field(page)
    shown = client.post("/account/totp/new", data={"csrf_token": token})
    assert shown.status_code == 200
    assert 'src="data:image/svg+xml' in shown.text
    secret, sealed = _pending(shown.text)
    db.expire_all()
    officer = db.scalar(select(User).where(User.username == "officer"))
    assert officer is not None
    assert officer.totp_secret_encrypted is None

    wrong = client.post(
        "/account/totp/confirm", data={"csrf_token": token, "pending": sealed, "code": "123456"}
    )
    assert wrong.status_code == 422
    assert "动态口令不正确" in wrong.text
    tampered = client.post(
        "/account/totp/confirm",
        data={"csrf_token": token, "pending": sealed[:-4] + "AAAA", "code": fresh_code(secret)},
    )
    assert tampered.status_code == 422
    done = client.post(
        "/account/totp/confirm",
        data={"csrf_token": token, "pending": sealed, "code": fresh_code(secret)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "认证器已绑定" in client.get(done.headers["location"]).text
    db.expire_all()
    officer = db.scalar(select(User).where(User.username == "officer"))
    assert officer is not None
    assert officer.totp_secret_encrypted is not None

    # Another user cannot use this sealed secret.
    switch(client, "partner")
    foreign = client.post(
        "/account/totp/confirm",
        data={
            "csrf_token": token_of(client, "/account/totp"),
            "pending": sealed,
            "code": fresh_code(secret),
        },
    )
    assert foreign.status_code == 422

    # Replacing needs a code of the current authenticator.
    switch(client, "chief")
    token = token_of(client, "/account/totp")
    replace = client.post("/account/totp/new", data={"csrf_token": token})
    assert 'id="totp-current-code"' in replace.text
    new_secret, new_sealed = _pending(replace.text)
    refused = client.post(
        "/account/totp/confirm",
        data={
            "csrf_token": token,
            "pending": new_sealed,
            "code": fresh_code(new_secret),
            "current_code": "000000",
        },
    )
    assert refused.status_code == 403
    assert "原认证器的动态口令不正确" in refused.text
    accepted = client.post(
        "/account/totp/confirm",
        data={
            "csrf_token": token,
            "pending": new_sealed,
            "code": fresh_code(new_secret),
            "current_code": fresh_code(world.chief_secret),
        },
        follow_redirects=False,
    )
    assert accepted.status_code == 303
