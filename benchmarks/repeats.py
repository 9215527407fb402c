"""Checking one new referral for repeats among 1,000,000 people: by the indexed blocking keys,
against a full scan of every person in the area, in the same run.

    python -m benchmarks.repeats --people 1000000
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import select

from benchmarks.common import copy_rows, database, median, prepared_app, vacuum
from divert.extensions import db
from divert.matching.generator import Stream
from divert.matching.keys import index_keys
from divert.matching.score import MatchTier, compare
from divert.models import Area, Person, PersonBlockingKey
from divert.referrals.repeats import candidate_people, record_of
from divert.tenancy import area_scope

CHECKS = 50
CHUNK = 50_000


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


def _indexed(record) -> list[int]:
    ids = candidate_people(record)
    people = db.session.scalars(select(Person).where(Person.id.in_(ids))).all() if ids else []
    return [p.id for p in people if compare(record, record_of(p)).tier is not MatchTier.NO_MATCH]


def _full_scan(record) -> list[int]:
    found = []
    for person in db.session.scalars(select(Person).execution_options(yield_per=10_000)):
        if compare(record, record_of(person)).tier is not MatchTier.NO_MATCH:
            found.append(person.id)
    return found


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
                indexed = []
                for record in probes:
                    started = time.perf_counter()
                    _indexed(record)
                    indexed.append(time.perf_counter() - started)
                started = time.perf_counter()
                scanned = _full_scan(probes[0])
                scan = time.perf_counter() - started
                agree = set(_indexed(probes[0])) == set(scanned)
        fast = median(indexed)
        print(f"indexed check, median of {len(indexed)}: {fast * 1000:.1f} ms")
        print(f"full scan of {args.people:,} people (baseline): {scan * 1000:.0f} ms")
        print(f"ratio full scan / indexed: {scan / fast:.0f}x")
        print(f"the two found the same people: {agree}")


if __name__ == "__main__":
    main()
