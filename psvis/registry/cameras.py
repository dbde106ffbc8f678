"""Cameras: registration (Art. 9 refused), GB/T 28181 IDs, credentials encrypted at rest."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth import scope
from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.core.errors import Conflict, InvalidInput
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from psvis.ledger import config_changes
from psvis.registry import validation
from psvis.registry.enums import CameraRole
from psvis.registry.jurisdictions import subtree_codes
from psvis.registry.models import Camera, Site, System
from psvis.registry.schemas import CameraCreate, CameraUpdate
from psvis.registry.service import (
    ensure_reach_for_new,
    flush_or_conflict,
    page,
    scoped_get,
    text_filter,
)
from psvis.registry.systems import get_system


def list_cameras(
    session: Session,
    *,
    principal: Principal,
    jurisdiction_code: str | None = None,
    system_id: int | None = None,
    role: CameraRole | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Camera], int]:
    stmt = select(Camera).where(scope.where(principal, Resource.CAMERA, Action.READ))
    if jurisdiction_code:
        stmt = stmt.where(Camera.jurisdiction_code == jurisdiction_code)
    if system_id:
        stmt = stmt.where(Camera.system_id == system_id)
    if role:
        stmt = stmt.where(Camera.role == role)
    if (text := text_filter(q, Camera.name, Camera.gb_id)) is not None:
        stmt = stmt.where(text)
    return page(session, stmt.order_by(Camera.id), limit=limit, offset=offset)


def get_camera(session: Session, *, principal: Principal, camera_id: int) -> Camera:
    return scoped_get(
        session, principal=principal, model=Camera, resource=Resource.CAMERA, object_id=camera_id
    )


def create_camera(
    session: Session,
    *,
    principal: Principal,
    data: CameraCreate,
    box: SecretBox,
    camera_type_codes: Iterable[str],
) -> Camera:
    """Register a camera. A camera at an Art. 9 privacy site is refused, naming Art. 9."""
    system: System = get_system(session, principal=principal, system_id=data.system_id)
    site = session.get(Site, system.site_id)
    assert site is not None  # foreign key
    url, url_user, url_password = validation.split_credentials(data.stream_url)
    problems = validation.camera_site(site.category)
    problems += validation.camera_gb_id(
        data.gb_id,
        jurisdiction_codes=subtree_codes(session, system.jurisdiction_code),
        camera_type_codes=camera_type_codes,
    )
    problems += validation.retention(data.retention_days)
    problems += validation.stream_url(url)
    validation.raise_if_any(problems, what="camera")
    ensure_reach_for_new(
        principal,
        resource=Resource.CAMERA,
        jurisdiction_code=system.jurisdiction_code,
        unit_ids=(system.user_unit_id, system.builder_unit_id),
    )
    if session.scalar(select(Camera.id).where(Camera.gb_id == data.gb_id)) is not None:
        raise Conflict(f"a camera with GB/T 28181 ID {data.gb_id} already exists")
    password = data.password.get_secret_value() if data.password else url_password
    camera = Camera(
        **data.model_dump(exclude={"password", "stream_url", "username"}),
        stream_url=url,
        username=data.username or url_user,
        password_encrypted=box.encrypt(password) if password else "",
        jurisdiction_code=system.jurisdiction_code,
    )
    session.add(camera)
    flush_or_conflict(session, "camera")
    return camera


def update_camera(
    session: Session,
    *,
    principal: Principal,
    camera_id: int,
    data: CameraUpdate,
    box: SecretBox,
) -> Camera:
    camera = scoped_get(
        session,
        principal=principal,
        model=Camera,
        resource=Resource.CAMERA,
        object_id=camera_id,
        action=Action.UPDATE,
    )
    before = config_changes.camera_facts(camera, box=box)
    changes = data.model_dump(exclude_unset=True, exclude={"password"})
    for key, value in changes.items():
        if value is None and key != "retention_days":
            raise InvalidInput(f"{key} cannot be null")
    problems = validation.retention(changes.get("retention_days"))
    if "stream_url" in changes:
        url, url_user, url_password = validation.split_credentials(changes["stream_url"])
        problems += validation.stream_url(url)
        changes["stream_url"] = url
        if url_user and "username" not in changes:
            changes["username"] = url_user
        if url_password and data.password is None:
            camera.password_encrypted = box.encrypt(url_password)
    validation.raise_if_any(problems, what="camera update")
    for key, value in changes.items():
        setattr(camera, key, value)
    if data.password is not None:
        secret = data.password.get_secret_value()
        camera.password_encrypted = box.encrypt(secret) if secret else ""
    # Art. 20(1), 17(4): pointing, coverage, stream and retention changes enter the ledger
    # in this transaction.
    config_changes.record_changes(
        session,
        subject=config_changes.CAMERA,
        subject_id=camera.id,
        before=before,
        after=config_changes.camera_facts(camera, box=box),
        actor=config_changes.actor_of(principal),
        at=utcnow(),
    )
    flush_or_conflict(session, "camera")
    return camera


def delete_camera(session: Session, *, principal: Principal, camera_id: int) -> None:
    camera = scoped_get(
        session,
        principal=principal,
        model=Camera,
        resource=Resource.CAMERA,
        object_id=camera_id,
        action=Action.DELETE,
    )
    session.delete(camera)
    flush_or_conflict(session, "camera")
