"""The jurisdiction tree (Art. 4), loaded from a data file: another city, another file."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.core.errors import InvalidInput
from psvis.registry.models import Jurisdiction

BUNDLED_TREE = "360100.toml"


@dataclass(frozen=True, slots=True)
class JurisdictionNode:
    code: str
    name: str
    name_en: str
    parent_code: str | None
    level: str
    lat: float
    lon: float


def read_tree(path: Path | None = None) -> list[JurisdictionNode]:
    """Parse a jurisdiction data file; the bundled Nanchang tree when ``path`` is None."""
    if path is None:
        text = (
            resources.files("psvis.data").joinpath("jurisdictions", BUNDLED_TREE).read_text("utf-8")
        )
        origin = f"bundled {BUNDLED_TREE}"
    else:
        text = path.read_text("utf-8")
        origin = str(path)
    try:
        data = tomllib.loads(text)
        city = data["city"]
        nodes = [_node(city, parent=None, level="city")]
        nodes += [_node(d, parent=nodes[0].code, level="district") for d in data["district"]]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"jurisdiction file {origin} is malformed: {exc}") from exc
    codes = [n.code for n in nodes]
    if len(set(codes)) != len(codes):
        raise InvalidInput(f"jurisdiction file {origin} repeats a code")
    for node in nodes[1:]:
        if node.code[:4] != nodes[0].code[:4]:
            raise InvalidInput(
                f"district {node.code} does not belong to city {nodes[0].code} (GB/T 2260)"
            )
    return nodes


def _node(raw: dict[str, object], *, parent: str | None, level: str) -> JurisdictionNode:
    code = str(raw["code"])
    if len(code) != 6 or not code.isdigit():
        raise ValueError(f"code {code!r} is not a six-digit GB/T 2260 code")
    lat, lon = float(str(raw["lat"])), float(str(raw["lon"]))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"position of {code} is outside WGS-84 range")
    return JurisdictionNode(
        code=code,
        name=str(raw["name"]),
        name_en=str(raw.get("name_en", raw["name"])),
        parent_code=parent,
        level=level,
        lat=lat,
        lon=lon,
    )


def sync_tree(session: Session, nodes: Iterable[JurisdictionNode]) -> int:
    """Insert or update the tree's rows (idempotent). Returns the number of nodes."""
    existing = {j.code: j for j in session.scalars(select(Jurisdiction))}
    count = 0
    for node in nodes:
        row = existing.get(node.code)
        if row is None:
            row = Jurisdiction(code=node.code)
            session.add(row)
        row.name, row.name_en, row.parent_code = node.name, node.name_en, node.parent_code
        row.level, row.lat, row.lon = node.level, node.lat, node.lon
        session.flush()
        count += 1
    return count


def subtree_codes(session: Session, code: str) -> frozenset[str]:
    """``code`` and every descendant's code."""
    children: dict[str | None, list[str]] = {}
    for child, parent in session.execute(select(Jurisdiction.code, Jurisdiction.parent_code)):
        children.setdefault(parent, []).append(child)
    found, stack = set(), [code]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return frozenset(found)


def list_all(session: Session) -> list[Jurisdiction]:
    return list(session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)))
