"""Ledger API (``/api/v1/ledger``): checkpoints, proofs, entries, and witness cosignatures.

Four routes are open, each saying why: what a witness or an outside verifier needs
(the signed checkpoint, consistency proofs, the public key) and the cosignature intake,
whose authentication is the witness's Ed25519 signature. Entries and inclusion proofs
name cameras and files, so they need ``ledger:read``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from psvis.api.deps import DbSession, State, permission, public
from psvis.auth.policy import Action, Resource
from psvis.core.errors import InvalidInput, PsvisError
from psvis.ledger import queries
from psvis.ledger.queries import (
    ConsistencyProof,
    CosignatureAccepted,
    InclusionProof,
    LeavesPage,
    LedgerStatus,
    PublicKeys,
    SignedCheckpoint,
)

router = APIRouter(prefix="/ledger", tags=["ledger"])

#: Sizes and indices beyond 2^53 are refused as input: no log gets there, and every
#: JSON reader still holds the number exactly.
MAX_SIZE = 1 << 53
#: A cosignature request is a ~450-byte note and a ~200-byte object; 8 KiB is generous.
MAX_COSIGNATURE_BODY = 8 * 1024

Size = Annotated[int, Query(ge=0, le=MAX_SIZE)]
OptionalSize = Annotated[int | None, Query(ge=0, le=MAX_SIZE)]

CHECKPOINT_IS_PUBLIC = (
    "a checkpoint is a commitment meant to be published (origin, tree size, root hash, "
    "time, signature; no footage or personal data): witnesses fetch it without an account"
)
PROOF_IS_PUBLIC = (
    "a consistency proof is hashes of the public checkpoints' trees (no entry content): "
    "witnesses check that the log only grew without an account"
)
KEY_IS_PUBLIC = (
    "a public key is meant to be published: anyone verifying a checkpoint or an evidence "
    "package needs it, and it reveals nothing"
)
COSIGN_IS_PUBLIC = (
    "the witness's Ed25519 signature is the authentication: only a configured witness key "
    "cosigning one of this log's own checkpoints is stored"
)


class BodyTooLarge(PsvisError):
    status_code = 413
    code = "body_too_large"


class CosignatureSubmission(BaseModel):
    """What a witness posts back: our checkpoint note and its cosignature."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(max_length=2000, description="The checkpoint note exactly as fetched.")
    cosignature: dict[str, Any] = Field(
        description="witness, key_id (hex), time (RFC 3339 ms, UTC), signature (base64)."
    )


async def small_body(request: Request) -> bytes:
    """The request body, refused (413) beyond :data:`MAX_COSIGNATURE_BODY` before it is
    all read: an open route must not buffer whatever a stranger sends."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise InvalidInput("malformed Content-Length")
        if int(declared) > MAX_COSIGNATURE_BODY:
            raise BodyTooLarge(f"body larger than {MAX_COSIGNATURE_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_COSIGNATURE_BODY:
            raise BodyTooLarge(f"body larger than {MAX_COSIGNATURE_BODY} bytes")
    return bytes(body)


@router.get("/checkpoint", response_model=SignedCheckpoint, **public(CHECKPOINT_IS_PUBLIC))
def checkpoint(session: DbSession) -> SignedCheckpoint:
    """The newest signed checkpoint and the witnesses' cosignatures of it."""
    return queries.latest_checkpoint(session)


@router.get("/consistency", response_model=ConsistencyProof, **public(PROOF_IS_PUBLIC))
def consistency(session: DbSession, old: Size, new: Size) -> ConsistencyProof:
    """RFC 9162 proof that the tree of ``new`` leaves extends the tree of ``old`` leaves."""
    return queries.consistency(session, old_size=old, new_size=new)


@router.get("/public-key", response_model=PublicKeys, **public(KEY_IS_PUBLIC))
def public_key(session: DbSession, state: State) -> PublicKeys:
    """The checkpoint signing key (PEM, fingerprint) and every key the log has used."""
    return queries.public_keys(session, data_dir=state.settings.data_dir)


_COSIGN_BODY_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": CosignatureSubmission.model_json_schema()}},
    }
}


@router.post(
    "/cosignatures",
    response_model=CosignatureAccepted,
    openapi_extra={**public(COSIGN_IS_PUBLIC)["openapi_extra"], **_COSIGN_BODY_SCHEMA},
)
def cosignatures(
    session: DbSession, state: State, body: Annotated[bytes, Depends(small_body)]
) -> CosignatureAccepted:
    """Store a witness's cosignature: 403 unknown key or bad signature, 404 a note this
    log never signed, 422 malformed; 200 again for a duplicate."""
    try:
        submission = CosignatureSubmission.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"malformed cosignature request: {where}: {first['msg']}") from exc
    return queries.accept_cosignature(
        session,
        note=submission.note,
        cosignature=submission.cosignature,
        witnesses=queries.witness_keys(state.settings.witness_public_keys),
    )


@router.get("/status", response_model=LedgerStatus, **permission(Resource.LEDGER, Action.READ))
def status(session: DbSession) -> LedgerStatus:
    """Origin, size, root, queued entries, the last checkpoint, each witness's last
    cosignature."""
    return queries.status(session)


@router.get("/inclusion", response_model=InclusionProof, **permission(Resource.LEDGER, Action.READ))
def inclusion(session: DbSession, index: Size, size: OptionalSize = None) -> InclusionProof:
    """Leaf ``index``, its entry, and its proof in the tree of ``size`` leaves (default:
    the newest signed checkpoint's size)."""
    return queries.inclusion(session, index=index, size=size)


@router.get("/leaves", response_model=LeavesPage, **permission(Resource.LEDGER, Action.READ))
def leaves(
    session: DbSession,
    start: Size = 0,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_LEAVES_PAGE)] = 100,
) -> LeavesPage:
    """Entries in leaf order from ``start``, at most ``limit`` (≤ 1000)."""
    return queries.leaves(session, start=start, limit=limit)
