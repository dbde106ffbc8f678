"""The integrity ledger in the console: its status, the witnesses, the public key.

Read-only, for the roles that read the ledger (``ledger:read``, Art. 20(3), 27). The
ledger is one log per node, so nothing here is scoped by jurisdiction (auth/policy.py).
Times are China time, like the other operational pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.auth.policy import Resource
from psvis.console.context import ConsoleCtx
from psvis.console.route import ConsoleRoute
from psvis.console.video_pages import duration_text, local
from psvis.core.errors import NotFound
from psvis.core.timeutil import utcnow
from psvis.ledger import service, tree
from psvis.ledger.keys import LedgerKeyError, PublicKey, fingerprint, public_path
from psvis.ledger.models import (
    LedgerAuditRun,
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerKey,
)

router = APIRouter(route_class=ConsoleRoute)

#: The console's ledger pages (the API's are under /api/v1/ledger).
PREFIX = "/ledger"
#: A witness is "silent" when a checkpoint it has not cosigned is older than this (or
#: than three checkpoint intervals, if longer): a witness polling normally cosigns each
#: checkpoint within a minute or two, and a quiet log still signs one every ten minutes.
WITNESS_SILENT = dt.timedelta(minutes=15)
#: Hex digits of a hash shown before the ellipsis (the rest on hover and in full below).
SHORT_HASH = 16


def short_hash(value: str) -> str:
    return value if len(value) <= SHORT_HASH + 8 else f"{value[:SHORT_HASH]}…{value[-8:]}"


def fingerprint_of_key_id(key_id: str) -> str:
    """A key's fingerprint from its id (the fingerprint is the id's first 32 hex digits)."""
    digest = key_id.lower()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def silent_after(checkpoint_seconds: int) -> dt.timedelta:
    return max(WITNESS_SILENT, dt.timedelta(seconds=3 * checkpoint_seconds))


@dataclass(frozen=True, slots=True)
class WitnessRow:
    """One witness: configured (by key file) and/or seen (by its cosignatures)."""

    name: str
    key_fingerprint: str
    configured: bool
    last_size: int | None = None
    last_time: str = ""
    #: How long the oldest checkpoint it has not cosigned has waited (None: caught up).
    behind: dt.timedelta | None = None
    silent: bool = False
    error: str = ""
    path: str = ""


@dataclass(frozen=True, slots=True)
class LedgerView:
    origin: str
    size: int
    root: str
    queued: int
    checkpoint: LedgerCheckpoint | None
    checkpoint_root: str
    checkpoint_time: str
    checkpoint_fingerprint: str
    checkpoints_24h: int
    witnesses: list[WitnessRow]
    silent_minutes: int

    @property
    def unsigned(self) -> int:
        return self.size - (self.checkpoint.tree_size if self.checkpoint else 0)

    @property
    def silent(self) -> list[WitnessRow]:
        return [w for w in self.witnesses if w.silent]


def _witnesses(
    session: Session, *, key_paths: tuple[Path, ...], now: dt.datetime, silent: dt.timedelta
) -> list[WitnessRow]:
    """Each configured witness key and each key that ever cosigned, with its newest
    cosignature and how long the checkpoints after it have waited."""
    newest = (
        select(
            LedgerCosignature.witness_key_id,
            func.max(LedgerCosignature.checkpoint_id).label("checkpoint_id"),
        )
        .group_by(LedgerCosignature.witness_key_id)
        .subquery()
    )
    seen = {
        cosig.witness_key_id: (cosig, checkpoint)
        for cosig, checkpoint in session.execute(
            select(LedgerCosignature, LedgerCheckpoint)
            .join(LedgerCheckpoint, LedgerCheckpoint.id == LedgerCosignature.checkpoint_id)
            .join(
                newest,
                (newest.c.witness_key_id == LedgerCosignature.witness_key_id)
                & (newest.c.checkpoint_id == LedgerCosignature.checkpoint_id),
            )
        ).all()
    }

    def waited(after_id: int) -> dt.timedelta | None:
        oldest = session.scalar(
            select(func.min(LedgerCheckpoint.signed_at)).where(LedgerCheckpoint.id > after_id)
        )
        return now - oldest if oldest is not None else None

    rows: list[WitnessRow] = []
    configured: set[str] = set()
    for path in key_paths:
        try:
            key = PublicKey.read(path)
        except LedgerKeyError as exc:
            rows.append(
                WitnessRow(
                    name="—",
                    key_fingerprint="—",
                    configured=True,
                    error=exc.message,
                    path=str(path),
                )
            )
            continue
        configured.add(key.key_id)
        found = seen.get(key.key_id)
        behind = waited(found[1].id if found else 0)
        rows.append(
            WitnessRow(
                name=found[0].witness_name if found else "—",
                key_fingerprint=key.fingerprint,
                configured=True,
                last_size=found[1].tree_size if found else None,
                last_time=local(found[0].cosigned_at) if found else "",
                behind=behind,
                silent=behind is not None and behind > silent,
                path=str(path),
            )
        )
    for key_id, (cosig, checkpoint) in sorted(seen.items(), key=lambda i: i[1][0].witness_name):
        if key_id not in configured:
            rows.append(
                WitnessRow(
                    name=cosig.witness_name,
                    key_fingerprint=fingerprint_of_key_id(key_id),
                    configured=False,
                    last_size=checkpoint.tree_size,
                    last_time=local(cosig.cosigned_at),
                )
            )
    return rows


def ledger_view(
    session: Session, *, key_paths: tuple[Path, ...], checkpoint_seconds: int, now: dt.datetime
) -> LedgerView | None:
    """What the status page shows; None before the log exists (never creates it)."""
    head = session.get(LedgerHead, tree.HEAD_ID)
    if head is None:
        return None
    queued = session.scalar(
        select(func.count(LedgerEntry.id)).where(LedgerEntry.leaf_index.is_(None))
    )
    last = service.latest(session)
    key_raw = (
        session.scalar(select(LedgerKey.public_key).where(LedgerKey.key_id == last.key_id))
        if last is not None
        else None
    )
    recent = session.scalar(
        select(func.count(LedgerCheckpoint.id)).where(
            LedgerCheckpoint.signed_at >= now - dt.timedelta(hours=24)
        )
    )
    silent = silent_after(checkpoint_seconds)
    return LedgerView(
        origin=head.origin,
        size=head.size,
        root=bytes(head.root).hex(),
        queued=int(queued or 0),
        checkpoint=last,
        checkpoint_root=bytes(last.root).hex() if last is not None else "",
        checkpoint_time=local(last.signed_at) if last is not None else "",
        checkpoint_fingerprint=(
            fingerprint(bytes(key_raw))
            if key_raw is not None
            else fingerprint_of_key_id(last.key_id)
            if last is not None
            else ""
        ),
        checkpoints_24h=int(recent or 0),
        witnesses=_witnesses(session, key_paths=key_paths, now=now, silent=silent),
        silent_minutes=int(silent.total_seconds() // 60),
    )


def node_public_key(data_dir: Path) -> PublicKey | None:
    try:
        return PublicKey.read(public_path(data_dir))
    except LedgerKeyError:
        return None


@router.get(PREFIX)
def ledger_status(ctx: ConsoleCtx) -> HTMLResponse:
    ctx.require(Resource.LEDGER)
    settings = ctx.request.app.state.psvis.settings
    view = ledger_view(
        ctx.session,
        key_paths=tuple(settings.witness_public_keys),
        checkpoint_seconds=settings.checkpoint_seconds,
        now=utcnow(),
    )
    latest_run = ctx.session.scalars(
        select(LedgerAuditRun).order_by(LedgerAuditRun.id.desc()).limit(1)
    ).first()
    return ctx.render(
        "ledger/status.html",
        view=view,
        short_hash=short_hash,
        duration=lambda delta: duration_text(delta.total_seconds(), ctx.lang),
        node_key=node_public_key(settings.data_dir),
        witness_url=settings.witness_url or "",
        latest_run=latest_run,
        latest_run_time=local(latest_run.started_at) if latest_run else "",
        tab="status",
    )


@router.get(f"{PREFIX}/public-key.pem")
def ledger_public_key(ctx: ConsoleCtx) -> Response:
    """This node's checkpoint-signing public key, as a PEM file to hand to a verifier."""
    ctx.require(Resource.LEDGER)
    key = node_public_key(ctx.request.app.state.psvis.settings.data_dir)
    if key is None:
        raise NotFound("this node has no ledger signing key yet (run `psvis init`)")
    return Response(
        key.pem(),
        media_type="application/x-pem-file",
        headers={
            "Content-Disposition": f'attachment; filename="psvis-ledger-{key.key_id[:16]}.pub.pem"',
            "Cache-Control": "no-store",
        },
    )
