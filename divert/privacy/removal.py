"""Removing the personal data of people, keeping the rows the figures count: referrals and
custody (CARS) contacts alike."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select, update

from divert.extensions import db
from divert.models import (
    Assessment,
    Booking,
    ContactAttempt,
    DrugInterventionsRecord,
    InitialContact,
    OutboxMessage,
    Person,
    PersonBlockingKey,
    Referral,
    ReferralEvent,
    SafeguardingConcern,
    utcnow,
)
from divert.referrals.repeats import unindex

PERSONAL_FIELDS = (
    "forename",
    "surname",
    "date_of_birth",
    "phone",
    "email",
    "postcode_district",
    "address",
    "guardian_name",
    "guardian_contact",
)


def remove_personal_data(people: Iterable[Person]) -> int:
    """Blank names, dates of birth, contact details and free text; returns how many people."""
    people = [person for person in people if person.anonymised_at is None]
    if not people:
        return 0
    person_ids = [person.id for person in people]
    referral_ids = select(Referral.id).where(Referral.person_id.in_(person_ids))
    for person in people:
        unindex(person)  # needs the name and date of birth, so it goes first
    contacts = {value for person in people for value in (person.phone, person.email) if value}
    if contacts:
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.area_id == people[0].area_id,
                OutboxMessage.recipient.in_(contacts),
            )
        )
    db.session.execute(delete(PersonBlockingKey).where(PersonBlockingKey.person_id.in_(person_ids)))
    db.session.execute(
        update(Person)
        .where(Person.id.in_(person_ids))
        .values({**dict.fromkeys(PERSONAL_FIELDS), "anonymised_at": utcnow()})
    )
    db.session.execute(
        update(Referral)
        .where(Referral.person_id.in_(person_ids))
        .values(notes=None, crime_reference="")
    )
    for model in (ReferralEvent, ContactAttempt):
        db.session.execute(
            update(model)
            .where(model.referral_id.in_(referral_ids), model.note.is_not(None))
            .values(note=None)
        )
    db.session.execute(
        update(SafeguardingConcern)
        .where(SafeguardingConcern.referral_id.in_(referral_ids))
        .values(concern=None)
    )
    db.session.execute(
        update(Booking)
        .where(Booking.referral_id.in_(referral_ids), Booking.notes.is_not(None))
        .values(notes=None)
    )
    # A young person's assessment: what they and their guardian said; who was there and the
    # route taken stay for the figures.
    db.session.execute(
        update(Assessment)
        .where(Assessment.referral_id.in_(referral_ids))
        .values(answers=None, notes=None)
    )
    # Custody (CARS): what the worker wrote about the contact and at the assessment goes; the
    # coded answers and the dates stay, for the figures count them.
    db.session.execute(
        update(InitialContact)
        .where(InitialContact.person_id.in_(person_ids), InitialContact.notes.is_not(None))
        .values(notes=None)
    )
    db.session.execute(
        update(DrugInterventionsRecord)
        .where(
            DrugInterventionsRecord.contact_id.in_(
                select(InitialContact.id).where(InitialContact.person_id.in_(person_ids))
            ),
            DrugInterventionsRecord.notes.is_not(None),
        )
        .values(notes=None)
    )
    db.session.expire_all()
    return len(people)
