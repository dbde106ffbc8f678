"""The demo's custody walk-through: one-time-code secrets for its police logins, a sample
approval document to upload, and ``psvis demo-totp USERNAME`` for the current code.

A two-officer session (Art. 19) needs the second officer's TOTP code, which a real
officer reads off their phone. A demo visitor has no phone enrolled, so the demo — and
only the demo — gives each police demo login a fresh secret on every run, prints the
secrets in its banner, and offers a command that prints the current code. Both are
honest about being demo-only:

* the command works only in a data directory that ``psvis demo`` marked as a demo
  (:data:`MARKER`) and only for the demo's own logins; anywhere else it refuses. (Whoever
  can write the data directory also holds its key file and could decrypt any secret —
  the marker keeps a production node from offering this by accident, not an attacker
  with the disk from reading it.)
* a real deployment never shows a secret: officers enrol their own authenticator on the
  console's 我的动态口令 page (two steps, confirmed with a code).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth import totp
from psvis.auth.models import User
from psvis.core.errors import InvalidInput, PsvisError
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from psvis.custody import acts
from psvis.custody.acts import Act

#: Written by ``psvis demo`` into its data directory; ``demo-totp`` needs it.
MARKER: Final = Path("demo") / "DEMO-DATA-DIR"
#: The sample approval document a demo chief uploads.
SAMPLE_SCAN: Final = Path("demo") / "approval-sample.pdf"


def mark_demo(data_dir: Path) -> None:
    path = data_dir / MARKER
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "This data directory was created by `psvis demo` (synthetic data).\n"
        "`psvis demo-totp` prints demo logins' one-time codes only where this file exists.\n",
        encoding="utf-8",
    )


def is_demo(data_dir: Path) -> bool:
    return (data_dir / MARKER).is_file()


def reset_totp(session: Session, *, box: SecretBox, user: User, now: dt.datetime) -> str:
    """Give a demo login a fresh TOTP secret (this run's, like its password); returns it.
    The enrolment is logged as any other (a ``totp.enrolled`` ledger entry)."""
    replaced = user.totp_secret_encrypted is not None
    secret = totp.new_secret()
    user.totp_secret_encrypted = box.encrypt(secret)
    user.totp_last_counter = None
    session.flush()
    acts.log(session, Act.TOTP_ENROLLED, at=now, user=user.id, replaced=replaced)
    return secret


def current_code(
    session: Session,
    *,
    box: SecretBox,
    data_dir: Path,
    username: str,
    demo_usernames: frozenset[str],
    now: dt.datetime | None = None,
) -> tuple[str, int]:
    """The demo login's code now and the seconds it stays current; refuses outside a
    demo data directory or for a login the demo did not create."""
    if not is_demo(data_dir):
        raise PsvisError(
            f"{data_dir} is not a demo data directory (no {MARKER}): one-time codes come "
            "from the officer's own authenticator"
        )
    if username not in demo_usernames:
        raise InvalidInput(f"{username!r} is not one of the demo's logins")
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.totp_secret_encrypted is None:
        raise InvalidInput(f"demo login {username!r} has no one-time-code secret (run psvis demo)")
    moment = now or utcnow()
    code = totp.code_at(box.decrypt(user.totp_secret_encrypted), at=moment)
    left = totp.STEP_S - int(moment.timestamp()) % totp.STEP_S
    return code, left


def write_sample_scan(data_dir: Path) -> Path:
    """A one-page PDF standing in for a signed approval document (the upload needs a
    real PDF, PNG or JPEG; this one says plainly that it is a demo)."""
    path = data_dir / SAMPLE_SCAN
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.cell(0, 12, "psvis demo - sample approval document", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0,
        7,
        "Synthetic data. A real approval is the document signed by the head of a "
        "county-level or higher police bureau (Art. 18), scanned and uploaded here.",
    )
    path.write_bytes(bytes(pdf.output()))
    return path
