"""Settings read from the environment, with development defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from divert.pool import POOL_RECYCLE_SECONDS


def _sqlalchemy_url(instance_path: str) -> str:
    """DATABASE_URL when set (PostgreSQL in production), else a SQLite file under instance/."""
    return _with_driver(os.environ.get("DATABASE_URL", "")) or (
        f"sqlite:///{Path(instance_path) / 'divert.sqlite3'}"
    )


def _with_driver(url: str) -> str:
    """A PostgreSQL URL as SQLAlchemy wants it, with the psycopg driver; others unchanged."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


# Figures aggregate hundreds of thousands of rows: enough memory to hash them, and parallel
# workers as soon as they pay off. No JIT compilation: a figures query that reads enough rows
# to pass its cost threshold spent 1.4 s of its 1.8 s compiling (the outcomes' query at
# 1,000,000 referrals), for statements that run once and take tens of milliseconds without.
POSTGRESQL_SESSION = (
    "-c work_mem=64MB -c parallel_setup_cost=100 -c parallel_tuple_cost=0.01 -c jit=off"
)


def engine_options(url: str) -> dict[str, object]:
    """No pre-ping (a round trip at every checkout): divert.pool replaces a connection the server
    has closed, and recycles connections before anything on the way drops them when idle."""
    options: dict[str, object] = {"pool_recycle": POOL_RECYCLE_SECONDS}
    if url.startswith("postgresql"):
        # No server-side prepared statements: psycopg forgets them at every ROLLBACK (the end
        # of each request that wrote nothing), so one is rarely used twice, and the next
        # request would first pay a round trip to DEALLOCATE them all.
        options["connect_args"] = {"options": POSTGRESQL_SESSION, "prepare_threshold": None}
    return options


# Secrets a deployed process must be given. Outside development there is no default: a key
# written here is public, and a session cookie signed with it would open every page.
REQUIRED_SECRETS = ("SECRET_KEY", "REGIONAL_MATCH_SECRET")
DEVELOPMENT_SECRETS = {
    "SECRET_KEY": "dev-only-not-secret",  # nosec B105: refused outside development
    "REGIONAL_MATCH_SECRET": "dev-only-regional",  # nosec B105: refused outside development
}
# 32 characters: 128 bits or more from `secrets.token_hex(32)` or any password generator.
MIN_SECRET_LENGTH = 32


class InsecureConfiguration(RuntimeError):
    """A production process was about to start with a missing or weak secret."""


def _secret(name: str, environment: str) -> str | None:
    """The environment's value; the development default only in development."""
    value = os.environ.get(name)
    if value is None and environment == "development":
        return DEVELOPMENT_SECRETS[name]
    return value


def check_secrets(config: Mapping[str, object]) -> None:
    """Refuse to start a deployed process (any DIVERT_ENV but development, production above
    all) on a missing, short or development secret."""
    if config.get("DIVERT_ENV", "development") == "development":
        return
    for name in REQUIRED_SECRETS:
        value = config.get(name)
        if not isinstance(value, str) or not value:
            raise InsecureConfiguration(
                f"{name} is not set. Set it to a long random value, for example "
                "the output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"
            )
        if len(value) < MIN_SECRET_LENGTH or value in DEVELOPMENT_SECRETS.values():
            raise InsecureConfiguration(
                f"{name} is too weak: use at least {MIN_SECRET_LENGTH} random characters, "
                "never a development value."
            )


def settings_from_environment(instance_path: str) -> dict[str, object]:
    """The Flask configuration of a deployed or development process."""
    environment = os.environ.get("DIVERT_ENV", "development")
    return {
        "DIVERT_ENV": environment,
        "SECRET_KEY": _secret("SECRET_KEY", environment),
        # Earlier keys still accepted while SECRET_KEY is rotated (comma-separated; see README).
        "SECRET_KEY_FALLBACKS": [
            key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key
        ],
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(instance_path),
        # Migrations run as the role that owns the tables; the app's role owns none, so the
        # row-level security the migrations force applies to it. Unset: DATABASE_URL's role.
        "MIGRATION_DATABASE_URI": _with_driver(os.environ.get("MIGRATION_DATABASE_URL", ""))
        or None,
        "TENANTS_DIR": os.environ.get("TENANTS_DIR", str(Path(__file__).parent.parent / "tenants")),
        "REGIONAL_MATCH_SECRET": _secret("REGIONAL_MATCH_SECRET", environment),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", 30))),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(
            hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", 10))
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environment != "development",
        "REMEMBER_COOKIE_DURATION": timedelta(0),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # memory:// counts per process; redis://host:6379 shares the counts between processes.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many proxies in front of the app set X-Forwarded-For/-Proto (0: none is trusted,
        # so a client cannot choose its own address, and its own rate-limit bucket, by header).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", 0)),
        "RATELIMIT_HEADERS_ENABLED": True,
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "300 per minute"),
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute"),
        # The same limit per account (whatever the address), unless set apart.
        "SIGN_IN_ACCOUNT_RATE_LIMIT": os.environ.get(
            "SIGN_IN_ACCOUNT_RATE_LIMIT", os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute")
        ),
        # Figures pages kept per database snapshot (divert.figures.snapshot; PostgreSQL only).
        # DASHBOARD_FIGURES_CACHE=0 works them out on every view: benchmarks measure both.
        "DASHBOARD_FIGURES_CACHE": os.environ.get("DASHBOARD_FIGURES_CACHE", "1") != "0",
        "LOCKOUT_AFTER_FAILURES": 5,
        "LOCKOUT_MINUTES": 15,
        "NOTIFY_API_KEY": os.environ.get("NOTIFY_API_KEY"),
        "NOTIFY_EMAIL_TEMPLATE_ID": os.environ.get("NOTIFY_EMAIL_TEMPLATE_ID"),
        "NOTIFY_SMS_TEMPLATE_ID": os.environ.get("NOTIFY_SMS_TEMPLATE_ID"),
        "SMTP_HOST": os.environ.get("SMTP_HOST"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", 25)),
        "SMTP_SENDER": os.environ.get("SMTP_SENDER", "divert@localhost"),
    }
