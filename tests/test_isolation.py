"""Every route × every role × own and foreign area: each role reaches exactly the routes the
table below (EXPECTED_ACCESS, written out by hand) gives it, a foreign area or a foreign record
is always 404, and no response carries another area's data.

Routes are discovered from the URL map, so a new route is covered without editing this test;
a route whose URL variable this test cannot fill fails it (extend the world's ids).

API routes take bearer tokens, never a session: the web walk checks that a signed-in session
gets 401 from each of them, and the API walk sends every API route a token of every role (held
by people who belong to both areas, so only the token keeps them out of the foreign one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from divert.auth import tokens
from divert.courses import services as courses
from divert.extensions import db
from divert.models import (
    Area,
    ContactAttempt,
    Contract,
    Course,
    MatchReview,
    Membership,
    Programme,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Region,
    Role,
    SessionKind,
    User,
)
from divert.referrals import closure, lifecycle
from divert.tenancy import area_scope, system_scope
from tests.custody.builders import cars_records
from tests.factories import (
    ADMIN_EMAIL,
    REGIONAL_LEAD_EMAIL,
    account_email,
    area,
    create_demo_accounts,
    make_token,
)
from tests.referrals.builders import programme_id, referral, session_slot

OWN, FOREIGN = "warwickshire", "staffordshire"
ACTORS = [*(role.value for role in Role), "regional_lead", "admin", "anonymous"]
FIXED_VALUES = {
    "filename": "images/favicon.ico",
    "token": "not-a-real-token",
    "path": "x",
    "export_type": "csv",
}


def _marker(slug: str) -> str:
    return f"Zqx{slug.replace('-', '')}marker"


@dataclass
class AreaWorld:
    """One record of every kind in an area, made by that area's demo accounts."""

    ids: dict[str, int]


def _build_area_world(slug: str) -> AreaWorld:
    here = area(slug)
    with area_scope(here):
        officer = _user(account_email(Role.OFFICER, slug))
        educator = _user(account_email(Role.EDUCATOR, slug))
        # A young person, so that the assessment and safeguarding pages are open to the walk.
        made = referral(
            here,
            officer,
            forename=_marker(slug),
            surname=_marker(slug),
            email=f"{_marker(slug)}@example.org",
            date_of_birth=date.today() - timedelta(days=15 * 365 + 100),
            guardian_name=_marker(slug),
            guardian_contact="07700 900456",
        )
        earlier = referral(
            here,
            officer,
            forename=_marker(slug),
            surname=_marker(slug),
            offence_date=date(2024, 1, 5),
        )
        slot = session_slot(
            here,
            educator,
            capacity=2,
            kind=SessionKind.ASSESSMENT,
            programme="divert-young-people",
        )
        booking = lifecycle.book(made, slot, officer)
        course = _course_with_a_cohort(here, officer, educator, slug)
        db.session.add(
            ContactAttempt(
                referral_id=made.id, user_id=educator.id, method="phone", outcome="no answer"
            )
        )
        review = MatchReview(
            referral_id=made.id,
            candidate_referral_id=earlier.id,
            person_id=made.person_id,
            candidate_person_id=earlier.person_id,
            weight=7.5,
        )
        db.session.add(review)
        db.session.flush()
        cars_ids = cars_records(
            here, _user(account_email(Role.CUSTODY_WORKER, slug)), _COURT[slug], _marker(slug)
        )
        contract = db.session.query(Contract).first()
        token = tokens.create_token(officer, name="records system", area=here)
        event = db.session.query(ReferralEvent).filter_by(referral_id=made.id).first()
        ids = {
            "referral_id": made.id,
            "session_id": course.sessions[0].id,
            "course_id": course.id,
            "booking_id": booking.id,
            "review_id": review.id,
            "user_id": educator.id,
            "contract_id": contract.id,
            "event_id": event.id,
            "person_id": made.person_id,
            "token_id": token.token.id,
            **cars_ids,
        }
        db.session.commit()
    return AreaWorld(ids)


# A court of each area of the walk, where its CARS contact was seen.
_COURT = {"warwickshire": "leamington-court", "staffordshire": "cannock-court"}


def _course_with_a_cohort(here: Area, officer: User, educator: User, slug: str) -> Course:
    """An ARV course whose cohort is one conditional-caution referral of the area."""
    cautioned = referral(
        here,
        officer,
        forename=_marker(slug),
        surname=_marker(slug),
        disposal="conditional_caution",
        disposal_on=date.today(),
    )
    course = courses.publish(
        programme=db.session.get(Programme, programme_id(here, "arv")),
        educator=educator,
        title=f"ARV course {_marker(slug)}",
        starts=courses.weekly(datetime.now(UTC) + timedelta(days=3), 4),
        minutes=120,
        capacity=8,
        venue=None,
    )
    courses.enrol(course, cautioned, educator)
    return course


def _user(email: str) -> User:
    return db.session.query(User).filter_by(email=email).one()


@pytest.fixture
def world(app_ctx: Flask) -> Iterator[dict[str, AreaWorld]]:
    create_demo_accounts()
    db.session.add(Region(slug="another-region", name="Another region"))
    db.session.commit()
    yield {slug: _build_area_world(slug) for slug in (OWN, FOREIGN)}


def _routes(app: Flask) -> list[Rule]:
    """Every rule; signing out goes last so that it does not end the walk early."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    return sorted(rules, key=lambda rule: rule.endpoint == "auth.sign_out")


def _method(rule: Rule) -> str:
    return (
        "GET"
        if "GET" in (rule.methods or ())
        else sorted((rule.methods or set()) - {"OPTIONS", "HEAD"})[0]
    )


def _url(rule: Rule, area_slug: str, region_slug: str, ids: dict[str, int]) -> str:
    values: dict[str, object] = {}
    for name in rule.arguments:
        if name == "area_slug":
            values[name] = area_slug
        elif name == "region_slug":
            values[name] = region_slug
        elif name in ids:
            values[name] = ids[name]
        elif name in FIXED_VALUES:
            values[name] = FIXED_VALUES[name]
        else:
            pytest.fail(f"{rule.rule}: add a value for <{name}> to the isolation world")
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", str(value))
        for converter in ("int", "id", "string", "path"):
            path = path.replace(f"<{converter}:{name}>", str(value))
    return path


# -- who may use each route: written out here, never read from divert.permissions -------------
#
# A change to the permission table must change this table too, in a reviewed test change: a
# test whose expectations came from ROLE_PERMISSIONS stayed green when commissioners (who must
# never see a name) were given the case pages.

AREA_MEMBERS = (
    "officer educator manager commissioner police_supervisor force_analyst treatment_service"
    " custody_worker"
)
SIGNED_IN = f"{AREA_MEMBERS} regional_lead admin"
EVERYONE = f"{SIGNED_IN} anonymous"
CASEWORK = "educator manager"
POLICE_OUTCOMES = "officer police_supervisor"  # officers their own returned cases
FORCE_DATA = "force_analyst"  # references of cases due, never a name
CUSTODY = "custody_worker manager"

EXPECTED_ACCESS: dict[str, str] = {
    # the JSON API (bearer tokens; a session cookie gets 401)
    "api.area_figures": "manager commissioner",
    "api.area_cars_figures": "manager commissioner",
    "api.region_cars_figures": "regional_lead",
    "api.book_slot": "officer",
    "api.create_custody_assessment": CUSTODY,
    "api.create_custody_contact": CUSTODY,
    "api.confirm_custody_treatment_entry": "treatment_service",
    "api.confirm_treatment_entry": "treatment_service",
    "api.create_referral": "officer",
    "api.get_custody_contact": CUSTODY,
    "api.docs": EVERYONE,
    "api.enrol": CASEWORK,
    "api.list_courses": CASEWORK,
    "api.list_programmes": AREA_MEMBERS,
    "api.get_referral": "officer",
    "api.list_referrals": "officer",
    "api.list_due_checks": FORCE_DATA,
    "api.list_slots": "officer",
    "api.openapi_json": EVERYONE,
    "api.outcome_figures": "manager commissioner",
    "api.post_comparison_group": FORCE_DATA,
    "api.post_eligible_offences": FORCE_DATA,
    "api.post_results": FORCE_DATA,
    "api.record_attendance": CASEWORK,
    "api.region_figures": "regional_lead",
    "api.take_register": CASEWORK,
    # casework: the young people's assessment, courses, enrolments and registers
    "assessments.record_assessment": CASEWORK,
    "courses.course": CASEWORK,
    "courses.courses": CASEWORK,
    "courses.enrol": CASEWORK,
    "courses.new_course": CASEWORK,
    "courses.register": CASEWORK,
    # CARS: custody workers' and managers' casework; police book out of hours (no names shown)
    "custody.activity": CUSTODY,
    "custody.appointment": CUSTODY,
    "custody.assessment": CUSTODY,
    "custody.book": CUSTODY,
    "custody.caseload": CUSTODY,
    "custody.close": CUSTODY,
    "custody.contact": CUSTODY,
    "custody.new_contact": CUSTODY,
    "custody.police_booking": "officer",
    "custody.request_suitability": CUSTODY,
    "custody.suitability": CUSTODY,
    "custody.take": CUSTODY,
    "custody.treatment": CUSTODY,
    "api.withdraw_referral": "officer",
    # API tokens: each person's own, in their area or region
    "api_tokens.list_area_tokens": AREA_MEMBERS,
    "api_tokens.new_area_token": AREA_MEMBERS,
    "api_tokens.revoke_area_token": AREA_MEMBERS,
    "api_tokens.list_region_tokens": "regional_lead",
    "api_tokens.new_region_token": "regional_lead",
    "api_tokens.revoke_region_token": "regional_lead",
    # a manager's officers and educators
    "area_users.edit_user": "manager",
    "area_users.invite_user": "manager",
    "area_users.list_users": "manager",
    "area_users.resend_invitation": "manager",
    "area_users.invitation": SIGNED_IN,  # accepted by its invitee, whoever is signed in
    "audit.area_audit": "manager",
    # accounts
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.choose_area": SIGNED_IN,
    "auth.sign_out": SIGNED_IN,
    "auth.sign_out_other_sessions": SIGNED_IN,
    "auth.forgot_password": EVERYONE,
    "auth.set_password": EVERYONE,
    "auth.sign_in": EVERYONE,
    # figures: aggregates only
    "dashboard.area_dashboard": "manager commissioner",
    "dashboard.board_report": "manager commissioner",
    "dashboard.export_csv": "manager commissioner",
    "dashboard.export_xlsx": "manager commissioner",
    "dashboard.region_board_report": "regional_lead",
    "dashboard.region_dashboard": "regional_lead",
    "dashboard.region_export_csv": "regional_lead",
    "dashboard.region_export_xlsx": "regional_lead",
    "home.area_home": AREA_MEMBERS,
    "home.govuk_assets": EVERYONE,
    "home.healthz": EVERYONE,
    "home.index": EVERYONE,
    # outcomes: the police's outcomes of returned cases, the force's data, treatment entry
    "outcomes.area_referrals": "police_supervisor",
    "outcomes.checks_due": FORCE_DATA,
    "outcomes.checks_due_csv": FORCE_DATA,
    "outcomes.comparison_groups": FORCE_DATA,
    "outcomes.eligible_offences": FORCE_DATA,
    "outcomes.police_outcome": POLICE_OUTCOMES,
    "outcomes.returned_cases": POLICE_OUTCOMES,
    "outcomes.treatment_entry": CASEWORK,
    "outcomes.upload_results": FORCE_DATA,
    # the officer's pathway: their own referrals
    "referrals.confirmation": "officer",
    "referrals.my_referrals": "officer",
    "referrals.new_referral": "officer",
    "referrals.referral_detail": "officer",
    "referrals.withdraw": "officer",
    "reviews.decide": "manager",
    "reviews.review_queue": "manager",
    # search: the area's cases for casework, an officer's own referrals for an officer
    "search.search": "officer educator manager",
    # casework: names and clinical detail, never commissioners or officers
    "sessions.book": CASEWORK,
    "sessions.calendar_feed": EVERYONE,  # the secret link is the key
    "sessions.cancel_booking": CASEWORK,
    "sessions.case": CASEWORK,
    "sessions.caseload": CASEWORK,
    "sessions.diary": CASEWORK,
    "sessions.new_session": CASEWORK,
    "sessions.raise_safeguarding_concern": CASEWORK,
    "sessions.record_attendance": CASEWORK,
    "sessions.record_contact": CASEWORK,
    "sessions.record_outcome": CASEWORK,
    "sessions.regenerate_calendar_link": CASEWORK,
    "sessions.session_detail": CASEWORK,
}


def _expected(endpoint: str) -> frozenset[str]:
    """Who may use the endpoint. Every Flask-Admin page (the `admin*` blueprints) is for
    administrators only."""
    if endpoint.split(".")[0].startswith("admin"):
        return frozenset({"admin"})
    return frozenset(EXPECTED_ACCESS[endpoint].split())


def test_the_expected_table_names_every_route(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in _routes(app)}
    endpoints = {name for name in endpoints if not name.split(".")[0].startswith("admin")}
    assert sorted(endpoints - set(EXPECTED_ACCESS)) == [], "add the new routes to EXPECTED_ACCESS"
    assert sorted(set(EXPECTED_ACCESS) - endpoints) == [], "routes that no longer exist"


def _sign_in(client: FlaskClient, actor: str) -> None:
    email = {"regional_lead": REGIONAL_LEAD_EMAIL, "admin": ADMIN_EMAIL}.get(
        actor, account_email(actor, OWN)
    )
    if actor != "anonymous":
        response = client.post(
            "/sign-in", data={"email": email, "password": "divert-demo-password"}
        )
        assert response.status_code == 302, f"could not sign in as {actor}"


def _allowed(actor: str, endpoint: str) -> bool:
    return actor in _expected(endpoint)


def _forget_request_user() -> None:
    """The world fixture keeps an app context open, and requests share its `g`: drop the user
    (and token) loaded by the last request, as a real request would start without them."""
    g.pop("_login_user", None)
    g.pop("api_token", None)


def _token_only(app: Flask, rule: Rule) -> bool:
    view = app.view_functions[rule.endpoint]
    return getattr(view, "api_operation", False) and view.required_permission is not None


def test_every_view_declares_a_permission(app: Flask) -> None:
    missing = [
        rule.endpoint
        for rule in _routes(app)
        if not hasattr(app.view_functions[rule.endpoint], "required_permission")
        and not rule.endpoint.startswith("admin")
    ]
    assert missing == []


Check = Callable[[str, int, str], None]


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_for_every_role_in_own_and_foreign_area(
    app: Flask, client: FlaskClient, world: dict[str, AreaWorld], actor: str
) -> None:
    _sign_in(client, actor)
    foreign_markers = [_marker(FOREIGN)]
    failures: list[str] = []
    for rule in _routes(app):
        public = "anonymous" in _expected(rule.endpoint)
        method = _method(rule)
        cases = [("own", OWN, "west-midlands-region", world[OWN].ids)]
        if "area_slug" in rule.arguments:
            cases.append(("foreign area", FOREIGN, "west-midlands-region", world[FOREIGN].ids))
            if set(rule.arguments) & set(world[OWN].ids):
                cases.append(("foreign record", OWN, "west-midlands-region", world[FOREIGN].ids))
        if "region_slug" in rule.arguments:
            cases.append(("foreign region", OWN, "another-region", world[OWN].ids))
        for case, area_slug, region_slug, ids in cases:
            url = _url(rule, area_slug, region_slug, ids)
            _forget_request_user()
            response = client.open(url, method=method)
            status = response.status_code
            body = response.get_data().decode("utf-8", errors="replace")
            where = f"{actor} {method} {url} ({case}) -> {status}"
            if status >= 500:
                failures.append(f"{where}: server error")
            elif any(marker in body for marker in foreign_markers):
                failures.append(f"{where}: shows another area's data")
            elif _token_only(app, rule):
                if status != 401:
                    failures.append(f"{where}: an API route accepted a session")
            elif not public and actor == "anonymous":
                if status not in (302, 401, 404):
                    failures.append(f"{where}: anonymous not sent to sign in")
            elif case != "own" and not public:
                if status != 404 and not (case == "foreign record" and status == 403):
                    failures.append(f"{where}: expected 404")
            elif case == "own":
                allowed = _allowed(actor, rule.endpoint)
                if not allowed and status not in (403, 404):
                    failures.append(f"{where}: expected refusal")
                if allowed and status in (401, 403):
                    failures.append(f"{where}: expected access")
    assert failures == []


# -- the API, with tokens ------------------------------------------------------------------------

TOKEN_ACTORS = [*(role.value for role in Role), "regional_lead", "no token"]


def _token_for(actor: str) -> str | None:
    """A token of the own area's account for `actor`, who is given the same role in the
    foreign area too: only the token keeps them out of it."""
    if actor == "no token":
        return None
    if actor == "regional_lead":
        lead = _user(REGIONAL_LEAD_EMAIL)
        return make_token(lead, region=lead.regional_leads[0].region)
    person = _user(account_email(actor, OWN))
    with system_scope():  # a membership of the foreign area
        person.memberships.append(Membership(area=area(FOREIGN), role=Role(actor)))
        db.session.flush()
    return make_token(person, area=area(OWN))


@pytest.mark.parametrize("actor", TOKEN_ACTORS)
def test_every_api_route_for_every_token_in_own_and_foreign_area(
    app: Flask, client: FlaskClient, world: dict[str, AreaWorld], actor: str
) -> None:
    secret = _token_for(actor)
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    headers["Idempotency-Key"] = "isolation-walk"
    failures: list[str] = []
    rules = [rule for rule in _routes(app) if _token_only(app, rule)]
    assert rules, "no API routes found"
    for rule in rules:
        method = _method(rule)
        cases = [("own", OWN, "west-midlands-region", world[OWN].ids)]
        if "area_slug" in rule.arguments:
            cases.append(("foreign area", FOREIGN, "west-midlands-region", world[FOREIGN].ids))
            if set(rule.arguments) & set(world[OWN].ids):
                cases.append(("foreign record", OWN, "west-midlands-region", world[FOREIGN].ids))
        if "region_slug" in rule.arguments:
            cases.append(("foreign region", OWN, "another-region", world[OWN].ids))
        for case, area_slug, region_slug, ids in cases:
            url = _url(rule, area_slug, region_slug, ids)
            json_body = {} if method == "POST" else None
            _forget_request_user()
            response = client.open(url, method=method, headers=headers, json=json_body)
            status, body = response.status_code, response.get_data(as_text=True)
            where = f"{actor} {method} {url} ({case}) -> {status}"
            if status >= 500:
                failures.append(f"{where}: server error")
            elif _marker(FOREIGN) in body:
                failures.append(f"{where}: shows another area's data")
            elif not response.is_json or ("error" not in response.get_json() and status >= 400):
                failures.append(f"{where}: not a JSON error")
            elif secret is None:
                if status != 401:
                    failures.append(f"{where}: expected 401 without a token")
            elif case != "own":
                if status != 404 and not (case == "foreign record" and status == 403):
                    failures.append(f"{where}: expected 404")
            else:
                allowed = _allowed(actor, rule.endpoint)
                if not allowed and status not in (403, 404):
                    failures.append(f"{where}: expected refusal")
                if allowed and status in (401, 403, 404):
                    failures.append(f"{where}: expected access")
    assert failures == []


def test_a_record_number_too_large_for_the_database_is_not_found(
    client: FlaskClient, world: dict[str, AreaWorld]
) -> None:
    _sign_in(client, "manager")
    for path in ("referrals", "cases"):
        assert client.get(f"/{OWN}/{path}/99999999999999999999").status_code == 404


def test_a_force_analyst_sees_references_of_cases_due_and_never_a_name(
    app: Flask, client: FlaskClient, world: dict[str, AreaWorld]
) -> None:
    """Every page and API list a force analyst can open shows no name; the cases due list
    holds only cases whose window has ended."""
    here = area(OWN)
    with area_scope(here):
        officer = _user(account_email(Role.OFFICER, OWN))
        due = referral(here, officer, forename=_marker(OWN), surname=_marker(OWN))
        lifecycle.change_status(due, ReferralStatus.NOT_ENGAGED, officer)
        due.closed_on = date(2025, 1, 10)
        closure.case_closed(due)
        not_due = referral(here, officer, forename=_marker(OWN), surname=_marker(OWN))
        lifecycle.change_status(not_due, ReferralStatus.NOT_ENGAGED, officer)
        analyst = _user(account_email(Role.FORCE_ANALYST, OWN))
        secret = make_token(analyst, area=here)
        due_reference, not_due_reference = due.reference, not_due.reference
    _sign_in(client, Role.FORCE_ANALYST.value)
    seen = []
    for rule in _routes(app):
        if "GET" not in (rule.methods or ()) or _token_only(app, rule):
            continue
        if rule.endpoint.startswith(("admin", "auth.sign_out")):
            continue
        url = _url(rule, OWN, "west-midlands-region", world[OWN].ids)
        _forget_request_user()
        response = client.get(url)
        if response.status_code == 200:
            seen.append(url)
            body = response.get_data().decode("utf-8", errors="replace")
            assert _marker(OWN) not in body, url
    assert f"/{OWN}/reoffending" in seen
    _forget_request_user()
    _sign_in(client, Role.FORCE_ANALYST.value)  # some pages of the walk end the session
    due_page = client.get(f"/{OWN}/reoffending").get_data(as_text=True)
    assert due_reference in due_page and not_due_reference not in due_page
    _forget_request_user()
    listed = client.get(
        f"/api/v1/areas/{OWN}/reoffending/due", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    assert [item["reference"] for item in listed["items"]] == [due_reference]
    assert _marker(OWN) not in str(listed)


@pytest.mark.parametrize("actor", ["officer", "educator", "manager"])
def test_search_finds_nothing_of_another_area(
    client: FlaskClient, world: dict[str, AreaWorld], actor: str
) -> None:
    """The walk above opens /<area>/search without a query; here it searches for the foreign
    area's person by name and by reference, and for the own area's."""
    _sign_in(client, actor)
    foreign, own = _marker(FOREIGN), _marker(OWN)
    with area_scope(area(FOREIGN)):
        foreign_reference = db.session.get(Referral, world[FOREIGN].ids["referral_id"]).reference
    by_reference = client.get(f"/{OWN}/search", query_string={"q": foreign_reference})
    assert by_reference.status_code == 200 and "No cases found" in by_reference.text
    # Both markers sound alike, so the own area's people may be found; never the foreign one.
    by_name = client.get(f"/{OWN}/search", query_string={"q": f"{foreign} {foreign}"}).text
    results = by_name.rsplit("</form>", 1)[1]  # after the search box, which echoes the term
    assert foreign not in results and foreign_reference not in results
    mine = client.get(f"/{OWN}/search", query_string={"q": f"{own} {own}"}).text
    # The officer's own three (two referrals and the cautioned one of the course's cohort);
    # every case of the area for staff.
    assert "3 cases found" in mine
