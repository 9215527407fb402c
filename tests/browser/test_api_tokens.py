"""API token pages and the API reference on a phone, in a real Chromium, with axe checks."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from divert.models import Role
from tests.browser.conftest import accessibility_violations, sign_in
from tests.factories import account_email, create_demo_accounts


def test_an_officer_makes_a_token_on_a_phone(app_ctx: Flask, live_server: str, phone: Page):
    create_demo_accounts()
    sign_in(phone, live_server, account_email(Role.OFFICER, "warwickshire"))
    phone.goto(f"{live_server}/warwickshire/api-tokens")
    assert accessibility_violations(phone) == []
    phone.get_by_role("link", name="Create a token").click()
    assert accessibility_violations(phone) == []
    phone.get_by_label("What the token is for").fill("Niche RMS")
    phone.get_by_label("1 year").check()
    phone.get_by_role("button", name="Create token").click()
    expect(phone.get_by_role("heading", name="API token created")).to_be_visible()
    expect(phone.locator("code.divert-secret")).to_contain_text("divert_")
    assert accessibility_violations(phone) == []
    phone.get_by_role("link", name="Back to API tokens").click()
    expect(phone.get_by_role("cell", name="Niche RMS", exact=True)).to_be_visible()
    assert accessibility_violations(phone) == []
    phone.goto(f"{live_server}/api/v1/docs")
    expect(phone.get_by_role("heading", name="API reference")).to_be_visible()
    assert accessibility_violations(phone) == []
