"""The message catalog is complete: both languages, every key the templates use, every
enum value labelled, and the templates never reach for a camera's password."""

from __future__ import annotations

import re
import string

import pytest

from psvis.auth.policy import Role
from psvis.compliance.rules import FINDING_RULES
from psvis.console.i18n import (
    CATALOG,
    LANGUAGES,
    article_text,
    label,
    normalise_language,
    translate,
)
from psvis.console.render import TEMPLATE_DIR
from psvis.console.stats import ARTICLES
from psvis.registry.enums import (
    AcceptanceResult,
    CameraRole,
    Investment,
    LifecycleState,
    NetworkInterface,
    SiteCategory,
    UnitKind,
)

# t('key') / t("key") with a literal key, and label('kind', ...) with a literal kind.
T_CALL = re.compile(r"""\bt\(\s*['"]([^'"]+)['"]""")
KEY_ARG = re.compile(r"""\b(?:enum_filter|kv)\([^)]*?['"]([a-z_]+\.[a-z_.]+)['"]""")
PREFIXED = re.compile(r"""\bt\(\s*['"]([a-z_.]+\.)['"]\s*~""")
LABEL_CALL = re.compile(r"""\blabel\(\s*['"]([a-z_]+)['"]""")


def _templates() -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(TEMPLATE_DIR.glob("*.html"))}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    for key, entry in CATALOG.items():
        assert set(entry) == set(LANGUAGES), key
        for lang in LANGUAGES:
            assert entry[lang].strip(), f"{key} is empty in {lang}"
        assert _fields(entry["zh-CN"]) == _fields(entry["en"]), key


def test_every_key_used_in_templates_exists() -> None:
    used: set[str] = set()
    for name, text in _templates().items():
        keys = set(T_CALL.findall(text)) | set(KEY_ARG.findall(text))
        missing = sorted(k for k in keys if k not in CATALOG and not k.endswith("."))
        assert not missing, f"{name} uses unknown keys {missing}"
        used |= keys
    assert "login.title" in used  # the scan itself works


def test_every_label_kind_in_templates_is_complete() -> None:
    kinds = {kind for text in _templates().values() for kind in LABEL_CALL.findall(text)} | {"role"}
    values: dict[str, list[str]] = {
        "category": [c.value for c in SiteCategory],
        "state": [s.value for s in LifecycleState],
        "camrole": [r.value for r in CameraRole],
        "role": [r.value for r in Role],
        "unitkind": [k.value for k in UnitKind],
        "investment": [i.value for i in Investment],
        "netif": [n.value for n in NetworkInterface],
        "acceptance": [a.value for a in AcceptanceResult],
        "fstatus": ["open", "resolved"],
        "subject": ["site", "system", "camera", "unit", "storage", "segment"],
        "rule": list(FINDING_RULES),
    }
    assert kinds <= set(values), f"label kinds without a test: {kinds - set(values)}"
    for kind in kinds:
        for value in values[kind]:
            assert f"{kind}.{value}" in CATALOG, f"no label for {kind}.{value}"


def test_prefixed_keys_are_complete() -> None:
    """Keys built as t('prefix.' ~ value) in templates."""
    prefixes = {p for text in _templates().values() for p in PREFIXED.findall(text)}
    assert prefixes == {"error.title.", "error.body.", "article.", "camera.origin."}
    for code in (400, 403, 404, 409, 422):
        assert f"error.title.{code}" in CATALOG
        assert f"error.body.{code}" in CATALOG
    for article in ARTICLES:
        assert f"article.{article}" in CATALOG
    for origin in ("registry", "legacy_survey"):
        assert f"camera.origin.{origin}" in CATALOG


@pytest.mark.parametrize(
    ("category", "zh"),
    [
        (SiteCategory.ART8_1, "第八条第（一）项 国家机关和广播电台、电视台、报社等重要新闻单位"),
        (SiteCategory.ART8_4, "第八条第（四）项 电信、邮政、金融单位"),
        (SiteCategory.ART8_10, "第八条第（十）项 住宅小区"),
        (SiteCategory.ART8_11, "第八条第（十一）项 法律、法规规定的其他场所和区域"),
        (SiteCategory.ART9_DORMITORY, "第九条 集体宿舍"),
        (SiteCategory.ART9_HOTEL_ROOM, "第九条 旅馆客房"),
        (SiteCategory.ART9_BATHHOUSE, "第九条 浴室"),
        (SiteCategory.ART9_CHANGING_ROOM, "第九条 更衣室"),
        (SiteCategory.ART9_TOILET, "第九条 卫生间"),
    ],
)
def test_category_labels_cite_the_article(category: SiteCategory, zh: str) -> None:
    assert label("category", category, "zh-CN") == zh
    assert label("category", category, "en").startswith("Art. ")


def test_lifecycle_and_role_labels() -> None:
    zh = [label("state", s, "zh-CN") for s in LifecycleState]
    assert zh == ["规划", "建设中", "待验收", "已验收", "已告知拆除", "已拆除"]
    roles = [label("camrole", r, "zh-CN") for r in CameraRole]
    assert roles == ["出入口", "通道", "重点部位", "其他"]
    assert label("role", Role.CITY_ADMIN, "zh-CN") == "市局管理员"


def test_translate_formats_and_falls_back() -> None:
    assert translate("common.range", "en", total=3, start=1, end=3) == "3 in total, showing 1–3"
    assert translate("no.such.key", "en") == "no.such.key"
    assert normalise_language("EN") == "en"
    assert normalise_language("zh-cn") == "zh-CN"
    assert normalise_language("fr") is None


def test_templates_never_touch_the_camera_password() -> None:
    for name, text in _templates().items():
        assert "password_encrypted" not in text, name
        assert "camera.password " not in text, name


def test_keys_named_in_python_exist() -> None:
    """Keys the route modules pass to templates (navigation, sign-in messages)."""
    console = TEMPLATE_DIR.parent
    literal = re.compile(r"""["']((?:nav|login|error|common|dash)\.[a-z_.]+)["']""")
    found = {k for p in console.glob("*.py") for k in literal.findall(p.read_text("utf-8"))}
    assert {"nav.dashboard", "login.failed", "login.locked", "login.expired"} <= found
    assert not sorted(k for k in found if k not in CATALOG and not k.endswith(".html"))


@pytest.mark.parametrize(
    ("article", "zh"),
    [
        ("Art. 8", "第八条"),
        ("Art. 8(10)", "第八条第（十）项"),
        ("Art. 17(4)", "第十七条第（四）项"),
        ("Art. 24", "第二十四条"),
        ("Art. 25(3)", "第二十五条第（三）项"),
    ],
)
def test_article_citations_in_chinese(article: str, zh: str) -> None:
    assert article_text(article, "zh-CN") == zh
    assert article_text(article, "en") == article
