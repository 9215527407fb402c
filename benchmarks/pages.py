"""Throughput of the busy pages under gunicorn on PostgreSQL, as a share of the bare layout's.

    python -m benchmarks.pages [--rounds 3] [--seconds 8] [--connections 16]

A throwaway PostgreSQL cluster with the demo region (3,000 referrals) is served by gunicorn (4
workers, connected as the app's own role, so that row-level security binds every statement as in
production) with one extra page, the bare layout (benchmarks/bare_app.py). wrk then drives each
page in turn with a fixed number of connections (a closed loop: the highest rate it can serve),
signed in as the demo account of the role that uses it, and the rounds are interleaved so that
every page and the baseline share the machine's conditions. Each page's requests per second
are given as min / median / max over the rounds, and as a ratio of its median to the signed-in
bare layout's median from the same run, with the machine's 1-minute load average after its runs
(lowest-highest): a shared machine depresses every figure.

The dashboard is measured twice: as deployed, where a view at the same database snapshot is
served the page body kept for it (divert.figures.snapshot), and worked out at every view by a
second gunicorn on the same database with DASHBOARD_FIGURES_CACHE=0.

The referral POST sends a new person each time and follows the redirect to its confirmation
page: one pair of requests counts once. Never a repeat: within a round each person has names
of their own (loadtest.people: no demo person's, no other's), and each round its own date of
birth, differing in the day, the month and the year, so that no blocking key meets an earlier
round's person with the same names. The
sign-in POST signs a demo account in each time (the per-address limit is lifted).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path

import requests

from divert.demo.accounts import DEMO_PASSWORD, account_email
from loadtest.people import demo_sounds, unheard_names
from loadtest.run import ROOT, gunicorn, prepare
from tests.support.pg_cluster import running_cluster

AREA = "warwickshire"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBSTANCE = re.compile(r'name="substances_found" type="checkbox" value="(\d+)"')
# Flask-Login's strong session protection ties a session to the browser's User-Agent.
USER_AGENT = "divert-benchmark"
# Referrals a round may send (each takes two names; loadtest.people has about 14,000): far more
# than this machine serves in a round.
PEOPLE_PER_ROUND = 6000


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    role: str | None  # None: anonymous
    script: str = "get"  # the wrk Lua script: "get", "refer" or "sign_in"
    pairs: bool = False  # each of its operations is two requests
    # Served by the gunicorn whose figures pages are worked out at every view
    # (DASHBOARD_FIGURES_CACHE=0), not kept per database snapshot.
    worked_out: bool = False


PAGES = [
    Page("bare layout, anonymous", "/bench/bare", None),
    Page("bare layout, signed in (baseline)", "/bench/bare", "officer"),
    Page("referral form GET", f"/{AREA}/referrals/new", "officer"),
    Page("referral POST + confirmation", f"/{AREA}/referrals/new", "officer", "refer", pairs=True),
    Page("caseload", f"/{AREA}/caseload", "educator"),
    Page("dashboard", f"/{AREA}/dashboard", "manager"),
    Page("dashboard, figures worked out", f"/{AREA}/dashboard", "manager", worked_out=True),
    Page("sign-in POST", "/sign-in", None, "sign_in"),
]
BASELINE = "bare layout, signed in (baseline)"

# Each wrk thread counts the answers that were not what the page should give (a GET that is
# not a 200 may be a redirect to sign in, which wrk alone would count as served).
LUA_COMMON = """
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  round = tonumber(args[1])
  made = 0
  wrong = 0
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("wrong") end
  io.write(string.format("wrong answers: %d\\n", total))
end
"""

REFER = """
local pending = nil
function request()
  if pending then
    local follow = pending
    pending = nil
    return follow
  end
  local n = made * THREADS + id
  made = made + 1
  local body = "csrf_token=" .. CSRF .. "&submission_token=bench-" .. round .. "-" .. n
    .. "&forename=" .. NAMES[2 * n + 1] .. "&surname=" .. NAMES[2 * n + 2]
    .. "&date_of_birth=" .. (1 + round % 28) .. "&date_of_birth=" .. (1 + round % 12)
    .. "&date_of_birth=" .. (1960 + round)
    .. "&phone=07911+123456&offence_date=" .. TODAY
    .. "&crime_reference=BENCH%2F" .. round .. "-" .. n .. "&substances_found=" .. SUBSTANCE
    .. "&slot=none&consent_to_contact=y"
  return wrk.format("POST", PATH, {["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = COOKIE, ["User-Agent"] = USER_AGENT}, body)
end
function response(status, headers, body)
  local location = headers["Location"]
  if status == 302 and location and string.find(location, "/confirmation") then
    local cookie = string.match(headers["Set-Cookie"] or "", "(session=[^;]+)")
    pending = wrk.format("GET", location, {["Cookie"] = cookie, ["User-Agent"] = USER_AGENT})
  elseif status ~= 200 or not string.find(body, "Referral submitted", 1, true) then
    wrong = wrong + 1
  end
end
"""

GET = """
function request()
  return wrk.format("GET", PATH, {["Cookie"] = COOKIE, ["User-Agent"] = USER_AGENT})
end
function response(status, headers, body)
  if status ~= 200 then wrong = wrong + 1 end
end
"""

SIGN_IN = """
function request()
  local email = EMAILS[(made * THREADS + id) % #EMAILS + 1]
  made = made + 1
  return wrk.format("POST", PATH, {["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = COOKIE, ["User-Agent"] = USER_AGENT},
    "csrf_token=" .. CSRF .. "&email=" .. email .. "&password=" .. PASSWORD)
end
function response(status, headers, body)
  if status ~= 302 then wrong = wrong + 1 end
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lua_table(values: list[str]) -> str:
    return "{" + ",".join(_lua_string(v) for v in values) + "}"


def _signed_in(base_url: str, role: str | None) -> tuple[str, requests.Session]:
    """A session cookie ("session=...") of the role's demo account in the area, or anonymous."""
    browser = requests.Session()
    browser.headers["User-Agent"] = USER_AGENT
    page = browser.get(f"{base_url}/sign-in")
    if role is not None:
        token = CSRF.search(page.text)
        assert token is not None, "no CSRF token on the sign-in page"
        answer = browser.post(
            f"{base_url}/sign-in",
            data={
                "csrf_token": token[1],
                "email": account_email(role, AREA),
                "password": DEMO_PASSWORD,
            },
            allow_redirects=False,
        )
        assert answer.status_code == 302, f"{role} could not sign in"
    return f"session={browser.cookies['session']}", browser


def _script(page: Page, base_url: str, work: Path, threads: int, names: list[str]) -> Path:
    _cookie, browser = _signed_in(base_url, page.role)
    form = browser.get(f"{base_url}{page.path}").text
    # After the page: a form's CSRF token is kept in the session it gave back.
    cookie = f"session={browser.cookies['session']}"
    today = date.today()
    constants = {
        "THREADS": str(threads),
        "PATH": _lua_string(page.path),
        "COOKIE": _lua_string(cookie),
        "USER_AGENT": _lua_string(USER_AGENT),
    }
    token = CSRF.search(form)
    if token is not None:
        constants["CSRF"] = _lua_string(requests.utils.quote(token[1], safe=""))
    if page.script == "get":
        body = GET
    elif page.script == "refer":
        substance = SUBSTANCE.search(form)
        assert substance is not None, "no substance offered on the referral form"
        constants |= {
            "NAMES": _lua_table(names),
            "SUBSTANCE": _lua_string(substance[1]),
            "TODAY": _lua_string(
                f"{today.day}&offence_date={today.month}&offence_date={today.year}"
            ),
        }
        body = REFER
    else:
        emails = [
            account_email(role, area)
            for role in ("officer", "educator", "manager", "commissioner")
            for area in ("warwickshire", "staffordshire", "west-mercia", "west-midlands")
        ]
        constants |= {"EMAILS": _lua_table(emails), "PASSWORD": _lua_string(DEMO_PASSWORD)}
        body = SIGN_IN
    lines = [f"{name} = {value}" for name, value in constants.items()]
    path = work / f"{page.name.replace(' ', '_').replace(',', '')}.lua"
    path.write_text("\n".join(lines) + LUA_COMMON + body)
    return path


def _wrk(url: str, args: argparse.Namespace, script: Path, round_number: int) -> tuple[float, str]:
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections)]
    command += ["-d", f"{args.seconds}s", "-s", str(script), url, "--", str(round_number)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert rate is not None, output
    problems = [line.strip() for line in output.splitlines() if "Non-2xx" in line or "rror" in line]
    wrong = re.search(r"wrong answers: (\d+)", output)
    if wrong and int(wrong[1]):
        problems.append(f"{wrong[1]} wrong answers")
    return float(rate[1]), "; ".join(problems)


@contextmanager
def _service(referrals: int, workers: int, code: Path) -> Iterator[tuple[str, str]]:
    """The URLs of two gunicorns on the same database: one as deployed, and one that works the
    figures pages out at every view (the dashboard's cost without its pages kept)."""
    work = Path(tempfile.mkdtemp(prefix="divert-pages-"))
    with running_cluster("divert_pages") as cluster:
        env = {
            **dict(__import__("os").environ),
            # As in production: the app's role owns no table, so row-level security binds it.
            "DATABASE_URL": cluster.app_url,
            "MIGRATION_DATABASE_URL": cluster.owner_url,
            "SECRET_KEY": secrets.token_hex(32),
            "SIGN_IN_RATE_LIMIT": "1000000 per minute",
            "PYTHONPATH": str(code),  # the served checkout's packages before this one's
        }
        prepare(env, referrals, work, code)
        served = gunicorn(env, workers, work, app="benchmarks.bare_app:app", code=code)
        uncached = {**env, "DASHBOARD_FIGURES_CACHE": "0"}
        worked_out = gunicorn(uncached, workers, work, app="benchmarks.bare_app:app", code=code)
        with served as base_url, worked_out as worked_out_url:
            yield base_url, worked_out_url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--referrals", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", nargs="*", help="page names to run (and the baseline)")
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="checkout to serve (with benchmarks/bare_app.py)"
    )
    args = parser.parse_args(argv)
    pages = [p for p in PAGES if not args.only or p.name == BASELINE or p.name in args.only]
    names = list(islice(unheard_names(demo_sounds()), 2 * PEOPLE_PER_ROUND))
    rates: dict[str, list[float]] = {page.name: [] for page in pages}
    loads: dict[str, list[float]] = {page.name: [] for page in pages}  # 1-minute, after each
    problems: dict[str, list[str]] = {page.name: [] for page in pages}
    service = _service(args.referrals, args.workers, args.code)
    with service as (base_url, worked_out_url), tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        urls = {p.name: worked_out_url if p.worked_out else base_url for p in pages}
        scripts = {p.name: _script(p, urls[p.name], work, args.threads, names) for p in pages}
        for round_number in range(args.rounds):
            for page in pages:
                url = f"{urls[page.name]}{page.path}"
                rate, problem = _wrk(url, args, scripts[page.name], round_number)
                rates[page.name].append(rate / 2 if page.pairs else rate)
                loads[page.name].append(os.getloadavg()[0])
                if problem:
                    problems[page.name].append(problem)
    baseline = statistics.median(rates[BASELINE])
    print(
        f"code {args.code}; gunicorn {args.workers} workers, PostgreSQL, {args.referrals:,} "
        f"referrals; wrk "
        f"{args.threads} threads, {args.connections} connections, {args.seconds} s x {args.rounds}"
    )
    for page in pages:
        found = rates[page.name]
        median = statistics.median(found)
        print(
            f"{page.name:38} min {min(found):7.1f} / median {median:7.1f} / max {max(found):7.1f}"
            f" per s; / baseline {median / baseline:.2f}"
            f"; load {min(loads[page.name]):.1f}-{max(loads[page.name]):.1f}"
            + (f"  PROBLEMS: {' | '.join(problems[page.name])}" if problems[page.name] else "")
        )


if __name__ == "__main__":
    main()
