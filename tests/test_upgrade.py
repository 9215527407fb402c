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
from divert.figures import summary
from divert.figures.outcomes import OUTCOME_COUNTS
from divert.models import CaseOutcome, OutcomeSummary
from divert.tenancy import system_scope
from tests.conftest import ROOT, make_app
from tests.factories import DEMO_PASSWORD
from tests.support import snapshot
from tests.support.pg_cluster import Cluster
from tests.support.summary import outcome_rows, summary_rows

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


def _assert_summary_as_the_application_counts() -> None:
    """Issue 19: the migration filled the monthly summary (in its own SQL) with the rows the
    application works out from the same records."""
    filled = summary_rows()
    assert filled, "the summary was left empty"
    summary.rebuild()
    assert summary_rows() == filled
    db.session.rollback()


def _assert_every_contract_in_divert_adults(before: list[dict]) -> None:
    """Each contract kept, with its terms, for its own area's DIVERT adults programme."""
    expected = {
        (row["area_id"], row["starts_on"]): (row["area_id"], "divert-adults", row["label"])
        for row in before
    }
    with db.engine.connect() as connection:
        assigned = {
            (area_id, str(starts_on)): (programme_area, code, label)
            for area_id, starts_on, programme_area, code, label in connection.execute(
                text(
                    "SELECT c.area_id, c.starts_on, p.area_id, p.code, c.label FROM contract c "
                    "JOIN programme p ON p.id = c.programme_id"
                )
            )
        }
    assert assigned == expected


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
            _assert_summary_as_the_application_counts()
            _assert_every_contract_in_divert_adults(previous["tables"]["contract"])
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


# Outcomes the previous version could hold, written by its own schema: the force's results for
# two cases in three, onward referrals at one attended session in three, an entry into
# treatment for every other one of those, and a police outcome for every other returned case.
OUTCOMES_OF_THE_PREVIOUS_VERSION = [
    "UPDATE case_outcome SET result_at = CURRENT_TIMESTAMP, reoffended = (id % 3 = 0),"
    " offence_count = CASE WHEN id % 3 = 0 THEN 2 ELSE 0 END, any_violent = (id % 6 = 0),"
    " any_alcohol = (id % 9 = 0), first_offence_on = CASE WHEN id % 3 = 0"
    " THEN follow_up_due_on END, result_source = 'CSV' WHERE id % 3 <> 2",
    "UPDATE booking SET onward_service_id = (SELECT min(s.id) FROM treatment_service s"
    " WHERE s.area_id = booking.area_id) WHERE status = 'ATTENDED' AND id % 3 = 0",
    "INSERT INTO treatment_entry (referral_id, service_id, entered_on, confirmed_by,"
    " recorded_by_id, recorded_at, area_id) SELECT b.referral_id, min(b.onward_service_id),"
    " min(r.received_on), 'educator', min(r.officer_id), CURRENT_TIMESTAMP, b.area_id"
    " FROM booking b JOIN referral r ON r.id = b.referral_id"
    " WHERE b.onward_service_id IS NOT NULL AND b.referral_id % 2 = 0"
    " GROUP BY b.referral_id, b.area_id",
    "INSERT INTO police_outcome (referral_id, outcome, decided_on, recorded_by_id, recorded_at,"
    " area_id) SELECT id, 'CAUTION', closed_on, officer_id, CURRENT_TIMESTAMP, area_id"
    " FROM referral WHERE status IN ('NOT_ENGAGED', 'NOT_COMPLETED', 'INELIGIBLE')"
    " AND id % 2 = 0",
]


def test_outcomes_upgrade_into_the_outcome_summary(empty_database: tuple[str, str]) -> None:
    """The demo of the previous version, with outcomes of every kind written at the last
    revision before the outcome summary, upgrades with the summary filled (in the migration's
    own SQL) with the rows the application works out from the same records."""
    previous = snapshot.read(PREVIOUS_DEMO)
    app_url, migration_url = empty_database
    app = make_app(app_url, MIGRATION_DATABASE_URI=migration_url)
    migrations = str(ROOT / "migrations")
    with app.app_context():
        upgrade(directory=migrations, revision=previous["revision"])
        with db.engine.begin() as connection:
            snapshot.load(connection, previous)
        upgrade(directory=migrations, revision="0018_invitation_token_rls")
        with system_scope(), db.engine.begin() as connection:
            for statement in OUTCOMES_OF_THE_PREVIOUS_VERSION:
                connection.execute(text(statement))
        upgrade(directory=migrations)
        with system_scope():
            filled = outcome_rows()
            summary.rebuild()
            assert outcome_rows() == filled
            db.session.rollback()
            # Every count of the summary was filled with something to count.
            totals = db.session.execute(
                select(*(func.sum(getattr(OutcomeSummary, name)) for name in OUTCOME_COUNTS))
            ).one()
        assert all(totals), dict(zip(OUTCOME_COUNTS, totals, strict=True))
        db.session.remove()
        db.engine.dispose()


def test_a_contract_in_an_area_without_programmes_gets_divert_adults(
    empty_database: tuple[str, str],
) -> None:
    """An area synced from a file without programmes after 0009 kept its contracts: 0013 gives
    the area DIVERT adults and the contracts to it, rather than lose them."""
    app_url, migration_url = empty_database
    app = make_app(app_url, MIGRATION_DATABASE_URI=migration_url)
    migrations = str(ROOT / "migrations")
    with app.app_context():
        upgrade(directory=migrations, revision="0009_programmes")
        with system_scope(), db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO region (id, slug, name, regional_matching) "
                    "VALUES (1, 'r', 'R', false)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO area (id, slug, code, name, region_id, repeat_lookback_days, "
                    "repeat_policy, missed_appointment_limit, no_contact_limit_days, "
                    "retention_months, opening_hours, settings) VALUES (1, 'newshire', 'NEW', "
                    "'Newshire', 1, 365, 'allow', 2, 28, 24, '{}', '{}')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO contract (id, area_id, label, starts_on, ends_on, "
                    "places_allocated, value_pence, funding_source, is_example, "
                    "places_is_example) VALUES (1, 1, 'Newshire 2024', '2024-04-01', "
                    "'2025-03-31', 10, 1000, 'OPCC', false, false)"
                )
            )
        upgrade(directory=migrations)
        with system_scope(), db.engine.connect() as connection:
            assigned = connection.execute(
                text(
                    "SELECT c.label, p.area_id, p.code, p.name, p.min_age FROM contract c "
                    "JOIN programme p ON p.id = c.programme_id"
                )
            ).all()
        assert [tuple(row) for row in assigned] == [
            ("Newshire 2024", 1, "divert-adults", "DIVERT adults", 18)
        ]
        db.engine.dispose()
