"""The retention job: personal data of cases closed longer ago than the area's retention period
is removed, and the job records what it did.

A case is a referral or a custody (CARS) contact: a person is kept while any of their cases is
open or closed on or after the cut-off.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from divert import audit
from divert.extensions import db
from divert.models import Area, InitialContact, Person, Referral
from divert.privacy.removal import remove_personal_data

BATCH = 500


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_cutoff(area: Area, today: date) -> date:
    """Cases closed before this day are past the area's retention period."""
    return months_before(today, area.retention_months)


def expired_people(area: Area, today: date) -> list[int]:
    """People of the area all of whose referrals and custody contacts closed before the cut-off
    (none open)."""
    cutoff = retention_cutoff(area, today)
    still_needed = or_(
        *(
            exists().where(
                case.person_id == Person.id,
                or_(case.closed_on.is_(None), case.closed_on >= cutoff),
            )
            for case in (Referral, InitialContact)
        )
    )
    return list(
        db.session.scalars(
            select(Person.id)
            .where(Person.area_id == area.id, Person.anonymised_at.is_(None), ~still_needed)
            .order_by(Person.id)
        )
    )


@dataclass(frozen=True)
class RetentionRun:
    area: str
    cutoff: date
    people: int


def apply_retention(area: Area, today: date) -> RetentionRun:
    """Remove the personal data of the area's expired people, in batches, each committed."""
    person_ids = expired_people(area, today)
    for start in range(0, len(person_ids), BATCH):
        batch = person_ids[start : start + BATCH]
        people = db.session.scalars(
            select(Person).options(selectinload(Person.referrals)).where(Person.id.in_(batch))
        ).all()
        remove_personal_data(people)
        db.session.commit()
    run = RetentionRun(area.slug, retention_cutoff(area, today), len(person_ids))
    audit.record(
        "retention_applied",
        record_type="area",
        record_id=area.id,
        area=area,
        closed_before=run.cutoff.isoformat(),
        people=run.people,
    )
    db.session.commit()
    return run
