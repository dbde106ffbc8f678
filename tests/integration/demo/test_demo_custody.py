"""The demo's custody walk-through works with the demo's own logins: the banner's
one-time-code secrets and ``psvis demo-totp`` give the second officer's code, the
sample scan is a PDF the approval accepts, and the command refuses outside a demo."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from psvis.api.app import create_app
from psvis.auth import totp
from psvis.cli.context import open_context
from psvis.cli.main import app, register_extra_commands
from psvis.core.config import Settings
from psvis.core.errors import InvalidInput, PsvisError
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.demo import custody as demo_custody
from psvis.demo.run import DEMO_LOGINS, run_demo
from psvis.demo.video import demo_cameras
from psvis.registry.models import Camera
from tests.integration.console.helpers import csrf_field, login

DEMO = frozenset(login.username for login in DEMO_LOGINS)


@pytest.mark.slow
def test_demo_logins_walk_a_request_to_a_two_officer_session(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSVIS_DEMO_PASSWORD", "demo-pass-123")
    on = Settings(data_dir=settings.data_dir, database_url=settings.database_url)
    out = io.StringIO()
    result = run_demo(on, serve=False, out=out)
    banner = out.getvalue()
    assert "DEMO ONLY" in banner
    assert "psvis demo-totp donghu_officer2" in banner
    for row in result.totp:
        assert row.secret in banner
    assert {row.username for row in result.totp} == {
        "donghu_officer",
        "donghu_officer2",
        "donghu_chief",
        "city_chief",
    }
    assert result.sample_scan is not None
    assert result.sample_scan.read_bytes().startswith(b"%PDF-")

    with open_context(on) as ctx, ctx.session() as session:
        cameras = demo_cameras(session)
        camera = session.get(Camera, cameras[0])
        assert camera is not None
        assert camera.jurisdiction_code == "360102"  # the Donghu logins reach it
        code, left = demo_custody.current_code(
            session,
            box=ctx.box,
            data_dir=on.data_dir,
            username="donghu_officer2",
            demo_usernames=DEMO,
        )
        assert 1 <= left <= totp.STEP_S
        secret = next(r.secret for r in result.totp if r.username == "donghu_officer2")
        assert totp.verify(secret, code, last_counter=None, now=utcnow()) is not None
        with pytest.raises(InvalidInput):
            demo_custody.current_code(
                session, box=ctx.box, data_dir=on.data_dir, username="auditor", demo_usernames=DEMO
            )
        with pytest.raises(InvalidInput):
            demo_custody.current_code(
                session, box=ctx.box, data_dir=on.data_dir, username="nobody", demo_usernames=DEMO
            )

    with TestClient(create_app(on)) as client:
        assert login(client, "donghu_officer", "demo-pass-123").status_code == 303
        form = client.get("/custody/new", params={"camera": str(camera.id)}).text
        now = utcnow().astimezone(CHINA_TZ).replace(microsecond=0)
        stamp = "%Y-%m-%dT%H:%M:%S"
        fields = {
            "csrf_token": csrf_field(form),
            "department_kind": "police",
            "department_name": "东湖分局刑侦大队",
            "case_number": "DEMO-1",
            "purpose": "演示",
            "action": ["view", "copy"],
            "camera": [str(camera.id)],
            "footage_from": (now - dt.timedelta(hours=1)).strftime(stamp),
            "footage_until": now.strftime(stamp),
            "valid_from": (now - dt.timedelta(minutes=5)).strftime(stamp),
            "valid_until": (now + dt.timedelta(days=1)).strftime(stamp),
        }
        filed = client.post("/custody/new", data=fields, follow_redirects=False)
        assert filed.status_code == 303, filed.text
        page = filed.headers["location"]
        client.cookies.clear()
        assert login(client, "donghu_chief", "demo-pass-123").status_code == 303
        approved = client.post(
            f"{page}/approve",
            data={
                "csrf_token": csrf_field(client.get(page).text),
                "document_number": "演示批字1号",
            },
            files={"scan": ("approval.pdf", result.sample_scan.read_bytes(), "application/pdf")},
            follow_redirects=False,
        )
        assert approved.status_code == 303, approved.text
        client.cookies.clear()
        assert login(client, "donghu_officer", "demo-pass-123").status_code == 303
        runner = CliRunner()
        register_extra_commands()
        monkeypatch.setenv("PSVIS_DATA_DIR", str(on.data_dir))
        monkeypatch.setenv("PSVIS_DATABASE_URL", on.database_url or "")
        printed = runner.invoke(app, ["demo-totp", "donghu_officer2"])
        assert printed.exit_code == 0, printed.output
        code = re.findall(r"^\d{6}$", printed.stdout, flags=re.MULTILINE)[0]
        opened = client.post(
            f"{page}/sessions",
            data={
                "csrf_token": csrf_field(client.get(page).text),
                "officer_b_username": "donghu_officer2",
                "officer_b_password": "demo-pass-123",
                "officer_b_totp": code,
            },
            follow_redirects=False,
        )
        assert opened.status_code == 303, opened.text
        screen = client.get(opened.headers["location"]).text
        assert "036102" in screen
        assert "036103" in screen


def test_demo_totp_refuses_outside_a_demo_data_dir(settings: Settings) -> None:
    with open_context(settings) as ctx, ctx.session() as session:
        assert not demo_custody.is_demo(settings.data_dir)
        with pytest.raises(PsvisError, match="not a demo data directory"):
            demo_custody.current_code(
                session,
                box=ctx.box,
                data_dir=settings.data_dir,
                username="donghu_officer2",
                demo_usernames=DEMO,
            )
        demo_custody.mark_demo(settings.data_dir)
        with pytest.raises(InvalidInput, match="no one-time-code secret"):
            demo_custody.current_code(
                session,
                box=ctx.box,
                data_dir=settings.data_dir,
                username="donghu_officer2",
                demo_usernames=DEMO,
            )
        assert session.scalar(select(Camera.id).limit(1)) is None
