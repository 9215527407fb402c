"""Attendance: a diary session's bookings, and recording what happened at one."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from divert.clock import utcnow
from divert.extensions import db
from divert.formfields import options, saves
from divert.models import (
    Booking,
    DiarySession,
    Intervention,
    Referral,
    Substance,
    TreatmentService,
)
from divert.params import parse_int
from divert.permissions import Permission, requires
from divert.referrals import lifecycle
from divert.referrals.slots import describe
from divert.sessions import use_cases
from divert.sessions.blueprint import bp
from divert.sessions.forms import AttendanceForm


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
        "sessions/session.html",
        session=session,
        describe=describe,
        labels=lifecycle.LABELS,
        started=session.starts_at <= utcnow(),
    )


def _attendance_choices(form: AttendanceForm) -> None:
    substances = db.session.scalars(
        select(Substance).where(Substance.active).order_by(Substance.position)
    ).all()
    form.main_substance.choices = options(
        [("", "Choose a substance")] + [(str(s.id), s.label) for s in substances]
    )
    form.other_substances.choices = options([(str(s.id), s.label) for s in substances])
    form.interventions.choices = options(
        [
            (str(i.id), i.label)
            for i in db.session.scalars(
                select(Intervention).where(Intervention.active).order_by(Intervention.position)
            )
        ]
    )
    form.onward_service.choices = options(
        [("", "No onward referral")]
        + [
            (str(t.id), t.label)
            for t in db.session.scalars(
                select(TreatmentService)
                .where(TreatmentService.active)
                .order_by(TreatmentService.position)
            )
        ]
    )


def _chosen(model: type, ids: list[str] | None) -> list:
    wanted = [value for value in map(parse_int, ids or []) if value is not None]
    return list(db.session.scalars(select(model).where(model.id.in_(wanted)))) if wanted else []


def _attendance(form: AttendanceForm) -> use_cases.Attendance:
    main = _chosen(Substance, [form.main_substance.data or ""])
    onward = _chosen(TreatmentService, [form.onward_service.data or ""])
    return use_cases.Attendance(
        outcome=form.outcome.data,
        main_substance=main[0] if main else None,
        other_substances=_chosen(Substance, form.other_substances.data),
        interventions=_chosen(Intervention, form.interventions.data),
        onward_service=onward[0] if onward else None,
        notes=form.notes.data,
        cancelled_by=form.cancelled_by.data,
    )


@bp.route("/<area_slug>/bookings/<id:booking_id>/attendance", methods=["GET", "POST"])
@requires(Permission.RECORD_ATTENDANCE)
def record_attendance(booking_id: int) -> str | Response:
    booking = db.first_or_404(select(Booking).where(Booking.id == booking_id))
    form = AttendanceForm()
    _attendance_choices(form)
    if saves(
        form,
        lambda: use_cases.record_attendance(booking, current_user, _attendance(form)),
        default="outcome",
    ):
        flash(f"Attendance saved for {booking.referral.person.full_name}.", "success")
        return redirect(url_for(".session_detail", session_id=booking.session_id))
    if form.is_submitted():  # a refusal rolled back: the page shows the booking as stored
        booking = db.first_or_404(select(Booking).where(Booking.id == booking_id))
    return render_template(
        "sessions/attendance.html", form=form, booking=booking, describe=describe
    )
