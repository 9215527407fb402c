"""What can be done to a referral, one function per action: submit, book, withdraw,
record_outcome.

Each takes plain values (records, ids, dates, strings: never a request or a form), makes every
check, writes the audit event and returns the record, or raises a divert.refusals.Refusal that
names the field at fault. The web views, the API and the command line call these and add only
what is theirs (a form's submission token, an API Idempotency-Key); the caller commits, or
rolls back on a refusal, so that nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from divert import audit
from divert.clock import utcnow
from divert.extensions import db
from divert.matching.normalise import DescribesPerson
from divert.models import (
    AgeGroup,
    Area,
    Booking,
    DiarySession,
    Disposal,
    Referral,
    ReferralStatus,
    Substance,
    User,
)
from divert.programmes import rules as programme_rules
from divert.referrals import lifecycle, repeats, submission
from divert.referrals.slots import open_slots
from divert.refusals import Conflict, Invalid, Refusal

# How far ahead an officer may book a slot (the web form offers the soonest in 14 days).
BOOKING_HORIZON = timedelta(days=366)

# The outcomes an educator closes a case with (the officer withdraws; the daily rule closes
# cases as not engaged too).
CLOSING_OUTCOMES = (
    ReferralStatus.COMPLETED,
    ReferralStatus.NOT_ENGAGED,
    ReferralStatus.INELIGIBLE,
    ReferralStatus.WITHDRAWN,
)


@dataclass(frozen=True)
class ReferralDetails(DescribesPerson):
    """What an officer tells about the person and the offence, as typed (and parsed)."""

    forename: str
    surname: str
    date_of_birth: date
    offence_date: date
    crime_reference: str
    substances_found: Sequence[Substance] = ()
    phone: str | None = None
    email: str | None = None
    consent_to_contact: bool = True
    gender: str | None = None
    ethnicity: str | None = None
    postcode_district: str | None = None
    notes: str | None = None
    guardian_name: str | None = None
    guardian_contact: str | None = None
    # What the referral goes with; age and disposal choose the programme unless several fit,
    # when `programme_id` names the one chosen.
    disposal: str = Disposal.PRE_ARREST_DIVERSION.value
    disposal_on: date | None = None
    deadline_on: date | None = None
    programme_id: int | None = None

    @classmethod
    def typed(
        cls,
        values: Mapping[str, Any],
        *,
        substances_found: Sequence[Substance],
        programme_id: int | None,
    ) -> ReferralDetails:
        """The details from what was typed into the web form or sent in an API body, held
        under these fields' names (other names are left out; a name missing keeps its
        default). Optional text left blank is None. What is found and the programme are named
        differently by each (ids in the form, codes in the API): the caller looks them up."""
        given: dict[str, Any] = {}
        for field in fields(cls):
            if field.name in ("substances_found", "programme_id") or field.name not in values:
                continue
            value = values[field.name]
            given[field.name] = None if field.default is None and value == "" else value
        return cls(**given, substances_found=tuple(substances_found), programme_id=programme_id)


def audit_referral(action: str, referral: Referral, by: User, **detail: object) -> None:
    """What was done to the referral, by whom, in its area: in the request or in a job."""
    audit.record_on(action, "referral", referral, by, **detail)


class RepeatUnconfirmed(Conflict):
    """The person may have been referred before (`found`): the officer must confirm an earlier
    referral of the area, and say whether a hit in another area's index is the same person.
    `problems` holds every question still unanswered."""

    def __init__(self, found: repeats.RepeatCheck, questions: dict[str, str]) -> None:
        field, message = next(iter(questions.items()))
        code = "repeat_unconfirmed" if field == "confirm_repeat" else "repeat_elsewhere_unanswered"
        super().__init__(field, message, code=code)
        self.found = found
        self._questions = dict(questions)

    @property
    def problems(self) -> dict[str, str]:
        return dict(self._questions)


def _check(details: ReferralDetails) -> None:
    problems = submission.problems(
        date_of_birth=details.date_of_birth,
        offence_date=details.offence_date,
        phone=details.phone,
        email=details.email,
        guardian_name=details.guardian_name,
        guardian_contact=details.guardian_contact,
        today=date.today(),
    )
    if problems:
        raise Invalid(problems)


def open_slot(area: Area, session_id: int) -> DiarySession:
    """An initial slot of the area an officer may book now, or a Conflict on `session_id`."""
    now = utcnow()
    found = open_slots(area, now, now + BOOKING_HORIZON, session_id=session_id)
    if not found:
        raise Conflict(
            "session_id",
            "That appointment is no longer available. Choose another",
            code="slot_unavailable",
        )
    return found[0]


@dataclass(frozen=True)
class Submitted:
    """A new referral with what submitting it found out: the slot it was booked into and the
    repeat check, so that its confirmation shows them without looking them up again."""

    referral: Referral
    slot: DiarySession | None
    found: repeats.RepeatCheck


def submit(
    area: Area,
    officer: User,
    details: ReferralDetails,
    *,
    confirm_repeat: bool = False,
    same_person_elsewhere: bool | None = None,
    session_id: int | None = None,
) -> Submitted:
    """A new referral in the area, booked into the open slot `session_id` if given.

    Refused: the details break a rule (Invalid), the area's repeat policy rules the person out
    (`forename`), an earlier referral is not confirmed or a hit in another area's index is not
    answered (RepeatUnconfirmed), the slot is not open or of another programme (`session_id`),
    no programme fits (`date_of_birth`) or several do (`programme`).
    """
    _check(details)
    found = repeats.check(area, details.person(), details.offence_date)
    refusal = submission.repeat_refusal(area, found)
    if refusal is not None:
        raise Refusal("forename", refusal, code="repeat_refused")
    questions = submission.unanswered_repeat_questions(
        found, confirmed=confirm_repeat, same_person_elsewhere=same_person_elsewhere
    )
    if questions:
        raise RepeatUnconfirmed(found, questions)
    slot = open_slot(area, session_id) if session_id is not None else None
    under_18 = submission.age_group(details.date_of_birth, details.offence_date)
    young = under_18 is AgeGroup.UNDER_18
    referral = submission.submit(
        area=area,
        officer=officer,
        found=found,
        slot=slot,
        same_person_elsewhere=bool(same_person_elsewhere),
        forename=details.forename.strip(),
        surname=details.surname.strip(),
        date_of_birth=details.date_of_birth,
        offence_date=details.offence_date,
        crime_reference=details.crime_reference.strip(),
        phone=details.phone or None,
        email=details.email or None,
        substances_found=list(details.substances_found),
        consent_to_contact=details.consent_to_contact,
        gender=details.gender or None,
        ethnicity=details.ethnicity or None,
        postcode_district=(details.postcode_district or "").strip().upper() or None,
        notes=details.notes or None,
        guardian_name=details.guardian_name if young else None,
        guardian_contact=details.guardian_contact if young else None,
        disposal=details.disposal,
        disposal_on=details.disposal_on,
        deadline_on=details.deadline_on,
        programme=programme_rules.by_id(area, details.programme_id),
    )
    audit_referral(
        "referral_submitted", referral, officer, reference=referral.reference, booked=bool(slot)
    )
    return Submitted(referral, slot, found)


def book(referral: Referral, session_id: int, by: User, *, open_slots_only: bool) -> Booking:
    """Book the referral into a session; a booking it had is marked rescheduled.

    `open_slots_only`: officers book only the initial slots offered to them (open_slot);
    educators may book any session of the area with a place left.
    """
    if open_slots_only:
        session = open_slot(referral.area, session_id)
    else:
        session = db.session.get(DiarySession, session_id)
        if session is None:  # another area's session is not found either: tenancy
            raise Conflict(
                "session_id", "That session is no longer available", code="slot_unavailable"
            )
    booking = lifecycle.book(referral, session, by)
    audit_referral("booking_made", referral, by)
    return booking


def withdraw(referral: Referral, by: User) -> Referral:
    """The officer withdraws their referral as entered in error: it is never counted."""
    lifecycle.change_status(
        referral, ReferralStatus.VOIDED, by, note="Withdrawn by the officer: entered in error"
    )
    audit_referral("referral_withdrawn", referral, by)
    return referral


def record_outcome(referral: Referral, outcome: str, by: User, note: str | None = None) -> Referral:
    """An educator closes the case with one of CLOSING_OUTCOMES (refused on `outcome`)."""
    chosen = next((status for status in CLOSING_OUTCOMES if status.value == outcome), None)
    if chosen is None:
        raise Refusal("outcome", "Choose an outcome")
    try:
        lifecycle.change_status(referral, chosen, by, note=note or None)
    except lifecycle.TransitionError as refusal:
        raise lifecycle.TransitionError(refusal.message, field="outcome") from refusal
    audit_referral("status_changed", referral, by, to=outcome)
    return referral
