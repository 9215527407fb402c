"""The service's capacity: the highest constant arrival rate it sustains with a p95 under
500 ms and no error, measured open-loop.

    python -m loadtest.capacity [--rates 10 20 30 45 60 80 100] [--step 20] [--code DIR]

A throwaway PostgreSQL cluster with the demo region is served by gunicorn (4 workers). At each
rate in turn, operations arrive on a fixed schedule (one every 1/rate seconds) whatever the
service's answers, unlike the load test's users who wait for each answer: an operation's time
runs from when it was due, so a queue that builds up counts against the service. The mix is
the demo accounts' everyday work: the referral form, a referral sent (with its confirmation
page), an officer's own referrals, the caseload, the diary and the area dashboard. The run
stops at the first rate that fails. `--code` serves another checkout (say, of main) to measure
before and after a change with the same client.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import re
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from http.cookiejar import Cookie, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import requests

from divert.demo.accounts import DEMO_PASSWORD, account_email
from loadtest.people import demo_sounds, unheard_names
from loadtest.run import ROOT, gunicorn, prepare
from tests.support.pg_cluster import running_cluster

AREAS = ("warwickshire", "staffordshire", "west-mercia", "west-midlands")
ROLES = ("officer", "educator", "manager")
USER_AGENT = "divert-capacity"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBSTANCE = re.compile(r'name="substances_found" type="checkbox" value="(\d+)"')
P95_LIMIT = 0.5
TIMEOUT = 10.0
CLIENT_THREADS = 96


class _KeepNoCookies(DefaultCookiePolicy):
    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        return False


@dataclass
class Account:
    area: str
    cookie: str
    csrf: str = ""
    substance: str = ""


@dataclass
class Step:
    rate: float
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times.append(seconds)
            if error:
                self.errors.append(error)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def passed(self) -> bool:
        return bool(self.times) and not self.errors and self.p95 < P95_LIMIT


class Client:
    """The operations, each as a demo account of its role would do it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.local = threading.local()
        self.accounts = {role: [self._sign_in(role, area) for area in AREAS] for role in ROLES}
        for account in self.accounts["officer"]:
            page = self._get(account, f"/{account.area}/referrals/new")
            # The form's CSRF token is kept in the session that page gave back.
            account.cookie = page.cookies.get("session", account.cookie)
            form = page.text
            csrf, substance = CSRF.search(form), SUBSTANCE.search(form)
            assert csrf and substance, "the referral form has no CSRF token or substances"
            account.csrf, account.substance = csrf[1], substance[1]
        self.names = unheard_names(demo_sounds())
        self.names_lock = threading.Lock()
        self.submitted = 0

    def _session(self) -> requests.Session:
        """A connection pool per client thread. It keeps no cookies: every request names the
        account whose session it belongs to."""
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
            self.local.session.headers["User-Agent"] = USER_AGENT
            self.local.session.cookies.set_policy(_KeepNoCookies())
        return self.local.session

    def _sign_in(self, role: str, area: str) -> Account:
        browser = requests.Session()
        browser.headers["User-Agent"] = USER_AGENT
        token = CSRF.search(browser.get(f"{self.base_url}/sign-in").text)
        assert token, "no CSRF token on the sign-in page"
        answer = browser.post(
            f"{self.base_url}/sign-in",
            data={
                "csrf_token": token[1],
                "email": account_email(role, area),
                "password": DEMO_PASSWORD,
            },
            allow_redirects=False,
        )
        assert answer.status_code == 302, f"{role} of {area} could not sign in"
        return Account(area, browser.cookies["session"])

    def _get(self, account: Account, path: str) -> requests.Response:
        # Not following redirects: a page that sends to sign in has not been served.
        return self._session().get(
            self.base_url + path,
            cookies={"session": account.cookie},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def page(self, role: str, path: str) -> Callable[[], str | None]:
        def operation() -> str | None:
            account = random.choice(self.accounts[role])
            answer = self._get(account, path.format(area=account.area))
            return None if answer.status_code == 200 else f"{path}: {answer.status_code}"

        return operation

    def refer(self) -> str | None:
        account = random.choice(self.accounts["officer"])
        with self.names_lock:
            forename, surname = next(self.names), next(self.names)
            self.submitted += 1
            number = self.submitted
        today = date.today()
        answer = self._session().post(
            f"{self.base_url}/{account.area}/referrals/new",
            cookies={"session": account.cookie},
            data={
                "csrf_token": account.csrf,
                "submission_token": f"capacity-{secrets.token_hex(8)}",
                "forename": forename,
                "surname": surname,
                "date_of_birth": ["17", "5", "1990"],
                "phone": "07911 123456",
                "offence_date": [str(today.day), str(today.month), str(today.year)],
                "crime_reference": f"CAPACITY/{number}",
                "substances_found": [account.substance],
                "slot": "none",
                "consent_to_contact": "y",
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        location = answer.headers.get("Location", "")
        if answer.status_code != 302 or "/confirmation" not in location:
            return f"referral: {answer.status_code}"
        # As a browser would: to the confirmation, with the session cookie the POST gave back.
        confirmation = self._session().get(
            self.base_url + location,
            cookies={"session": answer.cookies.get("session", account.cookie)},
            timeout=TIMEOUT,
        )
        if confirmation.status_code == 200 and "Referral submitted" in confirmation.text:
            return None
        return f"confirmation: {confirmation.status_code}"


def _mix(client: Client) -> list[tuple[Callable[[], str | None], int]]:
    return [
        (client.page("officer", "/{area}/referrals/new"), 3),
        (client.refer, 2),
        (client.page("officer", "/{area}/referrals"), 1),
        (client.page("educator", "/{area}/caseload"), 3),
        (client.page("educator", "/{area}/diary"), 1),
        (client.page("manager", "/{area}/dashboard"), 1),
    ]


def run_step(client: Client, rate: float, seconds: float) -> Step:
    """Operations due every 1/rate s for `seconds`, each timed from when it was due."""
    step = Step(rate)
    operations, weights = zip(*_mix(client), strict=True)
    due: queue.Queue[tuple[float, Callable[[], str | None]] | None] = queue.Queue()

    def work() -> None:
        while (item := due.get()) is not None:
            at, operation = item
            try:
                error = operation()
            except requests.RequestException as failure:
                error = type(failure).__name__
            step.record(time.perf_counter() - at, error)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    for number in range(int(rate * seconds)):
        at = started + number / rate
        time.sleep(max(0.0, at - time.perf_counter()))
        due.put((at, random.choices(operations, weights)[0]))
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", type=float, nargs="+", default=[10, 20, 30, 45, 60, 80, 100])
    parser.add_argument("--step", type=float, default=20, help="seconds at each rate")
    parser.add_argument("--referrals", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to serve")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="divert-capacity-"))
    sustained = 0.0
    with running_cluster("divert_capacity") as cluster:
        env = {
            **os.environ,
            # As in production: the app's role owns no table, so row-level security binds it.
            "DATABASE_URL": cluster.app_url,
            "MIGRATION_DATABASE_URL": cluster.owner_url,
            "SECRET_KEY": secrets.token_hex(32),
            "SIGN_IN_RATE_LIMIT": "100000 per minute",
            "PYTHONPATH": str(args.code),  # the served checkout's packages before this one's
        }
        prepare(env, args.referrals, work, args.code)
        with gunicorn(env, args.workers, work, code=args.code) as base_url:
            client = Client(base_url)
            run_step(client, min(args.rates), 5)  # warm every worker's caches
            print(f"code {args.code}; gunicorn {args.workers} workers; {args.step:.0f} s a rate")
            for rate in args.rates:
                step = run_step(client, rate, args.step)
                p50 = statistics.median(step.times) * 1000
                print(
                    f"rate {rate:6.1f}/s: {len(step.times):5d} operations, p50 {p50:7.1f} ms,"
                    f" p95 {step.p95 * 1000:7.1f} ms, errors {len(step.errors)},"
                    f" load average {os.getloadavg()[0]:.1f}"
                    + (f" ({step.errors[0]})" if step.errors else "")
                )
                if not step.passed:
                    break
                sustained = rate
    print(f"highest rate sustained (p95 < {P95_LIMIT * 1000:.0f} ms, no error): {sustained:g}/s")
    print(f"logs in {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
