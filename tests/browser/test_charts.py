"""The board report's charts in a real Chromium on a 375-px phone: titled, in the page's
typeface at a size that can be read (HTML text, not SVG text that shrinks with its drawing),
each before its table; and the print rules that keep headings, charts and tables whole.
"""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page

from divert.demo.builder import build_demo
from divert.models import Role
from tests.browser.conftest import accessibility_violations, sign_in
from tests.factories import account_email, create_demo_accounts

COMMISSIONER = account_email(Role.COMMISSIONER, "warwickshire")
REPORT = "/warwickshire/dashboard/board-report"

# Each chart: its title, the smallest text size in it, whether every piece of its text is in
# the page's typeface (its heading's), whether it holds SVG text, and the caption of the table
# that follows it.
CHARTS = """() => [...document.querySelectorAll('.divert-chart')].map(chart => {
  const page = getComputedStyle(document.querySelector('h1')).fontFamily;
  const parts = 'figcaption, .divert-chart__label, .divert-chart__value';
  const texts = [...chart.querySelectorAll(parts)];
  const next = chart.nextElementSibling;
  return {
    title: chart.querySelector('figcaption').innerText,
    titleShown: chart.querySelector('figcaption').getBoundingClientRect().height > 0,
    smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize))),
    typeface: texts.every(t => getComputedStyle(t).fontFamily === page),
    svgText: chart.querySelectorAll('text').length,
    tableAfter: next?.matches('.divert-table') ? next.querySelector('caption').innerText : null,
  };
})"""


@pytest.fixture
def demo(app_ctx: Flask) -> None:
    create_demo_accounts()
    build_demo(120, seed=11)


def test_board_report_charts_read_on_a_phone(demo: None, live_server: str, phone: Page) -> None:
    sign_in(phone, live_server, COMMISSIONER)
    phone.goto(f"{live_server}{REPORT}")
    charts = phone.evaluate(CHARTS)
    assert [(c["title"], c["tableAfter"]) for c in charts] == [
        (
            "Warwickshire: main substance reported by attendees",
            "Main substance reported by attendees",
        ),
        ("Warwickshire: referrals per month", "Referrals per month"),
    ]
    for chart in charts:
        assert chart["titleShown"] and chart["typeface"] and chart["svgText"] == 0, chart
        assert chart["smallest"] >= 16, chart
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert accessibility_violations(phone) == []


def test_printing_keeps_headings_with_what_follows(
    demo: None, live_server: str, phone: Page
) -> None:
    sign_in(phone, live_server, COMMISSIONER)
    phone.goto(f"{live_server}{REPORT}")
    phone.emulate_media(media="print")
    styles = phone.evaluate(
        """selectors => selectors.map(s => {
             const style = getComputedStyle(document.querySelector(s));
             return [s, style.breakAfter, style.breakInside];
           })""",
        ["h1", "h2", ".divert-chart__title", "caption", ".divert-chart", ".divert-table"],
    )
    assert styles == [
        ["h1", "avoid", "auto"],
        ["h2", "avoid", "auto"],
        [".divert-chart__title", "avoid", "auto"],
        ["caption", "avoid", "auto"],
        [".divert-chart", "auto", "avoid"],
        [".divert-table", "auto", "avoid"],
    ]
    assert phone.locator(".divert-no-print").first.is_hidden()
