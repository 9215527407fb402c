"""Lighthouse, as an outside check of the sign-in page, the referral form and the dashboard.

    .venv/bin/python scripts/lighthouse.py            # after `make install`

Builds a small demo region in a throwaway SQLite file, serves it with gunicorn on a free
loopback port, signs in as the demo officer (for the referral form) and the demo commissioner
(for the dashboard), and runs Lighthouse (the npm package, fetched by npx at the pinned version)
in the machine's Chromium with its default mobile settings. It prints each page's scores and
cumulative layout shift and exits non-zero unless every page has accessibility 100, best
practices 100, performance at least 95 and a layout shift under 0.05. Reports are kept in the
temporary directory it names.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
LIGHTHOUSE = "lighthouse@13.5.0"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "divert-demo-password"
PAGES = [
    ("Sign in", "/sign-in", None),
    ("Referral form", "/warwickshire/referrals/new", "officer@warwickshire.example"),
    ("Dashboard", "/warwickshire/dashboard", "commissioner@warwickshire.example"),
]
BARS = {"accessibility": 1.0, "best-practices": 1.0, "performance": 0.95}
MAX_LAYOUT_SHIFT = 0.05


def _user_agent() -> str:
    """The user agent Lighthouse's phone presents: its emulated phone with the host Chromium's
    major version. Sessions are bound to the browser that signed in (Flask-Login's strong
    protection), so the sign-in here presents the same one."""
    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True)
    major = re.search(r"(\d+)\.", version.stdout)
    if major is None:
        raise SystemExit(f"cannot read the version of {CHROMIUM}")
    return (
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
        f"(KHTML, like Gecko) Chrome/{major.group(1)}.0.0.0 Mobile Safari/537.36"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the app did not start at {base}")


def _session_cookie(base: str, email: str) -> str:
    """Sign in as the browser would (the form's CSRF token included); the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", _user_agent())]
    with opener.open(f"{base}/sign-in") as page:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode())
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
    ).encode()
    opener.open(f"{base}/sign-in", data=form).close()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "session" not in cookies:
        raise SystemExit(f"could not sign in as {email}")
    return f"session={cookies['session']}"


def _lighthouse(url: str, cookie: str | None, report: Path) -> dict:
    command = [
        "npx",
        "--yes",
        LIGHTHOUSE,
        url,
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--only-categories=accessibility,performance,best-practices",
        "--output=json",
        f"--output-path={report}",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    subprocess.run(
        command, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, stdout=subprocess.DEVNULL
    )
    return json.loads(report.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=300, help="demo referrals to build")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="divert-lighthouse-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'divert.sqlite3'}",
        "FLASK_APP": "wsgi",
    }
    _flask(env, "db", "upgrade")
    _flask(env, "tenants", "sync")
    _flask(env, "demo", "build", "--referrals", str(args.referrals))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(work / "gunicorn.log").open("w"),
    )
    failures = []
    try:
        _wait_until_up(base)
        print(
            f"{'page':<16}{'accessibility':>15}{'performance':>13}{'best practices':>16}{'CLS':>8}"
        )
        for name, path, email in PAGES:
            cookie = _session_cookie(base, email) if email else None
            report = _lighthouse(
                f"{base}{path}",
                cookie,
                work / f"{path.strip('/').replace('/', '-') or 'root'}.json",
            )
            if report.get("finalDisplayedUrl", "").rstrip("/") != f"{base}{path}".rstrip("/"):
                failures.append(f"{name}: Lighthouse ended at {report.get('finalDisplayedUrl')}")
            scores = {key: category["score"] for key, category in report["categories"].items()}
            shift = report["audits"]["cumulative-layout-shift"]["numericValue"]
            shown = (
                scores[key] * 100 for key in ("accessibility", "performance", "best-practices")
            )
            print(f"{name:<16}" + "".join(f"{s:>15.0f}" for s in shown) + f"{shift:>8.3f}")
            failures += [
                f"{name}: {key} {scores[key] * 100:.0f} < {bar * 100:.0f}"
                for key, bar in BARS.items()
                if scores[key] < bar
            ]
            if shift >= MAX_LAYOUT_SHIFT:
                failures.append(f"{name}: cumulative layout shift {shift:.3f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"Reports: {work}")
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
