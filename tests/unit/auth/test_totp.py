"""TOTP (RFC 6238): the Appendix B vectors, replay, window edges and malformed codes."""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest

from psvis.auth.totp import (
    MAX_WINDOW,
    STEP_S,
    code_at,
    counter_at,
    new_secret,
    provisioning_uri,
    verify,
)
from psvis.core.errors import InvalidInput

# RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
T0 = dt.datetime(2024, 5, 1, 8, 0, 0, tzinfo=dt.UTC)  # a step boundary: 1714550400 / 30


def at(unix: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(unix, dt.UTC)


@pytest.mark.parametrize(("unix", "expected"), RFC_VECTORS)
def test_rfc6238_appendix_b_sha1_vectors(unix: int, expected: str) -> None:
    assert code_at(RFC_SECRET, at=at(unix), digits=8) == expected


@pytest.mark.parametrize(("unix", "expected"), RFC_VECTORS)
def test_six_digit_api_accepts_the_vectors_truncated(unix: int, expected: str) -> None:
    # Dynamic truncation mod 10^6 keeps the last six digits of the 8-digit value.
    assert code_at(RFC_SECRET, at=at(unix)) == expected[-6:]
    counter = verify(RFC_SECRET, expected[-6:], last_counter=None, now=at(unix))
    assert counter == unix // STEP_S


def test_counter_is_floor_of_unix_time_over_30() -> None:
    assert counter_at(at(59)) == 1
    assert counter_at(at(1111111109)) == 0x23523EC
    assert counter_at(at(20000000000)) == 0x27BC86AA
    zoned = T0.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert counter_at(zoned) == counter_at(T0)
    with pytest.raises(InvalidInput, match="timezone-aware"):
        counter_at(dt.datetime(2024, 5, 1, 8, 0, 0))


def test_new_secret_is_160_random_bits_in_base32() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert len(secret) == 32
        assert "=" not in secret
        assert len(base64.b32decode(secret)) == 20
    code = code_at(secret, at=T0)
    assert verify(secret, code, last_counter=None, now=T0) == counter_at(T0)


def test_provisioning_uri() -> None:
    secret = new_secret()
    uri = urlparse(provisioning_uri(secret, username="李四 li.si"))
    assert uri.scheme == "otpauth"
    assert uri.netloc == "totp"
    assert uri.path == "/psvis:%E6%9D%8E%E5%9B%9B%20li.si"
    query = parse_qs(uri.query)
    assert query == {"secret": [secret], "issuer": ["psvis"]}
    other = urlparse(provisioning_uri(secret, username="a", issuer="City PSB"))
    assert parse_qs(other.query)["issuer"] == ["City PSB"]
    with pytest.raises(InvalidInput):
        provisioning_uri(secret, username=" ")
    with pytest.raises(InvalidInput):
        provisioning_uri(secret, username="a", issuer="a:b")
    with pytest.raises(InvalidInput):
        provisioning_uri("not base32!", username="a")


def test_replay_and_older_codes_are_refused() -> None:
    secret = new_secret()
    code = code_at(secret, at=T0)
    first = verify(secret, code, last_counter=None, now=T0)
    assert first == counter_at(T0)
    # The same code again, within the same step or the next one: refused.
    assert verify(secret, code, last_counter=first, now=T0) is None
    assert verify(secret, code, last_counter=first, now=T0 + dt.timedelta(seconds=STEP_S)) is None
    # The previous step's code, still inside the window, is older than the one used.
    earlier = code_at(secret, at=T0 - dt.timedelta(seconds=STEP_S))
    assert verify(secret, earlier, last_counter=first, now=T0) is None
    # The next step's code is fresh.
    later_time = T0 + dt.timedelta(seconds=STEP_S)
    later = code_at(secret, at=later_time)
    assert verify(secret, later, last_counter=first, now=later_time) == first + 1


def test_window_edges() -> None:
    secret = new_secret()
    step = dt.timedelta(seconds=STEP_S)
    now = T0 + dt.timedelta(seconds=12)
    current = counter_at(now)
    for offset in (-1, 0, 1):
        code = code_at(secret, at=now + offset * step)
        assert verify(secret, code, last_counter=None, now=now) == current + offset
    for offset in (-2, 2):
        code = code_at(secret, at=now + offset * step)
        if code in {code_at(secret, at=now + k * step) for k in (-1, 0, 1)}:
            continue  # a 1-in-10^6 collision with an accepted step
        assert verify(secret, code, last_counter=None, now=now) is None
    # With window 0 the last second of a step still accepts its code, the next does not.
    this_code = code_at(secret, at=T0)
    last_second = T0 + dt.timedelta(seconds=STEP_S - 1)
    assert verify(secret, this_code, last_counter=None, now=last_second, window=0) == (
        counter_at(T0)
    )
    if this_code != code_at(secret, at=T0 + step):
        assert verify(secret, this_code, last_counter=None, now=T0 + step, window=0) is None
    # A wider window reaches further.
    far = code_at(secret, at=now - 3 * step)
    assert verify(secret, far, last_counter=None, now=now, window=3) == current - 3
    for bad in (-1, MAX_WINDOW + 1):
        with pytest.raises(InvalidInput, match="window"):
            verify(secret, "123456", last_counter=None, now=now, window=bad)


def test_counter_never_negative_near_the_epoch() -> None:
    # At unix time 0..29 the window would reach step -1: it is skipped, not an error.
    code = code_at(RFC_SECRET, at=at(0))
    assert verify(RFC_SECRET, code, last_counter=None, now=at(5)) == 0


@pytest.mark.parametrize(
    "code",
    [
        "",
        " ",
        "12345",
        "1234567",
        "12 3456",
        " 123456",
        "123456 ",
        "123456\n",
        "12345a",
        "abcdef",
        "１２３４５６",  # fullwidth digits
        "١٢٣٤٥٦",  # Arabic-Indic digits
        "12345６",
        "+12345",
        "-12345",
        "1e5000",
        "0x1234",
        "9" * 10_000,
    ],
)
def test_malformed_codes_are_refused(code: str) -> None:
    assert verify(RFC_SECRET, code, last_counter=None, now=at(59)) is None


def test_unicode_digits_equal_to_the_right_code_are_still_refused() -> None:
    right = code_at(RFC_SECRET, at=T0)
    fullwidth = "".join(chr(ord(c) - ord("0") + ord("０")) for c in right)
    assert verify(RFC_SECRET, right, last_counter=None, now=T0) == counter_at(T0)
    assert verify(RFC_SECRET, fullwidth, last_counter=None, now=T0) is None


def test_wrong_code_and_non_string_code() -> None:
    right = code_at(RFC_SECRET, at=T0)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert verify(RFC_SECRET, wrong, last_counter=None, now=T0, window=0) is None
    assert verify(RFC_SECRET, 123456, last_counter=None, now=T0) is None  # type: ignore[arg-type]
    assert verify(RFC_SECRET, None, last_counter=None, now=T0) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "secret",
    ["", "not base32!", "ABC", base64.b32encode(b"short-15-bytes!").decode(), "0" * 32],
)
def test_malformed_secret_is_a_clear_error(secret: str) -> None:
    with pytest.raises(InvalidInput, match="secret"):
        verify(secret, "123456", last_counter=None, now=T0)


def test_lowercase_and_unpadded_secrets_work() -> None:
    secret = new_secret()
    code = code_at(secret, at=T0)
    assert verify(secret.lower(), code, last_counter=None, now=T0) == counter_at(T0)
    short = base64.b32encode(b"0123456789abcdefg").decode().rstrip("=")  # 136 bits
    assert verify(short, code_at(short, at=T0), last_counter=None, now=T0) == counter_at(T0)


def test_naive_time_is_refused() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        verify(RFC_SECRET, "123456", last_counter=None, now=dt.datetime(2024, 1, 1))
