"""``psvis demo``: a ready-to-explore installation with synthetic Nanchang data.

:func:`run_demo` initialises the data directory, seeds the registry when it is empty,
gives every role a demo login (the same password for all, printed on the console),
runs the compliance check and serves the API and console. Running it again keeps the
data and resets the demo logins to this run's password, so the printed password always
works.

Custody (Art. 18-19) is walkable end to end: the police logins that can be a session's
second officer get a fresh one-time-code secret each run (demo only, printed in the
banner; ``psvis demo-totp USERNAME`` prints the current code, see
:mod:`psvis.demo.custody`), and a sample approval document is written for the chief to
upload.
"""

from __future__ import annotations

import re
import secrets
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.models import User, UserUnit
from psvis.auth.passwords import hash_password
from psvis.auth.policy import Role
from psvis.cli.context import initialise, open_context
from psvis.compliance import service as compliance_service
from psvis.compliance.models import Finding
from psvis.core.config import Settings
from psvis.core.errors import PsvisError
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from psvis.demo import custody as demo_custody
from psvis.demo import names
from psvis.demo.seed import SeedSummary, seed
from psvis.registry.models import Jurisdiction, System, Unit

CITY, DONGHU = "360100", "360102"
#: Department of the other-department demo login (Art. 18: other departments follow
#: their own laws).
OTHER_DEPARTMENT = "市场监督管理局"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """One demo account. ``unit`` names a seeded unit for unit roles."""

    username: str
    role: Role
    display_name: str
    jurisdiction: str | None = None
    unit: str | None = None
    work_id: str = ""
    department: str = ""
    #: Gets a one-time-code secret (a police officer who can be a session's second
    #: officer, Art. 19); demo only.
    totp: bool = False


DEMO_LOGINS = (
    DemoLogin("city_admin", Role.CITY_ADMIN, "市局系统管理员", CITY),
    DemoLogin("donghu_admin", Role.DISTRICT_ADMIN, "东湖分局系统管理员", DONGHU),
    DemoLogin(
        "donghu_officer", Role.OFFICER, "东湖分局民警 李明", DONGHU, work_id="036102", totp=True
    ),
    # The second officer of a two-officer session (Art. 19: at least two officers).
    DemoLogin(
        "donghu_officer2", Role.OFFICER, "东湖分局民警 张伟", DONGHU, work_id="036103", totp=True
    ),
    DemoLogin(
        "donghu_chief", Role.CHIEF, "东湖分局局长 王建国", DONGHU, work_id="036001", totp=True
    ),
    DemoLogin("city_chief", Role.CHIEF, "市局分管副局长 陈志强", CITY, work_id="030001", totp=True),
    DemoLogin("auditor", Role.AUDITOR, "市局督察审计 周敏", CITY),
    DemoLogin("unit_admin", Role.UNIT_ADMIN, "江西银行安保部主管", unit=names.DEMO_UNIT),
    DemoLogin("unit_operator", Role.UNIT_OPERATOR, "江西银行监控值班员", unit=names.DEMO_UNIT),
    DemoLogin("maintainer", Role.MAINTAINER, "赣安安防运维工程师", unit=names.DEMO_MAINTAINER),
    DemoLogin(
        "market_supervision",
        Role.OTHER_DEPT,
        "市场监管局执法人员",
        CITY,
        department=OTHER_DEPARTMENT,
    ),
)


@dataclass(frozen=True, slots=True)
class LoginRow:
    username: str
    role: Role
    jurisdiction: str
    scope: str


@dataclass(frozen=True, slots=True)
class TotpRow:
    """A demo login's one-time-code secret (demo only)."""

    username: str
    work_id: str
    display_name: str
    secret: str


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What :func:`run_demo` did, for the banner and for tests."""

    url: str
    password: str
    password_from_settings: bool
    seeded: SeedSummary | None
    logins: tuple[LoginRow, ...]
    findings: tuple[tuple[str, str, int], ...]  # (article, rule, open count)
    totp: tuple[TotpRow, ...] = ()
    sample_scan: Path | None = None


def run_demo(settings: Settings, *, serve: bool = True, out: TextIO | None = None) -> DemoResult:
    """Initialise, seed an empty registry, refresh the demo logins, run the compliance
    check, print the banner, then serve on ``settings.host:settings.port`` unless
    ``serve`` is false."""
    initialise(settings)
    from_settings = settings.demo_password is not None
    password = (
        settings.demo_password.get_secret_value()
        if settings.demo_password is not None
        else secrets.token_urlsafe(12)
    )
    with open_context(settings) as ctx, ctx.session() as session:
        summary = None
        if not session.scalar(select(func.count()).select_from(Unit)):
            summary = seed(session, box=ctx.box)
            session.flush()
        logins = tuple(_refresh_login(session, login, password) for login in DEMO_LOGINS)
        secrets_ = _refresh_totp(session, ctx.box)
        compliance_service.run_check(session)
        findings = _open_findings(session)
    result = DemoResult(
        url=f"http://127.0.0.1:{settings.port}/",
        password=password,
        password_from_settings=from_settings,
        seeded=summary,
        logins=logins,
        findings=findings,
        totp=secrets_,
        sample_scan=demo_custody.write_sample_scan(settings.data_dir),
    )
    demo_custody.mark_demo(settings.data_dir)
    print_banner(result, settings, out=out or sys.stdout)
    if serve:
        import uvicorn

        from psvis.api.app import create_app
        from psvis.demo.video import (
            DEMO_FAULT,
            DEMO_SEGMENT_SECONDS,
            DEMO_VQD_CADENCE_SECONDS,
            start_demo_video,
        )
        from psvis.demo.witness import node_settings_with_witness, start_demo_witness

        # The console states the live delay from the segment length the demo records with.
        settings = settings.model_copy(
            update={
                "segment_seconds": DEMO_SEGMENT_SECONDS,
                "vqd_cadence_seconds": DEMO_VQD_CADENCE_SECONDS,
            }
        )
        witness_port = settings.port + 1
        settings = node_settings_with_witness(settings, witness_port=witness_port)

        with open_context(settings) as ctx:
            video = start_demo_video(settings, sessions=ctx.sessions, box=ctx.box)
            print(
                f"  Recording {len(video.camera_ids)} simulated cameras (ids "
                f"{', '.join(map(str, video.camera_ids))}): {result.url}cameras/"
                f"{video.camera_ids[0]}",
                file=out or sys.stdout,
            )
            faulty = video.fault_after_baseline(ctx.sessions)
            if faulty is not None:
                print(
                    f"  Health: camera {faulty} is given the fault '{DEMO_FAULT.value}' once its "
                    f"baseline is captured; a ticket and a finding follow within two diagnosis "
                    f"cycles ({DEMO_VQD_CADENCE_SECONDS} s each): {result.url}health",
                    file=out or sys.stdout,
                )
            # uvicorn re-raises SIGTERM/SIGINT after its own shutdown; turning them into
            # SystemExit lets the recorders close their segments and record the stop.
            witness = start_demo_witness(settings, witness_port=witness_port)
            print(
                f"  A witness (city bureau) cosigns this node's ledger: {result.url}ledger "
                f"(its view: {witness.url}/witness/latest)",
                file=out or sys.stdout,
            )
            signal.signal(signal.SIGTERM, _exit_on_signal)
            try:
                uvicorn.run(
                    create_app(settings), host=settings.host, port=settings.port, log_level="info"
                )
            except KeyboardInterrupt:
                pass
            finally:
                video.stop()
                witness.stop()
    return result


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _demo_unit(session: Session, name: str, *, maintainer: bool) -> Unit:
    """The named seeded unit; otherwise (data not from the seeder) the unit with the most
    systems it uses or maintains, so the demo login still sees something."""
    unit = session.scalar(select(Unit).where(Unit.name == name).order_by(Unit.id))
    if unit is not None:
        return unit
    column = System.maintainer_unit_id if maintainer else System.user_unit_id
    busiest = session.scalar(
        select(column).group_by(column).order_by(func.count().desc(), column).limit(1)
    )
    unit = session.get(Unit, busiest) if busiest is not None else None
    if unit is None:
        raise PsvisError(f"the demo needs a unit for {name}; the registry has none")
    return unit


def _refresh_login(session: Session, login: DemoLogin, password: str) -> LoginRow:
    """Create the demo user, or reset an existing one to its demo role and ``password``
    (and unlock it), so the printed password always works."""
    unit_ids: tuple[int, ...] = ()
    jurisdiction = login.jurisdiction
    scope = ""
    if login.unit is not None:
        unit = _demo_unit(session, login.unit, maintainer=login.role is Role.MAINTAINER)
        unit_ids, jurisdiction, scope = (unit.id,), unit.jurisdiction_code, unit.name
    elif login.department:
        scope = login.department
    user = session.scalar(select(User).where(User.username == login.username))
    if user is None:
        auth_service.create_user(
            session,
            username=login.username,
            password=password,
            role=login.role,
            jurisdiction_code=jurisdiction,
            unit_ids=unit_ids,
            display_name=login.display_name,
            work_id=login.work_id,
            department=login.department,
        )
    else:
        user.password_hash = hash_password(password)
        user.role = login.role
        user.jurisdiction_code = jurisdiction
        user.display_name = login.display_name
        user.work_id = login.work_id
        user.department = login.department
        user.active = True
        user.failed_logins = 0
        user.locked_until = None
        session.execute(delete(UserUnit).where(UserUnit.user_id == user.id))
        session.add_all(UserUnit(user_id=user.id, unit_id=u) for u in unit_ids)
        session.flush()
    place = session.get(Jurisdiction, jurisdiction) if jurisdiction else None
    where = f"{jurisdiction} {place.name}" if place is not None else "-"
    return LoginRow(login.username, login.role, where, scope)


def _refresh_totp(session: Session, box: SecretBox) -> tuple[TotpRow, ...]:
    """This run's one-time-code secrets of the demo's police logins (demo only)."""
    now = utcnow()
    rows = []
    for login in DEMO_LOGINS:
        if not login.totp:
            continue
        user = session.scalar(select(User).where(User.username == login.username))
        assert user is not None  # refreshed just before
        secret = demo_custody.reset_totp(session, box=box, user=user, now=now)
        rows.append(TotpRow(login.username, login.work_id, login.display_name, secret))
    return tuple(rows)


def _article_key(article: str) -> tuple[int, ...]:
    """Art. 8(2) before Art. 8(10): sort by the numbers in the citation."""
    return tuple(int(n) for n in re.findall(r"\d+", article))


def _open_findings(session: Session) -> tuple[tuple[str, str, int], ...]:
    rows = session.execute(
        select(Finding.article, Finding.rule, func.count())
        .where(Finding.status == "open")
        .group_by(Finding.article, Finding.rule)
    )
    counted = [(str(a), str(r), int(n)) for a, r, n in rows]
    return tuple(sorted(counted, key=lambda row: (_article_key(row[0]), row[1])))


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Rows padded to aligned columns (East Asian wide characters count double)."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def _custody_lines(result: DemoResult) -> list[str]:
    """How to walk a retrieval request through the console, with the one-time codes."""
    if not result.totp:
        return []
    lines = [
        "",
        "  Custody walk-through (Art. 18-19), in the console's 调取审批 pages:",
        "    1. donghu_officer files a request (调取申请) for a demo camera's recorded footage;",
        "    2. donghu_chief approves it, uploading an approval scan"
        + (f" (sample: {result.sample_scan})" if result.sample_scan else "")
        + ";",
        "    3. donghu_officer opens the two-officer session (双人调阅): donghu_officer2 types",
        "       their password and current one-time code; then play back and copy on the",
        "       camera page; 4. the registration book (调取登记簿) lists it, also as PDF.",
        "  One-time codes — DEMO ONLY: real officers enrol their own authenticator on",
        "  我的动态口令 and no secret is ever shown. Current code:",
        "    .venv/bin/psvis demo-totp donghu_officer2",
        "  or add a secret to an authenticator app (TOTP, SHA-1, 6 digits, 30 s):",
    ]
    header = ("username", "work id", "name", "TOTP secret (demo only)")
    body = [(r.username, r.work_id, r.display_name, r.secret) for r in result.totp]
    lines += _table([header, *body], indent="    ")
    return lines


def print_banner(result: DemoResult, settings: Settings, *, out: TextIO) -> None:
    """The console banner: where to go, who to sign in as, what the check found."""
    rule = "=" * 78
    lines = [
        rule,
        "  psvis demo — 南昌市公共安全视频图像信息系统（合成数据 / synthetic data）",
        rule,
        f"  Open:      {result.url}",
        f"  API docs:  {result.url}api/v1/docs",
        f"  Data:      {settings.data_dir.resolve()}  ({settings.describe()['database_url']})",
    ]
    if result.seeded is not None:
        s = result.seeded
        lines.append(
            f"  Seeded:    {s.units} units, {s.sites} sites, {s.systems} systems, "
            f"{s.cameras} cameras in {s.seconds:.1f} s"
        )
    else:
        lines.append("  Seeded:    registry already had data; kept as it is")
    origin = (
        "from PSVIS_DEMO_PASSWORD"
        if result.password_from_settings
        else "generated for this run; set PSVIS_DEMO_PASSWORD to choose one"
    )
    lines += ["", f"  Demo logins (password {origin}):"]
    header = ("username", "role", "jurisdiction", "unit / department", "password")
    body = [
        (row.username, row.role.value, row.jurisdiction, row.scope or "-", result.password)
        for row in result.logins
    ]
    lines += _table([header, *body], indent="    ")
    lines += _custody_lines(result)
    total = sum(n for _, _, n in result.findings)
    lines += ["", f"  Open compliance findings: {total}"]
    if result.findings:
        lines += _table([(a, r, str(n)) for a, r, n in result.findings], indent="    ")
    lines.append(rule)
    out.write("\n".join(lines) + "\n")
    out.flush()
