"""Programmes through the API: an area's programmes, its courses, enrolling someone on a
course and taking a session's register. The courses use cases do the work."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from marshmallow import RAISE
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from divert import audit
from divert.api import programme_schemas as schemas
from divert.api.blueprint import bp, operation
from divert.api.paging import page_of
from divert.api.problems import ApiError
from divert.courses import services as courses
from divert.extensions import db
from divert.models import BookingStatus, Course, DiarySession, Programme, Referral
from divert.permissions import Permission
from divert.programmes import rules as programme_rules
from divert.tenancy import current_area


@bp.route("/areas/<area_slug>/programmes", tags=["programmes"])
@operation(Permission.VIEW_AREA_HOME)
@bp.response(200, schemas.ProgrammeList)
def list_programmes() -> dict[str, Any]:
    """The programmes the area commissions
    Who each is for (ages, disposals), its pathway and when it counts as completed. A referral
    names a programme only when more than one fits the person's age and the disposal.
    """
    return {"items": programme_rules.area_programmes(current_area)}


def _course(course_id: int) -> Course:
    course = db.session.scalar(
        select(Course)
        .options(selectinload(Course.sessions).selectinload(DiarySession.bookings))
        .where(Course.id == course_id)
    )
    if course is None:
        raise ApiError(404, "No course has that id in this area")
    return course


def _course_session(session_id: int) -> DiarySession:
    session = db.session.scalar(
        select(DiarySession).where(
            DiarySession.id == session_id, DiarySession.course_id.is_not(None)
        )
    )
    if session is None:
        raise ApiError(404, "No course session has that id in this area")
    return session


@bp.route("/areas/<area_slug>/courses", tags=["programmes"])
@operation(Permission.VIEW_CASES)
@bp.arguments(schemas.CourseQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.CoursePage)
def list_courses(query: dict[str, Any]) -> dict[str, Any]:
    """The area's courses, newest first, with their sessions and bookings"""
    chosen = select(Course)
    if query["programme"]:
        chosen = chosen.join(Programme, Programme.id == Course.programme_id).where(
            Programme.code == query["programme"]
        )
    total = db.session.scalar(select(func.count()).select_from(chosen.subquery())) or 0
    items = db.session.scalars(
        chosen.options(selectinload(Course.sessions).selectinload(DiarySession.bookings))
        .order_by(Course.id.desc())
        .limit(query["per_page"])
        .offset((query["page"] - 1) * query["per_page"])
    ).all()
    return page_of(list(items), total, query, "api.list_courses")


@bp.route(
    "/areas/<area_slug>/courses/<id:course_id>/enrolments", methods=["POST"], tags=["programmes"]
)
@operation(Permission.MANAGE_DIARY, errors=(409,), body=True, records={"course_id": _course})
@bp.arguments(schemas.EnrolmentRequest)
@bp.response(201, schemas.Enrolment)
def enrol(body: dict[str, Any], course: Course) -> tuple[dict[str, Any], int]:
    """Enrol someone on a course
    They get a place in every session still to come; refused (409) when the course is full, the
    referral is of another programme, closed, already on it, needs its assessment first, or
    cannot attend enough sessions before its deadline.
    """
    referral = db.session.scalar(select(Referral).where(Referral.id == body["referral_id"]))
    if referral is None:
        raise ApiError(422, "No referral has that id in this area", field="referral_id")
    try:
        courses.enrol(course, referral, current_user)
    except courses.CourseRefusal as refusal:
        db.session.rollback()
        raise ApiError(
            409, str(refusal), code="enrolment_refused", field="referral_id"
        ) from refusal
    audit.record("course_enrolled", record_type="referral", record_id=referral.id, course=course.id)
    db.session.commit()
    out = {
        "course_id": course.id,
        "referral_id": referral.id,
        "referral_status": referral.status.value,
    }
    return out, 201


@bp.route(
    "/areas/<area_slug>/sessions/<id:session_id>/register", methods=["POST"], tags=["programmes"]
)
@operation(Permission.RECORD_ATTENDANCE, body=True, records={"session_id": _course_session})
@bp.arguments(schemas.RegisterRequest)
@bp.response(200, schemas.Register)
def take_register(body: dict[str, Any], session: DiarySession) -> dict[str, Any]:
    """Take a course session's register
    One entry for every person still to be marked; each case the completion rule settles (or
    the deadline) is closed and listed.
    """
    outcomes = {
        entry["booking_id"]: BookingStatus(entry["outcome"]) for entry in body["attendance"]
    }
    if len(outcomes) != len(body["attendance"]):
        raise ApiError(422, "A booking is listed twice", field="attendance")
    still_open = {b.id for b in session.bookings if b.status is BookingStatus.BOOKED}
    unknown = sorted(set(outcomes) - still_open)
    if unknown:
        raise ApiError(
            422, f"Booking {unknown[0]} is not one to mark at this session", field="attendance"
        )
    try:
        closed = courses.take_register(session, outcomes, current_user)
    except courses.CourseRefusal as refusal:
        db.session.rollback()
        raise ApiError(422, str(refusal), code="register_refused", field="attendance") from refusal
    audit.record(
        "register_taken", record_type="session", record_id=session.id, people=len(outcomes)
    )
    db.session.commit()
    return {
        "session_id": session.id,
        "recorded": len(outcomes),
        "closed": [
            {"referral_id": referral_id, "status": status.value}
            for referral_id, status in closed.items()
            if status is not None
        ],
    }
