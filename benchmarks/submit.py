"""Server time of submitting a referral, on an empty database and on a large one.

    python -m benchmarks.submit --referrals 100000 --backend postgresql

The same officer submits REQUESTS referrals through the real form handler on an empty database
(the baseline) and on one holding the demo region of --referrals referrals, in the same run, in
RUNS runs each: min / median / max of the runs' medians, the p95, and the ratio are printed.
"""

from __future__ import annotations

import argparse
import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from benchmarks.common import database, median, percentile, prepared_app, spread, timed
from divert.extensions import db
from divert.matching.generator import Stream
from divert.matching.normalise import PersonRecord
from divert.models import Area, Substance
from divert.tenancy import system_scope

REQUESTS = 240
RUNS = 4
# The largest area, whose policy allows a repeat once the officer confirms it: every form
# confirms, so each submission is one request whether or not the person was referred before.
AREA = "west-midlands"
OFFICER = f"officer@{AREA}.example"


def _people() -> list[PersonRecord]:
    """Realistic people; some look like others, as in life, and go through the repeat check."""
    return [item.record for item in Stream(seed=17).records(REQUESTS, repeat_share=0.0)]


def _form(number: int, person: PersonRecord, cannabis: int) -> dict[str, object]:
    today, born = date.today(), person.date_of_birth
    return {
        "forename": person.forename,
        "surname": person.surname,
        "date_of_birth": [str(born.day), str(born.month), str(born.year)],
        "phone": f"07911 {200000 + number}",
        "offence_date": [str(today.day), str(today.month), str(today.year)],
        "crime_reference": f"BENCH/{number}",
        "substances_found": [str(cannabis)],
        "consent_to_contact": "y",
        "confirm_repeat": "y",
        "guardian_name": "Sam Guardian",  # asked for, and used, only for under-18s
        "guardian_contact": "07700 900456",
        "slot": "none",
        "submission_token": f"bench-{number}",
    }


def _submit_times(app: Flask, client: FlaskClient) -> list[float]:
    with app.app_context(), system_scope():
        cannabis = db.session.scalar(
            select(Substance.id)
            .join(Area, Substance.area_id == Area.id)
            .where(Substance.code == "cannabis", Area.slug == AREA)
        )
    times = []
    for number, person in enumerate(_people()):
        elapsed = timed(
            lambda n=number, p=person: _check(
                client.post(f"/{AREA}/referrals/new", data=_form(n, p, cannabis))
            )
        )
        times.append(elapsed)
    return times


def _check(response: TestResponse) -> None:
    if response.status_code != 302:
        errors = re.findall(r'<a href="#[^"]*">([^<]*)</a>', response.get_data(as_text=True))
        raise RuntimeError(f"a benchmark submission was refused: {response.status_code} {errors}")


def _report(label: str, times: list[float]) -> float:
    """The submissions in RUNS consecutive runs: min / median / max of the runs' medians, and
    the p95 of them all. Returns the median of the runs' medians."""
    size = len(times) // RUNS
    medians = [median(times[run * size : (run + 1) * size]) for run in range(RUNS)]
    print(spread(f"{label:>28}, median submission", medians))
    print(f"{label:>28}, p95 of all {len(times)}: {percentile(times, 0.95) * 1000:.1f} ms")
    return median(medians)


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
    print(f"ratio of medians, loaded / baseline: {loaded / baseline:.2f}")


if __name__ == "__main__":
    main()
