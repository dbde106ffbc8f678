"""The footage gate's decision cost with custody (Art. 18-19), at 10,000 active grants.

    .venv/bin/python bench/custody.py [--grants 10000] [--cameras 10000] [--samples 3000]
                                      [--backends sqlite,postgresql]

For each backend a fresh database (``bench_databases``) gets a synthetic city
(``synthetic.generate``: cameras over the nine districts), 500 police officers, and
``--grants`` *active grants*: approved requests, each with its approval, two camera ×
interval scope rows and one open two-officer execution session — bulk-inserted with Core
(the service path is exercised by the tests; here only the gate's reads matter).

Timed, per media request, through the real code, interleaved in random order:

* **baseline** — the role-only gate as it was before custody (:func:`role_only_gate`:
  the camera looked up in read reach, then in footage reach), the same principal and
  camera;
* **full gate** — ``access.authorize_footage(..., Action.PLAYBACK, ..., custody_session=id)``:
  the role checks plus :func:`psvis.custody.gate.authorize_access`;
* **custody alone** — ``gate.authorize_access`` by itself.

Target: the custody decision under 1 ms per media request (p99 of "custody alone"; the
full gate's added cost over the baseline is reported too). Every timed full-gate call
must be allowed, and a sample of out-of-scope requests (another camera, a range past the
grant, another officer's session) must be refused — checked in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from psvis.auth import scope
from psvis.auth import service as auth_service
from psvis.auth.models import User
from psvis.auth.policy import Action, Resource, Role
from psvis.auth.principal import Principal
from psvis.core.db import make_engine, make_session_factory
from psvis.core.errors import Forbidden, NotFound
from psvis.core.timeutil import utcnow
from psvis.custody import gate
from psvis.custody.enums import DepartmentKind, RequestState
from psvis.custody.models import Approval, ExecutionSession, RequestScope, RetrievalRequest
from psvis.recording import access
from psvis.registry import cameras
from psvis.registry.models import Camera

from bench_databases import postgres_database, sqlite_database  # isort: skip
from synthetic import generate  # isort: skip

TARGET_MS = 1.0
OFFICERS = 500
CHUNK = 5_000
DATABASES: dict[str, Callable[[], Any]] = {
    "sqlite": sqlite_database,
    "postgresql": postgres_database,
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def role_only_gate(session: Session, who: Principal, camera_id: int) -> object:
    """The footage gate's role checks alone, as ``access.authorize_footage`` makes them
    before any custody question: the camera in the caller's read reach (404 otherwise),
    then in the role's footage reach (403 otherwise)."""
    camera = cameras.get_camera(session, principal=who, camera_id=camera_id)
    allowed = session.scalar(
        select(Camera.id).where(
            Camera.id == camera_id, scope.where(who, Resource.FOOTAGE, Action.PLAYBACK)
        )
    )
    if allowed is None:
        raise Forbidden(f"you may not play back footage of camera {camera_id}")
    return camera


@dataclass(frozen=True, slots=True)
class Grant:
    session_id: int
    officer_id: int
    officer_b_id: int
    camera_id: int
    #: A camera of the same district that the grant does not cover.
    outside_camera_id: int
    start: dt.datetime
    end: dt.datetime


def populate(url: str, *, grants: int, cameras: int) -> list[Grant]:
    """The city, the officers and ``grants`` active grants; returns one probe per grant."""
    engine = make_engine(url)
    rng = random.Random(7)
    now = utcnow()
    with engine.begin() as connection:
        generate(connection, sites=max(1, cameras // 5), cameras=cameras)
        by_district: dict[str, list[int]] = {}
        for camera_id, code in connection.execute(select(Camera.id, Camera.jurisdiction_code)):
            by_district.setdefault(code, []).append(camera_id)
        districts = sorted(by_district)
        connection.execute(
            insert(User),
            [
                {
                    "username": f"bench_officer_{n}",
                    "display_name": f"警官{n}",
                    "password_hash": "x",  # never signs in: the bench builds principals
                    "role": Role.OFFICER,
                    "jurisdiction_code": districts[n % len(districts)],
                    "work_id": f"{100000 + n}",
                    "active": True,
                    "failed_logins": 0,
                    "created_at": now,
                }
                for n in range(OFFICERS)
            ],
        )
        officers: dict[str, list[int]] = {}
        for user_id, user_code in connection.execute(
            select(User.id, User.jurisdiction_code).where(User.username.like("bench_officer_%"))
        ):
            officers.setdefault(str(user_code), []).append(user_id)
        chief = officers[districts[0]][0]
        first_request = (
            int(connection.scalar(select(func.coalesce(func.max(RetrievalRequest.id), 0))) or 0) + 1
        )
        probes: list[Grant] = []
        requests, approvals, scopes, sessions = [], [], [], []
        for n in range(grants):
            request_id = first_request + n
            code = districts[n % len(districts)]
            a, b = rng.sample(officers[code], 2)
            start = now - dt.timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 1440))
            end = start + dt.timedelta(hours=rng.randint(1, 6))
            chosen = rng.sample(by_district[code], 2)
            requests.append(
                {
                    "id": request_id,
                    "number": f"{code}-2026-{n + 1:06d}",
                    "bureau_code": code,
                    "year": 2026,
                    "serial": n + 1,
                    "requester_id": a,
                    "department_kind": DepartmentKind.POLICE,
                    "department_name": "刑侦大队",
                    "legal_basis": "",
                    "case_number": f"A{n:08d}",
                    "purpose": "调查",
                    "actions": ["copy", "view"],
                    "valid_from": now - dt.timedelta(days=1),
                    "valid_until": now + dt.timedelta(days=30),
                    "state": RequestState.APPROVED,
                    "created_at": now - dt.timedelta(days=1),
                }
            )
            approvals.append(
                {
                    "request_id": request_id,
                    "chief_id": chief,
                    "approved": True,
                    "decided_at": now,
                    "reason": "",
                    "document_number": f"批字{n}号",
                    "scan_sha256": "0" * 64,
                    "scan_size_bytes": 1000,
                    "scan_media_type": "application/pdf",
                }
            )
            for camera_id in chosen:
                scopes.append(
                    {
                        "request_id": request_id,
                        "camera_id": camera_id,
                        "jurisdiction_code": code,
                        "start_at": start,
                        "end_at": end,
                    }
                )
            sessions.append(
                {
                    "id": request_id,  # one session per request: the same numbering
                    "request_id": request_id,
                    "officer_a_id": a,
                    "officer_a_work_id": "1",
                    "officer_b_id": b,
                    "officer_b_work_id": "2",
                    "document_number": f"批字{n}号",
                    "opened_at": now,
                    "closed_at": None,
                    "console_token_id": None,
                }
            )
            outside = next(c for c in by_district[code] if c not in chosen)
            probes.append(Grant(request_id, a, b, chosen[0], outside, start, end))
        for table, rows in (
            (RetrievalRequest, requests),
            (Approval, approvals),
            (RequestScope, scopes),
            (ExecutionSession, sessions),
        ):
            for at in range(0, len(rows), CHUNK):
                connection.execute(insert(table), rows[at : at + CHUNK])
    engine.dispose()
    return probes


def timed(call: Callable[[], object]) -> float:
    begin = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - begin) / 1e6


def run(backend: str, *, grants: int, cameras: int, samples: int) -> bool:
    with DATABASES[backend]() as url:
        started = time.perf_counter()
        probes = populate(url, grants=grants, cameras=cameras)
        print(
            f"[{backend}] {grants:,} active grants ({2 * grants:,} scope rows, {grants:,} open "
            f"sessions) over {cameras:,} cameras in {time.perf_counter() - started:.1f} s"
        )
        engine = make_engine(url)
        session: Session = make_session_factory(engine)()
        principals: dict[int, Principal] = {}

        def principal(user_id: int) -> Principal:
            if user_id not in principals:
                user = session.get(User, user_id)
                assert user is not None
                principals[user_id] = auth_service.principal_for(session, user=user)
            return principals[user_id]

        rng = random.Random(11)
        chosen = [rng.choice(probes) for _ in range(samples)]
        base_ms: list[float] = []
        full_ms: list[float] = []
        custody_ms: list[float] = []
        for probe in chosen:
            who = principal(probe.officer_id)
            start = probe.start + dt.timedelta(minutes=1)
            end = start + dt.timedelta(seconds=6)  # one segment's worth

            def baseline(
                who: Principal = who,
                probe: Grant = probe,
                start: dt.datetime = start,
                end: dt.datetime = end,
            ) -> object:
                return role_only_gate(session, who, probe.camera_id)

            def full(
                who: Principal = who,
                probe: Grant = probe,
                start: dt.datetime = start,
                end: dt.datetime = end,
            ) -> object:
                return access.authorize_footage(
                    session,
                    who,
                    probe.camera_id,
                    Action.PLAYBACK,
                    start,
                    end,
                    custody_session=probe.session_id,
                )

            def alone(
                who: Principal = who,
                probe: Grant = probe,
                start: dt.datetime = start,
                end: dt.datetime = end,
            ) -> object:
                return gate.authorize_access(
                    session,
                    principal=who,
                    session_id=probe.session_id,
                    camera_id=probe.camera_id,
                    action=Action.PLAYBACK,
                    start=start,
                    end=end,
                )

            order = [(baseline, base_ms), (full, full_ms), (alone, custody_ms)]
            rng.shuffle(order)
            for call, into in order:
                into.append(timed(call))
        # Refusals in the same run: the gate must say no outside the grant.
        refused = 0
        for probe in chosen[:200]:
            who = principal(probe.officer_id)
            mine = {probe.officer_id, probe.officer_b_id}
            other = next(p for p in probes if not {p.officer_id, p.officer_b_id} & mine)
            cases = [
                (
                    probe.outside_camera_id,
                    probe.start,
                    probe.start + dt.timedelta(seconds=6),
                    probe.session_id,
                ),
                (
                    probe.camera_id,
                    probe.end - dt.timedelta(seconds=3),
                    probe.end + dt.timedelta(seconds=3),
                    probe.session_id,
                ),
                (
                    probe.camera_id,
                    probe.start,
                    probe.start + dt.timedelta(seconds=6),
                    other.session_id,
                ),
                (probe.camera_id, probe.start, probe.start + dt.timedelta(seconds=6), None),
            ]
            for camera_id, start, end, session_id in cases:
                try:
                    access.authorize_footage(
                        session,
                        who,
                        camera_id,
                        Action.PLAYBACK,
                        start,
                        end,
                        custody_session=session_id,
                    )
                except (Forbidden, NotFound):
                    refused += 1
        session.close()
        engine.dispose()
    expected_refusals = 4 * min(200, len(chosen))
    stats = {
        name: (statistics.median(values), percentile(values, 99))
        for name, values in (("baseline", base_ms), ("full", full_ms), ("custody", custody_ms))
    }
    (b_med, b_p99), (f_med, f_p99), (c_med, c_p99) = (
        stats["baseline"],
        stats["full"],
        stats["custody"],
    )
    print(f"[{backend}] role-only gate (baseline): median {b_med:.3f} ms, p99 {b_p99:.3f} ms")
    print(
        f"[{backend}] full gate (role + custody): median {f_med:.3f} ms, p99 {f_p99:.3f} ms; "
        f"adds {f_med - b_med:.3f} ms median over the baseline ({f_med / b_med:.2f}x)"
    )
    print(
        f"[{backend}] custody decision alone:     median {c_med:.3f} ms, p99 {c_p99:.3f} ms "
        f"({samples:,} media requests, all allowed)"
    )
    print(f"[{backend}] refusals outside the grant: {refused}/{expected_refusals}")
    met = c_p99 < TARGET_MS and refused == expected_refusals
    verdict = "met" if met else "NOT MET"
    print(f"[{backend}] target custody decision < {TARGET_MS:g} ms (p99): {verdict}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=10_000)
    parser.add_argument("--cameras", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=3_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, {platform.machine()}, {args.grants:,} grants")
    ok = True
    for backend in args.backends.split(","):
        ok &= run(backend, grants=args.grants, cameras=args.cameras, samples=args.samples)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
