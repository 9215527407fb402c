"""Shared set-up for benchmarks: a database (SQLite file or throwaway PostgreSQL cluster)
migrated, synced and filled with the demo region, and timing helpers."""

from __future__ import annotations

import enum
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text

from divert import create_app
from divert.areas.sync import sync_tenants
from divert.demo.accounts import create_demo_accounts
from divert.demo.builder import Rows, build_demo, insert_rows
from divert.demo.outcomes import build_outcomes
from divert.extensions import db
from divert.figures import summary
from divert.models import Referral
from divert.tenancy import system_scope
from tests.support.pg_cluster import postgres_cluster

ROOT = Path(__file__).resolve().parent.parent
DEMO_SEED = 2024  # `flask demo build`'s default
# The records of a referral that the figures read beside it: a copy of a referral gets copies
# of its original's, so the outcome figures meet as many of them as they would in real life.
FOLLOWERS = ("booking", "case_outcome", "police_outcome", "treatment_entry")


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "postgresql":
        with postgres_cluster("divert_bench") as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.sqlite3"


def prepared_app(url: str, referrals: int, **config: Any) -> Flask:
    """The app on `url` (with `config` besides) with the demo region of `referrals` referrals,
    statistics up to date."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "TENANTS_DIR": str(ROOT / "tenants"),
            **config,
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        sync_tenants(ROOT / "tenants")
        create_demo_accounts()
        if referrals:
            load_demo(url, referrals)
    return app


def load_demo(url: str, referrals: int) -> None:
    """The demo region (COPY on PostgreSQL), then fresh statistics."""
    started = time.perf_counter()
    build_demo(referrals, write=copy_rows if url.startswith("postgresql") else insert_rows)
    # The outcomes too (`flask demo build` makes them): a benchmark without them would hide the
    # cost of the outcome figures, which read them beside every referral of the period.
    build_outcomes(DEMO_SEED, date.today())
    print(f"built {referrals:,} referrals in {time.perf_counter() - started:.1f} s")
    db.session.remove()
    vacuum(url)


def grow_referrals(url: str, target: int) -> None:
    """Copies of the referrals already there, made by the database itself (INSERT ... SELECT
    over a counting CTE: no rows pass through Python), until there are `target`; then the
    monthly summaries (referral and outcome counts) are worked out again from them, as after
    any bulk load, and fresh statistics.

    Copies keep their dates, so each month holds more referrals: what a dashboard that grew
    with the table would show. References get "~n" (unique: "~" is in no reference). Each
    copy gets copies of its original's bookings and outcomes (FOLLOWERS)."""
    started = time.perf_counter()
    with system_scope():
        have = db.session.scalar(select(func.count()).select_from(Referral))
        copied = Referral.reference.contains("~")
        originals = db.session.scalar(select(func.count()).where(~copied))
        if target > have:
            last_id = db.session.scalar(select(func.max(Referral.id))) or 0
            kept = Referral.__table__.columns
            columns = [c.name for c in kept if c.name not in ("id", "reference")]
            names = ", ".join(f'"{name}"' for name in columns)
            values = ", ".join(f'r."{name}"' for name in columns)
            db.session.execute(
                text(
                    "WITH RECURSIVE copy(n) AS ("
                    " SELECT CAST(:first AS INTEGER)"
                    " UNION ALL SELECT n + 1 FROM copy WHERE n < :last)"
                    f' INSERT INTO referral ({names}, "reference")'
                    f" SELECT {values}, r.reference || '~' || CAST(copy.n AS TEXT)"
                    " FROM referral r CROSS JOIN copy"
                    " WHERE r.reference NOT LIKE '%~%' LIMIT :needed"
                ),
                {
                    # Copy numbers go on from those of an earlier call (its last may be partial).
                    "first": -(-(have - originals) // originals) + 1,
                    "last": -(-(target - originals) // originals),
                    "needed": target - have,
                },
            )
            _copy_followers(last_id)
        summary.rebuild()
        db.session.commit()
    db.session.remove()
    vacuum(url)
    seconds = time.perf_counter() - started
    print(f"grew to {target:,} referrals and rebuilt the summaries in {seconds:.1f} s")


def _copy_followers(after_id: int) -> None:
    """For each referral copied (id above `after_id`), copies of its original's FOLLOWERS,
    found by the reference it was copied from (the part before "~")."""
    if db.engine.dialect.name == "postgresql":
        original = "split_part(copy.reference, '~', 1)"
    else:
        original = "substr(copy.reference, 1, instr(copy.reference, '~') - 1)"
    for name in FOLLOWERS:
        table = Referral.metadata.tables[name]
        columns = [c.name for c in table.columns if c.name not in ("id", "referral_id")]
        names = ", ".join(f'"{column}"' for column in columns)
        values = ", ".join(f'f."{column}"' for column in columns)
        db.session.execute(
            text(
                f'INSERT INTO "{name}" ({names}, "referral_id")'
                f" SELECT {values}, copy.id FROM referral copy"
                " JOIN referral r ON r.area_id = copy.area_id"
                f" AND r.reference = {original}"
                f' JOIN "{name}" f ON f.referral_id = r.id'
                " WHERE copy.id > :after"
            ),
            {"after": after_id},
        )


def vacuum(url: str) -> None:
    """Fresh statistics and visibility map on PostgreSQL, as autovacuum would give."""
    if url.startswith("postgresql"):
        plain = url.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")


class SqlTimer:
    """Adds up the time spent executing SQL statements on an engine."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.statements = 0

    def _before(self, conn: Any, *_args: Any) -> None:
        conn.info["divert_started"] = time.perf_counter()

    def _after(self, conn: Any, *_args: Any) -> None:
        self.seconds += time.perf_counter() - conn.info.pop("divert_started")
        self.statements += 1

    @contextmanager
    def on(self, engine: Any) -> Iterator[SqlTimer]:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        try:
            yield self
        finally:
            event.remove(engine, "before_cursor_execute", self._before)
            event.remove(engine, "after_cursor_execute", self._after)


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def load_average() -> str:
    """The machine's 1/5/15-minute load averages: a shared box depresses every figure."""
    return " / ".join(f"{load:.2f}" for load in os.getloadavg())


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def spread(label: str, seconds: list[float]) -> str:
    """min / median / max of a benchmark's runs, in milliseconds, and how many runs."""
    ms = [s * 1000 for s in seconds]
    return (
        f"{label}: min {min(ms):.1f} / median {statistics.median(ms):.1f} / max {max(ms):.1f} ms"
        f" over {len(ms)} runs"
    )


def _column_value(column: Any, row: dict[str, Any]) -> Any:
    if column.key in row:
        value = row[column.key]
    elif column.default is not None:
        value = column.default.arg(None) if column.default.is_callable else column.default.arg
    else:
        return None
    return value.name if isinstance(value, enum.Enum) else value  # Enum columns store names


def copy_rows(rows: Rows) -> None:
    """Load the demo builder's rows with PostgreSQL COPY: far faster than INSERTs at scale."""
    connection = db.session.connection().connection.driver_connection
    with connection.cursor() as cursor:
        for model, table_rows in rows:
            if not table_rows:
                continue
            table = getattr(model, "__table__", model)
            # An id the builder did not hand out is left to the table's sequence.
            columns = [c for c in table.columns if c.key in table_rows[0] or not c.primary_key]
            names = ", ".join(f'"{column.name}"' for column in columns)
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in table_rows:
                    copy.write_row([_column_value(column, row) for column in columns])
