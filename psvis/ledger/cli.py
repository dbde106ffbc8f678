"""``psvis ledger …`` (status, checkpoints, proofs, keys) and ``psvis witness``.

Exit statuses: 0 done (or verified), 1 a proof or witness check failed (an alarm),
2 could not run (configuration, database, network, bad input).
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel

from psvis.ledger import merkle, queries
from psvis.ledger.checkpoints import Checkpoint, CheckpointError
from psvis.ledger.keys import PublicKey

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _print_json(model: BaseModel) -> None:
    sys.stdout.write(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n")


def _print_status(status: queries.LedgerStatus) -> None:
    typer.echo(f"origin      {status.origin}")
    typer.echo(f"size        {status.size} leaves")
    typer.echo(f"root        {status.root}")
    typer.echo(f"queued      {status.queued} entries")
    last = status.last_checkpoint
    if last is None:
        typer.echo("checkpoint  none signed yet (psvis ledger checkpoint)")
    else:
        typer.echo(
            f"checkpoint  size {last.size}, signed {last.time.isoformat()}, "
            f"key {last.key_fingerprint}"
        )
    if not status.witnesses:
        typer.echo("witnesses   no cosignature yet")
    for witness in status.witnesses:
        typer.echo(
            f"witness     {witness.witness} ({witness.key_id[:16]}…) cosigned size "
            f"{witness.checkpoint_size} at {witness.cosigned_at.isoformat()}"
        )


def _print_proof(proof: list[str]) -> None:
    typer.echo(f"proof       {len(proof)} hashes")
    for value in proof:
        typer.echo(f"  {value}")


def _verify_note(note: str | None, *, size: int, root: str, key: PublicKey | None) -> list[str]:
    """Problems of a signed note that should commit to (size, root); [] when it holds."""
    if note is None:
        return [f"no signed checkpoint of size {size}: the root is not signed"]
    try:
        checkpoint = Checkpoint.parse(note)
    except CheckpointError as exc:
        return [f"checkpoint of size {size}: {exc}"]
    problems = []
    if checkpoint.size != size or checkpoint.root.hex() != root:
        problems.append(f"the checkpoint does not commit to size {size} and root {root}")
    if key is None:
        problems.append("no --public-key given: the checkpoint's signature is not checked")
    elif not checkpoint.verify(key):
        problems.append(f"the checkpoint's signature does not verify with {key.fingerprint}")
    return problems


def verify_proof_file(data: Any, key: PublicKey | None) -> list[str]:
    """Check a proof printed by ``psvis ledger proof … --json``; the problems found."""
    if not isinstance(data, dict):
        return ["not a proof object"]
    try:
        if "index" in data:
            entry = str(data["entry"]).encode()
            leaf = merkle.leaf_hash(entry)
            problems = [] if leaf.hex() == data["leaf_hash"] else ["leaf hash ≠ SHA-256(0‖entry)"]
            if not merkle.verify_inclusion(
                leaf=leaf,
                index=int(data["index"]),
                size=int(data["size"]),
                proof=[bytes.fromhex(h) for h in data["proof"]],
                root_hash=bytes.fromhex(data["root"]),
            ):
                problems.append("the inclusion proof does not lead to the root")
            note = data.get("checkpoint")
            return problems + _verify_note(note, size=data["size"], root=data["root"], key=key)
        problems = []
        if not merkle.verify_consistency(
            old_size=int(data["old_size"]),
            new_size=int(data["new_size"]),
            old_root=bytes.fromhex(data["old_root"]),
            new_root=bytes.fromhex(data["new_root"]),
            proof=[bytes.fromhex(h) for h in data["proof"]],
        ):
            problems.append("the consistency proof does not join the two roots")
        for which in ("old", "new"):
            if data[f"{which}_size"] == 0:
                continue  # the empty tree needs no signature
            problems += _verify_note(
                data.get(f"{which}_checkpoint"),
                size=data[f"{which}_size"],
                root=data[f"{which}_root"],
                key=key,
            )
        return problems
    except (KeyError, TypeError, ValueError) as exc:
        return [f"malformed proof: {exc!r}"]


def register(app: typer.Typer) -> None:
    from psvis.cli.main import clear_errors, load_settings

    ledger_app = typer.Typer(
        no_args_is_help=True,
        help="The integrity ledger (Art. 20(3)): status, checkpoints, proofs, keys.",
    )
    proof_app = typer.Typer(no_args_is_help=True, help="Inclusion and consistency proofs.")
    app.add_typer(ledger_app, name="ledger")
    ledger_app.add_typer(proof_app, name="proof")

    @ledger_app.command("status")
    @clear_errors
    def status_command(as_json: AsJson = False) -> None:
        """Origin, size, root, queued entries, last checkpoint, witnesses."""
        from psvis.cli.context import open_context

        with open_context(load_settings()) as ctx, ctx.session() as session:
            status = queries.status(session)
        if as_json:
            _print_json(status)
        else:
            _print_status(status)

    @ledger_app.command("checkpoint")
    @clear_errors
    def checkpoint_command() -> None:
        """Integrate queued entries and sign a checkpoint now; print its note."""
        import datetime as dt

        from psvis.cli.context import open_context
        from psvis.core.timeutil import utcnow
        from psvis.ledger import service
        from psvis.ledger.keys import SigningKey

        settings = load_settings()
        key = SigningKey.load_or_create(settings.data_dir)
        with open_context(settings) as ctx, ctx.session() as session:
            service.ensure_log(session, node_name=settings.node_name, key=key)
            checkpoint = service.sign_checkpoint(
                session, key=key, data_dir=settings.data_dir, now=utcnow(), max_age=dt.timedelta(0)
            )
            session.commit()
        assert checkpoint is not None  # max_age 0: always signs
        service.append_to_log(settings.data_dir, checkpoint)
        sys.stdout.write(checkpoint.note())

    @proof_app.command("inclusion")
    @clear_errors
    def inclusion_command(
        index: Annotated[int, typer.Option(help="Leaf index.")],
        size: Annotated[
            int | None, typer.Option(help="Tree size (default: newest signed checkpoint).")
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """A leaf's entry and its inclusion proof."""
        from psvis.cli.context import open_context

        with open_context(load_settings()) as ctx, ctx.session() as session:
            proof = queries.inclusion(session, index=index, size=size)
        if as_json:
            _print_json(proof)
            return
        typer.echo(f"leaf        {proof.index} of a tree of {proof.size}")
        typer.echo(f"entry       {proof.entry}")
        typer.echo(f"leaf hash   {proof.leaf_hash}")
        typer.echo(f"root        {proof.root}")
        _print_proof(proof.proof)
        ok = merkle.verify_inclusion(
            leaf=bytes.fromhex(proof.leaf_hash),
            index=proof.index,
            size=proof.size,
            proof=[bytes.fromhex(h) for h in proof.proof],
            root_hash=bytes.fromhex(proof.root),
        )
        typer.echo(f"verifies    {'yes' if ok else 'NO'}")
        _echo_checkpoint(proof.checkpoint, proof.size)
        if not ok:
            raise typer.Exit(1)

    @proof_app.command("consistency")
    @clear_errors
    def consistency_command(
        old: Annotated[int, typer.Option(help="Older tree size.")],
        new: Annotated[
            int | None, typer.Option(help="Newer tree size (default: newest signed checkpoint).")
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """Proof that the tree of NEW leaves extends the tree of OLD leaves."""
        from psvis.cli.context import open_context

        with open_context(load_settings()) as ctx, ctx.session() as session:
            proof = queries.consistency(session, old_size=old, new_size=new)
        if as_json:
            _print_json(proof)
            return
        typer.echo(f"old         size {proof.old_size}, root {proof.old_root}")
        typer.echo(f"new         size {proof.new_size}, root {proof.new_root}")
        _print_proof(proof.proof)
        ok = merkle.verify_consistency(
            old_size=proof.old_size,
            new_size=proof.new_size,
            old_root=bytes.fromhex(proof.old_root),
            new_root=bytes.fromhex(proof.new_root),
            proof=[bytes.fromhex(h) for h in proof.proof],
        )
        typer.echo(f"verifies    {'yes' if ok else 'NO'}")
        if not ok:
            raise typer.Exit(1)

    @ledger_app.command("verify-proof")
    @clear_errors
    def verify_proof_command(
        file: Annotated[
            Path, typer.Argument(dir_okay=False, help="JSON from `psvis ledger proof … --json`.")
        ],
        public_key: Annotated[
            Path | None, typer.Option(help="The log's public key (PEM) to check signatures.")
        ] = None,
    ) -> None:
        """Check a saved proof offline (no database): hashes, and the checkpoint's
        signature with --public-key. Exit 1 when anything fails."""
        from psvis.core.errors import PsvisError

        try:
            data = json.loads(file.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise PsvisError(f"cannot read a proof from {file}: {exc}") from exc
        key = PublicKey.read(public_key) if public_key is not None else None
        problems = verify_proof_file(data, key)
        for problem in problems:
            typer.echo(f"FAIL  {problem}")
        if problems:
            raise typer.Exit(1)
        typer.echo("OK    the proof holds and its checkpoint is signed by the given key")

    @ledger_app.command("public-key")
    @clear_errors
    def public_key_command(as_json: AsJson = False) -> None:
        """The checkpoint signing key (PEM, fingerprint) and every key the log has used."""
        from psvis.cli.context import open_context

        settings = load_settings()
        with open_context(settings) as ctx, ctx.session() as session:
            keys = queries.public_keys(session, data_dir=settings.data_dir)
        if as_json:
            _print_json(keys)
            return
        sys.stdout.write(keys.pem)
        typer.echo(f"fingerprint {keys.fingerprint}")
        typer.echo(f"key id      {keys.key_id}")
        for key in keys.keys:
            if key.retired_at is not None:
                typer.echo(f"retired     {key.fingerprint} on {key.retired_at.isoformat()}")

    @ledger_app.command("rotate-key")
    @clear_errors
    def rotate_key_command() -> None:
        """Retire the signing key (kept, still verifying old checkpoints) and sign a
        checkpoint with a new one. Restart `psvis serve` and `psvis record` after."""
        from psvis.cli.context import open_context
        from psvis.ledger.rotation import rotate_signing_key

        settings = load_settings()
        with open_context(settings) as ctx:
            old, new, checkpoint = rotate_signing_key(ctx.sessions, settings=settings)
        typer.echo(f"retired key {old.fingerprint}  ({old.key_id})")
        typer.echo(f"new key     {new.fingerprint}  ({new.key_id})")
        typer.echo(f"signed checkpoint size {checkpoint.size} with the new key:")
        sys.stdout.write(checkpoint.note())
        typer.echo(
            "restart `psvis serve` and `psvis record` so they sign with the new key; give "
            "witnesses and verifiers the new public key (psvis ledger public-key)",
            err=True,
        )

    @app.command("witness")
    @clear_errors
    def witness_command(
        watch: Annotated[str, typer.Option(help="Base URL of the watched node.")],
        log_key: Annotated[
            list[Path],
            typer.Option(help="The node's public key (PEM); repeat to accept a rotated key."),
        ],
        name: Annotated[
            str | None, typer.Option(help="Name in cosignatures (default: node_name).")
        ] = None,
        interval: Annotated[float, typer.Option(min=1.0, help="Seconds between rounds.")] = 10.0,
        once: Annotated[
            bool,
            typer.Option(
                "--once", help="One round; exit 0 consistent, 1 alarm, 2 unreachable/invalid."
            ),
        ] = False,
        port: Annotated[
            int | None,
            typer.Option(min=1, max=65535, help="Serve /witness/latest on 127.0.0.1:PORT."),
        ] = None,
        acknowledge: Annotated[
            bool,
            typer.Option(
                "--acknowledge",
                help="After an alarm: take the node's current checkpoint as the new baseline.",
            ),
        ] = False,
        reason: Annotated[str, typer.Option(help="Why (with --acknowledge).")] = "",
    ) -> None:
        """Watch a node's ledger: verify each checkpoint extends the last, cosign it, and
        raise an alarm when history was rewritten."""
        from psvis.cli.context import open_context
        from psvis.ledger.keys import WITNESS_KEY, SigningKey
        from psvis.ledger.witness import Witness, run, serve

        logging.basicConfig(
            level=logging.INFO,
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("alembic").setLevel(logging.WARNING)
        settings = load_settings()
        keys = [PublicKey.read(path) for path in log_key]
        with open_context(settings) as ctx:
            witness = Witness(
                sessions=ctx.sessions,
                data_dir=settings.data_dir,
                url=watch,
                log_keys=keys,
                key=SigningKey.load_or_create(settings.data_dir, WITNESS_KEY),
                name=name or settings.node_name,
            )
            typer.echo(
                f"witness {witness.name} (key {witness.key.public.fingerprint}) watching "
                f"{witness.url}",
                err=True,
            )
            if acknowledge:
                typer.echo(witness.acknowledge(reason).message)
                return
            if once:
                result = witness.round()
                stream = result.outcome.exit_status != 0
                typer.echo(f"{result.outcome.value}: {result.message}", err=stream)
                raise typer.Exit(result.outcome.exit_status)
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            signal.signal(signal.SIGINT, lambda *_: stop.set())
            server = serve(witness, port) if port is not None else None
            if server is not None:
                typer.echo(f"serving /witness/latest on 127.0.0.1:{port}", err=True)
            try:
                run(witness, interval=interval, stop=stop)
            finally:
                if server is not None:
                    server.shutdown()
                    server.server_close()
        typer.echo("witness stopped", err=True)


def _echo_checkpoint(note: str | None, size: int) -> None:
    if note is None:
        typer.echo(f"checkpoint  none of size {size} (sign one: psvis ledger checkpoint)")
        return
    typer.echo("checkpoint  (signed note of this size)")
    for line in note.splitlines():
        typer.echo(f"  {line}")
