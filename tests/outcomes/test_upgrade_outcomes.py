"""Cases closed before outcomes were recorded get their cohort and follow-up date when the
previous version's demo (tests/fixtures) is migrated, and the ORM reads them back."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask_migrate import upgrade
from sqlalchemy import select

from divert.extensions import db
from divert.models import CaseOutcome, Cohort
from divert.tenancy import system_scope
from tests.conftest import ROOT, make_app
from tests.support import snapshot
from tests.test_upgrade import PREVIOUS_DEMO, empty_database  # noqa: F401


def test_closed_cases_get_their_cohort(empty_database: str) -> None:  # noqa: F811
    previous = snapshot.read(PREVIOUS_DEMO)
    expected: Counter[Cohort] = Counter()
    for row in previous["tables"]["referral"]:
        if row["closed_on"] is None:
            continue
        if row["initial_attended_on"] is not None:
            expected[Cohort.COMPLETED] += 1
        elif row["status"] == "NOT_ENGAGED":
            expected[Cohort.NOT_ENGAGED] += 1
    app = make_app(empty_database)
    with app.app_context():
        migrations = str(ROOT / "migrations")
        upgrade(directory=migrations, revision=previous["revision"])
        with db.engine.begin() as connection:
            snapshot.load(connection, previous)
        upgrade(directory=migrations)
        with system_scope():
            outcomes = db.session.scalars(select(CaseOutcome)).all()
            found = Counter(outcome.cohort for outcome in outcomes)
            first = min(outcomes, key=lambda outcome: outcome.referral_id)
            first_row = min(
                (r for r in previous["tables"]["referral"] if r["closed_on"]), key=lambda r: r["id"]
            )
        db.session.remove()
        db.engine.dispose()
    assert found == expected and sum(found.values()) > 100
    closed_on = date.fromisoformat(first_row["closed_on"])
    assert first.closed_on == closed_on
    assert (first.follow_up_due_on.year * 12 + first.follow_up_due_on.month) - (
        closed_on.year * 12 + closed_on.month
    ) == 6
