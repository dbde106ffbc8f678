"""The custody pages' messages (zh-CN and English), merged into the console catalog.

``custody.rule.<rule>`` gives each refusal of :mod:`psvis.custody.rules` (and of the
footage gate) its sentence; the article is appended from the refusal itself.
"""

from __future__ import annotations

from typing import Final

_NAV: dict[str, dict[str, str]] = {
    "nav.custody": {"zh-CN": "调取审批", "en": "Footage requests"},
    "nav.registrations": {"zh-CN": "调取登记簿", "en": "Registration book"},
    "custody.tab_queue": {"zh-CN": "待我审批", "en": "Awaiting my decision"},
    "custody.tab_mine": {"zh-CN": "我的申请", "en": "My requests"},
    "custody.tab_all": {"zh-CN": "全部申请", "en": "All requests"},
    "custody.tab_new": {"zh-CN": "新建调取申请", "en": "New request"},
    "custody.tab_totp": {"zh-CN": "我的动态口令", "en": "My one-time codes"},
}

_LIST: dict[str, dict[str, str]] = {
    "custody.title": {"zh-CN": "调取申请", "en": "Retrieval requests"},
    "custody.list_mine": {"zh-CN": "我的调取申请", "en": "My retrieval requests"},
    "custody.list_queue": {"zh-CN": "待我审批的调取申请", "en": "Requests awaiting my decision"},
    "custody.list_all": {"zh-CN": "全部调取申请", "en": "All retrieval requests"},
    "custody.note": {
        "zh-CN": "查阅、复制、调取录像或接入、直接使用系统，须经县级以上公安机关负责人批准"
        "（第十八条）；执行时至少两名民警在场并出示工作证件、审批文书，并予以登记（第十九条）。",
        "en": "Viewing, copying or retrieving footage, or directly using a unit's system, needs "
        "the approval of the head of a county-level or higher police bureau (Art. 18); at least "
        "two officers execute it, showing work IDs and the approval document, and it is "
        "registered (Art. 19).",
    },
    "custody.queue_empty": {
        "zh-CN": "没有等待您审批的申请。",
        "en": "No request is waiting for your decision.",
    },
    "custody.state": {"zh-CN": "状态", "en": "State"},
    "custody.state.requested": {"zh-CN": "待审批", "en": "Awaiting approval"},
    "custody.state.approved": {"zh-CN": "已批准", "en": "Approved"},
    "custody.state.rejected": {"zh-CN": "已驳回", "en": "Rejected"},
    "custody.state.expired": {"zh-CN": "已过期", "en": "Expired"},
    "custody.state.closed": {"zh-CN": "已终止", "en": "Closed"},
    "custody.number": {"zh-CN": "申请编号", "en": "Request number"},
    "custody.requester": {"zh-CN": "申请人", "en": "Requester"},
    "custody.actions": {"zh-CN": "调取事项", "en": "Actions"},
    "custody.validity": {"zh-CN": "有效期（北京时间）", "en": "Valid (China time)"},
    "custody.created": {"zh-CN": "申请时间", "en": "Filed"},
    "custody.action.view": {"zh-CN": "查阅", "en": "View"},
    "custody.action.copy": {"zh-CN": "复制", "en": "Copy"},
    "custody.action.retrieve": {"zh-CN": "调取", "en": "Retrieve"},
    "custody.action.direct_access": {
        "zh-CN": "接入、直接使用系统",
        "en": "Connect to and directly use the system",
    },
    "custody.kind.police": {"zh-CN": "公安机关", "en": "Police"},
    "custody.kind.other": {"zh-CN": "其他国家机关", "en": "Another state department"},
}

_FORM: dict[str, dict[str, str]] = {
    "custody.new_title": {"zh-CN": "新建调取申请", "en": "New retrieval request"},
    "custody.new_note": {
        "zh-CN": "填写后提交，由摄像机所在地县级以上公安机关负责人审批；申请人不能审批自己的申请。",
        "en": "Once filed, the chief of a county-level or higher bureau over the cameras decides; "
        "nobody approves their own request.",
    },
    "custody.pick_h": {"zh-CN": "选择摄像机", "en": "Choose cameras"},
    "custody.pick_search": {
        "zh-CN": "按名称或国标编码查找（仅您有权查看的摄像机）",
        "en": "Find by name or GB/T 28181 id (cameras you may read)",
    },
    "custody.pick_add": {"zh-CN": "加入申请", "en": "Add"},
    "custody.cameras_h": {"zh-CN": "调取的摄像机与时段", "en": "Cameras and footage"},
    "custody.picked_none": {
        "zh-CN": "尚未选择摄像机：可在上方查找后加入，或在下方填写编号。",
        "en": "No camera chosen yet: find and add above, or type ids below.",
    },
    "custody.f.camera_list": {
        "zh-CN": "摄像机编号或 20 位国标编码（可多个，用逗号或换行分隔，最多 {n} 个）",
        "en": "Camera ids or 20-digit GB/T 28181 ids "
        "(several, comma or line separated; at most {n})",
    },
    "custody.f.footage_from": {"zh-CN": "录像起始时间", "en": "Footage from"},
    "custody.f.footage_until": {"zh-CN": "录像截止时间（不含）", "en": "Footage until (exclusive)"},
    "custody.china_time": {
        "zh-CN": "时间均为北京时间（UTC+8）。",
        "en": "Times are China time (UTC+8).",
    },
    "custody.facts_h": {"zh-CN": "申请事项", "en": "The request"},
    "custody.f.department_kind": {"zh-CN": "申请单位类别", "en": "Requesting body"},
    "custody.f.department_name": {"zh-CN": "申请部门", "en": "Department"},
    "custody.f.legal_basis": {
        "zh-CN": "法律依据（其他国家机关必填，第十八条第二款）",
        "en": "Legal basis (required for other departments, Art. 18, second paragraph)",
    },
    "custody.f.case_number": {"zh-CN": "案件编号", "en": "Case number"},
    "custody.f.purpose": {"zh-CN": "调取事由", "en": "Purpose"},
    "custody.f.valid_from": {"zh-CN": "有效期自", "en": "Valid from"},
    "custody.f.valid_until": {"zh-CN": "有效期至（不含）", "en": "Valid until (exclusive)"},
    "custody.submit": {"zh-CN": "提交申请", "en": "File the request"},
    "custody.err_camera_token": {
        "zh-CN": "“{token}”不是摄像机编号或 20 位国标编码。",
        "en": "“{token}” is not a camera id or a 20-digit GB/T 28181 id.",
    },
    "custody.err_camera_unknown": {
        "zh-CN": "摄像机 {token} 不存在或不在您的辖区内。",
        "en": "Camera {token} does not exist or is outside your jurisdiction.",
    },
    "custody.err_no_camera": {
        "zh-CN": "请至少选择一台摄像机。",
        "en": "Choose at least one camera.",
    },
    "custody.err_too_many": {
        "zh-CN": "一次申请最多 {n} 台摄像机。",
        "en": "One request names at most {n} cameras.",
    },
    "custody.err_required": {"zh-CN": "请填写{field}。", "en": "{field} is required."},
    "custody.err_legal_basis": {
        "zh-CN": "其他国家机关的申请须写明所依据的法律（第十八条第二款）。",
        "en": "Another department's request must cite the law it acts under "
        "(Art. 18, second paragraph).",
    },
    "custody.err_no_action": {
        "zh-CN": "请至少选择一项调取事项。",
        "en": "Choose at least one action.",
    },
    "custody.err_range": {
        "zh-CN": "录像截止时间须晚于起始时间。",
        "en": "The footage must end after it starts.",
    },
    "custody.err_validity": {
        "zh-CN": "有效期的结束须晚于开始。",
        "en": "The validity must end after it begins.",
    },
    "custody.err_range_after_validity": {
        "zh-CN": "调取的录像不能晚于申请有效期的结束。",
        "en": "The footage cannot end after the request's validity ends.",
    },
    "custody.err_time": {
        "zh-CN": "{field}不是有效的时间（年-月-日 时:分）。",
        "en": "{field} is not a time (YYYY-MM-DD HH:MM).",
    },
    "custody.err_form": {"zh-CN": "申请内容有误：{error}", "en": "The request is invalid: {error}"},
    "custody.err_document_number": {
        "zh-CN": "请填写审批文书编号。",
        "en": "Enter the approval document's number.",
    },
    "custody.err_no_scan": {
        "zh-CN": "请上传审批文书的扫描件（PDF、PNG 或 JPEG）。",
        "en": "Upload the approval document's scan (PDF, PNG or JPEG).",
    },
    "custody.err_reason": {"zh-CN": "请填写理由。", "en": "Give the reason."},
    "custody.err_officer_b": {
        "zh-CN": "请由第二名民警填写用户名、密码和动态口令。",
        "en": "The second officer must enter username, password and one-time code.",
    },
}

_REQUEST: dict[str, dict[str, str]] = {
    "custody.request": {"zh-CN": "调取申请", "en": "Retrieval request"},
    "custody.work_id": {"zh-CN": "警号", "en": "Work ID"},
    "custody.closed": {"zh-CN": "结束时间", "en": "Closed"},
    "custody.holds": {"zh-CN": "证据保全", "en": "Legal hold"},
    "custody.holds_n": {
        "zh-CN": "{n} 段录像在保全中（到期不删除）",
        "en": "{n} ranges held (not expired by retention)",
    },
    "custody.holds_none": {"zh-CN": "无", "en": "None"},
    "custody.decision_h": {"zh-CN": "审批", "en": "Decision"},
    "custody.undecided": {"zh-CN": "尚未审批。", "en": "Not decided yet."},
    "custody.approved_by": {"zh-CN": "批准人", "en": "Approved by"},
    "custody.rejected_by": {"zh-CN": "驳回人", "en": "Rejected by"},
    "custody.decided": {"zh-CN": "审批时间", "en": "Decided"},
    "custody.document_number": {"zh-CN": "审批文书编号", "en": "Approval document number"},
    "custody.scan": {"zh-CN": "审批文书扫描件", "en": "Approval document scan"},
    "custody.scan_show": {"zh-CN": "查看审批文书", "en": "Show the approval document"},
    "custody.reason": {"zh-CN": "理由", "en": "Reason"},
    "custody.scope_h": {"zh-CN": "批准的调取范围", "en": "Scope"},
    "custody.camera": {"zh-CN": "摄像机", "en": "Camera"},
    "custody.approve_h": {"zh-CN": "审批", "en": "Decide"},
    "custody.approve_note": {
        "zh-CN": "批准须填写审批文书编号并上传签批的审批文书扫描件；"
        "批准后，所调取的录像自动进入证据保全。",
        "en": "Approving needs the approval document's number and its signed scan; the approved "
        "footage is then placed on legal hold.",
    },
    "custody.scan_upload": {
        "zh-CN": "审批文书扫描件（PDF、PNG 或 JPEG，不超过 {limit}）",
        "en": "Approval document scan (PDF, PNG or JPEG, at most {limit})",
    },
    "custody.approve": {"zh-CN": "批准", "en": "Approve"},
    "custody.reject": {"zh-CN": "驳回", "en": "Reject"},
    "custody.sessions_h": {"zh-CN": "双人调阅会话", "en": "Two-officer sessions"},
    "custody.sessions_none": {"zh-CN": "尚无调阅会话。", "en": "No session yet."},
    "custody.officer_a": {"zh-CN": "经办民警 A", "en": "Officer A"},
    "custody.officer_b": {"zh-CN": "经办民警 B", "en": "Officer B"},
    "custody.opened": {"zh-CN": "开始时间", "en": "Opened"},
    "custody.session_open": {"zh-CN": "进行中", "en": "Open"},
    "custody.session_closed": {"zh-CN": "已结束", "en": "Closed"},
    "custody.to_session": {"zh-CN": "进入调阅会话", "en": "Go to the open session"},
    "custody.open_h": {"zh-CN": "开启双人调阅", "en": "Open a two-officer session"},
    "custody.open_note": {
        "zh-CN": "您（{name}）为经办民警 A。"
        "第二名民警须在此当场输入本人的用户名、密码和动态口令（第十九条）。",
        "en": "You ({name}) are officer A. The second officer enters their own username, "
        "password and one-time code here, in person (Art. 19).",
    },
    "custody.b_username": {"zh-CN": "民警 B 用户名", "en": "Officer B's username"},
    "custody.b_password": {"zh-CN": "民警 B 密码", "en": "Officer B's password"},
    "custody.b_totp": {
        "zh-CN": "民警 B 动态口令（6 位）",
        "en": "Officer B's one-time code (6 digits)",
    },
    "custody.open": {"zh-CN": "开启调阅", "en": "Open the session"},
    "custody.release_h": {"zh-CN": "解除证据保全", "en": "Release the legal hold"},
    "custody.release_note": {
        "zh-CN": "解除后，录像在保存期满后可按规定删除；解除本身须经负责人批准并记录。",
        "en": "Once released, the footage may expire when its retention ends; the release is "
        "itself a chief's approval, recorded.",
    },
    "custody.release": {"zh-CN": "解除保全", "en": "Release"},
    "custody.close_h": {"zh-CN": "终止申请", "en": "Close the request"},
    "custody.close_note": {
        "zh-CN": "终止后不能再开启调阅会话，进行中的会话随之结束；证据保全保留，直至解除。",
        "en": "No session can open afterwards and open ones close; the legal hold stays until "
        "released.",
    },
    "custody.close_request": {"zh-CN": "终止申请", "en": "Close the request"},
}

_SESSION: dict[str, dict[str, str]] = {
    "custody.session_title": {"zh-CN": "双人调阅", "en": "Two-officer session"},
    "custody.session_note": {
        "zh-CN": "调阅期间，仅可在批准的摄像机、时段和事项范围内查阅、"
        "复制录像；每一次访问均被记录并写入账本。",
        "en": "While the session is open, only the approved cameras, times and actions are "
        "reachable; every access is logged and goes into the ledger.",
    },
    "custody.officers_h": {"zh-CN": "经办民警", "en": "Officers"},
    "custody.approval_h": {"zh-CN": "审批文书", "en": "Approval"},
    "custody.session_unusable": {
        "zh-CN": "会话已结束或申请已不在有效期内，不能再访问录像。",
        "en": "The session is closed or the request is no longer valid: no footage is reachable.",
    },
    "custody.session_not_officer": {
        "zh-CN": "您不是本会话的经办民警。",
        "en": "You are not an officer of this session.",
    },
    "custody.session_unbound": {
        "zh-CN": "本会话未绑定到您当前的登录，摄像机页面的播放器无法使用它；"
        "请由经办民警 A 在其登录中开启会话。",
        "en": "This session is not bound to your current sign-in, so the camera pages' players "
        "cannot use it; officer A opens sessions from their own sign-in.",
    },
    "custody.approved_range": {"zh-CN": "批准时段", "en": "Approved range"},
    "custody.by_day": {"zh-CN": "按日回放与复制", "en": "Play back and copy, by day"},
    "custody.play": {"zh-CN": "回放", "en": "Play back"},
    "custody.copy_clip": {"zh-CN": "复制片段（MP4）", "en": "Copy a clip (MP4)"},
    "custody.clip_split": {
        "zh-CN": "超过 1 小时：请在摄像机页面按 1 小时以内的时段复制",
        "en": "Longer than 1 h: copy pieces of up to an hour on the camera page",
    },
    "custody.accesses_h": {"zh-CN": "访问记录", "en": "Accesses"},
    "custody.access_counts": {
        "zh-CN": "查阅 {view} 段，复制 {copy} 段，导出 {export} 段。",
        "en": "{view} segments viewed, {copy} copied, {export} exported.",
    },
    "custody.at": {"zh-CN": "时间", "en": "At"},
    "custody.access_kind": {"zh-CN": "方式", "en": "Kind"},
    "custody.segment": {"zh-CN": "录像片段", "en": "Segment"},
    "custody.access.view": {"zh-CN": "查阅", "en": "Viewed"},
    "custody.access.copy": {"zh-CN": "复制", "en": "Copied"},
    "custody.access.export": {"zh-CN": "导出", "en": "Exported"},
    "custody.close_session": {"zh-CN": "结束调阅", "en": "Close the session"},
}

_BOOK: dict[str, dict[str, str]] = {
    "book.title": {"zh-CN": "调取登记簿", "en": "Registration book"},
    "book.note": {
        "zh-CN": "每次双人调阅按使用单位自动登记：申请、审批文书、"
        "两名民警及警号、调取范围、访问数量（第十九条）。",
        "en": "Every two-officer session is registered per unit automatically: the request, the "
        "approval document, both officers and their work IDs, the scope, what was accessed "
        "(Art. 19).",
    },
    "book.unit": {"zh-CN": "单位编号", "en": "Unit id"},
    "book.from": {"zh-CN": "登记日期自", "en": "From"},
    "book.to": {"zh-CN": "登记日期至", "en": "To"},
    "book.pdf": {"zh-CN": "下载登记簿（PDF）", "en": "Download the book (PDF)"},
    "book.accessed": {"zh-CN": "访问片段数", "en": "Segments accessed"},
}

_TOTP: dict[str, dict[str, str]] = {
    "totp.title": {"zh-CN": "我的动态口令", "en": "My one-time codes"},
    "totp.note": {
        "zh-CN": "作为第二名民警参加双人调阅时，"
        "须输入密码和认证器应用（如手机上的动态口令应用）显示的 6 位动态口令。",
        "en": "As the second officer of a session you enter your password and the 6-digit code "
        "your authenticator app shows.",
    },
    "totp.enrolled": {"zh-CN": "已绑定认证器。", "en": "An authenticator is enrolled."},
    "totp.not_enrolled": {"zh-CN": "尚未绑定认证器。", "en": "No authenticator enrolled yet."},
    "totp.new": {"zh-CN": "绑定认证器", "en": "Enrol an authenticator"},
    "totp.replace": {"zh-CN": "更换认证器", "en": "Replace the authenticator"},
    "totp.scan_h": {"zh-CN": "用认证器扫描", "en": "Scan with your authenticator"},
    "totp.scan_note": {
        "zh-CN": "用认证器应用扫描二维码（或手工输入密钥），然后输入它显示的动态口令确认。"
        "{minutes} 分钟内有效；确认前不会保存。",
        "en": "Scan the QR code with your authenticator app (or type the secret), then confirm "
        "with the code it shows. Valid for {minutes} minutes; nothing is saved until confirmed.",
    },
    "totp.qr_alt": {"zh-CN": "动态口令二维码", "en": "One-time code QR code"},
    "totp.account": {"zh-CN": "账户", "en": "Account"},
    "totp.secret": {"zh-CN": "密钥", "en": "Secret"},
    "totp.uri": {"zh-CN": "otpauth 链接", "en": "otpauth URI"},
    "totp.code": {"zh-CN": "认证器显示的动态口令", "en": "The code your authenticator shows"},
    "totp.current_code": {
        "zh-CN": "原认证器当前的动态口令（更换须验证）",
        "en": "A code from the current authenticator (needed to replace it)",
    },
    "totp.confirm": {"zh-CN": "确认绑定", "en": "Confirm"},
    "totp.done": {"zh-CN": "认证器已绑定。", "en": "Your authenticator is enrolled."},
    "totp.err_pending": {
        "zh-CN": "该密钥已过期或无效，请重新生成。",
        "en": "This secret has expired or is not valid; start again.",
    },
    "totp.err_code": {
        "zh-CN": "动态口令不正确：请检查手机时间后重试。",
        "en": "The code does not match: check the phone's clock and try again.",
    },
    "totp.err_current": {
        "zh-CN": "原认证器的动态口令不正确，未更换。",
        "en": "The current authenticator's code is wrong; nothing was replaced.",
    },
}

#: Each refusal's sentence, by the rule code of psvis.custody.rules (and the gate).
_RULES: dict[str, dict[str, str]] = {
    "custody.rule.art18_request": {
        "zh-CN": "回看或导出录像须经批准的调取申请，并由两名民警开启调阅会话",
        "en": "Recorded footage is reached only through an open two-officer session of an "
        "approved request",
    },
    "custody.rule.art19_session_officer": {
        "zh-CN": "您不是该调阅会话的经办民警",
        "en": "You are not an officer of this session",
    },
    "custody.rule.art19_session_open": {"zh-CN": "调阅会话已结束", "en": "The session is closed"},
    "custody.rule.art18_validity": {
        "zh-CN": "调取申请不在有效期内",
        "en": "The request is outside its validity",
    },
    "custody.rule.art18_action": {
        "zh-CN": "调取申请未批准此项操作",
        "en": "The request does not approve this action",
    },
    "custody.rule.art18_camera": {
        "zh-CN": "该摄像机不在批准的调取范围内",
        "en": "This camera is not in the approved scope",
    },
    "custody.rule.art18_range": {
        "zh-CN": "所选时段超出批准的调取时段",
        "en": "The chosen time lies outside the approved range",
    },
    "custody.rule.art18_approved": {
        "zh-CN": "调取申请尚未批准或已结束",
        "en": "The request is not (or no longer) approved",
    },
    "custody.rule.art19_two_officers": {
        "zh-CN": "须由两名不同的民警共同执行",
        "en": "Two different officers must be present",
    },
    "custody.rule.art19_police_officers": {
        "zh-CN": "两名经办人均须为可处理录像的在职民警",
        "en": "Both must be active police officers who may handle footage",
    },
    "custody.rule.art19_work_ids": {
        "zh-CN": "经办民警须有登记的警号",
        "en": "Both officers need a work ID on record",
    },
    "custody.rule.art19_second_officer_authenticated": {
        "zh-CN": "第二名民警的密码或动态口令不正确，或账户已锁定，或尚未绑定认证器",
        "en": "The second officer's password or one-time code is wrong, the account is locked, "
        "or no authenticator is enrolled",
    },
    "custody.rule.art4_officer_jurisdiction": {
        "zh-CN": "经办民警的辖区未覆盖申请中的全部摄像机",
        "en": "An officer's jurisdiction does not cover every camera of the request",
    },
    "custody.rule.art18_pending": {
        "zh-CN": "该申请已不在待审批状态",
        "en": "The request is no longer awaiting a decision",
    },
    "custody.rule.art14_government": {
        "zh-CN": "仅政府投资建设或者承租的系统联网共享；"
        "使用其他单位的系统属于接入、直接使用，须经批准",
        "en": "Only government-funded or leased systems are networked; using another unit's "
        "system is direct use and needs approval",
    },
    "custody.rule.art14_agreement": {
        "zh-CN": "须填写联网共享协议或文书",
        "en": "Name the networking agreement or document",
    },
    "custody.rule.art14_bureau": {
        "zh-CN": "系统只与所在地或上级公安机关联网共享",
        "en": "A system is networked with the police of its place or a bureau above it",
    },
    "custody.watch_live": {"zh-CN": "查看实时视频（接入）", "en": "Watch live (direct use)"},
    "custody.rule.art14_network": {"zh-CN": "已联网共享", "en": "Networked"},
    "custody.rule.art18_chief": {
        "zh-CN": "仅县级以上公安机关负责人可以审批",
        "en": "Only the head of a county-level or higher police bureau decides",
    },
    "custody.rule.art18_county_level": {
        "zh-CN": "审批人须为县级以上公安机关负责人",
        "en": "The approving chief must head a county-level or higher bureau",
    },
    "custody.rule.art18_not_requester": {
        "zh-CN": "不能审批本人提出的申请",
        "en": "Nobody approves their own request",
    },
    "custody.rule.art18_jurisdiction": {
        "zh-CN": "申请中的摄像机不全在您的辖区内，应由其所在地公安机关负责人审批",
        "en": "Some cameras lie outside your jurisdiction; the chief of their place decides",
    },
    "custody.rule.art18_legal_basis": {
        "zh-CN": "其他国家机关的申请须写明法律依据",
        "en": "Another department's request must cite its legal basis",
    },
    "custody.rule.art18_hold_placed": {
        "zh-CN": "该申请没有需要解除的证据保全",
        "en": "The request holds no footage",
    },
}

_VIDEO: dict[str, dict[str, str]] = {
    "video.custody_none": {
        "zh-CN": "回看录像须经批准的调取申请，并由两名民警开启双人调阅（第十八条、第十九条）。"
        "您当前的登录没有进行中的调阅会话。",
        "en": "Recorded footage needs an approved retrieval request and a two-officer session "
        "(Art. 18, 19); your sign-in has no open session.",
    },
    "video.custody_request": {
        "zh-CN": "申请调取此摄像机录像",
        "en": "Request this camera's footage",
    },
    "video.custody_requests": {"zh-CN": "我的调取申请", "en": "My requests"},
    "video.custody_session": {"zh-CN": "当前调阅会话：申请", "en": "Open session of request"},
    "video.custody_approved": {
        "zh-CN": "本摄像机当日批准的时段：",
        "en": "Approved ranges of this camera on this day:",
    },
    "video.custody_other_days": {
        "zh-CN": "本摄像机当日没有批准的时段；批准的日期：",
        "en": "Nothing approved on this day; approved days:",
    },
    "video.custody_camera_out": {
        "zh-CN": "本摄像机不在当前调阅会话批准的范围内（第十八条）。",
        "en": "This camera is not in the open session's approved scope (Art. 18).",
    },
    "video.custody_refused": {"zh-CN": "不能回放：", "en": "Cannot play back:"},
    "video.custody_no_export": {"zh-CN": "不能复制：", "en": "Cannot copy:"},
}

#: Exports from the session screen (psvis.console.custody_export_pages).
_EXPORT: dict[str, dict[str, str]] = {
    "custody.export_package": {"zh-CN": "导出证据包", "en": "Export an evidence package"},
    "custody.export_viewing": {
        "zh-CN": "导出带水印查看副本",
        "en": "Export a watermarked viewing copy",
    },
    "custody.export_viewing_split": {
        "zh-CN": "超过 1 小时：不能导出查看副本",
        "en": "Longer than 1 h: no viewing copy",
    },
    "custody.exports_h": {"zh-CN": "导出记录", "en": "Exports"},
    "custody.exports_note": {
        "zh-CN": "每次导出均登记所用录像段，并将文件的 SHA-256 记入账本；下载须由本会话民警在会话"
        "进行中重新核验（第十九条、第二十条）。证据包可离线验证；查看副本重新编码并加水印，不作证据。",
        "en": "Each export registers the segments it used and puts the file's SHA-256 on the "
        "ledger; a download is checked again: an officer of this session, while it is open "
        "(Art. 19, 20). Evidence packages verify offline; viewing copies are re-encoded with a "
        "watermark and are not evidence.",
    },
    "custody.exports_none": {"zh-CN": "尚无导出。", "en": "Nothing exported yet."},
    "custody.export_kind": {"zh-CN": "类型", "en": "Kind"},
    "custody.export_kind.package": {"zh-CN": "证据包", "en": "Evidence package"},
    "custody.export_kind.viewing_copy": {
        "zh-CN": "带水印查看副本",
        "en": "Watermarked viewing copy",
    },
    "custody.export_range": {"zh-CN": "录像时段（北京时间）", "en": "Footage (China time)"},
    "custody.export_segments": {"zh-CN": "录像段数", "en": "Segments"},
    "custody.export_size": {"zh-CN": "大小", "en": "Size"},
    "custody.export_download": {"zh-CN": "下载", "en": "Download"},
}

CUSTODY_MESSAGES: Final[dict[str, dict[str, str]]] = {
    **_NAV,
    **_LIST,
    **_FORM,
    **_REQUEST,
    **_SESSION,
    **_BOOK,
    **_TOTP,
    **_RULES,
    **_VIDEO,
    **_EXPORT,
}
