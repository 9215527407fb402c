"""The educator workspace: caseload, case page, diary, session attendance, calendar feed."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from divert import audit
from divert.extensions import db
from divert.models import (
    Booking,
    BookingStatus,
    ContactAttempt,
    DiarySession,
    Intervention,
    Membership,
    Referral,
    ReferralStatus,
    Role,
    SessionKind,
    Substance,
    TreatmentService,
    User,
    Venue,
)
from divert.params import parse_int, query_date, query_int, query_page
from divert.permissions import Permission, can, public, requires, role_can
from divert.referrals import lifecycle
from divert.referrals.slots import LOCAL, describe, open_initial_slots
from divert.sessions import queries, safeguarding
from divert.sessions.forms import (
    AttendanceForm,
    BookForm,
    ContactForm,
    OutcomeForm,
    SafeguardingForm,
    SessionForm,
)
from divert.tenancy import current_area, system_scope

bp = Blueprint("sessions", __name__)


# -- caseload and cases ------------------------------------------------------------------------


@bp.route("/<area_slug>/caseload")
@requires(Permission.VIEW_CASES)
def caseload() -> str:
    status = request.args.get("status", "awaiting")
    status = status if status in queries.CASELOAD_FILTERS else "awaiting"
    educator_id = query_int("educator", minimum=1)
    page = query_page()
    return render_template(
        "sessions/caseload.html",
        cases=queries.caseload(status, educator_id, page),
        filters=queries.CASELOAD_FILTERS,
        status=status,
        educator_id=educator_id,
        educators=queries.area_educators(current_area.id),
        today=date.today(),
        labels=lifecycle.LABELS,
    )


def _case(referral_id: int) -> Referral:
    return db.first_or_404(
        select(Referral)
        .options(selectinload(Referral.events), selectinload(Referral.substances_found))
        .where(Referral.id == referral_id)
    )


def _render_case(referral: Referral, **forms: object) -> str:
    contact_attempts = db.session.scalars(
        select(ContactAttempt)
        .where(ContactAttempt.referral_id == referral.id)
        .order_by(ContactAttempt.at.desc())
    ).all()
    booking = lifecycle.active_booking(referral)
    book_form = forms.get("book_form") or BookForm()
    book_form.slot.choices = [(str(s.id), describe(s)) for s in open_initial_slots(current_area)]
    return render_template(
        "sessions/case.html",
        referral=referral,
        contact_attempts=contact_attempts,
        booking=booking,
        appointment=describe(booking.session) if booking else None,
        contact_form=forms.get("contact_form") or ContactForm(),
        book_form=book_form,
        outcome_form=forms.get("outcome_form") or OutcomeForm(),
        safeguarding_form=forms.get("safeguarding_form") or SafeguardingForm(),
        concerns=safeguarding.concerns_of(referral) if safeguarding.can_raise(referral) else [],
        can_raise_concern=safeguarding.can_raise(referral),
        labels=lifecycle.LABELS,
        is_open=referral.status not in lifecycle.CLOSED,
    )


@bp.route("/<area_slug>/cases/<id:referral_id>")
@requires(Permission.VIEW_CASES)
def case(referral_id: int) -> str:
    referral = _case(referral_id)
    audit.record("person_viewed", record_type="referral", record_id=referral.id)
    db.session.commit()
    return _render_case(referral)


@bp.route("/<area_slug>/cases/<id:referral_id>/contact", methods=["POST"])
@requires(Permission.VIEW_CASES)
def record_contact(referral_id: int) -> str | Response:
    referral = _case(referral_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return _render_case(referral, contact_form=form)
    db.session.add(
        ContactAttempt(
            referral_id=referral.id,
            user_id=current_user.id,
            method=form.method.data,
            outcome=form.outcome.data,
            note=form.note.data or None,
        )
    )
    audit.record("contact_recorded", record_type="referral", record_id=referral.id)
    db.session.commit()
    flash("Contact attempt recorded.", "success")
    return redirect(url_for(".case", referral_id=referral.id))


@bp.route("/<area_slug>/cases/<id:referral_id>/safeguarding", methods=["POST"])
@requires(Permission.VIEW_CASES)
def raise_safeguarding_concern(referral_id: int) -> str | Response:
    referral = _case(referral_id)
    if not safeguarding.can_raise(referral):
        abort(404)  # only young people's cases carry safeguarding concerns
    form = SafeguardingForm()
    if not form.validate_on_submit():
        return _render_case(referral, safeguarding_form=form)
    safeguarding.raise_concern(referral, current_user, form.concern.data or "")
    db.session.commit()
    flash("Safeguarding concern raised. The area's managers have been emailed.", "success")
    return redirect(url_for(".case", referral_id=referral.id))


@bp.route("/<area_slug>/cases/<id:referral_id>/book", methods=["POST"])
@requires(Permission.VIEW_CASES)
def book(referral_id: int) -> str | Response:
    referral = _case(referral_id)
    form = BookForm()
    form.slot.choices = []
    if form.validate_on_submit():
        session = db.session.scalar(
            select(DiarySession).where(DiarySession.id == _int(form.slot.data))
        )
        try:
            if session is None:
                raise lifecycle.SlotFullError("That session is no longer available")
            lifecycle.book(referral, session, current_user)
        except (lifecycle.SlotFullError, lifecycle.TransitionError) as refusal:
            db.session.rollback()
            form.slot.errors.append(str(refusal))
        else:
            if referral.educator_id is None:
                referral.educator_id = session.educator_id
            audit.record("booking_made", record_type="referral", record_id=referral.id)
            db.session.commit()
            flash(f"Booked: {describe(session)}.", "success")
            return redirect(url_for(".case", referral_id=referral.id))
    return _render_case(_case(referral_id), book_form=form)


@bp.route("/<area_slug>/cases/<id:referral_id>/cancel", methods=["POST"])
@requires(Permission.VIEW_CASES)
def cancel_booking(referral_id: int) -> Response:
    referral = _case(referral_id)
    booking = lifecycle.active_booking(referral)
    if booking is None:
        flash("There is no booking to cancel.", "error")
        return redirect(url_for(".case", referral_id=referral.id))
    try:
        lifecycle.record_attendance(
            booking,
            BookingStatus.CANCELLED,
            current_user,
            cancelled_by=request.form.get("cancelled_by", "service"),
        )
    except lifecycle.TransitionError as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        audit.record("booking_cancelled", record_type="referral", record_id=referral.id)
        db.session.commit()
        flash("The booking was cancelled and its place freed.", "success")
    return redirect(url_for(".case", referral_id=referral.id))


@bp.route("/<area_slug>/cases/<id:referral_id>/outcome", methods=["POST"])
@requires(Permission.VIEW_CASES)
def record_outcome(referral_id: int) -> str | Response:
    referral = _case(referral_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            lifecycle.change_status(
                referral,
                ReferralStatus(form.outcome.data),
                current_user,
                note=form.note.data or None,
            )
        except lifecycle.TransitionError as refusal:
            db.session.rollback()
            form.outcome.errors.append(str(refusal))
        else:
            audit.record(
                "status_changed",
                record_type="referral",
                record_id=referral.id,
                to=form.outcome.data,
            )
            db.session.commit()
            flash(f"Recorded: {lifecycle.LABELS[referral.status]}.", "success")
            return redirect(url_for(".case", referral_id=referral.id))
    return _render_case(_case(referral_id), outcome_form=form)


def _int(value: str | None) -> int:
    return parse_int(value) or 0


# -- diary ---------------------------------------------------------------------------------------


def _diary_educator() -> int | None:
    """Whose diary: one's own, or (for managers) any educator's of the area."""
    if can(Permission.MANAGE_ALL_DIARIES):
        return query_int("educator", minimum=1)
    return current_user.id


@bp.route("/<area_slug>/diary")
@requires(Permission.MANAGE_DIARY)
def diary() -> str:
    day = query_date("day") or date.today()
    week = request.args.get("view") == "week"
    start = day - timedelta(days=day.weekday()) if week else day
    days = 7 if week else 1
    return render_template(
        "sessions/diary.html",
        sessions=queries.diary(_diary_educator(), start, days),
        start=start,
        days=days,
        week=week,
        previous=start - timedelta(days=days),
        following=start + timedelta(days=days),
        educators=queries.area_educators(current_area.id)
        if can(Permission.MANAGE_ALL_DIARIES)
        else [],
        educator_id=_diary_educator(),
        describe=describe,
        local=LOCAL,
    )


def _session_choices(form: SessionForm) -> None:
    venues = db.session.scalars(select(Venue).where(Venue.active).order_by(Venue.position))
    form.venue.choices = [("remote", "Remote (phone or video)")] + [
        (str(v.id), v.label) for v in venues
    ]
    if can(Permission.MANAGE_ALL_DIARIES):
        form.educator.choices = [
            (str(u.id), u.name) for u in queries.area_educators(current_area.id)
        ]
    else:  # an educator publishes into their own diary, whatever the form says
        form.educator.choices = [(str(current_user.id), current_user.name)]
        form.educator.data = str(current_user.id)
    if not form.educator.data:
        form.educator.data = str(current_user.id)


@bp.route("/<area_slug>/diary/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_DIARY)
def new_session() -> str | Response:
    form = SessionForm()
    _session_choices(form)
    if form.validate_on_submit():
        start_time = form.start_time()
        remote = form.venue.data == "remote"
        created = []
        for day in form.dates():
            starts = datetime.combine(day, start_time, tzinfo=LOCAL)
            created.append(
                DiarySession(
                    educator_id=int(form.educator.data),
                    kind=SessionKind(form.kind.data),
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=form.minutes.data),
                    capacity=form.capacity.data,
                    remote=remote,
                    venue_id=None if remote else _int(form.venue.data) or None,
                )
            )
        db.session.add_all(created)
        audit.record("sessions_published", count=len(created))
        db.session.commit()
        flash(f"Published {len(created)} session{'s' if len(created) != 1 else ''}.", "success")
        return redirect(url_for(".diary", day=form.first_date.data.isoformat(), view="week"))
    return render_template("sessions/new_session.html", form=form)


@bp.route("/<area_slug>/diary/calendar-link", methods=["POST"])
@requires(Permission.MANAGE_DIARY)
def regenerate_calendar_link() -> Response:
    current_user.calendar_token = secrets.token_urlsafe(32)
    audit.record("calendar_link_regenerated", record_type="user", record_id=current_user.id)
    db.session.commit()
    flash("Your calendar link has changed. The old link no longer works.", "success")
    return redirect(url_for(".diary"))


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str) -> Response:
    """A person's sessions, for their calendar app. The secret link is the key, and it opens
    only the areas where its owner keeps a diary today: removed from an area, gone from it."""
    user = (
        db.session.scalar(select(User).where(User.calendar_token == token))
        if len(token) >= 32
        else None
    )
    if user is None or not user.active:
        abort(404)
    calendar = Calendar()
    calendar.add("prodid", "-//divert//diary//EN")
    calendar.add("version", "2.0")
    diary_roles = [role for role in Role if role_can(role, Permission.MANAGE_DIARY)]
    with system_scope():  # one person's own diary across their areas; no one else's
        sessions = db.session.scalars(
            select(DiarySession)
            .join(
                Membership,
                (Membership.area_id == DiarySession.area_id) & (Membership.user_id == user.id),
            )
            .where(
                Membership.active,
                Membership.role.in_(diary_roles),
                DiarySession.educator_id == user.id,
                DiarySession.cancelled_at.is_(None),
                DiarySession.starts_at >= datetime.now(LOCAL) - timedelta(days=30),
            )
            .order_by(DiarySession.starts_at)
        ).all()
        for session in sessions:
            event = Event()
            event.add("uid", f"session-{session.id}@divert")
            event.add(
                "summary",
                f"{session.kind.value.replace('_', ' ').title()} session "
                f"({session.booked_count}/{session.capacity} booked)",
            )
            event.add("dtstart", session.starts_at)
            event.add("dtend", session.ends_at)
            event.add(
                "location",
                "Remote" if session.remote else (session.venue.label if session.venue else ""),
            )
            calendar.add_component(event)
    return Response(calendar.to_ical(), mimetype="text/calendar")


# -- sessions and attendance ------------------------------------------------------------------


@bp.route("/<area_slug>/sessions/<id:session_id>")
@requires(Permission.RECORD_ATTENDANCE)
def session_detail(session_id: int) -> str:
    session = db.first_or_404(
        select(DiarySession)
        .options(
            selectinload(DiarySession.bookings)
            .joinedload(Booking.referral)
            .joinedload(Referral.person)
        )
        .where(DiarySession.id == session_id)
    )
    return render_template(
        "sessions/session.html", session=session, describe=describe, labels=lifecycle.LABELS
    )


def _attendance_choices(form: AttendanceForm) -> None:
    substances = db.session.scalars(
        select(Substance).where(Substance.active).order_by(Substance.position)
    ).all()
    form.main_substance.choices = [("", "Choose a substance")] + [
        (str(s.id), s.label) for s in substances
    ]
    form.other_substances.choices = [(str(s.id), s.label) for s in substances]
    form.interventions.choices = [
        (str(i.id), i.label)
        for i in db.session.scalars(
            select(Intervention).where(Intervention.active).order_by(Intervention.position)
        )
    ]
    form.onward_service.choices = [("", "No onward referral")] + [
        (str(t.id), t.label)
        for t in db.session.scalars(
            select(TreatmentService)
            .where(TreatmentService.active)
            .order_by(TreatmentService.position)
        )
    ]


def _chosen(model: type, ids: list[str] | None) -> list:
    wanted = [value for value in map(parse_int, ids or []) if value is not None]
    return list(db.session.scalars(select(model).where(model.id.in_(wanted)))) if wanted else []


@bp.route("/<area_slug>/bookings/<id:booking_id>/attendance", methods=["GET", "POST"])
@requires(Permission.RECORD_ATTENDANCE)
def record_attendance(booking_id: int) -> str | Response:
    booking = db.first_or_404(select(Booking).where(Booking.id == booking_id))
    form = AttendanceForm()
    _attendance_choices(form)
    if form.validate_on_submit():
        interventions = _chosen(Intervention, form.interventions.data)
        main = _chosen(Substance, [form.main_substance.data or ""])
        onward = _chosen(TreatmentService, [form.onward_service.data or ""])
        try:
            lifecycle.record_attendance(
                booking,
                BookingStatus(form.outcome.data),
                current_user,
                main_substance=main[0] if main else None,
                other_substances=_chosen(Substance, form.other_substances.data),
                interventions=interventions,
                naloxone_kit_supplied=lifecycle.supplies_naloxone(interventions),
                onward_service=onward[0] if onward else None,
                notes=form.notes.data or None,
                cancelled_by=form.cancelled_by.data or None,
            )
        except lifecycle.TransitionError as refusal:
            db.session.rollback()
            field = form.main_substance if "substance" in str(refusal) else form.outcome
            field.errors.append(str(refusal))
        else:
            audit.record(
                "attendance_recorded",
                record_type="booking",
                record_id=booking.id,
                outcome=form.outcome.data,
            )
            db.session.commit()
            flash(f"Attendance saved for {booking.referral.person.full_name}.", "success")
            return redirect(url_for(".session_detail", session_id=booking.session_id))
        booking = db.first_or_404(select(Booking).where(Booking.id == booking_id))
    return render_template(
        "sessions/attendance.html", form=form, booking=booking, describe=describe
    )
