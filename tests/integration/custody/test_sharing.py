"""Art. 14 sharing grants and Art. 18 direct use: which police live view needs a request.

Police watch a camera live without a request only when its system is a government system
networked for their bureau (an active sharing grant). Any other police live use is
"接入、直接使用" and goes through an open execution session whose request approves
``direct_access`` for the camera — and then every segment delivered is logged. A unit's
duty operators watch their own cameras without either (Art. 17(1)).
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.api.deps import SESSION_COOKIE
from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.errors import Conflict, Forbidden, NotFound
from psvis.core.timeutil import utcnow
from psvis.custody import sharing
from psvis.custody.enums import AccessKind, CustodyAction
from psvis.custody.models import AccessRecord, SharingGrant
from psvis.ledger import entries
from psvis.ledger.models import LedgerEntry
from psvis.registry.enums import Investment
from tests.integration.console.helpers import signed_in
from tests.support.custody import grant
from tests.support.factories import Registry
from tests.support.http import bearer
from tests.support.media import record, storage_root

API = "/api/v1"


def _acts(db: Session) -> list[dict[str, object]]:
    rows = db.scalars(select(LedgerEntry.entry).where(LedgerEntry.type == "custody"))
    return [entries.decode(row) for row in rows]


def test_grant_rules_and_revocation(db: Session, registry: Registry) -> None:
    _u, _s, bank, _c = registry.covered_site(jurisdiction="360102")
    _u2, _s2, town, _c2 = registry.covered_site(jurisdiction="360102")
    town.investment = Investment.GOVERNMENT
    db.flush()
    operator = registry.operator

    with pytest.raises(Conflict, match=r"Art\. 14") as refused:
        sharing.grant(
            db, principal=operator, system_id=bank.id, bureau_code="360102", agreement="协议"
        )
    assert refused.value.details["rule"] == "art14_government"
    with pytest.raises(Conflict, match="agreement"):
        sharing.grant(
            db, principal=operator, system_id=town.id, bureau_code="360102", agreement=" "
        )
    with pytest.raises(Conflict) as sideways:  # another district's police: never sideways
        sharing.grant(
            db, principal=operator, system_id=town.id, bureau_code="360103", agreement="协议"
        )
    assert sideways.value.details["rule"] == "art14_bureau"

    row = sharing.grant(
        db, principal=operator, system_id=town.id, bureau_code="360100", agreement="协议"
    )
    with pytest.raises(Conflict, match="already networked"):
        sharing.grant(
            db, principal=operator, system_id=town.id, bureau_code="360100", agreement="协议"
        )
    revoked = sharing.revoke(db, principal=operator, grant_id=row.id)
    assert revoked.revoked_at is not None
    with pytest.raises(Conflict, match="revoked already"):
        sharing.revoke(db, principal=operator, grant_id=row.id)
    with pytest.raises(NotFound):
        sharing.revoke(db, principal=operator, grant_id=row.id + 1000)
    assert sharing.grants_of(db, principal=operator, system_id=town.id) == []
    assert [
        g.id
        for g in sharing.grants_of(db, principal=operator, system_id=town.id, include_revoked=True)
    ] == [row.id]
    acts = [a["act"] for a in _acts(db)]
    assert acts.count("sharing.granted") == 1
    assert acts.count("sharing.revoked") == 1


def test_which_officers_a_grant_reaches(db: Session, registry: Registry) -> None:
    """A district grant reaches that district's police and the city's; a city grant every
    district's; never the police of another district."""
    _u, _s, system, _c = registry.covered_site(jurisdiction="360102")
    district = registry.user(role=Role.OFFICER, jurisdiction="360102")
    other = registry.user(role=Role.OFFICER, jurisdiction="360103")
    city = registry.user(role=Role.OFFICER, jurisdiction="360100")
    db.commit()

    def reaches(user: object) -> bool:
        principal = auth_service.principal_for(db, user=user)  # type: ignore[arg-type]
        return sharing.networked_for(db, principal=principal, system_id=system.id)

    assert not any(reaches(u) for u in (district, other, city))
    row = registry.networked(system)  # the district's own bureau
    assert (reaches(district), reaches(other), reaches(city)) == (True, False, True)
    sharing.revoke(db, principal=registry.operator, grant_id=row.id)
    registry.networked(system, bureau="360100")  # the whole city
    assert (reaches(district), reaches(other), reaches(city)) == (True, True, True)


def test_police_live_needs_a_grant_or_a_direct_access_session(
    client: TestClient, db: Session, registry: Registry, settings: Settings
) -> None:
    unit, _s, system, camera = registry.covered_site(jurisdiction="360102")
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="officer")
    registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,), username="duty")
    db.commit()
    root = storage_root(db, settings.data_dir)
    now = utcnow().replace(microsecond=0)
    fresh = record(db, root, camera.id, start=now - dt.timedelta(seconds=20), seconds=12)
    officer, duty = bearer(client, "officer"), bearer(client, "duty")
    live = f"{API}/cameras/{camera.id}/live.m3u8"

    # The bank's own duty operator watches live (Art. 17(1)); the police may not.
    assert client.get(live, headers=duty).status_code == 200
    refused = client.get(live, headers=officer)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["article"] == "Art. 18"
    segment_live = f"{API}/segments/{fresh[-1].id}/live"
    assert client.get(segment_live, headers=officer).status_code == 403

    # A request approving only viewing of recorded footage is not direct use.
    from psvis.auth.models import User

    user = db.scalar(select(User).where(User.username == "officer"))
    assert user is not None
    view_only = grant(
        registry,
        officer=user,
        cameras=[camera.id],
        start=now - dt.timedelta(hours=1),
        end=now + dt.timedelta(hours=1),
        data_dir=settings.data_dir,
    )
    refused = client.get(live, headers={**officer, **view_only.header})
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["rule"] == "art18_action"

    # With direct_access approved from 10 s ago: the window starts at the approval.
    begin = now - dt.timedelta(seconds=10)
    direct = grant(
        registry,
        officer=user,
        cameras=[camera.id],
        start=begin,
        end=now + dt.timedelta(hours=1),
        data_dir=settings.data_dir,
        actions=(CustodyAction.DIRECT_ACCESS,),
    )
    headers = {**officer, **direct.header}
    response = client.get(live, headers=headers)
    assert response.status_code == 200, response.text
    listed = [line for line in response.text.splitlines() if line.endswith("/live")]
    inside = [s for s in fresh if s.start_at >= begin]
    assert listed == [f"{API}/segments/{s.id}/live" for s in inside]
    assert inside
    assert len(inside) < len(fresh)
    assert client.get(f"{API}/segments/{inside[0].id}/live", headers=headers).status_code == 200
    before = [s for s in fresh if s.start_at < begin][-1]
    assert client.get(f"{API}/segments/{before.id}/live", headers=headers).status_code == 403
    logged = db.scalars(
        select(AccessRecord).where(AccessRecord.session_id == direct.session_id)
    ).all()
    assert [(r.segment_id, r.action) for r in logged] == [(inside[0].id, AccessKind.VIEW)]
    # Direct use is live only: it never opens recorded footage.
    old = f"{API}/segments/{before.id}/media"
    assert client.get(old, headers=headers).status_code == 403

    # Networked under Art. 14: no request needed, nothing logged.
    registry.networked(system)
    db.commit()
    assert client.get(live, headers=officer).status_code == 200
    assert client.get(segment_live, headers=officer).status_code == 200


def test_sharing_grant_api(client: TestClient, db: Session, registry: Registry) -> None:
    _u, _s, system, _c = registry.covered_site(jurisdiction="360102")
    system.investment = Investment.GOVERNMENT
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="cityadmin")
    registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102", username="districtadmin")
    registry.user(role=Role.OFFICER, jurisdiction="360103", username="stranger")
    db.commit()
    admin = bearer(client, "cityadmin")
    body = {"system_id": system.id, "bureau_code": "360102", "agreement": "联网协议第1号"}

    # Only the city police network systems (Art. 14).
    assert (
        client.post(
            f"{API}/custody/sharing-grants", json=body, headers=bearer(client, "districtadmin")
        ).status_code
        == 403
    )
    created = client.post(f"{API}/custody/sharing-grants", json=body, headers=admin)
    assert created.status_code == 201, created.text
    grant_id = created.json()["id"]
    listed = client.get(f"{API}/custody/systems/{system.id}/sharing-grants", headers=admin)
    assert [g["id"] for g in listed.json()] == [grant_id]
    # Another district's officer does not see the system at all.
    hidden = client.get(
        f"{API}/custody/systems/{system.id}/sharing-grants", headers=bearer(client, "stranger")
    )
    assert hidden.status_code == 404

    for bad in (
        {**body, "bureau_code": "36010"},
        {**body, "bureau_code": "../../"},
        {**body, "agreement": ""},
        {**body, "agreement": "x" * 201},
        {**body, "system_id": 0},
        {**body, "system_id": 2**40},
        {**body, "extra": 1},
        {"system_id": [system.id], "bureau_code": "360102", "agreement": "a"},
    ):
        response = client.post(f"{API}/custody/sharing-grants", json=bad, headers=admin)
        assert response.status_code == 422, (bad, response.text)
    missing = client.post(
        f"{API}/custody/sharing-grants", json={**body, "bureau_code": "999999"}, headers=admin
    )
    assert missing.status_code == 422
    revoked = client.post(f"{API}/custody/sharing-grants/{grant_id}/revoke", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    again = client.post(f"{API}/custody/sharing-grants/{grant_id}/revoke", headers=admin)
    assert again.status_code == 409
    assert db.scalar(select(SharingGrant.revoked_by).where(SharingGrant.id == grant_id))


def test_non_police_never_networked(db: Session, registry: Registry) -> None:
    """Grants concern the police: unit staff and other departments are never 'networked'."""
    unit, _s, system, _c = registry.covered_site(jurisdiction="360102", networked=True)
    staff = registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,))
    other = registry.user(role=Role.OTHER_DEPT, jurisdiction="360102")
    db.commit()

    for user in (staff, other):
        principal = auth_service.principal_for(db, user=user)
        assert not sharing.networked_for(db, principal=principal, system_id=system.id)
    with pytest.raises(Forbidden):
        sharing.grant(
            db,
            principal=auth_service.principal_for(db, user=staff),
            system_id=system.id,
            bureau_code="360102",
            agreement="x",
        )


def test_console_direct_use_through_a_bound_session(
    client: TestClient, db: Session, registry: Registry, settings: Settings
) -> None:
    """The camera page refuses police live view of a non-networked system with the
    article; a bound session approving direct_access turns the player on, and the
    session screen links to it."""
    _u, _s, _system, camera = registry.covered_site(jurisdiction="360102")
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102", username="officer")
    db.commit()
    signed_in(client, "officer")
    page = client.get(f"/cameras/{camera.id}/video").text
    assert 'id="live-direct"' in page
    assert "第十八条" in page
    assert 'id="live-video"' not in page

    _user, token = auth_service.resolve_token(
        db, token=client.cookies[SESSION_COOKIE], kind="session"
    )
    now = utcnow()
    run = grant(
        registry,
        officer=officer,
        cameras=[camera.id],
        start=now - dt.timedelta(minutes=5),
        end=now + dt.timedelta(hours=1),
        data_dir=settings.data_dir,
        actions=(CustodyAction.DIRECT_ACCESS,),
        console_token_id=token.id,
    )
    page = client.get(f"/cameras/{camera.id}/video").text
    assert 'id="live-direct"' not in page
    assert f'data-hls="/api/v1/cameras/{camera.id}/live.m3u8"' in page
    screen = client.get(f"/custody/sessions/{run.session_id}").text
    assert f'class="live-link" href="/cameras/{camera.id}/video#live"' in screen
