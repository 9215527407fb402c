"""A year of CARS activity in every area, at the scale the seeds report for the region: about
16,600 custody contacts, a quarter of them assessed (required assessments after a positive
test, voluntary and court assessments), two in five of those assessed referred into treatment
and most of them confirmed in treatment, suitability assessments for DRRs and ATRs with the
court's decisions, naloxone, follow-up appointments (some booked by police out of hours) and
closed cases.

Rows go in with bulk inserts, as the referrals' do (divert/demo/builder.py): the records are
those the use cases in divert/custody make, without a use case's round trips for each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import insert, select

from divert.clock import LOCAL
from divert.custody.use_cases import out_of_hours
from divert.demo.ids import Ids
from divert.extensions import db
from divert.matching.keys import index_keys
from divert.matching.normalise import PersonRecord
from divert.models import (
    ActivityKind,
    AppointmentKind,
    Area,
    AssessmentKind,
    AssessmentResult,
    BookingStatus,
    ClosureReason,
    CustodyActivity,
    CustodyAppointment,
    CustodyLocation,
    DrugInterventionsRecord,
    InitialContact,
    NonEntryReason,
    PathwayStep,
    Person,
    PersonBlockingKey,
    Programme,
    RequiredAssessment,
    Role,
    SuitabilityAssessment,
    TreatmentService,
    User,
)
from divert.referrals.submission import age_group

# Contacts a year in each area: the region's 16,600, most in the West Midlands.
CONTACTS_A_YEAR = {
    "west-midlands": 9000,
    "west-mercia": 3400,
    "staffordshire": 2600,
    "warwickshire": 1600,
}
TEST_RESULTS = {
    "positive_cocaine": 12,
    "positive_opiates": 4,
    "positive_both": 6,
    "negative": 18,
    "refused": 2,
    "not_tested": 58,
}
REQUIRED_COMPLETED = 0.78  # of required assessments, attended and remained
VOLUNTARY = 0.085  # of contacts neither positive nor at court
AT_COURT = 0.06  # of contacts, seen at court
SUITABILITY_REQUESTED = 0.8  # of contacts at court
OUTCOMES = {"referred_to_treatment": 40, "brief_intervention": 45, "declined": 15}
ENTERED = 0.62  # of those referred into treatment, once the service has answered
RECOMMENDATIONS = {"drr": 50, "atr": 20, "drr_and_atr": 8, "not_suitable": 22}
NALOXONE = 0.08
REPEAT = 0.12  # contacts with someone seen before in the area
SUBSTANCES = {
    "cocaine": 40,
    "crack_cocaine": 15,
    "heroin_opiates": 20,
    "cannabis": 15,
    "benzodiazepines": 5,
    "amphetamines": 5,
}
ROUTES = {
    "cocaine": "snorted",
    "crack_cocaine": "smoked",
    "heroin_opiates": "injected",
    "cannabis": "smoked",
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class _Rows:
    """The rows of the year, table by table, with ids handed out as they are made."""

    ids: Ids
    tables: dict[type, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, model: type, row: dict[str, Any]) -> dict[str, Any]:
        self.ids.assign(model, [row])
        self.tables.setdefault(model, []).append(row)
        return row


ORDER = (
    Person,
    PersonBlockingKey,
    InitialContact,
    RequiredAssessment,
    CustodyAppointment,
    DrugInterventionsRecord,
    SuitabilityAssessment,
    CustodyActivity,
)


class CustodyDemo:
    """One area's year of CARS records."""

    def __init__(
        self, area: Area, rng: random.Random, faker: Faker, today: date, rows: _Rows
    ) -> None:
        self.area, self.rng, self.faker, self.today, self.rows = area, rng, faker, today, rows
        self.programme = next(
            p
            for p in db.session.scalars(select(Programme).where(Programme.area_id == area.id))
            if p.has(PathwayStep.CUSTODY_CONTACT)
        )
        locations = db.session.scalars(
            select(CustodyLocation).where(CustodyLocation.area_id == area.id)
        ).all()
        self.suites = [loc.id for loc in locations if loc.kind == "custody_suite"]
        self.courts = [loc.id for loc in locations if loc.kind == "court"]
        self.services = list(
            db.session.scalars(
                select(TreatmentService.id).where(TreatmentService.area_id == area.id)
            )
        )
        self.worker = self._user(Role.CUSTODY_WORKER)
        self.officer = self._user(Role.OFFICER)
        self.people: list[dict[str, Any]] = []

    def _user(self, role: Role) -> int:
        email = f"{role}@{self.area.slug}.example"
        return db.session.scalars(select(User.id).where(User.email == email)).one()

    def _row(self, model: type, **values: Any) -> dict[str, Any]:
        return self.rows.add(model, {"area_id": self.area.id, **values})

    def _person(self, seen: date) -> dict[str, Any]:
        if self.people and self.rng.random() < REPEAT:
            return self.rng.choice(self.people)
        born = seen - timedelta(days=self.rng.randint(18 * 365, 60 * 365))
        person = self._row(
            Person,
            forename=self.faker.first_name(),
            surname=self.faker.last_name(),
            date_of_birth=born,
        )
        record = PersonRecord(
            forename=person["forename"], surname=person["surname"], date_of_birth=born
        )
        for key in index_keys(record):
            self._row(PersonBlockingKey, person_id=person["id"], key=key)
        self.people.append(person)
        return person

    def _at(self, day: date, first: int, last: int) -> datetime:
        moment = time(self.rng.randint(first, last), self.rng.choice((0, 15, 30, 45)))
        return datetime.combine(day, moment, tzinfo=LOCAL).astimezone(UTC)

    def year(self, scale: float) -> None:
        count = round(CONTACTS_A_YEAR.get(self.area.slug, 1000) * scale)
        for _ in range(count):
            self.contact(self.today - timedelta(days=self.rng.randint(0, 364)))

    def contact(self, day: date) -> None:
        at_court = self.rng.random() < AT_COURT
        result = "not_tested" if at_court else _pick(self.rng, TEST_RESULTS)
        seen_at = self._at(day, 7, 21)
        if seen_at > datetime.now(UTC):
            seen_at = datetime.now(UTC) - timedelta(minutes=self.rng.randint(5, 300))
        person = self._person(day)
        positive = result.startswith("positive_")
        voluntary = not positive and not at_court and self.rng.random() < VOLUNTARY
        by_police = positive and self.rng.random() < 0.2
        contact = self._row(
            InitialContact,
            programme_id=self.programme.id,
            person_id=person["id"],
            worker_id=self.worker,
            recorded_by_id=self.officer if by_police else self.worker,
            recorded_by_police=by_police,
            location_id=self.rng.choice(self.courts if at_court else self.suites),
            seen_at=seen_at,
            voluntary_assessment_agreed=voluntary,
            test_result=result,
            age_group=age_group(person["date_of_birth"], day),
            gender=_pick(self.rng, {"male": 84, "female": 15, "other": 1}),
            closed_on=None,
            closure_reason=None,
        )
        record = None
        if positive:
            record = self._required(contact, by_police)
        elif voluntary:
            record = self._assessed(contact, AssessmentKind.VOLUNTARY, day)
        elif at_court and self.rng.random() < SUITABILITY_REQUESTED:
            record = self._court(contact, day)
        if record is not None and record["outcome"] == AssessmentResult.REFERRED_TO_TREATMENT:
            self._follow_up(contact, record)
        if self.rng.random() < (NALOXONE * 2.5 if "opiates" in result else NALOXONE):
            self._row(
                CustodyActivity,
                contact_id=contact["id"],
                kind=ActivityKind.NALOXONE_SUPPLIED,
                done_on=day,
                by_id=self.worker,
            )
        self._close(contact, record, day)

    def _appointment(
        self, contact: dict[str, Any], kind: AppointmentKind, starts: datetime, police: bool
    ) -> dict[str, Any]:
        booked_at = contact["seen_at"] + timedelta(minutes=self.rng.randint(5, 90))
        if police:  # police book when the service's workers are away: late evening
            booked_at = datetime.combine(
                booked_at.astimezone(LOCAL).date(), time(22, 40), tzinfo=LOCAL
            ).astimezone(UTC)
        held = starts < datetime.now(UTC)
        attended = self.rng.random() < 0.72
        return self._row(
            CustodyAppointment,
            contact_id=contact["id"],
            kind=kind,
            starts_at=starts,
            booked_by_id=self.officer if police else self.worker,
            booked_by_police=police,
            booked_at=booked_at,
            out_of_hours=out_of_hours(self.programme, self.area, booked_at),
            status=(BookingStatus.ATTENDED if attended else BookingStatus.DID_NOT_ATTEND)
            if held
            else BookingStatus.BOOKED,
            remained=True if held and attended else None,
            recorded_by_id=self.worker if held else None,
            recorded_at=starts + timedelta(hours=1) if held else None,
        )

    def _required(self, contact: dict[str, Any], by_police: bool) -> dict[str, Any] | None:
        seen = contact["seen_at"]
        starts = self._at(
            seen.astimezone(LOCAL).date() + timedelta(days=self.rng.randint(1, 5)), 9, 17
        )
        completed = self.rng.random() < REQUIRED_COMPLETED
        appointment = self._appointment(
            contact, AppointmentKind.REQUIRED_ASSESSMENT, starts, by_police
        )
        held = appointment["status"] is not BookingStatus.BOOKED
        if held:
            appointment["status"] = (
                BookingStatus.ATTENDED if completed else BookingStatus.DID_NOT_ATTEND
            )
            appointment["remained"] = True if completed else None
        day = starts.astimezone(LOCAL).date()
        self._row(
            RequiredAssessment,
            contact_id=contact["id"],
            required_at=seen,
            completed_on=day if held and completed else None,
            follow_up_required=held and completed and self.rng.random() < 0.3,
            failure_reported_at=starts + timedelta(hours=2) if held and not completed else None,
        )
        if held and completed:
            return self._assessed(contact, AssessmentKind.REQUIRED, day)
        return None

    def _assessed(self, contact: dict[str, Any], kind: AssessmentKind, day: date) -> dict[str, Any]:
        substances = sorted({_pick(self.rng, SUBSTANCES) for _ in range(self.rng.randint(1, 2))})
        outcome = _pick(self.rng, OUTCOMES)
        referred = outcome == AssessmentResult.REFERRED_TO_TREATMENT
        answered = referred and (self.today - day).days > 21
        entered = answered and self.rng.random() < ENTERED
        return self._row(
            DrugInterventionsRecord,
            contact_id=contact["id"],
            kind=kind,
            assessed_on=day,
            assessed_by_id=self.worker,
            substances=substances,
            route=ROUTES.get(substances[0], "oral"),
            alcohol_use=_pick(
                self.rng,
                {"none": 30, "within_guidelines": 35, "harmful": 25, "dependent": 10},
            ),
            in_treatment=self.rng.random() < 0.15,
            needs_housing=self.rng.random() < 0.3,
            needs_mental_health=self.rng.random() < 0.35,
            risk_flags=[f for f in ("overdose", "injecting") if self.rng.random() < 0.1],
            outcome=outcome,
            treatment_service_id=self.rng.choice(self.services) if referred else None,
            treatment_entry_on=day + timedelta(days=self.rng.randint(3, 20)) if entered else None,
            treatment_entry_confirmed_by_id=self.worker if entered else None,
            non_entry_reason=_pick(
                self.rng,
                {r.value: w for r, w in zip(NonEntryReason, (40, 30, 15, 10, 5), strict=True)},
            )
            if answered and not entered
            else None,
        )

    def _court(self, contact: dict[str, Any], day: date) -> dict[str, Any] | None:
        court_date = day + timedelta(days=self.rng.randint(14, 28))
        done = (self.today - day).days > 10
        recommendation = _pick(self.rng, RECOMMENDATIONS) if done else None
        decided = done and court_date <= self.today
        result = None
        if decided and recommendation in ("drr", "drr_and_atr") and self.rng.random() < 0.21:
            result = "drr_and_atr" if recommendation == "drr_and_atr" else "drr"
        elif decided and recommendation == "atr" and self.rng.random() < 0.32:
            result = "atr"
        elif decided:
            result = "no_order"
        self._row(
            SuitabilityAssessment,
            contact_id=contact["id"],
            requested_on=day,
            requested_by_id=self.worker,
            adjourned=self.rng.random() < 0.6,
            court_date=court_date,
            completed_on=day + timedelta(days=self.rng.randint(1, 10)) if done else None,
            recommendation=recommendation,
            result=result,
            result_on=court_date if result else None,
        )
        return self._assessed(contact, AssessmentKind.COURT, day) if done else None

    def _follow_up(self, contact: dict[str, Any], record: dict[str, Any]) -> None:
        if self.rng.random() > 0.7:
            return
        day = record["assessed_on"] + timedelta(days=self.rng.randint(3, 14))
        police = self.rng.random() < 0.25
        self._appointment(contact, AppointmentKind.FOLLOW_UP, self._at(day, 9, 18), police)

    def _close(self, contact: dict[str, Any], record: dict[str, Any] | None, day: date) -> None:
        if (self.today - day).days < 42 or self.rng.random() < 0.1:
            return
        if record is not None and record["treatment_entry_on"] is not None:
            reason = ClosureReason.TRANSFERRED_TO_TREATMENT
        elif record is not None and record["outcome"] == AssessmentResult.DECLINED:
            reason = ClosureReason.DECLINED
        else:
            reason = _pick(self.rng, {"end_of_contact": 80, "no_further_contact": 20})
        contact["closed_on"] = day + timedelta(days=self.rng.randint(14, 40))
        contact["closure_reason"] = reason
        if contact["closed_on"] > self.today:
            contact["closed_on"] = self.today


def build_custody_demo(
    areas: list[Area], seed: int, today: date, scale: float = 1.0
) -> dict[str, int]:
    """A year of CARS records in every area that commissions it (`scale` of the seeds' number
    of contacts); returns contacts per area. Runs in the system scope; the caller commits."""
    rng = random.Random(seed)  # nosec B311 - reproducible demo data, not secrets
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    rows = _Rows(Ids(*ORDER))
    made = {}
    for area in areas:
        if not any(
            p.has(PathwayStep.CUSTODY_CONTACT)
            for p in db.session.scalars(select(Programme).where(Programme.area_id == area.id))
        ):
            continue
        before = len(rows.tables.get(InitialContact, []))
        CustodyDemo(area, rng, faker, today, rows).year(scale)
        made[area.slug] = len(rows.tables[InitialContact]) - before
    for model in ORDER:
        if rows.tables.get(model):
            db.session.execute(insert(model), rows.tables[model])
    rows.ids.advance_sequences()
    return made
