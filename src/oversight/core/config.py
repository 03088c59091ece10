"""Settings read from the environment (prefix ``OVERSIGHT_``) and an optional ``.env`` file."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import urlsplit

import limits
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Values people paste from examples; refusing them outside dev is the point of the check.
_PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "please-change-me"})
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OVERSIGHT_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = "sqlite:///./oversight.db"
    #: A streaming replica of ``database_url`` (PostgreSQL) for anonymous public reads; one
    #: that is down or lags more than ``replica_max_lag_seconds`` is skipped.
    replica_url: Annotated[str | None, Field(pattern=r"^postgresql://")] = None
    replica_max_lag_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    env: Literal["dev", "test", "production"] = "dev"
    secret_key: SecretStr | None = None
    access_token_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 15
    refresh_token_days: Annotated[int, Field(ge=1, le=365)] = 14
    triage_sla_days: Annotated[int, Field(ge=1, le=365)] = 7
    response_sla_days: Annotated[int, Field(ge=1, le=365)] = 30
    suppression_threshold: Annotated[int, Field(ge=1, le=100)] = 5
    #: Officer-level public records, where the law makes them public: ``none`` (the default),
    #: or ``sustained`` (each officer's sustained allegations, as under California's SB 1421).
    public_officer_records: Literal["none", "sustained"] = "none"
    #: Where the transparency summary is cached for ``summary_cache_seconds``: ``memory://``
    #: (each process its own) or ``redis://host:6379/0`` (shared by every process and replica).
    cache_url: Annotated[str, Field(pattern=r"^(memory|redis|rediss)://")] = "memory://"
    summary_cache_seconds: Annotated[int, Field(ge=0, le=60)] = 60
    #: Webhook URLs may be plain http and resolve to private addresses (tests, closed
    #: networks); otherwise, in production, only https to public addresses.
    webhook_allow_private: bool = False
    #: Where e-mail goes: ``smtp://[user:password@]host:587`` (STARTTLS when offered) or
    #: ``smtps://...`` (TLS); unset, messages are written to ``mail_dir`` as ``.eml`` files.
    smtp_url: Annotated[str | None, Field(pattern=r"^smtps?://")] = None
    mail_from: str = "Oversight <no-reply@oversight.invalid>"
    mail_dir: str = "outbox-mail"
    #: The service's public address, for links in messages (status view, unsubscribe).
    public_url: str = "http://127.0.0.1:8000"
    #: Run the outbox worker inside the API process (the SQLite ``make run`` default).
    worker_in_process: bool = False
    rate_limits_enabled: bool = True
    #: ``memory://`` (one process) or ``redis://host:6379/0`` (shared by every replica).
    rate_limit_storage: Annotated[str, Field(pattern=r"^(memory|redis|rediss)://")] = "memory://"
    #: Sign-in attempts per client IP, whatever the account.
    rate_limit_sign_in_ip: str = "20/minute"
    #: Wrong passwords for one account from one client IP; over it, that client gets 429
    #: without its password being checked. Its window is what "failed recently" means.
    rate_limit_sign_in_failures_client: str = "5/15 minutes"
    #: Wrong passwords for one account from every client; over it, only clients familiar to
    #: the account (``familiar_sign_in_days``) get their password checked, others 429.
    rate_limit_sign_in_failures_account: str = "10/15 minutes"
    #: Accounts created (POST /auth/register) per client IP; a refused attempt (409, 422)
    #: does not count.
    rate_limit_register_ip: str = "10/hour"
    #: Registration attempts per client IP, whatever their outcome: caps probing which
    #: e-mail addresses have an account (409) without stopping a person fixing typos.
    rate_limit_register_attempts_ip: str = "30/hour"
    #: Days a client stays familiar to an account after signing in to it: past the account's
    #: failure limit only familiar clients (that address, or the device token handed out
    #: then) still have their password checked.
    familiar_sign_in_days: Annotated[int, Field(ge=1, le=365)] = 30
    #: Anonymous concerns per client IP.
    rate_limit_intake_ip: str = "10/hour"
    #: Concerns submitted while signed in, per account.
    rate_limit_submit_account: str = "20/day"
    #: Look-ups and notes by tracking code per client IP (against guessing codes).
    rate_limit_tracking_ip: str = "60/minute"
    #: Anonymous comments per client IP (they wait for moderation).
    rate_limit_comment_ip: str = "10/hour"
    #: Concerns filed through Open311 per API key (one key serves a whole 311 system).
    rate_limit_open311_key: str = "120/hour"
    #: Open311's ``jurisdiction_id`` for this commission; the host of ``public_url`` if unset.
    open311_jurisdiction_id: str | None = None
    #: Open311 discovery's ``contact``: how a 311 system's developers reach the commission.
    open311_contact: str = "Ask the commission's staff for an Open311 API key."
    #: Supports that make a proposal `qualified` for the commission's answer.
    proposal_support_threshold: Annotated[int, Field(ge=1, le=1_000_000)] = 25
    cors_origins: Annotated[list[str], NoDecode] = []
    #: A line per request on standard output (``core.http.middleware.AccessLog``); ``oversight
    #: serve`` sets it from its ``--access-log/--no-access-log`` option.
    access_log: bool = False
    max_body_bytes: Annotated[int, Field(ge=1024)] = 1_048_576
    #: Where attachments are kept, by their SHA-256: ``file://DIR`` (relative to the working
    #: directory, as the SQLite file is) or ``s3://bucket/prefix`` (with ``s3_endpoint_url``,
    #: ``s3_region`` and the credentials in ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``).
    attachments_store: Annotated[str, Field(pattern=r"^(file|s3)://.")] = "file://attachments"
    #: Where an upload is written while it streams, before it is checked and kept: beside the
    #: store for ``file://``, the system's temporary directory for ``s3://`` unless set.
    attachments_staging: str | None = None
    #: The largest upload (the 1 MiB ``max_body_bytes`` stays for every other request).
    attachment_max_bytes: Annotated[int, Field(ge=1024)] = 250_000_000
    #: The largest image (in pixels) opened to make a stripped copy: larger ones are refused
    #: before they are decoded (decompression bombs).
    image_max_pixels: Annotated[int, Field(ge=1_000_000, le=200_000_000)] = 50_000_000
    #: clamd to scan every upload with before it is kept (``tcp://host:3310`` or
    #: ``unix:///run/clamav/clamd.ctl``); unset, uploads are not scanned.
    clamd_url: Annotated[str | None, Field(pattern=r"^(tcp://[^/]+:\d+|unix:///.+)$")] = None
    clamd_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 60.0
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    #: The key checkpoints of the audit log are signed with: a signed-note private key,
    #: ``PRIVATE+KEY+<name>+<key id>+<base64>`` (``oversight audit keygen`` makes one). Unset,
    #: it is read from ``audit_key_file``; in dev, a key is made there on first use.
    audit_signing_key: SecretStr | None = None
    audit_key_file: str = "audit-signing.key"
    #: How often the worker signs a checkpoint of the audit log, when it has grown.
    checkpoint_seconds: Annotated[int, Field(ge=10, le=86_400)] = 300
    db_pool_size: Annotated[int, Field(ge=1, le=100)] = 10
    db_pool_timeout_seconds: Annotated[float, Field(gt=0, le=30)] = 2.0
    db_statement_timeout_ms: Annotated[int, Field(ge=100)] = 15_000
    jwt_issuer: str = "oversight"
    jwt_audience: str = "oversight-api"

    @field_validator(
        "rate_limit_sign_in_ip",
        "rate_limit_sign_in_failures_client",
        "rate_limit_sign_in_failures_account",
        "rate_limit_register_ip",
        "rate_limit_register_attempts_ip",
        "rate_limit_intake_ip",
        "rate_limit_submit_account",
        "rate_limit_tracking_ip",
        "rate_limit_comment_ip",
        "rate_limit_open311_key",
    )
    @classmethod
    def _parse_rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError as exc:
            raise ValueError(f"not a rate like '10/minute': {value!r}") from exc
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _replica_of_postgresql(self) -> Settings:
        if self.replica_url and not self.database_url.startswith(("postgresql:", "postgres:")):
            raise ValueError("OVERSIGHT_REPLICA_URL needs a PostgreSQL OVERSIGHT_DATABASE_URL")
        return self

    @model_validator(mode="after")
    def _require_real_secret(self) -> Settings:
        if self.env == "dev":
            if self.secret_key is None:
                # A per-process key: tokens do not survive a restart, which is fine on a laptop.
                object.__setattr__(self, "secret_key", SecretStr(secrets.token_urlsafe(48)))
            return self
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if key.lower() in _PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"OVERSIGHT_SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters when OVERSIGHT_ENV={self.env}"
            )
        return self

    @property
    def jurisdiction_id(self) -> str:
        """Open311's ``jurisdiction_id``: as set, or the public address's host."""
        return self.open311_jurisdiction_id or urlsplit(self.public_url).hostname or "localhost"

    @property
    def log_origin(self) -> str:
        """The audit log's name in its checkpoints (and its key's): the public host's, with
        its port, then ``/audit``."""
        return f"{urlsplit(self.public_url).netloc or 'localhost'}/audit"

    @property
    def signing_key(self) -> str:
        if self.secret_key is None:  # set by the validator in every environment
            raise RuntimeError("no secret key: Settings were built without validation")
        return self.secret_key.get_secret_value()


@lru_cache
def get_settings() -> Settings:
    return Settings()
