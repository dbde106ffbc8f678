"""The unit duty page's words (Art. 17(1)(2)(5)), zh-CN and English, merged into the
console catalog through :data:`psvis.console.enforcement_i18n.ENFORCEMENT_MESSAGES`."""

from __future__ import annotations

from typing import Final

_RULES = {
    "duty_rules_no_period": ("制度文件不填写期间", "rules on file have no period"),
    "duty_log_period_required": (
        "值班记录须填写所覆盖的日期",
        "a duty log names the days it covers",
    ),
    "duty_log_period_order": ("结束日期早于开始日期", "the period ends before it starts"),
    "duty_log_period_future": (
        "值班记录只能覆盖已经过去的日期",
        "a duty log covers days that have passed",
    ),
    "training_in_future": ("培训尚未进行，不能登记", "a training is recorded once it was given"),
    "training_expiry_order": ("有效期须晚于培训日期", "a training expires after it was given"),
    "report_camera_not_own": (
        "只能报告本单位摄像机记录的信息",
        "a unit reports what its own cameras recorded",
    ),
    "report_range_empty": ("时间段的结束须晚于开始", "the range must end after it starts"),
    "report_range_future": ("时间段须已经过去", "the range must have passed"),
    "report_range_too_long": ("一次报告的时间段不超过24小时", "one report names at most 24 hours"),
    "report_already_acknowledged": ("该报告已签收", "the report was acknowledged already"),
    "commendation_unit_not_source": (
        "该单位不是此报告、申请或案件所涉单位",
        "the unit is not the one the report, request or case came from",
    ),
    "commendation_in_future": (
        "表彰日期不能晚于今天",
        "a commendation is recorded once it is given",
    ),
}

DUTY_MESSAGES: Final[dict[str, dict[str, str]]] = {
    "duty.title": {"zh-CN": "使用单位义务", "en": "Unit duties"},
    "duty.intro": {
        "zh-CN": "第十七条：使用单位建立值班监看、信息保存使用、运行维护等制度（第（一）项），"
        "对监控和管理人员进行专业技能和保密培训（第（二）项），发现涉及公共安全的可疑信息、"
        "突发事件和违法犯罪及时报告公安机关（第（五）项）。",
        "en": "Art. 17: the user unit sets up duty-monitoring, retention/use and O&M rules "
        "(1), trains its staff in skills and confidentiality (2), and reports suspicious "
        "information, emergencies and crimes to the police (5).",
    },
    "duty.documents": {"zh-CN": "制度与值班记录", "en": "Rules and duty logs on file"},
    "duty.trainings": {"zh-CN": "培训记录", "en": "Trainings"},
    "duty.reports": {"zh-CN": "可疑信息报告", "en": "Suspicious-information reports"},
    "duty.reports_note": {
        "zh-CN": "报告只注明摄像机和时间段，不附录像；公安机关签收后，调取录像须另行提出"
        "调取申请并经审批（第十八条、第十九条）。",
        "en": "A report names the camera and the time range, never the footage itself: after "
        "acknowledging it the police retrieve the footage by a request and its approval "
        "(Art. 18-19).",
    },
    "duty.unit": {"zh-CN": "单位", "en": "Unit"},
    "duty.kind": {"zh-CN": "类别", "en": "Kind"},
    "duty.kind.duty_rules": {"zh-CN": "值班监看制度", "en": "Duty-monitoring rules"},
    "duty.kind.retention_rules": {"zh-CN": "信息保存使用制度", "en": "Retention and use rules"},
    "duty.kind.om_rules": {"zh-CN": "运行维护制度", "en": "O&M rules"},
    "duty.kind.duty_log": {"zh-CN": "值班监看记录", "en": "Duty-monitoring log"},
    "duty.doc_title": {"zh-CN": "标题", "en": "Title"},
    "duty.period": {"zh-CN": "期间", "en": "Period"},
    "duty.period_start": {"zh-CN": "期间开始（值班记录）", "en": "From (duty log)"},
    "duty.period_end": {"zh-CN": "期间结束（值班记录）", "en": "To (duty log)"},
    "duty.file": {"zh-CN": "文件（PDF、JPEG、PNG）", "en": "File (PDF, JPEG, PNG)"},
    "duty.upload": {"zh-CN": "上传", "en": "Upload"},
    "duty.err_no_file": {"zh-CN": "请选择文件。", "en": "Choose a file."},
    "duty.person": {"zh-CN": "人员", "en": "Person"},
    "duty.topic": {"zh-CN": "培训内容", "en": "Topic"},
    "duty.topic.skills": {"zh-CN": "专业技能", "en": "Skills"},
    "duty.topic.confidentiality": {"zh-CN": "保密", "en": "Confidentiality"},
    "duty.trained_on": {"zh-CN": "培训日期", "en": "Trained on"},
    "duty.expires_on": {"zh-CN": "有效期至", "en": "Valid through"},
    "duty.expired": {"zh-CN": "已过期", "en": "expired"},
    "duty.add_training": {"zh-CN": "登记培训", "en": "Record the training"},
    "duty.report_kind": {"zh-CN": "类别", "en": "Kind"},
    "duty.report_kind.public_security": {
        "zh-CN": "涉及公共安全的可疑信息",
        "en": "Suspicious information",
    },
    "duty.report_kind.emergency": {"zh-CN": "突发事件", "en": "Emergency"},
    "duty.report_kind.crime": {"zh-CN": "违法犯罪", "en": "Crime"},
    "duty.summary": {"zh-CN": "情况", "en": "Summary"},
    "duty.camera": {"zh-CN": "摄像机编号", "en": "Camera id"},
    "duty.range": {"zh-CN": "时间段", "en": "Time range"},
    "duty.range_start": {"zh-CN": "开始时间", "en": "From"},
    "duty.range_end": {"zh-CN": "结束时间", "en": "To"},
    "duty.file_report": {"zh-CN": "报告公安机关", "en": "Report to the police"},
    "duty.ack": {"zh-CN": "签收", "en": "Acknowledgement"},
    "duty.acknowledge": {"zh-CN": "签收", "en": "Acknowledge"},
    "duty.acknowledged": {"zh-CN": "已签收", "en": "Acknowledged"},
    "duty.pending": {"zh-CN": "待签收", "en": "Awaiting"},
    "duty.note": {"zh-CN": "签收意见", "en": "Note"},
    "duty.retrieve": {"zh-CN": "申请调取该录像", "en": "Request this footage"},
    "duty.none": {"zh-CN": "暂无记录。", "en": "Nothing yet."},
    # Commendations (Art. 22).
    "commend.title": {"zh-CN": "表彰奖励", "en": "Commendations"},
    "commend.intro": {
        "zh-CN": "第二十二条：对在维护社会治安、预防和打击违法犯罪中作出突出贡献的使用单位给予"
        "表彰奖励。每条表彰关联其来源：单位的可疑信息报告、调取了其录像的调取申请或案件。",
        "en": "Art. 22: user units that contribute outstandingly to public security are "
        "commended. Each commendation links to its source: the unit's suspicious-information "
        "report, a retrieval request that used its footage, or a case.",
    },
    "commend.new": {"zh-CN": "新增表彰", "en": "Commend a unit"},
    "commend.unit_id": {"zh-CN": "单位编号", "en": "Unit id"},
    "commend.source": {"zh-CN": "来源", "en": "Source"},
    "commend.source_id": {"zh-CN": "来源编号", "en": "Source id"},
    "commend.source.suspicious_report": {
        "zh-CN": "可疑信息报告",
        "en": "Suspicious-information report",
    },
    "commend.source.custody_request": {"zh-CN": "调取申请", "en": "Retrieval request"},
    "commend.source.case": {"zh-CN": "案件", "en": "Case"},
    "commend.title_f": {"zh-CN": "表彰事项", "en": "Title"},
    "commend.reason": {"zh-CN": "事迹", "en": "Reason"},
    "commend.awarded_on": {"zh-CN": "表彰日期", "en": "Awarded on"},
    "commend.submit": {"zh-CN": "保存表彰", "en": "Record the commendation"},
    **{f"enforcement.rule.{rule}": {"zh-CN": zh, "en": en} for rule, (zh, en) in _RULES.items()},
}
