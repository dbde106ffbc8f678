"""Enforcement API (Art. 23-26), mounted at ``/api/v1/enforcement``: cases, the correction
order, the re-check, the penalty decision, closing, the documents as PDF. Thin: parse,
authorise (the policy table), call the service; the law's refusals are 422s naming the
article (``refused_by_regulation``).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, permission
from psvis.auth.policy import Action, Resource
from psvis.core.schemas import ErrorResponse, Page
from psvis.core.timeutil import utcnow
from psvis.enforcement import rules, service
from psvis.enforcement.enums import Basis, CaseState
from psvis.enforcement.models import EnforcementCase
from psvis.enforcement.schemas import (
    CaseCreate,
    CaseDetail,
    CaseRead,
    CloseIn,
    DecisionCreate,
    DecisionRead,
    DocumentRead,
    OrderCreate,
    OrderRead,
    ProvisionRead,
    RecheckCreate,
    RecheckRead,
    StepRead,
)

router = APIRouter(prefix="/enforcement", tags=["enforcement"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
#: The law's refusals and malformed input share 422; the body's ``code`` tells them apart.
REFUSALS: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}


def case_read(case: EnforcementCase) -> CaseRead:
    provision = rules.provision(case.basis)
    return CaseRead.model_validate(
        {
            **{c: getattr(case, c) for c in CaseRead.model_fields if hasattr(case, c)},
            "article": provision.article,
            "article_zh": provision.article_zh,
            "procedure": provision.procedure,
        }
    )


def case_detail(db: Session, case: EnforcementCase) -> CaseDetail:
    order = service.order_of(db, case_id=case.id)
    decision = service.decision_of(db, case_id=case.id)
    steps = service.next_steps(db, case=case, now=utcnow())
    return CaseDetail.model_validate(
        {
            **case_read(case).model_dump(),
            "evidence": case.evidence,
            "order": OrderRead.model_validate(order) if order else None,
            "rechecks": [
                RecheckRead.model_validate(r) for r in service.rechecks_of(db, case_id=case.id)
            ],
            "decision": DecisionRead.model_validate(decision) if decision else None,
            "documents": [
                DocumentRead.model_validate(d) for d in service.documents_of(db, case_id=case.id)
            ],
            "next_steps": [
                StepRead(
                    step=step,
                    allowed=d.ok,
                    rule=d.rule,
                    article=d.article,
                    article_zh=d.article_zh,
                    reason=d.reason,
                )
                for step, d in steps.items()
            ],
        }
    )


@router.get(
    "/provisions",
    response_model=list[ProvisionRead],
    **permission(Resource.ENFORCEMENT_CASE, Action.READ),
)
def list_provisions() -> list[ProvisionRead]:
    """Every provision a case may be brought under, with its procedure and caps."""
    return [ProvisionRead.model_validate(p) for p in rules.PROVISIONS.values()]


@router.get(
    "/cases",
    response_model=Page[CaseRead],
    **permission(Resource.ENFORCEMENT_CASE, Action.READ),
)
def list_cases(
    session: DbSession,
    principal: CurrentPrincipal,
    state: CaseState | None = None,
    basis: Basis | None = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    unit_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    finding_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CaseRead]:
    rows, total = service.list_cases(
        session,
        principal=principal,
        state=state,
        basis=basis,
        jurisdiction_code=jurisdiction,
        unit_id=unit_id,
        finding_id=finding_id,
        limit=limit,
        offset=offset,
    )
    return Page(items=[case_read(r) for r in rows], total=total, limit=limit, offset=offset)


@router.post(
    "/cases",
    response_model=CaseDetail,
    status_code=status.HTTP_201_CREATED,
    responses=REFUSALS,
    **permission(Resource.ENFORCEMENT_CASE, Action.CREATE),
)
def open_case(session: DbSession, principal: CurrentPrincipal, body: CaseCreate) -> CaseDetail:
    case = service.open_case(session, principal=principal, data=body)
    return case_detail(session, case)


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetail,
    **permission(Resource.ENFORCEMENT_CASE, Action.READ),
)
def get_case(session: DbSession, principal: CurrentPrincipal, case_id: ObjectId) -> CaseDetail:
    return case_detail(session, service.get_case(session, principal=principal, case_id=case_id))


@router.post(
    "/cases/{case_id}/order",
    response_model=CaseDetail,
    responses=REFUSALS,
    **permission(Resource.ENFORCEMENT_CASE, Action.UPDATE),
)
def issue_order(
    session: DbSession, principal: CurrentPrincipal, case_id: ObjectId, body: OrderCreate
) -> CaseDetail:
    """责令限期改正 (Art. 24, 25): the order with its deadline and its document."""
    service.issue_order(session, principal=principal, case_id=case_id, data=body)
    return case_detail(session, service.get_case(session, principal=principal, case_id=case_id))


@router.post(
    "/cases/{case_id}/rechecks",
    response_model=CaseDetail,
    responses=REFUSALS,
    **permission(Resource.ENFORCEMENT_CASE, Action.UPDATE),
)
def record_recheck(
    session: DbSession, principal: CurrentPrincipal, case_id: ObjectId, body: RecheckCreate
) -> CaseDetail:
    """复查: a failing re-check counts only after the deadline."""
    service.record_recheck(session, principal=principal, case_id=case_id, data=body)
    return case_detail(session, service.get_case(session, principal=principal, case_id=case_id))


@router.post(
    "/cases/{case_id}/decision",
    response_model=CaseDetail,
    responses=REFUSALS,
    **permission(Resource.ENFORCEMENT_CASE, Action.APPROVE),
)
def decide(
    session: DbSession, principal: CurrentPrincipal, case_id: ObjectId, body: DecisionCreate
) -> CaseDetail:
    """行政处罚决定 (the chief): within the caps, after the procedure the article requires."""
    service.decide(session, principal=principal, case_id=case_id, data=body)
    return case_detail(session, service.get_case(session, principal=principal, case_id=case_id))


@router.post(
    "/cases/{case_id}/close",
    response_model=CaseDetail,
    responses=REFUSALS,
    **permission(Resource.ENFORCEMENT_CASE, Action.UPDATE),
)
def close_case(
    session: DbSession, principal: CurrentPrincipal, case_id: ObjectId, body: CloseIn
) -> CaseDetail:
    case = service.close_case(session, principal=principal, case_id=case_id, reason=body.reason)
    return case_detail(session, case)


@router.get(
    "/documents/{document_id}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    **permission(Resource.ENFORCEMENT_CASE, Action.READ),
)
def get_document(
    session: DbSession,
    principal: CurrentPrincipal,
    document_id: ObjectId,
    download: bool = False,
) -> Response:
    """The document as issued (its SHA-256 is on the ledger); ``download`` as an
    attachment, else inline for preview."""
    document = service.get_document(session, principal=principal, document_id=document_id)
    disposition = "attachment" if download else "inline"
    name = f"{document.kind.value}-{document.id}.pdf"
    return Response(
        document.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"{disposition}; filename={name}; "
            f"filename*=UTF-8''{quote(document.number + '.pdf')}",
            "X-Content-SHA256": document.sha256,
        },
    )


# Inspections (Art. 21) live under the same prefix; included last, as they render cases
# with :func:`case_detail` above.
from psvis.enforcement.inspection_routes import router as _inspections  # noqa: E402

router.include_router(_inspections)

# Monthly reports (Art. 21): /api/v1/enforcement/reports.
from psvis.enforcement.report_routes import router as _reports  # noqa: E402

router.include_router(_reports)

# Planning (Art. 7, 8): /api/v1/enforcement/planning.
from psvis.enforcement.planning_routes import router as _planning  # noqa: E402

router.include_router(_planning)

# Unit duties (Art. 17(1)(2)(5)): /api/v1/enforcement/duties.
from psvis.enforcement.duty_routes import router as _duties  # noqa: E402

router.include_router(_duties)

# Commendations (Art. 22): /api/v1/enforcement/commendations.
from psvis.enforcement.commendation_routes import router as _commendations  # noqa: E402

router.include_router(_commendations)
