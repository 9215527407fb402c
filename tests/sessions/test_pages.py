"""The educator workspace through the web: caseload, case, attendance, diary, calendar."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import vobject
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from divert.clock import utcnow
from divert.extensions import db
from divert.models import (
    Booking,
    BookingStatus,
    ContactAttempt,
    DiarySession,
    Intervention,
    Referral,
    ReferralStatus,
    Role,
    SessionKind,
    Substance,
    User,
)
from divert.referrals import lifecycle
from divert.tenancy import area_scope, system_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import referral, session_slot
from tests.support.queries import queries_for


@pytest.fixture
def staff(app_ctx: Flask) -> dict[str, User]:
    return {
        "officer": make_user("pc@example.org", {"warwickshire": Role.OFFICER}),
        "educator": make_user("ed@example.org", {"warwickshire": Role.EDUCATOR}, name="Ed Ucator"),
        "foreign_officer": make_user("pc@staffs.org", {"staffordshire": Role.OFFICER}),
    }


@pytest.fixture
def educator_client(client: FlaskClient, auth: Auth, staff: dict[str, User]) -> FlaskClient:
    auth.sign_in("ed@example.org")
    return client


def _in_warwickshire(build):
    with area_scope(area("warwickshire")):
        made = build(area("warwickshire"))
        db.session.commit()
        # Loaded in its area: outside it, row-level security hides the row from a refresh.
        for record in made if isinstance(made, tuple) else (made,):
            db.session.refresh(record)
        return made


def _ids(model: type, *codes: str) -> list[str]:
    with area_scope(area("warwickshire")):
        return [str(db.session.scalar(select(model.id).where(model.code == c))) for c in codes]


def test_caseload_lists_awaiting_cases_oldest_first_in_own_area_only(
    educator_client: FlaskClient, staff: dict[str, User]
) -> None:
    today = date.today()
    _in_warwickshire(
        lambda a: referral(
            a, staff["officer"], surname="Newer", received_on=today - timedelta(days=2)
        )
    )
    _in_warwickshire(
        lambda a: referral(
            a, staff["officer"], surname="Older", received_on=today - timedelta(days=9)
        )
    )
    with area_scope(area("staffordshire")):
        referral(area("staffordshire"), staff["foreign_officer"], surname="Foreign")
        db.session.commit()
    page = educator_client.get("/warwickshire/caseload").text
    assert page.index("Alex Older") < page.index("Alex Newer")
    assert ">9</td>" in page and "Foreign" not in page
    assert educator_client.get("/staffordshire/caseload").status_code == 404


def test_caseload_counts_every_case_on_each_page(educator_client: FlaskClient, staff) -> None:
    """27 cases awaiting contact: 25 on the first page, 2 on the second, and the count of all
    27 above each, also on a page past the end (linked before cases were closed)."""
    today = date.today()
    with area_scope(area("warwickshire")):
        officer = db.session.scalar(select(User).where(User.email == "pc@example.org"))
        for number in range(27):
            referral(
                area("warwickshire"),
                officer,
                surname=f"Case{number:02}",
                received_on=today - timedelta(days=40 - number),
            )
        db.session.commit()
    rows = re.compile(r"Alex Case\d\d")
    first = educator_client.get("/warwickshire/caseload").text
    assert "Awaiting contact (27), oldest first" in first
    assert rows.findall(first) == [f"Alex Case{number:02}" for number in range(25)]
    second = educator_client.get("/warwickshire/caseload?page=2").text
    assert "Awaiting contact (27), oldest first" in second
    assert rows.findall(second) == ["Alex Case25", "Alex Case26"]
    past_the_end = educator_client.get("/warwickshire/caseload?page=4").text
    assert "Awaiting contact (27), oldest first" in past_the_end
    assert "No cases" in past_the_end and not rows.findall(past_the_end)
    nothing = educator_client.get("/warwickshire/caseload?status=attended").text
    assert "Attended: decision due (0), oldest first" in nothing


def test_caseload_filters_by_the_areas_educators_as_they_are_now(
    educator_client: FlaskClient, staff: dict[str, User]
) -> None:
    """The educators to filter by are kept in the process: one who joins, or leaves, shows so
    on the next page."""
    options = re.compile(r'<option value="\d+"[^>]*>([^<]+)</option>')
    assert options.findall(educator_client.get("/warwickshire/caseload").text) == ["Ed Ucator"]
    make_user("new@example.org", {"warwickshire": Role.MANAGER}, name="Ann Manager")
    make_user("far@example.org", {"staffordshire": Role.EDUCATOR}, name="Far Away")
    g.pop("_login_user", None)
    page = educator_client.get("/warwickshire/caseload").text
    assert options.findall(page) == ["Ann Manager", "Ed Ucator"]
    with system_scope():
        joined = db.session.scalars(select(User).where(User.email == "new@example.org")).one()
        joined.memberships[0].active = False
        db.session.commit()
    g.pop("_login_user", None)
    assert options.findall(educator_client.get("/warwickshire/caseload").text) == ["Ed Ucator"]


def test_caseload_queries_do_not_grow(educator_client: FlaskClient, staff) -> None:
    _in_warwickshire(lambda a: referral(a, staff["officer"]))
    few = queries_for(educator_client, "/warwickshire/caseload")
    with area_scope(area("warwickshire")):
        officer = db.session.scalar(select(User).where(User.email == "pc@example.org"))
        for _ in range(15):
            referral(area("warwickshire"), officer)
        db.session.commit()
    assert queries_for(educator_client, "/warwickshire/caseload") == few


def test_case_page_books_records_contact_and_refuses_bad_outcomes(
    educator_client: FlaskClient, staff
) -> None:
    made_id = _in_warwickshire(lambda a: referral(a, staff["officer"])).id
    slot_id = _in_warwickshire(lambda a: session_slot(a, staff["educator"])).id
    case_url = f"/warwickshire/cases/{made_id}"
    assert "Alex Example" in educator_client.get(case_url).text
    assert educator_client.post(f"{case_url}/book", data={"slot": str(slot_id)}).status_code == 302
    contact = educator_client.post(f"{case_url}/contact", data={"method": "phone"})
    assert "Choose what happened" in contact.text
    educator_client.post(f"{case_url}/contact", data={"method": "phone", "outcome": "reached"})
    refused = educator_client.post(f"{case_url}/outcome", data={"outcome": "completed"})
    assert "only be completed after the initial session was attended" in refused.text
    page = educator_client.get(case_url).text
    assert "Booked" in page and "Phone, spoke to them or they replied" in page
    with area_scope(area("warwickshire")):
        assert db.session.get(Referral, made_id).educator_id == staff["educator"].id
        assert db.session.scalar(select(func.count()).select_from(ContactAttempt)) == 1


def test_each_label_on_the_case_page_belongs_to_its_own_form(
    educator_client: FlaskClient, staff
) -> None:
    """The contact and outcome forms both have an "outcome" field: each radio's id is its own,
    so clicking "Completed" ticks the outcome form's radio, not the contact form's first."""
    made_id = _in_warwickshire(lambda a: referral(a, staff["officer"])).id
    page = educator_client.get(f"/warwickshire/cases/{made_id}").text
    ids = re.findall(r' id="([^"]+)"', page)
    labelled = re.findall(r' for="([^"]+)"', page)
    assert labelled and all(ids.count(target) == 1 for target in labelled)
    assert re.search(r'id="outcome" name="outcome" type="radio" value="completed"', page)
    assert re.search(r'id="contact-outcome" name="outcome" type="radio" value="reached"', page)
    refused = educator_client.post(f"/warwickshire/cases/{made_id}/contact", data={})
    assert 'href="#contact-method"' in refused.text and 'href="#contact-outcome"' in refused.text


def test_attendance_in_one_page_and_one_submit(educator_client: FlaskClient, staff) -> None:
    def build(a):
        made = referral(a, staff["officer"])
        started = session_slot(a, staff["educator"], starts_at=utcnow() - timedelta(minutes=30))
        return lifecycle.book(made, started, staff["educator"])

    booking = _in_warwickshire(build)
    url = f"/warwickshire/bookings/{booking.id}/attendance"
    form = educator_client.get(url).text
    assert "Main substance they reported" in form and "Naloxone kit supplied" in form
    missing = educator_client.post(url, data={"outcome": "attended"})
    assert "Select the main substance the person reported" in missing.text
    (cannabis,) = _ids(Substance, "cannabis")
    kit, advice = _ids(Intervention, "naloxone_kit", "harm_reduction")
    saved = educator_client.post(
        url,
        data={"outcome": "attended", "main_substance": cannabis, "interventions": [kit, advice]},
    )
    assert saved.status_code == 302
    with area_scope(area("warwickshire")):
        stored = db.session.get(Booking, booking.id)
        assert stored.status is BookingStatus.ATTENDED and stored.naloxone_kit_supplied
        assert stored.referral.status is ReferralStatus.ATTENDED
        assert stored.referral.main_substance.code == "cannabis"
    events = educator_client.get(f"/warwickshire/cases/{booking.referral_id}").text
    assert "Attended" in events


def test_publishing_a_weekly_pattern(educator_client: FlaskClient, staff) -> None:
    start = date.today() + timedelta(days=7 - date.today().weekday())  # next Monday
    until = start + timedelta(days=13)
    bad = educator_client.post(
        "/warwickshire/diary/new",
        data={
            "kind": "initial",
            "first_date": [str(start.day), str(start.month), str(start.year)],
            "starts": "25:00",
            "minutes": "60",
            "capacity": "1",
            "venue": "remote",
        },
    )
    assert "Enter a time like 09:30" in bad.text and 'value="25:00"' in bad.text
    good = educator_client.post(
        "/warwickshire/diary/new",
        data={
            "kind": "initial",
            "first_date": [str(start.day), str(start.month), str(start.year)],
            "starts": "10:00",
            "minutes": "60",
            "capacity": "1",
            "venue": "remote",
            "repeat_days": ["0", "2"],
            "repeat_until": [str(until.day), str(until.month), str(until.year)],
        },
    )
    assert good.status_code == 302
    with system_scope():
        sessions = db.session.scalars(select(DiarySession)).all()
    assert len(sessions) == 4  # Mondays and Wednesdays of two weeks
    assert {s.educator_id for s in sessions} == {staff["educator"].id}
    week = educator_client.get(f"/warwickshire/diary?day={start.isoformat()}&view=week").text
    assert week.count("remote (phone or video)") == 2


def test_calendar_feed_by_secret_link(
    educator_client: FlaskClient, client: FlaskClient, staff
) -> None:
    _in_warwickshire(lambda a: session_slot(a, staff["educator"]))
    first = educator_client.post("/warwickshire/diary/calendar-link", follow_redirects=True).text
    assert "Your calendar link is ready" in first and "no longer works" not in first
    token = db.session.scalar(select(User.calendar_token).where(User.email == "ed@example.org"))
    link = f"http://localhost/calendar/{token}.ics"
    assert f'<a class="govuk-link" id="calendar-link" href="{link}">{link}</a>' in first
    assert 'data-copy-target="calendar-link"' in first
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert feed.text.count("BEGIN:VEVENT") == 1
    assert client.get(f"/calendar/{'x' * 43}.ics").status_code == 404
    again = educator_client.post("/warwickshire/diary/calendar-link", follow_redirects=True).text
    assert "Your calendar link has changed. The old link no longer works." in again
    assert client.get(f"/calendar/{token}.ics").status_code == 404  # the old link stops working


def test_calendar_feed_is_valid_rfc_5545(
    educator_client: FlaskClient, client: FlaskClient, staff
) -> None:
    """Read back by vobject (not icalendar, which writes it), validating every component."""
    starts = datetime(2030, 6, 3, 9, 30, tzinfo=UTC)  # 10:30 in London (BST)
    _in_warwickshire(lambda a: session_slot(a, staff["educator"], starts_at=starts))
    _in_warwickshire(lambda a: session_slot(a, staff["educator"], kind=SessionKind.GROUP))
    educator_client.post("/warwickshire/diary/calendar-link")
    token = db.session.scalar(select(User.calendar_token).where(User.email == "ed@example.org"))
    text = client.get(f"/calendar/{token}.ics").text
    assert all(line.endswith("\r") or not line for line in text.split("\n"))  # CRLF lines
    calendar = vobject.readOne(text, validate=True)
    assert calendar.version.value == "2.0"
    assert calendar.contents["x-wr-calname"][0].value == "divert sessions – Ed Ucator"
    assert calendar.contents["name"][0].value == "divert sessions – Ed Ucator"
    events = calendar.contents["vevent"]
    assert len(events) == 2
    for event in events:
        event.validate(raiseException=True)
        assert event.dtstamp.value.tzinfo is not None  # DTSTAMP in UTC, on every event
        assert event.uid.value.startswith("session-")
    later = max(events, key=lambda e: e.dtstart.value)
    assert later.dtstart.value == starts
    assert later.dtend.value == datetime(2030, 6, 3, 10, 30, tzinfo=UTC)
    assert later.summary.value == "DIVERT adults: Initial one-to-one (0 of 1 booked)"
    assert sorted(e.summary.value for e in events) == [
        "DIVERT adults: Group session (0 of 1 booked)",
        "DIVERT adults: Initial one-to-one (0 of 1 booked)",
    ]


def test_attendance_before_the_session_starts_is_refused_next_to_the_outcome(
    educator_client: FlaskClient, staff
) -> None:
    def build(a):
        made = referral(a, staff["officer"])
        tomorrow = session_slot(a, staff["educator"], starts_at=utcnow() + timedelta(days=1))
        return lifecycle.book(made, tomorrow, staff["educator"])

    booking = _in_warwickshire(build)
    url = f"/warwickshire/bookings/{booking.id}/attendance"
    refused = educator_client.post(url, data={"outcome": "did_not_attend", "notes": "No answer"})
    assert refused.status_code == 200
    assert 'id="outcome-error"' in refused.text
    assert "Attendance can only be recorded once the session has started" in refused.text
    assert "No answer" in refused.text  # what was typed is kept
    with area_scope(area("warwickshire")):
        assert db.session.get(Booking, booking.id).status is BookingStatus.BOOKED


def test_case_page_reads_as_a_person_would_expect(educator_client: FlaskClient, staff) -> None:
    """No "None" for a missing email, the phone as a tel: link in national form, links to the
    session and to record attendance, and what was recorded at an attended session."""
    started = utcnow() - timedelta(hours=1)

    def build(a):
        made = referral(a, staff["officer"], phone="+447700900123", email=None)
        slot = session_slot(a, staff["educator"], starts_at=started)
        return made, slot, lifecycle.book(made, slot, staff["educator"])

    made, slot, booking = _in_warwickshire(build)
    # Read before the request: its commit expires the records, and outside their area (row-level
    # security on PostgreSQL) they could not be read again.
    made_id, slot_id, booking_id = made.id, slot.id, booking.id
    case_url = f"/warwickshire/cases/{made_id}"
    page = educator_client.get(case_url).text
    details = page.split('class="govuk-summary-list')[1].split("</dl>")[0]
    assert "Email" not in details and not re.search(r">\s*None\s*<", details)
    assert '<a class="govuk-link" href="tel:+447700900123">07700 900123</a>' in page
    assert f'href="/warwickshire/sessions/{slot_id}"' in page
    assert f'href="/warwickshire/bookings/{booking_id}/attendance">Record attendance' in page

    (cocaine,) = _ids(Substance, "cocaine")
    kit, advice = _ids(Intervention, "naloxone_kit", "harm_reduction")
    educator_client.post(
        f"/warwickshire/bookings/{booking_id}/attendance",
        data={"outcome": "attended", "main_substance": cocaine, "interventions": [kit, advice]},
    )
    page = educator_client.get(case_url).text
    attended = page.split(">Sessions</h2>")[1]
    assert "Attended" in attended
    assert "Main substance they reported" in attended and "Cocaine" in attended
    assert "Harm reduction advice, Naloxone kit supplied" in attended
    assert "Record attendance" not in attended


def test_caseload_shows_each_cases_appointment(educator_client: FlaskClient, staff) -> None:
    when = datetime(2030, 1, 14, 14, 30, tzinfo=UTC)  # a Monday, 14:30 in London (GMT)

    def build(a):
        made = referral(a, staff["officer"], surname="Booked")
        lifecycle.book(made, session_slot(a, staff["educator"], starts_at=when), staff["educator"])
        return made

    _in_warwickshire(build)
    page = educator_client.get("/warwickshire/caseload?status=booked").text
    assert "Mon 14 Jan 2030, 14:30" in page
    assert "<th scope=\"col\" class=\"govuk-table__header\">Appointment</th>" in page
