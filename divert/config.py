"""Settings read from the environment, with development defaults."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path


def _sqlalchemy_url(instance_path: str) -> str:
    """DATABASE_URL when set (PostgreSQL in production), else a SQLite file under instance/."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{Path(instance_path) / 'divert.sqlite3'}"


# Figures aggregate hundreds of thousands of rows: enough memory to hash them, and parallel
# workers as soon as they pay off.
POSTGRESQL_SESSION = "-c work_mem=64MB -c parallel_setup_cost=100 -c parallel_tuple_cost=0.01"


def engine_options(url: str) -> dict[str, object]:
    options: dict[str, object] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["connect_args"] = {"options": POSTGRESQL_SESSION}
    return options


def settings_from_environment(instance_path: str) -> dict[str, object]:
    """The Flask configuration of a deployed or development process."""
    environment = os.environ.get("DIVERT_ENV", "development")
    return {
        "DIVERT_ENV": environment,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-not-secret"),
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(instance_path),
        "TENANTS_DIR": os.environ.get("TENANTS_DIR", str(Path(__file__).parent.parent / "tenants")),
        "REGIONAL_MATCH_SECRET": os.environ.get("REGIONAL_MATCH_SECRET", "dev-only-regional"),
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
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "300 per minute"),
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute"),
        "LOCKOUT_AFTER_FAILURES": 5,
        "LOCKOUT_MINUTES": 15,
        "NOTIFY_API_KEY": os.environ.get("NOTIFY_API_KEY"),
        "NOTIFY_EMAIL_TEMPLATE_ID": os.environ.get("NOTIFY_EMAIL_TEMPLATE_ID"),
        "NOTIFY_SMS_TEMPLATE_ID": os.environ.get("NOTIFY_SMS_TEMPLATE_ID"),
        "SMTP_HOST": os.environ.get("SMTP_HOST"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", 25)),
        "SMTP_SENDER": os.environ.get("SMTP_SENDER", "divert@localhost"),
    }
