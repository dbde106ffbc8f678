"""The console's message catalog: every visible string, in zh-CN and English.

Templates call ``t("key")``; enum labels are keys of the form ``<kind>.<value>`` (for
example ``category.art8_4``) so that a new enum member without a label fails the catalog
test instead of showing a raw value.
"""

from __future__ import annotations

import re
from typing import Final

from psvis.console.custody_i18n import CUSTODY_MESSAGES
from psvis.console.enforcement_i18n import ENFORCEMENT_MESSAGES
from psvis.console.health_i18n import HEALTH_MESSAGES
from psvis.console.ledger_i18n import LEDGER_MESSAGES

LANGUAGES: Final = ("zh-CN", "en")
DEFAULT_LANGUAGE: Final = "zh-CN"

_ARTICLE = re.compile(r"^Art\. (\d{1,2})(?:\((\d{1,2})\))?$")
_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """1-99 in Chinese numerals (十, 十一, 二十五)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones or not head else "")


def article_text(article: str, lang: str) -> str:
    """An article citation in the UI language: "Art. 25(4)" → "第二十五条第（四）项"."""
    found = _ARTICLE.match(article.strip())
    if lang != "zh-CN" or found is None:
        return article
    text = f"第{zh_number(int(found.group(1)))}条"
    if found.group(2):
        text += f"第（{zh_number(int(found.group(2)))}）项"
    return text


_ART8 = {
    "1": ("国家机关和广播电台、电视台、报社等重要新闻单位", "State organs and major news media"),
    "2": (
        "重要交通枢纽、路段、路口及地铁、客运车船等",
        "Transport hubs, arterial roads, bridges, tunnels, metro, passenger vehicles/vessels",
    ),
    "3": (
        "大型能源动力设施、水利设施和城市水、电、燃油、燃气供应设施",
        "Energy, water, power, fuel and gas facilities",
    ),
    "4": ("电信、邮政、金融单位", "Telecom, postal and financial units"),
    "5": (
        "教育、科研、医疗机构和大型文化、体育场所及网吧",
        "Education, research, medical institutions, large venues, internet cafés",
    ),
    "6": ("博物馆、档案馆和重点文物保护单位", "Museums, archives, protected cultural relics"),
    "7": (
        "大型商贸、物流、物资储备中心，大型广场、停车场、公园、旅游景区",
        "Large commercial/logistics/reserve centres, squares, car parks, parks, scenic spots",
    ),
    "8": (
        "研制、生产、销售、储存危险物品或者实验、保藏传染性菌种和毒种的单位",
        "Units handling dangerous goods or pathogens",
    ),
    "9": (
        "国防科技工业重要产品的研制、生产单位和国家重点建设工程单位",
        "Defence industry and national key construction units",
    ),
    "10": ("住宅小区", "Residential communities"),
    "11": ("法律、法规规定的其他场所和区域", "Other places required by law"),
}

_CATEGORIES: dict[str, dict[str, str]] = {
    f"category.art8_{n}": {
        "zh-CN": f"{article_text(f'Art. 8({n})', 'zh-CN')} {zh}",
        "en": f"Art. 8({n}) {en}",
    }
    for n, (zh, en) in _ART8.items()
}
_CATEGORIES |= {
    "category.art9_dormitory": {"zh-CN": "第九条 集体宿舍", "en": "Art. 9 Collective dormitory"},
    "category.art9_hotel_room": {"zh-CN": "第九条 旅馆客房", "en": "Art. 9 Hotel guest room"},
    "category.art9_bathhouse": {"zh-CN": "第九条 浴室", "en": "Art. 9 Bathhouse"},
    "category.art9_changing_room": {"zh-CN": "第九条 更衣室", "en": "Art. 9 Changing room"},
    "category.art9_toilet": {"zh-CN": "第九条 卫生间", "en": "Art. 9 Toilet"},
    "category.other": {"zh-CN": "其他场所", "en": "Other place"},
}

_ENUMS: dict[str, dict[str, str]] = {
    # lifecycle (Art. 13, 15)
    "state.planned": {"zh-CN": "规划", "en": "Planned"},
    "state.building": {"zh-CN": "建设中", "en": "Building"},
    "state.acceptance_pending": {"zh-CN": "待验收", "en": "Acceptance pending"},
    "state.accepted": {"zh-CN": "已验收", "en": "Accepted"},
    "state.removal_notified": {"zh-CN": "已告知拆除", "en": "Removal notified"},
    "state.removed": {"zh-CN": "已拆除", "en": "Removed"},
    # camera roles (Art. 8)
    "camrole.entrance": {"zh-CN": "出入口", "en": "Entrance"},
    "camrole.passage": {"zh-CN": "通道", "en": "Passage"},
    "camrole.key_spot": {"zh-CN": "重点部位", "en": "Key spot"},
    "camrole.other": {"zh-CN": "其他", "en": "Other"},
    # user roles
    "role.city_admin": {"zh-CN": "市局管理员", "en": "City bureau administrator"},
    "role.district_admin": {"zh-CN": "分局管理员", "en": "District bureau administrator"},
    "role.officer": {"zh-CN": "民警", "en": "Police officer"},
    "role.chief": {"zh-CN": "局领导", "en": "Bureau chief"},
    "role.auditor": {"zh-CN": "审计员", "en": "Auditor"},
    "role.unit_admin": {"zh-CN": "单位管理员", "en": "Unit administrator"},
    "role.unit_operator": {"zh-CN": "单位值班员", "en": "Unit operator"},
    "role.maintainer": {"zh-CN": "维护单位人员", "en": "Maintainer"},
    "role.other_dept": {"zh-CN": "其他部门人员", "en": "Other department"},
    # unit kinds, investment, interfaces, acceptance
    "unitkind.government": {"zh-CN": "政府机关单位", "en": "Government"},
    "unitkind.non_government": {"zh-CN": "非政府单位", "en": "Non-government"},
    "investment.government": {"zh-CN": "政府投资", "en": "Government-funded"},
    "investment.non_government": {"zh-CN": "非政府投资", "en": "Non-government-funded"},
    "netif.gb28181": {"zh-CN": "GB/T 28181", "en": "GB/T 28181"},
    "netif.onvif": {"zh-CN": "ONVIF", "en": "ONVIF"},
    "netif.rtsp": {"zh-CN": "RTSP", "en": "RTSP"},
    "netif.none": {"zh-CN": "未预留", "en": "None reserved"},
    "acceptance.passed": {"zh-CN": "合格", "en": "Passed"},
    "acceptance.failed": {"zh-CN": "不合格", "en": "Failed"},
    # findings
    "fstatus.open": {"zh-CN": "未整改", "en": "Open"},
    "fstatus.resolved": {"zh-CN": "已整改", "en": "Resolved"},
    "subject.site": {"zh-CN": "场所", "en": "Site"},
    "subject.system": {"zh-CN": "系统", "en": "System"},
    "subject.camera": {"zh-CN": "摄像机", "en": "Camera"},
    "subject.unit": {"zh-CN": "单位", "en": "Unit"},
    "subject.storage": {"zh-CN": "存储", "en": "Storage"},
    "subject.segment": {"zh-CN": "录像片段", "en": "Recording segment"},
    "rule.art8_mandatory_site_uncovered": {
        "zh-CN": "应建场所未建成覆盖出入口、通道或重点部位的系统",
        "en": "Mandatory site without a working system covering entrances/passages/key spots",
    },
    "rule.art9_privacy_site_camera": {
        "zh-CN": "涉及个人隐私的场所安装了摄像机",
        "en": "Camera installed in a place touching personal privacy",
    },
    "rule.art10_no_signage": {
        "zh-CN": "已安装系统未设置明显标识",
        "en": "Installed system without visible signage",
    },
    "rule.art13_used_before_acceptance": {
        "zh-CN": "系统未经验收合格即投入使用",
        "en": "System in use before passing acceptance",
    },
    "rule.art13_legacy_not_filed": {
        "zh-CN": "办法施行前建成的系统未按期备案",
        "en": "Pre-2016 system not filed in time",
    },
    "rule.art15_removal_notice": {
        "zh-CN": "拆除系统未提前3日书面告知",
        "en": "Removal without 3 days' written notice",
    },
    "rule.art17_4_retention_below_30": {
        "zh-CN": "录像保存不足30日",
        "en": "Footage kept less than 30 days",
    },
    "article.Art. 8": {"zh-CN": "第八条", "en": "Art. 8"},
    "article.Art. 9": {"zh-CN": "第九条", "en": "Art. 9"},
    "article.Art. 10": {"zh-CN": "第十条", "en": "Art. 10"},
    "article.Art. 13": {"zh-CN": "第十三条", "en": "Art. 13"},
    "article.Art. 15": {"zh-CN": "第十五条", "en": "Art. 15"},
    "article.Art. 17": {"zh-CN": "第十七条", "en": "Art. 17"},
    "article.Art. 20": {"zh-CN": "第二十条", "en": "Art. 20"},
    "article.other": {"zh-CN": "其他条款", "en": "Other articles"},
}

_UI: dict[str, dict[str, str]] = {
    "app.title": {
        "zh-CN": "公共安全视频图像信息系统管理平台",
        "en": "Public Security Video Platform",
    },
    "app.org": {"zh-CN": "南昌市公安局", "en": "Nanchang Public Security Bureau"},
    "app.notice": {
        "zh-CN": "内部系统，仅限授权人员使用。严禁泄露国家秘密、商业秘密和个人隐私（第六条）。",
        "en": "Internal system for authorised staff only. Leaking state or commercial "
        "secrets or personal privacy is forbidden (Art. 6).",
    },
    "lang.switch": {"zh-CN": "English", "en": "中文"},
    "nav.dashboard": {"zh-CN": "概览", "en": "Overview"},
    "nav.units": {"zh-CN": "单位", "en": "Units"},
    "nav.sites": {"zh-CN": "场所", "en": "Sites"},
    "nav.systems": {"zh-CN": "系统", "en": "Systems"},
    "nav.cameras": {"zh-CN": "摄像机", "en": "Cameras"},
    "nav.findings": {"zh-CN": "合规问题", "en": "Findings"},
    "nav.map": {"zh-CN": "点位地图", "en": "Map"},
    "nav.logout": {"zh-CN": "退出登录", "en": "Sign out"},
    # login
    "login.title": {"zh-CN": "用户登录", "en": "Sign in"},
    "login.username": {"zh-CN": "用户名", "en": "Username"},
    "login.password": {"zh-CN": "密码", "en": "Password"},
    "login.submit": {"zh-CN": "登录", "en": "Sign in"},
    "login.failed": {"zh-CN": "用户名或密码错误。", "en": "Wrong username or password."},
    "login.locked": {
        "zh-CN": "该账户因连续多次登录失败已被锁定，请于 {until} 之后再试。",
        "en": "This account is locked after repeated failed sign-ins; try again after {until}.",
    },
    "login.expired": {
        "zh-CN": "登录表单已过期，请重新输入。",
        "en": "The sign-in form expired; please try again.",
    },
    "login.signed_out": {"zh-CN": "您已退出登录。", "en": "You have signed out."},
    # errors
    "error.title.400": {"zh-CN": "请求有误", "en": "Bad request"},
    "error.title.403": {"zh-CN": "无权访问", "en": "Forbidden"},
    "error.title.404": {"zh-CN": "未找到", "en": "Not found"},
    "error.title.409": {"zh-CN": "冲突", "en": "Conflict"},
    "error.title.422": {"zh-CN": "输入无效", "en": "Invalid input"},
    "error.body.400": {
        "zh-CN": "请求参数无效，请检查筛选条件。",
        "en": "The request parameters are invalid; check the filters.",
    },
    "error.body.403": {
        "zh-CN": "您的角色无权执行此操作，或表单校验码（CSRF）缺失、错误。",
        "en": "Your role may not do this, or the form's CSRF token is missing or wrong.",
    },
    "error.body.404": {
        "zh-CN": "该对象不存在，或不在您的管辖范围内。",
        "en": "This object does not exist or lies outside your jurisdiction.",
    },
    "error.body.409": {"zh-CN": "操作与现有数据冲突。", "en": "The request conflicts with data."},
    "error.body.422": {"zh-CN": "输入无效。", "en": "The input is invalid."},
    "error.back": {"zh-CN": "返回概览", "en": "Back to the overview"},
    # common
    "common.id": {"zh-CN": "编号", "en": "ID"},
    "common.name": {"zh-CN": "名称", "en": "Name"},
    "common.jurisdiction": {"zh-CN": "辖区", "en": "Jurisdiction"},
    "common.address": {"zh-CN": "地址", "en": "Address"},
    "common.position": {"zh-CN": "位置（纬度, 经度）", "en": "Position (lat, lon)"},
    "common.all": {"zh-CN": "全部", "en": "All"},
    "common.search": {"zh-CN": "关键字", "en": "Search"},
    "common.filter": {"zh-CN": "查询", "en": "Filter"},
    "common.reset": {"zh-CN": "重置", "en": "Reset"},
    "common.prev": {"zh-CN": "上一页", "en": "Previous"},
    "common.next": {"zh-CN": "下一页", "en": "Next"},
    "common.per_page": {"zh-CN": "每页", "en": "Per page"},
    "common.range": {
        "zh-CN": "共 {total} 条，当前第 {start}–{end} 条",
        "en": "{total} in total, showing {start}–{end}",
    },
    "common.empty": {"zh-CN": "没有符合条件的记录。", "en": "Nothing matches."},
    "common.yes": {"zh-CN": "是", "en": "Yes"},
    "common.no": {"zh-CN": "否", "en": "No"},
    "common.none": {"zh-CN": "—", "en": "—"},
    "common.created_at": {"zh-CN": "创建时间", "en": "Created"},
    "common.updated_at": {"zh-CN": "更新时间", "en": "Updated"},
    "common.details": {"zh-CN": "基本信息", "en": "Details"},
    "common.unknown_ref": {"zh-CN": "（不在您的范围内）", "en": "(outside your reach)"},
    "common.more": {"zh-CN": "查看全部", "en": "Show all"},
    "common.signed_in_as": {"zh-CN": "当前用户", "en": "Signed in as"},
    # dashboard
    "dash.title": {"zh-CN": "工作概览", "en": "Overview"},
    "dash.scope": {"zh-CN": "管辖范围", "en": "Your scope"},
    "dash.scope_units": {"zh-CN": "本单位", "en": "Your units"},
    "dash.counts": {"zh-CN": "登记数量", "en": "Registered"},
    "dash.findings": {"zh-CN": "未整改问题（按条款）", "en": "Open findings by article"},
    "dash.findings_total": {"zh-CN": "未整改问题合计", "en": "Open findings in total"},
    "dash.by_district": {"zh-CN": "分辖区统计", "en": "By jurisdiction"},
    "dash.nothing": {
        "zh-CN": "您的角色没有可查看的登记数据。",
        "en": "Your role has no registry data to view.",
    },
    # units
    "unit.list": {"zh-CN": "单位列表", "en": "Units"},
    "unit.detail": {"zh-CN": "单位详情", "en": "Unit"},
    "unit.credit_code": {"zh-CN": "统一社会信用代码", "en": "Credit code"},
    "unit.kind": {"zh-CN": "单位性质", "en": "Kind"},
    "unit.contact": {"zh-CN": "联系人", "en": "Contact"},
    "unit.phone": {"zh-CN": "联系电话", "en": "Phone"},
    "unit.sites": {"zh-CN": "负责的场所", "en": "Sites it is responsible for"},
    # sites
    "site.list": {"zh-CN": "场所列表", "en": "Sites"},
    "site.detail": {"zh-CN": "场所详情", "en": "Site"},
    "site.ref": {"zh-CN": "场所编号", "en": "Reference"},
    "site.category": {"zh-CN": "场所类别", "en": "Category"},
    "site.unit": {"zh-CN": "责任单位", "en": "Responsible unit"},
    "site.systems": {"zh-CN": "场所内的系统", "en": "Systems at this site"},
    "site.mandatory": {
        "zh-CN": "依第八条应当建设系统",
        "en": "Must have a system (Art. 8)",
    },
    "site.privacy": {
        "zh-CN": "依第九条禁止安装系统",
        "en": "Systems forbidden here (Art. 9)",
    },
    # systems
    "system.list": {"zh-CN": "系统列表", "en": "Systems"},
    "system.detail": {"zh-CN": "系统详情", "en": "System"},
    "system.site": {"zh-CN": "所在场所", "en": "Site"},
    "system.state": {"zh-CN": "状态", "en": "State"},
    "system.in_operation": {"zh-CN": "投入使用", "en": "In operation"},
    "system.signage": {"zh-CN": "明显标识（第十条）", "en": "Signage (Art. 10)"},
    "system.builder": {"zh-CN": "建设单位", "en": "Builder"},
    "system.user_unit": {"zh-CN": "使用单位", "en": "User unit"},
    "system.maintainer": {"zh-CN": "维护单位", "en": "Maintainer"},
    "system.contract": {"zh-CN": "维护合同", "en": "Maintenance contract"},
    "system.investment": {"zh-CN": "投资性质", "en": "Investment"},
    "system.interface": {"zh-CN": "联网接口（第十四条）", "en": "Networking interface (Art. 14)"},
    "system.retention": {"zh-CN": "录像保存天数", "en": "Retention (days)"},
    "system.observed_retention": {
        "zh-CN": "实测保存天数",
        "en": "Observed retention (days)",
    },
    "system.commissioned": {"zh-CN": "投入使用日期", "en": "Commissioned on"},
    "system.acceptance": {"zh-CN": "竣工验收（第十三条）", "en": "Acceptance (Art. 13)"},
    "system.acceptance_police": {"zh-CN": "参加验收的民警", "en": "Police participant"},
    "system.acceptance_date": {"zh-CN": "验收日期", "en": "Acceptance date"},
    "system.acceptance_result": {"zh-CN": "验收结论", "en": "Result"},
    "system.filing": {"zh-CN": "备案", "en": "Filing"},
    "system.filing_number": {"zh-CN": "备案编号", "en": "Filing number"},
    "system.filing_date": {"zh-CN": "备案日期", "en": "Filing date"},
    "system.removal": {"zh-CN": "拆除（第十五条）", "en": "Removal (Art. 15)"},
    "system.removal_notice": {"zh-CN": "书面告知日期", "en": "Notice date"},
    "system.planned_removal": {"zh-CN": "计划拆除日期", "en": "Planned removal"},
    "system.removed_on": {"zh-CN": "实际拆除日期", "en": "Removed on"},
    "system.cameras": {"zh-CN": "系统内的摄像机", "en": "Cameras of this system"},
    # cameras
    "camera.list": {"zh-CN": "摄像机列表", "en": "Cameras"},
    "camera.detail": {"zh-CN": "摄像机详情", "en": "Camera"},
    "camera.gb_id": {"zh-CN": "国标编码（GB/T 28181）", "en": "GB/T 28181 ID"},
    "camera.role": {"zh-CN": "监控部位", "en": "Placement"},
    "camera.system": {"zh-CN": "所属系统", "en": "System"},
    "camera.azimuth": {"zh-CN": "朝向（度）", "en": "Azimuth (°)"},
    "camera.fov": {"zh-CN": "视场角（度）", "en": "Field of view (°)"},
    "camera.range": {"zh-CN": "监控距离（米）", "en": "Range (m)"},
    "camera.stream_url": {"zh-CN": "视频流地址", "en": "Stream URL"},
    "camera.username": {"zh-CN": "设备用户名", "en": "Device username"},
    "camera.password": {"zh-CN": "设备密码", "en": "Device password"},
    "camera.password_set": {
        "zh-CN": "已设置（加密保存，不予显示）",
        "en": "Set (stored encrypted, never shown)",
    },
    "camera.password_unset": {"zh-CN": "未设置", "en": "Not set"},
    "camera.retention": {"zh-CN": "录像保存天数", "en": "Retention (days)"},
    "camera.retention_inherit": {"zh-CN": "沿用系统设置", "en": "As the system"},
    "camera.enabled": {"zh-CN": "启用", "en": "Enabled"},
    "camera.origin": {"zh-CN": "登记来源", "en": "Origin"},
    "camera.origin.registry": {"zh-CN": "平台登记", "en": "Registered"},
    "camera.origin.legacy_survey": {"zh-CN": "存量普查", "en": "Legacy survey"},
    "camera.position_h": {"zh-CN": "安装位置与视场", "en": "Position and field of view"},
    "camera.stream_h": {"zh-CN": "视频流与设备凭据", "en": "Stream and device credentials"},
    "camera.on_map": {"zh-CN": "在地图上查看", "en": "Show on the map"},
    # findings
    "finding.list": {"zh-CN": "合规问题", "en": "Findings"},
    "finding.detail": {"zh-CN": "问题详情", "en": "Finding"},
    "finding.article": {"zh-CN": "条款", "en": "Article"},
    "finding.rule": {"zh-CN": "规则", "en": "Rule"},
    "finding.status": {"zh-CN": "状态", "en": "Status"},
    "finding.subject": {"zh-CN": "对象", "en": "Subject"},
    "finding.penalty": {"zh-CN": "罚则", "en": "Penalty article"},
    "finding.reason": {"zh-CN": "说明", "en": "Reason"},
    "finding.evidence": {"zh-CN": "证据", "en": "Evidence"},
    "finding.first_seen": {"zh-CN": "首次发现", "en": "First seen"},
    "finding.last_seen": {"zh-CN": "最近发现", "en": "Last seen"},
    "finding.resolved_at": {"zh-CN": "整改时间", "en": "Resolved at"},
    # map
    "map.title": {"zh-CN": "摄像机点位地图", "en": "Camera map"},
    "map.offline": {
        "zh-CN": "离线示意图：按经纬度投影绘制，不加载任何在线底图。",
        "en": "Offline sketch: drawn from longitude/latitude, no online map tiles.",
    },
    "map.legend": {"zh-CN": "图例（辖区）", "en": "Legend (jurisdictions)"},
    "map.dot_key": {
        "zh-CN": "摄像机（颜色区分辖区，悬停查看名称与国标编码）",
        "en": "Camera (colour = district; hover for name and GB ID)",
    },
    "map.count_key": {
        "zh-CN": "右侧数字为范围内摄像机数量。",
        "en": "Numbers are cameras in your scope.",
    },
    "map.drawn": {"zh-CN": "已绘制 {drawn} 个点位。", "en": "{drawn} cameras drawn."},
    "map.capped": {
        "zh-CN": "共 {total} 个摄像机，仅绘制前 {cap} 个，请用筛选条件缩小范围。",
        "en": "{total} cameras in scope; only the first {cap} are drawn. Narrow the filters.",
    },
    "map.fov_note": {
        "zh-CN": "点位较少，已绘制视场扇区（朝向与视场角）。",
        "en": "Few cameras: field-of-view wedges (azimuth and angle) are drawn.",
    },
    "map.centre": {"zh-CN": "辖区中心", "en": "Jurisdiction centre"},
    "map.scale": {"zh-CN": "比例尺", "en": "Scale"},
    "map.north": {"zh-CN": "北", "en": "N"},
    # video (live, timeline, playback) and recorders
    "video.link": {"zh-CN": "实时视频与录像回放", "en": "Live video and recordings"},
    "video.title": {"zh-CN": "视频与录像", "en": "Video and recordings"},
    "video.live_h": {"zh-CN": "实时视频", "en": "Live video"},
    "video.live_note": {
        "zh-CN": "准实时：画面约滞后一个录像片段（{seconds} 秒），片段封存后即可观看。",
        "en": "Near-live: about one recording segment ({seconds} s) behind; a segment "
        "plays once it is sealed.",
    },
    "video.live_none": {
        "zh-CN": "暂无实时视频：最近没有封存的录像片段，稍后自动重试。",
        "en": "No live video: no segment was sealed recently. Retrying shortly.",
    },
    "video.live_direct": {
        "zh-CN": "该系统未按第十四条联网共享：公安机关接入、直接使用须经县级以上公安机关负责人批准"
        "（第十八条）。请提交含“接入、直接使用”的调取申请，批准后开启双人调阅会话再查看实时视频。",
        "en": "This system is not networked under Art. 14: police connecting to or directly "
        "using it need the approval of a county-level or higher bureau chief (Art. 18). File a "
        "request with “direct access”; once approved, open the two-officer session to watch live.",
    },
    "video.live_denied": {
        "zh-CN": "您的角色无权查看该摄像机的实时视频。",
        "en": "Your role may not watch this camera live.",
    },
    "video.fallback": {
        "zh-CN": "本浏览器无法播放 H.264 视频，改为每 {seconds} 秒刷新一次截图。",
        "en": "This browser cannot play H.264 video; showing a snapshot every {seconds} s.",
    },
    "video.snapshot": {"zh-CN": "截图", "en": "Snapshot"},
    "video.timeline_h": {
        "zh-CN": "录像时间轴（北京时间）",
        "en": "Recording timeline (China time)",
    },
    "video.timeline_note": {
        "zh-CN": "点击绿色录像段即可回放；悬停查看起止时间与原因。",
        "en": "Click a green recorded span to play it; hover for times and causes.",
    },
    "video.day": {"zh-CN": "日期", "en": "Day"},
    "video.show": {"zh-CN": "查看", "en": "Show"},
    "video.prev_day": {"zh-CN": "前一天", "en": "Previous day"},
    "video.next_day": {"zh-CN": "后一天", "en": "Next day"},
    "video.recorded": {"zh-CN": "已录像", "en": "Recorded"},
    "video.pending": {"zh-CN": "正在录制", "en": "Being recorded"},
    "video.expired": {"zh-CN": "超过保存期已删除", "en": "Deleted after retention"},
    "video.outage": {"zh-CN": "中断", "en": "Outage"},
    "video.gap": {"zh-CN": "不明原因中断", "en": "Unexplained gap"},
    "video.gap_note": {
        "zh-CN": "既无录像也无中断原因（第十七条第（三）项）。",
        "en": "Neither recorded nor explained (Art. 17(3)).",
    },
    "video.ongoing": {"zh-CN": "持续中", "en": "Ongoing"},
    "video.summary": {
        "zh-CN": "当日录像 {recorded}，不明原因中断 {gaps}。",
        "en": "Recorded {recorded}; unexplained gaps {gaps}.",
    },
    "video.no_period": {
        "zh-CN": "该摄像机在此日期尚未开始录像。",
        "en": "The camera had not started recording by this day.",
    },
    "video.cause": {"zh-CN": "原因", "en": "Cause"},
    "video.from": {"zh-CN": "开始", "en": "From"},
    "video.to": {"zh-CN": "结束", "en": "To"},
    "video.duration": {"zh-CN": "时长", "en": "Duration"},
    "video.detail": {"zh-CN": "说明", "en": "Detail"},
    "video.playback_h": {"zh-CN": "录像回放", "en": "Playback"},
    "video.play": {"zh-CN": "播放", "en": "Play"},
    "video.playback_hint": {
        "zh-CN": "选择当日的起止时间（北京时间），或点击时间轴上的录像段。",
        "en": "Choose a start and end time of the day (China time), or click a recorded span.",
    },
    "video.playback_none": {
        "zh-CN": "所选时间段内没有录像。",
        "en": "Nothing was recorded in this range.",
    },
    "video.playback_fallback": {
        "zh-CN": "本浏览器无法播放 H.264 视频，请下载视频片段后用播放器观看。",
        "en": "This browser cannot play H.264 video; download the clip and use a player.",
    },
    "video.playback_denied": {
        "zh-CN": "调阅录像须经审批（第十八、十九条），您的角色无此权限。",
        "en": "Recorded footage is consulted only with approval (Art. 18-19); your role may not.",
    },
    "video.range_bad": {
        "zh-CN": "请输入有效的起止时间，结束时间须晚于开始时间。",
        "en": "Enter valid times; the end must be after the start.",
    },
    "video.clip": {
        "zh-CN": "下载视频片段（MP4，不转码）",
        "en": "Download clip (MP4, not re-encoded)",
    },
    "video.clip_note": {
        "zh-CN": "不转码导出只能在关键帧处切分：片段可能比开始时间最多早一个关键帧间隔（GOP）。",
        "en": "Without re-encoding a clip can only start at a keyframe: it may begin up to "
        "one GOP before the start time.",
    },
    "video.clip_too_long": {
        "zh-CN": "视频片段每次最长导出 1 小时，请缩短时间段。",
        "en": "A clip covers at most 1 hour; shorten the range to download one.",
    },
    "video.recorder_h": {"zh-CN": "录像状态", "en": "Recorder"},
    "recorder.title": {"zh-CN": "录像机状态", "en": "Recorder status"},
    "recorder.note": {
        "zh-CN": "每台摄像机的录像进程状态；最近片段超过 5 分钟标为黄色。",
        "en": "The recorder of each camera; a newest segment older than 5 minutes is marked.",
    },
    "recorder.all": {"zh-CN": "全部录像机状态", "en": "All recorders"},
    "recorder.camera": {"zh-CN": "摄像机", "en": "Camera"},
    "recorder.state": {"zh-CN": "状态", "en": "State"},
    "recorder.age": {"zh-CN": "最近片段", "en": "Newest segment"},
    "recorder.bitrate": {"zh-CN": "码率", "en": "Bitrate"},
    "recorder.restarts": {"zh-CN": "重启次数", "en": "Restarts"},
    "recorder.node": {"zh-CN": "节点", "en": "Node"},
    "recorder.error": {"zh-CN": "最近错误", "en": "Last error"},
    "recorder.updated": {"zh-CN": "更新时间（北京时间）", "en": "Updated (China time)"},
    "recorder.none": {"zh-CN": "暂无录像机状态。", "en": "No recorder status yet."},
    "rstate.starting": {"zh-CN": "启动中", "en": "Starting"},
    "rstate.recording": {"zh-CN": "录像中", "en": "Recording"},
    "rstate.reconnecting": {"zh-CN": "重连中", "en": "Reconnecting"},
    "rstate.stopped": {"zh-CN": "已停止", "en": "Stopped"},
    "rstate.disabled": {"zh-CN": "已停用", "en": "Disabled"},
    "outage.camera_unreachable": {"zh-CN": "摄像机无法连接", "en": "Camera unreachable"},
    "outage.stream_error": {"zh-CN": "视频流错误", "en": "Stream error"},
    "outage.recorder_crash": {"zh-CN": "录像进程异常退出", "en": "Recorder crashed"},
    "outage.storage_error": {"zh-CN": "存储故障", "en": "Storage error"},
    "outage.storage_full": {"zh-CN": "存储空间不足", "en": "Storage full"},
    "outage.operator_stop": {"zh-CN": "人工停止", "en": "Stopped by operator"},
    "age.seconds": {"zh-CN": "{n} 秒前", "en": "{n} s ago"},
    "age.minutes": {"zh-CN": "{n} 分钟前", "en": "{n} min ago"},
    "age.hours": {"zh-CN": "{n} 小时前", "en": "{n} h ago"},
    "age.days": {"zh-CN": "{n} 天前", "en": "{n} days ago"},
}

CATALOG: Final[dict[str, dict[str, str]]] = {
    **_CATEGORIES,
    **_ENUMS,
    **_UI,
    **LEDGER_MESSAGES,
    **CUSTODY_MESSAGES,
    **ENFORCEMENT_MESSAGES,
    **HEALTH_MESSAGES,
}


def normalise_language(value: str | None) -> str | None:
    """``zh-CN`` or ``en`` for a known language tag, else None."""
    if not value:
        return None
    lowered = value.strip().lower()
    if lowered in ("en", "en-us", "en-gb"):
        return "en"
    if lowered in ("zh", "zh-cn", "zh-hans"):
        return "zh-CN"
    return None


def translate(key: str, lang: str, /, **values: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``values``.

    A missing key shows as the key itself (the catalog test keeps that from shipping)."""
    entry = CATALOG.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def label(kind: str, value: object, lang: str) -> str:
    """The label of an enum value, e.g. ``label("state", LifecycleState.PLANNED, "zh-CN")``."""
    raw = getattr(value, "value", value)
    return translate(f"{kind}.{raw}", lang)
