"""The strict request model: NUL refused anywhere in a body, the same on every backend."""

from __future__ import annotations

import pytest
from pydantic import Field, SecretStr, ValidationError

from psvis.core.schemas import StrictModel, holds_nul


class Inner(StrictModel):
    note: str = ""


class Body(StrictModel):
    name: str = Field(default="", max_length=50)
    secret: SecretStr | None = None
    tags: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    inner: Inner | None = None
    count: int = 0


@pytest.mark.parametrize(
    "data",
    [
        {"name": "\x00"},
        {"name": "东湖\x00分局"},
        {"secret": "pass\x00word"},
        {"tags": ["ok", "b\x00d"]},
        {"labels": {"k\x00": "v"}},
        {"labels": {"k": "\x00"}},
        {"inner": {"note": "x\x00"}},
    ],
)
def test_nul_anywhere_in_a_body_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="NUL"):
        Body.model_validate(data)


def test_other_text_passes_untouched() -> None:
    body = Body.model_validate(
        {
            "name": "  东湖\t分局\n ",
            "secret": "p@ss\\x00",  # the four characters backslash-x-0-0, not NUL
            "tags": ["\x01", "%00"],
            "labels": {"k": "v"},
            "inner": {"note": "fine"},
            "count": 0,
        }
    )
    assert body.name == "东湖\t分局"
    assert body.tags == ["\x01", "%00"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", False),
        ("\x00", True),
        (SecretStr("\x00"), True),
        (("a", ("b", "\x00")), True),
        (frozenset({"a"}), False),
        ({"a": ["b", {"c": "\x00"}]}, True),
        (0, False),
        (None, False),
        (b"\x00", False),  # bytes are file content (scans), not text
    ],
)
def test_holds_nul(value: object, expected: bool) -> None:
    assert holds_nul(value) is expected
