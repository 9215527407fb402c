"""Checking one new referral for repeats among 1,000,000 people: the candidate query on the
blocking keys' index, against the same SQL with index scans turned off (a sequential scan of
every key), in the same run and on the same probes.

    python -m benchmarks.repeats --people 1000000
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import select, text

from benchmarks.common import copy_rows, database, median, prepared_app, spread, vacuum
from divert.extensions import db
from divert.matching.generator import Stream
from divert.matching.keys import index_keys
from divert.models import Area, Person, PersonBlockingKey
from divert.referrals.repeats import candidate_people
from divert.tenancy import area_scope

CHECKS = 50  # probes timed with the index
BASELINE_CHECKS = 5  # the same probes' first few, timed with index scans off
CHUNK = 50_000
INDEX_SCANS = ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan")


def _load_people(area: Area, count: int) -> list:
    """People with their blocking keys, by COPY; returns the records, to check against."""
    stream = Stream(seed=11).records(count, repeat_share=0.0)
    for start in range(0, count, CHUNK):
        people, keys = [], []
        for offset, item in enumerate(stream[start : start + CHUNK]):
            person_id = start + offset + 1
            r = item.record
            people.append(
                {
                    "id": person_id,
                    "area_id": area.id,
                    "forename": r.forename,
                    "surname": r.surname,
                    "date_of_birth": r.date_of_birth,
                    "phone": r.phone,
                    "email": r.email,
                    "postcode_district": r.postcode_district,
                }
            )
            keys += [
                {"area_id": area.id, "person_id": person_id, "key": key} for key in index_keys(r)
            ]
        copy_rows([(Person, people), (PersonBlockingKey, keys)])
        db.session.commit()
    return [item.record for item in stream]


def _index_scans(on: bool) -> None:
    for setting in INDEX_SCANS:
        db.session.execute(text(f"SET {setting} = {'on' if on else 'off'}"))


def _timed_candidates(probes: list) -> tuple[list[float], list[set[int]]]:
    seconds, found = [], []
    for record in probes:
        started = time.perf_counter()
        found.append(candidate_people(record))
        seconds.append(time.perf_counter() - started)
    return seconds, found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with database("postgresql") as url:
        app = prepared_app(url, 0)
        with app.app_context():
            warwickshire = db.session.scalar(select(Area).where(Area.slug == "warwickshire"))
            with area_scope(warwickshire):
                started = time.perf_counter()
                records = _load_people(warwickshire, args.people)
                print(f"loaded {args.people:,} people in {time.perf_counter() - started:.0f} s")
            db.session.remove()
            vacuum(url)
            warwickshire = db.session.scalar(select(Area).where(Area.slug == "warwickshire"))
            with area_scope(warwickshire):
                probes = records[:: max(len(records) // CHECKS, 1)][:CHECKS]
                _timed_candidates(probes[:3])  # warm the cache as a busy server's would be
                indexed, with_index = _timed_candidates(probes)
                _index_scans(False)
                scanned, without_index = _timed_candidates(probes[:BASELINE_CHECKS])
                _index_scans(True)
        agree = with_index[:BASELINE_CHECKS] == without_index
        print(f"people={args.people:,} (PostgreSQL), candidate query of the repeat check")
        print(spread("with the blocking keys' index", indexed))
        print(spread("baseline, the same SQL with index scans off", scanned))
        print(f"ratio of medians, baseline / indexed: {median(scanned) / median(indexed):.0f}x")
        print(f"both found the same candidates: {agree}")


if __name__ == "__main__":
    main()
