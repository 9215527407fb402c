"""The people of the load test: officers refer, educators work their caseload and diary,
managers and commissioners read the area dashboard; in the fault run a prober reads the area
home page every 100 ms so that the database restart is seen whenever it happens.

Started by loadtest/run.py (`locust -f loadtest/locustfile.py --headless ...`), which passes,
through the JSON file named by LOADTEST_CONFIG, the demo accounts (email and area), their
password, the marker prefix of this run and the file every request is logged to. Each line of
that log is one request, one referral attempt or one acknowledged referral; run.py reads it for
the figures and the database checks.
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, constant_pacing, events, task

from loadtest.figures import PROBE
from loadtest.people import demo_sounds, unheard_names

CONFIG = json.loads(Path(os.environ["LOADTEST_CONFIG"]).read_text(encoding="utf-8"))
LOG = open(CONFIG["log"], "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (open for the run)

UNAVAILABLE_TITLE = "Sorry, the service is unavailable"
REFERENCE = re.compile(r"<strong>([A-Z]{2,5}-\d{4}-\d{5})</strong>")
ERROR_SUMMARY_ITEM = re.compile(r'<a href="#([^"]*)">([^<]*)</a>')  # field id, message
CASE_LINK = re.compile(r'href="/[a-z-]+/cases/(\d+)"')
# Two names a referral, each sounding like no demo person and no other referral of the test.
NAMES = unheard_names(demo_sounds(), start=CONFIG["names_from"])


@events.init.add_listener
def _clock_from_now(**_: Any) -> None:
    """Importing this file takes seconds of CPU (the names above), while gevent's loop clock
    stands still; the run time (-t) is timed on that clock, so without this it ran out as the
    users started, and the load test's runs lasted as long as their first tasks."""
    gevent.get_hub().loop.update_now()


def _log(entry: dict[str, Any]) -> None:
    LOG.write(json.dumps(entry) + "\n")


@events.request.add_listener
def _log_request(
    name: str,
    response_time: float,
    response: Any,
    exception: BaseException | None,
    start_time: float,
    **_: Any,
) -> None:
    status = getattr(response, "status_code", 0) or 0
    body = getattr(response, "text", "") if status >= 500 else ""
    _log(
        {
            "kind": "request",
            "name": name,
            "at": start_time,
            "ms": response_time,
            "status": status,
            "ok": exception is None,
            "service_page": UNAVAILABLE_TITLE in body and "Traceback" not in body,
            "why": str(exception)[:200] if exception else None,
        }
    )


class _Inputs(HTMLParser):
    """The inputs of a page: the hidden values, and the values offered for each name."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.offered: dict[str, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name, value = attributes.get("name"), attributes.get("value")
        if tag != "input" or not name or value is None:
            return
        if attributes.get("type") in ("checkbox", "radio"):
            self.offered.setdefault(name, []).append(value)
        else:
            self.values[name] = value


class _SignedIn(HttpUser):
    """A demo account of one role, signed in once and again whenever the session is lost."""

    abstract = True
    role = ""
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        account = random.choice(CONFIG["accounts"][self.role])
        self.email, self.area = account["email"], account["area"]
        self.signed_in = False

    def _sign_in(self) -> bool:
        page = self.client.get("/sign-in", name="/sign-in")
        token = _Inputs(page.text).values.get("csrf_token")
        if page.status_code != 200 or token is None:
            return False
        with self.client.post(
            "/sign-in",
            data={"csrf_token": token, "email": self.email, "password": CONFIG["password"]},
            name="/sign-in [POST]",
            catch_response=True,
        ) as response:
            self.signed_in = response.ok and "/sign-in" not in response.url
            if response.ok and not self.signed_in:
                response.failure("sign-in refused")
        return self.signed_in

    def page(self, path: str, name: str) -> Any:
        """GET an area page (signing in first if needed); None when it did not answer 200."""
        if not self.signed_in and not self._sign_in():
            return None
        with self.client.get(f"/{self.area}{path}", name=name, catch_response=True) as response:
            if response.ok and "/sign-in" in response.url:
                self.signed_in = False
                response.failure("sent to sign in")
                return None
            return response if response.ok else None


class Officer(_SignedIn):
    """Refers people found in possession, each with a unique marker as crime reference."""

    role = "officer"
    weight = 2

    @task(4)
    def refer(self) -> None:
        form_page = self.page("/referrals/new", "/[area]/referrals/new")
        if form_page is None:
            return
        form = _Inputs(form_page.text)
        marker = f"{CONFIG['marker_prefix']}-{uuid.uuid4().hex[:16]}"
        slots = [s for s in form.offered.get("slot", []) if s != "none"]
        today = date.today()
        born = date(random.randint(1960, 2004), random.randint(1, 12), random.randint(1, 28))
        data = {
            "csrf_token": form.values.get("csrf_token", ""),
            "submission_token": form.values.get("submission_token", ""),
            "forename": next(NAMES),
            "surname": next(NAMES),
            "date_of_birth": [str(born.day), str(born.month), str(born.year)],
            "phone": f"07912 {random.randint(100000, 999999)}",
            "offence_date": [str(today.day), str(today.month), str(today.year)],
            "crime_reference": marker,
            "substances_found": random.sample(form.offered.get("substances_found", []), 1),
            "slot": random.choice(slots) if slots and random.random() < 0.3 else "none",
            "consent_to_contact": "y",
        }
        _log({"kind": "attempt", "marker": marker})
        for _attempt in range(2):  # a place taken meanwhile: once more, left to the educators
            with self.client.post(
                f"/{self.area}/referrals/new",
                data=data,
                name="/[area]/referrals/new [POST]",
                catch_response=True,
            ) as response:
                if not response.ok:
                    return
                reference = REFERENCE.search(response.text)
                if "/confirmation" in response.url and reference:
                    _log({"kind": "referral", "marker": marker, "reference": reference[1]})
                    return
                errors = ERROR_SUMMARY_ITEM.findall(response.text)
                if data["slot"] == "none" or [f for f, _ in errors if not f.startswith("slot")]:
                    response.failure(f"referral refused: {errors or response.url}")
                    return
                response.success()
                data["slot"] = "none"

    @task(1)
    def my_referrals(self) -> None:
        self.page("/referrals", "/[area]/referrals")


class Educator(_SignedIn):
    """Works through the caseload, opens cases, reads the diary."""

    role = "educator"
    weight = 2
    FILTERS = ("awaiting", "booked", "did_not_attend", "attended")

    @task(3)
    def caseload(self) -> None:
        status = random.choice(self.FILTERS)
        listing = self.page(f"/caseload?status={status}", "/[area]/caseload")
        cases = CASE_LINK.findall(listing.text) if listing is not None else []
        if cases:
            self.page(f"/cases/{random.choice(cases)}", "/[area]/cases/[id]")

    @task(2)
    def diary(self) -> None:
        self.page("/diary?view=week" if random.random() < 0.5 else "/diary", "/[area]/diary")


class Manager(Educator):
    """An educator's work, and the area dashboard."""

    role = "manager"
    weight = 1

    @task(2)
    def dashboard(self) -> None:
        self.page("/dashboard", "/[area]/dashboard")


class Commissioner(_SignedIn):
    """Reads the area's figures."""

    role = "commissioner"
    weight = 1

    @task
    def dashboard(self) -> None:
        self.page("/dashboard", "/[area]/dashboard")


class Prober(_SignedIn):
    """One signed-in reader of a page that needs the database, every 100 ms (fault run only)."""

    role = "officer"
    fixed_count = 1
    wait_time = constant_pacing(0.1)

    @task
    def area_home(self) -> None:
        self.page("/", PROBE)
