"""The ledger pages of the console: status, archive audit, package verification.

Real segments (ffmpeg, sealed through seal_file), the real ledger and checkpoints, real
evidence packages, through the real app (TestClient) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.api.app import create_app
from psvis.auth.policy import Role
from psvis.compliance.models import Finding
from psvis.console import ledger_verify_pages
from psvis.console.i18n import CATALOG, LANGUAGES
from psvis.console.ledger_i18n import LEDGER_MESSAGES
from psvis.console.render import TEMPLATE_DIR
from psvis.core.config import Settings
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.ledger import service as ledger
from psvis.ledger import tree
from psvis.ledger.audit import save_run
from psvis.ledger.checkpoints import Checkpoint, cosign
from psvis.ledger.keys import WITNESS_KEY, SigningKey
from psvis.ledger.models import LedgerAuditRun, LedgerEntry
from psvis.ledger.package import build_package
from psvis.ledger.rules import Kind
from psvis.recording.models import Segment
from psvis.recording.storage import Root
from tests.integration.console.helpers import csrf_field, signed_in
from tests.support.factories import Registry
from tests.support.media import record, storage_root

#: Recorded an hour ago on a whole second (segment names are per second).
T0 = (utcnow() - dt.timedelta(hours=1)).replace(microsecond=0)
READERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.AUDITOR)
OTHERS = (Role.OFFICER, Role.CHIEF, Role.UNIT_ADMIN, Role.OTHER_DEPT)
PAGES = ("/ledger", "/ledger/audit", "/ledger/verify", "/ledger/public-key.pem")


class Archive:
    """One camera's recorded archive under a signed checkpoint."""

    def __init__(self, db: Session, settings: Settings, registry: Registry) -> None:
        self.db = db
        self.settings = settings
        self.root: Root = storage_root(db, settings.data_dir)
        _unit, _site, _system, camera = registry.covered_site(jurisdiction="360102")
        self.camera_id = camera.id
        self.camera_name = camera.name
        self.key = SigningKey.load_or_create(settings.data_dir)
        ledger.ensure_log(db, node_name="test-node", key=self.key)
        db.commit()
        self.segments = record(db, self.root, camera.id, start=T0, seconds=6)

    def checkpoint(self, *, now: dt.datetime | None = None) -> None:
        checkpoint = ledger.sign_checkpoint(
            self.db, key=self.key, data_dir=self.settings.data_dir, now=now or utcnow()
        )
        self.db.commit()
        if checkpoint is not None:
            ledger.append_to_log(self.settings.data_dir, checkpoint)

    def path(self, segment: Segment) -> Path:
        return self.root.path / segment.rel_path


@pytest.fixture
def archive(db: Session, settings: Settings, registry: Registry) -> Archive:
    world = Archive(db, settings, registry)
    world.checkpoint()
    return world


def user(registry: Registry, role: Role, name: str) -> None:
    if role in (Role.UNIT_ADMIN,):
        unit = registry.unit(jurisdiction="360102")
        registry.user(role=role, units=(unit.id,), username=name)
    else:
        jurisdiction = "360102" if role is Role.DISTRICT_ADMIN else "360100"
        registry.user(role=role, jurisdiction=jurisdiction, username=name)
    registry.session.commit()


def leftovers(settings: Settings) -> list[Path]:
    """Whatever uploads left in the spool directory (it must always be nothing)."""
    spool = settings.data_dir / ledger_verify_pages.UPLOAD_DIR
    return list(spool.iterdir()) if spool.exists() else []


def head_size(db: Session) -> int:
    db.expire_all()
    return tree.head(db).size


def queued(db: Session) -> int:
    return int(
        db.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.leaf_index.is_(None))) or 0
    )


# --- the catalog ------------------------------------------------------------------------------


def test_every_ledger_message_is_in_both_languages_and_every_template_key_exists() -> None:
    for key, entry in LEDGER_MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        assert CATALOG[key] == entry, f"{key} is not merged into the console catalog"
    used = set()
    for template in (TEMPLATE_DIR / "ledger").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*'([^']+)'""", template.read_text("utf-8")))
    assert "audit.run" in used
    assert "verify.ok" in used
    assert not sorted(k for k in used if k not in CATALOG)
    for kind in Kind:
        assert f"auditkind.{kind}" in CATALOG
        assert f"rule.art20_3_{kind}" in CATALOG


# --- who sees the pages ------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_ledger_pages_render_for_ledger_readers_in_chinese_and_english(
    client: TestClient, registry: Registry, archive: Archive, db: Session, role: Role
) -> None:
    user(registry, role, "reader")
    signed_in(client, "reader")
    home = client.get("/").text
    assert 'href="/ledger"' in home
    assert "完整性账本" in home

    status = client.get("/ledger")
    assert status.status_code == 200, status.text
    assert 'lang="zh-CN"' in status.text
    assert "账本状态" in status.text
    assert "最近签名的检查点" in status.text
    assert f'<td id="tree-size">{head_size(db)}</td>' in status.text
    assert archive.key.public.fingerprint in status.text
    assert 'id="witness-none"' in status.text  # no witness configured: said plainly
    assert "未配置见证节点" in status.text
    assert 'href="/ledger/public-key.pem"' in status.text
    assert status.headers["cache-control"] == "no-store"

    audit = client.get("/ledger/audit")
    assert audit.status_code == 200
    assert "档案审计" in audit.text
    assert "尚无审计记录" in audit.text
    assert 'id="run-audit"' in audit.text  # every ledger reader may run it

    verify = client.get("/ledger/verify")
    assert verify.status_code == 200
    assert "验证证据包" in verify.text
    assert 'enctype="multipart/form-data"' in verify.text
    assert archive.key.public.fingerprint in verify.text  # "use this node's key"

    english = client.get("/ledger?lang=en").text
    assert 'lang="en"' in english
    assert "Last signed checkpoint" in english
    assert "No witness configured" in english
    assert "Archive audit" in client.get("/ledger/audit").text  # the language is remembered
    assert "Verify an evidence package" in client.get("/ledger/verify").text


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_are_refused_every_ledger_page_and_form(
    client: TestClient, registry: Registry, settings: Settings, role: Role
) -> None:
    user(registry, role, "other")
    signed_in(client, "other")
    home = client.get("/")
    assert 'href="/ledger"' not in home.text
    token = csrf_field(home.text)
    for page in PAGES:
        refused = client.get(page)
        assert refused.status_code == 403, page
        assert "无权访问" in refused.text
    assert client.post("/ledger/audit", data={"csrf_token": token}).status_code == 403
    upload = client.post(
        "/ledger/verify",
        data={"csrf_token": token, "use_node_key": "1"},
        files={"package": ("p.zip", b"PK\x03\x04junk", "application/zip")},
    )
    assert upload.status_code == 403
    assert not leftovers(settings)


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for page in (*PAGES, "/ledger/audit/1"):
        response = client.get(page, follow_redirects=False)
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/login?next=%2Fledger")
    for page in ("/ledger/audit", "/ledger/verify"):
        response = client.post(
            page,
            files={"package": ("p.zip", b"PK\x03\x04", "application/zip")},
            follow_redirects=False,
        )
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/login")


def test_the_public_key_downloads_as_pem(
    client: TestClient, registry: Registry, archive: Archive
) -> None:
    user(registry, Role.AUDITOR, "auditor")
    signed_in(client, "auditor")
    response = client.get("/ledger/public-key.pem")
    assert response.status_code == 200
    assert response.content == archive.key.public.pem()
    assert response.headers["content-type"].startswith("application/x-pem-file")
    assert "attachment" in response.headers["content-disposition"]
    assert archive.key.public.key_id[:16] in response.headers["content-disposition"]


# --- the status page --------------------------------------------------------------------------


def test_status_shows_checkpoints_queued_entries_and_a_silent_witness(
    db: Session, settings: Settings, registry: Registry, tmp_path: Path
) -> None:
    world = Archive(db, settings, registry)
    # A checkpoint an hour ago, cosigned by the witness; one 40 minutes ago it never
    # cosigned (silent); and entries recorded since, not yet integrated (queued).
    world.checkpoint(now=utcnow() - dt.timedelta(hours=1))
    witness = SigningKey.load_or_create(tmp_path / "witness", WITNESS_KEY)
    first = ledger.latest(db)
    assert first is not None
    ledger.store_cosignature(
        db,
        checkpoint_row=first,
        cosignature=cosign(
            Checkpoint.parse(first.note), key=witness, name="city-bureau", now=utcnow()
        ),
    )
    db.commit()
    record(db, world.root, world.camera_id, start=T0 + dt.timedelta(seconds=6), seconds=2)
    world.checkpoint(now=utcnow() - dt.timedelta(minutes=40))
    signed = head_size(db)
    record(db, world.root, world.camera_id, start=T0 + dt.timedelta(seconds=8), seconds=4)
    assert queued(db) == 2
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key")
    witness_pem = tmp_path / "witness" / "keys" / f"{WITNESS_KEY}.pub.pem"
    configured = settings.model_copy(update={"witness_public_keys": (witness_pem, broken)})
    user(registry, Role.CITY_ADMIN, "boss")
    with TestClient(create_app(configured)) as client:
        signed_in(client, "boss")
        page = client.get("/ledger").text
        english = client.get("/ledger?lang=en").text
    assert f'<td id="tree-size">{signed}</td>' in page
    assert '<td id="queued">2</td>' in page  # the last two segments are queued
    assert f'<td id="checkpoint-size">{signed}</td>' in page
    assert '<td id="checkpoints-24h">2</td>' in page
    assert world.key.public.fingerprint in page
    assert 'id="witness-none"' not in page
    assert "city-bureau" in page
    assert witness.public.fingerprint in page
    assert "见证节点 city-bureau 已超过 15 分钟未联署新的检查点" in page
    assert re.search(r"联署滞后 (39|40) 分 \d\d 秒", page)
    assert "broken.pem" in page
    assert "无法读取" in page
    assert "has not cosigned a new checkpoint for more than 15 minutes" in english
    # The root: shortened, with the full value on hover and in the page for copying.
    root = re.search(r'<code class="mono break" id="root-full">([0-9a-f]{64})</code>', page)
    assert root is not None
    assert f'title="{root.group(1)}"' in page
    assert f"{root.group(1)[:16]}…{root.group(1)[-8:]}" in page


def test_status_before_any_checkpoint(client: TestClient, registry: Registry) -> None:
    user(registry, Role.CITY_ADMIN, "boss")
    signed_in(client, "boss")
    page = client.get("/ledger").text  # the app's keeper created the log, nothing signed
    assert 'id="checkpoint-none"' in page
    assert '<td id="checkpoints-24h">0</td>' in page


# --- the archive audit -------------------------------------------------------------------------


def test_run_audit_needs_the_csrf_token_then_finds_a_deleted_segment(
    client: TestClient, registry: Registry, archive: Archive, db: Session
) -> None:
    user(registry, Role.AUDITOR, "auditor")
    signed_in(client, "auditor")
    token = csrf_field(client.get("/ledger/audit").text)
    assert client.post("/ledger/audit", data={}).status_code == 403
    assert client.post("/ledger/audit", data={"csrf_token": "x" * 43}).status_code == 403
    assert db.scalar(select(LedgerAuditRun.id)) is None  # nothing ran

    clean = client.post("/ledger/audit", data={"csrf_token": token}, follow_redirects=False)
    assert clean.status_code == 303
    assert re.fullmatch(r"/ledger/audit/\d+", clean.headers["location"])
    page = client.get(clean.headers["location"]).text
    assert 'id="audit-clean"' in page
    assert "本次审计未发现问题" in page
    assert "全部档案" in page
    assert "见证：未配置" in page

    archive.path(archive.segments[1]).unlink()  # the attack
    dirty = client.post("/ledger/audit", data={"csrf_token": token, "camera": ""})
    assert dirty.status_code == 200
    assert "原始录像缺失（删除）" in dirty.text
    assert 'class="finding finding-missing"' in dirty.text
    assert f'<a href="/cameras/{archive.camera_id}">{archive.camera_name}</a>' in dirty.text
    assert "seq: 2" in dirty.text  # the evidence summary
    assert dirty.text.count('<tr class="finding ') == 1
    db.expire_all()
    runs = list(db.scalars(select(LedgerAuditRun).order_by(LedgerAuditRun.id)))
    assert [r.findings_count for r in runs] == [0, 1]
    assert not runs[1].deep
    filed = db.scalars(select(Finding).where(Finding.rule == "art20_3_missing")).one()
    assert filed.subject_type == "camera"
    assert filed.subject_id == archive.camera_id
    # Newest run first in the list; the English page names the kind in English.
    listing = client.get("/ledger/audit?lang=en").text
    assert listing.index(f"/ledger/audit/{runs[1].id}") < listing.index(
        f"/ledger/audit/{runs[0].id}"
    )
    assert "Original footage missing (deleted)" in listing
    # The compliance register shows the filed finding with its label, not a raw key.
    findings = client.get("/findings?lang=zh-CN").text
    assert "原始录像缺失（删除）" in findings
    assert "rule.art20_3" not in findings


def test_audit_of_one_camera_and_bad_camera_input(
    client: TestClient, registry: Registry, archive: Archive, db: Session
) -> None:
    user(registry, Role.DISTRICT_ADMIN, "district")
    signed_in(client, "district")
    token = csrf_field(client.get("/ledger/audit").text)
    for junk in ("abc", "-1", "0", "1.5", "99999999999", "<script>"):
        refused = client.post("/ledger/audit", data={"csrf_token": token, "camera": junk})
        assert refused.status_code == 422, junk
        assert 'id="audit-error"' in refused.text
        assert "<script>" not in refused.text
    assert client.post(
        "/ledger/audit", data={"csrf_token": token, "camera": "x" * 300}
    ).status_code in (400, 422)
    assert db.scalar(select(LedgerAuditRun.id)) is None
    one = client.post(
        "/ledger/audit", data={"csrf_token": token, "camera": f" {archive.camera_id} "}
    )
    assert one.status_code == 200
    assert f"摄像机 #{archive.camera_id}" in one.text
    assert "本次审计未发现问题" in one.text


def test_audit_run_pages_for_unknown_and_malformed_runs(
    client: TestClient, registry: Registry, archive: Archive, db: Session
) -> None:
    user(registry, Role.CITY_ADMIN, "boss")
    signed_in(client, "boss")
    assert client.get("/ledger/audit/999999").status_code == 404
    assert client.get("/ledger/audit/abc").status_code in (400, 422)
    assert client.get("/ledger/audit/0").status_code in (400, 422)
    assert client.get("/ledger/audit?fpage=-1").status_code == 400
    # A report edited in the database (the table is reachable by a DBA): shown, escaped.
    odd = LedgerAuditRun(
        segments_checked=1,
        findings_count=2,
        report={
            "counts": {"missing": 1, "<b>made-up</b>": 1, "x": "y"},
            "findings": [
                {"kind": "missing", "camera_id": "7", "detail": "<script>x</script>"},
                {"kind": "<b>made-up</b>", "camera_id": 10**12, "evidence": [1, 2]},
                "not a finding",
            ],
        },
    )
    listed = LedgerAuditRun(segments_checked=0, findings_count=0, report=[1, 2, 3])
    db.add_all([odd, listed])
    db.commit()
    page = client.get(f"/ledger/audit/{odd.id}")
    assert page.status_code == 200
    assert "<script>x</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "<b>made-up</b>" not in page.text
    assert page.text.count('<tr class="finding ') == 2
    broken = client.get(f"/ledger/audit/{listed.id}")
    assert broken.status_code == 200
    assert "该审计记录的内容无法读取" in broken.text


def test_findings_of_a_big_run_are_paged(
    client: TestClient, registry: Registry, archive: Archive, db: Session
) -> None:
    from psvis.ledger.audit import AuditFinding, AuditReport

    report = AuditReport(deep=False, camera_id=None, since=None, started_at=utcnow())
    for seq in range(450):
        report.add(AuditFinding(Kind.MISSING, archive.camera_id, f"seq {seq}", {"seq": seq}))
    report.finished_at = utcnow()
    run = save_run(db, report)
    db.commit()
    user(registry, Role.AUDITOR, "auditor")
    signed_in(client, "auditor")
    first = client.get(f"/ledger/audit/{run.id}").text
    assert first.count('<tr class="finding ') == 200
    assert "共 450 条，当前第 1–200 条" in first
    last = client.get(f"/ledger/audit/{run.id}?fpage=2").text
    assert last.count('<tr class="finding ') == 50
    assert "共 450 条，当前第 401–450 条" in last


# --- verifying packages ------------------------------------------------------------------------


@pytest.fixture
def package(archive: Archive, db: Session, settings: Settings, tmp_path: Path) -> Path:
    out = tmp_path / "evidence.zip"
    build_package(
        db,
        settings=settings,
        camera_id=archive.camera_id,
        start=T0 + dt.timedelta(seconds=1),
        end=T0 + dt.timedelta(seconds=5),
        out=out,
        key=archive.key,
    )
    return out


def verify(
    client: TestClient,
    token: str,
    package: tuple[str, bytes] | None,
    *,
    use_node_key: bool = True,
    key: bytes | None = None,
    witness: bytes | None = None,
) -> tuple[int, str]:
    data = {"csrf_token": token} | ({"use_node_key": "1"} if use_node_key else {})
    files: dict[str, tuple[str, bytes, str]] = {}
    if package is not None:
        files["package"] = (package[0], package[1], "application/zip")
    if key is not None:
        files["public_key"] = ("key.pem", key, "application/x-pem-file")
    if witness is not None:
        files["witness_key"] = ("witness.pem", witness, "application/x-pem-file")
    response = client.post("/ledger/verify", data=data, files=files or None)
    return response.status_code, response.text


def checks(html: str) -> dict[str, bool]:
    return {
        name: ok == "ok"
        for ok, name in re.findall(
            r'<tr class="check check-(ok|bad)" data-check="([a-z-]+)">', html
        )
    }


def test_verify_a_good_package_then_tampered_ones(
    client: TestClient,
    registry: Registry,
    package: Path,
    archive: Archive,
    settings: Settings,
    tmp_path: Path,
) -> None:
    user(registry, Role.AUDITOR, "auditor")
    signed_in(client, "auditor")
    token = csrf_field(client.get("/ledger/verify").text)
    data = package.read_bytes()

    status, page = verify(client, token, ("evidence.zip", data))
    assert status == 200, page
    assert 'id="verify-verdict" data-ok="1"' in page
    assert "验证通过" in page
    assert checks(page)
    assert all(checks(page).values())
    assert checks(page)["segment-proofs"]
    assert checks(page)["manifest-signature"]
    assert "包含证明" in page
    assert "✓" in page
    assert archive.key.public.fingerprint in page
    assert archive.camera_name in page
    start = (T0 + dt.timedelta(seconds=1)).astimezone(CHINA_TZ)
    assert f'id="verify-range">{start:%Y-%m-%d %H:%M:%S} – ' in page

    # The same with the key uploaded instead of this node's, in English.
    status, page = verify(
        client, token, ("evidence.zip", data), use_node_key=False, key=archive.key.public.pem()
    )
    assert status == 200
    assert 'data-ok="1"' in page

    # One byte of a segment flipped: the verdict fails and the failing check says where.
    tampered = bytearray(data)
    tampered[len(tampered) // 3] ^= 0x01
    status, page = verify(client, token, ("evidence.zip", bytes(tampered)))
    assert status == 200
    assert 'id="verify-verdict" data-ok="0"' in page
    assert "验证未通过" in page
    assert not all(checks(page).values())
    assert "✗" in page

    # Another node's key: the signature does not hold.
    stranger = SigningKey.load_or_create(tmp_path / "stranger")
    status, page = verify(
        client, token, ("evidence.zip", data), use_node_key=False, key=stranger.public.pem()
    )
    assert 'data-ok="0"' in page
    assert checks(page)["manifest-signature"] is False

    # A witness key given that did not cosign: the cosignature check says so.
    witness = SigningKey.load_or_create(tmp_path / "witness", WITNESS_KEY)
    status, page = verify(client, token, ("evidence.zip", data), witness=witness.public.pem())
    assert checks(page)["cosignatures"] is False
    english = client.get("/ledger/verify?lang=en")
    assert english.status_code == 200
    status, page = verify(client, token, ("evidence.zip", data))
    assert "Verified: the package is whole" in page
    assert "Inclusion proofs" in page
    assert not leftovers(settings)  # every upload's temp files are gone


def multipart(parts: Sequence[tuple[str, str | None, bytes]], boundary: str = "b0undary") -> bytes:
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += (
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode()


MULTIPART = {"content-type": "multipart/form-data; boundary=b0undary"}


def test_verify_refuses_junk_uploads_with_a_clear_message(
    client: TestClient,
    registry: Registry,
    archive: Archive,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user(registry, Role.CITY_ADMIN, "boss")
    signed_in(client, "boss")
    token = csrf_field(client.get("/ledger/verify").text)
    # What a crashed upload left two days ago is swept; a running upload's is not.
    spool = settings.data_dir / ledger_verify_pages.UPLOAD_DIR
    (spool / "verify-crashed").mkdir(parents=True)
    (spool / "verify-crashed" / "upload-x").write_bytes(b"half a package")
    two_days_ago = time.time() - 2 * 86400
    os.utime(spool / "verify-crashed", (two_days_ago, two_days_ago))
    (spool / "verify-running").mkdir()
    zip_like = b"PK\x05\x06" + b"\x00" * 18  # an empty zip: readable, not a package
    cases: list[tuple[dict[str, object], int, str]] = [
        ({"package": ("a.zip", b"this is not a zip")}, 422, "不是 ZIP 证据包"),
        ({"package": ("a.zip", b"")}, 422, "请选择要验证的证据包"),
        ({"package": ("a.zip", zip_like), "key": b"-----BEGIN nonsense"}, 422, "二选一"),
        ({"package": ("a.zip", zip_like), "key": b"garbage", "node": False}, 422, "不是 Ed25519"),
        ({"package": ("a.zip", zip_like), "node": False}, 422, "请上传出具节点的公钥"),
        ({"package": ("a.zip", zip_like), "witness": b"\x00\xff" * 10}, 422, "见证节点公钥不是"),
        ({"package": ("a.zip", zip_like), "key": b"x" * 20_000, "node": False}, 413, "超过上限"),
    ]
    for case, code, message in cases:
        package = case.get("package")
        status, page = verify(
            client,
            token,
            package,  # type: ignore[arg-type]
            use_node_key=bool(case.get("node", True)),
            key=case.get("key"),  # type: ignore[arg-type]
            witness=case.get("witness"),  # type: ignore[arg-type]
        )
        assert status == code, (case, page[-2000:])
        assert 'id="verify-error"' in page, case
        assert message in page, case
        assert "Traceback" not in page

    # The empty zip reaches the verifier: its checks fail, readably.
    status, page = verify(client, token, ("a.zip", zip_like))
    assert status == 200
    assert 'data-ok="0"' in page

    # No package part at all; not multipart; a truncated body; an unexpected file; too many
    # parts.
    bare = multipart([("csrf_token", None, token.encode()), ("use_node_key", None, b"1")])
    nothing = client.post("/ledger/verify", content=bare, headers=MULTIPART)
    assert nothing.status_code == 422
    assert "请选择要验证的证据包" in nothing.text
    urlencoded = client.post("/ledger/verify", data={"csrf_token": token})
    assert urlencoded.status_code == 400
    assert "上传的表单无效" in urlencoded.text
    good = multipart([("csrf_token", None, token.encode()), ("package", "a.zip", b"PK\x03\x04")])
    cut = client.post("/ledger/verify", content=good[:-30], headers=MULTIPART)
    assert cut.status_code == 400
    assert "上传的表单无效" in cut.text
    odd = multipart([("csrf_token", None, token.encode()), ("other", "x.bin", b"data")])
    assert client.post("/ledger/verify", content=odd, headers=MULTIPART).status_code == 400
    many = multipart(
        [("csrf_token", None, token.encode())] + [(f"f{i}", None, b"v") for i in range(20)]
    )
    assert client.post("/ledger/verify", content=many, headers=MULTIPART).status_code == 400
    no_boundary = client.post(
        "/ledger/verify", content=b"x", headers={"content-type": "multipart/form-data"}
    )
    assert no_boundary.status_code == 400

    # CSRF: missing, wrong, or sent only after the file (the file is refused unread).
    assert verify(client, "", ("a.zip", zip_like))[0] == 403
    assert verify(client, "y" * 43, ("a.zip", zip_like))[0] == 403
    late = multipart([("package", "a.zip", zip_like), ("csrf_token", None, token.encode())])
    assert client.post("/ledger/verify", content=late, headers=MULTIPART).status_code == 403

    # Bigger than the limit: refused from the declared length, and while streaming when
    # no length is declared (chunked).
    monkeypatch.setattr(ledger_verify_pages, "MAX_PACKAGE_BYTES", 1000)
    status, page = verify(client, token, ("big.zip", b"PK\x03\x04" + b"\x00" * 5000))
    assert status == 413
    assert "超过上限 1000 B" in page
    big = multipart(
        [("csrf_token", None, token.encode()), ("package", "big.zip", b"PK" + b"\x00" * 500_000)]
    )

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    streamed = client.post("/ledger/verify", content=chunks(), headers=MULTIPART)
    assert streamed.status_code == 413
    declared = client.post("/ledger/verify", content=big, headers=MULTIPART)
    assert declared.status_code == 413  # refused from Content-Length, before reading
    assert leftovers(settings) == [spool / "verify-running"]  # nothing else left behind
