"""Referrals through the API: officers create (idempotently), read, list their own, withdraw,
and book an open initial slot."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from divert import audit
from divert.api import schemas
from divert.api.blueprint import bp
from divert.api.lookups import by_codes
from divert.api.problems import ApiError
from divert.api.routing import Reply, body_hash, json_body, page_of
from divert.clock import LOCAL
from divert.extensions import db
from divert.matching.normalise import PersonRecord
from divert.models import (
    AgeGroup,
    DiarySession,
    IdempotencyKey,
    Programme,
    Referral,
    ReferralStatus,
    Substance,
    utcnow,
)
from divert.permissions import Permission
from divert.programmes import rules as programme_rules
from divert.referrals import lifecycle, queries, repeats, submission
from divert.referrals.slots import describe, open_slots
from divert.tenancy import current_area, system_scope

# How far ahead a slot may be booked through the API (the web form offers the next 14 days).
BOOKING_HORIZON = timedelta(days=366)


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


def _programme(code: str | None) -> Programme | None:
    """The area's programme with this code (422 when it has none)."""
    if code is None:
        return None
    programme = next(
        (p for p in programme_rules.area_programmes(current_area) if p.code == code), None
    )
    if programme is None:
        raise ApiError(422, f"No programme has the code {code} here", field="programme")
    return programme


def own_referral(referral_id: int) -> Referral:
    referral = db.session.scalar(
        select(Referral)
        .options(selectinload(Referral.substances_found), selectinload(Referral.person))
        .where(Referral.id == referral_id, queries.submitted_by(current_user))
    )
    if referral is None:
        raise ApiError(404, "No referral of yours has that id in this area")
    return referral


def _open_slot(session_id: int) -> DiarySession:
    now = utcnow()
    found = open_slots(current_area, now, now + BOOKING_HORIZON, session_id=session_id)
    if not found:
        raise ApiError(
            409, "That slot is not open for booking", code="slot_unavailable", field="session_id"
        )
    return found[0]


def _replay(earlier: IdempotencyKey, request_hash: str) -> Reply:
    if earlier.request_hash != request_hash:
        raise ApiError(
            422,
            "This Idempotency-Key was already used for a different referral",
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    return Reply(referral_out(db.session.get(Referral, earlier.referral_id)), 201, _replayed())


def _replayed() -> dict[str, str]:
    return {"Idempotent-Replayed": "true"}


# A client retries within minutes; a month covers any outage a records system could ride out.
KEEP_KEYS = timedelta(days=30)


def forget_old_keys(now: datetime) -> int:
    """Delete idempotency keys older than KEEP_KEYS (every area's); returns how many went."""
    with system_scope():
        forgotten = db.session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEEP_KEYS)
        )
        db.session.commit()
    return forgotten.rowcount


def _earlier_key(key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == current_user.id, IdempotencyKey.key == key
        )
    )


@bp.operation(
    "/areas/<area_slug>/referrals",
    method="POST",
    permission=Permission.SUBMIT_REFERRAL,
    body=schemas.NewReferral,
    headers=schemas.IdempotencyHeader,
    response=schemas.Referral,
    status=201,
    errors=(409,),
    tag="referrals",
)
def create_referral(body: dict[str, Any], headers: dict[str, Any]) -> Reply:
    """Make a referral
    Send an Idempotency-Key: a retry with the same key and body returns the referral made the
    first time (with `Idempotent-Replayed: true`); the same key with another body is refused.
    """
    key, request_hash = headers["idempotency_key"], body_hash(json_body())
    earlier = _earlier_key(key)
    if earlier is not None:
        return _replay(earlier, request_hash)
    record = PersonRecord.from_typed(
        body["forename"],
        body["surname"],
        date_of_birth=body["date_of_birth"],
        postcode_district=body["postcode_district"],
        phone=body["phone"],
        email=body["email"],
    )
    found = repeats.check(current_area, record, body["offence_date"])
    refusal = submission.repeat_refusal(current_area, found)
    if refusal is not None:
        raise ApiError(422, refusal, code="repeat_refused", field="forename")
    if found.earlier and not body["confirm_repeat"]:
        raise ApiError(
            409, submission.REPEAT_UNCONFIRMED, code="repeat_unconfirmed", field="confirm_repeat"
        )
    slot = _open_slot(body["session_id"]) if body["session_id"] else None
    age = submission.age_group(body["date_of_birth"], body["offence_date"])
    under_18 = age is AgeGroup.UNDER_18
    try:
        referral = submission.submit(
            area=current_area,
            officer=current_user,
            found=found,
            slot=slot,
            forename=body["forename"].strip(),
            surname=body["surname"].strip(),
            date_of_birth=body["date_of_birth"],
            offence_date=body["offence_date"],
            crime_reference=body["crime_reference"].strip(),
            phone=body["phone"] or None,
            email=body["email"] or None,
            substances_found=by_codes(Substance, body["substances_found"], "substances_found"),
            consent_to_contact=True,
            gender=body["gender"],
            ethnicity=body["ethnicity"],
            postcode_district=(body["postcode_district"] or "").strip().upper() or None,
            notes=body["notes"],
            guardian_name=body["guardian_name"] if under_18 else None,
            guardian_contact=body["guardian_contact"] if under_18 else None,
            disposal=body["disposal"],
            disposal_on=body["disposal_on"],
            deadline_on=body["deadline_on"],
            programme=_programme(body["programme"]),
        )
        db.session.add(
            IdempotencyKey(
                user_id=current_user.id,
                key=key,
                request_hash=request_hash,
                referral_id=referral.id,
            )
        )
        audit.record(
            "referral_submitted",
            record_type="referral",
            record_id=referral.id,
            reference=referral.reference,
            booked=slot is not None,
        )
        db.session.commit()
    except (lifecycle.SlotFullError, lifecycle.TransitionError) as full:
        db.session.rollback()
        raise ApiError(409, str(full), code="slot_unavailable", field="session_id") from full
    except programme_rules.ProgrammeRefusal as refusal:
        db.session.rollback()
        raise ApiError(422, str(refusal), code="no_programme", field=refusal.field) from refusal
    except IntegrityError:
        db.session.rollback()  # the same key, sent twice at once: answer with the first
        earlier = _earlier_key(key)
        if earlier is None:
            raise
        return _replay(earlier, request_hash)
    location = url_for("api.get_referral", referral_id=referral.id)
    return Reply(referral_out(referral), 201, {"Location": location})


@bp.operation(
    "/areas/<area_slug>/referrals",
    permission=Permission.VIEW_OWN_REFERRALS,
    query=schemas.PageQuery,
    response=schemas.ReferralPage,
    tag="referrals",
)
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


@bp.operation(
    "/areas/<area_slug>/referrals/<id:referral_id>",
    permission=Permission.VIEW_OWN_REFERRALS,
    response=schemas.Referral,
    records={"referral_id": own_referral},
    tag="referrals",
)
def get_referral(referral: Referral) -> dict[str, Any]:
    """One of your referrals"""
    audit.record("person_viewed", record_type="referral", record_id=referral.id)
    db.session.commit()
    return referral_out(referral)


@bp.operation(
    "/areas/<area_slug>/referrals/<id:referral_id>/withdraw",
    method="POST",
    permission=Permission.VIEW_OWN_REFERRALS,
    response=schemas.Referral,
    errors=(409,),
    records={"referral_id": own_referral},
    tag="referrals",
)
def withdraw_referral(referral: Referral) -> dict[str, Any]:
    """Withdraw one of your referrals as entered in error
    A withdrawn referral is never counted in any figure.
    """
    try:
        lifecycle.change_status(
            referral,
            ReferralStatus.VOIDED,
            current_user,
            note="Withdrawn by the officer: entered in error",
        )
    except lifecycle.TransitionError as refusal:
        raise ApiError(409, str(refusal), code="transition_refused") from refusal
    audit.record("referral_withdrawn", record_type="referral", record_id=referral.id)
    db.session.commit()
    return referral_out(referral)


@bp.operation(
    "/areas/<area_slug>/referrals/<id:referral_id>/booking",
    method="POST",
    permission=Permission.SUBMIT_REFERRAL,
    body=schemas.BookingRequest,
    response=schemas.Referral,
    errors=(409,),
    records={"referral_id": own_referral},
    tag="slots",
)
def book_slot(referral: Referral, body: dict[str, Any]) -> dict[str, Any]:
    """Book an open initial slot for one of your referrals
    A booking the referral already had is marked rescheduled and its place freed.
    """
    slot = _open_slot(body["session_id"])
    try:
        lifecycle.book(referral, slot, current_user)
    except lifecycle.SlotFullError as full:
        raise ApiError(409, str(full), code="slot_unavailable", field="session_id") from full
    except lifecycle.TransitionError as refusal:
        raise ApiError(409, str(refusal), code="transition_refused") from refusal
    audit.record("booking_made", record_type="referral", record_id=referral.id)
    db.session.commit()
    return referral_out(referral)


@bp.operation(
    "/areas/<area_slug>/slots",
    permission=Permission.SUBMIT_REFERRAL,
    query=schemas.SlotQuery,
    response=schemas.SlotPage,
    tag="slots",
)
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
