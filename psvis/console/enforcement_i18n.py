"""The enforcement pages' messages (zh-CN and English), merged into the console catalog.

``enforcement.rule.<rule>`` gives each refusal of :mod:`psvis.enforcement.rules` its
sentence; the article is appended from the refusal itself.
"""

from __future__ import annotations

from typing import Final

from psvis.console.enforcement_duty_i18n import DUTY_MESSAGES
from psvis.console.enforcement_inspection_i18n import INSPECTION_MESSAGES
from psvis.console.enforcement_planning_i18n import PLANNING_MESSAGES
from psvis.console.enforcement_report_i18n import REPORT_MESSAGES

_NAV: dict[str, dict[str, str]] = {
    "nav.enforcement": {"zh-CN": "执法案件", "en": "Enforcement"},
    "enforcement.title": {"zh-CN": "执法案件", "en": "Enforcement cases"},
    "enforcement.note": {
        "zh-CN": "违反第二十四条、第二十五条的，先责令限期改正，逾期复查仍未改正的方可罚款；"
        "违反第二十六条的，责令改正并处罚款；法律、法规已有处罚规定的，从其规定（第二十三条）。",
        "en": "Under Art. 24 and 25 a correction order with a deadline comes first; a fine "
        "only after a re-check past the deadline finds it not corrected. Under Art. 26 the "
        "order and the fine come at once. Where another law already punishes the act, it "
        "applies (Art. 23).",
    },
    "enforcement.new": {"zh-CN": "立案", "en": "Open a case"},
    "enforcement.from_finding": {"zh-CN": "据此立案", "en": "Open a case on this finding"},
    "enforcement.none": {"zh-CN": "没有符合条件的案件。", "en": "No case matches."},
    "enforcement.number": {"zh-CN": "案件编号", "en": "Case number"},
    "enforcement.basis": {"zh-CN": "处罚依据", "en": "Provision"},
    "enforcement.party": {"zh-CN": "当事人", "en": "Party"},
    "enforcement.manager": {"zh-CN": "直接负责的主管人员", "en": "Directly responsible manager"},
    "enforcement.facts": {"zh-CN": "违法事实", "en": "Facts"},
    "enforcement.other_law": {
        "zh-CN": "适用的其他法律、法规（第二十三条）",
        "en": "Other law applied (Art. 23)",
    },
    "enforcement.state": {"zh-CN": "状态", "en": "State"},
    "enforcement.opened": {"zh-CN": "立案时间", "en": "Opened"},
    "enforcement.closed": {"zh-CN": "结案时间", "en": "Closed"},
    "enforcement.close_reason": {"zh-CN": "结案理由", "en": "Reason for closing"},
    "enforcement.finding": {"zh-CN": "来源问题", "en": "From finding"},
    "enforcement.unit": {"zh-CN": "单位", "en": "Unit"},
    "enforcement.procedure": {"zh-CN": "程序", "en": "Procedure"},
    "enforcement.caps": {"zh-CN": "罚款上限", "en": "Caps"},
    "enforcement.cap_unit": {"zh-CN": "{n} 元", "en": "{n} yuan"},
    "enforcement.cap_manager": {"zh-CN": "主管人员 {n} 元", "en": "manager {n} yuan"},
    "enforcement.cap_none": {
        "zh-CN": "本办法上限不适用（依其他法律）",
        "en": "no cap of this regulation (other law)",
    },
    "enforcement.china_date": {"zh-CN": "日期均为北京时间。", "en": "Dates are China time."},
}

_STATES: dict[str, dict[str, str]] = {
    "enforcement.state.open": {"zh-CN": "已立案", "en": "Open"},
    "enforcement.state.ordered": {"zh-CN": "已责令改正", "en": "Correction ordered"},
    "enforcement.state.corrected": {"zh-CN": "已改正", "en": "Corrected"},
    "enforcement.state.not_corrected": {"zh-CN": "逾期未改正", "en": "Not corrected"},
    "enforcement.state.decided": {"zh-CN": "已作出处罚决定", "en": "Penalty decided"},
    "enforcement.state.closed": {"zh-CN": "已结案", "en": "Closed"},
    "enforcement.procedure.order_first": {
        "zh-CN": "责令限期改正 → 逾期复查 → 罚款",
        "en": "Correction order with deadline → re-check → fine",
    },
    "enforcement.procedure.order_and_fine": {
        "zh-CN": "责令改正并处罚款（可移送治安、刑事）",
        "en": "Order and fine at once (referral possible)",
    },
    "enforcement.procedure.other_law": {
        "zh-CN": "依其他法律、法规处理",
        "en": "Under another law",
    },
    "enforcement.basis.art24": {
        "zh-CN": "第二十四条 应当建设而未建设",
        "en": "Art. 24 Required system not built",
    },
    "enforcement.basis.art25_1": {
        "zh-CN": "第二十五条第（一）项 未设置明显标识",
        "en": "Art. 25(1) No visible signage",
    },
    "enforcement.basis.art25_2": {
        "zh-CN": "第二十五条第（二）项 妨碍图像采集",
        "en": "Art. 25(2) Obstructing image capture",
    },
    "enforcement.basis.art25_3": {
        "zh-CN": "第二十五条第（三）项 拆除未提前书面告知",
        "en": "Art. 25(3) Removal without written notice",
    },
    "enforcement.basis.art25_4": {
        "zh-CN": "第二十五条第（四）项 使用单位未遵守有关规定",
        "en": "Art. 25(4) User unit breaking the rules",
    },
    "enforcement.basis.art26_1": {
        "zh-CN": "第二十六条第（一）项 改变用途、指向方位和范围",
        "en": "Art. 26(1) Changed use, direction or coverage",
    },
    "enforcement.basis.art26_2": {
        "zh-CN": "第二十六条第（二）项 非法买卖、提供、复制、调取信息资料",
        "en": "Art. 26(2) Unlawful trade, copying or retrieval of footage",
    },
    "enforcement.basis.art26_3": {
        "zh-CN": "第二十六条第（三）项 删改、隐匿、破坏原始记录",
        "en": "Art. 26(3) Deleting, altering or hiding originals",
    },
    "enforcement.basis.art23": {
        "zh-CN": "第二十三条 依其他法律、法规",
        "en": "Art. 23 Another law applies",
    },
}

_CASE: dict[str, dict[str, str]] = {
    "enforcement.case": {"zh-CN": "案件", "en": "Case"},
    "enforcement.facts_h": {"zh-CN": "案件情况", "en": "The case"},
    "enforcement.evidence_h": {"zh-CN": "证据（立案时的问题记录）", "en": "Evidence (the finding)"},
    "enforcement.steps_h": {"zh-CN": "下一步", "en": "Next step"},
    "enforcement.steps_note": {
        "zh-CN": "按处罚依据的程序，当前允许的操作：",
        "en": "What the provision's procedure allows now:",
    },
    "enforcement.steps_none": {
        "zh-CN": "本案没有可进行的操作。",
        "en": "Nothing more can be done on this case.",
    },
    "enforcement.step.order": {"zh-CN": "责令限期改正", "en": "Order correction"},
    "enforcement.step.recheck": {"zh-CN": "复查", "en": "Re-check"},
    "enforcement.step.decide": {"zh-CN": "作出处罚决定", "en": "Decide the penalty"},
    "enforcement.step.close": {"zh-CN": "结案", "en": "Close"},
    "enforcement.not_now": {"zh-CN": "暂不可：", "en": "Not now:"},
    "enforcement.order_h": {"zh-CN": "责令限期改正", "en": "Correction order"},
    "enforcement.deadline": {"zh-CN": "改正期限（含当日）", "en": "Deadline (inclusive)"},
    "enforcement.requirement": {"zh-CN": "改正要求", "en": "What must be corrected"},
    "enforcement.issue_order": {"zh-CN": "签发责令改正通知书", "en": "Issue the order"},
    "enforcement.issued_on": {"zh-CN": "签发日期", "en": "Issued on"},
    "enforcement.recheck_h": {"zh-CN": "复查", "en": "Re-check"},
    "enforcement.checked_on": {"zh-CN": "复查日期", "en": "Checked on"},
    "enforcement.result": {"zh-CN": "复查结果", "en": "Result"},
    "enforcement.corrected_yes": {"zh-CN": "已改正", "en": "Corrected"},
    "enforcement.corrected_no": {"zh-CN": "未改正", "en": "Not corrected"},
    "enforcement.notes": {"zh-CN": "复查记录", "en": "Notes"},
    "enforcement.record_recheck": {"zh-CN": "登记复查结果", "en": "Record the re-check"},
    "enforcement.rechecks_none": {"zh-CN": "尚未复查。", "en": "No re-check yet."},
    "enforcement.decision_h": {"zh-CN": "行政处罚决定", "en": "Penalty decision"},
    "enforcement.decision_note": {
        "zh-CN": "罚款以元为单位，须为整数；由公安机关负责人（局长）决定。",
        "en": "Amounts in whole yuan; the chief decides.",
    },
    "enforcement.fine": {"zh-CN": "罚款（元）", "en": "Fine (yuan)"},
    "enforcement.manager_fine": {
        "zh-CN": "对直接负责的主管人员罚款（元）",
        "en": "Fine on the manager (yuan)",
    },
    "enforcement.refer_public_order": {
        "zh-CN": "移送治安管理处罚",
        "en": "Refer for public-order penalty",
    },
    "enforcement.refer_criminal": {
        "zh-CN": "移送追究刑事责任",
        "en": "Refer for criminal handling",
    },
    "enforcement.reasons": {"zh-CN": "处理理由", "en": "Reasons"},
    "enforcement.decide": {"zh-CN": "签发行政处罚决定书", "en": "Issue the decision"},
    "enforcement.decided_on": {"zh-CN": "决定日期", "en": "Decided on"},
    "enforcement.close_h": {"zh-CN": "结案", "en": "Close the case"},
    "enforcement.close": {"zh-CN": "结案", "en": "Close"},
    "enforcement.documents_h": {"zh-CN": "法律文书", "en": "Documents"},
    "enforcement.documents_none": {"zh-CN": "尚无文书。", "en": "No document yet."},
    "enforcement.doc_kind.correction_order": {
        "zh-CN": "责令限期改正通知书",
        "en": "Correction order",
    },
    "enforcement.doc_kind.penalty_decision": {
        "zh-CN": "行政处罚决定书",
        "en": "Penalty decision",
    },
    "enforcement.doc_number": {"zh-CN": "文号", "en": "Number"},
    "enforcement.doc_issued": {"zh-CN": "签发时间", "en": "Issued"},
    "enforcement.preview": {"zh-CN": "预览", "en": "Preview"},
    "enforcement.download": {"zh-CN": "下载 PDF", "en": "Download PDF"},
    "enforcement.create": {"zh-CN": "立案", "en": "Open the case"},
    "enforcement.basis_from_finding": {
        "zh-CN": "默认取问题记录的处罚条款。",
        "en": "Defaults to the finding's penalty article.",
    },
    "enforcement.yuan": {"zh-CN": "{n} 元", "en": "{n} yuan"},
    "enforcement.referred": {"zh-CN": "移送", "en": "Referred"},
}

_RULES: dict[str, dict[str, str]] = {
    f"enforcement.rule.{rule}": {"zh-CN": zh, "en": en}
    for rule, zh, en in (
        (
            "art23_other_law_named",
            "依第二十三条立案或处罚的，须写明适用的法律、法规",
            "an Art. 23 case must name the law whose penalty applies",
        ),
        (
            "art23_other_law_only",
            "只有依第二十三条立案的案件才写明其他法律、法规",
            "another law is cited only in an Art. 23 case",
        ),
        ("order_state", "本案已不能再责令改正", "the case can no longer be ordered"),
        (
            "order_with_fine",
            "第二十六条规定责令改正并处罚款，责令改正随处罚决定一并作出",
            "under Art. 26 the order comes with the fine, in one decision",
        ),
        (
            "order_deadline_required",
            "责令限期改正须确定改正期限",
            "the order must set a deadline",
        ),
        (
            "order_deadline_future",
            "改正期限须晚于今日",
            "the deadline must be after today",
        ),
        ("recheck_state", "复查须在责令改正之后进行", "a re-check follows a correction order"),
        ("recheck_date_future", "复查日期不能晚于今日", "a re-check cannot be in the future"),
        (
            "recheck_before_order",
            "复查日期不能早于责令改正日期",
            "a re-check cannot predate the order",
        ),
        (
            "recheck_failed_before_deadline",
            "改正期限（含当日）届满前不能认定逾期未改正",
            "'not corrected' needs a re-check after the deadline",
        ),
        (
            "decide_no_order",
            "尚未责令限期改正，不能罚款",
            "no correction order yet: no fine",
        ),
        (
            "decide_before_deadline",
            "改正期限尚未届满，不能罚款",
            "the correction period has not passed: no fine",
        ),
        (
            "decide_no_failed_recheck",
            "期限届满后复查未认定逾期未改正，不能罚款",
            "no re-check after the deadline found it not corrected: no fine",
        ),
        ("decide_corrected", "复查已改正，不予罚款", "corrected in time: no fine"),
        ("decide_state", "本案当前状态不能作出处罚决定", "the case cannot be decided now"),
        (
            "decide_amount_positive",
            "罚款须为正整数（元）",
            "a fine is a positive whole number of yuan",
        ),
        ("decide_unit_cap", "罚款超过 1000 元上限", "the fine exceeds the 1,000 yuan cap"),
        (
            "decide_manager_cap",
            "对直接负责的主管人员罚款超过 200 元上限",
            "the manager's fine exceeds the 200 yuan cap",
        ),
        (
            "decide_manager_not_fined",
            "本条不处罚直接负责的主管人员（仅第二十四条）",
            "this provision fines no manager (only Art. 24 does)",
        ),
        (
            "decide_manager_named",
            "对主管人员罚款须在案件中写明其姓名",
            "fining the manager needs the manager named on the case",
        ),
        (
            "decide_referral_art26",
            "移送治安管理处罚或刑事处理适用于第二十六条的情形",
            "referral is the Art. 26 path",
        ),
        ("close_state", "本案已结案", "the case is already closed"),
        ("close_reason", "结案须写明理由", "closing needs a reason"),
    )
}

ENFORCEMENT_MESSAGES: Final[dict[str, dict[str, str]]] = {
    **_NAV,
    **_STATES,
    **_CASE,
    **_RULES,
    **INSPECTION_MESSAGES,
    **REPORT_MESSAGES,
    **PLANNING_MESSAGES,
    **DUTY_MESSAGES,
}
