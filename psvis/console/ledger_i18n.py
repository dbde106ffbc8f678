"""The ledger pages' messages (zh-CN and English), merged into the console catalog.

Audit finding kinds take their Chinese names from :data:`psvis.ledger.rules.KIND_ZH`, so
the console, the compliance register and ``psvis audit`` say the same thing.
"""

from __future__ import annotations

from typing import Final

from psvis.ledger.rules import KIND_ZH, Kind, rule_for

KIND_EN: Final = {
    Kind.MISSING: "Original footage missing (deleted)",
    Kind.ALTERED: "Original footage altered",
    Kind.HIDDEN: "Original footage hidden (moved)",
    Kind.INJECTED: "Unaccounted-for file in the storage",
    Kind.UNEXPLAINED_GAP: "Recording gap without a recorded cause",
    Kind.PREMATURE_EXPIRY: "Footage deleted before its retention period ended",
    Kind.INDEX_MISMATCH: "Index disagrees with the ledger",
    Kind.HISTORY_REWRITTEN: "Ledger history rewritten",
}

_KINDS: dict[str, dict[str, str]] = {
    f"auditkind.{kind}": {"zh-CN": KIND_ZH[kind], "en": KIND_EN[kind]} for kind in Kind
}
# Audit findings filed in the compliance register (Art. 20(3)) show on /findings too.
_KINDS |= {f"rule.{rule_for(kind)}": {"zh-CN": KIND_ZH[kind], "en": KIND_EN[kind]} for kind in Kind}

_PAGES: dict[str, dict[str, str]] = {
    "nav.ledger": {"zh-CN": "完整性账本", "en": "Integrity ledger"},
    "subject.ledger": {"zh-CN": "账本", "en": "Ledger"},
    # sub-navigation
    "ledger.title": {"zh-CN": "账本状态", "en": "Ledger"},
    "ledger.note": {
        "zh-CN": "录像片段的封存与到期删除、录像中断、重要配置变更都写入仅可追加的默克尔账本，"
        "并定期签名；删除、篡改、隐匿原始记录均可被发现（第二十条第（三）项）。",
        "en": "Every sealed and expired segment, every outage and every configuration change "
        "that matters to the law goes into an append-only Merkle ledger that is signed "
        "regularly: deleting, altering or hiding original records is detectable (Art. 20(3)).",
    },
    "ledger.none": {
        "zh-CN": "本节点尚未建立账本（请运行 psvis init）。",
        "en": "This node has no ledger yet (run psvis init).",
    },
    "ledger.tree_h": {"zh-CN": "账本", "en": "The log"},
    "ledger.origin": {"zh-CN": "账本标识", "en": "Log origin"},
    "ledger.size": {"zh-CN": "条目数（树大小）", "en": "Tree size (leaves)"},
    "ledger.root": {"zh-CN": "根哈希", "en": "Root hash"},
    "ledger.full_value": {"zh-CN": "完整值", "en": "Full value"},
    "ledger.queued": {"zh-CN": "待并入条目", "en": "Queued entries"},
    "ledger.unsigned": {
        "zh-CN": "有 {n} 个条目尚未包含在已签名的检查点中，将在下次签名时纳入。",
        "en": "{n} entries are not yet under a signed checkpoint; the next one will include them.",
    },
    "ledger.checkpoint_h": {"zh-CN": "最近签名的检查点", "en": "Last signed checkpoint"},
    "ledger.cp_size": {"zh-CN": "检查点树大小", "en": "Tree size"},
    "ledger.cp_time": {"zh-CN": "签名时间（北京时间）", "en": "Signed at (China time)"},
    "ledger.cp_key": {"zh-CN": "签名公钥指纹", "en": "Signing key fingerprint"},
    "ledger.cp_24h": {
        "zh-CN": "近 24 小时签名的检查点",
        "en": "Checkpoints signed in the last 24 h",
    },
    "ledger.cp_none": {"zh-CN": "尚未签名任何检查点。", "en": "No checkpoint has been signed yet."},
    "ledger.witness_h": {"zh-CN": "见证节点联署", "en": "Witness cosignatures"},
    "ledger.witness_note": {
        "zh-CN": "见证节点（如市局）保存其联署过的检查点：即使拥有本节点全部数据库和磁盘权限，"
        "也无法在不被发现的情况下改写账本历史。",
        "en": "A witness (e.g. the city bureau) keeps the checkpoints it cosigned: even with "
        "full access to this node's database and disks, history cannot be rewritten unseen.",
    },
    "ledger.witness_name": {"zh-CN": "见证节点", "en": "Witness"},
    "ledger.witness_key": {"zh-CN": "公钥指纹", "en": "Key fingerprint"},
    "ledger.witness_size": {"zh-CN": "最近联署的树大小", "en": "Last cosigned size"},
    "ledger.witness_time": {"zh-CN": "联署时间（北京时间）", "en": "Cosigned at (China time)"},
    "ledger.witness_state": {"zh-CN": "状态", "en": "State"},
    "ledger.witness_ok": {"zh-CN": "正常", "en": "Up to date"},
    "ledger.witness_behind": {"zh-CN": "联署滞后 {age}", "en": "Behind for {age}"},
    "ledger.witness_never": {
        "zh-CN": "尚未联署任何检查点",
        "en": "Has not cosigned any checkpoint",
    },
    "ledger.witness_unconfigured": {
        "zh-CN": "本节点未配置此见证公钥（历史联署）",
        "en": "Key not configured on this node (past cosignatures)",
    },
    "ledger.witness_none": {
        "zh-CN": "未配置见证节点：账本历史仅由本节点自己的签名保护，"
        "掌握本节点全部权限的人仍可改写历史而不被发现。",
        "en": "No witness configured: the ledger's history is protected only by this node's "
        "own signature, so someone holding all of this node could still rewrite it unseen.",
    },
    "ledger.witness_silent": {
        "zh-CN": "见证节点 {name} 已超过 {minutes} 分钟未联署新的检查点。",
        "en": "Witness {name} has not cosigned a new checkpoint for more than {minutes} minutes.",
    },
    "ledger.witness_key_bad": {
        "zh-CN": "见证公钥文件 {path} 无法读取：{error}",
        "en": "Witness key file {path} cannot be read: {error}",
    },
    "ledger.witness_url": {"zh-CN": "审计时询问的见证节点", "en": "Witness the audit asks"},
    "ledger.key_h": {"zh-CN": "本节点签名公钥", "en": "This node's signing key"},
    "ledger.key_note": {
        "zh-CN": "核验检查点和证据包只需要此公钥（Ed25519，PEM 格式）。",
        "en": "Checkpoints and evidence packages are verified with this public key alone "
        "(Ed25519, PEM).",
    },
    "ledger.key_fingerprint": {"zh-CN": "公钥指纹", "en": "Fingerprint"},
    "ledger.key_download": {"zh-CN": "下载公钥（PEM）", "en": "Download the public key (PEM)"},
    "ledger.key_missing": {
        "zh-CN": "本节点尚无签名密钥（请运行 psvis init）。",
        "en": "This node has no signing key yet (run psvis init).",
    },
    "ledger.audit_latest": {"zh-CN": "最近一次审计", "en": "Latest audit"},
    # the archive audit
    "audit.title": {"zh-CN": "档案审计", "en": "Archive audit"},
    "audit.note": {
        "zh-CN": "逐一比对账本条目、录像索引和存储中的文件：缺失、篡改、隐匿、来历不明的文件、"
        "无原因中断、提前删除、索引不一致、账本历史改写。发现的问题登记为合规问题"
        "（第二十条第（三）项，罚则第二十六条第（三）项）。",
        "en": "Compares every ledger entry, index row and stored file: missing, altered, hidden "
        "or unaccounted-for files, unexplained gaps, premature expiry, index mismatches, "
        "rewritten history. Findings are filed as compliance findings (Art. 20(3), penalty "
        "Art. 26(3)).",
    },
    "audit.run_h": {"zh-CN": "立即审计", "en": "Run an audit now"},
    "audit.run_note": {
        "zh-CN": "控制台执行元数据审计（核对文件是否存在及大小，不计算哈希）。"
        "逐字节哈希核对请在服务器上运行 psvis audit --deep。",
        "en": "The console runs the metadata audit (files present, sizes right; no hashing). "
        "For SHA-256 of every file run psvis audit --deep on the server.",
    },
    "audit.camera": {"zh-CN": "摄像机编号（可选）", "en": "Camera ID (optional)"},
    "audit.run": {"zh-CN": "开始审计", "en": "Run the audit"},
    "audit.bad_camera": {
        "zh-CN": "摄像机编号须为正整数（留空表示审计全部档案）。",
        "en": "The camera ID must be a positive whole number (empty: the whole archive).",
    },
    "audit.runs_h": {"zh-CN": "审计记录", "en": "Audit runs"},
    "audit.time": {"zh-CN": "审计时间（北京时间）", "en": "Run at (China time)"},
    "audit.deep": {"zh-CN": "哈希核对", "en": "Hashed"},
    "audit.scope": {"zh-CN": "范围", "en": "Scope"},
    "audit.scope_all": {"zh-CN": "全部档案", "en": "Whole archive"},
    "audit.scope_camera": {"zh-CN": "摄像机 #{id}", "en": "Camera #{id}"},
    "audit.scope_since": {"zh-CN": "{since} 以来", "en": "since {since}"},
    "audit.segments": {"zh-CN": "核对片段数", "en": "Segments checked"},
    "audit.findings": {"zh-CN": "问题数", "en": "Findings"},
    "audit.result": {"zh-CN": "结论", "en": "Result"},
    "audit.clean": {"zh-CN": "未发现问题", "en": "Clean"},
    "audit.dirty": {"zh-CN": "发现问题", "en": "Findings"},
    "audit.none": {"zh-CN": "尚无审计记录。", "en": "No audit has run yet."},
    "audit.run_title": {"zh-CN": "审计 #{id}", "en": "Audit #{id}"},
    "audit.summary": {
        "zh-CN": "账本 {tree} 个条目（{queued} 个待并入），核对检查点 {checkpoints} 个、"
        "片段 {segments} 个、文件 {files} 个。见证：{witness}",
        "en": "{tree} leaves ({queued} queued), {checkpoints} checkpoints, {segments} "
        "segments and {files} files checked. Witness: {witness}",
    },
    "audit.witness_unset": {"zh-CN": "未配置", "en": "not configured"},
    "audit.by_kind": {"zh-CN": "按类型统计", "en": "By kind"},
    "audit.kind": {"zh-CN": "问题类型", "en": "Kind"},
    "audit.count": {"zh-CN": "数量", "en": "Count"},
    "audit.camera_col": {"zh-CN": "摄像机", "en": "Camera"},
    "audit.detail": {"zh-CN": "说明", "en": "Detail"},
    "audit.evidence": {"zh-CN": "证据", "en": "Evidence"},
    "audit.no_findings": {
        "zh-CN": "本次审计未发现问题。",
        "en": "This audit found nothing wrong.",
    },
    "audit.dropped": {
        "zh-CN": "另有 {n} 条问题只计数、未逐条保存。",
        "en": "{n} more findings were counted but not kept one by one.",
    },
    "audit.filed": {
        "zh-CN": "审计发现的问题已登记为合规问题：",
        "en": "The audit's findings are filed as compliance findings:",
    },
    "audit.malformed": {
        "zh-CN": "该审计记录的内容无法读取。",
        "en": "This audit record's report cannot be read.",
    },
    # verifying an evidence package
    "verify.title": {"zh-CN": "验证证据包", "en": "Verify an evidence package"},
    "verify.note": {
        "zh-CN": "上传证据包（ZIP）和出具节点的公钥，逐项核验原始片段哈希、包含证明、"
        "签名检查点和见证联署，与离线工具 psvis verify-package 相同。",
        "en": "Upload an evidence package (ZIP) and the issuing node's public key: segment "
        "hashes, inclusion proofs, the signed checkpoint and witness cosignatures are checked "
        "one by one, exactly as the offline psvis verify-package does.",
    },
    "verify.package": {
        "zh-CN": "证据包（ZIP，最大 {limit}）",
        "en": "Package (ZIP, {limit} at most)",
    },
    "verify.use_node_key": {
        "zh-CN": "使用本节点公钥（指纹 {fingerprint}）",
        "en": "Use this node's public key (fingerprint {fingerprint})",
    },
    "verify.public_key": {
        "zh-CN": "出具节点公钥（PEM，不使用本节点公钥时上传）",
        "en": "Issuing node's public key (PEM; when not using this node's key)",
    },
    "verify.witness_key": {
        "zh-CN": "见证节点公钥（PEM，可选）",
        "en": "Witness public key (PEM, optional)",
    },
    "verify.submit": {"zh-CN": "验证", "en": "Verify"},
    "verify.result_h": {"zh-CN": "验证结果", "en": "Result"},
    "verify.ok": {
        "zh-CN": "验证通过：证据包完整，与签名账本一致。",
        "en": "Verified: the package is whole and agrees with the signed ledger.",
    },
    "verify.bad": {
        "zh-CN": "验证未通过：标记 ✗ 的项目不成立，证据包不可采信。",
        "en": "Verification failed: the checks marked ✗ do not hold; do not rely on this package.",
    },
    "verify.range": {"zh-CN": "录像时间段（北京时间）", "en": "Footage range (China time)"},
    "verify.file": {"zh-CN": "文件", "en": "File"},
    "verify.key_used": {"zh-CN": "使用的公钥指纹", "en": "Key fingerprint used"},
    "verify.check": {"zh-CN": "核验项", "en": "Check"},
    "verify.outcome": {"zh-CN": "结果", "en": "Result"},
    "verify.detail": {"zh-CN": "说明", "en": "Detail"},
    "verify.err_empty": {
        "zh-CN": "请选择要验证的证据包（ZIP 文件）。",
        "en": "Choose the package (a ZIP file) to verify.",
    },
    "upload.err_too_large": {
        "zh-CN": "上传内容超过上限 {limit}，已拒收。",
        "en": "The upload exceeds the limit of {limit} and was refused.",
    },
    "verify.err_not_zip": {
        "zh-CN": "上传的文件不是 ZIP 证据包。",
        "en": "The uploaded file is not a ZIP package.",
    },
    "verify.err_key": {
        "zh-CN": "上传的出具节点公钥不是 Ed25519 PEM 公钥。",
        "en": "The uploaded public key is not an Ed25519 PEM public key.",
    },
    "verify.err_witness_key": {
        "zh-CN": "上传的见证节点公钥不是 Ed25519 PEM 公钥。",
        "en": "The uploaded witness key is not an Ed25519 PEM public key.",
    },
    "verify.err_no_key": {
        "zh-CN": "请上传出具节点的公钥，或勾选使用本节点公钥。",
        "en": "Upload the issuing node's public key, or tick to use this node's key.",
    },
    "verify.err_both_keys": {
        "zh-CN": "请二选一：使用本节点公钥，或上传出具节点公钥。",
        "en": "Choose one: this node's key, or an uploaded key.",
    },
    "verify.err_node_key": {
        "zh-CN": "本节点尚无签名公钥，请上传出具节点公钥。",
        "en": "This node has no signing key; upload the issuing node's key.",
    },
    "upload.err_form": {
        "zh-CN": "上传的表单无效：{error}",
        "en": "The upload is not a valid form: {error}",
    },
    "verify.err_unreadable": {
        "zh-CN": "证据包无法读取：{error}",
        "en": "The package cannot be read: {error}",
    },
}

#: The verifier's checks (psvis/ledger/verify_package.py), by name.
_CHECKS: dict[str, dict[str, str]] = {
    "vcheck.zip": {"zh-CN": "ZIP 结构可读", "en": "Readable zip"},
    "vcheck.zip-canonical": {"zh-CN": "ZIP 结构逐字节规范", "en": "Canonical zip, byte for byte"},
    "vcheck.manifest": {"zh-CN": "清单（manifest.json）", "en": "Manifest (manifest.json)"},
    "vcheck.manifest-signature": {"zh-CN": "清单签名", "en": "Manifest signature"},
    "vcheck.members": {"zh-CN": "包内文件与清单一致", "en": "Members as the manifest lists"},
    "vcheck.key-fingerprint": {"zh-CN": "公钥指纹", "en": "Key fingerprint"},
    "vcheck.checkpoint": {"zh-CN": "签名检查点", "en": "Signed checkpoint"},
    "vcheck.checkpoint-manifest": {
        "zh-CN": "检查点与清单一致",
        "en": "Checkpoint agrees with the manifest",
    },
    "vcheck.segment-files": {"zh-CN": "原始片段哈希", "en": "Segment hashes"},
    "vcheck.segment-entries": {"zh-CN": "片段的账本条目", "en": "Segments' ledger entries"},
    "vcheck.segment-proofs": {"zh-CN": "包含证明", "en": "Inclusion proofs"},
    "vcheck.segment-order": {
        "zh-CN": "片段连续且在时间范围内",
        "en": "Segments consecutive, in range",
    },
    "vcheck.view": {"zh-CN": "观看用 MP4", "en": "Viewing MP4"},
    "vcheck.cosignatures": {"zh-CN": "见证节点联署", "en": "Witness cosignatures"},
    "vcheck.internal": {"zh-CN": "核验中止", "en": "Verification stopped"},
}

LEDGER_MESSAGES: Final[dict[str, dict[str, str]]] = {**_KINDS, **_PAGES, **_CHECKS}
