"""A demo region: 18 months of realistic referrals, sessions and attendance.

Proportions follow the region's published picture: cannabis about 80% of main substances and
cocaine about 10%; about 80% engagement with the initial one-to-one; a few repeat referrals;
most referrals in the West Midlands, fewest in Warwickshire. Rows go in with bulk inserts, so
100,000 referrals build in well under two minutes on SQLite.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from faker import Faker
from flask import current_app
from sqlalchemy import Table, func, insert, select

from divert.demo.custody import build_custody_demo
from divert.demo.ids import Ids
from divert.demo.programmes import build_programme_demo
from divert.extensions import db
from divert.figures import summary
from divert.matching.keys import index_keys
from divert.matching.normalise import PersonRecord
from divert.matching.regional import published_hashes
from divert.models import (
    AgeGroup,
    Area,
    Booking,
    BookingStatus,
    DiarySession,
    Disposal,
    Person,
    PersonBlockingKey,
    Programme,
    ReferenceCounter,
    Referral,
    ReferralEvent,
    ReferralStatus,
    RegionalKeyHash,
    Role,
    SessionKind,
    Substance,
    User,
    Venue,
    referral_substance_found,
)
from divert.referrals.submission import age_group
from divert.tenancy import system_scope

AREA_SHARE = {
    "west-midlands": 0.55,
    "west-mercia": 0.2,
    "staffordshire": 0.17,
    "warwickshire": 0.08,
}
MAIN_SUBSTANCE_WEIGHTS = {
    "cannabis": 80,
    "cocaine": 10,
    "crack_cocaine": 1,
    "amphetamines": 1,
    "ketamine": 2,
    "mdma": 2,
    "nitrous_oxide": 1,
    "synthetic_cannabinoids": 1,
    "benzodiazepines": 0.5,
    "other": 1.5,
}
GENDERS = {"male": 82, "female": 16, "other": 1, None: 1}
ETHNICITIES = {
    "White British": 62,
    "White other": 5,
    "Asian or Asian British": 16,
    "Black or Black British": 8,
    "Mixed": 6,
    "Other": 1,
    None: 2,
}
MONTHS = 18
CHUNK = 5000
FULL_CARS_YEAR = 3000  # referrals: from this size up, the CARS demo is the seeds' full year


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class AreaContext:
    area: Area
    officer_id: int
    educator_id: int
    substances: dict[str, int]
    venue_ids: list[int]
    programmes: dict[str, int]  # code -> id
    counters: dict[int, int] = field(default_factory=dict)


@dataclass
class Planned:
    """One referral's generated life, before ids exist."""

    person: dict[str, Any]
    referral: dict[str, Any]
    found: list[int]
    session: dict[str, Any] | None
    booking: dict[str, Any] | None
    events: list[tuple[str | None, str, date]]


class DemoBuilder:
    def __init__(self, seed: int = 2024, today: date | None = None) -> None:
        # Reproducible demo data, not secrets.
        self.rng = random.Random(seed)  # nosec B311
        self.today = today or date.today()
        self.start = self.today - timedelta(days=int(MONTHS * 30.44))
        faker = Faker("en_GB")
        faker.seed_instance(seed)
        self.forenames = [faker.first_name() for _ in range(400)]
        self.surnames = [faker.last_name() for _ in range(800)]

    def context(self, area: Area) -> AreaContext:
        def user_id(role: Role) -> int:
            return db.session.scalar(
                select(User.id).where(User.email == f"{role}@{area.slug}.example")
            )

        rows = db.session.execute(
            select(Substance.code, Substance.id).where(Substance.area_id == area.id)
        )
        substances = {code: substance_id for code, substance_id in rows}
        venues = list(db.session.scalars(select(Venue.id).where(Venue.area_id == area.id)))
        rows = db.session.execute(
            select(Programme.code, Programme.id).where(Programme.area_id == area.id)
        )
        programmes = {code: programme_id for code, programme_id in rows}
        return AreaContext(
            area, user_id(Role.OFFICER), user_id(Role.EDUCATOR), substances, venues, programmes
        )

    def _received_on(self) -> date:
        # Referrals grow slowly over the months (square root skews towards recent dates).
        span = (self.today - self.start).days
        return self.start + timedelta(days=int(span * self.rng.random() ** 0.8))

    def _date_of_birth(self, on: date) -> date:
        age = self.rng.choices(
            [self.rng.randint(12, 17), self.rng.randint(18, 30), self.rng.randint(31, 60)],
            weights=[12, 60, 28],
        )[0]
        return on - timedelta(days=age * 365 + self.rng.randint(0, 364))

    def _person(self, ctx: AreaContext, on: date) -> dict[str, Any]:
        forename, surname = self.rng.choice(self.forenames), self.rng.choice(self.surnames)
        return {
            "area_id": ctx.area.id,
            "forename": forename,
            "surname": surname,
            "date_of_birth": self._date_of_birth(on),
            "phone": f"+4477009{self.rng.randint(0, 99999):05d}",
            "email": f"{forename}.{surname}{self.rng.randint(1, 999)}@example.com".lower(),
        }

    def _reference(self, ctx: AreaContext, on: date) -> str:
        number = ctx.counters.get(on.year, 0) + 1
        ctx.counters[on.year] = number
        return f"{ctx.area.code}-{on.year}-{number:05d}"

    def _session(self, ctx: AreaContext, on: date, programme_id: int) -> dict[str, Any]:
        starts = datetime.combine(on, time(self.rng.choice([9, 10, 11, 14, 15, 16])), tzinfo=UTC)
        remote = self.rng.random() < 0.3
        return {
            "area_id": ctx.area.id,
            "educator_id": ctx.educator_id,
            "programme_id": programme_id,
            "kind": SessionKind.INITIAL,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
            "capacity": 1,
            "booked_count": 1,
            "remote": remote,
            "venue_id": None if remote else self.rng.choice(ctx.venue_ids),
        }

    def plan(self, ctx: AreaContext, person: dict[str, Any], received_on: date) -> Planned:
        """A referral and what happened to it, decided by its age and the region's rates."""
        dob = person["date_of_birth"]
        found_code = _pick(self.rng, MAIN_SUBSTANCE_WEIGHTS)
        group = age_group(dob, received_on)
        programme_code = "divert-adults" if group is AgeGroup.ADULT else "divert-young-people"
        referral = {
            "area_id": ctx.area.id,
            "officer_id": ctx.officer_id,
            "educator_id": ctx.educator_id,
            "reference": self._reference(ctx, received_on),
            "received_on": received_on,
            "received_at": datetime.combine(received_on, time(12), tzinfo=UTC),
            "offence_date": received_on,
            "crime_reference": f"CR/{self.rng.randint(10000, 99999)}",
            "consent_to_contact": True,
            "status": ReferralStatus.SUBMITTED,
            "age_group": group,
            "programme_id": ctx.programmes[programme_code],
            "disposal": Disposal.PRE_ARREST_DIVERSION.value,
            "gender": _pick(self.rng, GENDERS),
            "ethnicity": _pick(self.rng, ETHNICITIES),
            "missed_appointments": 0,
        }
        events: list[tuple[str | None, str, date]] = [(None, "submitted", received_on)]
        planned = Planned(person, referral, [ctx.substances[found_code]], None, None, events)
        if self.rng.random() < 0.01:
            return self._close(planned, ReferralStatus.VOIDED, received_on)
        session_on = received_on + timedelta(days=self.rng.randint(3, 12))
        if session_on > self.today + timedelta(days=10):
            return planned  # still awaiting contact
        planned.session = self._session(ctx, session_on, referral["programme_id"])
        booking = {
            "area_id": ctx.area.id,
            "booked_by_id": ctx.educator_id,
            "status": BookingStatus.BOOKED,
        }
        planned.booking = booking
        self._move(planned, ReferralStatus.BOOKED, received_on)
        if session_on >= self.today:
            return planned
        if self.rng.random() < 0.8:
            return self._attended(ctx, planned, booking, session_on, found_code)
        booking["status"] = BookingStatus.DID_NOT_ATTEND
        referral["missed_appointments"] = 1
        self._move(planned, ReferralStatus.DID_NOT_ATTEND, session_on)
        closes_on = session_on + timedelta(days=21)
        if closes_on < self.today:
            referral["missed_appointments"] = 2
            return self._close(planned, ReferralStatus.NOT_ENGAGED, closes_on)
        return planned

    def _attended(
        self, ctx: AreaContext, planned: Planned, booking: dict[str, Any], on: date, found: str
    ) -> Planned:
        main = found if self.rng.random() < 0.9 else _pick(self.rng, MAIN_SUBSTANCE_WEIGHTS)
        booking.update(
            status=BookingStatus.ATTENDED,
            main_substance_id=ctx.substances[main],
            naloxone_kit_supplied=self.rng.random() < 0.15,
            recorded_by_id=ctx.educator_id,
        )
        planned.referral.update(initial_attended_on=on, main_substance_id=ctx.substances[main])
        self._move(planned, ReferralStatus.ATTENDED, on)
        completes_on = on + timedelta(days=self.rng.randint(0, 14))
        if completes_on < self.today:
            return self._close(planned, ReferralStatus.COMPLETED, completes_on)
        return planned

    def _move(self, planned: Planned, to: ReferralStatus, on: date) -> None:
        planned.events.append((planned.referral["status"].value, to.value, on))
        planned.referral["status"] = to

    def _close(self, planned: Planned, to: ReferralStatus, on: date) -> Planned:
        self._move(planned, to, on)
        planned.referral["closed_on"] = on
        return planned

    def _area_for(self, contexts: dict[str, AreaContext]) -> AreaContext:
        return contexts[_pick(self.rng, AREA_SHARE)]

    def generate(self, contexts: dict[str, AreaContext], count: int) -> Iterator[Planned]:
        """Referrals in date order; about 3% are a repeat of an earlier person in the area."""
        earlier: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {s: [] for s in contexts}
        dates = sorted(self._received_on() for _ in range(count))
        for received_on in dates:
            ctx = self._area_for(contexts)
            candidates = earlier[ctx.area.slug][-2000:]
            pair = self.rng.choice(candidates) if candidates and self.rng.random() < 0.03 else None
            if pair is not None:
                person, first = pair
                planned = self.plan(ctx, person, received_on)
                planned.referral["repeat_of"] = first
                planned.referral["is_repeat"] = True
            else:
                planned = self.plan(ctx, self._person(ctx, received_on), received_on)
                earlier[ctx.area.slug].append((planned.person, planned.referral))
            yield planned


def _chunks(items: Iterator[Planned], size: int) -> Iterator[list[Planned]]:
    chunk: list[Planned] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# (model or association table, rows): ORM bulk inserts accept rows with differing keys.
Rows = list[tuple[type | Table, list[dict[str, Any]]]]


@dataclass(frozen=True)
class Matching:
    """What indexing referrals for repeat matching needs: regions that share hashes, the key."""

    region_of_area: dict[int, int]  # areas whose region matches across areas
    secret: bytes

    def rows(self, chunk: list[Planned], people: list[dict[str, Any]]) -> Rows:
        keys = [
            {"area_id": p["area_id"], "person_id": p["id"], "key": key}
            for p in people
            for key in index_keys(_record(p))
        ]
        hashes = [
            {
                "region_id": self.region_of_area[p.referral["area_id"]],
                "area_id": p.referral["area_id"],
                "key_hash": key_hash,
                "referral_on": p.referral["received_on"],
            }
            for p in chunk
            if p.referral["area_id"] in self.region_of_area
            for key_hash in published_hashes(_record(p.person), self.secret)
        ]
        return [(PersonBlockingKey, keys), (RegionalKeyHash, hashes)]


def _record(person: dict[str, Any]) -> PersonRecord:
    return PersonRecord(
        forename=person["forename"],
        surname=person["surname"],
        date_of_birth=person["date_of_birth"],
        phone=person.get("phone"),
        email=person.get("email"),
    )


def chunk_rows(chunk: list[Planned], ids: Ids, matching: Matching) -> Rows:
    """The rows of a chunk of planned referrals, table by table in the order they must go in."""
    people = list({id(p.person): p.person for p in chunk if "id" not in p.person}.values())
    ids.assign(Person, people)
    ids.assign(Referral, [p.referral for p in chunk])
    referral_rows = []
    for planned in chunk:
        row = {k: v for k, v in planned.referral.items() if k != "repeat_of"}
        row["person_id"] = planned.person["id"]
        if "repeat_of" in planned.referral:
            row["repeat_of_id"] = planned.referral["repeat_of"]["id"]
        referral_rows.append(row)
    booked = [p for p in chunk if p.session is not None]
    sessions = [p.session for p in booked]
    ids.assign(DiarySession, sessions)
    bookings = [
        {**p.booking, "referral_id": p.referral["id"], "session_id": p.session["id"]}
        for p in booked
    ]
    found = [{"referral_id": p.referral["id"], "substance_id": s} for p in chunk for s in p.found]
    events = [
        {
            "area_id": p.referral["area_id"],
            "referral_id": p.referral["id"],
            "user_id": p.referral["educator_id"],
            "from_status": before,
            "to_status": after,
            "at": datetime.combine(on, time(13), tzinfo=UTC),
        }
        for p in chunk
        for before, after, on in p.events
    ]
    return [
        (Person, people),
        (Referral, referral_rows),
        (DiarySession, sessions),
        (Booking, bookings),
        (referral_substance_found, found),
        (ReferralEvent, events),
        *matching.rows(chunk, people),
    ]


def insert_rows(rows: Rows) -> None:
    for table, table_rows in rows:
        if table_rows:
            db.session.execute(insert(table), table_rows)


def _open_slots(ctx: AreaContext, today: date) -> list[dict[str, Any]]:
    """Initial one-to-one slots over the next three weeks, so officers can book at referral."""
    slots = []
    for offset in range(1, 22):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for hour in (10, 14, 16):
            starts = datetime.combine(day, time(hour), tzinfo=UTC)
            slots.append(
                {
                    "area_id": ctx.area.id,
                    "educator_id": ctx.educator_id,
                    "programme_id": ctx.programmes["divert-adults"],
                    "kind": SessionKind.INITIAL,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=1),
                    "capacity": 1,
                    "booked_count": 0,
                    "remote": hour == 16,
                    "venue_id": None if hour == 16 else ctx.venue_ids[0],
                }
            )
    return slots


def build_demo(
    referrals: int,
    seed: int = 2024,
    today: date | None = None,
    write: Callable[[Rows], None] = insert_rows,
) -> dict[str, int]:
    """Generate the demo region's records; returns referrals per area. Needs the demo accounts.

    `write` puts each chunk's rows in the database (benchmarks pass a faster bulk loader)."""
    builder = DemoBuilder(seed, today)
    with system_scope():
        if db.session.scalar(select(func.count()).select_from(Referral)):
            raise RuntimeError("The database already has referrals: the demo is built once")
        areas = db.session.scalars(select(Area)).all()
        contexts = {area.slug: builder.context(area) for area in areas}
        ids = Ids(Person, Referral, DiarySession)
        matching = Matching(
            {a.id: a.region_id for a in areas if a.region.regional_matching},
            current_app.config["REGIONAL_MATCH_SECRET"].encode(),
        )
        for chunk in _chunks(builder.generate(contexts, referrals), CHUNK):
            write(chunk_rows(chunk, ids, matching))
        ids.advance_sequences()
        for ctx in contexts.values():
            db.session.execute(insert(DiarySession), _open_slots(ctx, builder.today))
            counters = [
                {"area_id": ctx.area.id, "year": year, "last_number": number}
                for year, number in ctx.counters.items()
            ]
            if counters:
                db.session.execute(insert(ReferenceCounter), counters)
        build_programme_demo(list(areas), seed, builder.today)
        # The seeds' year of CARS with the 3,000 referrals `make run` builds; a smaller demo
        # (the tests') gets a share of it.
        build_custody_demo(
            list(areas), seed, builder.today, scale=min(1.0, referrals / FULL_CARS_YEAR)
        )
        summary.rebuild()  # the rows went in by bulk inserts, which no flush notes
        db.session.commit()
    return {slug: sum(ctx.counters.values()) for slug, ctx in contexts.items()}
