"""Enforcement in the console (Art. 23-26): the case list, opening a case (from a finding),
the case page with the procedure's next allowed steps and their forms, the documents.

The steps come from :func:`psvis.enforcement.rules.next_steps`; a form posted anyway is
refused by the same rules in the service, and the page shows the refusal with its
article (zh-CN first) and keeps what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from psvis.api.deps import ObjectId
from psvis.auth.policy import Action, Resource
from psvis.compliance import service as compliance
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.i18n import CATALOG, translate
from psvis.console.params import DEFAULT_LIMIT, Choice, Limit, Offset, Pager, enum_or_none
from psvis.console.refs import unit_names
from psvis.console.route import ConsoleRoute
from psvis.core.errors import InvalidInput, PsvisError
from psvis.core.timeutil import utcnow
from psvis.enforcement import rules, service
from psvis.enforcement.enums import Basis, CaseState, Procedure, Step
from psvis.enforcement.models import EnforcementCase
from psvis.enforcement.schemas import (
    CaseCreate,
    DecisionCreate,
    OrderCreate,
    RecheckCreate,
)

router = APIRouter(route_class=ConsoleRoute)

PREFIX = "/enforcement"
Field = Annotated[str, Form(max_length=200)]
LongField = Annotated[str, Form(max_length=2000)]
#: Days of the correction period the order form proposes (the officer changes it).
DEFAULT_PERIOD_DAYS = 15


def refusal_text(exc: PsvisError, lang: str) -> str:
    """The reader's sentence for a refusal: the catalog's text of its rule with the
    article, else the service's message."""
    rule = str(exc.details.get("rule", ""))
    key = f"enforcement.rule.{rule}"
    if rule and key in CATALOG:
        text = translate(key, lang)
        if lang == "zh-CN" and exc.details.get("article_zh"):
            return f"{text}（{exc.details['article_zh']}）"
        if exc.details.get("article"):
            return f"{text} ({exc.details['article']})"
        return text
    return exc.message


def _validation_text(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}"


def _day(raw: str, field: str) -> dt.date | None:
    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidInput(f"{field}: {raw[:20]!r} is not a date (YYYY-MM-DD)") from exc


def _yuan(raw: str, field: str) -> int:
    text = raw.strip() or "0"
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput(f"{field}: {raw[:20]!r} is not a whole number of yuan")
    return int(text)


# --- the list --------------------------------------------------------------------------------


@router.get(PREFIX)
def case_list(
    ctx: ConsoleCtx,
    state: Choice = "",
    basis: Choice = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    ctx.require(Resource.ENFORCEMENT_CASE)
    rows, total = service.list_cases(
        ctx.session,
        principal=ctx.principal,
        state=enum_or_none(CaseState, state),
        basis=enum_or_none(Basis, basis),
        limit=limit,
        offset=offset,
    )
    return ctx.render(
        "enforcement/list.html",
        rows=rows,
        pager=Pager(limit, offset, total),
        f={"state": state, "basis": basis},
        states=list(CaseState),
        bases=list(Basis),
        articles={b: rules.provision(b) for b in Basis},
        may_create=ctx.principal.may(Resource.ENFORCEMENT_CASE, Action.CREATE),
    )


# --- opening ---------------------------------------------------------------------------------


def _new_form(
    ctx: Ctx,
    *,
    finding_id: int | None,
    values: dict[str, str],
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    finding = (
        compliance.get_finding(ctx.session, principal=ctx.principal, finding_id=finding_id)
        if finding_id is not None
        else None
    )
    default_basis = rules.BY_ARTICLE.get(finding.penalty_article) if finding else None
    if finding is not None and not values:
        values = {
            "basis": default_basis.value if default_basis else "",
            "facts": translate(f"rule.{finding.rule}", "zh-CN"),
        }
    return ctx.render(
        "enforcement/new.html",
        status_code=status_code,
        finding=finding,
        bases=list(Basis),
        values=values,
        error=error,
    )


@router.get(f"{PREFIX}/new")
def new_case(ctx: ConsoleCtx, finding: Choice = "") -> HTMLResponse:
    ctx.principal.reach(Resource.ENFORCEMENT_CASE, Action.CREATE)
    finding_id = int(finding) if finding.isdigit() and 0 < int(finding) < 2**31 else None
    return _new_form(ctx, finding_id=finding_id, values={})


@router.post(f"{PREFIX}/new")
def create_case(
    ctx: ConsoleCtx,
    csrf_token: Field = "",
    finding_id: Field = "",
    basis: Field = "",
    party_name: Field = "",
    manager_name: Field = "",
    facts: LongField = "",
    other_law: Field = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    ctx.principal.reach(Resource.ENFORCEMENT_CASE, Action.CREATE)
    fid = int(finding_id) if finding_id.isdigit() and 0 < int(finding_id) < 2**31 else None
    values = {
        "basis": basis,
        "party_name": party_name,
        "manager_name": manager_name,
        "facts": facts,
        "other_law": other_law,
    }
    try:
        data = CaseCreate(
            finding_id=fid,
            basis=Basis(basis) if basis in {b.value for b in Basis} else None,
            party_name=party_name,
            manager_name=manager_name,
            facts=facts,
            other_law=other_law,
        )
        case = service.open_case(ctx.session, principal=ctx.principal, data=data)
    except ValidationError as exc:
        return _new_form(
            ctx, finding_id=fid, values=values, error=_validation_text(exc), status_code=422
        )
    except PsvisError as exc:
        ctx.session.rollback()
        if exc.status_code == 404:
            raise
        return _new_form(
            ctx,
            finding_id=fid,
            values=values,
            error=refusal_text(exc, ctx.lang),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"{PREFIX}/cases/{case.id}", status_code=303)


# --- the case page ---------------------------------------------------------------------------


def render_case(
    ctx: Ctx,
    case_id: int,
    *,
    error: str = "",
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    db = ctx.session
    case = service.get_case(db, principal=ctx.principal, case_id=case_id)
    provision = rules.provision(case.basis)
    now = utcnow()
    today = service.china_day(now)
    steps = service.next_steps(db, case=case, now=now)
    allowed = [step for step, d in steps.items() if d.ok]
    blocked = [
        (step, refusal_text(_as_error(d), ctx.lang))
        for step, d in steps.items()
        if not d.ok and step is not Step.CLOSE and case.state is not CaseState.CLOSED
    ]
    may_update = ctx.principal.may(Resource.ENFORCEMENT_CASE, Action.UPDATE)
    may_decide = ctx.principal.may(Resource.ENFORCEMENT_CASE, Action.APPROVE)
    forms = {
        "order": Step.ORDER in allowed and may_update,
        "recheck": Step.RECHECK in allowed and may_update,
        "decide": Step.DECIDE in allowed and may_decide,
        "close": Step.CLOSE in allowed and may_update,
    }
    order = service.order_of(db, case_id=case.id)
    defaults = {
        "deadline": (today + dt.timedelta(days=DEFAULT_PERIOD_DAYS)).isoformat(),
        "checked_on": today.isoformat(),
        "fine_yuan": "",
        "manager_fine_yuan": "0",
    }
    return ctx.render(
        "enforcement/case.html",
        status_code=status_code,
        case=case,
        provision=provision,
        other_law_case=provision.procedure is Procedure.OTHER_LAW,
        order=order,
        rechecks=service.rechecks_of(db, case_id=case.id),
        decision=service.decision_of(db, case_id=case.id),
        documents=service.documents_of(db, case_id=case.id),
        allowed=allowed,
        blocked=blocked,
        forms=forms,
        error=error,
        values={**defaults, **(values or {})},
        manager_field=provision.manager_cap_yuan is not None
        or provision.procedure is Procedure.OTHER_LAW,
        unit_name=_unit_name(ctx, case),
        today=today.isoformat(),
    )


def _as_error(decision: Any) -> PsvisError:
    return PsvisError(
        decision.reason,
        details={
            "rule": decision.rule,
            "article": decision.article,
            "article_zh": decision.article_zh,
        },
    )


def _unit_name(ctx: Ctx, case: EnforcementCase) -> str | None:
    """The unit's name when the viewer may open its page."""
    if case.unit_id is None or not ctx.principal.may(Resource.UNIT, Action.READ):
        return None
    return unit_names(ctx.session, ctx.principal, [case.unit_id]).get(case.unit_id)


@router.get(f"{PREFIX}/cases/{{case_id}}")
def case_page(ctx: ConsoleCtx, case_id: ObjectId) -> HTMLResponse:
    return render_case(ctx, case_id)


def _refused(ctx: Ctx, case_id: int, exc: PsvisError, values: dict[str, str]) -> HTMLResponse:
    ctx.session.rollback()
    if exc.status_code == 404:
        raise exc
    return render_case(
        ctx,
        case_id,
        error=refusal_text(exc, ctx.lang),
        status_code=exc.status_code,
        values=values,
    )


def _back(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/cases/{case_id}", status_code=303)


@router.post(f"{PREFIX}/cases/{{case_id}}/order")
def post_order(
    ctx: ConsoleCtx,
    case_id: ObjectId,
    csrf_token: Field = "",
    deadline: Field = "",
    requirement: LongField = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    values = {"deadline": deadline, "requirement": requirement}
    try:
        data = OrderCreate(deadline=_day(deadline, "deadline"), requirement=requirement)
        service.issue_order(ctx.session, principal=ctx.principal, case_id=case_id, data=data)
    except ValidationError as exc:
        return render_case(
            ctx, case_id, error=_validation_text(exc), status_code=422, values=values
        )
    except PsvisError as exc:
        return _refused(ctx, case_id, exc, values)
    return _back(case_id)


@router.post(f"{PREFIX}/cases/{{case_id}}/recheck")
def post_recheck(
    ctx: ConsoleCtx,
    case_id: ObjectId,
    csrf_token: Field = "",
    checked_on: Field = "",
    corrected: Field = "",
    notes: LongField = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    values = {"checked_on": checked_on, "notes": notes, "corrected": corrected}
    try:
        if corrected not in ("yes", "no"):
            raise InvalidInput("choose the re-check's result")
        data = RecheckCreate(
            checked_on=_day(checked_on, "checked_on"), corrected=corrected == "yes", notes=notes
        )
        service.record_recheck(ctx.session, principal=ctx.principal, case_id=case_id, data=data)
    except ValidationError as exc:
        return render_case(
            ctx, case_id, error=_validation_text(exc), status_code=422, values=values
        )
    except PsvisError as exc:
        return _refused(ctx, case_id, exc, values)
    return _back(case_id)


@router.post(f"{PREFIX}/cases/{{case_id}}/decision")
def post_decision(
    ctx: ConsoleCtx,
    case_id: ObjectId,
    csrf_token: Field = "",
    fine_yuan: Field = "",
    manager_fine_yuan: Field = "",
    refer_public_order: Field = "",
    refer_criminal: Field = "",
    requirement: LongField = "",
    reasons: LongField = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    values = {
        "fine_yuan": fine_yuan,
        "manager_fine_yuan": manager_fine_yuan,
        "requirement": requirement,
        "reasons": reasons,
    }
    try:
        data = DecisionCreate(
            fine_yuan=_yuan(fine_yuan, "fine_yuan"),
            manager_fine_yuan=_yuan(manager_fine_yuan, "manager_fine_yuan"),
            refer_public_order=refer_public_order == "on",
            refer_criminal=refer_criminal == "on",
            requirement=requirement,
            reasons=reasons,
        )
        service.decide(ctx.session, principal=ctx.principal, case_id=case_id, data=data)
    except ValidationError as exc:
        return render_case(
            ctx, case_id, error=_validation_text(exc), status_code=422, values=values
        )
    except PsvisError as exc:
        return _refused(ctx, case_id, exc, values)
    return _back(case_id)


@router.post(f"{PREFIX}/cases/{{case_id}}/close")
def post_close(
    ctx: ConsoleCtx, case_id: ObjectId, csrf_token: Field = "", reason: Field = ""
) -> Response:
    ctx.check_csrf(csrf_token)
    try:
        service.close_case(ctx.session, principal=ctx.principal, case_id=case_id, reason=reason)
    except PsvisError as exc:
        return _refused(ctx, case_id, exc, {"reason": reason})
    return _back(case_id)


# --- documents -------------------------------------------------------------------------------


@router.get(f"{PREFIX}/documents/{{document_id}}")
def document(ctx: ConsoleCtx, document_id: ObjectId, download: Choice = "") -> Response:
    """The PDF as issued: inline (the browser's viewer previews it) or as a download."""
    found = service.get_document(ctx.session, principal=ctx.principal, document_id=document_id)
    disposition = "attachment" if download else "inline"
    return Response(
        found.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"{disposition}; filename={found.kind.value}-{found.id}.pdf; "
            f"filename*=UTF-8''{quote(found.number + '.pdf')}",
            "Cache-Control": "no-store",
        },
    )


# Inspections (Art. 21) share the prefix and the refusal sentences above; included last.
from psvis.console import enforcement_inspection_pages  # noqa: E402

router.include_router(enforcement_inspection_pages.router)

# Monthly reports (Art. 21): /enforcement/reports.
from psvis.console import enforcement_report_pages  # noqa: E402

router.include_router(enforcement_report_pages.router)

# Planning (Art. 7, 8): /enforcement/planning.
from psvis.console import enforcement_planning_pages  # noqa: E402

router.include_router(enforcement_planning_pages.router)

# Unit duties (Art. 17(1)(2)(5)): /enforcement/duties.
from psvis.console import enforcement_duty_pages  # noqa: E402

router.include_router(enforcement_duty_pages.router)

# Commendations (Art. 22): /enforcement/commendations.
from psvis.console import enforcement_commendation_pages  # noqa: E402

router.include_router(enforcement_commendation_pages.router)
