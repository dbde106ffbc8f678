"""``psvis ledger …`` as a real process: status, checkpoints, proofs that verify on their
own, offline proof checking, and key rotation that keeps old checkpoints verifiable."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from psvis.core.config import Settings
from psvis.ledger import merkle, service
from psvis.ledger.checkpoints import Checkpoint
from psvis.ledger.keys import LEDGER_KEY, PublicKey, SigningKey, public_path
from psvis.ledger.models import LedgerCheckpoint, LedgerHead, LedgerKey
from tests.integration.ledger.test_ledger_api import add_entries, grow


def psvis(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PSVIS_")}
    env |= {
        "PSVIS_DATA_DIR": str(settings.data_dir),
        "PSVIS_DATABASE_URL": settings.resolved_database_url(),
        "PSVIS_NODE_NAME": "cli-node",
    }
    return subprocess.run(
        [sys.executable, "-m", "psvis.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.data_dir,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.args, result.stdout, result.stderr)
    return result.stdout


def test_checkpoint_status_and_proofs(settings: Settings, db: Session, tmp_path: Path) -> None:
    grow(db, settings.data_dir, 3)
    add_entries(db, 4)
    db.commit()
    status = json.loads(ok(psvis(settings, "ledger", "status", "--json")))
    assert status["queued"] == 4
    size = status["size"] + 4

    note = ok(psvis(settings, "ledger", "checkpoint"))
    checkpoint = Checkpoint.parse(note)
    key = PublicKey.read(public_path(settings.data_dir))
    assert checkpoint.verify(key)
    assert checkpoint.size == size
    assert note in service.checkpoint_log(settings.data_dir).read_text()

    text = ok(psvis(settings, "ledger", "status"))
    assert f"size        {size} leaves" in text
    assert "queued      0 entries" in text
    assert f"checkpoint  size {size}" in text
    assert key.fingerprint in text

    inclusion = json.loads(
        ok(psvis(settings, "ledger", "proof", "inclusion", "--index", "2", "--json"))
    )
    assert inclusion["checkpoint"] == note
    assert merkle.verify_inclusion(
        leaf=merkle.leaf_hash(inclusion["entry"].encode()),
        index=2,
        size=size,
        proof=[bytes.fromhex(h) for h in inclusion["proof"]],
        root_hash=checkpoint.root,
    )
    shown = ok(psvis(settings, "ledger", "proof", "inclusion", "--index", str(size - 1)))
    assert "verifies    yes" in shown
    assert f"sig {checkpoint.key_id}" in shown

    consistency = json.loads(
        ok(psvis(settings, "ledger", "proof", "consistency", "--old", "3", "--json"))
    )
    assert consistency["new_size"] == size
    assert merkle.verify_consistency(
        old_size=3,
        new_size=size,
        old_root=bytes.fromhex(consistency["old_root"]),
        new_root=checkpoint.root,
        proof=[bytes.fromhex(h) for h in consistency["proof"]],
    )
    assert "verifies    yes" in ok(psvis(settings, "ledger", "proof", "consistency", "--old", "1"))

    # Offline: the saved proofs verify with the public key alone, and a change fails them.
    key_file = tmp_path / "node.pub.pem"
    key_file.write_bytes(key.pem())
    for name, proof in (("inclusion", inclusion), ("consistency", consistency)):
        saved = tmp_path / f"{name}.json"
        saved.write_text(json.dumps(proof))
        checked = psvis(
            settings, "ledger", "verify-proof", str(saved), "--public-key", str(key_file)
        )
        assert checked.returncode == 0, checked.stdout
    tampered = dict(inclusion, entry=inclusion["entry"].replace("test", "tost"))
    (tmp_path / "bad.json").write_text(json.dumps(tampered))
    bad = psvis(settings, "ledger", "verify-proof", str(tmp_path / "bad.json"))
    assert bad.returncode == 1
    assert "leaf hash" in bad.stdout
    flipped = dict(
        consistency, proof=[("0" if h[0] != "0" else "1") + h[1:] for h in consistency["proof"]]
    )
    (tmp_path / "flip.json").write_text(json.dumps(flipped))
    assert psvis(settings, "ledger", "verify-proof", str(tmp_path / "flip.json")).returncode == 1
    stranger = tmp_path / "stranger"
    SigningKey.load_or_create(stranger)
    wrong = psvis(
        settings,
        "ledger",
        "verify-proof",
        str(tmp_path / "inclusion.json"),
        "--public-key",
        str(public_path(stranger)),
    )
    assert wrong.returncode == 1
    assert "does not verify" in wrong.stdout
    (tmp_path / "junk.json").write_text("{not json")
    assert psvis(settings, "ledger", "verify-proof", str(tmp_path / "junk.json")).returncode == 2


def test_hostile_proof_arguments_exit_2_with_a_clear_line(settings: Settings, db: Session) -> None:
    grow(db, settings.data_dir, 4)
    for args, said in (
        (("proof", "inclusion", "--index", "99"), "not in a tree"),
        (("proof", "inclusion", "--index", "-1"), "not in a tree"),
        (("proof", "inclusion", "--index", "0", "--size", "999999999999999999999"), ""),
        (("proof", "inclusion", "--index", "0", "--size", "99"), "outside the tree"),
        (("proof", "consistency", "--old", "3", "--new", "2"), "old size 3"),
        (("proof", "consistency", "--old", "-5"), "old size -5"),
        (("proof", "inclusion", "--index", "abc"), ""),
    ):
        result = psvis(settings, "ledger", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert said in result.stderr
        assert "Traceback" not in result.stderr


def test_a_node_without_a_ledger_says_so(settings: Settings, db: Session) -> None:
    db.execute(delete(LedgerHead))
    db.commit()
    result = psvis(settings, "ledger", "status")
    assert result.returncode == 2
    assert "no ledger yet" in result.stderr


def test_rotate_key_keeps_old_checkpoints_verifiable(settings: Settings, db: Session) -> None:
    before = grow(db, settings.data_dir, 3)
    old_key = PublicKey.read(public_path(settings.data_dir))

    rotated = psvis(settings, "ledger", "rotate-key")
    out = ok(rotated)
    new_key = PublicKey.read(public_path(settings.data_dir))
    assert new_key != old_key
    assert f"retired key {old_key.fingerprint}" in out
    assert f"new key     {new_key.fingerprint}" in out
    assert "restart" in rotated.stderr
    after = Checkpoint.parse(out[out.index("psvis-checkpoint/v1") :])
    assert after.size == before.size + 1  # the leaf announcing the new key

    db.expire_all()
    registered = {row.key_id: row for row in db.scalars(select(LedgerKey))}
    assert registered[old_key.key_id].retired_at is not None
    assert registered[new_key.key_id].retired_at is None
    # Each checkpoint verifies with the key the table holds for it, and only that one.
    for row in db.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id)):
        note = Checkpoint.parse(row.note)
        signer = PublicKey(bytes(registered[row.key_id].public_key))
        assert note.verify(signer)
    assert before.verify(PublicKey(bytes(registered[old_key.key_id].public_key)))
    assert not before.verify(new_key)
    assert after.verify(new_key)
    assert not after.verify(old_key)
    announced = json.loads(
        ok(psvis(settings, "ledger", "proof", "inclusion", "--index", str(before.size), "--json"))
    )["body"]
    assert (announced["subject"], announced["old"], announced["new"]) == (
        "ledger",
        old_key.key_id,
        new_key.key_id,
    )

    keys = settings.data_dir / "keys"
    retired = keys / "retired" / f"{old_key.key_id}.pem"
    for private in (keys / f"{LEDGER_KEY}.pem", retired):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private
    assert PublicKey.read(keys / "retired" / f"{old_key.key_id}.pub.pem") == old_key

    shown = ok(psvis(settings, "ledger", "public-key"))
    assert shown.startswith(new_key.pem().decode())
    assert f"fingerprint {new_key.fingerprint}" in shown
    assert f"retired     {old_key.fingerprint}" in shown
    later = Checkpoint.parse(ok(psvis(settings, "ledger", "checkpoint")))
    assert later.verify(new_key)
    notes, problems = service.read_log(settings.data_dir)
    assert problems == []
    assert [n.key_id for n in notes][-3:] == [old_key.key_id, new_key.key_id, new_key.key_id]
