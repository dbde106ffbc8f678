"""Inspections (Art. 21): what the police check at a site, per site category, and the
pure decisions on a recorded inspection and on the case that follows a failed one.

Art. 21 gives the police the day-to-day supervision of building, maintenance, use and
security; the checklist turns it into items, each citing the article that imposes the
duty and the provision a breach of it is punished under (Chapter 4):

=================  ==================================  =========================
item               duty                                breach punished under
=================  ==================================  =========================
``signage``        Art. 10 visible signage             Art. 25(1)
``unobstructed``   Art. 10 nothing obstructs capture   Art. 25(2)
``entrance``       Art. 8 main entrances covered       Art. 24
``passage``        Art. 8 passages covered             Art. 24
``key_spot``       Art. 8 key spots covered            Art. 24
``retention``      Art. 17(4) ≥ 30 days kept           Art. 25(4)
``operation``      Art. 17(3) 24 h, clear images       Art. 25(4)
``duty_log``       Art. 17(1) duty-monitoring log      Art. 25(4)
``rules_on_file``  Art. 17(1) management rules         Art. 25(4)
``training``       Art. 17(2) staff trained            Art. 25(4)
``no_privacy``     Art. 9 no camera in a privacy place (no penalty in Chapter 4:
                                                        another law, Art. 23)
=================  ==================================  =========================

Art. 8 (mandatory) sites get every item; other sites with a system the items that do not
depend on Art. 8 coverage; Art. 9 privacy places only ``no_privacy`` (a system must not
be there at all, so its signage or retention is not a question).

No database and no clock: the caller passes the facts and ``today``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from psvis.compliance.rules import Decision
from psvis.enforcement.enums import Basis
from psvis.registry.enums import SiteCategory

ART21, ART21_ZH = "Art. 21", "第二十一条"


class ItemResult(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - a checklist result, not a password
    FAIL = "fail"
    #: Not applicable at this visit (e.g. the site has no key spot); says why in the note.
    NA = "na"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    article: str
    article_zh: str
    #: The provision a failed item is punished under (None: not by this regulation).
    basis: Basis | None
    #: What the inspector checks (zh-CN; the console has the English).
    question_zh: str


def _i(key: str, article: str, article_zh: str, basis: Basis | None, q: str) -> ChecklistItem:
    return ChecklistItem(key, article, article_zh, basis, q)


ITEMS: Final[Mapping[str, ChecklistItem]] = {
    i.key: i
    for i in (
        _i("signage", "Art. 10", "第十条", Basis.ART25_1, "设有明显的公共安全视频图像信息系统标识"),
        _i(
            "unobstructed",
            "Art. 10",
            "第十条",
            Basis.ART25_2,
            "图像采集未被户外广告、管线、树木或者其他设施遮挡",
        ),
        _i("entrance", "Art. 8", "第八条", Basis.ART24, "主要出入口已安装视频图像采集设备"),
        _i("passage", "Art. 8", "第八条", Basis.ART24, "主要通道已安装视频图像采集设备"),
        _i("key_spot", "Art. 8", "第八条", Basis.ART24, "重要部位已安装视频图像采集设备"),
        _i(
            "retention",
            "Art. 17(4)",
            "第十七条第（四）项",
            Basis.ART25_4,
            "图像信息保存不少于30日",
        ),
        _i(
            "operation",
            "Art. 17(3)",
            "第十七条第（三）项",
            Basis.ART25_4,
            "24小时运行，图像清晰，故障及时修复",
        ),
        _i(
            "duty_log",
            "Art. 17(1)",
            "第十七条第（一）项",
            Basis.ART25_4,
            "建立值班监看制度并有值班记录",
        ),
        _i(
            "rules_on_file",
            "Art. 17(1)",
            "第十七条第（一）项",
            Basis.ART25_4,
            "建立信息保存使用、运行维护等管理制度",
        ),
        _i(
            "training",
            "Art. 17(2)",
            "第十七条第（二）项",
            Basis.ART25_4,
            "监看、管理人员经业务技能和保密培训且在有效期内",
        ),
        _i(
            "no_privacy",
            "Art. 9",
            "第九条",
            None,
            "未在涉及个人隐私的场所内部安装视频图像采集设备",
        ),
    )
}

_COVERAGE: Final = ("entrance", "passage", "key_spot")
_DUTIES: Final = ("retention", "operation", "duty_log", "rules_on_file", "training")
_MANDATORY: Final = ("signage", "unobstructed", *_COVERAGE, *_DUTIES)
_OTHER: Final = ("signage", "unobstructed", *_DUTIES)

#: The checklist of each site category, in the order the inspector walks it.
CHECKLISTS: Final[Mapping[SiteCategory, tuple[str, ...]]] = {
    category: (
        _MANDATORY if category.is_mandatory else ("no_privacy",) if category.is_privacy else _OTHER
    )
    for category in SiteCategory
}


def checklist(category: SiteCategory) -> tuple[ChecklistItem, ...]:
    return tuple(ITEMS[key] for key in CHECKLISTS[category])


def _decide(ok: bool, rule: str, reason: str, **evidence: object) -> Decision:
    return Decision(
        ok=ok,
        rule=rule,
        article=ART21,
        article_zh=ART21_ZH,
        reason=f"{reason} ({ART21})" if not ok else reason,
        evidence=dict(evidence),
    )


@dataclass(frozen=True, slots=True)
class ItemEntry:
    key: str
    result: ItemResult
    note: str = ""


def may_record(
    *,
    category: SiteCategory,
    items: Iterable[ItemEntry],
    inspected_on: dt.date,
    today: dt.date,
) -> Decision:
    """An inspection record is whole and honest: every item of the site's checklist has
    a result, none is outside it or given twice, a failed or not-applicable item says why
    (the note is the evidence a follow-up case rests on), and it happened — not in the
    future."""
    entries = list(items)
    if inspected_on > today:
        return _decide(
            False,
            "inspection_in_future",
            f"the inspection day {inspected_on} is after today {today}",
            inspected_on=inspected_on.isoformat(),
        )
    keys = [e.key for e in entries]
    expected = CHECKLISTS[category]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        return _decide(
            False, "inspection_item_repeated", f"items given twice: {repeated}", items=repeated
        )
    unknown = sorted(set(keys) - set(expected))
    if unknown:
        return _decide(
            False,
            "inspection_item_unknown",
            f"items not on the checklist of {category.value}: {unknown}",
            items=unknown,
        )
    missing = [k for k in expected if k not in keys]
    if missing:
        return _decide(
            False,
            "inspection_incomplete",
            f"items without a result: {missing}",
            items=missing,
        )
    unexplained = [e.key for e in entries if e.result is not ItemResult.PASS and not e.note.strip()]
    if unexplained:
        return _decide(
            False,
            "inspection_note_required",
            f"a failed or not applicable item needs a note: {unexplained}",
            items=unexplained,
        )
    return _decide(True, "inspection_ok", "the inspection record is complete")


def failed_items(items: Iterable[ItemEntry]) -> list[str]:
    return [e.key for e in items if e.result is ItemResult.FAIL]


def followup_basis(
    *, results: Mapping[str, ItemResult], chosen: Iterable[str]
) -> tuple[Decision, Basis | None]:
    """The provision of a follow-up case on the ``chosen`` items of an inspection: each
    must have failed at it, and one case is brought under one provision (the items must
    share it). An Art. 9 item has no provision of this regulation: its case is brought
    under another law (Art. 23), named on the case."""
    picked = list(dict.fromkeys(chosen))
    if not picked:
        return _decide(False, "followup_no_items", "choose the failed items the case is about"), (
            None
        )
    not_failed = [k for k in picked if results.get(k) is not ItemResult.FAIL]
    if not_failed:
        return (
            _decide(
                False,
                "followup_item_not_failed",
                f"only failed items ground a follow-up case: {not_failed}",
                items=not_failed,
            ),
            None,
        )
    bases = {ITEMS[k].basis for k in picked}
    if len(bases) > 1:
        return (
            _decide(
                False,
                "followup_mixed_basis",
                "the items fall under different provisions: open one case per provision",
                bases=sorted(str(b) for b in bases),
            ),
            None,
        )
    basis = bases.pop() or Basis.ART23
    return _decide(True, "followup_ok", f"a case under {basis.value}"), basis
