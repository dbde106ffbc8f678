"""Strict, typed configuration.

Sources, highest priority first: keyword arguments, ``PSVIS_*`` environment variables,
the TOML file named by ``PSVIS_CONFIG`` (default ``./psvis.toml`` when it exists), the
defaults below. An unknown key anywhere is an error, not silence (``extra="forbid"``).

    >>> Settings(data_dir=Path("/tmp/x")).resolved_database_url()
    'sqlite:////tmp/x/psvis.db'
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from psvis.compliance.constants import MIN_RETENTION_DAYS

if TYPE_CHECKING:
    from psvis.health.vqd.thresholds import VqdThresholds

DEFAULT_CONFIG_FILE = Path("psvis.toml")
#: Variables read outside the settings model (the config file's own path).
ENVIRONMENT_ONLY_VARIABLES = frozenset({"PSVIS_CONFIG"})


def _config_file() -> Path | None:
    named = os.environ.get("PSVIS_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(f"PSVIS_CONFIG names {path}, which is not a file")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


class Settings(BaseSettings):
    """Everything psvis reads from its environment. Each description is the documentation."""

    model_config = SettingsConfigDict(
        env_prefix="PSVIS_",
        extra="forbid",
        validate_default=True,
        frozen=True,
    )

    data_dir: Path = Field(
        default=Path("var"),
        description="Directory holding the SQLite database, secret key files and recordings.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database. Empty means SQLite at <data_dir>/psvis.db. "
            "PostgreSQL: postgresql+psycopg://user@host:5432/dbname."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the HTTP server binds.")
    jurisdiction_file: Path | None = Field(
        default=None,
        description=(
            "Jurisdiction tree data file (TOML). Empty means the bundled Nanchang (360100) tree. "
            "Another city needs only its own file."
        ),
    )
    default_language: str = Field(
        default="zh-CN", pattern=r"^(zh-CN|en)$", description="Console language by default."
    )
    session_hours: int = Field(
        default=12, ge=1, le=24 * 30, description="Lifetime of a console session or API token."
    )
    lockout_threshold: int = Field(
        default=5, ge=1, le=100, description="Failed logins in a row that lock an account."
    )
    lockout_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="How long a locked account stays locked."
    )
    default_retention_days: int = Field(
        default=MIN_RETENTION_DAYS,
        ge=MIN_RETENTION_DAYS,
        description="Retention for new systems; never below 30 days (Art. 17(4)).",
    )
    camera_type_codes: tuple[str, ...] = Field(
        default=("131", "132"),
        description=(
            "GB/T 28181 type codes (ID digits 11-13) accepted for a camera: 131 camera, "
            "132 network camera (IPC). Add e.g. 111 (DVR channel) or 118 (NVR channel) "
            "for recorder channels registered as cameras."
        ),
    )
    segment_seconds: int = Field(
        default=60, ge=2, le=600, description="Length of a recorded segment in seconds."
    )
    node_name: str = Field(
        default_factory=lambda: socket.gethostname()[:64] or "node",
        min_length=1,
        max_length=64,
        description="Name of this recorder node (recorder leases, segment rows).",
    )
    lease_seconds: int = Field(
        default=30,
        ge=5,
        le=3600,
        description="How long a recorder lease lasts without renewal before another node may "
        "take the camera over.",
    )
    storage_reserve_bytes: int = Field(
        default=1 << 30,
        ge=0,
        description="Free space kept on the default storage root; below it recording stops "
        "with an outage 'storage_full' (in-retention footage is never deleted to make room).",
    )
    housekeeping_seconds: int = Field(
        default=60,
        ge=1,
        le=3600,
        description="How often background chores run (e.g. writing down expired custody "
        "requests); reads never depend on them.",
    )
    vqd_cadence_seconds: int = Field(
        default=300,
        ge=5,
        le=86_400,
        description="How often each recording camera is diagnosed (video quality diagnosis on "
        "the keyframes of its newest sealed segment; no extra stream pull).",
    )
    vqd_keyframes: int = Field(
        default=3,
        ge=1,
        le=30,
        description="Keyframes decoded per diagnosis (from the start of the newest segment); "
        "a fault must be found in most of them.",
    )
    vqd_thresholds: dict[str, float | int] = Field(
        default_factory=dict,
        description="Overrides of the VQD thresholds by name (psvis/health/vqd/thresholds.py "
        "describes each); unknown names and inconsistent values are refused at start-up.",
    )
    health_offline_seconds: int = Field(
        default=300,
        ge=10,
        le=86_400,
        description="A camera whose newest segment is older than this reads offline even while "
        "its recorder is still reconnecting.",
    )
    ticket_outage_minutes: int = Field(
        default=15,
        ge=1,
        le=7 * 24 * 60,
        description="An outage still going on after this many minutes opens a fault ticket "
        "(Art. 17(3)).",
    )
    ticket_fault_diagnoses: int = Field(
        default=2,
        ge=1,
        le=100,
        description="Diagnoses in a row that must find a quality fault before it opens a ticket "
        "(one faulty diagnosis may be a passing lorry).",
    )
    repair_deadline_hours: int = Field(
        default=24,
        ge=1,
        le=30 * 24,
        description="Time a maintainer has to repair a ticket's fault; past it the ticket is "
        "overdue and a finding under Art. 17(3) / 25(4) is filed.",
    )
    checkpoint_seconds: int = Field(
        default=60,
        ge=1,
        le=3600,
        description="How often queued ledger entries are integrated and a checkpoint signed.",
    )
    witness_public_keys: tuple[Path, ...] = Field(
        default=(),
        description="Public keys (PEM) of the witnesses whose cosignatures this node accepts.",
    )
    witness_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="A witness this node's audit asks for its last cosigned checkpoint.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark console cookies Secure (set true behind HTTPS).",
    )
    demo_password: SecretStr | None = Field(
        default=None,
        description="Password for the demo accounts; empty means a random one printed at start.",
    )

    @field_validator("camera_type_codes")
    @classmethod
    def _three_digit_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if len(code) != 3 or not code.isdigit():
                raise ValueError(f"camera type code {code!r} must be three digits")
        if not value:
            raise ValueError("at least one camera type code is required")
        return value

    @field_validator("vqd_thresholds")
    @classmethod
    def _valid_vqd_thresholds(cls, value: dict[str, float | int]) -> dict[str, float | int]:
        # Imported here: the VQD core pulls in numpy and PyAV, which settings need not.
        from pydantic import ValidationError

        from psvis.health.vqd.thresholds import VqdThresholds

        try:
            VqdThresholds.from_mapping(value)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'thresholds'}: {e['msg']}" for e in exc.errors()
            )
            raise ValueError(f"invalid VQD thresholds: {problems}") from None
        return value

    def vqd(self) -> VqdThresholds:
        """The VQD thresholds in force (:class:`psvis.health.vqd.VqdThresholds`)."""
        from psvis.health.vqd.thresholds import VqdThresholds

        return VqdThresholds.from_mapping(self.vqd_thresholds)

    @model_validator(mode="after")
    def _no_unknown_environment_variables(self) -> Settings:
        # Environment sources ignore variables they don't know; a typo such as PSVIS_PROT
        # must fail as loudly as a typo in the TOML file does.
        known = {f"PSVIS_{name.upper()}" for name in type(self).model_fields}
        unknown = sorted(
            key
            for key in os.environ
            if key.upper().startswith("PSVIS_")
            and key.upper() not in known
            and key.upper() not in ENVIRONMENT_ONLY_VARIABLES
            and not key.upper().startswith("PSVIS_TEST_")
        )
        if unknown:
            raise ValueError(f"unknown environment variables: {', '.join(unknown)}")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    def resolved_database_url(self) -> str:
        """The database URL in force: the configured one, or SQLite inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir.resolve() / 'psvis.db'}"

    def describe(self) -> dict[str, Any]:
        """Settings for display, with secrets masked (never log a password)."""
        shown = self.model_dump()
        if self.demo_password is not None:
            shown["demo_password"] = "********"  # noqa: S105 - the mask
        url = self.resolved_database_url()
        if "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]:
            scheme, rest = url.split("//", 1)
            user = rest.split(":", 1)[0]
            url = f"{scheme}//{user}:********@{rest.split('@', 1)[1]}"
        shown["database_url"] = url
        return shown
