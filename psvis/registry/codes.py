"""Identifier checks: GB 32100 unified social credit codes and GB/T 28181 device IDs.

Pure functions; each returns a list of problems (empty when valid) so an importer can
report every problem of a row at once.

    >>> credit_code_problems("91360100MA35XXXXXX")[0]
    'character 9 ...'
"""

from __future__ import annotations

from collections.abc import Iterable

# GB 32100-2015: 31 characters, no I, O, Z, S, V (they look like 1, 0, 2, 5, U).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: registering authority (1 organising bodies, 5 civil affairs, 9 industry
# and commerce, Y others, ...); GB 32100 lists 1-9, A, N and Y.
CREDIT_AUTHORITIES = set("123456789ANY")


def credit_check_character(first17: str) -> str:
    """The 18th character for the first 17 of a unified social credit code."""
    total = sum(
        CREDIT_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problems(code: str) -> list[str]:
    """Problems with a unified social credit code (GB 32100-2015); empty when valid."""
    if len(code) != 18:
        return [f"must be 18 characters, got {len(code)}"]
    bad = [f"{i + 1}:{ch!r}" for i, ch in enumerate(code) if ch not in CREDIT_ALPHABET]
    if bad:
        return [f"characters outside the GB 32100 alphabet (no I, O, Z, S, V): {', '.join(bad)}"]
    problems = []
    if code[0] not in CREDIT_AUTHORITIES:
        problems.append(f"registering authority code {code[0]!r} is not defined by GB 32100")
    if not code[2:8].isdigit():
        problems.append("characters 3-8 must be the administrative division code (digits)")
    expected = credit_check_character(code[:17])
    if code[17] != expected:
        problems.append(f"check character is {code[17]!r}, expected {expected!r}")
    return problems


# GB/T 28181-2016 Annex D: 20 digits = centre code (1-8) + industry (9-10) + type (11-13)
# + network (14) + serial (15-20).
GB_TYPE_NAMES = {
    "111": "DVR",
    "112": "video server",
    "113": "encoder",
    "114": "decoder",
    "115": "video switching matrix",
    "116": "audio switching matrix",
    "117": "alarm controller",
    "118": "NVR",
    "131": "camera",
    "132": "network camera (IPC)",
    "133": "display",
    "134": "alarm input",
    "135": "alarm output",
    "136": "voice input",
    "137": "voice output",
    "138": "mobile transmission device",
    "139": "other peripheral",
}


def gb_id_problems(
    gb_id: str,
    *,
    jurisdiction_codes: Iterable[str],
    camera_type_codes: Iterable[str] = ("131", "132"),
) -> list[str]:
    """Problems with a camera's GB/T 28181 ID; empty when valid.

    ``jurisdiction_codes`` are the GB/T 2260 codes the system's jurisdiction covers (itself
    and its descendants): digits 1-6 of the centre code must be one of them.
    """
    if len(gb_id) != 20 or not gb_id.isdigit():
        return [f"must be 20 digits, got {gb_id!r}"]
    problems = []
    allowed = set(jurisdiction_codes)
    if gb_id[:6] not in allowed:
        problems.append(
            f"centre code {gb_id[:8]} (division {gb_id[:6]}) lies outside the system's "
            f"jurisdiction ({', '.join(sorted(allowed))})"
        )
    type_code = gb_id[10:13]
    types = tuple(camera_type_codes)
    if type_code not in types:
        known = GB_TYPE_NAMES.get(type_code, "unknown type")
        problems.append(
            f"type code {type_code} ({known}) is not a camera type ({', '.join(types)})"
        )
    return problems


def make_gb_id(*, division: str, type_code: str, serial: int, grassroots: str = "00") -> str:
    """Build a GB/T 28181 ID (industry 00, network 0). Used by the demo and tests."""
    return f"{division}{grassroots}00{type_code}0{serial:06d}"
