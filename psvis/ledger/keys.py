"""Ed25519 keys: the log's checkpoint key and a witness's cosigning key.

A private key lives in ``<data_dir>/keys/<name>.pem`` (PKCS#8, mode 0600, created on
first use, never overwritten); its public half is exported beside it as
``<name>.pub.pem`` (SubjectPublicKeyInfo PEM, what ``openssl pkey -pubin`` reads).
A key's id is SHA-256 of its raw 32-byte public key, hex; its fingerprint for people is
the first 16 bytes of that, grouped (``ab12 cd34 …``).

Rotation (docs/design/ledger.md): the old private key moves to ``keys/retired/`` and its
public key stays in the ``ledger_key`` table, so checkpoints it signed still verify.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from psvis.core.errors import PsvisError

LEDGER_KEY = "ledger-ed25519"
WITNESS_KEY = "witness-ed25519"


class LedgerKeyError(PsvisError):
    """A key file that is missing, unreadable or not an Ed25519 key."""


def key_id(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()


def fingerprint(public: bytes) -> str:
    digest = key_id(public)[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True)
class PublicKey:
    raw: bytes

    @property
    def key_id(self) -> str:
        return key_id(self.raw)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def pem(self) -> bytes:
        return Ed25519PublicKey.from_public_bytes(self.raw).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @classmethod
    def from_pem(cls, data: bytes) -> PublicKey:
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise LedgerKeyError("not a PEM public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise LedgerKeyError("not an Ed25519 public key")
        return cls(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    @classmethod
    def read(cls, path: Path) -> PublicKey:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LedgerKeyError(f"cannot read public key {path}: {exc.strerror}") from exc
        return cls.from_pem(data)


class SigningKey:
    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = PublicKey(
            private.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        )

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    @classmethod
    def load_or_create(cls, data_dir: Path, name: str = LEDGER_KEY) -> SigningKey:
        """The key ``name`` of this data dir, created (0600) with its public PEM if absent."""
        directory = data_dir / "keys"
        path = directory / f"{name}.pem"
        if not path.exists():
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            private = Ed25519PrivateKey.generate()
            pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it first: use theirs
                return cls.load(path)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            key = cls(private)
            public_path(data_dir, name).write_bytes(key.public.pem())
            return key
        return cls.load(path)

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise LedgerKeyError(f"{path} is readable by others (mode {mode:o}); chmod 600 it")
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise LedgerKeyError(f"{path} is not a PEM private key") from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise LedgerKeyError(f"{path} is not an Ed25519 key")
        return cls(private)


def public_path(data_dir: Path, name: str = LEDGER_KEY) -> Path:
    return data_dir / "keys" / f"{name}.pub.pem"


def rotate(data_dir: Path, name: str = LEDGER_KEY) -> tuple[PublicKey, SigningKey]:
    """Retire the current key (moved to ``keys/retired/<key id>.pem``) and create a new
    one. Returns (old public key, new key)."""
    old = SigningKey.load_or_create(data_dir, name)
    retired = data_dir / "keys" / "retired"
    retired.mkdir(parents=True, exist_ok=True, mode=0o700)
    (data_dir / "keys" / f"{name}.pem").rename(retired / f"{old.public.key_id}.pem")
    public_path(data_dir, name).rename(retired / f"{old.public.key_id}.pub.pem")
    return old.public, SigningKey.load_or_create(data_dir, name)
