"""Course pages: the list, publishing, a course with its cohort, enrolling, the register."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from divert import audit
from divert.clock import LOCAL
from divert.courses import services
from divert.courses.forms import CourseForm, EnrolForm, register_form
from divert.extensions import db
from divert.formfields import choice_id, options
from divert.models import (
    Booking,
    BookingStatus,
    Course,
    DiarySession,
    PathwayStep,
    Referral,
    Venue,
)
from divert.params import query_int
from divert.permissions import Permission, requires
from divert.programmes import rules as programme_rules
from divert.referrals import lifecycle
from divert.referrals.slots import describe
from divert.tenancy import current_area

bp = Blueprint("courses", __name__)

REMOTE = "remote"


def _course_programmes() -> list:
    return [
        p for p in programme_rules.area_programmes(current_area) if p.has(PathwayStep.GROUP_COURSE)
    ]


@bp.route("/<area_slug>/courses")
@requires(Permission.VIEW_CASES)
def courses() -> str:
    programme_id = query_int("programme")
    query = (
        select(Course)
        .options(selectinload(Course.sessions), selectinload(Course.enrolments))
        .order_by(Course.created_at.desc(), Course.id.desc())
        .limit(100)
    )
    if programme_id:
        query = query.where(Course.programme_id == programme_id)
    return render_template(
        "courses/list.html",
        courses=db.session.scalars(query).all(),
        programmes=_course_programmes(),
        programme_id=programme_id,
        local=LOCAL,
    )


def _course_choices(form: CourseForm) -> None:
    form.programme.choices = options([(str(p.id), p.name) for p in _course_programmes()])
    venues = db.session.scalars(select(Venue).where(Venue.active).order_by(Venue.position))
    form.venue.choices = options(
        [(REMOTE, "Remote (video)")] + [(str(v.id), v.label) for v in venues]
    )


@bp.route("/<area_slug>/courses/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_DIARY)
def new_course() -> str | Response:
    form = CourseForm()
    _course_choices(form)
    if not form.is_submitted():
        chosen = query_int("programme")
        form.programme.data = str(chosen) if chosen else form.programme.data
    if form.validate_on_submit():
        programme = programme_rules.by_id(current_area, choice_id(form.programme.data))
        venue = (
            db.session.get(Venue, choice_id(form.venue.data)) if form.venue.data != REMOTE else None
        )
        first = datetime.combine(form.first_date.data, form.start_time(), tzinfo=LOCAL)
        if programme is None:
            form.programme.errors.append("Choose the programme")
        else:
            course = services.publish(
                programme=programme,
                educator=current_user,
                title=form.title.data.strip(),
                starts=services.weekly(first, programme.course_sessions or 1, form.every_days.data),
                minutes=form.minutes.data,
                capacity=form.capacity.data,
                venue=venue,
            )
            audit.record("course_published", record_type="course", record_id=course.id)
            db.session.commit()
            flash(f"Published {course.title}: {len(course.sessions)} sessions.", "success")
            return redirect(url_for(".course", course_id=course.id))
    return render_template("courses/new.html", form=form)


def _course(course_id: int) -> Course:
    return db.first_or_404(
        select(Course)
        .options(selectinload(Course.sessions), selectinload(Course.enrolments))
        .where(Course.id == course_id)
    )


def _render_course(course: Course, enrol_form: EnrolForm | None = None) -> str:
    form = enrol_form or EnrolForm()
    form.referral.choices = options(
        [("", "Choose a person")]
        + [
            (str(r.id), f"{r.person.full_name} ({r.reference})")
            for r in services.candidates(course)
        ]
    )
    cohort = [(e.referral, services.progress(e.referral)) for e in course.enrolments]
    return render_template(
        "courses/course.html",
        course=course,
        cohort=cohort,
        enrol_form=form,
        describe=describe,
        labels=lifecycle.LABELS,
    )


@bp.route("/<area_slug>/courses/<id:course_id>")
@requires(Permission.VIEW_CASES)
def course(course_id: int) -> str:
    return _render_course(_course(course_id))


@bp.route("/<area_slug>/courses/<id:course_id>/enrol", methods=["POST"])
@requires(Permission.MANAGE_DIARY)
def enrol(course_id: int) -> str | Response:
    course = _course(course_id)
    form = EnrolForm()
    if form.validate_on_submit():
        referral = db.session.scalar(
            select(Referral).where(Referral.id == choice_id(form.referral.data))
        )
        try:
            if referral is None:
                raise services.CourseRefusal("Choose the person to enrol", "referral")
            services.enrol(course, referral, current_user)
        except services.CourseRefusal as refusal:
            db.session.rollback()
            form.referral.errors.append(str(refusal))
        else:
            audit.record(
                "course_enrolled", record_type="referral", record_id=referral.id, course=course.id
            )
            db.session.commit()
            flash(f"Enrolled {referral.person.full_name} on {course.title}.", "success")
            return redirect(url_for(".course", course_id=course.id))
        course = _course(course_id)
    return _render_course(course, form)


def _register_session(session_id: int) -> DiarySession:
    return db.first_or_404(
        select(DiarySession)
        .options(
            selectinload(DiarySession.bookings)
            .joinedload(Booking.referral)
            .joinedload(Referral.person)
        )
        .where(DiarySession.id == session_id, DiarySession.course_id.is_not(None))
    )


@bp.route("/<area_slug>/sessions/<id:session_id>/register", methods=["GET", "POST"])
@requires(Permission.RECORD_ATTENDANCE)
def register(session_id: int) -> str | Response:
    session = _register_session(session_id)
    open_bookings = [b for b in session.bookings if b.status is BookingStatus.BOOKED]
    form: FlaskForm = register_form(open_bookings)
    if form.validate_on_submit():
        outcomes = {b.id: BookingStatus(form[f"booking_{b.id}"].data) for b in open_bookings}
        closed = services.take_register(session, outcomes, current_user)
        audit.record(
            "register_taken", record_type="session", record_id=session.id, people=len(outcomes)
        )
        db.session.commit()
        completed = sum(1 for status in closed.values() if status is lifecycle.S.COMPLETED)
        flash(
            f"Register saved for {len(outcomes)} "
            f"{'person' if len(outcomes) == 1 else 'people'}"
            + (f"; {completed} completed the course" if completed else "")
            + ".",
            "success",
        )
        return redirect(url_for(".course", course_id=session.course_id))
    return render_template(
        "courses/register.html",
        session=session,
        form=form,
        fields=[form[f"booking_{b.id}"] for b in open_bookings],
        recorded=[b for b in session.bookings if b.status is not BookingStatus.BOOKED],
        describe=describe,
    )
