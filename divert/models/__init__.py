"""Every record of the service. Import models from here."""

from divert.clock import utcnow
from divert.models.api import ApiToken, IdempotencyKey
from divert.models.area import Area, Contract, Pricing, Region
from divert.models.audit import AuditEvent, OutboxMessage
from divert.models.base import AreaOwned, Base
from divert.models.diary import (
    Booking,
    BookingStatus,
    DiarySession,
    SessionKind,
    booking_intervention,
    booking_other_substance,
)
from divert.models.reference import Intervention, Offence, Substance, TreatmentService, Venue
from divert.models.referral import (
    AgeGroup,
    ContactAttempt,
    MatchReview,
    Person,
    PersonBlockingKey,
    ReferenceCounter,
    Referral,
    ReferralEvent,
    ReferralStatus,
    RegionalKeyHash,
    SafeguardingConcern,
    SubmissionToken,
    referral_substance_found,
)
from divert.models.user import (
    AccountLink,
    AccountLinkPurpose,
    AreaInvitation,
    Membership,
    RegionalLead,
    Role,
    User,
    UserSession,
)

__all__ = [
    "AccountLink",
    "AccountLinkPurpose",
    "AgeGroup",
    "ApiToken",
    "Area",
    "AreaInvitation",
    "AreaOwned",
    "AuditEvent",
    "Base",
    "Booking",
    "BookingStatus",
    "ContactAttempt",
    "Contract",
    "DiarySession",
    "IdempotencyKey",
    "Intervention",
    "MatchReview",
    "Membership",
    "Offence",
    "OutboxMessage",
    "Person",
    "PersonBlockingKey",
    "Pricing",
    "ReferenceCounter",
    "Referral",
    "ReferralEvent",
    "ReferralStatus",
    "Region",
    "RegionalKeyHash",
    "RegionalLead",
    "Role",
    "SafeguardingConcern",
    "SessionKind",
    "SubmissionToken",
    "Substance",
    "TreatmentService",
    "User",
    "UserSession",
    "Venue",
    "booking_intervention",
    "booking_other_substance",
    "referral_substance_found",
    "utcnow",
]
