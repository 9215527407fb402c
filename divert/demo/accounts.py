"""One demo account per role per area, a regional lead and an admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from divert.auth.passwords import hash_password
from divert.extensions import db
from divert.models import Area, Membership, Region, RegionalLead, Role, User
from divert.tenancy import system_scope

# The published demo password (README), not a secret.
DEMO_PASSWORD = "divert-demo-password"  # nosec B105


@dataclass(frozen=True)
class DemoAccount:
    email: str
    description: str


def account_email(role: Role | str, area_slug: str) -> str:
    return f"{role}@{area_slug}.example"


REGIONAL_LEAD_EMAIL = "lead@west-midlands-region.example"
ADMIN_EMAIL = "admin@divert.example"


def _user(email: str, name: str, password_hash: str, **extra: object) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash, **extra)
        db.session.add(user)
    return user


def create_demo_accounts() -> list[DemoAccount]:
    """Create the accounts if missing (idempotent) and list them with what each can do."""
    with system_scope():  # memberships in every area
        return _create_demo_accounts()


def _create_demo_accounts() -> list[DemoAccount]:
    password_hash = hash_password(DEMO_PASSWORD)
    accounts = []
    areas = db.session.scalars(select(Area).order_by(Area.name)).all()
    for area in areas:
        for number, role in enumerate(Role, start=1):
            email = account_email(role, area.slug)
            user = _user(
                email,
                f"Demo {role.value.replace('_', ' ').title()} ({area.name})",
                password_hash,
                collar_number=f"{area.code}{number:04d}" if role is Role.OFFICER else None,
            )
            if user.id is None or not any(m.area_id == area.id for m in user.memberships):
                user.memberships.append(Membership(area=area, role=role))
            accounts.append(DemoAccount(email, f"{role.value.replace('_', ' ')} in {area.name}"))
    for region in db.session.scalars(select(Region)):
        lead = _user(REGIONAL_LEAD_EMAIL, "Demo Regional Lead", password_hash)
        if not any(r.region_id == region.id for r in lead.regional_leads):
            lead.regional_leads.append(RegionalLead(region=region))
        accounts.append(DemoAccount(REGIONAL_LEAD_EMAIL, f"regional lead for {region.name}"))
    _user(ADMIN_EMAIL, "Demo Administrator", password_hash, is_admin=True)
    accounts.append(DemoAccount(ADMIN_EMAIL, "global administrator"))
    db.session.commit()
    return accounts
