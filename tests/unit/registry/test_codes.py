"""GB 32100 credit codes and GB/T 28181 IDs, checked against an independent computation."""

from __future__ import annotations

import pytest

from psvis.registry.codes import (
    CREDIT_ALPHABET,
    credit_check_character,
    credit_code_problems,
    gb_id_problems,
    make_gb_id,
)

NANCHANG = ("360100", "360102", "360103")


def independent_check(first17: str) -> str:
    """GB 32100-2015 section 5: weights are 3^(i) mod 31, check = 31 - (sum mod 31)."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(chars.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    value = 31 - total % 31
    return chars[0 if value == 31 else value]


@pytest.mark.parametrize(
    "code",
    [
        # The worked example printed in GB 32100-2015.
        "91350100M000100Y43",
    ],
)
def test_known_valid_codes(code: str) -> None:
    assert independent_check(code[:17]) == code[17]
    assert credit_code_problems(code) == []


def test_check_character_matches_independent_computation_for_many_bodies() -> None:
    import random

    rng = random.Random(32100)
    for _ in range(2000):
        body = (
            "9"
            + rng.choice("123")
            + "360102"
            + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
        )
        assert credit_check_character(body) == independent_check(body)


def test_every_wrong_check_character_is_caught() -> None:
    first17 = "91360102MA35ABCD1"
    right = credit_check_character(first17)
    for char in CREDIT_ALPHABET:
        problems = credit_code_problems(first17 + char)
        assert (problems == []) is (char == right)
        if char != right:
            assert f"expected {right!r}" in problems[0]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91360102MA35ABCD1", "18 characters"),
        ("91360102MA35ABCD1NX", "18 characters"),
        ("91360102MA35ABCDIN", "alphabet"),  # I is excluded
        ("91360102MA35ABCDON", "alphabet"),  # O is excluded
        ("913601O2MA35ABCD1N", "alphabet"),
        ("91360102ma35abcd1n", "alphabet"),
        ("", "18 characters"),
    ],
)
def test_malformed_credit_codes(code: str, message: str) -> None:
    problems = credit_code_problems(code)
    assert problems
    assert message in problems[0]


def test_registering_authority_and_division_digits_checked() -> None:
    first17 = "Z1360102MA35ABCD1".replace("Z", "B")
    problems = credit_code_problems(first17 + credit_check_character(first17))
    assert any("registering authority" in p for p in problems)
    first17 = "913601A2MA35ABCD1"
    problems = credit_code_problems(first17 + credit_check_character(first17))
    assert any("administrative division" in p for p in problems)


def test_gb_id_valid_camera_types() -> None:
    for type_code in ("131", "132"):
        gb_id = make_gb_id(division="360102", type_code=type_code, serial=7)
        assert len(gb_id) == 20
        assert gb_id[10:13] == type_code
        assert gb_id_problems(gb_id, jurisdiction_codes=NANCHANG) == []


@pytest.mark.parametrize(
    ("gb_id", "message"),
    [
        ("3601020000132000000", "20 digits"),
        ("360102000013200000011", "20 digits"),
        ("3601020000132000000A", "20 digits"),
        ("36010200001180000001", "type code 118 (NVR)"),
        ("36010200001110000001", "type code 111 (DVR)"),
        ("36010200002000000001", "type code 200"),
        ("11010500001320000001", "outside the system's jurisdiction"),  # Beijing
        ("36010400001320000001", "outside the system's jurisdiction"),  # other district
    ],
)
def test_gb_id_problems(gb_id: str, message: str) -> None:
    problems = gb_id_problems(gb_id, jurisdiction_codes=NANCHANG)
    assert problems
    assert message in " ".join(problems)


def test_gb_id_type_list_is_configurable() -> None:
    nvr_channel = "36010200001180000001"
    assert (
        gb_id_problems(nvr_channel, jurisdiction_codes=NANCHANG, camera_type_codes=("118",)) == []
    )
