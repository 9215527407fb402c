"""Cases: the caseload, a case page, contact attempts, booking, cancelling and outcomes."""

from __future__ import annotations

from datetime import date
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from divert import audit
from divert.clock import utcnow
from divert.extensions import db
from divert.formfields import choice_id, options, saves
from divert.models import (
    Booking,
    BookingStatus,
    ContactAttempt,
    DiarySession,
    Referral,
)
from divert.params import query_page
from divert.permissions import Permission, can, requires
from divert.referrals import lifecycle
from divert.referrals import use_cases as referral_cases
from divert.referrals.slots import describe, open_initial_slots
from divert.refusals import Refusal
from divert.sessions import programme_panel, queries, safeguarding, use_cases
from divert.sessions.blueprint import bp
from divert.sessions.forms import BookForm, ContactForm, OutcomeForm, SafeguardingForm
from divert.tenancy import current_area

BOOKING_LABELS = {
    BookingStatus.BOOKED: "Booked",
    BookingStatus.ATTENDED: "Attended",
    BookingStatus.DID_NOT_ATTEND: "Did not attend",
    BookingStatus.CANCELLED: "Cancelled",
    BookingStatus.RESCHEDULED: "Moved to another session",
}
# A contact attempt's method and outcome in words, as the contact form offers them.
CONTACT_LABELS = {**use_cases.CONTACT_METHODS, **use_cases.CONTACT_OUTCOMES}


@bp.route("/<area_slug>/caseload")
@requires(Permission.VIEW_CASES)
def caseload() -> str:
    status = request.args.get("status", "awaiting")
    status = status if status in queries.CASELOAD_FILTERS else "awaiting"
    educator_id = queries.parse_whose(request.args.get("educator"))
    page = query_page()
    return render_template(
        "sessions/caseload.html",
        cases=queries.caseload(status, educator_id, page),
        filters=queries.CASELOAD_FILTERS,
        status=status,
        educator_id=educator_id,
        educators=queries.area_educators(current_area.id),
        unassigned=queries.UNASSIGNED,
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
    bookings = db.session.scalars(
        select(Booking)
        .join(Booking.session)
        .options(
            selectinload(Booking.interventions),
            selectinload(Booking.other_substances),
            joinedload(Booking.main_substance),
            joinedload(Booking.onward_service),
        )
        .where(Booking.referral_id == referral.id)
        .order_by(DiarySession.starts_at)
    ).all()
    book_form = forms.get("book_form") or BookForm()
    book_form.slot.choices = options(
        [
            (str(s.id), describe(s))
            for s in open_initial_slots(current_area)
            if s.programme_id == referral.programme_id
        ]
    )
    return render_template(
        "sessions/case.html",
        referral=referral,
        contact_attempts=contact_attempts,
        booking=booking,
        appointment=f"{booking.session.programme.name}: {describe(booking.session)}"
        if booking
        else None,
        bookings=bookings,
        describe=describe,
        now=utcnow(),
        booking_labels=BOOKING_LABELS,
        contact_labels=CONTACT_LABELS,
        contact_form=forms.get("contact_form") or ContactForm(),
        book_form=book_form,
        outcome_form=forms.get("outcome_form") or OutcomeForm(),
        safeguarding_form=forms.get("safeguarding_form") or SafeguardingForm(),
        concerns=safeguarding.concerns_of(referral) if safeguarding.can_raise(referral) else [],
        can_raise_concern=safeguarding.can_raise(referral),
        labels=lifecycle.LABELS,
        is_open=referral.status not in lifecycle.CLOSED,
        programme=programme_panel.panel(referral, may_record=can(Permission.RECORD_ATTENDANCE)),
    )


@bp.route("/<area_slug>/cases/<id:referral_id>")
@requires(Permission.VIEW_CASES)
def case(referral_id: int) -> str:
    referral = _case(referral_id)
    return audit.record_with_answer(
        "person_viewed",
        partial(_render_case, referral),
        record_type="referral",
        record_id=referral.id,
    )


@bp.route("/<area_slug>/cases/<id:referral_id>/contact", methods=["POST"])
@requires(Permission.VIEW_CASES)
def record_contact(referral_id: int) -> str | Response:
    referral = _case(referral_id)
    form = ContactForm()
    if saves(
        form,
        lambda: use_cases.record_contact(
            referral, current_user, form.method.data, form.outcome.data, form.note.data
        ),
        default="outcome",
    ):
        flash("Contact attempt recorded.", "success")
        return redirect(url_for(".case", referral_id=referral.id))
    return _render_case(_case(referral_id), contact_form=form)


@bp.route("/<area_slug>/cases/<id:referral_id>/safeguarding", methods=["POST"])
@requires(Permission.VIEW_CASES)
def raise_safeguarding_concern(referral_id: int) -> str | Response:
    referral = _case(referral_id)
    if not safeguarding.can_raise(referral):
        abort(404)  # only young people's cases carry safeguarding concerns
    form = SafeguardingForm()
    if saves(
        form,
        lambda: safeguarding.raise_concern(referral, current_user, form.concern.data or ""),
        default="concern",
    ):
        flash("Safeguarding concern raised. The area's managers have been emailed.", "success")
        return redirect(url_for(".case", referral_id=referral.id))
    return _render_case(referral, safeguarding_form=form)


@bp.route("/<area_slug>/cases/<id:referral_id>/book", methods=["POST"])
@requires(Permission.VIEW_CASES)
def book(referral_id: int) -> str | Response:
    referral = _case(referral_id)
    form = BookForm()
    form.slot.choices = []
    booking = saves(
        form,
        lambda: referral_cases.book(
            referral, choice_id(form.slot.data), current_user, open_slots_only=False
        ),
        default="slot",
    )
    if booking is not None:
        flash(f"Booked: {describe(booking.session)}.", "success")
        return redirect(url_for(".case", referral_id=referral.id))
    return _render_case(_case(referral_id), book_form=form)


@bp.route("/<area_slug>/cases/<id:referral_id>/cancel", methods=["POST"])
@requires(Permission.VIEW_CASES)
def cancel_booking(referral_id: int) -> Response:
    referral = _case(referral_id)
    try:
        use_cases.cancel_booking(
            referral, current_user, request.form.get("cancelled_by", "service")
        )
    except Refusal as refusal:
        db.session.rollback()
        flash(f"{refusal.message}.", "error")
    else:
        db.session.commit()
        flash("The booking was cancelled and its place freed.", "success")
    return redirect(url_for(".case", referral_id=referral.id))


@bp.route("/<area_slug>/cases/<id:referral_id>/outcome", methods=["POST"])
@requires(Permission.VIEW_CASES)
def record_outcome(referral_id: int) -> str | Response:
    referral = _case(referral_id)
    form = OutcomeForm()
    if saves(
        form,
        lambda: referral_cases.record_outcome(
            referral, form.outcome.data, current_user, form.note.data
        ),
        default="outcome",
    ):
        flash(f"Recorded: {lifecycle.LABELS[referral.status]}.", "success")
        return redirect(url_for(".case", referral_id=referral.id))
    return _render_case(_case(referral_id), outcome_form=form)
