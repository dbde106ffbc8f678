"""The health pages' messages (zh-CN and English), merged into the console catalog."""

from __future__ import annotations

from typing import Final

_PAGES: dict[str, dict[str, str]] = {
    "nav.health": {"zh-CN": "设备健康", "en": "Health"},
    "nav.tickets": {"zh-CN": "故障工单", "en": "Fault tickets"},
    "health.title": {"zh-CN": "设备健康与视频质量", "en": "Camera health and video quality"},
    "health.note": {
        "zh-CN": "系统应当24小时运行、保持图像清晰、发现故障及时修复（第十七条第（三）项）；"
        "不得改变设备指向和覆盖范围（第二十条第（一）项）；不得遮挡图像采集（第十条）。",
        "en": "Systems must run 24 hours, keep images clear and have faults repaired at once "
        "(Art. 17(3)); nobody may change a camera's pointing direction or coverage "
        "(Art. 20(1)); nothing may obstruct image capture (Art. 10).",
    },
    "health.online": {"zh-CN": "在线率", "en": "Online"},
    "health.uptime_today": {"zh-CN": "今日录像完整率", "en": "Uptime today"},
    "health.monitored": {"zh-CN": "监测中的摄像机", "en": "Monitored cameras"},
    "health.tickets_open": {"zh-CN": "未关闭工单", "en": "Open tickets"},
    "health.tickets_overdue": {"zh-CN": "超期工单", "en": "Overdue tickets"},
    "health.faults_by_class": {"zh-CN": "当前故障（按类别）", "en": "Current faults by class"},
    "health.by_jurisdiction": {"zh-CN": "各辖区运行状况", "en": "By jurisdiction"},
    "health.faulty_cameras": {"zh-CN": "存在故障的摄像机", "en": "Cameras with faults"},
    "health.no_faults": {"zh-CN": "当前没有发现故障。", "en": "No fault found now."},
    "health.fault": {"zh-CN": "故障", "en": "Fault"},
    "health.diagnosed": {"zh-CN": "诊断时间（北京时间）", "en": "Diagnosed (China time)"},
    "health.camera": {"zh-CN": "摄像机健康", "en": "Camera health"},
    "health.reason": {"zh-CN": "原因", "en": "Reason"},
    "health.last_segment": {"zh-CN": "最近录像段结束", "en": "Newest segment ended"},
    "health.baseline": {"zh-CN": "基准画面", "en": "Baseline"},
    "health.no_baseline": {"zh-CN": "尚未采集", "en": "Not captured yet"},
    "health.day": {"zh-CN": "日间", "en": "day"},
    "health.night": {"zh-CN": "夜间", "en": "night"},
    "health.current_faults": {"zh-CN": "当前故障", "en": "Current faults"},
    "health.none": {"zh-CN": "无", "en": "None"},
    "health.tickets": {"zh-CN": "工单", "en": "Tickets"},
    "health.ticket": {"zh-CN": "故障工单", "en": "Fault ticket"},
    "health.cause": {"zh-CN": "故障类型", "en": "Cause"},
    "health.ticket_state": {"zh-CN": "工单状态", "en": "State"},
    "health.live": {"zh-CN": "未关闭", "en": "Not closed"},
    "health.opened": {"zh-CN": "开单时间", "en": "Opened"},
    "health.due": {"zh-CN": "修复期限", "en": "Repair due"},
    "health.since": {"zh-CN": "故障开始", "en": "Fault since"},
    "health.acknowledged": {"zh-CN": "签收时间", "en": "Acknowledged"},
    "health.reported": {"zh-CN": "报修复时间", "en": "Repair reported"},
    "health.verified": {"zh-CN": "诊断验证关闭", "en": "Verified by diagnosis"},
    "health.overdue": {"zh-CN": "已超期", "en": "Overdue"},
    "health.maintainer": {"zh-CN": "维护单位", "en": "Maintainer"},
    "health.history": {"zh-CN": "诊断记录", "en": "Diagnosis history"},
    "health.result": {"zh-CN": "结果", "en": "Result"},
    "health.good": {"zh-CN": "正常", "en": "Good"},
    "health.thumbnail": {"zh-CN": "关键帧", "en": "Keyframe"},
    "health.reference": {"zh-CN": "比对基准", "en": "Compared with"},
    "health.metrics": {"zh-CN": "指标", "en": "Metrics"},
    "health.segment": {"zh-CN": "录像段", "en": "segment"},
    "health.no_diagnoses": {"zh-CN": "尚无诊断记录。", "en": "No diagnosis yet."},
    "health.tickets_note": {
        "zh-CN": "断线或画质故障持续超过阈值即开具工单，派发给系统的维护单位（第十六条）；"
        "超过修复期限未修复的，记入违规发现（第十七条第（三）项、第二十五条第（四）项）。",
        "en": "An outage or quality fault that lasts beyond its threshold opens a ticket for the "
        "system's maintainer (Art. 16); one not repaired by its deadline becomes a finding "
        "(Art. 17(3), 25(4)).",
    },
    "health.verify_note": {
        "zh-CN": "工单不能手动关闭：报修复后，下一次视频诊断不再发现该故障时自动验证并关闭。",
        "en": "A ticket cannot be closed by hand: after the repair is reported, the next "
        "diagnosis that no longer finds the fault verifies and closes it.",
    },
    "health.acknowledge": {"zh-CN": "签收工单", "en": "Acknowledge"},
    "health.report_repair": {"zh-CN": "报告已修复", "en": "Report repaired"},
    "health.repair_note": {"zh-CN": "修复说明", "en": "What was repaired"},
}

_ENUMS: dict[str, dict[str, str]] = {
    "liveness.recording": {"zh-CN": "录像中", "en": "Recording"},
    "liveness.reconnecting": {"zh-CN": "重连中", "en": "Reconnecting"},
    "liveness.offline": {"zh-CN": "离线", "en": "Offline"},
    "liveness.disabled": {"zh-CN": "未启用", "en": "Disabled"},
    "reason.camera_disabled": {"zh-CN": "摄像机已停用", "en": "Camera disabled"},
    "reason.system_not_operating": {
        "zh-CN": "系统未验收或未投入使用",
        "en": "System not accepted or not in operation",
    },
    "reason.not_connected": {"zh-CN": "未接入本平台", "en": "Not connected to this platform"},
    "reason.never_recorded": {"zh-CN": "从未录像", "en": "Never recorded"},
    "reason.no_recent_segment": {"zh-CN": "长时间无新录像", "en": "No recent recording"},
    "fault.signal_loss": {"zh-CN": "信号丢失", "en": "Signal loss"},
    "fault.blur": {"zh-CN": "图像模糊", "en": "Blur"},
    "fault.overexposed": {"zh-CN": "画面过亮", "en": "Overexposed"},
    "fault.underexposed": {"zh-CN": "画面过暗", "en": "Underexposed"},
    "fault.low_contrast": {"zh-CN": "对比度低", "en": "Low contrast"},
    "fault.colour_cast": {"zh-CN": "偏色", "en": "Colour cast"},
    "fault.noise": {"zh-CN": "噪声干扰", "en": "Noise"},
    "fault.frozen": {"zh-CN": "画面冻结", "en": "Frozen"},
    "fault.occlusion": {"zh-CN": "画面遮挡", "en": "Occlusion"},
    "fault.scene_shift": {"zh-CN": "场景变换（移位）", "en": "Scene shift (moved)"},
    "cause.outage": {"zh-CN": "录像中断", "en": "Outage"},
    "tstate.open": {"zh-CN": "待签收", "en": "Open"},
    "tstate.acknowledged": {"zh-CN": "已签收", "en": "Acknowledged"},
    "tstate.repair_reported": {"zh-CN": "已报修复，待验证", "en": "Repair reported, to verify"},
    "tstate.closed": {"zh-CN": "已验证关闭", "en": "Closed (verified)"},
    "baseline.capture": {"zh-CN": "验收采集", "en": "captured at acceptance"},
    "baseline.auto": {"zh-CN": "首次诊断自动采集", "en": "captured by the first diagnosis"},
    "baseline.night": {"zh-CN": "补充夜间基准", "en": "night reference added"},
}
# A ticket's cause is "outage" or a fault class: the same words.
_CAUSES = {
    f"cause.{key.split('.', 1)[1]}": value
    for key, value in _ENUMS.items()
    if key.startswith("fault.")
}

HEALTH_MESSAGES: Final[dict[str, dict[str, str]]] = {**_PAGES, **_ENUMS, **_CAUSES}
