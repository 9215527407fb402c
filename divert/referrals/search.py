"""Finding a referral in the area by the person's name, its reference or the crime reference.

Names are found through the repeat matcher's blocking keys (a sound of each name), so a
misspelt name ("Jordon Smyth") still finds Jordan Smith, by index and never by scanning names.
The area comes from the tenancy scope; an officer's search is limited to their own referrals.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import joinedload

from divert.extensions import db
from divert.matching.keys import lookup_keys
from divert.matching.normalise import PersonRecord
from divert.models import Person, PersonBlockingKey, Referral, User
from divert.referrals import queries

LIMIT = 50  # a search is for finding one case, not for reading lists


def _name_condition(term: str) -> ColumnElement[bool] | None:
    """People whose name sounds like the one typed: "forename surname" or "SURNAME, forename"
    through the blocking keys; a single word is compared with surnames."""
    if "," in term:
        record = PersonRecord.from_typed(term, "")
    else:
        words = term.split()
        if len(words) < 2:
            return func.lower(Person.surname) == term.lower() if term else None
        record = PersonRecord(forename=words[0], surname=" ".join(words[1:]))
    keys = lookup_keys(record)  # without a date of birth: the name sounds alone
    if not keys:
        return None
    sounding = select(PersonBlockingKey.person_id).where(PersonBlockingKey.key.in_(keys))
    return Referral.person_id.in_(sounding)


def find(term: str, officer: User | None = None) -> list[Referral]:
    """Referrals matching `term`, newest first (at most LIMIT); only `officer`'s when given."""
    term = " ".join(term.split())[:100]
    if not term:
        return []
    conditions: list[ColumnElement[bool]] = [
        func.upper(Referral.reference) == term.upper(),
        func.upper(Referral.crime_reference) == term.upper(),
    ]
    by_name = _name_condition(term)
    if by_name is not None:
        conditions.append(by_name)
    query = (
        select(Referral)
        .join(Referral.person)
        .options(joinedload(Referral.person))
        .where(or_(*conditions))
        .order_by(Referral.received_at.desc(), Referral.id.desc())
        .limit(LIMIT)
    )
    if officer is not None:
        query = query.where(queries.submitted_by(officer))
    return list(db.session.scalars(query))
