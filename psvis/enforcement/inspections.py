"""Inspections (Art. 21): recording a visit against its site's checklist, its photos, and
the enforcement case opened on its failed items — each on the ledger in the caller's
transaction (the caller commits).

Keyword-only. Who may is the policy table (``Resource.INSPECTION``: police of the site's
jurisdiction; the unit's admin reads its own sites'); what a complete record is, and which
provision a follow-up case is under, is :mod:`psvis.enforcement.checklists`.

    inspection = record_inspection(db, principal=officer, data=InspectionCreate(
        site_id=7, items=[ItemIn(key="signage", result="fail", note="入口无标识"), …]))
    add_photo(db, principal=officer, inspection_id=inspection.id, data=jpeg,
              item="signage", data_dir=settings.data_dir)
    case = open_followup(db, principal=officer, inspection_id=inspection.id,
                         data=FollowupCreate(items=["signage"], facts="未设置明显标识"))
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.orm import Session

from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from psvis.core.timeutil import utcnow
from psvis.enforcement import acts, cases, checklists, photos
from psvis.enforcement.acts import Act
from psvis.enforcement.cases import china_day, refused
from psvis.enforcement.checklists import ItemEntry
from psvis.enforcement.inspection_models import (
    Inspection,
    InspectionFollowup,
    InspectionItem,
    InspectionPhoto,
)
from psvis.enforcement.inspection_schemas import FollowupCreate, InspectionCreate
from psvis.enforcement.models import EnforcementCase
from psvis.enforcement.schemas import CaseCreate
from psvis.registry import service as registry


def visible(principal: Principal, action: Action = Action.READ) -> ColumnElement[bool]:
    reach = principal.reach(Resource.INSPECTION, action)
    if reach is Reach.ALL:
        return true()
    if reach is Reach.JURISDICTION:
        codes = principal.covered_codes
        return Inspection.jurisdiction_code.in_(codes) if codes else false()
    if reach is Reach.OWN_UNITS and principal.unit_ids:
        return Inspection.unit_id.in_(principal.unit_ids)
    return false()


def get_inspection(
    db: Session, *, principal: Principal, inspection_id: int, action: Action = Action.READ
) -> Inspection:
    """404 outside read reach; 403 inside it but outside ``action``'s."""
    found = db.scalar(select(Inspection).where(Inspection.id == inspection_id, visible(principal)))
    if found is None:
        raise NotFound(f"inspection {inspection_id} not found")
    if action is not Action.READ:
        allowed = db.scalar(
            select(Inspection.id).where(Inspection.id == inspection_id, visible(principal, action))
        )
        if allowed is None:
            raise Forbidden(f"you may not {action.value} inspection {inspection_id}")
    return found


def list_inspections(
    db: Session,
    *,
    principal: Principal,
    site_id: int | None = None,
    unit_id: int | None = None,
    failed_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Inspection], int]:
    """The inspections the principal may read, newest visit first."""
    stmt = select(Inspection).where(visible(principal))
    if site_id is not None:
        stmt = stmt.where(Inspection.site_id == site_id)
    if unit_id is not None:
        stmt = stmt.where(Inspection.unit_id == unit_id)
    if failed_only:
        stmt = stmt.where(Inspection.failed_count > 0)
    stmt = stmt.order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    return registry.page(db, stmt, limit=limit, offset=offset)


def items_of(db: Session, *, inspection_id: int) -> list[InspectionItem]:
    return list(
        db.scalars(
            select(InspectionItem)
            .where(InspectionItem.inspection_id == inspection_id)
            .order_by(InspectionItem.id)
        )
    )


def photos_of(db: Session, *, inspection_id: int) -> list[InspectionPhoto]:
    return list(
        db.scalars(
            select(InspectionPhoto)
            .where(InspectionPhoto.inspection_id == inspection_id)
            .order_by(InspectionPhoto.id)
        )
    )


def followups_of(db: Session, *, inspection_id: int) -> list[InspectionFollowup]:
    return list(
        db.scalars(
            select(InspectionFollowup)
            .where(InspectionFollowup.inspection_id == inspection_id)
            .order_by(InspectionFollowup.id)
        )
    )


def record_inspection(
    db: Session, *, principal: Principal, data: InspectionCreate, now: dt.datetime | None = None
) -> Inspection:
    """Record a visit to a site of the principal's jurisdiction, whole: every item of the
    site category's checklist with its result (Art. 21)."""
    principal.reach(Resource.INSPECTION, Action.CREATE)
    moment = now or utcnow()
    site = registry.get_site(db, principal=principal, site_id=data.site_id)
    if not principal.covers(site.jurisdiction_code):
        raise NotFound(f"site {data.site_id} not found")
    today = china_day(moment)
    inspected_on = data.inspected_on or today
    entries = [ItemEntry(i.key, i.result, i.note.strip()) for i in data.items]
    decision = checklists.may_record(
        category=site.category, items=entries, inspected_on=inspected_on, today=today
    )
    if not decision.ok:
        raise refused(decision)
    inspection = Inspection(
        jurisdiction_code=site.jurisdiction_code,
        site_id=site.id,
        unit_id=site.responsible_unit_id,
        category=site.category,
        inspector_id=principal.user_id,
        inspected_on=inspected_on,
        recorded_at=moment,
        failed_count=len(checklists.failed_items(entries)),
        notes=data.notes.strip(),
    )
    db.add(inspection)
    db.flush()
    db.add_all(
        InspectionItem(inspection_id=inspection.id, item=e.key, result=e.result, note=e.note)
        for e in entries
    )
    db.flush()
    acts.log(
        db,
        Act.INSPECTION_RECORDED,
        at=moment,
        inspection=inspection.id,
        by=principal.user_id,
        site=site.id,
        unit=inspection.unit_id,
        jurisdiction=inspection.jurisdiction_code,
        category=str(site.category),
        inspected_on=inspected_on.isoformat(),
        results={e.key: str(e.result) for e in entries},
        # The notes are text an inspector typed: their hash, so a later edit shows.
        notes_sha256=acts.digest(
            {"notes": inspection.notes, "items": {e.key: e.note for e in entries}}
        ),
    )
    return inspection


def add_photo(
    db: Session,
    *,
    principal: Principal,
    inspection_id: int,
    data: bytes,
    item: str,
    data_dir: Path,
    now: dt.datetime | None = None,
) -> InspectionPhoto:
    """Attach a JPEG/PNG photo (checked by its first bytes, size-limited, stored by its
    SHA-256) to an inspection, of one of its items or ("") of the site."""
    moment = now or utcnow()
    inspection = get_inspection(
        db, principal=principal, inspection_id=inspection_id, action=Action.UPDATE
    )
    if item and item not in checklists.CHECKLISTS[inspection.category]:
        raise InvalidInput(f"item {item[:32]!r} is not on this inspection's checklist")
    count = db.scalar(
        select(func.count())
        .select_from(InspectionPhoto)
        .where(InspectionPhoto.inspection_id == inspection.id)
    )
    if (count or 0) >= photos.MAX_PHOTOS:
        raise Conflict(f"an inspection holds at most {photos.MAX_PHOTOS} photos")
    media_type = photos.media_type_of(data)  # refuse before anything is written
    stored = photos.store(data_dir, data)
    duplicate = db.scalar(
        select(InspectionPhoto.id).where(
            InspectionPhoto.inspection_id == inspection.id,
            InspectionPhoto.sha256 == stored.sha256,
        )
    )
    if duplicate is not None:
        raise Conflict(f"this photo is already attached (photo {duplicate})")
    photo = InspectionPhoto(
        inspection_id=inspection.id,
        item=item,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        media_type=media_type,
        uploaded_by=principal.user_id,
        uploaded_at=moment,
    )
    db.add(photo)
    db.flush()
    acts.log(
        db,
        Act.INSPECTION_PHOTO,
        at=moment,
        inspection=inspection.id,
        photo=photo.id,
        by=principal.user_id,
        item=item,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
    )
    return photo


def get_photo(db: Session, *, principal: Principal, photo_id: int) -> InspectionPhoto:
    found = db.scalar(
        select(InspectionPhoto)
        .join(Inspection, Inspection.id == InspectionPhoto.inspection_id)
        .where(InspectionPhoto.id == photo_id, visible(principal))
    )
    if found is None:
        raise NotFound(f"photo {photo_id} not found")
    return found


def open_followup(
    db: Session,
    *,
    principal: Principal,
    inspection_id: int,
    data: FollowupCreate,
    now: dt.datetime | None = None,
) -> EnforcementCase:
    """An enforcement case against the site's unit on failed items of the inspection,
    under the provision they share (Art. 24/25; Art. 23 for an Art. 9 item). The case's
    evidence carries the inspection: date, inspector, the items' results and notes and
    the photos' hashes."""
    moment = now or utcnow()
    inspection = get_inspection(
        db, principal=principal, inspection_id=inspection_id, action=Action.UPDATE
    )
    items = items_of(db, inspection_id=inspection.id)
    decision, basis = checklists.followup_basis(
        results={i.item: i.result for i in items}, chosen=data.items
    )
    if not decision.ok or basis is None:
        raise refused(decision)
    chosen = list(dict.fromkeys(data.items))
    taken = {
        key for f in followups_of(db, inspection_id=inspection.id) for key in f.items.split(",")
    } & set(chosen)
    if taken:
        raise Conflict(f"items already followed up by a case: {sorted(taken)}")
    case = cases.open_case(
        db,
        principal=principal,
        data=CaseCreate(
            basis=basis,
            unit_id=inspection.unit_id,
            manager_name=data.manager_name,
            facts=data.facts,
            other_law=data.other_law,
        ),
        now=moment,
    )
    case.evidence = {
        "inspection": {
            "id": inspection.id,
            "site_id": inspection.site_id,
            "inspected_on": inspection.inspected_on.isoformat(),
            "inspector_id": inspection.inspector_id,
            "items": [
                {"item": i.item, "result": str(i.result), "note": i.note}
                for i in items
                if i.item in chosen
            ],
            "photos": [
                {"id": p.id, "item": p.item, "sha256": p.sha256}
                for p in photos_of(db, inspection_id=inspection.id)
                if p.item in ("", *chosen)
            ],
        }
    }
    db.add(InspectionFollowup(inspection_id=inspection.id, case_id=case.id, items=",".join(chosen)))
    db.flush()
    acts.log(
        db,
        Act.INSPECTION_FOLLOWUP,
        at=moment,
        inspection=inspection.id,
        case=case.id,
        number=case.number,
        by=principal.user_id,
        items=chosen,
        basis=str(basis),
    )
    return case
