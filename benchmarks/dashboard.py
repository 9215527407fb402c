"""How long the area dashboard takes on a large region, against its SQL alone.

    python -m benchmarks.dashboard --referrals 1000000 --backend postgresql

Prints the dashboard's median server time and, measured in the same requests, the median time
spent in its SQL; the ratio shows what the page adds on top of the database's work.
"""

from __future__ import annotations

import argparse
from datetime import date

from benchmarks.common import SqlTimer, database, median, prepared_app, timed
from divert.extensions import db
from divert.figures.periods import financial_year_of

AREA = "west-midlands"  # the largest area
RUNS = 15


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=200_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    args = parser.parse_args(argv)
    with database(args.backend) as url:
        app = prepared_app(url, args.referrals)
        client = app.test_client()
        client.post(
            "/sign-in",
            data={"email": f"commissioner@{AREA}.example", "password": "divert-demo-password"},
        )
        query = {"period": f"fy:{financial_year_of(date.today())}"}
        page_times, sql_times = [], []
        with app.app_context():
            engine = db.engine
        for run in range(RUNS + 2):
            timer = SqlTimer()
            with timer.on(engine):
                elapsed = timed(lambda: client.get(f"/{AREA}/dashboard", query_string=query))
            if run >= 2:  # the first two warm the caches
                page_times.append(elapsed)
                sql_times.append(timer.seconds)
        page, sql = median(page_times), median(sql_times)
        print(f"backend={args.backend} referrals={args.referrals:,} runs={RUNS}")
        print(f"dashboard median server time: {page * 1000:.1f} ms")
        print(f"its SQL alone, median:        {sql * 1000:.1f} ms ({timer.statements} statements)")
        print(f"ratio page / SQL:             {page / sql:.2f}")


if __name__ == "__main__":
    main()
