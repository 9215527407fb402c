"""Administration: only admins, GOV.UK forms, and no save that could break a figure."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from divert.extensions import db
from divert.models import AuditEvent, Contract, OutboxMessage, Pricing, Programme, Role, User
from divert.tenancy import system_scope
from tests.factories import ADMIN_EMAIL, account_email, area, create_demo_accounts

CONTRACTS = "/admin/admin_contracts/"


@pytest.fixture
def admin(app_ctx: Flask, client: FlaskClient) -> FlaskClient:
    create_demo_accounts()
    client.post("/sign-in", data={"email": ADMIN_EMAIL, "password": "divert-demo-password"})
    return client


def _contract(**changes: str | list[str]) -> dict[str, str | list[str]]:
    """A contract form as posted: each date as the day, month and year boxes."""
    fields: dict[str, str | list[str]] = {
        "area_id": str(area("west-mercia").id),
        "programme_code": "divert-adults",
        "label": "Extension to March 2028",
        "starts_on": ["1", "4", "2027"],
        "ends_on": ["31", "3", "2028"],
        "pricing": "per_place",
        "places_allocated": "120",
        "value_pounds": "6043.50",
        "funding_source": "OPCC community safety fund",
        "extends_id": "0",
    }
    return {**fields, **changes}


def _contract_count() -> int:
    with system_scope():
        return db.session.scalar(select(func.count(Contract.id))) or 0


def test_an_admin_creates_a_contract(admin: FlaskClient) -> None:
    before = _contract_count()
    response = admin.post(f"{CONTRACTS}new/", data=_contract())
    assert response.status_code == 302
    with system_scope():
        made = db.session.scalars(select(Contract).order_by(Contract.id.desc())).first()
    assert (made.label, made.places_allocated, made.value_pence) == (
        "Extension to March 2028",
        120,
        604350,
    )
    assert _contract_count() == before + 1
    with system_scope():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "admin_created")
        ).one()
    assert (event.record_type, event.record_id) == ("contract", made.id)


def test_a_fixed_contribution_needs_no_places_and_keeps_its_terms(admin: FlaskClient) -> None:
    response = admin.post(
        f"{CONTRACTS}new/",
        data=_contract(
            pricing="fixed",
            places_allocated="",
            go_live_on="2027-06-01",
            value_is_example="y",
        ),
    )
    assert response.status_code == 302
    with system_scope():
        made = db.session.scalars(select(Contract).order_by(Contract.id.desc())).first()
    assert (made.pricing, made.places_allocated, made.value_pence) == (Pricing.FIXED, None, 604350)
    assert (made.go_live_on, made.value_example, made.places_example) == (
        date(2027, 6, 1),
        True,
        False,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"places_allocated": ""}, "places_allocated", "a per-place contract is priced by them"),
        ({"go_live_on": "2028-04-01"}, "go_live_on", "Go-live date must be within the contract"),
        (
            {"ends_on": ["31", "3", "2027"]},
            "ends_on",
            "End date must be the same as or after the start",
        ),
        ({"places_allocated": "0"}, "places_allocated", "Places must be 1 or more"),
        ({"value_pounds": "-1"}, "value_pounds", "Value must be £0 or more"),
        (
            {"starts_on": ["1", "12", "2026"]},
            "starts_on",
            "overlaps another DIVERT adults contract of the area",
        ),
        ({"starts_on": ["31", "2", "2027"]}, "starts_on", "Start date must be a real date"),
        ({"starts_on": ["1", "", "2027"]}, "starts_on", "Start date must include a month"),
        ({"ends_on": ["", "", ""]}, "ends_on", "Enter the end date"),
        ({"label": ""}, "label", "Enter a name for the contract"),
    ],
)
def test_a_contract_that_would_break_a_figure_is_refused(
    admin: FlaskClient, changes: dict[str, str | list[str]], field: str, message: str
) -> None:
    before = _contract_count()
    response = admin.post(f"{CONTRACTS}new/", data=_contract(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page and message in page
    assert 'class="govuk-error-summary' in page
    assert 'value="OPCC community safety fund"' in page  # what was typed is kept
    assert _contract_count() == before


def test_an_extension_must_extend_the_same_areas_contract(admin: FlaskClient) -> None:
    with system_scope():
        elsewhere = db.session.scalars(
            select(Contract).where(Contract.area_id == area("warwickshire").id)
        ).first()
    response = admin.post(f"{CONTRACTS}new/", data=_contract(extends_id=str(elsewhere.id)))
    assert "An extension must extend a contract of the same area" in response.get_data(as_text=True)


def test_two_programmes_contracts_may_overlap(admin: FlaskClient) -> None:
    before = _contract_count()
    assert admin.post(f"{CONTRACTS}new/", data=_contract()).status_code == 302
    response = admin.post(f"{CONTRACTS}new/", data=_contract(programme_code="divert-young-people"))
    assert response.status_code == 302
    assert _contract_count() == before + 2
    with system_scope():
        made = db.session.scalars(select(Contract).order_by(Contract.id.desc())).first()
        assert (made.programme.area_id, made.programme.code) == (
            area("west-mercia").id,
            "divert-young-people",
        )


def test_a_contract_is_for_a_programme_the_area_runs(admin: FlaskClient) -> None:
    with system_scope():
        db.session.add(
            Programme(
                area_id=area("warwickshire").id,
                code="cannabis-awareness",
                name="Cannabis awareness evening",
                disposals=["community_resolution"],
                pathway=["one_to_one"],
                completion_rule="one_to_one_attended",
            )
        )
        db.session.commit()
    before = _contract_count()
    page = admin.post(f"{CONTRACTS}new/", data=_contract(programme_code="cannabis-awareness")).text
    assert 'id="programme_code-error"' in page
    assert "Choose one of the area&#39;s programmes" in page
    assert 'value="OPCC community safety fund"' in page
    assert _contract_count() == before


def test_an_extension_must_extend_the_same_programmes_contract(admin: FlaskClient) -> None:
    with system_scope():
        adults = db.session.scalars(
            select(Contract)
            .join(Contract.programme)
            .where(Contract.area_id == area("west-mercia").id, Programme.code == "divert-adults")
            .order_by(Contract.starts_on.desc())
        ).first()
    page = admin.post(
        f"{CONTRACTS}new/", data=_contract(programme_code="arv", extends_id=str(adults.id))
    ).text
    assert 'id="extends_id-error"' in page
    assert "An extension must extend a contract of the same programme" in page


def test_editing_shows_pounds_and_refuses_a_bad_change(admin: FlaskClient) -> None:
    with system_scope():
        contract = db.session.scalars(
            select(Contract).where(Contract.area_id == area("warwickshire").id)
        ).first()
    page = admin.get(f"{CONTRACTS}edit/", query_string={"id": contract.id}).get_data(as_text=True)
    assert 'value="8058.00"' in page
    assert '<option selected value="divert-adults">' in page
    response = admin.post(
        f"{CONTRACTS}edit/?id={contract.id}",
        data=_contract(
            area_id=str(contract.area_id),
            starts_on=str(contract.starts_on),
            ends_on=str(contract.ends_on),
            places_allocated="0",
        ),
    )
    assert "Places must be 1 or more" in response.get_data(as_text=True)
    db.session.expire_all()
    with system_scope():
        assert db.session.get(Contract, contract.id).places_allocated == 158


def test_a_new_account_is_sent_an_invitation(admin: FlaskClient) -> None:
    response = admin.post(
        "/admin/admin_users/new/",
        data={"name": "Sam Okafor", "email": "Sam.Okafor@Example.org", "active": "y"},
    )
    assert response.status_code == 302
    user = db.session.scalars(
        select(User).where(func.lower(User.email) == "sam.okafor@example.org")
    ).one()
    assert user.password_hash is None and not user.is_admin
    with system_scope():
        message = db.session.scalars(select(OutboxMessage)).one()
    assert message.recipient == user.email and "/set-password/" in message.body
    clash = admin.post(
        "/admin/admin_users/new/", data={"name": "Sam again", "email": "sam.okafor@example.org"}
    )
    assert "Another account already uses this email address" in clash.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.COMMISSIONER, Role.OFFICER])
def test_administration_is_hidden_from_everyone_else(
    app_ctx: Flask, client: FlaskClient, role: Role
) -> None:
    create_demo_accounts()
    client.post(
        "/sign-in",
        data={"email": account_email(role, "warwickshire"), "password": "divert-demo-password"},
    )
    for path in ("/admin/", CONTRACTS, "/admin/audit/", "/admin/people/"):
        assert client.get(path).status_code == 404
    assert client.post(f"{CONTRACTS}new/", data=_contract()).status_code == 404


GARBAGE = ["", "x" * 300, "-1", "99999999999999999999", "2025-02-31", "<script>", "0", "abc"]


def _create_urls(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin_") and rule.endpoint.endswith(".create_view")
    )


def test_no_bad_input_to_any_admin_form_is_a_server_error(app: Flask, admin: FlaskClient) -> None:
    """Every field of every create form, given each kind of nonsense, gets an answer, not a 500,
    and nothing is saved."""
    urls = _create_urls(app)
    assert len(urls) >= 10
    for url in urls:
        form_page = admin.get(url)
        if form_page.status_code == 302:
            continue  # this record cannot be created here (areas come from tenants/)
        page = form_page.get_data(as_text=True)
        names = sorted(set(re.findall(r'name="([a-z_]+)"', page)) - {"csrf_token", "search"})
        assert names, url
        for value in GARBAGE:
            with system_scope():
                before = _every_count()
            response = admin.post(url, data=dict.fromkeys(names, value))
            assert response.status_code < 500, f"{url} with {value!r}"
            with system_scope():
                assert _every_count() == before, f"{url} saved {value!r}"


def _every_count() -> tuple[int, ...]:
    from divert.models import Area, Membership, Region, RegionalLead, Substance

    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Area, Contract, Membership, Region, RegionalLead, Substance, User)
    )


# Enum member names the admin pages must never show (people read "Police officer", not OFFICER).
RAW_CODES = re.compile(r"\b(OFFICER|EDUCATOR|MANAGER|COMMISSIONER|INVITE|RESET)\b")


def _admin_pages(app: Flask, admin: FlaskClient) -> list[str]:
    """Every admin list, every create form, and the edit form of each list's first record."""
    lists = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin_") and rule.endpoint.endswith(".index_view")
    )
    pages = [*lists, *_create_urls(app)]
    for url in lists:
        first_edit = re.search(r'href="([^"]*/edit/\?id=\d+[^"]*)"', admin.get(url).text)
        if first_edit:
            pages.append(first_edit.group(1).replace("&amp;", "&"))
    return pages


def test_admin_pages_name_things_in_words(app: Flask, admin: FlaskClient) -> None:
    pages = _admin_pages(app, admin)
    assert len(pages) >= 25
    for url in pages:
        response = admin.get(url)
        if response.status_code == 302:
            continue  # areas are created from tenants/, not here
        page = response.text
        assert response.status_code == 200, url
        assert "object at 0x" not in page, url
        shown = re.sub(r"<[^>]+>", " ", page)  # what a person reads (an option's value is not)
        assert not RAW_CODES.search(shown), (url, RAW_CODES.search(shown))
    memberships = admin.get("/admin/admin_memberships/").text
    assert "Police officer" in memberships and "Commissioner (OPCC)" in memberships
    assert "Demo Officer (Warwickshire) (officer@warwickshire.example)" in memberships
    assert ">Warwickshire</td>" in memberships
    new_membership = admin.get("/admin/admin_memberships/new/").text
    assert '<option value="EDUCATOR">Drug educator</option>' in new_membership
    area_form = admin.get(f"/admin/admin_areas/edit/?id={area('warwickshire').id}").text
    assert "Change Warwickshire" in area_form and "Repeat look-back (days)" in area_form
    assert '<option selected value="1">West Midlands region</option>' in area_form or (
        ">West Midlands region</option>" in area_form
    )


def test_contract_dates_are_gov_uk_date_inputs(admin: FlaskClient) -> None:
    page = admin.get(f"{CONTRACTS}new/").text
    for part in ("day", "month", "year"):
        assert f'id="starts_on-{part}"' in page and f'id="ends_on-{part}"' in page
    refused = admin.post(f"{CONTRACTS}new/", data=_contract(ends_on=["", "3", "2028"])).text
    # The error summary's link puts the cursor in the box that is missing.
    assert 'href="#ends_on-day"' in refused
    assert 'value="3"' in refused and 'value="2028"' in refused
