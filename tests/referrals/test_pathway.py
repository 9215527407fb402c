"""The officer pathway through the web: refer, confirm, follow, withdraw."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from divert.extensions import db
from divert.models import (
    AuditEvent,
    DiarySession,
    Referral,
    ReferralStatus,
    Role,
    Substance,
    User,
)
from divert.referrals import lifecycle
from divert.referrals.slots import describe
from divert.tenancy import area_scope, system_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import referral, session_slot
from tests.support.queries import queries_for

TODAY = date.today()


@pytest.fixture
def people(app_ctx: Flask) -> dict[str, User]:
    return {
        "officer": make_user(
            "pc1@example.org",
            {"warwickshire": Role.OFFICER},
            name="PC Amy Jones",
            collar_number="WAR1234",
        ),
        "other_officer": make_user("pc2@example.org", {"warwickshire": Role.OFFICER}),
        "educator": make_user("ed@example.org", {"warwickshire": Role.EDUCATOR}),
        "foreign_officer": make_user("pc3@example.org", {"staffordshire": Role.OFFICER}),
    }


@pytest.fixture
def slot(people: dict[str, User]) -> DiarySession:
    # A weekday afternoon inside Warwickshire's opening hours, not a bank holiday.
    day = TODAY + timedelta(days=2)
    while day.weekday() >= 5 or day.isoformat() in {"2026-12-25", "2026-12-28"}:
        day += timedelta(days=1)
    from datetime import UTC, datetime, time

    with area_scope(area("warwickshire")):
        made = session_slot(
            area("warwickshire"),
            people["educator"],
            starts_at=datetime.combine(day, time(13), tzinfo=UTC),
        )
        db.session.commit()
        db.session.refresh(
            made
        )  # loaded in its area: outside it, row-level security hides the row from a refresh
        return made


@pytest.fixture
def officer_client(client: FlaskClient, auth: Auth, people: dict[str, User]) -> FlaskClient:
    auth.sign_in("pc1@example.org")
    return client


def _substance_id(code: str = "cannabis") -> str:
    with area_scope(area("warwickshire")):
        return str(db.session.scalar(select(Substance.id).where(Substance.code == code)))


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "forename": "Jordan",
        "surname": "Smith",
        "date_of_birth": ["14", "2", "2001"],
        "phone": "07911 123456",
        "offence_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        "crime_reference": "23/12345/24",
        "substances_found": [_substance_id()],
        "consent_to_contact": "y",
        "slot": "none",
        "submission_token": "token-1",
    }
    data.update(overrides)
    return data


def _count_referrals() -> int:
    with system_scope():
        return db.session.scalar(select(func.count()).select_from(Referral))


def test_form_offers_open_slots_and_prefills_today(
    officer_client: FlaskClient, slot: DiarySession
) -> None:
    page = officer_client.get("/warwickshire/referrals/new").text
    assert f'value="{slot.id}"' in page
    assert "Leave it for the educators to arrange" in page
    assert (
        f'name="offence_date" type="text" value="{TODAY.year}"' in page or str(TODAY.year) in page
    )
    assert "collar number WAR1234" in page


def test_referral_with_a_booking(officer_client: FlaskClient, slot: DiarySession) -> None:
    response = officer_client.post("/warwickshire/referrals/new", data=_form(slot=str(slot.id)))
    assert response.status_code == 302
    confirmation = officer_client.get(response.headers["Location"]).text
    reference = f"WAR-{TODAY.year}-00001"
    assert reference in confirmation
    with area_scope(area("warwickshire")):
        expected = describe(db.session.get(DiarySession, slot.id))
    assert "First appointment" in confirmation and expected in confirmation
    with area_scope(area("warwickshire")):
        made = db.session.scalars(select(Referral)).one()
        assert made.status is ReferralStatus.BOOKED
        assert made.person.phone == "+447911123456"
        assert [s.code for s in made.substances_found] == ["cannabis"]
        assert db.session.get(DiarySession, slot.id).booked_count == 1
        assert [e.to_status for e in made.events] == ["submitted", "booked"]
    with system_scope():
        assert (
            db.session.scalar(
                select(AuditEvent.record_id).where(AuditEvent.action == "referral_submitted")
            )
            == made.id
        )


def test_a_resubmitted_form_creates_one_referral(officer_client: FlaskClient) -> None:
    first = officer_client.post("/warwickshire/referrals/new", data=_form())
    again = officer_client.post("/warwickshire/referrals/new", data=_form())
    assert first.headers["Location"] == again.headers["Location"]
    assert _count_referrals() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date_of_birth": ["1", "1", str(TODAY.year + 1)]}, "Date of birth must be in the past"),
        ({"date_of_birth": ["1", "1", str(TODAY.year - 8)]}, "must be 10 or older"),
        ({"date_of_birth": ["31", "2", "2001"]}, "Date of birth must be a real date"),
        ({"date_of_birth": ["", "2", "2001"]}, "Date of birth must include a day"),
        ({"offence_date": ["1", "1", str(TODAY.year + 1)]}, "must be today or in the past"),
        ({"phone": "12345"}, "Enter a UK phone number, like"),
        ({"phone": "", "email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"phone": "", "email": ""}, "Enter a phone number or an email address"),
        ({"forename": ""}, "Enter their first name"),
        ({"substances_found": []}, "Select what was found"),
        ({"consent_to_contact": ""}, "must agree to be contacted"),
        ({"date_of_birth": ["1", "1", str(TODAY.year - 15)]}, "enter a parent or guardian"),
    ],
)
def test_bad_input_is_explained_and_kept(
    officer_client: FlaskClient, overrides: dict[str, object], message: str
) -> None:
    response = officer_client.post("/warwickshire/referrals/new", data=_form(**overrides))
    page = response.text
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert 'value="23/12345/24"' in page  # what was typed stays
    assert _count_referrals() == 0


def test_a_young_person_with_a_guardian_is_referred(officer_client: FlaskClient) -> None:
    data = _form(
        date_of_birth=["1", "1", str(TODAY.year - 15)],
        guardian_name="Sam Smith",
        guardian_contact="07911 654321",
    )
    assert officer_client.post("/warwickshire/referrals/new", data=data).status_code == 302
    with area_scope(area("warwickshire")):
        made = db.session.scalars(select(Referral)).one()
        assert made.age_group.value == "under_18"
        assert made.person.guardian_name == "Sam Smith"


def test_a_slot_taken_meanwhile_is_refused_and_nothing_saved(
    officer_client: FlaskClient, slot: DiarySession, people: dict[str, User]
) -> None:
    slot_id = slot.id  # read before the commit below expires it outside its area
    with area_scope(area("warwickshire")):
        lifecycle.book(
            referral(area("warwickshire"), people["other_officer"]),
            db.session.get(DiarySession, slot_id),
            people["other_officer"],
        )
        db.session.commit()
    response = officer_client.post("/warwickshire/referrals/new", data=_form(slot=str(slot_id)))
    assert "That appointment is no longer available" in response.text
    assert 'value="Jordan"' in response.text
    assert _count_referrals() == 1  # only the other officer's


def _earlier(people: dict[str, User], status: ReferralStatus) -> Referral:
    with area_scope(area("warwickshire")):
        made = referral(
            area("warwickshire"),
            people["other_officer"],
            forename="Jordan",
            surname="Smith",
            date_of_birth=date(2001, 2, 14),
            received_on=TODAY - timedelta(days=40),
        )
        made.status = status
        db.session.commit()
        db.session.refresh(made)  # loaded in its area: outside it, row-level security hides it
        return made


def test_a_repeat_warns_then_is_marked_once_confirmed(
    officer_client: FlaskClient, people: dict[str, User]
) -> None:
    earlier = _earlier(people, ReferralStatus.COMPLETED)
    # Typed differently: case, accents and spacing do not make another person.
    data = _form(forename="JORDAN ", surname="smíth")
    warned = officer_client.post("/warwickshire/referrals/new", data=data)
    assert "referred in Warwickshire before" in warned.text
    assert earlier.reference in warned.text and "Completed" in warned.text
    assert _count_referrals() == 1
    confirmed = officer_client.post(
        "/warwickshire/referrals/new", data={**data, "confirm_repeat": "y"}
    )
    assert confirmed.status_code == 302
    with area_scope(area("warwickshire")):
        made = db.session.scalars(select(Referral).order_by(Referral.id.desc())).first()
        assert made.is_repeat and made.repeat_of_id == earlier.id


def test_policy_refuses_after_a_not_engaged_referral(
    officer_client: FlaskClient, people: dict[str, User]
) -> None:
    earlier = _earlier(people, ReferralStatus.NOT_ENGAGED)
    earlier_reference = earlier.reference  # read before a request expires it
    response = officer_client.post("/warwickshire/referrals/new", data=_form(confirm_repeat="y"))
    assert "does not offer another diversion" in response.text
    assert earlier_reference in response.text
    assert _count_referrals() == 1


def test_officers_see_only_their_own_referrals(
    client: FlaskClient, auth: Auth, people: dict[str, User]
) -> None:
    with area_scope(area("warwickshire")):
        mine = referral(area("warwickshire"), people["officer"], surname="Mine")
        theirs = referral(area("warwickshire"), people["other_officer"], surname="Theirs")
        db.session.commit()
        mine_id, theirs_id = mine.id, theirs.id  # read in the area (see _in_warwickshire)
    with area_scope(area("staffordshire")):
        foreign = referral(area("staffordshire"), people["foreign_officer"], surname="Foreign")
        db.session.commit()
        foreign_id = foreign.id
    auth.sign_in("pc1@example.org")
    listing = client.get("/warwickshire/referrals").text
    assert "Alex Mine" in listing and "Theirs" not in listing and "Foreign" not in listing
    assert client.get(f"/warwickshire/referrals/{mine_id}").status_code == 200
    assert client.get(f"/warwickshire/referrals/{theirs_id}").status_code == 404
    assert client.get(f"/warwickshire/referrals/{foreign_id}").status_code == 404
    assert client.get(f"/staffordshire/referrals/{foreign_id}").status_code == 404


def test_returned_referrals_are_listed_and_withdrawal_voids(
    client: FlaskClient, auth: Auth, people: dict[str, User]
) -> None:
    with area_scope(area("warwickshire")):
        returned = referral(area("warwickshire"), people["officer"], surname="Returned")
        lifecycle.change_status(returned, ReferralStatus.NOT_ENGAGED, people["educator"])
        mistake = referral(area("warwickshire"), people["officer"], surname="Mistake")
        db.session.commit()
        returned_id, mistake_id = returned.id, mistake.id  # read in the area
    auth.sign_in("pc1@example.org")
    listing = client.get("/warwickshire/referrals").text
    returned_section = listing.split("Returned to you for another outcome</caption>")[1].split(
        "All your referrals"
    )[0]
    assert "Alex Returned" in returned_section and "Mistake" not in returned_section
    assert client.post(f"/warwickshire/referrals/{mistake_id}/withdraw").status_code == 302
    with area_scope(area("warwickshire")):
        assert db.session.get(Referral, mistake_id).status is ReferralStatus.VOIDED
    refused = client.post(f"/warwickshire/referrals/{returned_id}/withdraw", follow_redirects=True)
    assert "cannot be marked" in refused.text


def test_my_referrals_page_needs_the_same_queries_for_few_or_many(
    client: FlaskClient, auth: Auth, people: dict[str, User]
) -> None:
    officer_id = people["officer"].id

    def add_referrals(count: int) -> None:
        with area_scope(area("warwickshire")):
            for _ in range(count):
                referral(area("warwickshire"), db.session.get(User, officer_id))
            db.session.commit()

    auth.sign_in("pc1@example.org")
    add_referrals(1)
    few = queries_for(client, "/warwickshire/referrals")
    add_referrals(20)
    assert queries_for(client, "/warwickshire/referrals") == few


def _offered_substances(client: FlaskClient, area_slug: str) -> list[str]:
    g.pop("_login_user", None)  # the test's app context, shared by the requests: not its user
    page = client.get(f"/{area_slug}/referrals/new").text
    return re.findall(r'for="substances_found[^"]*">\s*([^<]+?)\s*</label>', page)


def test_the_substances_offered_follow_every_change_in_their_own_area(
    client: FlaskClient, auth: Auth, people: dict[str, User]
) -> None:
    """The form's substances are kept in the process: a change saved (as /admin saves it) shows
    on the next form, and each area's form offers its own list."""
    auth.sign_in("pc1@example.org")
    offered = _offered_substances(client, "warwickshire")
    assert offered[:3] == ["Cannabis", "Cocaine", "Crack cocaine"]
    with area_scope(area("warwickshire")):
        substances = {s.code: s for s in db.session.scalars(select(Substance))}
        substances["cannabis"].label = "Cannabis (herbal)"
        substances["cocaine"].active = False
        db.session.add(Substance(code="nitrous", label="Nitrous oxide", position=-1))
        db.session.commit()
    changed = _offered_substances(client, "warwickshire")
    assert changed[:3] == ["Nitrous oxide", "Cannabis (herbal)", "Crack cocaine"]
    assert len(changed) == len(offered)
    auth.sign_out()
    g.pop("_login_user", None)
    auth.sign_in("pc3@example.org")
    assert _offered_substances(client, "staffordshire")[:3] == [
        "Cannabis",
        "Cocaine",
        "Crack cocaine",
    ]
