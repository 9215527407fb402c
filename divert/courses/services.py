"""The course use cases: publish, enrol, take a register, and close cases by the programme's
completion rule or its deadline. Web, API, CLI and demo call these; the caller commits.

A course's sessions are ordinary diary sessions (kind "group", `course_id` set), and an
enrolment books the person into each session still to come, so the diary, the calendar feed
and the figures see courses like any other session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update

from divert.extensions import db
from divert.models import (
    Assessment,
    AssessmentOutcome,
    Booking,
    BookingStatus,
    CompletionRule,
    Course,
    CourseEnrolment,
    DiarySession,
    PathwayStep,
    Programme,
    Referral,
    ReferralStatus,
    SessionKind,
    User,
    Venue,
    utcnow,
)
from divert.referrals import lifecycle
from divert.refusals import Refusal

S = ReferralStatus
ENROLLABLE = frozenset({S.SUBMITTED, S.ATTENDED, S.DID_NOT_ATTEND, S.BOOKED})
REGISTER_OUTCOMES = (BookingStatus.ATTENDED, BookingStatus.DID_NOT_ATTEND)


class CourseRefusal(Refusal):
    """A course action the rules do not allow; `field` names the input at fault."""

    default_code = "course_refused"

    def __init__(self, message: str, field: str) -> None:
        super().__init__(field, message)


def publish(
    *,
    programme: Programme,
    educator: User,
    title: str,
    starts: Iterable[datetime],
    minutes: int,
    capacity: int,
    venue: Venue | None,
) -> Course:
    """A course with one group session at each of `starts` (remote when there is no venue)."""
    if not programme.has(PathwayStep.GROUP_COURSE):
        raise CourseRefusal(f"{programme.name} has no group course", "programme")
    course = Course(
        area_id=programme.area_id,
        programme=programme,
        educator_id=educator.id,
        title=title,
        capacity=capacity,
        remote=venue is None,
        venue_id=venue.id if venue else None,
    )
    for start in sorted(starts):
        course.sessions.append(
            DiarySession(
                area_id=programme.area_id,
                educator_id=educator.id,
                programme=programme,
                kind=SessionKind.GROUP,
                starts_at=start,
                ends_at=start + timedelta(minutes=minutes),
                capacity=capacity,
                remote=venue is None,
                venue_id=venue.id if venue else None,
            )
        )
    db.session.add(course)
    db.session.flush()
    return course


def weekly(first: datetime, count: int, every_days: int = 7) -> list[datetime]:
    return [first + timedelta(days=every_days * n) for n in range(count)]


def _enrolment_refusal(course: Course, referral: Referral, to_come: list[DiarySession]) -> str:
    """Why the referral cannot join the course, or '' when it can."""
    programme = course.programme
    if referral.programme_id != course.programme_id:
        return (
            f"{referral.reference} is referred to {referral.programme.name}, not {programme.name}"
        )
    if referral.status not in ENROLLABLE:
        return f"{referral.reference} is {lifecycle.LABELS[referral.status].lower()}"
    if db.session.scalar(
        select(CourseEnrolment.id).where(
            CourseEnrolment.referral_id == referral.id, CourseEnrolment.course_id == course.id
        )
    ):
        return f"{referral.reference} is already on this course"
    if lifecycle.active_booking(referral) is not None:
        return f"{referral.reference} already has a session booked: cancel it first"
    if programme.has(PathwayStep.ASSESSMENT):
        routed = db.session.scalar(
            select(Assessment.outcome).where(Assessment.referral_id == referral.id)
        )
        if routed != AssessmentOutcome.GROUP_COURSE.value:
            return f"{referral.reference} needs an assessment that routes them to a group course"
    needed = programme.sessions_to_complete or len(to_come)
    in_time = [s for s in to_come if _before_deadline(referral, s)]
    if len(in_time) < needed:
        return (
            f"Only {len(in_time)} of this course's sessions are still to come"
            f"{' before their deadline' if referral.deadline_on else ''}; they need {needed}"
        )
    return ""


def _before_deadline(referral: Referral, session: DiarySession) -> bool:
    return referral.deadline_on is None or session.starts_at.date() <= referral.deadline_on


def enrol(
    course: Course, referral: Referral, by: User, now: datetime | None = None
) -> CourseEnrolment:
    """Put the referral in the course's cohort: a place in every session still to come."""
    now = now or utcnow()
    to_come = [s for s in course.sessions if s.starts_at > now and s.cancelled_at is None]
    refusal = _enrolment_refusal(course, referral, to_come)
    if refusal:
        raise CourseRefusal(refusal, "referral")
    # One guarded UPDATE takes a place in every session at once, or in none (the course is full).
    taken = db.session.execute(
        update(DiarySession)
        .where(
            DiarySession.id.in_([s.id for s in to_come]),
            DiarySession.booked_count < DiarySession.capacity,
        )
        .values(booked_count=DiarySession.booked_count + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != len(to_come):
        raise CourseRefusal("The course is full", "referral")
    for session in to_come:
        db.session.refresh(session, ["booked_count"])
        db.session.add(
            Booking(
                referral=referral,
                session=session,
                area_id=referral.area_id,
                booked_by_id=by.id,
                status=BookingStatus.BOOKED,
            )
        )
    enrolment = CourseEnrolment(
        course=course, referral=referral, area_id=referral.area_id, enrolled_by_id=by.id
    )
    db.session.add(enrolment)
    if referral.status is not S.BOOKED:
        lifecycle.change_status(referral, S.BOOKED, by, note=f"Enrolled on {course.title}")
    if referral.educator_id is None:
        referral.educator_id = course.educator_id
    db.session.flush()
    return enrolment


@dataclass(frozen=True)
class Progress:
    """Where one person stands on their course."""

    attended: int
    missed: int
    to_come: int  # booked sessions whose register is not taken, before any deadline
    needed: int


def progress(referral: Referral) -> Progress | None:
    """The person's course sessions so far (None when they are on no course)."""
    programme = referral.programme
    if programme.completion_rule != CompletionRule.COURSE_SESSIONS.value:
        return None
    rows = db.session.execute(
        select(Booking.status, DiarySession.starts_at)
        .join(DiarySession, DiarySession.id == Booking.session_id)
        .where(Booking.referral_id == referral.id, DiarySession.course_id.is_not(None))
    ).all()
    if not rows:
        return None
    return Progress(
        attended=sum(status is BookingStatus.ATTENDED for status, _ in rows),
        missed=sum(status is BookingStatus.DID_NOT_ATTEND for status, _ in rows),
        to_come=sum(
            status is BookingStatus.BOOKED
            and (referral.deadline_on is None or starts.date() <= referral.deadline_on)
            for status, starts in rows
        ),
        needed=programme.sessions_to_complete or 0,
    )


def decide(referral: Referral, by: User | None, today: date) -> ReferralStatus | None:
    """Close the case when the completion rule settles it: completed once enough sessions are
    attended and the course is over for them (every register taken, or the deadline passed);
    not completed (returned to the police) as soon as enough can no longer be attended before
    the deadline, or once the deadline has passed."""
    if referral.status in lifecycle.CLOSED:
        return None
    now = progress(referral)
    if now is None:
        return None
    deadline = referral.deadline_on
    past_deadline = deadline is not None and today > deadline
    if now.attended >= now.needed:
        if now.to_come and not past_deadline:
            return None  # done enough, but still on the course
        note = f"Completed: attended {now.attended} course sessions (needed {now.needed})"
        lifecycle.change_status(referral, S.COMPLETED, by, note=note)
        return S.COMPLETED
    if past_deadline:
        reason = f"deadline of {deadline:%-d %B %Y} passed"
    elif now.attended + now.to_come < now.needed:
        reason = f"missed {now.missed} sessions, too many to reach {now.needed}"
    else:
        return None
    note = f"Not completed: attended {now.attended} of {now.needed} needed; {reason}"
    lifecycle.change_status(referral, S.NOT_COMPLETED, by, note=note)
    return S.NOT_COMPLETED


def take_register(
    session: DiarySession,
    outcomes: Mapping[int, BookingStatus],
    by: User,
    today: date | None = None,
) -> dict[int, ReferralStatus | None]:
    """Record who attended one course session ({booking id: outcome}, every open booking of
    the session), then apply the completion rule to each person. Returns the cases it closed."""
    if session.course_id is None:
        raise CourseRefusal("This session is not part of a course", "session")
    today = today or date.today()
    open_bookings = [b for b in session.bookings if b.status is BookingStatus.BOOKED]
    missing = [b for b in open_bookings if b.id not in outcomes]
    if missing:
        raise CourseRefusal(
            f"Record whether {missing[0].referral.person.full_name} attended",
            f"booking_{missing[0].id}",
        )
    recorded_at = utcnow()
    for booking in open_bookings:
        outcome = outcomes[booking.id]
        if outcome not in REGISTER_OUTCOMES:
            raise CourseRefusal("Choose attended or did not attend", f"booking_{booking.id}")
        booking.status, booking.recorded_by_id, booking.recorded_at = outcome, by.id, recorded_at
        referral = booking.referral
        if outcome is BookingStatus.ATTENDED and referral.initial_attended_on is None:
            # Engagement, by this programme's rule: the first course session attended.
            referral.initial_attended_on = session.starts_at.date()
        if outcome is BookingStatus.DID_NOT_ATTEND:
            referral.missed_appointments += 1
    db.session.flush()
    return {b.referral_id: decide(b.referral, by, today) for b in open_bookings}


def past_deadline(today: date) -> list[Referral]:
    """Open referrals (of the area in scope) whose programme deadline has passed."""
    return list(
        db.session.scalars(
            select(Referral)
            .where(
                Referral.deadline_on < today,
                Referral.status.not_in(list(lifecycle.CLOSED)),
            )
            .order_by(Referral.deadline_on, Referral.id)
        )
    )


def apply_deadlines(today: date) -> list[tuple[str, str]]:
    """The daily job: close every open case past its deadline (reference, note of why)."""
    closed = []
    for referral in past_deadline(today):
        if decide(referral, None, today) is None:
            # Never on a course, or no course sessions at all: not completed all the same.
            lifecycle.change_status(
                referral,
                S.NOT_COMPLETED,
                None,
                note=f"Not completed: deadline of {referral.deadline_on:%-d %B %Y} passed",
            )
        closed.append((referral.reference, referral.events[-1].note or ""))
    return closed


def cohort_size(course: Course) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(CourseEnrolment)
            .where(CourseEnrolment.course_id == course.id)
        )
        or 0
    )


def candidates(course: Course, now: datetime | None = None) -> list[Referral]:
    """Open cases of the course's programme that could join it now, oldest first."""
    now = now or utcnow()
    to_come = [s for s in course.sessions if s.starts_at > now and s.cancelled_at is None]
    on_a_course = select(CourseEnrolment.referral_id)
    referrals = db.session.scalars(
        select(Referral)
        .where(
            Referral.programme_id == course.programme_id,
            Referral.status.in_(list(ENROLLABLE)),
            Referral.id.not_in(on_a_course),
        )
        .order_by(Referral.received_on, Referral.id)
        .limit(100)
    ).all()
    return [r for r in referrals if not _enrolment_refusal(course, r, to_come)]
