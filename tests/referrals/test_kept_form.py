"""The empty referral form is drawn once per area and day (divert.fragments) and each view puts
its own tokens and officer in: every view must still read exactly as if drawn for it alone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from divert import fragments
from divert.extensions import db
from divert.models import DiarySession, Role, User
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import session_slot

TOKENS = re.compile(r'name="(csrf_token|submission_token)"[^>]*value="([^"]*)"')
NONCE = re.compile(r'nonce="[^"]*"')
SLOTS = re.compile(r'name="slot" type="radio" value="(\d+)"')
FORM = "/warwickshire/referrals/new"


@pytest.fixture
def officers(app_ctx: Flask) -> dict[str, User]:
    return {
        "collared": make_user(
            "pc1@example.org",
            {"warwickshire": Role.OFFICER, "staffordshire": Role.OFFICER},
            name="PC Amy Jones",
            collar_number="WAR1234",
        ),
        "plain": make_user(
            "pc2@example.org", {"warwickshire": Role.OFFICER}, name="PC O'Neil <Bo> & Co"
        ),
        "educator": make_user("ed@example.org", {"warwickshire": Role.EDUCATOR}),
    }


def _without_secrets(page: str) -> str:
    return NONCE.sub("", TOKENS.sub("", page))


def _page(client: FlaskClient, path: str = FORM) -> str:
    g.pop("_login_user", None)  # the test's app context, shared by the requests: not its user
    answer = client.get(path)
    assert answer.status_code == 200
    return answer.text


def _slot_in_opening_hours(educator: User, days_ahead: int) -> DiarySession:
    """An initial session at 13:00 UTC on a weekday `days_ahead` or more days from today, inside
    Warwickshire's opening hours and off its bank holidays."""
    day = date.today() + timedelta(days=days_ahead)
    while day.weekday() >= 5 or day.isoformat() in {"2026-12-25", "2026-12-28"}:
        day += timedelta(days=1)
    here = area("warwickshire")
    with area_scope(here):
        made = session_slot(here, educator, starts_at=datetime.combine(day, time(13), tzinfo=UTC))
        db.session.commit()
        db.session.refresh(made)
        return made


def test_each_view_of_the_kept_form_has_its_own_tokens_and_officer(
    client: FlaskClient, auth: Auth, officers: dict[str, User]
) -> None:
    auth.sign_in("pc1@example.org")
    first, second = _page(client), _page(client)
    first_tokens, second_tokens = TOKENS.findall(first), TOKENS.findall(second)
    assert {name for name, _ in first_tokens} == {"csrf_token", "submission_token"}
    assert all(len(value) > 20 for _, value in first_tokens + second_tokens)
    submitted = [dict(first_tokens)["submission_token"], dict(second_tokens)["submission_token"]]
    assert submitted[0] != submitted[1]  # a form sent twice is one referral: each view its own
    assert _without_secrets(first) == _without_secrets(second)
    assert "Referring officer: PC Amy Jones, collar number WAR1234</p>" in second
    auth.sign_out()
    auth.sign_in("pc2@example.org")
    other = _page(client)
    assert "Referring officer: PC O&#39;Neil &lt;Bo&gt; &amp; Co</p>" in other
    assert "Amy Jones" not in other and "WAR1234" not in other
    assert TOKENS.findall(other) != second_tokens
    assert "divert-stand-in" not in first + second + other
    assert "Amy Jones" not in "".join(fragments._KEPT.values())  # names are put in per view


def test_a_slot_that_fills_or_opens_shows_on_the_next_form(
    client: FlaskClient, auth: Auth, officers: dict[str, User]
) -> None:
    soon = _slot_in_opening_hours(officers["educator"], 2)
    auth.sign_in("pc1@example.org")
    assert SLOTS.findall(_page(client)) == [str(soon.id)]
    with area_scope(area("warwickshire")):
        db.session.get(DiarySession, soon.id).booked_count = 1  # the one place is taken
        db.session.commit()
    assert SLOTS.findall(_page(client)) == []
    later = _slot_in_opening_hours(officers["educator"], 4)
    assert SLOTS.findall(_page(client)) == [str(later.id)]


def test_each_area_has_its_own_kept_form(
    client: FlaskClient, auth: Auth, officers: dict[str, User]
) -> None:
    slot = _slot_in_opening_hours(officers["educator"], 2)
    auth.sign_in("pc1@example.org")
    warwickshire = _page(client)
    staffordshire = _page(client, "/staffordshire/referrals/new")
    assert '<span class="govuk-caption-l">Warwickshire</span>' in warwickshire
    assert '<span class="govuk-caption-l">Staffordshire</span>' in staffordshire
    assert SLOTS.findall(warwickshire) == [str(slot.id)] and SLOTS.findall(staffordshire) == []
    assert "Warwickshire" not in staffordshire.split('<main class="govuk-main-wrapper')[1]
    again = _page(client)
    assert _without_secrets(again) == _without_secrets(warwickshire)


def test_a_form_that_was_sent_is_never_kept(
    client: FlaskClient, auth: Auth, officers: dict[str, User]
) -> None:
    auth.sign_in("pc1@example.org")
    _page(client)
    kept = dict(fragments._KEPT)
    g.pop("_login_user", None)
    sent = client.post(FORM, data={"forename": "Zqxtypedname", "notes": "Zqxnote"}).text
    assert "Zqxtypedname" in sent and "Zqxnote" in sent  # shown again to the officer...
    assert kept == fragments._KEPT  # ...and nothing kept for it


def test_values_put_in_are_escaped_and_one_name_never_fills_a_longer_ones_place() -> None:
    def draw() -> str:
        return f"<p>{fragments.stand_in('name')}|{fragments.stand_in('name_2')}</p>"

    values = {"name": "Jo <b>", "name_2": "Al & Co"}
    assert fragments.kept(("test part",), draw, values) == "<p>Jo &lt;b&gt;|Al &amp; Co</p>"
    values = {"name": "Sam", "name_2": "Ray"}
    assert fragments.kept(("test part",), draw, values) == "<p>Sam|Ray</p>"
