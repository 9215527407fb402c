"""Server time of submitting a referral, on an empty database and on a large one.

    python -m benchmarks.submit --referrals 100000 --backend postgresql

The same officer submits REQUESTS referrals through the real form handler on an empty database
(the baseline) and on one holding the demo region of --referrals referrals, in the same run;
p50/p95 of both and the ratio are printed.
"""

from __future__ import annotations

import argparse
import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from benchmarks.common import database, percentile, prepared_app, timed
from divert.extensions import db
from divert.models import Area, Substance
from divert.tenancy import system_scope

REQUESTS = 200
OFFICER = "officer@warwickshire.example"


def _letters(number: int) -> str:
    """A distinct name per request (names are compared without digits)."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = chr(ord("a") + digit) + text
        if not number:
            return text.capitalize()


def _form(number: int, cannabis: int) -> dict[str, object]:
    today = date.today()
    return {
        "forename": f"Bench{_letters(number)}",
        "surname": "Person",
        "date_of_birth": ["14", "2", str(1990 + number % 15)],
        "phone": "07911 123456",
        "offence_date": [str(today.day), str(today.month), str(today.year)],
        "crime_reference": f"BENCH/{number}",
        "substances_found": [str(cannabis)],
        "consent_to_contact": "y",
        "slot": "none",
        "submission_token": f"bench-{number}",
    }


def _submit_times(app: Flask, client: FlaskClient) -> list[float]:
    with app.app_context(), system_scope():
        cannabis = db.session.scalar(
            select(Substance.id)
            .join(Area, Substance.area_id == Area.id)
            .where(Substance.code == "cannabis", Area.slug == "warwickshire")
        )
    times = []
    for number in range(REQUESTS):
        elapsed = timed(
            lambda n=number: _check(
                client.post("/warwickshire/referrals/new", data=_form(n, cannabis))
            )
        )
        times.append(elapsed)
    return times


def _check(response: TestResponse) -> None:
    if response.status_code != 302:
        errors = re.findall(r'<a href="#[^"]*">([^<]*)</a>', response.get_data(as_text=True))
        raise RuntimeError(f"a benchmark submission was refused: {response.status_code} {errors}")


def _report(label: str, times: list[float]) -> float:
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    print(f"{label:>28}: p50 {p50 * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms")
    return p95


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    args = parser.parse_args(argv)
    results = {}
    for label, referrals in (
        ("empty database (baseline)", 0),
        (f"{args.referrals:,} referrals", args.referrals),
    ):
        with database(args.backend) as url:
            app = prepared_app(url, referrals)
            client = app.test_client()
            client.post("/sign-in", data={"email": OFFICER, "password": "divert-demo-password"})
            results[label] = _report(label, _submit_times(app, client))
    baseline, loaded = results.values()
    print(f"ratio p95 loaded / baseline: {loaded / baseline:.2f}")


if __name__ == "__main__":
    main()
