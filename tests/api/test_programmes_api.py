"""Programmes through the API: list them, refer into one with a disposal, enrol someone on a
course, take a register that completes them, and figures for one programme."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask

from divert.courses import services as courses
from divert.extensions import db
from divert.models import Programme, Role
from divert.tenancy import area_scope
from tests.api.conftest import AREA, Api, ApiWorld, user
from tests.factories import account_email, area
from tests.referrals.builders import programme_id

TODAY = date.today()


def _arv_course(app: Flask) -> int:
    with app.app_context():
        here = area(AREA)
        with area_scope(here):
            course = courses.publish(
                programme=db.session.get(Programme, programme_id(here, "arv")),
                educator=user(account_email(Role.EDUCATOR, AREA)),
                title="ARV course",
                starts=courses.weekly(datetime.now(UTC) + timedelta(days=2), 4),
                minutes=120,
                capacity=6,
                venue=None,
            )
            db.session.commit()
            return course.id


def test_the_areas_programmes(api: Api, api_world: ApiWorld) -> None:
    listed = api.get(f"/areas/{AREA}/programmes", api_world.tokens["officer"]).get_json()
    assert [(p["code"], p["min_age"], p["max_age"]) for p in listed["items"]] == [
        ("divert-adults", 18, None),
        ("divert-young-people", None, 17),
        ("arv", 18, None),
        ("cars", None, None),
    ]
    assert listed["items"][2]["disposals"] == ["conditional_caution", "community_resolution"]
    assert listed["items"][3]["disposals"] == []  # people are seen in custody, not referred


def test_a_caution_referred_enrolled_and_registered(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    cautioned = TODAY - timedelta(days=5)
    made = api.create(
        api_world.tokens["officer"],
        "arv-1",
        disposal="conditional_caution",
        disposal_on=cautioned.isoformat(),
        substances_found=[],
    )
    assert made.status_code == 201, made.get_json()
    referral = made.get_json()
    assert (referral["programme"], referral["disposal"]) == ("arv", "conditional_caution")
    assert referral["deadline_on"] == (cautioned + timedelta(days=84)).isoformat()

    course_id = _arv_course(app)
    educator = api_world.tokens["educator"]
    enrolled = api.post(
        f"/areas/{AREA}/courses/{course_id}/enrolments",
        educator,
        json={"referral_id": referral["id"]},
    )
    assert enrolled.status_code == 201
    assert enrolled.get_json() == {
        "course_id": course_id,
        "referral_id": referral["id"],
        "referral_status": "booked",
    }
    again = api.post(
        f"/areas/{AREA}/courses/{course_id}/enrolments",
        educator,
        json={"referral_id": referral["id"]},
    )
    assert again.status_code == 409
    assert again.get_json()["error"]["field"] == "referral_id"

    listed = api.get(f"/areas/{AREA}/courses?programme=arv", educator).get_json()
    sessions = listed["items"][0]["sessions"]
    assert len(sessions) == 4
    closed: list = []
    for session in sessions:
        (booking,) = session["bookings"]
        answer = api.post(
            f"/areas/{AREA}/sessions/{session['id']}/register",
            educator,
            json={"attendance": [{"booking_id": booking["id"], "outcome": "attended"}]},
        )
        assert answer.status_code == 200, answer.get_json()
        closed = answer.get_json()["closed"]
    assert closed == [{"referral_id": referral["id"], "status": "completed"}]

    # The manager's: a commissioner sees no breakdown of a period with so few referrals.
    figures = api.get(
        f"/areas/{AREA}/figures?programme=arv", api_world.tokens["manager"]
    ).get_json()
    assert (figures["counts"]["referrals"], figures["counts"]["completed"]) == (1, 1)
    assert figures["counts"]["completion_rate"] == 1.0


def test_bad_register_input_names_the_field(app: Flask, api: Api, api_world: ApiWorld) -> None:
    course_id = _arv_course(app)
    educator = api_world.tokens["educator"]
    with app.app_context(), area_scope(area(AREA)):
        session_id = db.session.get(courses.Course, course_id).sessions[0].id
    empty = api.post(
        f"/areas/{AREA}/sessions/{session_id}/register", educator, json={"attendance": []}
    )
    assert empty.status_code == 422
    assert [f["field"] for f in empty.get_json()["error"]["fields"]] == ["attendance"]
    stranger = api.post(
        f"/areas/{AREA}/sessions/{session_id}/register",
        educator,
        json={"attendance": [{"booking_id": 999, "outcome": "attended"}]},
    )
    assert stranger.status_code == 422
    assert "Booking 999 is not one to mark" in stranger.get_json()["error"]["message"]
    no_date = api.create(
        api_world.tokens["officer"], "arv-2", disposal="conditional_caution", substances_found=[]
    )
    assert no_date.status_code == 422
    assert no_date.get_json()["error"]["fields"] == [
        {"field": "disposal_on", "message": "Enter the date of the disposal"}
    ]
    officer = api.post(
        f"/areas/{AREA}/courses/{course_id}/enrolments",
        api_world.tokens["officer"],
        json={"referral_id": 1},
    )
    assert officer.status_code == 403
