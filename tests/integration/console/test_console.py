"""The console through the real app (TestClient), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from psvis.api.app import create_app
from psvis.auth.policy import Role
from psvis.compliance.service import run_check
from psvis.console import map as map_page
from psvis.core.config import Settings
from psvis.registry.enums import SiteCategory
from tests.integration.console.helpers import csrf_field, login, signed_in
from tests.support.factories import PASSWORD, Registry

PAGES = [
    "/",
    "/units",
    "/units/1",
    "/sites",
    "/sites/1",
    "/systems",
    "/systems/1",
    "/cameras",
    "/cameras/1",
    "/findings",
    "/findings/1",
    "/map",
]


# --- sign-in, sessions, CSRF ----------------------------------------------------------------


def test_login_form_is_chinese_by_default(client: TestClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert "用户登录" in response.text
    assert 'lang="zh-CN"' in response.text
    cookie = response.headers["set-cookie"]
    assert "psvis_login_csrf=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie


def test_login_success_sets_hardened_session_cookie(client: TestClient, registry: Registry) -> None:
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="boss")
    registry.session.commit()
    response = login(client, "boss")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("psvis_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=strict" in session_cookie
    assert "Path=/" in session_cookie
    assert "Secure" not in session_cookie  # secure_cookies is off in the test settings
    page = client.get("/")
    assert page.status_code == 200
    assert "工作概览" in page.text
    assert "市局管理员" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_secure_cookie_when_configured(settings: Settings, registry: Registry) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="cop")
    registry.session.commit()
    secure = settings.model_copy(update={"secure_cookies": True})
    with TestClient(create_app(secure), base_url="https://testserver") as client:
        response = login(client, "cop")
        assert response.status_code == 303
        session_cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("psvis_session=")
        )
        assert "Secure" in session_cookie


def test_login_failure_is_explained(client: TestClient, registry: Registry) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="cop")
    registry.session.commit()
    response = login(client, "cop", "wrong password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert "psvis_session" not in response.headers.get("set-cookie", "")
    unknown = login(client, "nobody", "whatever")
    assert unknown.status_code == 401
    assert "用户名或密码错误" in unknown.text


def test_lockout_is_shown(client: TestClient, registry: Registry, settings: Settings) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="cop")
    registry.session.commit()
    for _ in range(settings.lockout_threshold):
        assert login(client, "cop", "wrong password").status_code == 401
    locked = login(client, "cop")  # even the right password is refused now
    assert locked.status_code == 401
    assert "已被锁定" in locked.text


def test_login_without_csrf_token_is_403(client: TestClient, registry: Registry) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="cop")
    registry.session.commit()
    bare = client.post(
        "/login", data={"username": "cop", "password": PASSWORD}, follow_redirects=False
    )
    assert bare.status_code == 403
    assert "psvis_session" not in bare.headers.get("set-cookie", "")
    form = client.get("/login")
    wrong = client.post(
        "/login",
        data={"username": "cop", "password": PASSWORD, "csrf_token": "x" * 43},
        follow_redirects=False,
    )
    assert wrong.status_code == 403
    assert csrf_field(form.text)


def test_login_rotates_the_session(client: TestClient, registry: Registry) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="cop")
    registry.session.commit()
    signed_in(client, "cop")
    first = client.cookies.get("psvis_session")
    assert first is not None
    client.cookies.delete("psvis_session")
    form = client.get("/login")  # (a signed-in browser is sent on to the overview)
    # ... and the browser presents the first cookie when signing in again
    client.cookies.set("psvis_session", first, domain="testserver.local")
    again = client.post(
        "/login",
        data={"username": "cop", "password": PASSWORD, "csrf_token": csrf_field(form.text)},
        follow_redirects=False,
    )
    assert again.status_code == 303
    second = client.cookies.get("psvis_session")
    assert second is not None
    assert first != second
    client.cookies.set("psvis_session", first, domain="testserver.local")
    stale = client.get("/", follow_redirects=False)
    assert stale.status_code == 303
    assert stale.headers["location"].startswith("/login")


def test_logout_needs_the_session_csrf_token_and_revokes(
    client: TestClient, registry: Registry
) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="cop")
    registry.session.commit()
    signed_in(client, "cop")
    token = client.cookies.get("psvis_session")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    page = client.get("/")
    response = client.post(
        "/logout", data={"csrf_token": csrf_field(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?out=1"
    assert token is not None
    client.cookies.set("psvis_session", token, domain="testserver.local")
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("path", PAGES)
def test_pages_require_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_login_returns_to_the_page_asked_for_but_never_off_site(
    client: TestClient, registry: Registry
) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="cop")
    registry.session.commit()
    assert "next=%2Fcameras" in client.get("/cameras", follow_redirects=False).headers["location"]
    for target, landing in (
        ("/cameras", "/cameras"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
    ):
        client.cookies.clear()
        assert login(client, "cop", next_url=target).headers["location"] == landing


def test_garbage_session_cookie_means_sign_in(client: TestClient) -> None:
    client.cookies.set("psvis_session", "garbage")
    response = client.get("/units", follow_redirects=False)
    assert response.status_code == 303


# --- language ------------------------------------------------------------------------------


def test_english_on_request_and_remembered(client: TestClient, registry: Registry) -> None:
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="boss")
    registry.session.commit()
    signed_in(client, "boss")
    zh = client.get("/")
    assert "工作概览" in zh.text
    assert 'href="/?lang=en"' in zh.text  # the switch link in the header
    en = client.get("/?lang=en")
    assert "Overview" in en.text
    assert 'lang="en"' in en.text
    assert "psvis_lang=en" in en.headers["set-cookie"]
    later = client.get("/cameras")
    assert "Cameras" in later.text
    assert "摄像机列表" not in later.text
    back = client.get("/cameras?lang=zh-CN")
    assert "摄像机列表" in back.text


# --- registry pages and scope ----------------------------------------------------------------


def test_district_user_sees_only_their_district(client: TestClient, registry: Registry) -> None:
    _, _, _, own = registry.covered_site(jurisdiction="360102")
    _, _, _, other = registry.covered_site(jurisdiction="360103")
    registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102", username="donghu")
    registry.session.commit()
    signed_in(client, "donghu")

    listing = client.get("/cameras")
    assert listing.status_code == 200
    assert own.gb_id in listing.text
    assert other.gb_id not in listing.text

    assert client.get(f"/cameras/{own.id}").status_code == 200
    hidden = client.get(f"/cameras/{other.id}")
    assert hidden.status_code == 404
    assert "不在您的管辖范围内" in hidden.text
    assert other.gb_id not in hidden.text
    assert hidden.headers["content-type"].startswith("text/html")
    assert '<nav class="nav">' in hidden.text  # still signed in: the navigation stays

    drawn = client.get("/map")
    assert drawn.status_code == 200
    assert "<svg" in drawn.text
    assert own.gb_id in drawn.text
    assert other.gb_id not in drawn.text

    for path in (f"/systems/{other.system_id}", f"/sites/{other.system_id}"):
        assert client.get(path).status_code == 404
    assert other.gb_id not in client.get("/cameras?jurisdiction=360103").text


def test_camera_page_never_shows_the_password(client: TestClient, registry: Registry) -> None:
    unit = registry.unit(jurisdiction="360102")
    site = registry.site(unit=unit)
    system = registry.system(site=site, unit=unit)
    camera = registry.camera(
        system=system, password="s3cret-pass", stream_url="rtsp://10.0.0.5/live", username="adm"
    )
    bare = registry.camera(system=system)
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="boss")
    registry.session.commit()
    signed_in(client, "boss")
    for path in (f"/cameras/{camera.id}", "/cameras", f"/systems/{system.id}", "/map"):
        page = client.get(path)
        assert page.status_code == 200
        assert "s3cret-pass" not in page.text
    detail = client.get(f"/cameras/{camera.id}").text
    assert "已设置" in detail
    assert "rtsp://10.0.0.5/live" in detail
    assert "未设置" in client.get(f"/cameras/{bare.id}").text


def test_detail_pages_link_site_systems_cameras(client: TestClient, registry: Registry) -> None:
    unit, site, system, camera = registry.covered_site()
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="boss")
    registry.session.commit()
    signed_in(client, "boss")
    unit_page = client.get(f"/units/{unit.id}").text
    assert f'href="/sites/{site.id}"' in unit_page
    site_page = client.get(f"/sites/{site.id}").text
    assert f'href="/systems/{system.id}"' in site_page
    assert f'href="/units/{unit.id}"' in site_page
    assert "第八条第（四）项 电信、邮政、金融单位" in site_page
    system_page = client.get(f"/systems/{system.id}").text
    assert f'href="/cameras/{camera.id}"' in system_page
    assert f'href="/sites/{site.id}"' in system_page
    assert "已验收" in system_page
    camera_page = client.get(f"/cameras/{camera.id}").text
    assert f'href="/systems/{system.id}"' in camera_page
    assert "出入口" in camera_page


def test_lists_filter_and_paginate(client: TestClient, registry: Registry) -> None:
    for jurisdiction in ("360102", "360102", "360102", "360103"):
        registry.unit(jurisdiction=jurisdiction)
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="boss")
    registry.session.commit()
    signed_in(client, "boss")
    first = client.get("/units?limit=2")
    assert "共 4 条，当前第 1–2 条" in first.text
    assert 'href="/units?limit=2&amp;offset=2"' in first.text
    second = client.get("/units?limit=2&offset=2")
    assert "共 4 条，当前第 3–4 条" in second.text
    filtered = client.get("/units?jurisdiction=360103")
    assert "共 1 条" in filtered.text
    assert client.get("/units?jurisdiction=abc").status_code == 422
    assert client.get("/units?limit=0").status_code == 400
    assert client.get("/sites?category=nonsense").status_code == 422
    assert client.get("/units/notanumber").status_code == 400


def test_site_category_filter_uses_catalog_labels(client: TestClient, registry: Registry) -> None:
    unit = registry.unit()
    registry.site(unit=unit, category=SiteCategory.ART8_10)
    registry.site(unit=unit, category=SiteCategory.ART8_4)
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="cop")
    registry.session.commit()
    signed_in(client, "cop")
    page = client.get("/sites?category=art8_10")
    assert "共 1 条" in page.text
    assert "第八条第（十）项 住宅小区" in page.text
    assert "第九条 卫生间" in page.text  # offered in the category filter


def test_findings_and_dashboard_counts(client: TestClient, registry: Registry) -> None:
    unit = registry.unit(jurisdiction="360102")
    registry.site(unit=unit)  # mandatory (Art. 8(4)) and uncovered
    other_unit = registry.unit(jurisdiction="360103")
    registry.site(unit=other_unit)
    registry.covered_site(jurisdiction="360102")
    run_check(registry.session)
    registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102", username="donghu")
    registry.session.commit()
    signed_in(client, "donghu")

    dashboard = client.get("/").text
    assert 'id="count-units"><span class="num">2</span>' in dashboard
    assert 'id="count-sites"><span class="num">2</span>' in dashboard
    assert 'id="count-cameras"><span class="num">1</span>' in dashboard
    assert 'id="count-findings"><span class="num">1</span>' in dashboard
    assert "第八条" in dashboard

    findings = client.get("/findings")
    assert "共 1 条" in findings.text
    assert "应建场所未建成" in findings.text
    assert "第八条" in findings.text
    assert "共 1 条" in client.get("/findings?article=Art.+8").text
    assert "共 0 条" in client.get("/findings?article=Art.+9").text
    assert "共 1 条" in client.get("/findings?rule=art8_mandatory_site_uncovered").text
    assert "共 0 条" in client.get("/findings?jurisdiction=360103").text
    assert "共 0 条" in client.get("/findings?status=resolved").text
    assert client.get("/findings?rule=bogus").status_code == 422

    english = client.get("/findings?lang=en").text
    assert "Mandatory site without a working system" in english


def test_roles_without_registry_reach(client: TestClient, registry: Registry) -> None:
    registry.user(role=Role.OTHER_DEPT, jurisdiction="360102", username="market")
    registry.session.commit()
    signed_in(client, "market")
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert "没有可查看的登记数据" in dashboard.text
    assert 'href="/cameras"' not in dashboard.text
    refused = client.get("/cameras")
    assert refused.status_code == 403
    assert "无权访问" in refused.text


def test_unit_staff_see_their_own_units_systems(client: TestClient, registry: Registry) -> None:
    unit, _, _, camera = registry.covered_site(jurisdiction="360102")
    _, _, _, other = registry.covered_site(jurisdiction="360102")
    registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,), username="guard")
    registry.session.commit()
    signed_in(client, "guard")
    cameras = client.get("/cameras").text
    assert camera.gb_id in cameras
    assert other.gb_id not in cameras
    assert 'href="/findings"' not in client.get("/").text  # operators do not read findings
    assert other.gb_id not in client.get("/map").text


def test_map_draws_centres_legend_and_caps(
    client: TestClient, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = registry.unit(jurisdiction="360102")
    site = registry.site(unit=unit)
    system = registry.system(site=site, unit=unit)
    for i in range(3):
        registry.camera(system=system, lat=28.68 + i * 0.001, lon=115.9, azimuth_deg=90.0)
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="boss")
    registry.session.commit()
    signed_in(client, "boss")
    page = client.get("/map").text
    assert page.count('class="cam"') == 3
    assert "<title>" in page
    assert "东湖区" in page  # centres and legend
    assert "进贤县" in page
    assert 'class="fov"' in page  # few cameras: wedges drawn
    assert "tile" not in page.lower()
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert 'id="map-legend"' in page
    assert client.get(f"/map?system={system.id}").text.count('class="cam"') == 3
    assert client.get("/map?jurisdiction=360103").text.count('class="cam"') == 0

    monkeypatch.setattr(map_page, "MAP_CAP", 2)
    capped = client.get("/map").text
    assert capped.count('class="cam"') == 2
    assert 'id="map-capped"' in capped
    assert "仅绘制前 2 个" in capped


def test_static_css_is_served(client: TestClient) -> None:
    css = client.get("/static/console.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert client.get("/static/missing.css").status_code == 404
    assert client.get("/static/..%2Fi18n.py").status_code == 404


def test_console_routes_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert not any(p in paths for p in ("/", "/login", "/cameras", "/map"))


@pytest.mark.parametrize("raw", ["0", "-5", "abc", str(2**31), str(10**30)])
def test_hostile_detail_ids_are_clear_errors_not_crashes(
    client: TestClient, registry: Registry, raw: str
) -> None:
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="hostile")
    registry.session.commit()
    login(client, "hostile")
    for page in ("units", "sites", "systems", "cameras", "findings"):
        response = client.get(f"/{page}/{raw}")
        assert response.status_code in (400, 404), (page, raw, response.status_code)


def test_hostile_filter_ids_are_ignored_not_crashes(client: TestClient, registry: Registry) -> None:
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="hostile2")
    registry.session.commit()
    login(client, "hostile2")
    for url in ("/cameras?system=", "/systems?site=", "/map?system="):
        assert client.get(url + str(10**30)).status_code == 200, url
