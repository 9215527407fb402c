"""Searching for a case: by a (misspelt) name through the blocking keys, by reference or crime
reference; within the area only, and an officer among their own referrals only."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from divert.extensions import db
from divert.models import Role, User
from divert.referrals import search
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import referral


@pytest.fixture
def people(app_ctx: Flask) -> dict[str, User]:
    return {
        "officer": make_user("pc@example.org", {"warwickshire": Role.OFFICER}),
        "colleague": make_user("pc2@example.org", {"warwickshire": Role.OFFICER}),
        "educator": make_user("ed@example.org", {"warwickshire": Role.EDUCATOR}),
        "foreign": make_user("pc@staffs.org", {"staffordshire": Role.OFFICER}),
    }


@pytest.fixture
def cases(people: dict[str, User]) -> dict[str, str]:
    here = area("warwickshire")
    with area_scope(here):
        jordan = referral(
            here, people["officer"], forename="Jordan", surname="Smith", crime_reference="23/555/24"
        )
        referral(here, people["colleague"], forename="Morgan", surname="Smith")
        referral(here, people["officer"], forename="Priya", surname="Shah")
        references = {"jordan": jordan.reference}
        db.session.commit()
    with area_scope(area("staffordshire")):
        referral(area("staffordshire"), people["foreign"], forename="Jordan", surname="Smith")
        db.session.commit()
    return references


def _names(found: list) -> list[str]:
    return sorted(r.person.full_name for r in found)


def test_a_misspelt_name_finds_the_person_in_the_area(cases: dict[str, str]) -> None:
    with area_scope(area("warwickshire")):
        assert _names(search.find("Jordon Smyth")) == ["Jordan Smith"]
        assert _names(search.find("SMITH, Jordan")) == ["Jordan Smith"]
        assert _names(search.find("smith")) == ["Jordan Smith", "Morgan Smith"]
        assert _names(search.find("Priya Shaw")) == ["Priya Shah"]
        assert search.find("Alex Nobody") == [] and search.find("   ") == []


def test_references_are_found_whatever_their_case(cases: dict[str, str]) -> None:
    with area_scope(area("warwickshire")):
        assert _names(search.find(cases["jordan"].lower())) == ["Jordan Smith"]
        assert _names(search.find(" 23/555/24 ")) == ["Jordan Smith"]


def test_an_officer_finds_only_their_own_referrals(
    cases: dict[str, str], people: dict[str, User]
) -> None:
    with area_scope(area("warwickshire")):
        assert _names(search.find("smith", officer=people["officer"])) == ["Jordan Smith"]
        assert search.find("Morgan Smith", officer=people["officer"]) == []


def test_the_search_page(client: FlaskClient, auth: Auth, cases: dict[str, str]) -> None:
    auth.sign_in("ed@example.org")
    page = client.get("/warwickshire/search?q=Jordon+Smyth").text
    assert "1 case found" in page and "Jordan Smith" in page and cases["jordan"] in page
    assert 'href="/warwickshire/cases/' in page
    assert "No cases found" in client.get("/warwickshire/search?q=Nobody+Atall").text
    assert client.get("/staffordshire/search?q=Jordan+Smith").status_code == 404
    auth.sign_out()
    auth.sign_in("pc2@example.org")
    mine = client.get("/warwickshire/search?q=smith").text
    assert "Morgan Smith" in mine and "Jordan Smith" not in mine
    assert 'href="/warwickshire/referrals/' in mine
