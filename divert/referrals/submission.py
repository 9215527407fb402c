"""Creating a referral: the person, a gap-free human reference, the first event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from divert.extensions import db
from divert.models import (
    AgeGroup,
    Area,
    Person,
    ReferenceCounter,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Substance,
    User,
)
from divert.referrals import repeats

ADULT_AGE = 18


def age_on(date_of_birth: date, on: date) -> int:
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def age_group(date_of_birth: date, on: date) -> AgeGroup:
    return AgeGroup.UNDER_18 if age_on(date_of_birth, on) < ADULT_AGE else AgeGroup.ADULT


def next_reference(area: Area, year: int) -> str:
    """The next reference of the area and year, e.g. WAR-2024-00032.

    The counter row is incremented by an UPDATE that holds its lock until the transaction ends,
    so concurrent referrals queue for it and a rolled-back referral gives its number back:
    references stay unique and gap-free.
    """
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(ReferenceCounter)
        .values(area_id=area.id, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["area_id", "year"])
    )
    number = db.session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.area_id == area.id, ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
    ).scalar_one()
    return f"{area.code}-{year}-{number:05d}"


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
) -> Referral:
    """Add a new referral to the session; the caller commits.

    `person`: the earlier referrals' person, when this is confirmed to be them again; their
    details are brought up to date with what the officer typed now.
    """
    received_on = received_on or date.today()
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
    if person is None:
        person = Person(area_id=area.id, **details)
    else:
        for name, value in details.items():
            if value is not None:
                setattr(person, name, value)
    referral = Referral(
        area_id=area.id,
        person=person,
        officer_id=officer.id,
        reference=next_reference(area, received_on.year),
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
    db.session.add_all([person, referral])
    db.session.add(
        ReferralEvent(
            referral=referral,
            area_id=area.id,
            user_id=officer.id,
            to_status=ReferralStatus.SUBMITTED.value,
            note="Referral submitted",
        )
    )
    db.session.flush()
    repeats.index(referral)
    return referral
