"""The monthly report's words (Art. 21), zh-CN and English: the report files (XLSX, PDF)
and the console's report page. Merged into the console catalog through
:data:`psvis.console.enforcement_i18n.ENFORCEMENT_MESSAGES`; the reports reuse the
catalog's ``category.*``, ``cause.*`` and ``enforcement.basis.*`` labels.
"""

from __future__ import annotations

from typing import Final

REPORT_MESSAGES: Final[dict[str, dict[str, str]]] = {
    "report.title": {
        "zh-CN": "公共安全视频图像信息系统监督管理月报",
        "en": "Monthly supervision report",
    },
    "report.page_title": {"zh-CN": "月度报表", "en": "Monthly reports"},
    "report.intro": {
        "zh-CN": "按辖区、按月汇总监督管理情况（第二十一条）：第八条各类场所的建设情况、"
        "在线率、视频质量故障、调取审批、案件与罚款、超期未修复工单。当月报表统计至生成时刻；"
        "每月1日自动生成并存档上月报表。",
        "en": "Supervision per jurisdiction and month (Art. 21): coverage of the Art. 8 "
        "places, uptime, video quality faults, retrieval requests and approvals, cases and "
        "fines, overdue repair tickets. The current month is counted to the moment it is "
        "generated; last month's report is generated and archived on the 1st.",
    },
    "report.bad_month": {"zh-CN": "月份格式应为 YYYY-MM。", "en": "The month must be YYYY-MM."},
    "report.figures_h": {"zh-CN": "统计结果", "en": "Figures"},
    "report.generate": {"zh-CN": "生成报表", "en": "Generate"},
    "report.download_xlsx": {"zh-CN": "下载 XLSX", "en": "Download XLSX"},
    "report.download_pdf": {"zh-CN": "下载 PDF", "en": "Download PDF"},
    "report.stored_h": {"zh-CN": "已存档报表", "en": "Archived reports"},
    "report.none": {"zh-CN": "还没有存档的报表。", "en": "No archived report yet."},
    "report.sha256": {"zh-CN": "SHA-256", "en": "SHA-256"},
    "report.sheet.summary": {"zh-CN": "概要", "en": "Summary"},
    "report.sheet.compliance": {"zh-CN": "第八条场所", "en": "Art. 8 places"},
    "report.sheet.faults": {"zh-CN": "故障", "en": "Faults"},
    "report.sheet.cases": {"zh-CN": "案件", "en": "Cases"},
    "report.item": {"zh-CN": "项目", "en": "Item"},
    "report.value": {"zh-CN": "数值", "en": "Value"},
    "report.jurisdiction": {"zh-CN": "辖区", "en": "Jurisdiction"},
    "report.month": {"zh-CN": "月份", "en": "Month"},
    "report.window_start": {"zh-CN": "统计起始", "en": "From"},
    "report.window_end": {"zh-CN": "统计截止", "en": "Until"},
    "report.to_date": {"zh-CN": "当月，截至生成时", "en": "month to date"},
    "report.complete": {"zh-CN": "整月", "en": "Whole month"},
    "report.yes": {"zh-CN": "是", "en": "Yes"},
    "report.no": {"zh-CN": "否（当月，截至生成时）", "en": "No (month to date)"},
    "report.generated_at": {"zh-CN": "生成时间", "en": "Generated at"},
    "report.uptime": {"zh-CN": "录像在线率（按时长）", "en": "Uptime (time-weighted)"},
    "report.uptime_cameras": {"zh-CN": "在线率统计摄像机数", "en": "Cameras in the uptime"},
    "report.cameras": {"zh-CN": "台摄像机", "en": "cameras"},
    "report.not_available": {"zh-CN": "无数据", "en": "not available"},
    "report.requests": {"zh-CN": "调取申请", "en": "Retrieval requests"},
    "report.approved": {"zh-CN": "批准", "en": "Approved"},
    "report.rejected": {"zh-CN": "不予批准", "en": "Rejected"},
    "report.registrations": {"zh-CN": "调取登记", "en": "Registrations"},
    "report.overdue_in_month": {"zh-CN": "本月超期未修复工单", "en": "Tickets overdue this month"},
    "report.overdue_at_end": {"zh-CN": "期末仍超期未修复", "en": "Still overdue at the end"},
    "report.category": {"zh-CN": "场所类别", "en": "Category"},
    "report.sites": {"zh-CN": "场所数", "en": "Sites"},
    "report.covered": {"zh-CN": "已建设", "en": "Covered"},
    "report.uncovered": {"zh-CN": "未建设", "en": "Not covered"},
    "report.cause": {"zh-CN": "原因", "en": "Cause"},
    "report.tickets_opened": {"zh-CN": "新开工单", "en": "Tickets opened"},
    "report.cameras_diagnosed": {"zh-CN": "诊断出故障的摄像机", "en": "Cameras diagnosed"},
    "report.basis": {"zh-CN": "处罚依据", "en": "Provision"},
    "report.opened": {"zh-CN": "立案", "en": "Opened"},
    "report.orders": {"zh-CN": "责令改正", "en": "Orders"},
    "report.decisions": {"zh-CN": "处罚决定", "en": "Decisions"},
    "report.fines_yuan": {"zh-CN": "罚款（元）", "en": "Fines (yuan)"},
    "report.chart.compliance": {
        "zh-CN": "第八条场所建设情况",
        "en": "Art. 8 places: coverage",
    },
    "report.chart.faults": {"zh-CN": "故障与工单", "en": "Faults and tickets"},
    "report.chart.cases": {"zh-CN": "案件与处罚", "en": "Cases and penalties"},
    "enforcement.rule.report_month_in_future": {
        "zh-CN": "该月尚未开始，无可统计内容。",
        "en": "That month has not begun: there is nothing to report.",
    },
    "enforcement.rule.report_before_in_force": {
        "zh-CN": "本办法自2016年10月1日起施行，此前的月份不在统计范围内。",
        "en": "The regulation is in force from 2016-10-01; earlier months are not reported.",
    },
}
