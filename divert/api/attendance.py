"""Educators record what happened at a booked session."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import select

from divert import audit
from divert.api import schemas
from divert.api.blueprint import bp
from divert.api.lookups import by_code, by_codes
from divert.api.problems import ApiError
from divert.extensions import db
from divert.models import Booking, BookingStatus, Intervention, Substance, TreatmentService
from divert.permissions import Permission
from divert.referrals import lifecycle


def _booking(booking_id: int) -> Booking:
    booking = db.session.scalar(select(Booking).where(Booking.id == booking_id))
    if booking is None:
        raise ApiError(404, "No booking has that id in this area")
    return booking


@bp.operation(
    "/areas/<area_slug>/bookings/<id:booking_id>/attendance",
    method="POST",
    permission=Permission.RECORD_ATTENDANCE,
    body=schemas.Attendance,
    response=schemas.AttendanceRecorded,
    errors=(409,),
    records={"booking_id": _booking},
    tag="attendance",
)
def record_attendance(booking: Booking, body: dict[str, Any]) -> dict[str, Any]:
    """Record the outcome of a booking
    An attended initial one-to-one needs the main substance the person reported. Codes are
    the area's reference codes (substances, interventions, treatment services).
    """
    interventions = by_codes(Intervention, body["interventions"], "interventions")
    try:
        lifecycle.record_attendance(
            booking,
            BookingStatus(body["outcome"]),
            current_user,
            main_substance=by_code(Substance, body["main_substance"], "main_substance"),
            other_substances=by_codes(Substance, body["other_substances"], "other_substances"),
            interventions=interventions,
            naloxone_kit_supplied=lifecycle.supplies_naloxone(interventions),
            onward_service=by_code(TreatmentService, body["onward_service"], "onward_service"),
            notes=body["notes"],
            cancelled_by=body["cancelled_by"],
        )
    except lifecycle.TransitionError as refusal:
        # A missing substance is a fault in the body; anything else conflicts with the booking.
        status = 422 if refusal.field == "main_substance" else 409
        raise ApiError(
            status, str(refusal), code="attendance_refused", field=refusal.field
        ) from refusal
    audit.record(
        "attendance_recorded", record_type="booking", record_id=booking.id, outcome=body["outcome"]
    )
    db.session.commit()
    return {"booking": booking, "referral_status": booking.referral.status.value}
