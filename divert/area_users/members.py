"""The membership changes a manager may make, each recorded in the audit trail, and the
invitations an existing account accepts (or not) itself."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, select

from divert import audit
from divert.area_users.forms import MANAGED_ROLES
from divert.auth.links import send_link
from divert.extensions import db
from divert.models import (
    AccountLinkPurpose,
    Area,
    AreaInvitation,
    Membership,
    Role,
    User,
    utcnow,
)
from divert.notifications.outbox import enqueue
from divert.tenancy import area_scope, invitation_by_secret_hash

INVITATION_LIFETIME = timedelta(days=3)

JOIN_MESSAGE = (
    "You have been invited to {area} on divert",
    "{manager} has invited you to use divert in {area} as {role}.\n\n"
    "Sign in to divert, then accept the invitation within 3 days at:\n{link}\n\n"
    "If you do not expect this, ignore this email: nothing changes until you accept.",
)


def area_members(area: Area) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(User)
            .where(Membership.area_id == area.id)
            .order_by(Membership.active.desc(), User.name)
        )
    )


def managed_membership(area: Area, user_id: int) -> Membership | None:
    """The membership a manager of `area` may change: an officer's or educator's, here only."""
    membership = db.session.scalar(
        select(Membership).where(Membership.area_id == area.id, Membership.user_id == user_id)
    )
    if membership is None or membership.role not in MANAGED_ROLES:
        return None
    return membership


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_join(user: User, area: Area) -> bool:
    """Whether a manager's invitation can bring this existing account into the area: never an
    administrator or a regional lead, nor anyone already in this or another area (an
    administrator gives those roles)."""
    return not (
        user.is_admin
        or user.regional_leads
        or any(m.area_id == area.id or m.active for m in user.memberships)
    )


def invite(
    area: Area, manager: User, *, name: str, email: str, role: Role, collar_number: str | None
) -> None:
    """Invite the address to the area. What happens depends on the account, but nothing the
    manager sees does (the same answer, the same kind of row on their list), so a manager
    learns nothing about other people's accounts:

    - no account: a new one with the role here, and an emailed link to choose a password;
    - an account that may join (see may_join): an emailed invitation its holder accepts while
      signed in; until then it has no role here;
    - any other account: an invitation that is never sent and cannot be accepted.
    """
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    audit.record("user_invited", email=email, role=role.value)
    if user is None:
        user = User(email=email, name=name, collar_number=collar_number or None)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user=user, area=area, role=role))
        send_link(user, AccountLinkPurpose.INVITE, created_by=manager, area_id=area.id)
    elif not any(m.area_id == area.id for m in user.memberships):
        _invite_existing(area, manager, user, name=name, email=email, role=role)
    # else: already on the manager's list of this area; there is nothing to send.


def _invite_existing(
    area: Area, manager: User, user: User, *, name: str, email: str, role: Role
) -> None:
    secret = secrets.token_urlsafe(32)
    db.session.add(
        AreaInvitation(
            user_id=user.id,
            area_id=area.id,
            role=role,
            name=name,
            email=email,
            secret_hash=_digest(secret),
            expires_at=utcnow() + INVITATION_LIFETIME,
            created_by_id=manager.id,
        )
    )
    if not may_join(user, area):
        return  # the secret is dropped here: this invitation can never be accepted
    subject, body = JOIN_MESSAGE
    link = url_for("area_users.invitation", token=secret, _external=True)
    enqueue(
        area_id=area.id,
        kind="area_invitation",
        dedupe_key=f"area-invitation-{_digest(secret)[:32]}",
        channel="email",
        recipient=user.email,
        subject=subject.format(area=area.name),
        body=body.format(manager=manager.name, area=area.name, role=role.value, link=link),
    )


def pending_invitations(area: Area) -> list[AreaInvitation]:
    """Invitations of the area not accepted yet and still valid, newest first."""
    return list(
        db.session.scalars(
            select(AreaInvitation)
            .where(
                AreaInvitation.area_id == area.id,
                AreaInvitation.accepted_at.is_(None),
                AreaInvitation.expires_at > utcnow(),
            )
            .order_by(AreaInvitation.id.desc())
        )
    )


def invitation_for(user: User, secret: str) -> AreaInvitation | None:
    """The unexpired, unaccepted invitation with this secret, if it is `user`'s and the
    account may still join its area; else None."""
    invitation = invitation_by_secret_hash(_digest(secret))
    if (
        invitation is None
        or invitation.user_id != user.id
        or invitation.accepted_at is not None
        or invitation.expires_at <= utcnow()
        or not may_join(user, invitation.area)
    ):
        return None
    return invitation


def accept(invitation: AreaInvitation) -> Membership:
    """The invitee, signed in, takes the role (the caller commits). The invitation's page has
    no area in its address, so the new membership is written in the invitation's own area."""
    with area_scope(invitation.area):
        invitation.accepted_at = utcnow()
        membership = Membership(
            user_id=invitation.user_id, area_id=invitation.area_id, role=invitation.role
        )
        db.session.add(membership)
        db.session.flush()
        audit.record(
            "invitation_accepted",
            area=invitation.area,
            record_type="membership",
            record_id=membership.id,
            role=invitation.role.value,
        )
        db.session.flush()
    return membership


def change(membership: Membership, *, role: Role, active: bool) -> list[str]:
    """Apply a new role and status; returns what changed (nothing is recorded when nothing did)."""
    changed = []
    if membership.role != role:
        changed.append(f"role {membership.role.value} to {role.value}")
        membership.role = role
    if membership.active != active:
        changed.append("reactivated" if active else "deactivated")
        membership.active = active
    if changed:
        audit.record(
            "membership_changed",
            record_type="membership",
            record_id=membership.id,
            user_id=membership.user_id,
            changes=changed,
        )
    return changed


def reinvite(membership: Membership, manager: User) -> bool:
    """A fresh invitation for someone who has not set a password yet."""
    if membership.user.password_hash is not None or not membership.active:
        return False
    send_link(
        membership.user, AccountLinkPurpose.INVITE, created_by=manager, area_id=membership.area_id
    )
    audit.record("user_reinvited", record_type="membership", record_id=membership.id)
    return True
