"""Users, their units, and login sessions / API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from psvis.auth.policy import Role
from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime


class User(Base):
    """A person who signs in. Police roles carry a jurisdiction; unit roles carry units."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    # argon2id PHC string; never returned, never logged.
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="user_role",
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda members: [m.value for m in members],
        )
    )
    jurisdiction_code: Mapped[str | None] = mapped_column(
        ForeignKey("jurisdiction.code"), index=True
    )
    #: 警号: an officer's work ID number (Art. 19(2)).
    work_id: Mapped[str] = mapped_column(String(32), default="")
    #: For other-department staff: the department they belong to (Art. 18).
    department: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: TOTP secret (RFC 6238) encrypted with the data dir's SecretBox, like camera
    #: passwords; the second officer of a custody session proves it (Art. 19).
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    #: The last accepted TOTP time step: a code is never accepted twice (replay).
    totp_last_counter: Mapped[int | None] = mapped_column(BigInteger, default=None)

    __table_args__ = (CheckConstraint("failed_logins >= 0", name="failed_logins_non_negative"),)


class UserUnit(Base):
    """The units a unit-staff user belongs to."""

    __tablename__ = "user_unit"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AuthToken(Base):
    """A console session (cookie) or API bearer token. Only the SHA-256 of the token is
    stored, so a database leak does not leak usable tokens."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: Per-session secret echoed in console forms (CSRF double check).
    csrf_token: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (CheckConstraint("kind IN ('session', 'api')", name="kind_known"),)
