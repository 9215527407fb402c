"""The audit trail in words: what each action code means, and records named by what people
call them (a referral by its reference, a user by their email address)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from divert.extensions import db
from divert.models import AuditEvent, Booking, Contract, Referral, User

ACTIONS = {
    "admin_created": "Created a record (administration)",
    "admin_updated": "Changed a record (administration)",
    "admin_deleted": "Removed a record (administration)",
    "api_request": "Used the API",
    "api_token_created": "Created an API token",  # nosec B105: an action's words
    "api_token_revoked": "Revoked an API token",  # nosec B105: an action's words
    "attendance_recorded": "Recorded attendance",
    "board_report_viewed": "Viewed the board report",
    "booking_cancelled": "Cancelled a booking",
    "booking_made": "Booked a session",
    "calendar_link_regenerated": "Made a new calendar link",
    "contact_recorded": "Recorded a contact attempt",
    "figures_exported": "Downloaded figures",
    "membership_changed": "Changed someone's role",
    "password_changed": "Changed their password",  # nosec B105: an action's words
    "password_reset_requested": "Asked to reset a password",  # nosec B105: an action's words
    "password_set": "Set a password",  # nosec B105: an action's words
    "person_erased": "Erased a person's data",
    "person_viewed": "Viewed a person's record",
    "referral_submitted": "Submitted a referral",
    "referral_withdrawn": "Withdrew a referral",
    "referrals_searched": "Searched for cases",
    "repeat_reviewed": "Reviewed a possible repeat",
    "retention_applied": "Removed personal data past its retention period",
    "safeguarding_concern_raised": "Raised a safeguarding concern",
    "sessions_published": "Published sessions",
    "sign_in": "Signed in",
    "sign_in_failed": "Failed to sign in",
    "sign_out": "Signed out",
    "status_changed": "Changed a case's status",
    "subject_access_exported": "Downloaded a person's data (subject access)",
    "user_invited": "Invited a user",
    "user_reinvited": "Invited a user again",
}
ROLES = {
    "officer": "Police officer",
    "educator": "Drug educator",
    "manager": "Provider manager",
    "commissioner": "Commissioner",
    "admin": "Administrator",
}


def action_words(action: str) -> str:
    """An action in words; an action this list does not know yet reads as its code would."""
    return ACTIONS.get(action, action.replace("_", " ").capitalize())


def role_words(role: str | None) -> str:
    return ROLES.get(role or "", role or "–")


def _value_words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return "–" if value is None else str(value)


def detail_words(detail: Mapping[str, Any] | None) -> str:
    """An event's detail as one line: "Period: 2026–27; Publication: no"."""
    return "; ".join(
        f"{key.replace('_', ' ').capitalize()}: {_value_words(value)}"
        for key, value in (detail or {}).items()
    )


def record_names(events: Iterable[AuditEvent]) -> dict[tuple[str, int], str]:
    """Names of the records the events refer to, keyed by (record type, id): a referral (or a
    booking) by the referral's reference, a user by email, a contract by its label. Records
    outside the scope, or since removed, are left out (and show as type and number)."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.record_type and event.record_id:
            wanted.setdefault(event.record_type, set()).add(event.record_id)
    lookups = {
        "referral": select(Referral.id, Referral.reference),
        "booking": select(Booking.id, Referral.reference).join(Booking.referral),
        "user": select(User.id, User.email),
        "contract": select(Contract.id, Contract.label),
    }
    names: dict[tuple[str, int], str] = {}
    for record_type, ids in wanted.items():
        query = lookups.get(record_type)
        if query is None:
            continue
        id_column = query.selected_columns[0]
        for record_id, name in db.session.execute(query.where(id_column.in_(ids))):
            names[(record_type, record_id)] = name
    return names
