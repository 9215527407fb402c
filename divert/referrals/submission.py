"""Creating a referral: the rules its details must meet, the person, a gap-free human
reference, the first event, repeat handling and the first booking. The web form and the API
both submit through here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from divert.extensions import db
from divert.models import (
    AgeGroup,
    Area,
    DiarySession,
    Disposal,
    Person,
    Programme,
    ReferenceCounter,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Substance,
    User,
)
from divert.programmes import rules as programme_rules
from divert.referrals import lifecycle, repeats

ADULT_AGE = 18
YOUNGEST_AGE = 10
REPEAT_UNCONFIRMED = "They have been referred before: check the earlier referral and confirm"
CUSTODY_UNCONFIRMED = (
    "They have been seen by the arrest referral service in custody: check the earlier contact "
    "and confirm"
)
ELSEWHERE_UNANSWERED = (
    "There may be an earlier referral of this person in another area: say whether it is them"
)


def age_on(date_of_birth: date, on: date) -> int:
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def age_group(date_of_birth: date, on: date) -> AgeGroup:
    return AgeGroup.UNDER_18 if age_on(date_of_birth, on) < ADULT_AGE else AgeGroup.ADULT


def date_of_birth_problem(date_of_birth: date, today: date) -> str | None:
    if date_of_birth > today:
        return "Date of birth must be in the past"
    if age_on(date_of_birth, today) < YOUNGEST_AGE:
        return f"The person must be {YOUNGEST_AGE} or older"
    return None


def offence_date_problem(offence_date: date, today: date) -> str | None:
    if offence_date > today:
        return "Date of the offence must be today or in the past"
    return None


def _guardian_problems(guardian_name: str | None, guardian_contact: str | None) -> dict[str, str]:
    """Someone under 18 is referred with a parent or guardian to contact."""
    found = {}
    if not (guardian_name or "").strip():
        found["guardian_name"] = "They are under 18: enter a parent or guardian's name"
    if not (guardian_contact or "").strip():
        found["guardian_contact"] = (
            "They are under 18: enter a parent or guardian's phone number or email"
        )
    return found


def problems(
    *,
    date_of_birth: date | None,
    offence_date: date | None,
    phone: str | None,
    email: str | None,
    guardian_name: str | None,
    guardian_contact: str | None,
    today: date,
) -> dict[str, str]:
    """Every rule a referral's details must meet, as {field name: message}. The web form and
    the API's schema show these beside the other field errors; submit() enforces them. A date
    that could not be read (None) is left to the field's own message."""
    found: dict[str, str] = {}
    if date_of_birth is not None:
        found["date_of_birth"] = date_of_birth_problem(date_of_birth, today) or ""
    if offence_date is not None:
        found["offence_date"] = offence_date_problem(offence_date, today) or ""
    if not (phone or "").strip() and not (email or "").strip():
        found["email"] = "Enter a phone number or an email address"
    if date_of_birth is not None and age_on(date_of_birth, offence_date or today) < ADULT_AGE:
        found.update(_guardian_problems(guardian_name, guardian_contact))
    return {name: message for name, message in found.items() if message}


def repeat_refusal(area: Area, found: repeats.RepeatCheck) -> str | None:
    """Why the area's repeat policy rules out this referral, if it does."""
    refused = repeats.refused_by_policy(area, [c.referral for c in found.matches])
    if refused is None:
        return None
    return (
        f"{area.name} does not offer another diversion within {area.repeat_lookback_days} "
        f"days of one that ended not engaged ({refused.reference}). Choose another outcome "
        f"for this offence"
    )


def unanswered_repeat_questions(
    found: repeats.RepeatCheck, *, confirmed: bool, same_person_elsewhere: bool | None
) -> dict[str, str]:
    """What the officer must still answer about earlier referrals, as {field name: message}:
    an earlier one here must be checked, and for a hit in another area's index (which reveals
    only the area and date) they must say whether it is the same person."""
    questions = {}
    if found.earlier and not confirmed:
        questions["confirm_repeat"] = REPEAT_UNCONFIRMED
    elif found.custody and not confirmed:
        questions["confirm_repeat"] = CUSTODY_UNCONFIRMED
    if found.elsewhere and same_person_elsewhere is None:
        questions["same_person_elsewhere"] = ELSEWHERE_UNANSWERED
    return questions


def next_reference(area: Area, year: int) -> str:
    """The next reference of the area and year, e.g. WAR-2024-00032.

    The counter row is created or incremented by one upsert, which holds the row's lock until
    the transaction ends, so concurrent referrals queue for it and a rolled-back referral gives
    its number back: references stay unique and gap-free. Take it as late as the transaction
    allows: the queue lasts from here to the commit.
    """
    taking = _taking_a_number(db.engine.dialect.name)
    given = {"area_id": area.id, "year": year, "last_number": 1}
    number = db.session.execute(taking, given).scalar_one()
    return f"{area.code}-{year}-{number:05d}"


@cache
def _taking_a_number(dialect: str) -> Any:
    """The counter's upsert (parameters: area_id, year, last_number=1), made once per process."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(ReferenceCounter)
        .on_conflict_do_update(
            index_elements=["area_id", "year"],
            set_={"last_number": ReferenceCounter.last_number + 1},
        )
        .returning(ReferenceCounter.last_number)
    )


def create_referral(
    *,
    area: Area,
    officer: User,
    forename: str,
    surname: str,
    date_of_birth: date,
    offence_date: date,
    crime_reference: str,
    received_on: date | None = None,
    phone: str | None = None,
    email: str | None = None,
    substances_found: Iterable[Substance] = (),
    consent_to_contact: bool = True,
    gender: str | None = None,
    ethnicity: str | None = None,
    postcode_district: str | None = None,
    address: str | None = None,
    notes: str | None = None,
    guardian_name: str | None = None,
    guardian_contact: str | None = None,
    person: Person | None = None,
    disposal: str = Disposal.PRE_ARREST_DIVERSION.value,
    disposal_on: date | None = None,
    deadline_on: date | None = None,
    programme: Programme | None = None,
) -> Referral:
    """Add a new referral to the session; the caller commits.

    `person`: the earlier referrals' person, when this is confirmed to be them again; their
    details are brought up to date with what the officer typed now. `programme`: the one chosen
    among several that fit; otherwise age and disposal decide it (ProgrammeRefusal if none
    does). `deadline_on` defaults to the programme's deadline from `disposal_on`.
    """
    received_on = received_on or date.today()
    programme = programme_rules.choose(
        area,
        age_on(date_of_birth, offence_date),
        disposal,
        programme.id if programme is not None else None,
    )
    details = {
        "forename": forename,
        "surname": surname,
        "date_of_birth": date_of_birth,
        "phone": phone,
        "email": email,
        "postcode_district": postcode_district,
        "address": address,
        "guardian_name": guardian_name,
        "guardian_contact": guardian_contact,
    }
    new_person = person is None
    if person is None:
        person = Person(area_id=area.id, **details)
    else:
        for name, value in details.items():
            if value is not None:
                setattr(person, name, value)
    # The person and their index first: the reference is taken as late as it can be.
    db.session.add(person)
    db.session.flush()
    repeats.index(person, received_on, new_person=new_person)
    referral = Referral(
        area_id=area.id,
        person=person,
        officer_id=officer.id,
        reference=next_reference(area, received_on.year),
        programme=programme,
        disposal=disposal,
        disposal_on=disposal_on,
        deadline_on=deadline_on or programme_rules.deadline(programme, disposal_on),
        received_on=received_on,
        offence_date=offence_date,
        crime_reference=crime_reference,
        consent_to_contact=consent_to_contact,
        notes=notes,
        status=ReferralStatus.SUBMITTED,
        age_group=age_group(date_of_birth, offence_date),
        gender=gender,
        ethnicity=ethnicity,
        substances_found=list(substances_found),
    )
    db.session.add_all(
        [
            referral,
            ReferralEvent(
                referral=referral,
                area_id=area.id,
                user_id=officer.id,
                to_status=ReferralStatus.SUBMITTED.value,
                note="Referral submitted",
            ),
        ]
    )
    db.session.flush()
    return referral


def submit(
    *,
    area: Area,
    officer: User,
    found: repeats.RepeatCheck,
    slot: DiarySession | None = None,
    same_person_elsewhere: bool = False,
    **details: object,
) -> Referral:
    """Create a checked referral (see repeat_refusal): a repeat of the earlier referral the
    check matched, or of one in another area that the officer said was the same person; the
    person record of someone the check matched among custody contacts (not a repeat referral);
    possible repeats queued for the managers, and booked into `slot` if given.
    The caller commits; lifecycle.SlotFullError means the slot filled first."""
    earlier = found.matches[0].referral if found.matches else None
    seen = next((c.contact for c in found.custody if c.same_person), None)
    person = earlier.person if earlier else (seen.person if seen else None)
    referral = create_referral(
        area=area,
        officer=officer,
        person=person,
        **details,  # type: ignore[arg-type]
    )
    if earlier is not None:
        referral.is_repeat, referral.repeat_of = True, earlier
    elif found.elsewhere and same_person_elsewhere:
        # The earlier referral is another area's and stays there: only the flag is kept here,
        # so the region, pooling its areas, counts the person's repeat once.
        referral.is_repeat = True
    db.session.flush()
    repeats.queue_reviews(referral, found.possibles)
    if slot is not None:
        lifecycle.book(referral, slot, officer)
    return referral
