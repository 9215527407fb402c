"""Capacity and references hold when many requests arrive at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from divert.extensions import db
from divert.figures import summary
from divert.models import Booking, DiarySession, Referral, ReferralStatus, Role, User
from divert.referrals import lifecycle
from divert.referrals.lifecycle import SlotFullError
from divert.tenancy import area_scope, system_scope
from tests.factories import area, make_user
from tests.referrals.builders import referral, session_slot
from tests.support.summary import summary_rows

pytestmark = pytest.mark.postgresql_only


def _at_once(app: Flask, workers: int, work: Callable[[int], str]) -> list[str]:
    """Run work(i) in `workers` threads released together; each has its own DB session."""
    barrier, results, lock = threading.Barrier(workers), [], threading.Lock()

    def run(index: int) -> None:
        with app.app_context(), area_scope(area("warwickshire")):
            barrier.wait()
            outcome = work(index)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_officers_never_both_take_the_last_place(app: Flask) -> None:
    with app.app_context(), area_scope(area("warwickshire")):
        officer = make_user("pc@example.org", {"warwickshire": Role.OFFICER})
        educator = make_user("ed@example.org", {"warwickshire": Role.EDUCATOR})
        slot = session_slot(area("warwickshire"), educator, capacity=3)
        referral_ids = [referral(area("warwickshire"), officer).id for _ in range(8)]
        db.session.commit()
        slot_id = slot.id

    def take_place(index: int) -> str:
        made = db.session.get(Referral, referral_ids[index])
        try:
            lifecycle.book(made, db.session.get(DiarySession, slot_id), made.officer)
            db.session.commit()
            return "booked"
        except SlotFullError:
            db.session.rollback()
            return "full"

    results = _at_once(app, 8, take_place)
    assert sorted(results) == ["booked"] * 3 + ["full"] * 5
    with app.app_context(), area_scope(area("warwickshire")):
        assert db.session.get(DiarySession, slot_id).booked_count == 3
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 3


def test_references_are_unique_and_gap_free_under_concurrency(app: Flask) -> None:
    with app.app_context(), area_scope(area("warwickshire")):
        officer_id = make_user("pc@example.org", {"warwickshire": Role.OFFICER}).id

    def submit(index: int) -> str:
        made = referral(
            area("warwickshire"),
            db.session.get(User, officer_id),
            received_on=date(2024, 5, 1),
            surname=f"Person{index}",
        )
        if index % 4 == 3:  # a failed submission gives its number back
            db.session.rollback()
            return "rolled back"
        db.session.commit()
        return made.reference

    results = _at_once(app, 12, submit)
    references = sorted(r for r in results if r != "rolled back")
    assert len(references) == 9
    assert references == [f"WAR-2024-{n:05d}" for n in range(1, 10)]


def test_the_summary_stays_exact_under_concurrent_submissions_and_changes(app: Flask) -> None:
    """New referrals add their own counts to the month's rows while other transactions work the
    same month out again (a status change): both wait for the month's lock, so the rows end as
    a count from scratch gives them, with the rolled-back submissions in neither."""
    with app.app_context(), area_scope(area("warwickshire")):
        officer = make_user("pc@example.org", {"warwickshire": Role.OFFICER})
        officer_id = officer.id
        earlier = [
            referral(area("warwickshire"), officer, received_on=date(2024, 5, 2), surname=f"E{n}")
            for n in range(4)
        ]
        db.session.commit()
        earlier_ids = [made.id for made in earlier]

    def work(index: int) -> str:
        officer = db.session.get(User, officer_id)
        if index < len(earlier_ids):  # the month worked out again, beside the submissions
            made = db.session.get(Referral, earlier_ids[index])
            lifecycle.change_status(made, ReferralStatus.WITHDRAWN, officer)
            db.session.commit()
            return "changed"
        referral(
            area("warwickshire"),
            officer,
            received_on=date(2024, 5, 1),
            surname=f"Person{index}",
            gender=("female", "male", None)[index % 3],
        )
        if index % 4 == 3:
            db.session.rollback()
            return "rolled back"
        db.session.commit()
        return "submitted"

    results = _at_once(app, 14, work)
    assert sorted(results) == ["changed"] * 4 + ["rolled back"] * 2 + ["submitted"] * 8
    with app.app_context():
        kept = summary_rows()
        with system_scope():
            summary.rebuild()
            db.session.flush()
        assert summary_rows() == kept
        db.session.rollback()
        may = [row for row in kept if row[1] == date(2024, 5, 1)]
        assert sum(row[7] for row in may) == 12  # referrals: 4 earlier and 8 submitted
