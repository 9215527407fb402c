"""Capacity and references hold when many requests arrive at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from divert.extensions import db
from divert.models import Booking, DiarySession, Referral, Role, User
from divert.referrals import lifecycle
from divert.referrals.lifecycle import SlotFullError
from divert.tenancy import area_scope
from tests.factories import area, make_user
from tests.referrals.builders import referral, session_slot

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
