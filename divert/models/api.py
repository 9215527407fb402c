"""Keys to the JSON API: per-user tokens, and the idempotency keys of referrals made through it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from divert.clock import utcnow
from divert.models.area import Area, Region
from divert.models.base import AreaOwned, Base
from divert.models.user import User


class ApiToken(AreaOwned, Base):
    """A user's key to the API in one area (their membership there) or, for a regional lead,
    one region. Only a hash of the secret is kept; the secret is shown once, when made.

    A request's token is read by its secret's hash before any area is in scope (it decides
    which one the request may open): that one read across areas is divert.tenancy's
    `api_token_by_secret_hash`; any other query sees the areas in scope only.

    A regional lead's token has a region and no area. It is seen in every scope, as in the
    database's policy (migrations/versions/0018_invitation_token_rls.py says why): it is no
    area's record, and its region is checked where it opens a page (divert.tenancy).
    """

    __tablename__ = "api_token"
    area_optional = True
    no_area_seen_everywhere = True

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    area: Mapped[Area | None] = relationship()
    region: Mapped[Region | None] = relationship()

    __table_args__ = (
        CheckConstraint("(area_id IS NULL) <> (region_id IS NULL)", name="area_or_region"),
    )

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class IdempotencyKey(AreaOwned, Base):
    """An `Idempotency-Key` a user sent with a new referral, custody contact or assessment, and
    a hash of what they sent, so a retried request finds the record it made and a different
    request under the same key is refused."""

    __tablename__ = "api_idempotency_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    # What the first request made: one of a referral, a custody contact (CARS) or an
    # assessment (a Drug Interventions Record).
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("initial_contact.id"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("drug_interventions_record.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("area_id", "user_id", "key", name="uq_api_idempotency_key"),)
