"""One-time, expiring links to set a password: invitations and password resets.

The secret travels only in the emailed link; the database keeps its SHA-256. A link works once,
and issuing a new one for the same purpose retires the older ones.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import url_for
from sqlalchemy import select, update

from divert.extensions import db
from divert.models import AccountLink, AccountLinkPurpose, User, utcnow
from divert.notifications.outbox import enqueue

LIFETIME = {
    AccountLinkPurpose.INVITE: timedelta(days=3),
    AccountLinkPurpose.RESET: timedelta(hours=1),
}

MESSAGE = {
    AccountLinkPurpose.INVITE: (
        "You have been invited to divert",
        "You have been given an account on divert, the drug diversion referral service.\n\n"
        "Set your password within 3 days at:\n{link}\n\nThe link works once.",
    ),
    AccountLinkPurpose.RESET: (
        "Reset your divert password",
        "Someone asked to reset the password of your divert account.\n\n"
        "Set a new password within 1 hour at:\n{link}\n\n"
        "If it was not you, ignore this email: your password has not changed.",
    ),
}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def send_link(
    user: User,
    purpose: AccountLinkPurpose,
    *,
    created_by: User | None = None,
    area_id: int | None = None,
) -> AccountLink:
    """Issue a link and queue its email, in the caller's transaction."""
    db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
        .values(expires_at=utcnow())
    )
    secret = secrets.token_urlsafe(32)
    link = AccountLink(
        user_id=user.id,
        purpose=purpose,
        secret_hash=_digest(secret),
        expires_at=utcnow() + LIFETIME[purpose],
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(link)
    db.session.flush()
    subject, body = MESSAGE[purpose]
    enqueue(
        area_id=area_id,
        kind=f"account_{purpose.value}",
        dedupe_key=f"account-link-{link.id}",
        channel="email",
        recipient=user.email,
        subject=subject,
        body=body.format(link=url_for("auth.set_password", token=secret, _external=True)),
    )
    return link


def usable_link(secret: str) -> AccountLink | None:
    """The unused, unexpired link with this secret, or None."""
    link = db.session.scalar(select(AccountLink).where(AccountLink.secret_hash == _digest(secret)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link
