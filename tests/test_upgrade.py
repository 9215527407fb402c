"""Existing data is upgraded, never rebuilt: a demo built by the previous version (a snapshot
of every row, tests/fixtures/) is loaded at its own revision, then migrated to the head, on
SQLite and PostgreSQL; every row is still there and the service still works on it."""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, table, text

from divert.extensions import db
from divert.models import CaseOutcome
from divert.tenancy import system_scope
from tests.conftest import ROOT, make_app
from tests.factories import DEMO_PASSWORD
from tests.support import snapshot
from tests.support.pg_cluster import Cluster

PREVIOUS_DEMO = ROOT / "tests" / "fixtures" / "demo_0003_api_tokens.json.gz"


@pytest.fixture
def empty_database(cluster: Cluster | None, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A database of its own, apart from the one the other tests share: the application's URL
    and the migrations' (on PostgreSQL, the owner's: see tests/support/pg_cluster.py)."""
    if cluster is None:
        url = f"sqlite:///{tmp_path / 'previous.sqlite3'}"
        yield url, url
        return
    name = f"upgrade_{uuid.uuid4().hex[:8]}"
    cluster.create_database(name)
    yield cluster.in_database(cluster.app_url, name), cluster.in_database(cluster.owner_url, name)
    cluster.drop_database(name)


def _assert_every_referral_in_a_programme(before: list[dict]) -> None:
    """Issue 13: each referral went to its area's DIVERT programme for its age group."""
    expected = {
        row["reference"]: (
            row["area_id"],
            "divert-young-people" if row["age_group"] == "UNDER_18" else "divert-adults",
        )
        for row in before
    }
    with db.engine.connect() as connection:
        assigned = {
            reference: (area_id, code)
            for reference, area_id, code in connection.execute(
                text(
                    "SELECT r.reference, p.area_id, p.code FROM referral r "
                    "JOIN programme p ON p.id = r.programme_id"
                )
            )
        }
        unassigned_sessions = connection.scalar(
            text("SELECT count(*) FROM diary_session WHERE programme_id IS NULL")
        )
        # A booking's programme is its session's: the two agree for every booking kept.
        disagreeing = connection.scalar(
            text(
                "SELECT count(*) FROM booking b JOIN referral r ON r.id = b.referral_id "
                "JOIN diary_session s ON s.id = b.session_id "
                "WHERE s.programme_id <> r.programme_id"
            )
        )
    assert assigned == expected
    assert {code for _area, code in assigned.values()} == {"divert-adults", "divert-young-people"}
    assert unassigned_sessions == 0
    assert disagreeing == 0


def _assert_closed_cases_have_cohorts(before: list[dict]) -> None:
    """Issue 15: each case closed before outcomes were recorded got its cohort (completed by
    its status, attended but not completed, not engaged) and a follow-up six months after it
    closed (both DIVERT programmes' window)."""
    expected: dict[int, tuple[str, date]] = {}
    for row in before:
        if row["closed_on"] is None:
            continue
        if row["status"] == "COMPLETED":
            cohort = "COMPLETED"
        elif row["initial_attended_on"] is not None and row["status"] in (
            "NOT_COMPLETED",
            "NOT_ENGAGED",
            "WITHDRAWN",
        ):
            cohort = "ATTENDED_NOT_COMPLETED"
        elif row["status"] in ("NOT_ENGAGED", "NOT_COMPLETED"):
            cohort = "NOT_ENGAGED"
        else:
            continue
        closed_on = date.fromisoformat(row["closed_on"])
        month = closed_on.month + 6
        year = closed_on.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        day = min(closed_on.day, calendar.monthrange(year, month)[1])
        expected[row["id"]] = (cohort, date(year, month, day))
    found = {
        outcome.referral_id: (outcome.cohort.name, outcome.follow_up_due_on)
        for outcome in db.session.scalars(select(CaseOutcome))
    }
    assert found == expected
    assert len(found) > 100


def test_previous_demo_upgrades_with_every_row_kept(empty_database: tuple[str, str]) -> None:
    previous = snapshot.read(PREVIOUS_DEMO)
    app_url, migration_url = empty_database
    app = make_app(app_url, MIGRATION_DATABASE_URI=migration_url)
    migrations = str(ROOT / "migrations")
    with app.app_context():
        upgrade(directory=migrations, revision=previous["revision"])
        with db.engine.begin() as connection:
            snapshot.load(connection, previous)
        upgrade(directory=migrations)

        tables = set(inspect(db.engine).get_table_names())
        # Every area's rows: on PostgreSQL, row-level security shows them in the system scope.
        with system_scope(), db.engine.connect() as connection:
            for name, rows in previous["tables"].items():
                assert name in tables, f"table {name} of the previous version is gone"
                count = connection.scalar(select(func.count()).select_from(table(name)))
                assert count == len(rows), f"{name}: {len(rows)} rows before, {count} after"
            references = set(connection.scalars(text("SELECT reference FROM referral")).all())
        assert references == {row["reference"] for row in previous["tables"]["referral"]}
        assert len(references) == 400
        with system_scope():
            _assert_every_referral_in_a_programme(previous["tables"]["referral"])
            _assert_closed_cases_have_cohorts(previous["tables"]["referral"])
        db.session.remove()
        db.engine.dispose()

    # The upgraded data serves: an officer's referrals and a manager's dashboard open.
    client = app.test_client()
    client.post(
        "/sign-in", data={"email": "officer@warwickshire.example", "password": DEMO_PASSWORD}
    )
    mine = client.get("/warwickshire/referrals")
    assert mine.status_code == 200
    assert b"WAR-" in mine.data
    client.post("/sign-out")
    client.post(
        "/sign-in", data={"email": "manager@staffordshire.example", "password": DEMO_PASSWORD}
    )
    assert client.get("/staffordshire/dashboard").status_code == 200
    with app.app_context():
        db.engine.dispose()
