"""The membership changes a manager may make, each recorded in the audit trail."""

from __future__ import annotations

from sqlalchemy import func, select

from divert import audit
from divert.area_users.forms import MANAGED_ROLES
from divert.auth.links import send_link
from divert.extensions import db
from divert.models import AccountLinkPurpose, Area, Membership, Role, User


class AlreadyMember(ValueError):
    """The address already belongs to someone in this area."""


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


def invite(
    area: Area, manager: User, *, name: str, email: str, role: Role, collar_number: str | None
) -> Membership:
    """Give the address a role in the area; a new account gets an invitation link by email.

    An address that already has an account elsewhere keeps its password and gains this area.
    """
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        user = User(email=email, name=name, collar_number=collar_number or None)
        db.session.add(user)
        db.session.flush()
    elif any(m.area_id == area.id for m in user.memberships):
        raise AlreadyMember(email)
    membership = Membership(user=user, area=area, role=role)
    db.session.add(membership)
    db.session.flush()
    if user.password_hash is None:
        send_link(user, AccountLinkPurpose.INVITE, created_by=manager, area_id=area.id)
    audit.record(
        "user_invited",
        record_type="membership",
        record_id=membership.id,
        user_id=user.id,
        role=role.value,
    )
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
