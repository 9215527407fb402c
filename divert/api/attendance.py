"""Educators record what happened at a booked session."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import select

from divert.api import schemas
from divert.api.blueprint import bp, operation
from divert.api.lookups import by_code, by_codes
from divert.api.problems import ApiError
from divert.extensions import db
from divert.models import Booking, Intervention, Substance, TreatmentService
from divert.permissions import Permission
from divert.sessions import use_cases


def _booking(booking_id: int) -> Booking:
    booking = db.session.scalar(select(Booking).where(Booking.id == booking_id))
    if booking is None:
        raise ApiError(404, "No booking has that id in this area")
    return booking


@bp.route(
    "/areas/<area_slug>/bookings/<id:booking_id>/attendance", methods=["POST"], tags=["attendance"]
)
@operation(Permission.RECORD_ATTENDANCE, errors=(409,), body=True, records={"booking_id": _booking})
@bp.arguments(schemas.Attendance)
@bp.response(200, schemas.AttendanceRecorded)
def record_attendance(body: dict[str, Any], booking: Booking) -> dict[str, Any]:
    """Record the outcome of a booking

    An attended initial one-to-one needs the main substance the person reported. Codes are
    the area's reference codes (substances, interventions, treatment services).
    """
    attendance = use_cases.Attendance(
        outcome=body["outcome"],
        main_substance=by_code(Substance, body["main_substance"], "main_substance"),
        other_substances=by_codes(Substance, body["other_substances"], "other_substances"),
        interventions=by_codes(Intervention, body["interventions"], "interventions"),
        onward_service=by_code(TreatmentService, body["onward_service"], "onward_service"),
        notes=body["notes"],
        cancelled_by=body["cancelled_by"],
    )
    use_cases.record_attendance(booking, current_user, attendance)
    db.session.commit()
    return {"booking": booking, "referral_status": booking.referral.status.value}
