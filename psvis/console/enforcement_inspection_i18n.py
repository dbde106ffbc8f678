"""The inspection pages' messages (Art. 21), zh-CN and English, merged into the console
catalog through :data:`psvis.console.enforcement_i18n.ENFORCEMENT_MESSAGES`.

``inspection.item.<key>`` names each checklist item of :mod:`psvis.enforcement.checklists`;
``enforcement.rule.<rule>`` gives each of its refusals a sentence (the article is
appended from the refusal).
"""

from __future__ import annotations

from typing import Final

_PAGES: dict[str, dict[str, str]] = {
    "inspection.title": {"zh-CN": "监督检查", "en": "Inspections"},
    "inspection.intro": {
        "zh-CN": "公安机关对公共安全视频图像信息系统的建设、维护、使用和安全管理进行日常监督检查"
        "（第二十一条）。检查按场所类别的检查表逐项记录，未通过的项目可据此立案。",
        "en": "The police supervise the building, maintenance, use and security of the "
        "systems day to day (Art. 21). Each visit is recorded item by item against the "
        "site category's checklist; failed items can be followed up by a case.",
    },
    "inspection.new": {"zh-CN": "新建检查", "en": "New inspection"},
    "inspection.none": {"zh-CN": "没有符合条件的检查记录。", "en": "No inspection matches."},
    "inspection.site": {"zh-CN": "场所", "en": "Site"},
    "inspection.site_id": {"zh-CN": "场所编号", "en": "Site id"},
    "inspection.load_checklist": {"zh-CN": "载入检查表", "en": "Load the checklist"},
    "inspection.category": {"zh-CN": "场所类别", "en": "Site category"},
    "inspection.date": {"zh-CN": "检查日期", "en": "Inspected on"},
    "inspection.failed": {"zh-CN": "未通过项", "en": "Failed items"},
    "inspection.failed_only": {"zh-CN": "检查结果", "en": "Result"},
    "inspection.with_failures": {"zh-CN": "有未通过项", "en": "With failed items"},
    "inspection.notes": {"zh-CN": "检查情况说明", "en": "Notes"},
    "inspection.note": {"zh-CN": "说明", "en": "Note"},
    "inspection.note_placeholder": {
        "zh-CN": "未通过或不适用时必须说明",
        "en": "Required when failed or not applicable",
    },
    "inspection.record": {"zh-CN": "保存检查记录", "en": "Record the inspection"},
    "inspection.results": {"zh-CN": "检查结果", "en": "Results"},
    "inspection.item": {"zh-CN": "检查项目", "en": "Item"},
    "inspection.article": {"zh-CN": "依据", "en": "Article"},
    "inspection.result": {"zh-CN": "结果", "en": "Result"},
    "inspection.result.pass": {"zh-CN": "通过", "en": "Pass"},
    "inspection.result.fail": {"zh-CN": "未通过", "en": "Fail"},
    "inspection.result.na": {"zh-CN": "不适用", "en": "N/A"},
    "inspection.photos": {"zh-CN": "现场照片", "en": "Photos"},
    "inspection.no_photos": {"zh-CN": "暂无照片。", "en": "No photos yet."},
    "inspection.photo_file": {
        "zh-CN": "照片（JPEG 或 PNG，不超过 {mb} MB）",
        "en": "Photo (JPEG or PNG, at most {mb} MB)",
    },
    "inspection.upload": {"zh-CN": "上传照片", "en": "Upload the photo"},
    "inspection.err_no_photo": {"zh-CN": "请选择照片文件。", "en": "Choose a photo file."},
    "inspection.followups": {"zh-CN": "后续立案", "en": "Follow-up cases"},
    "inspection.case": {"zh-CN": "案件", "en": "Case"},
    "inspection.followup_note": {
        "zh-CN": "选择同一处罚依据下的未通过项目立案（一案一个依据）；"
        "涉及第九条的项目须写明适用的其他法律。",
        "en": "Choose failed items under one provision (one provision per case); an Art. 9 "
        "item needs the other law that applies.",
    },
    "inspection.open_case": {"zh-CN": "据此立案", "en": "Open a case"},
}

_ITEMS: dict[str, dict[str, str]] = {
    "inspection.item.signage": {"zh-CN": "设置明显标识", "en": "Visible signage"},
    "inspection.item.unobstructed": {
        "zh-CN": "图像采集未被遮挡",
        "en": "Image capture not obstructed",
    },
    "inspection.item.entrance": {"zh-CN": "主要出入口覆盖", "en": "Main entrances covered"},
    "inspection.item.passage": {"zh-CN": "主要通道覆盖", "en": "Passages covered"},
    "inspection.item.key_spot": {"zh-CN": "重要部位覆盖", "en": "Key spots covered"},
    "inspection.item.retention": {"zh-CN": "图像保存不少于30日", "en": "Footage kept ≥ 30 days"},
    "inspection.item.operation": {
        "zh-CN": "24小时运行、图像清晰",
        "en": "Runs 24 h, clear images",
    },
    "inspection.item.duty_log": {"zh-CN": "值班监看记录", "en": "Duty-monitoring log"},
    "inspection.item.rules_on_file": {"zh-CN": "管理制度", "en": "Management rules on file"},
    "inspection.item.training": {"zh-CN": "人员培训", "en": "Staff training"},
    "inspection.item.no_privacy": {
        "zh-CN": "未在隐私场所安装",
        "en": "No camera in a privacy place",
    },
}

_RULES: dict[str, dict[str, str]] = {
    "enforcement.rule.inspection_in_future": {
        "zh-CN": "检查日期不能晚于今天",
        "en": "The inspection day cannot be after today",
    },
    "enforcement.rule.inspection_item_repeated": {
        "zh-CN": "检查项目重复",
        "en": "An item is given twice",
    },
    "enforcement.rule.inspection_item_unknown": {
        "zh-CN": "检查项目不在该类场所的检查表内",
        "en": "An item is not on this site category's checklist",
    },
    "enforcement.rule.inspection_incomplete": {
        "zh-CN": "检查表中每一项都须填写结果",
        "en": "Every item of the checklist needs a result",
    },
    "enforcement.rule.inspection_note_required": {
        "zh-CN": "未通过或不适用的项目须填写说明",
        "en": "A failed or not applicable item needs a note",
    },
    "enforcement.rule.followup_no_items": {
        "zh-CN": "请选择立案所依据的未通过项目",
        "en": "Choose the failed items the case is about",
    },
    "enforcement.rule.followup_item_not_failed": {
        "zh-CN": "只有未通过的项目可以立案",
        "en": "Only failed items ground a follow-up case",
    },
    "enforcement.rule.followup_mixed_basis": {
        "zh-CN": "所选项目的处罚依据不同，请按依据分别立案",
        "en": "The items fall under different provisions: open one case per provision",
    },
}

INSPECTION_MESSAGES: Final[dict[str, dict[str, str]]] = {**_PAGES, **_ITEMS, **_RULES}
