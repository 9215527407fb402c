"""Retention removes every personal field of expired cases and changes no figure."""

from __future__ import annotations

import json
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from divert.extensions import db
from divert.figures.report import area_figures
from divert.models import (
    AuditEvent,
    ContactAttempt,
    Person,
    PersonBlockingKey,
    Referral,
    RegionalKeyHash,
)
from divert.privacy.removal import PERSONAL_FIELDS
from divert.privacy.retention import apply_retention, expired_people, months_before
from divert.tenancy import area_scope, system_scope
from tests.dashboard.test_figures import SIX_MONTHS, TODAY, warwickshire_records  # noqa: F401
from tests.factories import ADMIN_EMAIL, area, create_demo_accounts

AREAS = ("warwickshire", "staffordshire", "west-midlands", "west-mercia")
# Cases in warwickshire_records closed on the day the test ran; 25 months on they are past
# 24 months.
LATER = months_before(date.today(), -25)


def _every_figure() -> dict[str, list[object]]:
    """Every figure each area's dashboard shows, as its text: rows, contracts and sentences."""
    shown: dict[str, list[object]] = {}
    for slug in AREAS:
        here = area(slug)
        with area_scope(here):
            figures = area_figures(here, SIX_MONTHS, today=TODAY)
        shown[slug] = [
            *(
                (s.key, r.label, [c.text for c in r.cells])
                for s in figures.sections
                for r in s.rows
            ),
            *((t.title, r.label, r.cells[0].text) for t in figures.contracts for r in t.rows),
            *figures.narrative,
        ]
    return shown


def _apply_everywhere(today: date) -> int:
    removed = 0
    for slug in AREAS:
        here = area(slug)
        with area_scope(here):
            removed += apply_retention(here, today).people
    return removed


def test_months_before_keeps_the_day_or_the_months_last() -> None:
    assert months_before(date(2026, 11, 27), 24) == date(2024, 11, 27)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), -25) == date(2028, 2, 15)


def test_retention_keeps_every_figure_and_no_personal_field(
    warwickshire_records: None,  # noqa: F811
) -> None:
    before = _every_figure()
    with system_scope():
        open_people = set(
            db.session.scalars(select(Referral.person_id).where(Referral.closed_on.is_(None)))
        )
        db.session.add(
            ContactAttempt(
                referral_id=db.session.scalar(select(func.min(Referral.id))),
                area_id=area("warwickshire").id,
                user_id=db.session.scalar(select(func.min(Referral.officer_id))),
                method="phone",
                outcome="no answer",
                note="Spoke to his mother at 12 Acacia Avenue",
            )
        )
        db.session.commit()
        total_people = db.session.scalar(select(func.count(Person.id)))

    assert _apply_everywhere(date.today()) == 0  # nothing is past 24 months yet
    removed = _apply_everywhere(LATER)

    assert removed == total_people - len(open_people) > 0
    assert _every_figure() == before
    with system_scope():
        expired = db.session.scalars(select(Person).where(Person.id.not_in(open_people))).all()
        for person in expired:
            assert all(getattr(person, name) is None for name in PERSONAL_FIELDS), person.id
            assert person.anonymised_at is not None
        kept = db.session.scalars(select(Person).where(Person.id.in_(open_people))).all()
        assert kept and all(p.forename and p.date_of_birth for p in kept)
        expired_ids = [p.id for p in expired]
        leftovers = db.session.scalars(
            select(Referral).where(Referral.person_id.in_(expired_ids))
        ).all()
        assert all(r.notes is None and r.crime_reference == "" for r in leftovers)
        assert db.session.scalar(select(func.count()).where(ContactAttempt.note.is_not(None))) == 0
        assert (
            db.session.scalar(
                select(func.count(PersonBlockingKey.id)).where(
                    PersonBlockingKey.person_id.in_(expired_ids)
                )
            )
            == 0
        )
        runs = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "retention_applied")
        ).all()
        assert sum(run.detail["people"] for run in runs) == removed
        assert {run.area_id for run in runs} == {area(slug).id for slug in AREAS}


def test_nothing_is_expired_while_a_case_is_open(warwickshire_records: None) -> None:  # noqa: F811
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        open_person = db.session.scalar(
            select(Referral.person_id).where(Referral.closed_on.is_(None))
        )
        assert open_person not in expired_people(warwickshire, LATER + timedelta(days=3650))


def test_regional_hashes_go_with_the_person(app_ctx: Flask) -> None:
    from divert.models import ReferralStatus, Role
    from divert.referrals import lifecycle
    from tests.factories import make_user
    from tests.referrals.builders import referral

    warwickshire = area("warwickshire")
    officer = make_user("pc@warwickshire.test", {"warwickshire": Role.OFFICER})
    with area_scope(warwickshire):
        made = referral(warwickshire, officer, forename="Jordan", surname="Hayes")
        assert warwickshire.region.regional_matching
        hashes_before = db.session.scalar(select(func.count(RegionalKeyHash.id)))
        assert hashes_before > 0
        lifecycle.change_status(made, ReferralStatus.WITHDRAWN, officer)
        db.session.commit()
        assert apply_retention(warwickshire, LATER).people == 1
    assert db.session.scalar(select(func.count(RegionalKeyHash.id))) == 0


def test_subject_access_export_and_erasure_by_an_admin(
    warwickshire_records: None,  # noqa: F811
    client: FlaskClient,
) -> None:
    create_demo_accounts()
    with system_scope():
        person = db.session.scalars(select(Person).order_by(Person.id)).first()
        person_id, forename = person.id, person.forename
        reference = person.referrals[0].reference
    client.post("/sign-in", data={"email": ADMIN_EMAIL, "password": "divert-demo-password"})

    found = client.get("/admin/people/", query_string={"reference": reference.lower()})
    assert found.status_code == 302 and found.location.endswith(f"/admin/people/{person_id}")
    exported = client.get(f"/admin/people/{person_id}/subject-access.json")
    data = json.loads(exported.get_data())
    assert data["person"]["forename"] == forename
    assert [r["reference"] for r in data["referrals"]] == [reference]

    refused = client.post(f"/admin/people/{person_id}", data={"reason": ""})
    assert "Enter the reason for erasure" in refused.get_data(as_text=True)
    before = _every_figure()
    erased = client.post(f"/admin/people/{person_id}", data={"reason": "SAR-2026-14 upheld"})
    assert erased.status_code == 302
    with system_scope():
        person = db.session.get(Person, person_id)
        assert person.forename is None and person.anonymised_at is not None
        actions = set(
            db.session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == person_id))
        )
    assert {"person_viewed", "subject_access_exported", "person_erased"} <= actions
    assert _every_figure() == before
