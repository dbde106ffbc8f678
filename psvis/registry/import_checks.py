"""The importer's checks across rows and against the database.

Every check the API applies to one object is applied here to every row, through the
same functions (:mod:`psvis.registry.validation`): Art. 9 placement, Art. 17(4)
retention, GB/T 28181 IDs, credit codes, lifecycle facts. On top come the checks only a
file needs: keys unique in the file and in the registry, references that resolve to a
row of the file or of the registry, and the importer's reach (Art. 4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any, Final

from sqlalchemy import Select, null, select
from sqlalchemy.orm import Session

from psvis.auth import scope
from psvis.auth.policy import Action, Reach, Resource
from psvis.auth.principal import Principal
from psvis.registry import validation
from psvis.registry.enums import SiteCategory
from psvis.registry.file_columns import KEY_COLUMNS, KINDS, Kind, import_columns
from psvis.registry.import_report import Issues
from psvis.registry.import_rows import Candidate
from psvis.registry.jurisdictions import subtree_codes
from psvis.registry.models import Camera, Jurisdiction, Site, System, Unit

CHUNK: Final = 1000  # keys per IN (...) query
NOUN: Final[dict[Kind, str]] = {
    "units": "unit with credit code",
    "sites": "site with ref",
    "systems": "system with ref",
    "cameras": "camera with GB/T 28181 ID",
}
RESOURCES: Final[dict[Kind, Resource]] = {
    "units": Resource.UNIT,
    "sites": Resource.SITE,
    "systems": Resource.SYSTEM,
    "cameras": Resource.CAMERA,
}
LIFECYCLE_FIELDS: Final = tuple(f.name for f in fields(validation.LifecycleFacts))


@dataclass(slots=True)
class Target:
    """What a reference resolves to: a row of this file (``db_id`` set once written) or
    a row already in the registry. Sites and systems carry their site's category."""

    jurisdiction_code: str | None
    db_id: int | None = None
    category: SiteCategory | None = None
    in_file: bool = True


def key_of(kind: Kind, text: object) -> str:
    """The key as stored: credit codes in capitals (as the unit service stores them)."""
    return str(text).upper() if kind == "units" else str(text)


class Checker:
    """Checks all candidates of one file; fills ``targets`` for the writer."""

    def __init__(
        self,
        session: Session,
        *,
        principal: Principal,
        issues: Issues,
        camera_type_codes: Iterable[str],
        legacy_survey: bool,
    ) -> None:
        self.session, self.principal, self.issues = session, principal, issues
        self.reach = principal.reach(Resource.REGISTRY_FILE, Action.IMPORT)
        self.camera_type_codes = tuple(camera_type_codes)
        self.legacy_survey = legacy_survey
        self.jurisdictions = frozenset(session.scalars(select(Jurisdiction.code)))
        self.targets: dict[Kind, dict[str, Target]] = {k: {} for k in KINDS}
        self._subtrees: dict[str, frozenset[str]] = {}

    def run(self, parsed: dict[Kind, list[Candidate]], on_rows: Callable[[int], object]) -> None:
        """Check every row of every kind, in dependency order."""
        self._load_references(parsed)
        for kind in KINDS:
            rows = parsed.get(kind, [])
            self._unique(kind, rows)
            check = {
                "units": self._check_units,
                "sites": self._check_sites,
                "systems": self._check_systems,
                "cameras": self._check_cameras,
            }[kind]
            for candidate in rows:
                check(candidate)
            on_rows(len(rows))

    # --- shared ---------------------------------------------------------------------------

    def _column(self, kind: Kind, field: str) -> str:
        return next((c.name for c in import_columns(kind) if c.field == field), field)

    def _problems(self, kind: Kind, c: Candidate, problems: list[validation.Problem]) -> None:
        for problem in problems:
            self.issues.problem(c.sheet, c.row, self._column(kind, problem.field), problem)

    def in_reach(self, jurisdiction_code: str) -> bool:
        if self.reach is Reach.ALL:
            return True
        return self.reach is Reach.JURISDICTION and self.principal.covers(jurisdiction_code)

    def _jurisdiction(self, c: Candidate) -> None:
        code = c.values.get("jurisdiction_code")
        if code is None:
            return
        if code not in self.jurisdictions:
            self.issues.add(c.sheet, c.row, "jurisdiction_code", f"unknown jurisdiction {code}")
        elif not self.in_reach(code):
            self.issues.add(
                c.sheet, c.row, "jurisdiction_code", f"jurisdiction {code} is outside yours"
            )

    def _resolve(self, c: Candidate, column: str, kind: Kind) -> Target | None:
        """The row ``column`` names; reports it when unknown or out of reach."""
        text = c.refs.get(column)
        if text is None:
            return None
        key = key_of(kind, text)
        target = self.targets[kind].get(key)
        if target is None:
            self.issues.add(
                c.sheet,
                c.row,
                column,
                f"no {NOUN[kind]} {key} in this file or in the registry within your reach",
            )
        elif (
            not target.in_file
            and target.jurisdiction_code is not None
            and not self.in_reach(target.jurisdiction_code)
        ):
            self.issues.add(
                c.sheet,
                c.row,
                column,
                f"{NOUN[kind]} {key} lies outside your jurisdiction ({target.jurisdiction_code})",
            )
            return None
        return target

    def _unique(self, kind: Kind, rows: list[Candidate]) -> None:
        """Keys once in the file and not yet in the registry (the whole registry: the
        database would refuse a duplicate from any jurisdiction)."""
        field = KEY_COLUMNS[kind]
        first: dict[str, int] = {}
        for c in rows:
            value = c.values.get(field)
            if value is None:
                continue
            key = key_of(kind, value)
            if key in first:
                self.issues.add(
                    c.sheet, c.row, field, f"{key} is repeated (first on row {first[key]})"
                )
            else:
                first[key] = c.row
        column = {
            "units": Unit.credit_code,
            "sites": Site.ref,
            "systems": System.ref,
            "cameras": Camera.gb_id,
        }[kind]
        existing: set[str] = set()
        keys = list(first)
        for i in range(0, len(keys), CHUNK):
            existing.update(
                self.session.scalars(select(column).where(column.in_(keys[i : i + CHUNK])))
            )
        for c in rows:
            value = c.values.get(field)
            if (
                value is not None
                and (key := key_of(kind, value)) in existing
                and first[key] == c.row
            ):
                self.issues.add(c.sheet, c.row, field, f"a {NOUN[kind]} {key} already exists")

    def _load_references(self, parsed: dict[Kind, list[Candidate]]) -> None:
        """Targets for the file's own rows, then for keys it names that live in the
        registry (read through the principal's scope: what they cannot see is unknown)."""
        for kind in ("units", "sites"):
            field = KEY_COLUMNS[kind]
            for c in parsed.get(kind, []):
                if (value := c.values.get(field)) is not None:
                    self.targets[kind].setdefault(
                        key_of(kind, value),
                        Target(
                            c.values.get("jurisdiction_code"), category=c.values.get("category")
                        ),
                    )
        wanted: dict[Kind, set[str]] = {k: set() for k in KINDS}
        for kind in KINDS:
            for column in import_columns(kind):
                if column.refers_to is None:
                    continue
                for c in parsed.get(kind, []):
                    if (text := c.refs.get(column.name)) is not None:
                        wanted[column.refers_to].add(key_of(column.refers_to, text))
        for c in parsed.get("systems", []):
            if (ref := c.values.get("ref")) is not None:
                wanted["systems"].discard(ref)  # defined here; filled when checked
        for kind, keys in wanted.items():
            self._load_from_db(kind, sorted(keys - self.targets[kind].keys()))

    def _load_from_db(self, kind: Kind, keys: list[str]) -> None:
        stmt: Select[Any, Any, Any, Any]
        if kind == "units":
            key_col: Any = Unit.credit_code
            stmt = select(Unit.credit_code, Unit.id, Unit.jurisdiction_code, null())
        elif kind == "sites":
            key_col = Site.ref
            stmt = select(Site.ref, Site.id, Site.jurisdiction_code, Site.category)
        elif kind == "systems":
            key_col = System.ref
            stmt = select(System.ref, System.id, System.jurisdiction_code, Site.category).join(
                Site, System.site_id == Site.id
            )
        else:
            return
        visible = scope.where(self.principal, RESOURCES[kind], Action.READ)
        for i in range(0, len(keys), CHUNK):
            rows = self.session.execute(stmt.where(key_col.in_(keys[i : i + CHUNK]), visible))
            for key, db_id, code, category in rows:
                self.targets[kind][str(key)] = Target(code, db_id, category, in_file=False)

    def _subtree(self, code: str) -> frozenset[str]:
        if code not in self._subtrees:
            self._subtrees[code] = subtree_codes(self.session, code)
        return self._subtrees[code]

    # --- per kind -------------------------------------------------------------------------

    def _check_units(self, c: Candidate) -> None:
        if (code := c.values.get("credit_code")) is not None:
            c.values["credit_code"] = code.upper()
            self._problems("units", c, validation.credit_code(code.upper()))
        self._jurisdiction(c)

    def _check_sites(self, c: Candidate) -> None:
        self._jurisdiction(c)
        self._resolve(c, "responsible_unit_credit_code", "units")

    def _check_systems(self, c: Candidate) -> None:
        site = self._resolve(c, "site_ref", "sites")
        for column in ("builder", "user", "maintainer"):
            self._resolve(c, f"{column}_unit_credit_code", "units")
        values = c.values
        problems = validation.retention(values.get("retention_days"))
        if all(f in values for f in LIFECYCLE_FIELDS):
            facts = validation.LifecycleFacts(**{f: values[f] for f in LIFECYCLE_FIELDS})
            problems += validation.lifecycle(facts)
        self._problems("systems", c, problems)
        if (ref := values.get("ref")) is not None and ref not in self.targets["systems"]:
            self.targets["systems"][ref] = Target(
                site.jurisdiction_code if site else None, category=site.category if site else None
            )

    def _check_cameras(self, c: Candidate) -> None:
        values = c.values
        system = self._resolve(c, "system_ref", "systems")
        problems: list[validation.Problem] = []
        if system is not None and system.category is not None and not self.legacy_survey:
            problems += validation.camera_site(system.category)
        if system is not None and system.jurisdiction_code and "gb_id" in values:
            problems += validation.camera_gb_id(
                values["gb_id"],
                jurisdiction_codes=self._subtree(system.jurisdiction_code),
                camera_type_codes=self.camera_type_codes,
            )
        problems += validation.retention(values.get("retention_days"))
        if values.get("stream_url"):
            problems += self._stream_url(values)
        self._problems("cameras", c, problems)

    def _stream_url(self, values: dict[str, Any]) -> list[validation.Problem]:
        """Take credentials out of the URL (stored encrypted, never echoed)."""
        try:
            url, user, password = validation.split_credentials(values["stream_url"])
        except ValueError:
            # The parser's message may quote the URL, credentials and all: not repeated.
            return [validation.Problem("stream_url", "not a valid URL (check host and port)")]
        values["stream_url"] = url
        if user and not values.get("username"):
            values["username"] = user
        if password and values.get("password") is None:
            values["password_from_url"] = password
        return validation.stream_url(url)
