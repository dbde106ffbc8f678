"""The ledger API: open checkpoint routes, closed entry routes, proofs that verify
independently, and the witness cosignature intake against hostile input."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.api.app import create_app
from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.ledger import entries, merkle, service
from psvis.ledger.checkpoints import Checkpoint, cosign
from psvis.ledger.keys import WITNESS_KEY, PublicKey, SigningKey, public_path
from psvis.ledger.models import LedgerCosignature
from tests.support.factories import Registry
from tests.support.http import bearer

LEDGER = "/api/v1/ledger"


# --- helpers shared with the witness and CLI tests ----------------------------------------------


def add_entries(session: Session, count: int, *, tag: str = "t") -> None:
    """Queue ``count`` real ledger entries (configuration changes)."""
    for number in range(count):
        service.record(
            session,
            entries.config_changed(
                subject="system",
                subject_id=1,
                field="retention_days",
                old=30,
                new=f"{tag}-{number}",
                actor="test",
                at=utcnow(),
            ),
        )


def grow(session: Session, data_dir: Path, count: int, *, tag: str = "t") -> Checkpoint:
    """Record ``count`` entries and sign a checkpoint with the node's key (committed)."""
    add_entries(session, count, tag=tag)
    checkpoint = service.sign_checkpoint(
        session,
        key=SigningKey.load_or_create(data_dir),
        data_dir=data_dir,
        now=utcnow(),
        max_age=dt.timedelta(0),
    )
    session.commit()
    assert checkpoint is not None
    service.append_to_log(data_dir, checkpoint)
    return checkpoint


def unhex(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def witness_key(tmp_path: Path) -> SigningKey:
    return SigningKey.load_or_create(tmp_path / "witness", WITNESS_KEY)


@pytest.fixture
def api(settings: Settings, witness_key: SigningKey, tmp_path: Path) -> Iterator[TestClient]:
    """The app accepting ``witness_key`` (and one unreadable key file, which is skipped)."""
    configured = settings.model_copy(
        update={
            "witness_public_keys": (
                tmp_path / "missing-witness.pub.pem",
                public_path(tmp_path / "witness", WITNESS_KEY),
            ),
            "checkpoint_seconds": 3600,
        }
    )
    with TestClient(create_app(configured)) as client:
        yield client


@pytest.fixture
def auditor(api: TestClient, registry: Registry) -> dict[str, str]:
    registry.user(role=Role.AUDITOR, jurisdiction="360102", username="ledger_auditor")
    registry.session.commit()
    return bearer(api, "ledger_auditor")


# --- authentication ---------------------------------------------------------------------------


def test_closed_routes_need_a_token_and_the_right_role(
    api: TestClient, registry: Registry, auditor: dict[str, str]
) -> None:
    for url in ("/status", "/inclusion?index=0", "/leaves"):
        assert api.get(LEDGER + url).status_code == 401, url
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="ledger_officer")
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="ledger_admin")
    registry.session.commit()
    officer = bearer(api, "ledger_officer")
    assert api.get(f"{LEDGER}/status", headers=officer).status_code == 403
    assert api.get(f"{LEDGER}/leaves", headers=officer).status_code == 403
    admin = bearer(api, "ledger_admin")
    assert api.get(f"{LEDGER}/status", headers=admin).status_code == 200
    assert api.get(f"{LEDGER}/status", headers=auditor).status_code == 200


def test_open_routes_say_why(api: TestClient) -> None:
    spec = api.get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/checkpoint", "get"),
        ("/consistency", "get"),
        ("/public-key", "get"),
        ("/cosignatures", "post"),
    ):
        assert (
            "signature" in spec[LEDGER + path][method]["x-public"]
            or "public" in (spec[LEDGER + path][method]["x-public"])
        )
    for path in ("/status", "/inclusion", "/leaves"):
        assert spec[LEDGER + path]["get"]["x-permission"] == {
            "resource": "ledger",
            "action": "read",
        }


# --- checkpoints and proofs -------------------------------------------------------------------


def test_checkpoint_is_public_and_verifies_with_the_published_key(
    api: TestClient, db: Session, settings: Settings
) -> None:
    assert api.get(f"{LEDGER}/checkpoint").status_code == 404  # nothing signed yet
    signed = grow(db, settings.data_dir, 5)
    answer = api.get(f"{LEDGER}/checkpoint")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"note": signed.note(), "cosignatures": []}
    keys = api.get(f"{LEDGER}/public-key").json()
    published = PublicKey.from_pem(keys["pem"].encode())
    assert published == PublicKey.read(public_path(settings.data_dir))
    assert keys["fingerprint"] == published.fingerprint
    assert published.key_id in {k["key_id"] for k in keys["keys"]}
    assert Checkpoint.parse(answer.json()["note"]).verify(published)


def test_consistency_proofs_verify_between_signed_checkpoints(
    api: TestClient, db: Session, settings: Settings
) -> None:
    sizes = {}
    for count in (1, 4, 2, 9):
        checkpoint = grow(db, settings.data_dir, count)
        sizes[checkpoint.size] = checkpoint.root
    sizes[0] = merkle.EMPTY_ROOT
    for old in sorted(sizes):
        for new in sorted(sizes):
            if old > new:
                continue
            answer = api.get(f"{LEDGER}/consistency", params={"old": old, "new": new})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert merkle.verify_consistency(
                old_size=old,
                new_size=new,
                old_root=sizes[old],
                new_root=sizes[new],
                proof=unhex(body["proof"]),
            ), (old, new)
            assert (body["old_root"], body["new_root"]) == (sizes[old].hex(), sizes[new].hex())
    # A proof between two sizes verifies against those roots only.
    body = api.get(f"{LEDGER}/consistency", params={"old": 5, "new": 16}).json()
    assert not merkle.verify_consistency(
        old_size=5, new_size=16, old_root=sizes[7], new_root=sizes[16], proof=unhex(body["proof"])
    )


def test_inclusion_proofs_verify_against_the_signed_root(
    api: TestClient, db: Session, settings: Settings, auditor: dict[str, str]
) -> None:
    first = grow(db, settings.data_dir, 6)
    last = grow(db, settings.data_dir, 5)
    for index in range(last.size):
        answer = api.get(f"{LEDGER}/inclusion", params={"index": index}, headers=auditor)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["size"] == last.size  # default: the newest signed size
        assert body["checkpoint"] == last.note()
        assert body["body"]["type"] == "config.changed"
        leaf = merkle.leaf_hash(body["entry"].encode())
        assert body["leaf_hash"] == leaf.hex()
        assert merkle.verify_inclusion(
            leaf=leaf, index=index, size=last.size, proof=unhex(body["proof"]), root_hash=last.root
        )
    body = api.get(
        f"{LEDGER}/inclusion", params={"index": 2, "size": first.size}, headers=auditor
    ).json()
    assert body["checkpoint"] == first.note()
    assert merkle.verify_inclusion(
        leaf=bytes.fromhex(body["leaf_hash"]),
        index=2,
        size=first.size,
        proof=unhex(body["proof"]),
        root_hash=first.root,
    )


def test_leaves_are_paged(
    api: TestClient, db: Session, settings: Settings, auditor: dict[str, str]
) -> None:
    grow(db, settings.data_dir, 11)
    page = api.get(f"{LEDGER}/leaves", params={"start": 0, "limit": 4}, headers=auditor).json()
    assert [item["index"] for item in page["items"]] == [0, 1, 2, 3]
    assert page["size"] == 11
    rest = api.get(f"{LEDGER}/leaves", params={"start": 8, "limit": 1000}, headers=auditor)
    assert [item["index"] for item in rest.json()["items"]] == [8, 9, 10]
    item = rest.json()["items"][0]
    assert item["leaf_hash"] == merkle.leaf_hash(item["entry"].encode()).hex()
    assert item["body"]["new"] == "t-8"
    assert item["problem"] is None
    past = api.get(f"{LEDGER}/leaves", params={"start": 50}, headers=auditor).json()
    assert past["items"] == []
    status = api.get(f"{LEDGER}/status", headers=auditor).json()
    assert status["size"] == 11
    assert status["queued"] == 0
    assert status["last_checkpoint"]["size"] == 11
    key = PublicKey.read(public_path(settings.data_dir))
    assert status["last_checkpoint"]["key_fingerprint"] == key.fingerprint
    add_entries(db, 3)
    db.commit()
    assert api.get(f"{LEDGER}/status", headers=auditor).json()["queued"] == 3


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/consistency", {}),
        ("/consistency", {"old": 1}),
        ("/consistency", {"old": -1, "new": 2}),
        ("/consistency", {"old": 3, "new": 2}),
        ("/consistency", {"old": 0, "new": 5}),  # beyond the tree (4 leaves)
        ("/consistency", {"old": "one", "new": 2}),
        ("/consistency", {"old": "1.5", "new": 2}),
        ("/consistency", {"old": 1, "new": 10**30}),
        ("/consistency", {"old": 1, "new": 2**53 + 1}),
        ("/inclusion", {}),
        ("/inclusion", {"index": 4}),
        ("/inclusion", {"index": -1}),
        ("/inclusion", {"index": 0, "size": 5}),
        ("/inclusion", {"index": 0, "size": 0}),
        ("/inclusion", {"index": 2, "size": 2}),
        ("/inclusion", {"index": "0x1"}),
        ("/leaves", {"limit": 0}),
        ("/leaves", {"limit": 1001}),
        ("/leaves", {"start": -3}),
        ("/leaves", {"start": 10**40}),
    ],
)
def test_hostile_proof_parameters_are_clear_4xx(
    api: TestClient,
    db: Session,
    settings: Settings,
    auditor: dict[str, str],
    url: str,
    params: dict[str, Any],
) -> None:
    grow(db, settings.data_dir, 4)
    answer = api.get(LEDGER + url, params=params, headers=auditor)
    assert answer.status_code == 422, (url, params, answer.status_code, answer.text)
    assert answer.json()  # a JSON body saying what is wrong


# --- cosignature intake -----------------------------------------------------------------------


def cosignature_body(checkpoint: Checkpoint, key: SigningKey, name: str = "city") -> dict[str, Any]:
    return {
        "note": checkpoint.note(),
        "cosignature": cosign(checkpoint, key=key, name=name, now=utcnow()).as_json(),
    }


def stored_cosignatures(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count(LedgerCosignature.id))) or 0)


def test_cosignature_from_a_configured_witness_is_stored_once(
    api: TestClient,
    db: Session,
    settings: Settings,
    witness_key: SigningKey,
    auditor: dict[str, str],
) -> None:
    checkpoint = grow(db, settings.data_dir, 3)
    body = cosignature_body(checkpoint, witness_key, name="市局见证")
    first = api.post(f"{LEDGER}/cosignatures", json=body)
    assert first.status_code == 200, first.text
    assert first.json() == {"stored": True, "checkpoint_size": 3}
    again = api.post(f"{LEDGER}/cosignatures", json=body)
    assert again.status_code == 200
    assert again.json()["stored"] is False
    assert stored_cosignatures(db) == 1
    published = api.get(f"{LEDGER}/checkpoint").json()
    assert published["cosignatures"] == [body["cosignature"]]
    status = api.get(f"{LEDGER}/status", headers=auditor).json()
    assert [(w["witness"], w["checkpoint_size"]) for w in status["witnesses"]] == [("市局见证", 3)]
    # A newer checkpoint cosigned: status shows the newest per witness.
    newer = grow(db, settings.data_dir, 2)
    assert api.post(f"{LEDGER}/cosignatures", json=cosignature_body(newer, witness_key)).json()[
        "stored"
    ]
    status = api.get(f"{LEDGER}/status", headers=auditor).json()
    assert [w["checkpoint_size"] for w in status["witnesses"]] == [5]


def test_cosignature_refusals(
    api: TestClient, db: Session, settings: Settings, witness_key: SigningKey, tmp_path: Path
) -> None:
    checkpoint = grow(db, settings.data_dir, 3)
    stranger = SigningKey.load_or_create(tmp_path / "stranger", WITNESS_KEY)
    unknown = api.post(f"{LEDGER}/cosignatures", json=cosignature_body(checkpoint, stranger))
    assert unknown.status_code == 403
    assert "not accepted" in unknown.json()["error"]["message"]

    tampered = cosignature_body(checkpoint, witness_key)
    signature = bytearray(base64.b64decode(tampered["cosignature"]["signature"]))
    signature[0] ^= 1
    tampered["cosignature"]["signature"] = base64.b64encode(bytes(signature)).decode()
    bad = api.post(f"{LEDGER}/cosignatures", json=tampered)
    assert bad.status_code == 403
    assert "does not verify" in bad.json()["error"]["message"]

    # A cosignature of a note this log never signed: another log's, and ours with a
    # different time (so its log signature no longer matches either).
    other_log = Checkpoint(
        origin="psvis/elsewhere/000000000000", size=3, root=checkpoint.root, time=utcnow()
    ).signed(stranger)
    assert (
        api.post(f"{LEDGER}/cosignatures", json=cosignature_body(other_log, witness_key))
    ).status_code == 404
    edited = Checkpoint(
        checkpoint.origin,
        checkpoint.size,
        checkpoint.root,
        checkpoint.time + dt.timedelta(seconds=1),
        checkpoint.key_id,
        checkpoint.signature,
    )
    assert (
        api.post(f"{LEDGER}/cosignatures", json=cosignature_body(edited, witness_key))
    ).status_code == 404
    assert stored_cosignatures(db) == 0


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: "not json at all",
        lambda b: "[]",
        lambda b: {"note": b["note"]},
        lambda b: {"cosignature": b["cosignature"]},
        lambda b: {**b, "extra": 1},
        lambda b: {**b, "note": "psvis-checkpoint/v1\nnonsense\n"},
        lambda b: {**b, "note": b["note"].replace("\n", "\r\n")},
        lambda b: {**b, "note": 12},
        lambda b: {**b, "cosignature": "abc"},
        lambda b: {**b, "cosignature": {**b["cosignature"], "signature": "!!!"}},
        lambda b: {**b, "cosignature": {**b["cosignature"], "key_id": "ab"}},
        lambda b: {**b, "cosignature": {**b["cosignature"], "time": "yesterday"}},
        lambda b: {**b, "cosignature": {k: v for k, v in b["cosignature"].items() if k != "time"}},
    ],
)
def test_malformed_cosignatures_are_422(
    api: TestClient, db: Session, settings: Settings, witness_key: SigningKey, mutate: Any
) -> None:
    body = cosignature_body(grow(db, settings.data_dir, 1), witness_key)
    sent = mutate(body)
    if isinstance(sent, str):
        answer = api.post(
            f"{LEDGER}/cosignatures", content=sent, headers={"content-type": "application/json"}
        )
    else:
        answer = api.post(f"{LEDGER}/cosignatures", json=sent)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_input"
    assert stored_cosignatures(db) == 0


def test_oversized_cosignature_bodies_are_refused_unread(
    api: TestClient, db: Session, settings: Settings, witness_key: SigningKey
) -> None:
    body = cosignature_body(grow(db, settings.data_dir, 1), witness_key)
    body["cosignature"]["padding"] = "x" * 20_000
    assert api.post(f"{LEDGER}/cosignatures", json=body).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streamed
        yield b'{"note": "'
        for _ in range(100):
            yield b"x" * 1000

    streamed = api.post(
        f"{LEDGER}/cosignatures", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    lying = api.post(
        f"{LEDGER}/cosignatures",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": "abc"},
    )
    assert lying.status_code in (400, 422)
    assert stored_cosignatures(db) == 0
