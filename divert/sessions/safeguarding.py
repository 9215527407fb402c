"""Safeguarding concerns about young people, and the alert to the area's managers."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from divert import audit
from divert.extensions import db
from divert.models import (
    AgeGroup,
    Membership,
    Referral,
    Role,
    SafeguardingConcern,
    User,
)
from divert.notifications.outbox import enqueue


def can_raise(referral: Referral) -> bool:
    return referral.age_group is AgeGroup.UNDER_18


def raise_concern(referral: Referral, by: User, concern: str) -> SafeguardingConcern:
    """Record the concern and email every active manager of the area a link to the case.

    The email carries the case reference and a link only: what was written stays in the service.
    """
    raised = SafeguardingConcern(
        referral_id=referral.id, area_id=referral.area_id, raised_by_id=by.id, concern=concern
    )
    db.session.add(raised)
    db.session.flush()
    managers = db.session.scalars(
        select(User)
        .join(Membership)
        .where(
            Membership.area_id == referral.area_id,
            Membership.role == Role.MANAGER,
            Membership.active,
            User.active,
        )
    ).all()
    link = url_for("sessions.case", referral_id=referral.id, _external=True)
    for manager in managers:
        enqueue(
            area_id=referral.area_id,
            kind="safeguarding_alert",
            dedupe_key=f"safeguarding-{raised.id}-{manager.id}",
            channel="email",
            recipient=manager.email,
            subject=f"Safeguarding concern raised on case {referral.reference}",
            body=(
                f"{by.name} raised a safeguarding concern on case {referral.reference} "
                f"(a young person). Read it and act on it at:\n{link}"
            ),
        )
    audit.record(
        "safeguarding_concern_raised",
        record_type="referral",
        record_id=referral.id,
        managers_alerted=len(managers),
    )
    return raised


def concerns_of(referral: Referral) -> list[SafeguardingConcern]:
    return list(
        db.session.scalars(
            select(SafeguardingConcern)
            .where(SafeguardingConcern.referral_id == referral.id)
            .order_by(SafeguardingConcern.raised_at.desc())
        )
    )
