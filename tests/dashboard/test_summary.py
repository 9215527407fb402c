"""The monthly summary gives the figures the records give, on random records and after every
kind of change (a new referral, attendance, a missed session, a status change, a void, a repeat
decision, a completion, retention, a booking's record put right).

The expected counts are worked out here, in Python, from the records one by one, by the
definitions in DESIGN.md ("Figures"), not by the SQL under test. Periods are chosen to read whole
months only (the summary), part-months only (the records) and both; and the summary's rows are
compared with the same months worked out again from scratch, so no change escapes it.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from divert.extensions import db
from divert.figures import summary
from divert.figures.counts import Counts, counts_by_area, referrals_received
from divert.figures.periods import Period, custom, quarter
from divert.models import (
    AgeGroup,
    Booking,
    BookingStatus,
    DiarySession,
    Programme,
    Referral,
    ReferralStatus,
    Role,
    SessionKind,
    Substance,
    TreatmentService,
    User,
)
from divert.privacy.removal import remove_personal_data
from divert.referrals import lifecycle
from divert.tenancy import area_scope, system_scope
from tests.factories import area, make_user
from tests.referrals.builders import referral, session_slot
from tests.support.summary import summary_rows

S = ReferralStatus
AREAS = ("warwickshire", "staffordshire")
FIRST_DAY, DAYS = date(2024, 1, 1), 182  # January to June 2024
PERIODS = [
    quarter(2024, 1),  # whole months: the summary alone
    custom(date(2024, 1, 15), date(2024, 5, 10)),  # whole months and two part-months
    custom(date(2024, 2, 3), date(2024, 2, 20)),  # one part-month: the records alone
    Period(date(2023, 12, 1), date(2024, 6, 30), "December to June"),
]
PROGRAMMES = (None, "divert-adults", "divert-young-people")
CHANGES = ("new", "attend", "miss", "status", "void", "repeat", "retention", "correct")


def _codes(model: type) -> dict[int, str]:
    return {row_id: code for row_id, code in db.session.execute(select(model.id, model.code))}


def expected_counts(period: Period, programme: str | None) -> dict[int, Counts]:
    """Counts by area, from every record of the region one at a time."""
    with system_scope():
        substances, services = _codes(Substance), _codes(TreatmentService)
        by_area = {area(slug).id: Counts() for slug in AREAS}
        for made in db.session.scalars(select(Referral)):
            if not (
                made.status is not S.VOIDED
                and period.start <= made.received_on <= period.end
                and programme in (None, made.programme.code)
                and made.area_id in by_area
            ):
                continue
            c = by_area[made.area_id]
            attended = made.initial_attended_on is not None
            c.referrals += 1
            c.attended += attended
            c.not_engaged += made.status in (S.NOT_ENGAGED, S.NOT_COMPLETED) and not attended
            c.repeats += made.is_repeat
            c.completed += made.status is S.COMPLETED
            c.ineligible += made.status is S.INELIGIBLE
            c.withdrawn += made.status is S.WITHDRAWN
            c.in_progress += made.status in (S.SUBMITTED, S.BOOKED, S.ATTENDED, S.DID_NOT_ATTEND)
            c.under_18 += made.age_group is AgeGroup.UNDER_18
            c.adult += made.age_group is AgeGroup.ADULT
            c.not_completed += made.status is S.NOT_COMPLETED and attended
            c.referred_on += made.status is S.REFERRED_ON
            c.per_month[(made.received_on.year, made.received_on.month)] += 1
            c.genders[made.gender or "Not recorded"] += 1
            c.ethnicities[made.ethnicity or "Not recorded"] += 1
            if attended and made.main_substance_id is not None:
                c.substances[substances[made.main_substance_id]] += 1
            bookings = db.session.scalars(select(Booking).where(Booking.referral_id == made.id))
            for booking in bookings:
                if booking.status is not BookingStatus.ATTENDED:
                    continue
                c.naloxone_kits += booking.naloxone_kit_supplied
                if booking.onward_service_id is not None:
                    c.onward[services[booking.onward_service_id]] += 1
    return by_area


def _plain(counts: Counts) -> dict[str, Any]:
    """Every count, breakdowns as plain dicts: a key counted 0 would show as a row of 0."""
    plain: dict[str, Any] = {name: getattr(counts, name) for name in Counts.SCALARS}
    plain["naloxone_kits"] = counts.naloxone_kits
    plain.update({name: dict(getattr(counts, name)) for name in Counts.BREAKDOWNS})
    return plain


def assert_rows_as_from_scratch() -> None:
    """The summary's rows are those of every month worked out again from scratch."""
    kept = summary_rows()
    with system_scope():
        summary.rebuild()
        db.session.flush()
    assert kept == summary_rows(), "a change escaped the summary"
    db.session.rollback()


def assert_summary_right() -> None:
    assert_rows_as_from_scratch()
    region = area(AREAS[0]).region
    for period in PERIODS:
        for programme in PROGRAMMES:
            got = counts_by_area(region, period, programme)
            for area_id, expected in expected_counts(period, programme).items():
                assert _plain(got[area_id]) == _plain(expected), (period, programme, area_id)
    # Contract use: referrals of one programme of an area between any two days.
    between = (date(2024, 1, 10), date(2024, 6, 5))
    area_ids = [area(slug).id for slug in AREAS]
    with system_scope():
        programmes = db.session.execute(
            select(Programme.area_id, Programme.id, Programme.code)
            .where(Programme.area_id.in_(area_ids))
            .order_by(Programme.id)
        ).all()
    spans = [(area_id, programme_id, *between) for area_id, programme_id, _code in programmes]
    expected = [
        _plain(expected_counts(custom(*between), code)[area_id])["referrals"]
        for area_id, _programme_id, code in programmes
    ]
    with system_scope():
        assert referrals_received(spans) == expected


class Records:
    """Random records of two areas, made through the application's own services."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.staff: dict[str, tuple[User, User]] = {
            slug: (
                make_user(f"pc@{slug}.test", {slug: Role.OFFICER}),
                make_user(f"ed@{slug}.test", {slug: Role.EDUCATOR}),
            )
            for slug in AREAS
        }
        self.made: list[tuple[str, int]] = []

    def _day(self) -> date:
        return FIRST_DAY + timedelta(days=self.random.randrange(DAYS))

    def _code(self, model: type, codes: tuple[str | None, ...]) -> Any:
        code = self.random.choice(codes)
        if code is None:
            return None
        return db.session.scalars(select(model).where(model.code == code)).one()

    def _pick(self, wanted: Any) -> tuple[str, Referral] | None:
        """A referral made earlier, of the statuses wanted (a predicate), at random."""
        self.random.shuffle(self.made)
        for slug, referral_id in self.made:
            with area_scope(area(slug)):
                found = db.session.get(Referral, referral_id)
                if found is not None and wanted(found):
                    return slug, found
        return None

    def change(self, kind: str) -> None:
        if kind == "new":
            self.new()
            return
        wanted = {
            "attend": lambda r: (
                r.status in (S.SUBMITTED, S.DID_NOT_ATTEND) and r.programme.code == "divert-adults"
            ),
            "miss": lambda r: r.status is S.SUBMITTED and r.programme.code == "divert-adults",
            "status": lambda r: bool(lifecycle.TRANSITIONS[r.status] - {S.VOIDED, S.BOOKED}),
            "void": lambda r: S.VOIDED in lifecycle.TRANSITIONS[r.status],
            "repeat": lambda r: not r.is_repeat,
            "retention": lambda r: r.person.anonymised_at is None,
            "correct": lambda r: r.initial_attended_on is not None,
        }[kind]
        picked = self._pick(wanted)
        if picked is None:
            return
        slug, made = picked
        officer, educator = self.staff[slug]
        with area_scope(area(slug)):
            if kind in ("attend", "miss"):
                self._session(made, educator, attended=kind == "attend")
            elif kind == "status":
                targets = sorted(lifecycle.TRANSITIONS[made.status] - {S.VOIDED, S.BOOKED})
                lifecycle.change_status(made, self.random.choice(targets), educator)
            elif kind == "void":
                lifecycle.change_status(made, S.VOIDED, officer)
            elif kind == "correct":  # a booking's record put right, the referral untouched
                booking = db.session.scalars(
                    select(Booking).where(
                        Booking.referral_id == made.id, Booking.status == BookingStatus.ATTENDED
                    )
                ).first()
                booking.naloxone_kit_supplied = not booking.naloxone_kit_supplied
            elif kind == "repeat":
                made.is_repeat = True  # as a manager's "same person" decision does
            else:
                remove_personal_data([made.person])
            db.session.commit()

    def new(self) -> None:
        slug = self.random.choice(AREAS)
        officer, _educator = self.staff[slug]
        here = area(slug)
        on = self._day()
        young = self.random.random() < 0.3
        with area_scope(here):
            made = referral(
                here,
                officer,
                forename=f"Person{len(self.made)}",
                date_of_birth=date(2009 if young else 1990, 5, 5),
                received_on=on,
                offence_date=on,
                gender=self.random.choice((None, "female", "male")),
                ethnicity=self.random.choice((None, "White British", "Asian British")),
            )
            db.session.commit()
            self.made.append((slug, made.id))

    def _session(self, made: Referral, educator: User, *, attended: bool) -> None:
        starts = datetime.combine(made.received_on + timedelta(days=2), time(10), tzinfo=UTC)
        slot: DiarySession = session_slot(
            made.area, educator, starts_at=starts, kind=SessionKind.INITIAL
        )
        booking = lifecycle.book(made, slot, educator)
        if not attended:
            lifecycle.record_attendance(booking, BookingStatus.DID_NOT_ATTEND, educator)
            return
        lifecycle.record_attendance(
            booking,
            BookingStatus.ATTENDED,
            educator,
            main_substance=self._code(Substance, ("cannabis", "cocaine", "other")),
            naloxone_kit_supplied=self.random.random() < 0.5,
            onward_service=self._code(TreatmentService, (None, "gp", "community_drug_service")),
        )


@pytest.mark.parametrize("seed", [1, 2])
def test_the_summary_gives_the_records_figures_after_every_change(
    app_ctx: Flask, seed: int
) -> None:
    records = Records(seed)
    for _ in range(24):
        records.new()
    for kind in ("attend", "attend", "miss", "status", "status", "attend"):
        records.change(kind)
    assert_summary_right()
    for kind in CHANGES * 2:
        records.change(kind)
        assert_summary_right()


def test_a_rolled_back_change_leaves_the_summary_as_it_was(app_ctx: Flask) -> None:
    records = Records(3)
    records.new()
    before = summary_rows()
    slug, referral_id = records.made[0]
    with area_scope(area(slug)):
        made = db.session.get(Referral, referral_id)
        lifecycle.change_status(made, S.VOIDED, records.staff[slug][0])
        db.session.flush()
        db.session.rollback()
    assert summary_rows() == before
    records.new()  # the next commit works out only its own month
    assert_summary_right()


def test_the_months_at_a_periods_ends_are_read_from_the_records(app_ctx: Flask) -> None:
    """One referral on 31 January and one on 1 February: a period from 31 January to 1 February
    counts both, a period of February alone counts one (written out, not computed)."""
    records = Records(4)
    here = area("warwickshire")
    officer = records.staff["warwickshire"][0]
    with area_scope(here):
        for on in (date(2024, 1, 31), date(2024, 2, 1)):
            referral(here, officer, received_on=on, offence_date=on, forename=f"P{on.day}")
        db.session.commit()
    region = here.region
    both = counts_by_area(region, custom(date(2024, 1, 31), date(2024, 2, 1)))[here.id]
    february = counts_by_area(region, custom(date(2024, 2, 1), date(2024, 2, 29)))[here.id]
    assert (both.referrals, dict(both.per_month)) == (2, {(2024, 1): 1, (2024, 2): 1})
    assert (february.referrals, dict(february.per_month)) == (1, {(2024, 2): 1})


def test_a_new_referral_never_adds_to_a_session_content_row_of_the_same_keys(
    app_ctx: Flask,
) -> None:
    """What an attended session gave is kept in a row with no referrals whose keys (programme,
    no substance, gender or ethnicity, no onward service) a new referral's group may share: the
    new referral gets a row of its own, as a month worked out from scratch has."""
    here = area("warwickshire")
    with area_scope(here):
        officer = make_user("pc@example.org", {"warwickshire": Role.OFFICER})
        educator = make_user("ed@example.org", {"warwickshire": Role.EDUCATOR})
        cannabis = db.session.scalars(select(Substance).where(Substance.code == "cannabis")).one()
        cannabis_id = cannabis.id  # read in its area: the commits below expire it
        on = date(2024, 3, 4)
        first = referral(here, officer, received_on=on, offence_date=on, forename="First")
        starts = datetime.combine(on + timedelta(days=1), time(10), tzinfo=UTC)
        booking = lifecycle.book(first, session_slot(here, educator, starts_at=starts), educator)
        lifecycle.record_attendance(
            booking,
            BookingStatus.ATTENDED,
            educator,
            main_substance=cannabis,
            naloxone_kit_supplied=True,
        )
        db.session.commit()
        referral(here, officer, received_on=on, offence_date=on, forename="Second")
        db.session.commit()
    march = [row[2:] for row in summary_rows() if row[1] == date(2024, 3, 1)]
    adults = march[0][0]
    # (programme, substance, gender, ethnicity, onward service, referrals, attended, ...,
    # naloxone kits, onward referrals), written out: the first referral's group, the second's,
    # and what the first's session gave.
    assert sorted(march, key=repr) == sorted(
        [
            (adults, cannabis_id, None, None, None, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0),
            (adults, None, None, None, None, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0),
            (adults, None, None, None, None, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0),
        ],
        key=repr,
    )
    assert_rows_as_from_scratch()


def test_a_part_month_of_most_of_its_month_is_the_month_less_the_rest(app_ctx: Flask) -> None:
    """Referrals on 3, 20 and 30 November 2024 and one voided on 25 November: the days of a
    span are counted whether read from the records alone or as the month of the summary less
    the rest of the month (written out, not computed)."""
    records = Records(5)
    here = area("warwickshire")
    officer = records.staff["warwickshire"][0]
    with area_scope(here):
        for day in (3, 20, 25, 30):
            on = date(2024, 11, day)
            made = referral(here, officer, received_on=on, offence_date=on, forename=f"P{day}")
            if day == 25:
                lifecycle.change_status(made, S.VOIDED, officer)
        db.session.commit()
        adults = db.session.scalars(
            select(Programme.id).where(Programme.code == "divert-adults")
        ).one()
    spans = [
        (date(2024, 11, 1), date(2024, 11, 29)),  # the month less the 30th
        (date(2024, 11, 5), date(2024, 11, 30)),  # the month less the 1st to the 4th
        (date(2024, 11, 1), date(2024, 11, 10)),  # the records of ten days
        (date(2024, 11, 21), date(2024, 12, 5)),  # across two months: the records
        (date(2024, 10, 1), date(2024, 11, 20)),  # October whole, November less 21 to 30
    ]
    with system_scope():
        got = referrals_received([(here.id, adults, start, end) for start, end in spans])
    assert got == [2, 2, 1, 1, 2]


def test_new_referrals_of_one_transaction_add_to_their_groups_rows(app_ctx: Flask) -> None:
    """Three referrals made in one transaction: two of a group the month has a row of, one of
    a group new to the month. The first group's row counts three, the new group has a row of
    one (written out), as the month worked out from scratch has."""
    here = area("warwickshire")
    on = date(2024, 3, 4)
    with area_scope(here):
        officer = make_user("pc@example.org", {"warwickshire": Role.OFFICER})
        referral(here, officer, received_on=on, offence_date=on, forename="First")
        db.session.commit()
        for forename, gender in (("Second", None), ("Third", "female"), ("Fourth", None)):
            referral(
                here, officer, received_on=on, offence_date=on, forename=forename, gender=gender
            )
        db.session.commit()
    march = [row[2:] for row in summary_rows() if row[1] == date(2024, 3, 1)]
    adults = march[0][0]
    # (programme, substance, gender, ethnicity, onward service, referrals, attended, not
    # engaged, repeats, completed, ineligible, withdrawn, in progress, under 18, adults, not
    # completed, referred on, naloxone kits, onward referrals)
    assert sorted(march, key=repr) == sorted(
        [
            (adults, None, None, None, None, 3, 0, 0, 0, 0, 0, 0, 3, 0, 3, 0, 0, 0, 0),
            (adults, None, "female", None, None, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0),
        ],
        key=repr,
    )
    assert_rows_as_from_scratch()
