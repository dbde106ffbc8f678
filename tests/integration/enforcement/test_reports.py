"""Monthly reports (Art. 21) on both backends: every figure equals a direct count over
the same rows (filtered in Python, or health's own roll-up for uptime), rows of
another month or another district stay out; the XLSX and PDF carry those numbers and
charts; the schedule stores last month's reports once, on the ledger, and a stored file
altered on disk is no longer served; the API refuses malformed and out-of-scope input
without a 5xx."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.models import User
from psvis.auth.policy import Role
from psvis.auth.principal import Principal
from psvis.compliance import service as compliance
from psvis.compliance.models import Finding
from psvis.core.config import Settings
from psvis.core.errors import Conflict, NotFound, Refused
from psvis.custody.enums import DepartmentKind, RequestState
from psvis.custody.models import Approval, RequestScope, RetrievalRequest
from psvis.enforcement import report_rules, reports, service
from psvis.enforcement.models import EnforcementCase, PenaltyDecision
from psvis.enforcement.report_models import MonthlyReport
from psvis.enforcement.report_schemas import ReportFigures
from psvis.enforcement.schemas import CaseCreate, DecisionCreate, OrderCreate, RecheckCreate
from psvis.health import liveness
from psvis.health.enums import TicketCause, TicketState
from psvis.health.models import HealthDiagnosis, Ticket, UptimeDay
from psvis.registry.enums import SiteCategory
from psvis.registry.models import Camera, Site, System
from tests.support.enforcement import acts, china_noon, pdf_text, signage_world
from tests.support.factories import Registry
from tests.support.http import bearer

MARCH = dt.date(2026, 3, 1)
START, END = report_rules.month_window(MARCH)
BEFORE = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
API = "/api/v1/enforcement/reports"


def who(db: Session, user: User) -> Principal:
    return auth_service.principal_for(db, user=user)


@dataclass
class World:
    officer: User
    chief: User
    away: User
    camera: Camera
    away_camera: Camera


def at(day: int, hour: int = 4, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


def ticket(
    camera: Camera,
    system: System,
    cause: TicketCause,
    opened: dt.datetime,
    due: dt.datetime,
    verified: dt.datetime | None = None,
) -> Ticket:
    return Ticket(
        camera_id=camera.id,
        system_id=system.id,
        jurisdiction_code=camera.jurisdiction_code,
        user_unit_id=system.user_unit_id,
        maintainer_unit_id=system.maintainer_unit_id,
        cause=cause,
        state=TicketState.CLOSED if verified else TicketState.ACKNOWLEDGED,
        fault_since=opened,
        opened_at=opened,
        acknowledged_at=opened,
        due_at=due,
        verified_at=verified,
        overdue=True,
    )


def request(db: Session, camera: Camera, serial: int, created: dt.datetime) -> RetrievalRequest:
    row = RetrievalRequest(
        number=f"R-{serial}",
        bureau_code="360102",
        year=2026,
        serial=serial,
        requester_id=1,
        department_kind=DepartmentKind.POLICE,
        department_name="东湖分局",
        case_number="A1",
        purpose="查案",
        actions=["view"],
        valid_from=created,
        valid_until=created + dt.timedelta(days=3),
        state=RequestState.REQUESTED,
        created_at=created,
    )
    db.add(row)
    db.flush()
    db.add(
        RequestScope(
            request_id=row.id,
            camera_id=camera.id,
            jurisdiction_code=camera.jurisdiction_code,
            start_at=created - dt.timedelta(hours=2),
            end_at=created - dt.timedelta(hours=1),
        )
    )
    return row


def world(registry: Registry, db: Session) -> World:
    """March data in 东湖区 (360102), and rows that must stay out: February, April,
    西湖区 (360103)."""
    w = signage_world(registry)
    # (Each world runs the compliance check: both before the findings are dated below.)
    away = signage_world(registry, jurisdiction="360103", officer="away_o", chief="away_c")
    # Art. 8 sites: one covered (the signage world's) and two uncovered ART8_5 ones at home,
    # one uncovered away; one uncovered home site registered in April (not in March).
    for category, jurisdiction in (
        (SiteCategory.ART8_5, "360102"),
        (SiteCategory.ART8_5, "360102"),
        (SiteCategory.ART8_5, "360103"),
        (SiteCategory.ART8_7, "360102"),
    ):
        registry.site(unit=registry.unit(jurisdiction=jurisdiction), category=category)
    _, _, away_system, away_camera = registry.covered_site(jurisdiction="360103")
    compliance.run_check(db)
    db.execute(update(Site).values(created_at=BEFORE))
    db.execute(update(Finding).values(first_seen=BEFORE))
    late = db.scalars(select(Site).where(Site.category == SiteCategory.ART8_7)).one()
    late.created_at = at(2, month=4)
    # One home ART8_5 site's finding resolved in the middle of March: covered at the end.
    first_uncovered = db.scalars(
        select(Finding)
        .join(Site, Site.id == Finding.subject_id)
        .where(
            Finding.rule == "art8_mandatory_site_uncovered",
            Site.jurisdiction_code == "360102",
            Site.category == SiteCategory.ART8_5,
        )
        .order_by(Finding.id)
    ).first()
    assert first_uncovered is not None
    first_uncovered.status, first_uncovered.resolved_at = "resolved", at(15)

    camera = db.scalars(select(Camera).where(Camera.jurisdiction_code == "360102")).first()
    assert camera is not None
    system = db.get(System, camera.system_id)
    assert system is not None
    for day, recorded, window, cam in (
        (dt.date(2026, 3, 1), 80_000_000, 86_400_000, camera),
        (dt.date(2026, 3, 31), 43_200_000, 86_400_000, camera),
        (dt.date(2026, 2, 28), 0, 86_400_000, camera),  # February: out
        (dt.date(2026, 4, 1), 0, 86_400_000, camera),  # April: out
        (dt.date(2026, 3, 10), 0, 86_400_000, away_camera),  # 西湖区: out
    ):
        db.add(
            UptimeDay(
                camera_id=cam.id,
                day=day,
                recorded_ms=recorded,
                window_ms=window,
                outage_ms=window - recorded,
                computed_at=at(1),
            )
        )
    db.add_all(
        [
            ticket(camera, system, TicketCause.BLUR, at(5), at(6)),  # overdue, live at end
            ticket(camera, system, TicketCause.SCENE_SHIFT, at(10), at(11), verified=at(20)),
            ticket(camera, system, TicketCause.OUTAGE, at(31, 10), at(1, 10, month=4)),
            ticket(
                camera, system, TicketCause.NOISE, at(20, month=2), at(21, month=2), at(2, month=4)
            ),
            ticket(away_camera, away_system, TicketCause.BLUR, at(5), at(6)),
        ]
    )
    for moment, classes, cam in (
        (at(3), ["blur", "noise"], camera),
        (at(4), ["blur"], camera),
        (at(2, month=4), ["frozen"], camera),  # April: out
        (at(3), ["frozen"], away_camera),  # 西湖区: out
    ):
        db.add(
            HealthDiagnosis(
                camera_id=cam.id,
                diagnosed_at=moment,
                good=False,
                fault_classes=classes,
                faults=[],
                metrics={},
                frame_count=3,
                reference="day",
            )
        )
    first = request(db, camera, 1, at(2))
    second = request(db, camera, 2, at(3))
    request(db, camera, 3, at(2, month=4))  # April: out
    request(db, away_camera, 4, at(2))  # 西湖区: out
    db.add(
        Approval(
            request_id=first.id,
            chief_id=w.chief.id,
            approved=True,
            decided_at=at(3),
            document_number="审批001",
            scan_sha256="0" * 64,
            scan_size_bytes=10,
            scan_media_type="application/pdf",
        )
    )
    db.add(
        Approval(
            request_id=second.id,
            chief_id=w.chief.id,
            approved=False,
            decided_at=at(4),
            reason="理由不足",
        )
    )
    db.commit()

    # A case through order → failed re-check → 800 yuan, all in March.
    officer, chief = who(db, w.officer), who(db, w.chief)
    case = service.open_case(
        db,
        principal=officer,
        data=CaseCreate(finding_id=w.finding.id, facts="未设置明显标识"),
        now=china_noon(dt.date(2026, 3, 2)),
    )
    service.issue_order(
        db,
        principal=officer,
        case_id=case.id,
        data=OrderCreate(deadline=dt.date(2026, 3, 16), requirement="设置标识"),
        now=china_noon(dt.date(2026, 3, 2)),
    )
    service.record_recheck(
        db,
        principal=officer,
        case_id=case.id,
        data=RecheckCreate(corrected=False, notes="仍未设置"),
        now=china_noon(dt.date(2026, 3, 17)),
    )
    service.decide(
        db,
        principal=chief,
        case_id=case.id,
        data=DecisionCreate(fine_yuan=800, reasons="逾期未改正"),
        now=china_noon(dt.date(2026, 3, 17)),
    )
    service.open_case(
        db,
        principal=who(db, away.officer),
        data=CaseCreate(finding_id=away.finding.id, facts="西湖区的案件"),
        now=china_noon(dt.date(2026, 3, 3)),
    )
    db.commit()
    return World(
        officer=w.officer, chief=w.chief, away=away.officer, camera=camera, away_camera=away_camera
    )


def direct(db: Session, codes: frozenset[str]) -> dict[str, object]:
    """The same figures counted the plain way: every row loaded, filtered in Python."""

    def inside(moment: dt.datetime | None) -> bool:
        return moment is not None and START <= moment < END

    sites = [
        s for s in db.scalars(select(Site)) if s.jurisdiction_code in codes and s.created_at < END
    ]
    findings = [
        f
        for f in db.scalars(select(Finding).where(Finding.rule == "art8_mandatory_site_uncovered"))
        if f.first_seen < END and (f.resolved_at is None or f.resolved_at >= END)
    ]
    uncovered_ids = {f.subject_id for f in findings}
    cameras = {c.id for c in db.scalars(select(Camera)) if c.jurisdiction_code in codes}
    tickets = [t for t in db.scalars(select(Ticket)) if t.jurisdiction_code in codes]
    diagnoses = [d for d in db.scalars(select(HealthDiagnosis)) if d.camera_id in cameras]
    touching = {
        s.request_id for s in db.scalars(select(RequestScope)) if s.jurisdiction_code in codes
    }
    cases = [c for c in db.scalars(select(EnforcementCase)) if c.jurisdiction_code in codes]
    decisions = [
        d for d in db.scalars(select(PenaltyDecision)) if d.case_id in {c.id for c in cases}
    ]
    return {
        "sites": {
            cat: sum(1 for s in sites if s.category == cat)
            for cat in ("art8_4", "art8_5", "art8_7")
        },
        "uncovered": {
            cat: sum(1 for s in sites if s.category == cat and s.id in uncovered_ids)
            for cat in ("art8_4", "art8_5", "art8_7")
        },
        "opened": {
            cause: sum(1 for t in tickets if t.cause == cause and inside(t.opened_at))
            for cause in ("blur", "scene_shift", "outage", "noise")
        },
        "diagnosed": {
            name: len(
                {
                    d.camera_id
                    for d in diagnoses
                    if name in d.fault_classes and inside(d.diagnosed_at)
                }
            )
            for name in ("blur", "noise", "frozen")
        },
        "requests": sum(
            1
            for r in db.scalars(select(RetrievalRequest))
            if r.id in touching and inside(r.created_at)
        ),
        "approvals": sorted(
            a.approved
            for a in db.scalars(select(Approval))
            if a.request_id in touching and inside(a.decided_at)
        ),
        "cases_opened": sum(1 for c in cases if inside(c.opened_at)),
        "fines": sum(d.fine_yuan + d.manager_fine_yuan for d in decisions if inside(d.decided_at)),
        "overdue_in_month": sum(1 for t in tickets if t.overdue and inside(t.due_at)),
        "overdue_at_end": sum(
            1
            for t in tickets
            if t.overdue and t.due_at < END and (t.verified_at is None or t.verified_at >= END)
        ),
    }


def test_figures_equal_direct_counts(registry: Registry, db: Session, settings: Settings) -> None:
    w = world(registry, db)
    chief = who(db, w.chief)
    figures = reports.monthly(db, principal=chief, code="360102", month=MARCH, now=at(10, month=6))
    assert figures.complete
    assert (figures.start, figures.end) == (START, END)
    expected = direct(db, frozenset({"360102"}))
    by_category = {r.category: r for r in figures.compliance}
    assert {c: by_category[c].sites for c in ("art8_4", "art8_5", "art8_7")} == expected["sites"]
    assert {c: by_category[c].uncovered for c in ("art8_4", "art8_5", "art8_7")} == expected[
        "uncovered"
    ]
    # And the numbers themselves (the direct count must not agree by accident of both being 0).
    assert (by_category["art8_5"].sites, by_category["art8_5"].uncovered) == (2, 1)
    assert by_category["art8_7"].sites == 0  # registered in April

    # Uptime: health's roll-up of each March day, summed.
    rolled = [
        liveness.rollup(
            db,
            visible=Camera.jurisdiction_code.in_(["360102"]),
            by="all",
            thresholds=liveness.Thresholds.of(settings),
            day=MARCH + dt.timedelta(days=n),
        )
        for n in range(31)
    ]
    recorded = sum(r.recorded_ms for day in rolled for r in day)
    window = sum(r.window_ms for day in rolled for r in day)
    assert (figures.uptime.recorded_ms, figures.uptime.window_ms) == (recorded, window)
    assert figures.uptime.percent == round(100 * recorded / window, 2)
    assert figures.uptime.cameras == 1

    faults = {r.cause: r for r in figures.faults}
    assert {c: faults[c].tickets_opened for c in expected["opened"]} == expected["opened"]  # type: ignore[attr-defined]
    assert {c: faults[c].cameras_diagnosed for c in expected["diagnosed"]} == expected["diagnosed"]  # type: ignore[attr-defined]
    assert (faults["blur"].tickets_opened, faults["outage"].tickets_opened) == (1, 1)
    assert (faults["blur"].cameras_diagnosed, faults["frozen"].cameras_diagnosed) == (1, 0)

    assert figures.custody.requests == expected["requests"] == 2
    assert (
        sorted([False] * figures.custody.rejected + [True] * figures.custody.approved)
        == expected["approvals"]
    )
    cases = {r.basis: r for r in figures.cases}
    assert sum(r.opened for r in figures.cases) == expected["cases_opened"] == 1
    assert (cases["art25_1"].orders, cases["art25_1"].decisions) == (1, 1)
    assert sum(r.fines_yuan for r in figures.cases) == expected["fines"] == 800
    assert figures.tickets.overdue_in_month == expected["overdue_in_month"] == 2
    assert figures.tickets.overdue_at_end == expected["overdue_at_end"] == 2

    # The city's report covers both districts.
    city = reports.monthly(
        db,
        principal=who(db, registry.user(role=Role.CHIEF, jurisdiction="360100")),
        code="360100",
        month=MARCH,
        now=at(10, month=6),
    )
    assert (
        sum(r.opened for r in city.cases)
        == direct(db, frozenset({"360102", "360103"}))["cases_opened"]
        == 2
    )

    # The files carry the same numbers, with charts.
    book = openpyxl.load_workbook(io.BytesIO(reports.render_xlsx(figures)))
    compliance_sheet = book["第八条场所"]
    rows = {r[0]: r[1:] for r in compliance_sheet.iter_rows(min_row=2, values_only=True)}
    art8_5 = next(v for k, v in rows.items() if str(k).startswith("第八条第（五）项"))
    assert art8_5 == (2, 1, 1)
    assert all(len(book[name]._charts) == 1 for name in ("第八条场所", "故障", "案件"))
    text = pdf_text(reports.render_pdf(figures))
    for needle in (
        "东湖区",
        "公共安全视频图像信息系统监督管理月报",
        "2026-03",
        "800",
        f"{figures.uptime.percent:.2f}%",
    ):
        assert needle in text, needle


def test_refusals_and_scope(registry: Registry, db: Session) -> None:
    w = world(registry, db)
    officer = who(db, w.officer)
    with pytest.raises(Refused) as future:
        reports.monthly(
            db, principal=officer, code="360102", month=dt.date(2026, 7, 1), now=at(10, month=6)
        )
    assert (future.value.rule, future.value.article) == ("report_month_in_future", "Art. 21")
    with pytest.raises(Refused) as early:
        reports.monthly(
            db, principal=officer, code="360102", month=dt.date(2016, 9, 1), now=at(10, month=6)
        )
    assert early.value.article == "Art. 28"
    with pytest.raises(NotFound):  # another district's report does not exist for them
        reports.monthly(db, principal=officer, code="360103", month=MARCH, now=at(10, month=6))
    with pytest.raises(NotFound):
        reports.monthly(db, principal=officer, code="999999", month=MARCH)
    # The current month is reported to date.
    now = at(10, 12)
    partial = reports.monthly(db, principal=officer, code="360102", month=MARCH, now=now)
    assert (partial.complete, partial.end) == (False, now)
    assert sum(r.opened for r in partial.cases) == 1  # opened on the 2nd
    assert sum(r.decisions for r in partial.cases) == 0  # decided on the 17th


def test_schedule_stores_once_on_the_ledger(
    registry: Registry, db: Session, settings: Settings
) -> None:
    world(registry, db)
    april_first = dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC)  # 2026-04-01 00:30 CST
    # Three of the tree's jurisdictions (each PDF costs a font load of about a second).
    some = ("360100", "360102", "360103")
    stored = reports.run_schedule(db, data_dir=settings.data_dir, now=april_first, codes=some)
    db.commit()
    assert sorted(db.scalars(select(MonthlyReport.jurisdiction_code))) == sorted(some)
    assert len(stored) == len(some)
    assert all(r.month == MARCH for r in stored)
    later = april_first + dt.timedelta(days=3)
    assert reports.run_schedule(db, data_dir=settings.data_dir, now=later, codes=some) == []
    home = next(r for r in stored if r.jurisdiction_code == "360102")
    assert ReportFigures.model_validate(home.figures).tickets.overdue_in_month == 2
    logged = [a for a in acts(db) if a["act"] == "report.stored"]
    assert len(logged) == len(stored)
    mine = next(a for a in logged if a["jurisdiction"] == "360102")
    assert (mine["month"], mine["pdf_sha256"], mine["xlsx_sha256"]) == (
        "2026-03",
        home.pdf_sha256,
        home.xlsx_sha256,
    )

    chief = who(db, registry.user(role=Role.CHIEF, jurisdiction="360102"))
    _row, data = reports.stored_file(
        db, principal=chief, report_id=home.id, fmt="pdf", data_dir=settings.data_dir
    )
    assert "2026-03" in pdf_text(data)
    rows, total = reports.list_reports(db, principal=chief)
    assert {r.jurisdiction_code for r in rows} == {"360102"}
    assert total == 1
    away = next(r for r in stored if r.jurisdiction_code == "360103")
    with pytest.raises(NotFound):
        reports.get_report(db, principal=chief, report_id=away.id)
    # A file changed on disk is not served as the report.
    path = reports.path_of(settings.data_dir, "360102", MARCH, "xlsx")
    path.chmod(0o600)
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(Conflict):
        reports.stored_file(
            db, principal=chief, report_id=home.id, fmt="xlsx", data_dir=settings.data_dir
        )


def test_api_files_and_hostile_input(registry: Registry, db: Session, client: TestClient) -> None:
    world(registry, db)
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102", username="report_officer")
    unit_admin = registry.user(
        role=Role.UNIT_ADMIN, units=(registry.unit().id,), username="report_unit_admin"
    )
    db.commit()
    token = bearer(client, officer.username)
    month = report_rules.month_label(report_rules.previous_month(dt.date.today()))
    ok = client.get(f"{API}/monthly/360102/{month}", headers=token)
    assert ok.status_code == 200, ok.text
    assert ok.json()["jurisdiction_code"] == "360102"
    pdf = client.get(f"{API}/monthly/360102/{month}/pdf", headers=token)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"{API}/monthly/360102/{month}/xlsx?lang=en", headers=token)
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
    assert "Summary" in openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    for path, status in (
        (f"{API}/monthly/360103/{month}", 404),  # another district
        (f"{API}/monthly/360102/2999-01", 422),  # future: refused, naming the article
        (f"{API}/monthly/360102/2026-13", 422),
        (f"{API}/monthly/360102/2026-3", 422),
        (f"{API}/monthly/3601020/{month}", 422),
        (f"{API}/monthly/360102/{month}/docx", 422),
        (f"{API}/monthly/360102/{month}/pdf?lang=xx", 422),
        (f"{API}/monthly/%00/{month}", 422),
        (f"{API}/1/pdf", 404),
        (f"{API}/0/pdf", 422),
        (f"{API}/99999999999/pdf", 422),
        (f"{API}?jurisdiction=abc", 422),
    ):
        response = client.get(path, headers=token)
        assert response.status_code == status, (path, response.status_code, response.text)
    refusal = client.get(f"{API}/monthly/360102/2999-01", headers=token).json()["error"]
    assert refusal["code"] == "refused_by_regulation"
    assert (refusal["details"]["rule"], refusal["details"]["article"]) == (
        "report_month_in_future",
        "Art. 21",
    )
    assert client.get(f"{API}/monthly/360102/{month}").status_code == 401
    assert (
        client.get(
            f"{API}/monthly/360102/{month}", headers=bearer(client, unit_admin.username)
        ).status_code
        == 403
    )
