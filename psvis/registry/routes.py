"""Registry API: thin routes — parse, authorise, call the service, return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, State, permission
from psvis.auth.policy import Action, Resource
from psvis.core.schemas import Page
from psvis.registry import cameras, service, systems
from psvis.registry.enums import CameraRole, LifecycleState, SiteCategory, UnitKind
from psvis.registry.jurisdictions import list_all
from psvis.registry.schemas import (
    CameraCreate,
    CameraRead,
    CameraUpdate,
    JurisdictionRead,
    SiteCreate,
    SiteRead,
    SiteUpdate,
    SystemCreate,
    SystemRead,
    SystemTransition,
    SystemUpdate,
    UnitCreate,
    UnitRead,
    UnitUpdate,
)

router = APIRouter()

Limit = Annotated[int, Query(ge=1, le=service.MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Text = Annotated[str | None, Query(max_length=100)]
Code = Annotated[str | None, Query(min_length=6, max_length=6, pattern=r"^\d{6}$")]


@router.get(
    "/jurisdictions",
    response_model=list[JurisdictionRead],
    **permission(Resource.JURISDICTION, Action.READ),
)
def list_jurisdictions(session: DbSession) -> list[JurisdictionRead]:
    return [JurisdictionRead.model_validate(j) for j in list_all(session)]


# --- units --------------------------------------------------------------------------------


@router.get("/units", response_model=Page[UnitRead], **permission(Resource.UNIT, Action.READ))
def list_units(
    session: DbSession,
    principal: CurrentPrincipal,
    jurisdiction: Code = None,
    kind: UnitKind | None = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[UnitRead]:
    rows, total = service.list_units(
        session,
        principal=principal,
        jurisdiction_code=jurisdiction,
        kind=kind,
        q=q,
        limit=limit,
        offset=offset,
    )
    items = [UnitRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/units",
    response_model=UnitRead,
    status_code=status.HTTP_201_CREATED,
    **permission(Resource.UNIT, Action.CREATE),
)
def create_unit(session: DbSession, principal: CurrentPrincipal, body: UnitCreate) -> UnitRead:
    return UnitRead.model_validate(service.create_unit(session, principal=principal, data=body))


@router.get("/units/{unit_id}", response_model=UnitRead, **permission(Resource.UNIT, Action.READ))
def get_unit(session: DbSession, principal: CurrentPrincipal, unit_id: ObjectId) -> UnitRead:
    return UnitRead.model_validate(service.get_unit(session, principal=principal, unit_id=unit_id))


@router.patch(
    "/units/{unit_id}", response_model=UnitRead, **permission(Resource.UNIT, Action.UPDATE)
)
def update_unit(
    session: DbSession, principal: CurrentPrincipal, unit_id: ObjectId, body: UnitUpdate
) -> UnitRead:
    unit = service.update_unit(session, principal=principal, unit_id=unit_id, data=body)
    return UnitRead.model_validate(unit)


@router.delete(
    "/units/{unit_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    **permission(Resource.UNIT, Action.DELETE),
)
def delete_unit(session: DbSession, principal: CurrentPrincipal, unit_id: ObjectId) -> Response:
    service.delete_unit(session, principal=principal, unit_id=unit_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- sites --------------------------------------------------------------------------------


@router.get("/sites", response_model=Page[SiteRead], **permission(Resource.SITE, Action.READ))
def list_sites(
    session: DbSession,
    principal: CurrentPrincipal,
    jurisdiction: Code = None,
    category: SiteCategory | None = None,
    unit_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SiteRead]:
    rows, total = service.list_sites(
        session,
        principal=principal,
        jurisdiction_code=jurisdiction,
        category=category,
        unit_id=unit_id,
        q=q,
        limit=limit,
        offset=offset,
    )
    items = [SiteRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/sites",
    response_model=SiteRead,
    status_code=status.HTTP_201_CREATED,
    **permission(Resource.SITE, Action.CREATE),
)
def create_site(session: DbSession, principal: CurrentPrincipal, body: SiteCreate) -> SiteRead:
    return SiteRead.model_validate(service.create_site(session, principal=principal, data=body))


@router.get("/sites/{site_id}", response_model=SiteRead, **permission(Resource.SITE, Action.READ))
def get_site(session: DbSession, principal: CurrentPrincipal, site_id: ObjectId) -> SiteRead:
    return SiteRead.model_validate(service.get_site(session, principal=principal, site_id=site_id))


@router.patch(
    "/sites/{site_id}", response_model=SiteRead, **permission(Resource.SITE, Action.UPDATE)
)
def update_site(
    session: DbSession, principal: CurrentPrincipal, site_id: ObjectId, body: SiteUpdate
) -> SiteRead:
    site = service.update_site(session, principal=principal, site_id=site_id, data=body)
    return SiteRead.model_validate(site)


@router.delete(
    "/sites/{site_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    **permission(Resource.SITE, Action.DELETE),
)
def delete_site(session: DbSession, principal: CurrentPrincipal, site_id: ObjectId) -> Response:
    service.delete_site(session, principal=principal, site_id=site_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- systems ------------------------------------------------------------------------------


@router.get("/systems", response_model=Page[SystemRead], **permission(Resource.SYSTEM, Action.READ))
def list_systems(
    session: DbSession,
    principal: CurrentPrincipal,
    jurisdiction: Code = None,
    state: LifecycleState | None = None,
    site_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SystemRead]:
    rows, total = systems.list_systems(
        session,
        principal=principal,
        jurisdiction_code=jurisdiction,
        state=state,
        site_id=site_id,
        q=q,
        limit=limit,
        offset=offset,
    )
    items = [SystemRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/systems",
    response_model=SystemRead,
    status_code=status.HTTP_201_CREATED,
    **permission(Resource.SYSTEM, Action.CREATE),
)
def create_system(
    session: DbSession, principal: CurrentPrincipal, body: SystemCreate
) -> SystemRead:
    system = systems.create_system(session, principal=principal, data=body)
    return SystemRead.model_validate(system)


@router.get(
    "/systems/{system_id}", response_model=SystemRead, **permission(Resource.SYSTEM, Action.READ)
)
def get_system(session: DbSession, principal: CurrentPrincipal, system_id: ObjectId) -> SystemRead:
    system = systems.get_system(session, principal=principal, system_id=system_id)
    return SystemRead.model_validate(system)


@router.patch(
    "/systems/{system_id}",
    response_model=SystemRead,
    **permission(Resource.SYSTEM, Action.UPDATE),
)
def update_system(
    session: DbSession, principal: CurrentPrincipal, system_id: ObjectId, body: SystemUpdate
) -> SystemRead:
    system = systems.update_system(session, principal=principal, system_id=system_id, data=body)
    return SystemRead.model_validate(system)


@router.post(
    "/systems/{system_id}/transition",
    response_model=SystemRead,
    **permission(Resource.SYSTEM, Action.UPDATE),
)
def transition_system(
    session: DbSession, principal: CurrentPrincipal, system_id: ObjectId, body: SystemTransition
) -> SystemRead:
    system = systems.transition_system(session, principal=principal, system_id=system_id, data=body)
    return SystemRead.model_validate(system)


@router.delete(
    "/systems/{system_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    **permission(Resource.SYSTEM, Action.DELETE),
)
def delete_system(session: DbSession, principal: CurrentPrincipal, system_id: ObjectId) -> Response:
    systems.delete_system(session, principal=principal, system_id=system_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- cameras ------------------------------------------------------------------------------


@router.get("/cameras", response_model=Page[CameraRead], **permission(Resource.CAMERA, Action.READ))
def list_cameras(
    session: DbSession,
    principal: CurrentPrincipal,
    jurisdiction: Code = None,
    system_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    role: CameraRole | None = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CameraRead]:
    rows, total = cameras.list_cameras(
        session,
        principal=principal,
        jurisdiction_code=jurisdiction,
        system_id=system_id,
        role=role,
        q=q,
        limit=limit,
        offset=offset,
    )
    items = [CameraRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/cameras",
    response_model=CameraRead,
    status_code=status.HTTP_201_CREATED,
    **permission(Resource.CAMERA, Action.CREATE),
)
def create_camera(
    session: DbSession, principal: CurrentPrincipal, state: State, body: CameraCreate
) -> CameraRead:
    camera = cameras.create_camera(
        session,
        principal=principal,
        data=body,
        box=state.box,
        camera_type_codes=state.settings.camera_type_codes,
    )
    return CameraRead.model_validate(camera)


@router.get(
    "/cameras/{camera_id}", response_model=CameraRead, **permission(Resource.CAMERA, Action.READ)
)
def get_camera(session: DbSession, principal: CurrentPrincipal, camera_id: ObjectId) -> CameraRead:
    camera = cameras.get_camera(session, principal=principal, camera_id=camera_id)
    return CameraRead.model_validate(camera)


@router.patch(
    "/cameras/{camera_id}",
    response_model=CameraRead,
    **permission(Resource.CAMERA, Action.UPDATE),
)
def update_camera(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    camera_id: ObjectId,
    body: CameraUpdate,
) -> CameraRead:
    camera = cameras.update_camera(
        session, principal=principal, camera_id=camera_id, data=body, box=state.box
    )
    return CameraRead.model_validate(camera)


@router.delete(
    "/cameras/{camera_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    **permission(Resource.CAMERA, Action.DELETE),
)
def delete_camera(session: DbSession, principal: CurrentPrincipal, camera_id: ObjectId) -> Response:
    cameras.delete_camera(session, principal=principal, camera_id=camera_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
