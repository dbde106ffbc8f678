"""The wording of the documents, as templates: one paragraph per line of a list, ``$name``
placeholders filled by :mod:`psvis.enforcement.documents` (``string.Template``, so a
``{`` or ``$`` typed into a case's facts stays text — substitution is one pass).

A line with an empty placeholder is left out (no manager named, no other law cited, no
order before the decision), so the templates read like the paper forms without
conditionals in them.
"""

from __future__ import annotations

from typing import Final

REGULATION: Final = "《南昌市公共安全视频图像信息系统管理办法》"

#: 责令（限期）改正通知书 — Art. 24/25 (a deadline) and Art. 23 (the other law's).
CORRECTION_ORDER: Final[tuple[str, ...]] = (
    "$party：",
    "经查，$facts",
    "上述行为违反了$regulation$violated的规定，属于$regulation$article_zh所列“$act”的情形。",
    "根据$regulation$article_zh的规定，现责令你（单位）于 $deadline 前（含当日）改正。",
    "根据$other_law的规定，现责令你（单位）于 $deadline 前（含当日）改正。",
    "改正要求：$requirement",
    "逾期不改正的，本机关将依照$regulation$article_zh的规定，$consequence",
    "逾期不改正的，本机关将依照$other_law的规定依法予以处罚。",
    "案件编号：$case_number",
)

#: 行政处罚决定书: the head, the numbered items decided (一、二、… added in order of the
#: items present) and the tail.
PENALTY_DECISION_HEAD: Final[tuple[str, ...]] = (
    "被处罚人：$party",
    "直接负责的主管人员：$manager",
    "案件编号：$case_number",
    "违法事实：$facts",
    "本机关于 $ordered_on 以 $order_number 责令你（单位）于 $deadline 前改正，"
    "经 $rechecked_on 复查，逾期未改正。",
    "上述行为违反了$regulation$violated的规定，属于$regulation$article_zh所列“$act”的情形。",
    "根据$regulation$article_zh的规定，决定：",
    "根据$regulation第二十三条“违反本办法规定的行为，法律、法规已有处罚规定的，从其规定”，"
    "依照$other_law的规定，决定：",
)
PENALTY_DECISION_ITEMS: Final[tuple[str, ...]] = (
    "$order_at_once",
    "对 $party 处罚款人民币 $fine_yuan 元。",
    "对直接负责的主管人员 $manager 处罚款人民币 $manager_fine_yuan 元。",
    "$refer_public_order",
    "$refer_criminal",
)
PENALTY_DECISION_TAIL: Final[tuple[str, ...]] = (
    "处理理由：$reasons",
    "被处罚人应当自收到本决定书之日起十五日内缴纳罚款。",
    "被处罚人如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。",
)

#: 第二十六条: the order comes with the fine (no period).
ORDER_AT_ONCE: Final = "责令你（单位）立即改正上述违法行为。"
REFER_PUBLIC_ORDER: Final = "本案涉嫌违反治安管理，移送依法予以治安管理处罚。"
REFER_CRIMINAL: Final = "本案涉嫌犯罪，移送依法追究刑事责任。"

#: What the order warns of, per provision (the caps of the regulation).
CONSEQUENCE_ART24: Final = "对单位处 1000 元以下罚款，对其直接负责的主管人员处 200 元以下罚款。"
CONSEQUENCE_ART25: Final = "处 1000 元以下罚款。"

TITLES: Final = {
    "correction_order": "责令限期改正通知书",
    "penalty_decision": "行政处罚决定书",
}
#: The document's word in its number (东湖公(治)责改字〔2026〕000001号).
NUMBER_WORDS: Final = {
    "correction_order": "责改字",
    "penalty_decision": "行罚决字",
}
