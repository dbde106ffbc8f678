"""argon2id password hashing (RFC 9106 second recommended parameters, argon2-cffi defaults).

Every hash carries its own parameters, so a hash made with other parameters still
verifies. :func:`use_parameters` exists for the test suite, which signs in hundreds of
times and uses a cheaper argon2id profile; production never calls it
(``tests/unit/auth/test_passwords.py`` checks the defaults).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from psvis.core.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10
_state: dict[str, PasswordHasher] = {"hasher": PasswordHasher()}  # argon2id, t=3, m=64 MiB, p=4


def hasher() -> PasswordHasher:
    return _state["hasher"]


def use_parameters(*, time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Replace the hashing parameters (argon2id always). For tests only."""
    _state["hasher"] = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
    )
    _dummy_hash.cache_clear()


@cache
def _dummy_hash() -> str:
    # Verified against when the user does not exist, so timing does not reveal usernames.
    return hasher().hash("psvis-timing-equaliser")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 256:
        raise InvalidInput("password must have at most 256 characters")
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return hasher().verify(password_hash or _dummy_hash(), password) and (
            password_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
