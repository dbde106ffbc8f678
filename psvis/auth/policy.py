"""Who may do what: one declarative table, read by the code and by the tests.

Each entry maps ``(resource, action)`` to the roles allowed and the *reach* each role
has over objects:

* ``JURISDICTION`` — objects whose jurisdiction lies in the user's subtree (Art. 4:
  a city user reaches every district, a district user only its own);
* ``OWN_UNITS`` — objects belonging to the user's own units (a unit's staff see only
  their units' systems);
* ``MAINTAINED`` — systems (and their cameras and sites) the user's unit maintains
  (Art. 16);
* ``OWN`` — objects the user made or takes part in (another department's own retrieval
  requests).

A role absent from an entry may not perform the action at all (403). An object outside
the role's reach for ``READ`` does not exist for that user (404); inside read reach but
outside the action's reach is 403.
"""

from __future__ import annotations

import enum
from typing import Final


class Role(enum.StrEnum):
    CITY_ADMIN = "city_admin"
    DISTRICT_ADMIN = "district_admin"
    OFFICER = "officer"
    CHIEF = "chief"
    AUDITOR = "auditor"
    UNIT_ADMIN = "unit_admin"
    UNIT_OPERATOR = "unit_operator"
    MAINTAINER = "maintainer"
    OTHER_DEPT = "other_dept"

    @property
    def is_police(self) -> bool:
        """Roles that belong to a police bureau and are scoped by jurisdiction."""
        return self in POLICE_ROLES

    @property
    def is_unit_staff(self) -> bool:
        return self in UNIT_ROLES


POLICE_ROLES: Final = frozenset(
    {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.OFFICER, Role.CHIEF, Role.AUDITOR}
)
UNIT_ROLES: Final = frozenset({Role.UNIT_ADMIN, Role.UNIT_OPERATOR, Role.MAINTAINER})


class Resource(enum.StrEnum):
    JURISDICTION = "jurisdiction"
    UNIT = "unit"
    SITE = "site"
    SYSTEM = "system"
    CAMERA = "camera"
    FINDING = "finding"
    COMPLIANCE = "compliance"
    USER = "user"
    REGISTRY_FILE = "registry_file"
    #: Recorded and live video of a camera (Art. 2, 17-19). The object is the camera.
    FOOTAGE = "footage"
    #: The node's integrity ledger (Art. 20(3)): status, entries, proofs.
    LEDGER = "ledger"
    #: Enforcement cases (Art. 23-26): orders, re-checks, penalty decisions, documents.
    ENFORCEMENT_CASE = "enforcement_case"
    #: Retrieval requests for footage and their approval (Art. 18).
    CUSTODY_REQUEST = "custody_request"
    #: Two-officer execution sessions of approved requests (Art. 19).
    CUSTODY_SESSION = "custody_session"
    #: The registration book (登记, Art. 19(4)).
    CUSTODY_REGISTRATION = "custody_registration"
    #: One's own TOTP second factor (the second officer of a session proves it).
    TOTP = "totp"
    #: Government systems networked with the police platform (Art. 14): police use them
    #: live without a retrieval request. The object is the system.
    SHARING_GRANT = "sharing_grant"
    #: A camera's health (Art. 17(3)): liveness, uptime, diagnoses, baselines. The object
    #: is the camera.
    HEALTH = "health"
    #: Fault tickets (Art. 16, 17(3)), routed to the system's maintainer unit.
    TICKET = "ticket"
    #: Police inspections of sites with their checklist results and photos (Art. 21).
    INSPECTION = "inspection"
    #: Monthly supervision reports per jurisdiction (Art. 21). The object is the
    #: jurisdiction.
    REPORT = "report"
    #: Planned camera points and the Art. 8 coverage gaps of mandatory sites (Art. 7).
    PLANNING = "planning"
    #: A user unit's Art. 17(1)(2) records: rules and duty logs on file, trainings.
    UNIT_DUTY = "unit_duty"
    #: Suspicious-information reports from units to the police (Art. 17(5)).
    SUSPICIOUS_REPORT = "suspicious_report"
    #: Commendations of user units (Art. 22), linked to the record they came from.
    COMMENDATION = "commendation"


class Action(enum.StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RUN = "run"
    IMPORT = "import"
    EXPORT = "export"
    #: Watch a camera's live (near-live) video.
    LIVE = "live"
    #: Play back recorded video.
    PLAYBACK = "playback"
    #: Decide on a request: approve, reject, release its legal hold (Art. 18).
    APPROVE = "approve"


class Reach(enum.StrEnum):
    ALL = "all"
    JURISDICTION = "jurisdiction"
    OWN_UNITS = "own_units"
    MAINTAINED = "maintained"
    OWN = "own"


J, OWN, MNT = Reach.JURISDICTION, Reach.OWN_UNITS, Reach.MAINTAINED
R = Role

_POLICE_READ = {
    R.CITY_ADMIN: J,
    R.DISTRICT_ADMIN: J,
    R.OFFICER: J,
    R.CHIEF: J,
    R.AUDITOR: J,
}
_ADMINS = {R.CITY_ADMIN: J, R.DISTRICT_ADMIN: J}
#: Police roles that may watch footage. The auditor reviews records, not video.
_POLICE_FOOTAGE = {R.CITY_ADMIN: J, R.DISTRICT_ADMIN: J, R.OFFICER: J, R.CHIEF: J}
#: Police who administer or audit the archive read its ledger (Art. 20(3), 27).
_LEDGER_READERS = dict.fromkeys((R.CITY_ADMIN, R.DISTRICT_ADMIN, R.AUDITOR), Reach.ALL)

POLICY: Final[dict[tuple[Resource, Action], dict[Role, Reach]]] = {
    # The tree itself is public knowledge inside the platform: every signed-in user.
    (Resource.JURISDICTION, Action.READ): {role: Reach.ALL for role in Role},
    (Resource.UNIT, Action.READ): {
        **_POLICE_READ,
        R.UNIT_ADMIN: OWN,
        R.UNIT_OPERATOR: OWN,
        R.MAINTAINER: OWN,
    },
    (Resource.UNIT, Action.CREATE): dict(_ADMINS),
    (Resource.UNIT, Action.UPDATE): {**_ADMINS, R.UNIT_ADMIN: OWN},
    (Resource.UNIT, Action.DELETE): dict(_ADMINS),
    (Resource.SITE, Action.READ): {
        **_POLICE_READ,
        R.UNIT_ADMIN: OWN,
        R.UNIT_OPERATOR: OWN,
        R.MAINTAINER: MNT,
    },
    (Resource.SITE, Action.CREATE): {**_ADMINS, R.UNIT_ADMIN: OWN},
    (Resource.SITE, Action.UPDATE): {**_ADMINS, R.UNIT_ADMIN: OWN},
    (Resource.SITE, Action.DELETE): dict(_ADMINS),
    (Resource.SYSTEM, Action.READ): {
        **_POLICE_READ,
        R.UNIT_ADMIN: OWN,
        R.UNIT_OPERATOR: OWN,
        R.MAINTAINER: MNT,
    },
    (Resource.SYSTEM, Action.CREATE): {**_ADMINS, R.UNIT_ADMIN: OWN},
    (Resource.SYSTEM, Action.UPDATE): {**_ADMINS, R.UNIT_ADMIN: OWN},
    (Resource.SYSTEM, Action.DELETE): dict(_ADMINS),
    (Resource.CAMERA, Action.READ): {
        **_POLICE_READ,
        R.UNIT_ADMIN: OWN,
        R.UNIT_OPERATOR: OWN,
        R.MAINTAINER: MNT,
    },
    (Resource.CAMERA, Action.CREATE): {**_ADMINS, R.UNIT_ADMIN: OWN},
    (Resource.CAMERA, Action.UPDATE): {**_ADMINS, R.UNIT_ADMIN: OWN, R.MAINTAINER: MNT},
    (Resource.CAMERA, Action.DELETE): dict(_ADMINS),
    (Resource.FINDING, Action.READ): {**_POLICE_READ, R.UNIT_ADMIN: OWN},
    (Resource.COMPLIANCE, Action.RUN): dict(_ADMINS),
    (Resource.USER, Action.READ): dict(_ADMINS),
    (Resource.USER, Action.CREATE): dict(_ADMINS),
    (Resource.USER, Action.UPDATE): dict(_ADMINS),
    (Resource.REGISTRY_FILE, Action.IMPORT): dict(_ADMINS),
    (Resource.REGISTRY_FILE, Action.EXPORT): {**_POLICE_READ, R.UNIT_ADMIN: OWN},
    # Footage. The object is the camera: outside the role's camera READ reach it does not
    # exist (404). Live: Art. 17(1) duty operators watch their own units' cameras, and
    # maintainers the cameras they maintain (to check a repair); police within their
    # jurisdiction — of a system networked under Art. 14 (an active sharing grant,
    # psvis/custody/sharing.py), otherwise only as direct use through an open execution
    # session whose request approves ``direct_access`` for the camera (Art. 18).
    # Recorded footage (playback, export) is only ever reached through an approved,
    # active retrieval request (Art. 18-19): the entries below are the
    # role-level floor — police who may execute a request, within their jurisdiction —
    # and every media request must also name an open execution session whose request
    # covers camera × interval × action (``psvis.recording.access.authorize_footage``
    # asks ``psvis.custody.gate``). Unit staff never play back or export: a unit's own
    # footage leaves it only on a request (the issue: "everything else … only through an
    # approved, active retrieval request").
    (Resource.FOOTAGE, Action.LIVE): {
        **_POLICE_FOOTAGE,
        R.UNIT_ADMIN: OWN,
        R.UNIT_OPERATOR: OWN,
        R.MAINTAINER: MNT,
    },
    (Resource.FOOTAGE, Action.PLAYBACK): dict(_POLICE_FOOTAGE),
    (Resource.FOOTAGE, Action.EXPORT): dict(_POLICE_FOOTAGE),
    # Custody (Art. 18-19). Police see the requests that touch their jurisdiction; another
    # department's staff file requests under their own law and see their own (Art. 18,
    # second paragraph). Only chiefs decide; psvis/custody/rules.py adds what the law
    # adds (county level or above, every camera covered, never one's own request).
    (Resource.CUSTODY_REQUEST, Action.READ): {**_POLICE_READ, R.OTHER_DEPT: Reach.OWN},
    (Resource.CUSTODY_REQUEST, Action.CREATE): {**_POLICE_FOOTAGE, R.OTHER_DEPT: Reach.OWN},
    (Resource.CUSTODY_REQUEST, Action.UPDATE): {**_POLICE_FOOTAGE, R.OTHER_DEPT: Reach.OWN},
    (Resource.CUSTODY_REQUEST, Action.APPROVE): {R.CHIEF: J},
    # The two officers executing a request are police who may handle footage (Art. 19).
    (Resource.CUSTODY_SESSION, Action.CREATE): dict(_POLICE_FOOTAGE),
    (Resource.CUSTODY_SESSION, Action.UPDATE): dict(_POLICE_FOOTAGE),
    # The registration book: the bureau's (jurisdiction) and each unit's own (Art. 19(4)).
    (Resource.CUSTODY_REGISTRATION, Action.READ): {**_POLICE_READ, R.UNIT_ADMIN: OWN},
    # Enrolling one's own TOTP: whoever may be the second officer of a session.
    (Resource.TOTP, Action.UPDATE): dict.fromkeys(_POLICE_FOOTAGE, Reach.ALL),
    # Art. 14: the *city* police network government systems; every police role sees which
    # systems of its jurisdiction are networked (it decides whether live view needs a
    # request).
    (Resource.SHARING_GRANT, Action.READ): dict(_POLICE_READ),
    (Resource.SHARING_GRANT, Action.UPDATE): {R.CITY_ADMIN: J},
    # The ledger is one log per node, not per jurisdiction: a proof needs the whole tree,
    # so reach is ALL. Its entries are ids, times and hashes, never footage. Checkpoints,
    # consistency proofs and the public key are public routes (psvis/ledger/routes.py).
    (Resource.LEDGER, Action.READ): dict(_LEDGER_READERS),
    # Running the archive audit only reads the archive and files Art. 20(3) findings.
    (Resource.LEDGER, Action.RUN): dict(_LEDGER_READERS),
    # Health (Art. 16, 17(3)): police read their jurisdiction's, unit staff their own
    # units', maintainers the systems they maintain. A baseline is captured at acceptance,
    # in which the police take part (Art. 13): only police admins capture one — a unit
    # re-capturing after moving a camera would hide an Art. 20(1) breach. Diagnosing now
    # is harmless (it only reads recorded keyframes): maintainers may, to check a repair.
    (Resource.HEALTH, Action.READ): {
        **_POLICE_READ,
        R.UNIT_ADMIN: OWN,
        R.UNIT_OPERATOR: OWN,
        R.MAINTAINER: MNT,
    },
    (Resource.HEALTH, Action.UPDATE): dict(_ADMINS),
    (Resource.HEALTH, Action.RUN): {**_ADMINS, R.MAINTAINER: MNT},
    # Tickets: read like health; worked (acknowledged, repair reported) by the maintainer
    # unit's staff (Art. 16). Closing is never an act: the next good diagnosis verifies.
    (Resource.TICKET, Action.READ): {
        **_POLICE_READ,
        R.UNIT_ADMIN: OWN,
        R.UNIT_OPERATOR: OWN,
        R.MAINTAINER: MNT,
    },
    (Resource.TICKET, Action.UPDATE): {R.MAINTAINER: MNT, R.UNIT_ADMIN: MNT},
    # Enforcement (Art. 23-26): the police of the case's jurisdiction open and pursue it;
    # the penalty decision is the chief's (行政机关负责人, Administrative Penalty Law
    # Art. 57); a unit's admin reads its own unit's cases (the documents served on it).
    (Resource.ENFORCEMENT_CASE, Action.READ): {**_POLICE_READ, R.UNIT_ADMIN: OWN},
    (Resource.ENFORCEMENT_CASE, Action.CREATE): dict(_POLICE_FOOTAGE),
    (Resource.ENFORCEMENT_CASE, Action.UPDATE): dict(_POLICE_FOOTAGE),
    (Resource.ENFORCEMENT_CASE, Action.APPROVE): {R.CHIEF: J},
    # Inspections (Art. 21): the police of the site's jurisdiction inspect and follow up;
    # the unit's admin reads the inspections of its own sites (what was found there).
    (Resource.INSPECTION, Action.READ): {**_POLICE_READ, R.UNIT_ADMIN: OWN},
    (Resource.INSPECTION, Action.CREATE): dict(_POLICE_FOOTAGE),
    (Resource.INSPECTION, Action.UPDATE): dict(_POLICE_FOOTAGE),
    # Monthly reports: the police (and the auditor) of a jurisdiction read its reports and
    # those of the jurisdictions below it; they aggregate, never name footage.
    (Resource.REPORT, Action.READ): dict(_POLICE_READ),
    # Planning (Art. 7): the city police draw up the plan with the departments; the police
    # of a jurisdiction read its plan, its admins add planned points.
    (Resource.PLANNING, Action.READ): dict(_POLICE_READ),
    (Resource.PLANNING, Action.CREATE): dict(_ADMINS),
    # Unit duties (Art. 17): the unit keeps its own records (its admin files them, its duty
    # operators read them); the police of its jurisdiction read them when supervising
    # (Art. 21). A unit's staff report suspicious information; the police acknowledge.
    (Resource.UNIT_DUTY, Action.READ): {**_POLICE_READ, R.UNIT_ADMIN: OWN, R.UNIT_OPERATOR: OWN},
    (Resource.UNIT_DUTY, Action.CREATE): {R.UNIT_ADMIN: OWN},
    (Resource.SUSPICIOUS_REPORT, Action.READ): {
        **_POLICE_READ,
        R.UNIT_ADMIN: OWN,
        R.UNIT_OPERATOR: OWN,
    },
    (Resource.SUSPICIOUS_REPORT, Action.CREATE): {R.UNIT_ADMIN: OWN, R.UNIT_OPERATOR: OWN},
    (Resource.SUSPICIOUS_REPORT, Action.UPDATE): dict(_POLICE_FOOTAGE),
    # Commendations (Art. 22): given by the bureau — its chief or its admins — read by the
    # police of the jurisdiction and by the commended unit's admin.
    (Resource.COMMENDATION, Action.READ): {**_POLICE_READ, R.UNIT_ADMIN: OWN},
    (Resource.COMMENDATION, Action.CREATE): {**_ADMINS, R.CHIEF: J},
}


def reach_of(role: Role, resource: Resource, action: Action) -> Reach | None:
    """The reach ``role`` has for ``action`` on ``resource``; None when not allowed at all."""
    return POLICY.get((resource, action), {}).get(role)
