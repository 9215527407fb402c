"""A property of every web form: whatever is posted to it, by anyone allowed to use it and with a
valid CSRF token, the answer is never a server error.

The forms are found from the URL map (every POST route outside the API), their field names and
offered values from the page that shows them; hypothesis then posts generated values: text of
any kind (NUL, zero-width and right-to-left characters included), numbers too large for the
database, dates past the calendar's end, the page's own choices, lists where one value is
expected and nothing at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from divert.extensions import db
from divert.models import Role, User
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.conftest import make_app
from tests.factories import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    REGIONAL_LEAD_EMAIL,
    account_email,
    area,
    create_demo_accounts,
)
from tests.referrals.builders import referral, session_slot
from tests.test_isolation import _expected

OWN = "warwickshire"
REGION = "west-midlands-region"
ACTORS = ["officer", "educator", "manager", "commissioner", "regional_lead", "admin"]
EMAILS = {"regional_lead": REGIONAL_LEAD_EMAIL, "admin": ADMIN_EMAIL}
# Signing out would end the walk; every other form is posted.
SKIPPED = {"auth.sign_out"}
EXAMPLES = 6

NAME = re.compile(r'\bname="([^"]+)"')
VALUE = re.compile(r'\bvalue="([^"]*)"')
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

HUGE_NUMBERS = ["99999999999999999999", "2147483648", "-1", "0", "1e309", "NaN", "٣"]
DATES = ["9999-12-31", "0000-00-00", "31", "12", "9999", "2024-02-30"]
# Text as browsers could never send it but a script can: no lone surrogates, since a request
# body is UTF-8 (a client cannot encode one; the JSON tests cover "\ud800").
TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)),
    max_size=300,
)
NASTY = st.sampled_from(
    ["\u0000", "A\u0000B", "\u200b", "\u202e\u202d", "\ufeff", " ", "<script>x</script>", "=1+1"]
)


@dataclass
class Form:
    rule: Rule
    url: str
    fields: list[str]
    offered: list[str]


@pytest.fixture
def csrf_app(app: Flask, database_url: str) -> Flask:
    """The app as deployed: CSRF on (the token is sent, as a browser sends it)."""
    return make_app(database_url, WTF_CSRF_ENABLED=True)


@pytest.fixture
def ids(csrf_app: Flask) -> dict[str, int]:
    """One record of each kind in the own area, for the forms that name one."""
    with csrf_app.app_context():
        create_demo_accounts()
        here = area(OWN)

        def person(role: Role) -> User:
            email = account_email(role, OWN)
            return db.session.query(User).filter_by(email=email).one()

        with area_scope(here):
            officer, educator = person(Role.OFFICER), person(Role.EDUCATOR)
            made = referral(here, officer)
            slot = session_slot(here, educator, capacity=3)
            booking = lifecycle.book(made, slot, officer)
            values = {
                "referral_id": made.id,
                "session_id": slot.id,
                "booking_id": booking.id,
                "user_id": officer.id,
                "person_id": made.person_id,
                "review_id": 1,
                "token_id": 1,
            }
            db.session.commit()
    return values


def _url(rule: Rule, ids: dict[str, int]) -> str:
    values: dict[str, object] = {"area_slug": OWN, "region_slug": REGION, "token": "x" * 43}
    values.update(ids)
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(values.get(name, 1)), path)
    return path


def _page(client: FlaskClient, rule: Rule, url: str) -> str:
    """The page that shows the form: the URL itself, or the record page it belongs to."""
    if "GET" in (rule.methods or ()):
        response = client.get(url)
    else:
        response = client.get(url.rsplit("/", 1)[0])
    return response.get_data(as_text=True) if response.status_code == 200 else ""


def _forms(app: Flask, client: FlaskClient, actor: str, ids: dict[str, int]) -> list[Form]:
    forms = []
    for rule in app.url_map.iter_rules():
        if (
            "POST" not in (rule.methods or ())
            or rule.rule.startswith("/api/")
            or rule.endpoint in SKIPPED
            or actor not in _expected(rule.endpoint)
        ):
            continue
        url = _url(rule, ids)
        html = _page(client, rule, url)
        # No page shows it (a record-less action): names every form here uses, and one stray.
        fields = sorted(set(NAME.findall(html)) - {"csrf_token"}) or ["action", "rowid", "x"]
        offered = sorted(set(VALUE.findall(html)))
        forms.append(Form(rule, url, fields, offered))
    return forms


def _value(offered: list[str]) -> st.SearchStrategy[Any]:
    one = st.one_of(
        st.sampled_from(offered) if offered else st.just(""),
        TEXT,
        NASTY,
        st.sampled_from(HUGE_NUMBERS),
        st.sampled_from(DATES),
        st.integers(-(2**70), 2**70).map(str),
        st.dates().map(date.isoformat),
    )
    return st.one_of(one, st.lists(one, max_size=4))


def _sign_in(app: Flask, actor: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    with app.app_context():
        page = client.get("/sign-in").get_data(as_text=True)
    email = EMAILS.get(actor, account_email(actor, OWN))
    with app.app_context():
        signed_in = client.post(
            "/sign-in",
            data={"email": email, "password": DEMO_PASSWORD, "csrf_token": CSRF.search(page)[1]},
        )
    assert signed_in.status_code == 302, f"could not sign in as {actor}"
    with app.app_context():
        account = client.get("/account").get_data(as_text=True)
    return client, CSRF.search(account)[1]


@pytest.mark.parametrize("actor", ACTORS)
def test_no_web_form_answers_a_server_error(
    csrf_app: Flask, ids: dict[str, int], actor: str
) -> None:
    client, token = _sign_in(csrf_app, actor)
    with csrf_app.app_context():
        forms = _forms(csrf_app, client, actor, ids)
    assert forms, f"no forms found for {actor}"
    failures: list[str] = []
    answered: set[int] = set()

    @given(data=st.data())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def post_everything(data: st.DataObject) -> None:
        for form in forms:
            chosen = data.draw(st.lists(st.sampled_from(form.fields), unique=True))
            body = {name: data.draw(_value(form.offered)) for name in chosen}
            body["csrf_token"] = token
            with csrf_app.app_context():  # a fresh `g` per request, as in a real server
                response = client.post(form.url, data=body)
            answered.add(response.status_code)
            if response.status_code >= 500 or (
                response.status_code == 400 and ("expired" in response.get_data(as_text=True))
            ):
                failures.append(f"{actor} POST {form.url} {body!r} -> {response.status_code}")

    post_everything()
    assert failures == []
    # The posts went past the door (a form re-shown with messages, or a change saved).
    assert answered & {200, 302}, answered
