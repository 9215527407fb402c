"""Schemas of the programme operations: an area's programmes, its courses, enrolling and
taking a register."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from divert.api.schemas import Page, PageQuery, Request
from divert.courses.services import REGISTER_OUTCOMES
from divert.urls import MAX_ID


class Programme(Schema):
    code = fields.String(required=True, metadata={"example": "arv"})
    name = fields.String(required=True, metadata={"example": "Alcohol Related Violence course"})
    min_age = fields.Integer(required=True, allow_none=True)
    max_age = fields.Integer(required=True, allow_none=True)
    disposals = fields.List(fields.String(), required=True)
    pathway = fields.List(fields.String(), required=True)
    completion_rule = fields.String(required=True)
    course_sessions = fields.Integer(required=True, allow_none=True)
    sessions_to_complete = fields.Integer(required=True, allow_none=True)
    deadline_days = fields.Integer(required=True, allow_none=True)


class ProgrammeList(Schema):
    items = fields.List(fields.Nested(Programme), required=True)


class CourseQuery(PageQuery):
    programme = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(1, 40),
        metadata={"description": "Only this programme's courses"},
    )


class CourseBooking(Schema):
    id = fields.Integer(required=True)
    referral_id = fields.Integer(required=True)
    status = fields.String(required=True)


class CourseSession(Schema):
    id = fields.Integer(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    bookings = fields.List(fields.Nested(CourseBooking), required=True)


class Course(Schema):
    id = fields.Integer(required=True)
    programme = fields.String(required=True, attribute="programme.code")
    title = fields.String(required=True)
    capacity = fields.Integer(required=True)
    remote = fields.Boolean(required=True)
    sessions = fields.List(fields.Nested(CourseSession), required=True)


class CoursePage(Page):
    items = fields.List(fields.Nested(Course), required=True)


class EnrolmentRequest(Request):
    referral_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))


class Enrolment(Schema):
    course_id = fields.Integer(required=True)
    referral_id = fields.Integer(required=True)
    referral_status = fields.String(required=True)


class RegisterEntry(Request):
    booking_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))
    outcome = fields.String(
        required=True, validate=validate.OneOf([o.value for o in REGISTER_OUTCOMES])
    )


class RegisterRequest(Request):
    attendance = fields.List(
        fields.Nested(RegisterEntry),
        required=True,
        validate=validate.Length(1, 200),
        metadata={"description": "Every person still to be marked at the session, once each"},
    )


class Closure(Schema):
    referral_id = fields.Integer(required=True)
    status = fields.String(required=True)


class Register(Schema):
    session_id = fields.Integer(required=True)
    recorded = fields.Integer(required=True)
    closed = fields.List(fields.Nested(Closure), required=True)
