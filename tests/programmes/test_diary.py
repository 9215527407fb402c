"""One diary for every programme: each session labelled with its programme, a filter by
programme, and the calendar feed saying whose session it is."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Flask
from flask.testing import FlaskClient

from divert.courses import services as courses
from divert.extensions import db
from divert.models import Programme, Role
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import programme_id, session_slot


def test_the_diary_shows_and_filters_every_programme(
    app_ctx: Flask, client: FlaskClient, auth: Auth
) -> None:
    educator = make_user("ed@example.org", {"warwickshire": Role.EDUCATOR})
    here = area("warwickshire")
    day = datetime.now(UTC).date() + timedelta(days=2)
    with area_scope(here):
        session_slot(here, educator, starts_at=datetime.combine(day, time(10), tzinfo=UTC))
        courses.publish(
            programme=db.session.get(Programme, programme_id(here, "arv")),
            educator=educator,
            title="ARV evening course",
            starts=[datetime.combine(day, time(18), tzinfo=UTC)],
            minutes=120,
            capacity=8,
            venue=None,
        )
        arv = programme_id(here, "arv")
        db.session.commit()
    auth.sign_in("ed@example.org")
    page = client.get(f"/warwickshire/diary?day={day.isoformat()}").text
    assert "DIVERT adults" in page and "ARV evening course" in page
    assert "Alcohol Related Violence course" in page
    only_arv = client.get(f"/warwickshire/diary?day={day.isoformat()}&programme={arv}").text
    assert "ARV evening course" in only_arv
    assert '<td class="govuk-table__cell">DIVERT adults' not in only_arv

    client.post("/warwickshire/diary/calendar-link")
    with area_scope(here):
        token = db.session.get(type(educator), educator.id).calendar_token
    feed = client.get(f"/calendar/{token}.ics").text
    assert "SUMMARY:DIVERT adults: Initial one-to-one (0 of 1 booked)" in feed
    assert "SUMMARY:Alcohol Related Violence course: Group session (0 of 8 booked)" in feed
