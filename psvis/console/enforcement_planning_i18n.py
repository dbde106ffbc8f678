"""The planning page's words (Art. 7, 8), zh-CN and English, merged into the console
catalog through :data:`psvis.console.enforcement_i18n.ENFORCEMENT_MESSAGES`."""

from __future__ import annotations

from typing import Final

PLANNING_MESSAGES: Final[dict[str, dict[str, str]]] = {
    "planning.title": {"zh-CN": "建设规划", "en": "Planning"},
    "planning.intro": {
        "zh-CN": "规划点位与现有摄像机的视场比对（第七条：充分利用现有视频信息资源，"
        "避免重复建设），"
        "视场已被覆盖达到阈值的标为重复建设；以及第八条场所的出入口、通道、重点部位尚缺摄像机的情况。",
        "en": "Planned camera points compared with the existing cameras' fields of view "
        "(Art. 7: reuse existing resources, avoid duplicate building) — covered at or above "
        "the threshold is flagged a duplicate — and the Art. 8 places still lacking a camera "
        "at an entrance, passage or key spot.",
    },
    "planning.map": {"zh-CN": "规划点位图", "en": "Map of planned points"},
    "planning.legend.camera": {"zh-CN": "现有摄像机", "en": "Existing camera"},
    "planning.legend.planned": {"zh-CN": "规划点位", "en": "Planned point"},
    "planning.legend.duplicate": {"zh-CN": "重复建设", "en": "Duplicate"},
    "planning.add": {"zh-CN": "新增规划点位", "en": "Add a planned point"},
    "planning.name": {"zh-CN": "点位名称", "en": "Name"},
    "planning.role": {"zh-CN": "监控部位", "en": "Role"},
    "planning.lat": {"zh-CN": "纬度", "en": "Latitude"},
    "planning.lon": {"zh-CN": "经度", "en": "Longitude"},
    "planning.azimuth": {
        "zh-CN": "方位角（度，正北顺时针）",
        "en": "Azimuth (°, clockwise from north)",
    },
    "planning.fov": {"zh-CN": "水平视场角（度）", "en": "Field of view (°)"},
    "planning.range": {"zh-CN": "有效距离（米）", "en": "Range (m)"},
    "planning.submit": {"zh-CN": "保存并比对", "en": "Save and check"},
    "planning.points": {"zh-CN": "规划点位", "en": "Planned points"},
    "planning.covered": {"zh-CN": "视场已覆盖", "en": "Already covered"},
    "planning.cameras": {"zh-CN": "覆盖它的摄像机", "en": "Covering cameras"},
    "planning.duplicate": {"zh-CN": "重复建设", "en": "duplicate"},
    "planning.none": {"zh-CN": "还没有规划点位。", "en": "No planned point yet."},
    "planning.gaps": {"zh-CN": "第八条场所缺少的监控部位", "en": "Art. 8 places lacking cameras"},
    "planning.gaps_note": {
        "zh-CN": "按在用系统（未拆除）的启用摄像机统计；“已规划”为规划点位将补上的部位。",
        "en": 'Counted over enabled cameras of systems not removed; "planned" are the '
        "roles a planned point would fill.",
    },
    "planning.missing": {"zh-CN": "缺少", "en": "Missing"},
    "planning.planned": {"zh-CN": "已规划", "en": "Planned"},
    "planning.no_gaps": {
        "zh-CN": "辖区内第八条场所的出入口、通道、重点部位均有摄像机。",
        "en": "Every Art. 8 place has its entrances, passages and key spots covered.",
    },
}
