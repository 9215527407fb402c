"""People who sign in, and the roles they hold in areas and regions."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from divert.clock import utcnow
from divert.models.area import Area, Region
from divert.models.base import AreaOwned, Base


class Role(enum.StrEnum):
    OFFICER = "officer"
    EDUCATOR = "educator"
    MANAGER = "manager"
    COMMISSIONER = "commissioner"
    POLICE_SUPERVISOR = "police_supervisor"  # every officer's referrals, no clinical notes
    FORCE_ANALYST = "force_analyst"  # reoffending checks and eligible offences, references only
    TREATMENT_SERVICE = "treatment_service"  # confirms entry into treatment through the API
    CUSTODY_WORKER = "custody_worker"  # a CARS arrest referral worker

    @property
    def label(self) -> str:
        """The role as people name it on screens and in lists."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OFFICER: "Police officer",
    Role.EDUCATOR: "Drug educator",
    Role.MANAGER: "Provider manager",
    Role.COMMISSIONER: "Commissioner (OPCC)",
    Role.POLICE_SUPERVISOR: "Police supervisor",
    Role.FORCE_ANALYST: "Force analyst",
    Role.TREATMENT_SERVICE: "Treatment service",
    Role.CUSTODY_WORKER: "Custody worker (CARS)",
}


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    collar_number: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    regional_leads: Mapped[list[RegionalLead]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def role_in(self, area: Area) -> Role | None:
        """The user's role in an area, or None when they hold no active membership there."""
        for membership in self.memberships:
            if membership.area_id == area.id and membership.active:
                return membership.role
        return None

    def areas(self) -> list[Area]:
        return sorted((m.area for m in self.memberships if m.active), key=lambda a: a.name)

    def leads(self, region: Region) -> bool:
        return any(lead.region_id == region.id for lead in self.regional_leads)

    def __str__(self) -> str:
        return f"{self.name} ({self.email})"


class Membership(AreaOwned, Base):
    """A user's role in one area.

    `User.memberships` is a user's own memberships in every area, read across areas before any
    area is known (sign-in, choosing an area, opening one): divert.tenancy loads that one
    relationship in the system scope. Any other query sees the areas in scope only.
    """

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    active: Mapped[bool] = mapped_column(default=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    area: Mapped[Area] = relationship(back_populates="memberships")

    __table_args__ = (UniqueConstraint("user_id", "area_id", name="uq_membership_user_area"),)

    def __str__(self) -> str:
        return f"{self.user.name}: {self.role.label}, {self.area.name}"


class RegionalLead(Base):
    """A user who sees every area of a region side by side, as aggregates only."""

    __tablename__ = "regional_lead"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)

    user: Mapped[User] = relationship(back_populates="regional_leads")
    region: Mapped[Region] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "region_id", name="uq_regional_lead"),)

    def __str__(self) -> str:
        return f"{self.user.name}, regional lead for {self.region.name}"


class AccountLinkPurpose(enum.StrEnum):
    INVITE = "invite"
    RESET = "reset"


class AccountLink(Base):
    """A one-time, expiring link to set a password: an invitation or a reset.

    Only a SHA-256 of the link's secret is kept, so the table cannot be used to sign in.
    """

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[AccountLinkPurpose] = mapped_column(
        Enum(AccountLinkPurpose, native_enum=False, length=10)
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class UserSession(Base):
    """A signed-in browser session, kept on the server so it can be ended from anywhere.

    The cookie holds a random secret; this table holds only its SHA-256, so a copy of the table
    cannot be used to sign in. A session whose `ended_at` is set no longer opens any page,
    whatever cookie the browser still sends.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    address: Mapped[str | None] = mapped_column(String(45))  # an IPv6 address at most
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class AreaInvitation(AreaOwned, Base):
    """An invitation for an existing account to join an area, which its holder accepts while
    signed in. Until then the account has no role in the area.

    Its holder opens it before they have any access to the area, so that one read, by the
    SHA-256 of the emailed link's secret (the only form of the secret kept), is
    divert.tenancy's `invitation_by_secret_hash`; any other query sees the areas in scope only.
    """

    __tablename__ = "area_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    # What the manager typed, shown on their list: never the account's own name.
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    area: Mapped[Area] = relationship()
