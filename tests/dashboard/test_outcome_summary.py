"""The outcome summary gives the outcome figures the records give, on random records and after
every kind of outcome change (an onward referral at an attended session, a case closed with its
cohort, the force's result, a police outcome recorded and corrected, an entry into treatment, a
status change to returned, a void, retention).

The expected figures are worked out here, in Python, from the records one by one, by the
definitions in DESIGN.md ("Outcomes", "Figures"), not by the SQL under test; for several days
the figures are read on, before, between and after the follow-ups' due days. Periods read whole
months only (the summary), part-months only (the records) and both; and the summary's rows are
compared with every month worked out again from scratch, so no change escapes it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from divert.extensions import db
from divert.figures import summary
from divert.figures.outcomes import Outcomes, outcomes_by_area
from divert.figures.periods import Period, custom
from divert.models import (
    Booking,
    BookingStatus,
    CaseOutcome,
    Cohort,
    PoliceOutcome,
    Referral,
    ReferralStatus,
    ResultSource,
    Role,
    Substance,
    TreatmentEntry,
    TreatmentService,
    User,
)
from divert.outcomes import follow_up, police, treatment
from divert.privacy.removal import remove_personal_data
from divert.referrals import lifecycle
from divert.tenancy import area_scope, system_scope
from tests.dashboard.test_summary import AREAS, PERIODS, PROGRAMMES, Records
from tests.factories import area, make_user
from tests.outcomes.builders import close
from tests.referrals.builders import referral, session_slot
from tests.support.summary import outcome_rows

S = ReferralStatus
RETURNED = (S.NOT_ENGAGED, S.NOT_COMPLETED, S.INELIGIBLE)  # back to the police (DESIGN.md)
# Cases close in January to June 2024 (six-month follow-ups due July to December 2024): read
# before any is due, while some are, and once all are.
TODAYS = (date(2024, 6, 30), date(2024, 10, 15), date.today())
CHANGES = (
    "new",
    "onward",
    "close",
    "returned",
    "result",
    "police",
    "police",
    "treatment",
    "void",
    "retention",
)


def _plain(outcomes: Outcomes) -> dict[str, Any]:
    return {
        "completed": outcomes.completed,
        "not_completed": outcomes.not_completed,
        "onward": outcomes.onward,
        "entered": outcomes.entered,
        "police": dict(outcomes.police),
        "cohorts": {
            cohort.value: (
                r.cases,
                r.window_passed,
                r.results_in,
                r.reoffended,
                r.offences,
                r.violent,
                r.alcohol,
            )
            for cohort, r in outcomes.cohorts.items()
        },
    }


def expected_outcomes(period: Period, programme: str | None, today: date) -> dict[int, Any]:
    """Outcome figures by area, from every record of the region one at a time."""
    with system_scope():
        by_area = {area(slug).id: _plain(Outcomes()) for slug in AREAS}
        for made in db.session.scalars(select(Referral)):
            if not (
                made.status is not S.VOIDED
                and period.start <= made.received_on <= period.end
                and programme in (None, made.programme.code)
                and made.area_id in by_area
            ):
                continue
            found = by_area[made.area_id]
            referred_on = db.session.scalars(
                select(Booking).where(
                    Booking.referral_id == made.id,
                    Booking.status == BookingStatus.ATTENDED,
                    Booking.onward_service_id.is_not(None),
                )
            ).first()
            entry = db.session.scalars(
                select(TreatmentEntry).where(TreatmentEntry.referral_id == made.id)
            ).first()
            if referred_on is not None:
                found["onward"] += 1
                found["entered"] += entry is not None
            if made.status in RETURNED:
                decided = db.session.scalars(
                    select(PoliceOutcome).where(PoliceOutcome.referral_id == made.id)
                ).first()
                key = decided.outcome.value if decided else "awaiting"
                found["police"][key] = found["police"].get(key, 0) + 1
            case = db.session.scalars(
                select(CaseOutcome).where(CaseOutcome.referral_id == made.id)
            ).first()
            if case is None:
                continue
            if case.cohort is Cohort.COMPLETED:
                found["completed"] += 1
            else:
                found["not_completed"] += 1
            cases, passed, results, reoffended, offences, violent, alcohol = found["cohorts"][
                case.cohort.value
            ]
            due = case.follow_up_due_on <= today
            result = due and case.result_at is not None
            found["cohorts"][case.cohort.value] = (
                cases + 1,
                passed + due,
                results + result,
                reoffended + (result and bool(case.reoffended)),
                offences + (case.offence_count if result else 0),
                violent + (result and bool(case.any_violent)),
                alcohol + (result and bool(case.any_alcohol)),
            )
    return by_area


def assert_outcome_rows_as_from_scratch() -> None:
    kept = outcome_rows()
    with system_scope():
        summary.rebuild()
        db.session.flush()
    assert kept == outcome_rows(), "a change escaped the outcome summary"
    db.session.rollback()


def assert_outcomes_right() -> None:
    assert_outcome_rows_as_from_scratch()
    region = area(AREAS[0]).region
    for today in TODAYS:
        for period in PERIODS:
            for programme in PROGRAMMES:
                got = outcomes_by_area(region, period, today, programme)
                for area_id, expected in expected_outcomes(period, programme, today).items():
                    assert _plain(got[area_id]) == expected, (today, period, programme, area_id)


class OutcomeRecords(Records):
    """Random records of two areas with outcomes, made through the application's services."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.analysts = {
            slug: make_user(f"fa@{slug}.test", {slug: Role.FORCE_ANALYST}) for slug in AREAS
        }

    def outcome_change(self, kind: str) -> None:
        if kind == "new":
            self.new()
            return
        wanted = {
            "onward": lambda r: (
                r.status in (S.SUBMITTED, S.DID_NOT_ATTEND) and r.programme.code == "divert-adults"
            ),
            "close": lambda r: r.status in (S.ATTENDED, S.SUBMITTED, S.DID_NOT_ATTEND),
            "returned": lambda r: r.status in (S.SUBMITTED, S.DID_NOT_ATTEND),
            "result": lambda r: _case(r) is not None and _case(r).result_at is None,
            "police": lambda r: r.status in RETURNED,
            "treatment": lambda r: treatment.onward_referral(r) is not None,
            "void": lambda r: S.VOIDED in lifecycle.TRANSITIONS[r.status],
            "retention": lambda r: r.person.anonymised_at is None,
        }[kind]
        picked = self._pick(wanted)
        if picked is None:
            return
        slug, made = picked
        officer, educator = self.staff[slug]
        with area_scope(area(slug)):
            for user in (officer, educator, self.analysts[slug]):
                db.session.refresh(user)  # loaded, as a request's signed-in user is
            if kind == "onward":
                self._onward(made, educator)
            elif kind in ("close", "returned"):
                closing = {
                    S.ATTENDED: (S.COMPLETED, S.NOT_COMPLETED, S.WITHDRAWN),
                    S.SUBMITTED: (S.NOT_ENGAGED, S.INELIGIBLE, S.WITHDRAWN),
                    S.DID_NOT_ATTEND: (S.NOT_ENGAGED, S.NOT_COMPLETED),
                }[made.status]
                to = self.random.choice(closing if kind == "close" else RETURNED[:1])
                close(made, to, educator, made.received_on + timedelta(self.random.randrange(60)))
            elif kind == "result":
                reoffended = self.random.random() < 0.4
                case = _case(made)
                follow_up.record_batch(
                    [
                        follow_up.Result(
                            made.reference,
                            reoffended,
                            self.random.randint(1, 3) if reoffended else 0,
                            case.closed_on + timedelta(days=3) if reoffended else None,
                            any_violent=reoffended and self.random.random() < 0.5,
                            any_alcohol=reoffended and self.random.random() < 0.5,
                        )
                    ],
                    self.analysts[slug],
                    ResultSource.API,
                    date.today(),
                )
            elif kind == "police":  # recorded, or put right
                outcome = self.random.choice(("no_further_action", "caution", "charge"))
                police.record(made, outcome, made.closed_on, officer, date.today())
            elif kind == "treatment":
                entered_on = made.received_on + timedelta(days=10)
                treatment.confirm_entry(
                    made, entered_on, educator, treatment.EDUCATOR, date.today()
                )
            elif kind == "void":
                lifecycle.change_status(made, S.VOIDED, officer)
            else:
                remove_personal_data([made.person])
            db.session.commit()

    def _onward(self, made: Referral, educator: User) -> None:
        service = self.random.choice(("gp", "community_drug_service"))
        attend_and_refer_on(made, educator, service)


def attend_and_refer_on(made: Referral, educator: User, service: str) -> None:
    """The initial one-to-one attended two days after the referral, cannabis reported, the
    person referred on to the area's treatment service with code `service`."""
    starts = datetime.combine(made.received_on + timedelta(days=2), time(10), tzinfo=UTC)
    booking = lifecycle.book(made, session_slot(made.area, educator, starts_at=starts), educator)
    lifecycle.record_attendance(
        booking,
        BookingStatus.ATTENDED,
        educator,
        main_substance=_coded(Substance, "cannabis"),
        onward_service=_coded(TreatmentService, service),
    )


def _coded(model: Any, code: str) -> Any:
    return db.session.scalars(select(model).where(model.code == code)).one()


def _case(made: Referral) -> CaseOutcome | None:
    return db.session.scalars(select(CaseOutcome).where(CaseOutcome.referral_id == made.id)).first()


@pytest.mark.parametrize("seed", [1, 2])
def test_the_outcome_summary_gives_the_records_figures_after_every_change(
    app_ctx: Flask, seed: int
) -> None:
    records = OutcomeRecords(seed)
    for _ in range(24):
        records.new()
    for kind in ("onward", "onward", "onward", "close", "close", "returned", "close"):
        records.outcome_change(kind)
    assert_outcomes_right()
    for kind in CHANGES * 2:
        records.outcome_change(kind)
        assert_outcomes_right()
    with system_scope():  # every kind of outcome was there to count
        made = [
            db.session.scalar(select(func.count()).select_from(model).where(*where))
            for model, where in (
                (PoliceOutcome, ()),
                (TreatmentEntry, ()),
                (CaseOutcome, (CaseOutcome.result_at.is_not(None),)),
                (Referral, (Referral.status == S.VOIDED,)),
            )
        ]
    assert all(made), made


def test_a_follow_up_counts_once_its_due_day_has_come(app_ctx: Flask) -> None:
    """Four referrals of March 2024 in Warwickshire, worked by hand:
    A (4 March) attended and referred on to a GP, completed on 20 March: follow-up due 20
      September; the force's result: reoffended, 2 offences, one violent.
    B (11 March) not engaged, returned on 25 March: due 25 September; a caution; the force's
      result: did not reoffend.
    C (18 March) ineligible, returned: no cohort, no police outcome yet.
    D (30 March) attended and referred on to a GP, entered treatment, still open.
    Read on 19, 22 and 25 September, for March (the summary) and 10 to 31 March (the
    records: A is not in it)."""
    here = area("warwickshire")
    officer = make_user("pc@example.org", {"warwickshire": Role.OFFICER})
    educator = make_user("ed@example.org", {"warwickshire": Role.EDUCATOR})
    analyst = make_user("fa@example.org", {"warwickshire": Role.FORCE_ANALYST})
    with area_scope(here):
        made = {
            name: referral(
                here, officer, received_on=on, offence_date=on, forename=f"Person {name}"
            )
            for name, on in (
                ("A", date(2024, 3, 4)),
                ("B", date(2024, 3, 11)),
                ("C", date(2024, 3, 18)),
                ("D", date(2024, 3, 30)),
            )
        }
        references = {name: r.reference for name, r in made.items()}
        attend_and_refer_on(made["A"], educator, "gp")
        close(made["A"], S.COMPLETED, educator, date(2024, 3, 20))
        close(made["B"], S.NOT_ENGAGED, officer, date(2024, 3, 25))
        police.record(made["B"], "caution", date(2024, 3, 28), officer, date.today())
        close(made["C"], S.INELIGIBLE, officer, date(2024, 3, 26))
        attend_and_refer_on(made["D"], educator, "gp")
        treatment.confirm_entry(
            made["D"], date(2024, 4, 10), educator, treatment.EDUCATOR, date.today()
        )
        db.session.commit()
        follow_up.record_batch(
            [
                follow_up.Result(references["A"], True, 2, date(2024, 5, 1), any_violent=True),
                follow_up.Result(references["B"], False, 0),
            ],
            analyst,
            ResultSource.CSV,
            date.today(),
        )
        db.session.commit()
    assert_outcome_rows_as_from_scratch()

    def figures(period: Period, today: date) -> dict[str, Any]:
        return _plain(outcomes_by_area(here.region, period, today)[here.id])

    march, late_march = (
        custom(date(2024, 3, 1), date(2024, 3, 31)),
        custom(date(2024, 3, 10), date(2024, 3, 31)),
    )
    none_due = {"completed": (1, 0, 0, 0, 0, 0, 0), "not_engaged": (1, 0, 0, 0, 0, 0, 0)}
    a_due = {"completed": (1, 1, 1, 1, 2, 1, 0), "not_engaged": (1, 0, 0, 0, 0, 0, 0)}
    both_due = {"completed": (1, 1, 1, 1, 2, 1, 0), "not_engaged": (1, 1, 1, 0, 0, 0, 0)}
    nothing = (0, 0, 0, 0, 0, 0, 0)
    for today, cohorts in (
        (date(2024, 9, 19), none_due),
        (date(2024, 9, 22), a_due),
        (date(2024, 9, 25), both_due),
    ):
        assert figures(march, today) == {
            "completed": 1,
            "not_completed": 1,
            "onward": 2,
            "entered": 1,
            "police": {"caution": 1, "awaiting": 1},
            "cohorts": {**cohorts, "attended_not_completed": nothing},
        }, today
        assert figures(late_march, today) == {
            "completed": 0,
            "not_completed": 1,
            "onward": 1,
            "entered": 1,
            "police": {"caution": 1, "awaiting": 1},
            "cohorts": {
                "completed": nothing,
                "attended_not_completed": nothing,
                "not_engaged": cohorts["not_engaged"],
            },
        }, today
