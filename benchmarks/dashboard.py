"""The area dashboard on a large region, at one or more sizes, against its SQL alone.

    python -m benchmarks.dashboard --referrals 100000 1000000

One PostgreSQL cluster with the demo region (SEED referrals made by the demo builder), grown
to each size in turn by the database copying its referrals (benchmarks.common.grow_referrals,
which also works the monthly summary out again, and copies the bookings and outcomes of
each referral copied). The figures are worked out at every view (DASHBOARD_FIGURES_CACHE off:
the pages kept per snapshot would measure the cache). At each size: the dashboard page's server time
and, measured in the same requests, the time spent in its SQL (the baseline: what the page adds
on top of the database's work), each min / median / max over RUNS runs; the last line compares
the page's median at the largest size with the smallest, measured in the same run.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from flask import Flask

from benchmarks.common import (
    SqlTimer,
    database,
    grow_referrals,
    load_average,
    median,
    prepared_app,
    spread,
    timed,
)
from divert.extensions import db
from divert.figures.periods import financial_year_of

AREA = "west-midlands"  # the largest area
RUNS = 15
WARM_UP = 2
SEED = 20_000  # made by the demo builder; the rest are the database's copies of them


def _measure(app: Flask, backend: str, referrals: int) -> float:
    """Prints one size's figures; returns the page's median server time in seconds."""
    client = app.test_client()
    client.post(
        "/sign-in",
        data={"email": f"commissioner@{AREA}.example", "password": "divert-demo-password"},
    )
    query = {"period": f"fy:{financial_year_of(date.today())}"}
    page_times, sql_times, cpu_times = [], [], []
    with app.app_context():
        engine = db.engine
    for run in range(RUNS + WARM_UP):
        timer = SqlTimer()
        cpu = time.process_time()
        with timer.on(engine):
            elapsed = timed(lambda: client.get(f"/{AREA}/dashboard", query_string=query))
        if run >= WARM_UP:  # the first runs warm the caches
            page_times.append(elapsed)
            sql_times.append(timer.seconds)
            cpu_times.append(time.process_time() - cpu)
    print(f"backend={backend} referrals={referrals:,} (load average {load_average()})")
    print(spread("  dashboard page, server time", page_times))
    print(spread(f"  its SQL ({timer.statements} statements)", sql_times))
    # Less moved by other processes than wall time: what the page itself costs in Python.
    print(spread("  the app's own CPU time (this process, SQL excluded)", cpu_times))
    print(f"  ratio page / SQL (medians): {median(page_times) / median(sql_times):.2f}")
    return median(page_times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    args = parser.parse_args(argv)
    sizes = sorted(args.referrals)
    medians = {}
    with database(args.backend) as url:
        # Every view works its figures out: kept pages (divert.figures.snapshot) would time
        # the cache, not the figures.
        app = prepared_app(url, min(SEED, sizes[0]), DASHBOARD_FIGURES_CACHE=False)
        for size in sizes:
            with app.app_context():
                grow_referrals(url, size)
            medians[size] = _measure(app, args.backend, size)
    if len(medians) > 1:
        smallest, largest = min(medians), max(medians)
        print(
            f"dashboard median at {largest:,} / at {smallest:,}: "
            f"{medians[largest] / medians[smallest]:.2f}"
        )


if __name__ == "__main__":
    main()
