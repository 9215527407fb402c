"""Removing the personal data of people, keeping the rows the figures count: referrals and
custody (CARS) contacts alike."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, delete, select, update

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
    contact_ids = select(InitialContact.id).where(InitialContact.person_id.in_(person_ids))
    # (record, which of its rows, what it wrote that goes)
    free_text: list[tuple[type, tuple[ColumnElement[bool], ...], dict[str, object]]] = [
        (Referral, (Referral.person_id.in_(person_ids),), {"notes": None, "crime_reference": ""}),
        *(
            (model, (model.referral_id.in_(referral_ids), model.note.is_not(None)), {"note": None})
            for model in (ReferralEvent, ContactAttempt)
        ),
        (
            SafeguardingConcern,
            (SafeguardingConcern.referral_id.in_(referral_ids),),
            {"concern": None},
        ),
        (
            Booking,
            (Booking.referral_id.in_(referral_ids), Booking.notes.is_not(None)),
            {"notes": None},
        ),
        # A young person's assessment: what they and their guardian said; who was there and the
        # route taken stay for the figures.
        (Assessment, (Assessment.referral_id.in_(referral_ids),), {"answers": None, "notes": None}),
        # Custody (CARS): what the worker wrote about the contact and at the assessment goes;
        # the coded answers and the dates stay, for the figures count them.
        (
            InitialContact,
            (InitialContact.person_id.in_(person_ids), InitialContact.notes.is_not(None)),
            {"notes": None},
        ),
        (
            DrugInterventionsRecord,
            (
                DrugInterventionsRecord.contact_id.in_(contact_ids),
                DrugInterventionsRecord.notes.is_not(None),
            ),
            {"notes": None},
        ),
    ]
    for model, rows, blanked in free_text:
        db.session.execute(update(model).where(*rows).values(blanked))
    db.session.expire_all()
    return len(people)
