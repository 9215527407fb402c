"""Referrals through the API: officers create (idempotently), read, list their own, withdraw,
and book an open initial slot."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import partial
from typing import Any

from flask import url_for
from flask_login import current_user
from marshmallow import RAISE
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from divert import audit
from divert.api import idempotency, schemas
from divert.api.blueprint import bp, operation
from divert.api.idempotency import Answer
from divert.api.lookups import by_codes
from divert.api.paging import page_of
from divert.api.problems import ApiError
from divert.clock import LOCAL
from divert.extensions import db
from divert.models import (
    Referral,
    Substance,
    utcnow,
)
from divert.permissions import Permission
from divert.programmes import rules as programme_rules
from divert.referrals import lifecycle, queries, use_cases
from divert.referrals.slots import describe, open_slots
from divert.tenancy import current_area


def referral_out(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.id,
        "reference": referral.reference,
        "status": referral.status.value,
        "status_label": lifecycle.LABELS[referral.status],
        "received_on": referral.received_on,
        "offence_date": referral.offence_date,
        "crime_reference": referral.crime_reference,
        "person": referral.person,
        "substances_found": [s.code for s in referral.substances_found],
        "is_repeat": referral.is_repeat,
        "booking": lifecycle.active_booking(referral),
        "programme": referral.programme.code,
        "programme_name": referral.programme.name,
        "disposal": referral.disposal,
        "disposal_on": referral.disposal_on,
        "deadline_on": referral.deadline_on,
        "links": {"self_": url_for("api.get_referral", referral_id=referral.id)},
    }


def _programme_id(code: str | None) -> int | None:
    """The id of the area's programme with this code (422 when it has none)."""
    if code is None:
        return None
    programme = next(
        (p for p in programme_rules.referral_programmes(current_area) if p.code == code), None
    )
    if programme is None:
        raise ApiError(422, f"No programme has the code {code} here", field="programme")
    return programme.id


def own_referral(referral_id: int) -> Referral:
    referral = db.session.scalar(
        select(Referral)
        .options(selectinload(Referral.substances_found), selectinload(Referral.person))
        .where(Referral.id == referral_id, queries.submitted_by(current_user))
    )
    if referral is None:
        raise ApiError(404, "No referral of yours has that id in this area")
    return referral


@bp.route("/areas/<area_slug>/referrals", methods=["POST"], tags=["referrals"])
@operation(Permission.SUBMIT_REFERRAL, errors=(409,), body=True)
@bp.arguments(schemas.IdempotencyHeader, location="headers")
@bp.arguments(schemas.NewReferral)
@bp.response(201, schemas.Referral)
def create_referral(headers: dict[str, Any], body: dict[str, Any]) -> Answer:
    """Make a referral

    Send an Idempotency-Key: a retry with the same key and body returns the referral made the
    first time (with `Idempotent-Replayed: true`); the same key with another body is refused.
    """

    def make() -> Referral:
        details = use_cases.ReferralDetails.typed(
            body,
            substances_found=by_codes(Substance, body["substances_found"], "substances_found"),
            programme_id=_programme_id(body["programme"]),
        )
        return use_cases.submit(
            current_area,
            current_user,
            details,
            confirm_repeat=body["confirm_repeat"],
            same_person_elsewhere=body["same_person_elsewhere"],
            session_id=body["session_id"],
        ).referral

    return idempotency.made_once(
        headers["idempotency_key"],
        "referral",
        "referral_id",
        make,
        referral_out,
        lambda referral_id: db.session.get(Referral, referral_id),
        lambda made: {"Location": url_for("api.get_referral", referral_id=made.id)},
    )


@bp.route("/areas/<area_slug>/referrals", tags=["referrals"])
@operation(Permission.VIEW_OWN_REFERRALS)
@bp.arguments(schemas.PageQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.ReferralPage)
def list_referrals(query: dict[str, Any]) -> dict[str, Any]:
    """Your referrals in the area, oldest first (by id)"""
    mine = queries.submitted_by(current_user)
    total = db.session.scalar(select(func.count()).select_from(Referral).where(mine)) or 0
    referrals = db.session.scalars(
        select(Referral)
        .options(selectinload(Referral.substances_found), selectinload(Referral.person))
        .where(mine)
        .order_by(Referral.id)
        .limit(query["per_page"])
        .offset((query["page"] - 1) * query["per_page"])
    ).all()
    return page_of([referral_out(r) for r in referrals], total, query, "api.list_referrals")


@bp.route("/areas/<area_slug>/referrals/<id:referral_id>", tags=["referrals"])
@operation(Permission.VIEW_OWN_REFERRALS, records={"referral_id": own_referral})
@bp.response(200, schemas.Referral)
def get_referral(referral: Referral) -> dict[str, Any]:
    """One of your referrals"""
    return audit.record_with_answer(
        "person_viewed",
        partial(referral_out, referral),
        record_type="referral",
        record_id=referral.id,
    )


@bp.route(
    "/areas/<area_slug>/referrals/<id:referral_id>/withdraw", methods=["POST"], tags=["referrals"]
)
@operation(Permission.VIEW_OWN_REFERRALS, errors=(409,), records={"referral_id": own_referral})
@bp.response(200, schemas.Referral)
def withdraw_referral(referral: Referral) -> dict[str, Any]:
    """Withdraw one of your referrals as entered in error

    A withdrawn referral is never counted in any figure.
    """
    use_cases.withdraw(referral, current_user)
    db.session.commit()
    return referral_out(referral)


@bp.route("/areas/<area_slug>/referrals/<id:referral_id>/booking", methods=["POST"], tags=["slots"])
@operation(
    Permission.SUBMIT_REFERRAL, errors=(409,), body=True, records={"referral_id": own_referral}
)
@bp.arguments(schemas.BookingRequest)
@bp.response(200, schemas.Referral)
def book_slot(body: dict[str, Any], referral: Referral) -> dict[str, Any]:
    """Book an open initial slot for one of your referrals

    A booking the referral already had is marked rescheduled and its place freed.
    """
    use_cases.book(referral, body["session_id"], current_user, open_slots_only=True)
    db.session.commit()
    return referral_out(referral)


@bp.route("/areas/<area_slug>/slots", tags=["slots"])
@operation(Permission.SUBMIT_REFERRAL)
@bp.arguments(schemas.SlotQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.SlotPage)
def list_slots(query: dict[str, Any]) -> dict[str, Any]:
    """Open initial one-to-one slots of the area, soonest first

    Days run from midnight to midnight UK time; only slots still to come are listed.
    """
    first = query.get("from_") or datetime.now(LOCAL).date()
    last = query.get("to") or first + timedelta(days=14)
    start = max(datetime.combine(first, time(0), tzinfo=LOCAL), utcnow())
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=LOCAL)
    slots = open_slots(current_area, start, end - timedelta(microseconds=1))
    at = (query["page"] - 1) * query["per_page"]
    items = [
        {
            "id": slot.id,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "remote": slot.remote,
            "venue": slot.venue.label if slot.venue else None,
            "places_left": slot.capacity - slot.booked_count,
            "description": describe(slot),
        }
        for slot in slots[at : at + query["per_page"]]
    ]
    return page_of(items, len(slots), query, "api.list_slots")
