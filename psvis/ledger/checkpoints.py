"""Signed checkpoints and witness cosignatures: the text format and its verification.

A checkpoint is a note of five lines, each ending in ``\\n``, then one signature line::

    psvis-checkpoint/v1
    origin psvis/nanchang-node-1/5f0c…
    size 1234
    root 9a3f…(64 hex digits)
    time 2026-11-27T03:04:05.120Z
    sig <key id: 64 hex> <Ed25519 signature of the five lines, base64>

A witness's cosignature is an Ed25519 signature over::

    psvis-cosignature/v1
    time <witness time, same format>
    <the five checkpoint lines>

so a cosignature can never be confused with a log signature, and it states when the
witness saw the checkpoint. docs/design/ledger.md describes both for other verifiers.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from psvis.ledger.entries import EntryError, parse_stamp, stamp
from psvis.ledger.keys import PublicKey, SigningKey

HEADER = "psvis-checkpoint/v1"
COSIGN_HEADER = "psvis-cosignature/v1"


class CheckpointError(ValueError):
    """Text that is not a well-formed checkpoint note."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: dt.datetime
    key_id: str = ""
    signature: bytes = b""

    def body(self) -> bytes:
        return (
            f"{HEADER}\norigin {self.origin}\nsize {self.size}\n"
            f"root {self.root.hex()}\ntime {stamp(self.time)}\n"
        ).encode()

    def note(self) -> str:
        sig = base64.b64encode(self.signature).decode()
        return self.body().decode() + f"sig {self.key_id} {sig}\n"

    def signed(self, key: SigningKey) -> Checkpoint:
        return Checkpoint(
            origin=self.origin,
            size=self.size,
            root=self.root,
            time=self.time,
            key_id=key.public.key_id,
            signature=key.sign(self.body()),
        )

    def verify(self, public: PublicKey) -> bool:
        return self.key_id == public.key_id and public.verify(self.signature, self.body())

    def cosign_message(self, witness_time: dt.datetime) -> bytes:
        return f"{COSIGN_HEADER}\ntime {stamp(witness_time)}\n".encode() + self.body()

    @classmethod
    def parse(cls, note: str) -> Checkpoint:
        lines = note.split("\n")
        if len(lines) != 7 or lines[6] != "" or lines[0] != HEADER:
            raise CheckpointError("not a psvis-checkpoint/v1 note")
        fields: dict[str, str] = {}
        for line, name in zip(lines[1:6], ("origin", "size", "root", "time", "sig"), strict=True):
            prefix = name + " "
            if not line.startswith(prefix):
                raise CheckpointError(f"expected a {name!r} line")
            fields[name] = line[len(prefix) :]
        try:
            size = int(fields["size"])
            root = bytes.fromhex(fields["root"])
            time = parse_stamp(fields["time"])
            key_id, sig = fields["sig"].split(" ")
            signature = base64.b64decode(sig, validate=True)
        except (ValueError, EntryError, binascii.Error) as exc:
            raise CheckpointError(f"malformed checkpoint: {exc}") from exc
        if size < 0 or len(root) != 32 or str(size) != fields["size"]:
            raise CheckpointError("malformed checkpoint size or root")
        if len(key_id) != 64 or len(signature) != 64:
            raise CheckpointError("malformed checkpoint signature line")
        checkpoint = cls(fields["origin"], size, root, time, key_id, signature)
        if checkpoint.note() != note:
            raise CheckpointError("checkpoint note is not in canonical form")
        return checkpoint


@dataclass(frozen=True, slots=True)
class Cosignature:
    witness_name: str
    witness_key_id: str
    time: dt.datetime
    signature: bytes

    def verify(self, checkpoint: Checkpoint, public: PublicKey) -> bool:
        return self.witness_key_id == public.key_id and public.verify(
            self.signature, checkpoint.cosign_message(self.time)
        )

    def as_json(self) -> dict[str, str]:
        return {
            "witness": self.witness_name,
            "key_id": self.witness_key_id,
            "time": stamp(self.time),
            "signature": base64.b64encode(self.signature).decode(),
        }

    @classmethod
    def from_json(cls, data: object) -> Cosignature:
        if not isinstance(data, dict):
            raise CheckpointError("cosignature is not an object")
        try:
            signature = base64.b64decode(str(data["signature"]), validate=True)
            result = cls(
                witness_name=str(data["witness"])[:200],
                witness_key_id=str(data["key_id"]),
                time=parse_stamp(str(data["time"])),
                signature=signature,
            )
        except (KeyError, ValueError, EntryError, binascii.Error) as exc:
            raise CheckpointError(f"malformed cosignature: {exc}") from exc
        if len(result.witness_key_id) != 64 or len(signature) != 64:
            raise CheckpointError("malformed cosignature key id or signature")
        return result


def cosign(checkpoint: Checkpoint, *, key: SigningKey, name: str, now: dt.datetime) -> Cosignature:
    return Cosignature(
        witness_name=name,
        witness_key_id=key.public.key_id,
        time=now,
        signature=key.sign(checkpoint.cosign_message(now)),
    )
