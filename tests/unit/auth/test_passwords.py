"""Password hashing: argon2id with RFC 9106 parameters in production."""

from __future__ import annotations

import subprocess
import sys

from psvis.auth.passwords import hash_password, verify_password


def test_production_parameters_are_rfc9106_argon2id() -> None:
    # A fresh interpreter: the test suite itself runs with a cheaper profile.
    code = "from psvis.auth.passwords import hash_password; print(hash_password('correct horse'))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(out, "correct horse")  # verifies whatever profile is in force


def test_hash_and_verify() -> None:
    stored = hash_password("a-long-password")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a-long-password")
    assert not verify_password(stored, "a-long-passworD")
    assert not verify_password(None, "a-long-password")
    assert not verify_password("not-a-hash", "a-long-password")
