"""A young person's assessment: recorded with a guardian, answers to the programme's questions,
and an outcome that routes them to a course, to one-to-one work, or out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.assessments import services
from divert.extensions import db
from divert.models import (
    Assessment,
    AssessmentOutcome,
    Referral,
    ReferralStatus,
    Role,
    Substance,
    User,
)
from divert.privacy.removal import remove_personal_data
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import referral

TODAY = date.today()


@pytest.fixture
def young(app_ctx: Flask, client: FlaskClient, auth: Auth) -> int:
    officer = make_user("pc@example.org", {"warwickshire": Role.OFFICER})
    make_user("ed@example.org", {"warwickshire": Role.EDUCATOR})
    here = area("warwickshire")
    with area_scope(here):
        made = referral(
            here,
            officer,
            date_of_birth=TODAY - timedelta(days=15 * 365 + 100),
            guardian_name="Sam Example",
            guardian_contact="07700 900999",
        )
        db.session.commit()
        made_id = made.id
    auth.sign_in("ed@example.org")
    return made_id


def _form(**overrides: object) -> dict[str, object]:
    with area_scope(area("warwickshire")):
        cannabis = db.session.scalar(select(Substance.id).where(Substance.code == "cannabis"))
    data: dict[str, object] = {
        "held_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        "present": ["young_person", "guardian"],
        "answer_education": "Year 10, attends most days",
        "answer_risks": "None seen",
        "main_substance": str(cannabis),
        "outcome": "group_course",
        "out_reason": "",
    }
    data.update(overrides)
    return data


def _case(referral_id: int) -> tuple[ReferralStatus, Assessment | None, str | None]:
    with area_scope(area("warwickshire")):
        made = db.session.get(Referral, referral_id)
        assessment = db.session.scalar(
            select(Assessment).where(Assessment.referral_id == referral_id)
        )
        return made.status, assessment, made.events[-1].note


def test_the_case_page_offers_the_assessment(client: FlaskClient, young: int) -> None:
    page = client.get(f"/warwickshire/cases/{young}").text
    assert "DIVERT young people" in page
    assert f"/warwickshire/cases/{young}/assessment" in page
    form = client.get(f"/warwickshire/cases/{young}/assessment").text
    assert "Are they in school, college or training, and attending?" in form


def test_an_assessment_routes_to_a_group_course(client: FlaskClient, young: int) -> None:
    response = client.post(f"/warwickshire/cases/{young}/assessment", data=_form())
    assert response.status_code == 302
    status, assessment, _note = _case(young)
    assert status is ReferralStatus.ATTENDED
    assert assessment is not None
    assert assessment.present == ["young_person", "guardian"]
    assert assessment.answers == {
        "education": "Year 10, attends most days",
        "use": "",
        "risks": "None seen",
        "support": "",
    }
    assert assessment.outcome == "group_course"
    page = client.get(f"/warwickshire/cases/{young}").text
    assert "with the young person, parent or guardian. Suitable for a group course" in page
    assert client.get(f"/warwickshire/cases/{young}/assessment").status_code == 404  # once


def test_out_with_a_reason_closes_the_case(client: FlaskClient, young: int) -> None:
    client.post(
        f"/warwickshire/cases/{young}/assessment",
        data=_form(
            outcome="out", out_reason="yot", present=["young_person", "guardian", "yot_worker"]
        ),
    )
    status, assessment, note = _case(young)
    assert status is ReferralStatus.REFERRED_ON
    assert note == "Assessed: Referred to the Youth Offending Team"
    assert assessment is not None and assessment.out_reason == "yot"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"present": ["young_person"]}, "present", "a parent or guardian"),
        ({"present": []}, "present", "Select who was there"),
        ({"outcome": "out"}, "out_reason", "Choose where they were referred"),
        ({"main_substance": ""}, "main_substance", "Select the main substance"),
        (
            {"held_on": ["1", "1", str(TODAY.year + 1)]},
            "held_on",
            "The date must be between the referral and today",
        ),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(
    client: FlaskClient, young: int, overrides: dict, field: str, message: str
) -> None:
    page = client.post(f"/warwickshire/cases/{young}/assessment", data=_form(**overrides))
    assert page.status_code == 200
    assert message in page.text
    assert "Year 10, attends most days" in page.text  # what was typed is kept
    assert _case(young)[1] is None
    assert _case(young)[0] is ReferralStatus.SUBMITTED


def test_an_adult_case_has_no_assessment(app_ctx: Flask, client: FlaskClient, auth: Auth) -> None:
    officer = make_user("pc@example.org", {"warwickshire": Role.OFFICER})
    make_user("ed@example.org", {"warwickshire": Role.EDUCATOR})
    here = area("warwickshire")
    with area_scope(here):
        adult = referral(here, officer)
        db.session.commit()
        adult_id = adult.id
    auth.sign_in("ed@example.org")
    assert client.get(f"/warwickshire/cases/{adult_id}/assessment").status_code == 404


def test_erasure_blanks_what_was_said_and_keeps_the_route(client: FlaskClient, young: int) -> None:
    client.post(f"/warwickshire/cases/{young}/assessment", data=_form(notes="Talked about school"))
    with area_scope(area("warwickshire")):
        remove_personal_data([db.session.get(Referral, young).person])
        db.session.commit()
    _status, assessment, _note = _case(young)
    assert assessment is not None
    assert (assessment.answers, assessment.notes) == (None, None)
    assert (assessment.outcome, assessment.present) == (
        "group_course",
        ["young_person", "guardian"],
    )


def test_the_assessment_use_case_driven_without_a_request(young: int) -> None:
    """services.record as a plain call (an area scope, no request, no form): each refusal names
    its field, and a recorded assessment makes the case attended."""
    here = area("warwickshire")
    with area_scope(here):
        case = db.session.get(Referral, young)
        educator = db.session.scalar(select(User).where(User.email == "ed@example.org"))
        cannabis = db.session.scalar(select(Substance).where(Substance.code == "cannabis"))
        said = {
            "held_on": TODAY,
            "present": ["young_person", "guardian"],
            "answers": {"education": "Year 10"},
            "outcome": AssessmentOutcome.ONE_TO_ONE,
            "main_substance": cannabis,
        }
        refusals = {
            "present": {"present": ["young_person"]},
            "held_on": {"held_on": TODAY + timedelta(days=1)},
            "main_substance": {"main_substance": None},
            "out_reason": {"outcome": AssessmentOutcome.OUT, "out_reason": "nowhere"},
        }
        for field, changes in refusals.items():
            with pytest.raises(services.AssessmentRefusal) as refused:
                services.record(case, educator, **{**said, **changes})
            assert refused.value.field == field
        made = services.record(case, educator, **said)
        db.session.commit()
        assert (made.outcome, made.answers) == ("one_to_one", {"education": "Year 10"})
        assert (case.status, case.initial_attended_on) == (ReferralStatus.ATTENDED, TODAY)
        assert case.main_substance.code == "cannabis"
