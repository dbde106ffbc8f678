from __future__ import annotations

import random

import pytest

from psvis.demo import names
from psvis.registry.jurisdictions import read_tree

DISTRICT_NAMES = {n.code: n.name for n in read_tree() if n.level == "district"}


def test_police_unit_names_follow_district_or_county() -> None:
    assert names.police_unit("360102", "东湖区") == "东湖分局"
    assert names.police_unit("360121", "南昌县") == "南昌县公安局"


def test_catalogue_is_deterministic_and_covers_every_district() -> None:
    first = names.catalogue(random.Random(5), DISTRICT_NAMES)
    assert names.catalogue(random.Random(5), DISTRICT_NAMES) == first
    assert {s.district for o in first for s in o.sites} == set(DISTRICT_NAMES)
    assert names.DEMO_UNIT in {o.name for o in first}


def test_catalogue_needs_the_nanchang_tree() -> None:
    with pytest.raises(ValueError, match="Nanchang districts"):
        names.catalogue(random.Random(5), {"360102": "东湖区"})
