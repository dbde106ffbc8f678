"""The archive audit in the console: the latest runs, one run's findings, "run now".

The console runs the metadata audit (no hashing; ``psvis audit --deep`` on the server
hashes every file) through the same calls as ``psvis audit``: run, keep the run, file
its findings in the compliance register (Art. 20(3) → Art. 26(3)), commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from psvis.api.deps import ObjectId
from psvis.auth.policy import Action, Resource
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.i18n import CATALOG, translate
from psvis.console.params import MAX_ID, Offset, Pager
from psvis.console.refs import camera_names
from psvis.console.route import ConsoleRoute
from psvis.console.video_pages import local
from psvis.core.errors import Forbidden, NotFound, PsvisError
from psvis.core.timeutil import utcnow
from psvis.ledger.audit import file_findings, run_audit, save_run
from psvis.ledger.models import LedgerAuditRun
from psvis.ledger.witness_view import witness_checkpoint
from psvis.recording.storage import usable_roots

router = APIRouter(route_class=ConsoleRoute)

PAGE = "/ledger/audit"
RUNS_PER_PAGE = 20
FINDINGS_PER_PAGE = 200
#: Characters of a finding's evidence shown in the table (all of it is one click away).
EVIDENCE_SUMMARY = 240

FormText = Annotated[str, Form(max_length=200)]
FindingsPage = Annotated[int, Query(ge=0, le=1_000_000)]


@dataclass(frozen=True, slots=True)
class FindingRow:
    kind: str
    kind_text: str
    camera_id: int | None
    detail: str
    evidence: dict[str, Any]
    summary: str


def kind_text(kind: str, lang: str) -> str:
    key = f"auditkind.{kind}"
    return translate(key, lang) if key in CATALOG else kind


def evidence_summary(evidence: dict[str, Any]) -> str:
    text = "; ".join(f"{key}: {value}" for key, value in evidence.items())
    return text if len(text) <= EVIDENCE_SUMMARY else text[: EVIDENCE_SUMMARY - 1] + "…"


def _camera(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def finding_rows(report: object, lang: str) -> list[FindingRow]:
    """The findings of a stored report, tolerating a report that is not what we wrote
    (the table is in the database an attacker may have edited: show, never crash)."""
    raw = report.get("findings") if isinstance(report, dict) else None
    rows = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("kind", ""))
        evidence = item.get("evidence")
        evidence = evidence if isinstance(evidence, dict) else {}
        rows.append(
            FindingRow(
                kind=kind,
                kind_text=kind_text(kind, lang),
                camera_id=_camera(item.get("camera_id")),
                detail=str(item.get("detail", "")),
                evidence=evidence,
                summary=evidence_summary(evidence),
            )
        )
    return rows


def kind_counts(report: object, lang: str) -> list[tuple[str, str, int]]:
    counts = report.get("counts") if isinstance(report, dict) else None
    if not isinstance(counts, dict):
        return []
    return sorted(
        (str(kind), kind_text(str(kind), lang), int(n))
        for kind, n in counts.items()
        if isinstance(n, int)
    )


def scope_text(run: LedgerAuditRun, lang: str) -> str:
    parts = []
    if run.camera_id is not None:
        parts.append(translate("audit.scope_camera", lang, id=run.camera_id))
    if run.since is not None:
        parts.append(translate("audit.scope_since", lang, since=local(run.since)))
    return ", ".join(parts) or translate("audit.scope_all", lang)


def parse_camera(raw: str) -> int | None:
    """The optional camera of a run: empty for the whole archive, else a positive id."""
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise ValueError(text)
    return int(text)


def _page(
    ctx: Ctx,
    *,
    selected: LedgerAuditRun | None,
    offset: int,
    fpage: int,
    camera_text: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    ctx.require(Resource.LEDGER)
    total = int(ctx.session.scalar(select(func.count(LedgerAuditRun.id))) or 0)
    runs = list(
        ctx.session.scalars(
            select(LedgerAuditRun)
            .order_by(LedgerAuditRun.id.desc())
            .limit(RUNS_PER_PAGE)
            .offset(offset)
        )
    )
    report: object = selected.report if selected is not None else None
    findings = finding_rows(report, ctx.lang)
    shown = findings[fpage * FINDINGS_PER_PAGE : (fpage + 1) * FINDINGS_PER_PAGE]
    counts = kind_counts(report, ctx.lang)
    kept = len(findings)
    return ctx.render(
        "ledger/audit.html",
        status_code=status_code,
        tab="audit",
        runs=[
            {
                "run": run,
                "time": local(run.started_at),
                "scope": scope_text(run, ctx.lang),
            }
            for run in runs
        ],
        pager=Pager(RUNS_PER_PAGE, offset, total),
        selected=selected,
        selected_time=local(selected.started_at) if selected is not None else "",
        selected_scope=scope_text(selected, ctx.lang) if selected is not None else "",
        report=report if isinstance(report, dict) else {},
        malformed=selected is not None and not isinstance(report, dict),
        findings=shown,
        findings_total=kept,
        fpage=fpage,
        per_page=FINDINGS_PER_PAGE,
        fpages=max(1, -(-kept // FINDINGS_PER_PAGE)),
        dropped=max(0, sum(n for _, _, n in counts) - kept),
        counts=counts,
        cameras=camera_names(ctx.session, ctx.principal, {f.camera_id for f in shown}),
        may_run=ctx.principal.may(Resource.LEDGER, Action.RUN),
        camera_text=camera_text,
        error=error,
    )


@router.get(PAGE)
def audit_page(ctx: ConsoleCtx, offset: Offset = 0, fpage: FindingsPage = 0) -> HTMLResponse:
    ctx.require(Resource.LEDGER)
    latest = ctx.session.scalars(
        select(LedgerAuditRun).order_by(LedgerAuditRun.id.desc()).limit(1)
    ).first()
    return _page(ctx, selected=latest, offset=offset, fpage=fpage)


@router.get(PAGE + "/{run_id}")
def audit_run_page(
    ctx: ConsoleCtx, run_id: ObjectId, offset: Offset = 0, fpage: FindingsPage = 0
) -> HTMLResponse:
    ctx.require(Resource.LEDGER)
    run = ctx.session.get(LedgerAuditRun, run_id)
    if run is None:
        raise NotFound(f"no audit run {run_id}")
    return _page(ctx, selected=run, offset=offset, fpage=fpage)


@router.post(PAGE)
def run_audit_now(ctx: ConsoleCtx, csrf_token: FormText = "", camera: FormText = "") -> Response:
    ctx.check_csrf(csrf_token)
    if not ctx.principal.may(Resource.LEDGER, Action.RUN):
        raise Forbidden(f"role {ctx.principal.role.value} may not run the archive audit")
    try:
        camera_id = parse_camera(camera)
    except ValueError:
        latest = ctx.session.scalars(
            select(LedgerAuditRun).order_by(LedgerAuditRun.id.desc()).limit(1)
        ).first()
        return _page(
            ctx,
            selected=latest,
            offset=0,
            fpage=0,
            camera_text=camera[:20],
            error="audit.bad_camera",
            status_code=422,
        )
    settings = ctx.request.app.state.psvis.settings
    session = ctx.session
    # The witness (when configured) holds the last root it cosigned: without asking it,
    # an insider who re-signed the whole log would pass. Unreachable is said, not hidden.
    witness_note = ""
    try:
        witness = witness_checkpoint(session, settings=settings, url=None, key_path=None)
    except PsvisError as exc:
        witness, witness_note = None, f"unreachable: {exc.message}"
    report = run_audit(
        session,
        roots={root.id: root for root in usable_roots(session)},
        data_dir=settings.data_dir,
        camera_id=camera_id,
        witness=witness,
    )
    if witness_note:
        report.witness = witness_note
    run = save_run(session, report)
    file_findings(session, report, now=utcnow())
    session.commit()
    return RedirectResponse(f"{PAGE}/{run.id}", status_code=303)
