"""The inspection checklists and their decisions (Art. 21): which items each site category
gets, what makes a record whole, and the provision of a follow-up case."""

from __future__ import annotations

import datetime as dt

import pytest

from psvis.enforcement import checklists, rules
from psvis.enforcement.checklists import ItemEntry, ItemResult
from psvis.enforcement.enums import Basis
from psvis.registry.enums import SiteCategory

TODAY = dt.date(2026, 3, 10)
P, F, NA = ItemResult.PASS, ItemResult.FAIL, ItemResult.NA


def all_pass(category: SiteCategory) -> list[ItemEntry]:
    return [ItemEntry(k, P) for k in checklists.CHECKLISTS[category]]


@pytest.mark.parametrize("category", list(SiteCategory))
def test_each_category_gets_the_items_its_articles_impose(category: SiteCategory) -> None:
    keys = set(checklists.CHECKLISTS[category])
    coverage = {"entrance", "passage", "key_spot"}
    if category.is_privacy:
        # Art. 9: no system may be there, so only that is checked.
        assert keys == {"no_privacy"}
        return
    assert {"signage", "retention", "duty_log", "training"} <= keys
    assert "no_privacy" not in keys
    # Art. 8 coverage is a duty of the mandatory places only.
    assert (coverage <= keys) is category.is_mandatory
    assert not (coverage & keys) or category.is_mandatory


def test_items_cite_their_article_and_a_real_provision() -> None:
    for item in checklists.ITEMS.values():
        assert item.article.startswith("Art. ")
        assert item.article_zh.startswith("第")
        if item.basis is not None:
            assert item.basis in rules.PROVISIONS
    assert checklists.ITEMS["entrance"].basis is Basis.ART24
    assert checklists.ITEMS["signage"].basis is Basis.ART25_1
    assert checklists.ITEMS["unobstructed"].basis is Basis.ART25_2
    assert checklists.ITEMS["training"].basis is Basis.ART25_4
    assert checklists.ITEMS["no_privacy"].basis is None


def test_a_whole_record_is_allowed() -> None:
    decision = checklists.may_record(
        category=SiteCategory.ART8_4,
        items=all_pass(SiteCategory.ART8_4),
        inspected_on=TODAY,
        today=TODAY,
    )
    assert decision.ok


@pytest.mark.parametrize(
    ("mutate", "rule"),
    [
        (lambda e: e[1:], "inspection_incomplete"),
        (lambda e: [*e, ItemEntry("signage", P)], "inspection_item_repeated"),
        (lambda e: [*e, ItemEntry("no_privacy", P)], "inspection_item_unknown"),
        (lambda e: [*e, ItemEntry("bogus", P)], "inspection_item_unknown"),
        (lambda e: [ItemEntry(e[0].key, F), *e[1:]], "inspection_note_required"),
        (lambda e: [ItemEntry(e[0].key, NA, "  "), *e[1:]], "inspection_note_required"),
    ],
)
def test_refusals_name_art21(mutate: object, rule: str) -> None:
    entries = mutate(all_pass(SiteCategory.ART8_4))  # type: ignore[operator]
    decision = checklists.may_record(
        category=SiteCategory.ART8_4, items=entries, inspected_on=TODAY, today=TODAY
    )
    assert not decision.ok
    assert (decision.rule, decision.article, decision.article_zh) == (
        rule,
        "Art. 21",
        "第二十一条",
    )


def test_the_inspection_day_is_today_or_before() -> None:
    entries = all_pass(SiteCategory.OTHER)
    ok = checklists.may_record(
        category=SiteCategory.OTHER, items=entries, inspected_on=TODAY, today=TODAY
    )
    late = checklists.may_record(
        category=SiteCategory.OTHER,
        items=entries,
        inspected_on=TODAY + dt.timedelta(days=1),
        today=TODAY,
    )
    assert ok.ok
    assert (late.ok, late.rule) == (False, "inspection_in_future")


def test_a_failed_item_with_a_note_is_a_record() -> None:
    entries = [
        ItemEntry(k, F, "入口无标识") if k == "signage" else ItemEntry(k, P)
        for k in checklists.CHECKLISTS[SiteCategory.ART8_5]
    ]
    assert checklists.may_record(
        category=SiteCategory.ART8_5, items=entries, inspected_on=TODAY, today=TODAY
    ).ok
    assert checklists.failed_items(entries) == ["signage"]


RESULTS = {"signage": F, "entrance": F, "passage": F, "training": F, "retention": P}


@pytest.mark.parametrize(
    ("chosen", "rule", "basis"),
    [
        (["signage"], "followup_ok", Basis.ART25_1),
        (["entrance", "passage"], "followup_ok", Basis.ART24),
        (["entrance", "entrance"], "followup_ok", Basis.ART24),
        (["training"], "followup_ok", Basis.ART25_4),
        ([], "followup_no_items", None),
        (["retention"], "followup_item_not_failed", None),
        (["duty_log"], "followup_item_not_failed", None),
        (["signage", "entrance"], "followup_mixed_basis", None),
    ],
)
def test_followup_basis(chosen: list[str], rule: str, basis: Basis | None) -> None:
    decision, got = checklists.followup_basis(results=RESULTS, chosen=chosen)
    assert decision.rule == rule
    assert decision.ok is (basis is not None)
    assert got is basis
    assert decision.article == "Art. 21"


def test_a_privacy_item_is_brought_under_another_law() -> None:
    decision, basis = checklists.followup_basis(results={"no_privacy": F}, chosen=["no_privacy"])
    assert decision.ok
    assert basis is Basis.ART23
