"""CARS through the API: a custody records system creates custody contacts and their
assessments, each with an Idempotency-Key as referrals are made, and reads a contact back."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from divert.api import custody_schemas as schemas
from divert.api import idempotency
from divert.api.blueprint import bp, operation
from divert.api.idempotency import Answer
from divert.api.lookups import by_code, by_codes
from divert.api.problems import ApiError
from divert.api.schemas import IdempotencyHeader
from divert.custody import use_cases
from divert.extensions import db
from divert.models import (
    CustodyLocation,
    DrugInterventionsRecord,
    InitialContact,
    Substance,
    TreatmentService,
)
from divert.permissions import Permission
from divert.tenancy import current_area


def contact_out(contact: InitialContact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "seen_at": contact.seen_at,
        "location": contact.location.code,
        "test_result": contact.test_result.value,
        "contact_kind": contact.contact_kind,
        "voluntary_assessment_agreed": contact.voluntary_assessment_agreed,
        "required_assessment": contact.required_assessment is not None,
        "person": contact.person,
        "closed_on": contact.closed_on,
        "links": {"self_": url_for("api.get_custody_contact", contact_id=contact.id)},
    }


def assessment_out(record: DrugInterventionsRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "contact_id": record.contact_id,
        "kind": record.kind.value,
        "assessed_on": record.assessed_on,
        "substances": record.substances,
        "route": record.route.value if record.route else None,
        "alcohol_use": record.alcohol_use.value,
        "outcome": record.outcome.value,
        "treatment_service": record.treatment_service.code if record.treatment_service else None,
        "treatment_entry_on": record.treatment_entry_on,
    }


def custody_contact(contact_id: int) -> InitialContact:
    contact = db.session.get(InitialContact, contact_id)  # another area's is not found
    if contact is None:
        raise ApiError(404, "No custody contact has that id in this area")
    return contact


def _location_id(code: str) -> int:
    found = db.session.scalar(
        select(CustodyLocation.id).where(CustodyLocation.code == code, CustodyLocation.active)
    )
    if found is None:
        raise ApiError(
            422, f"Unknown code for this area: {code}", code="unknown_code", field="location"
        )
    return found


@bp.route("/areas/<area_slug>/custody-contacts", methods=["POST"], tags=["CARS"])
@operation(Permission.RECORD_CUSTODY_CONTACTS, errors=(409,), body=True)
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(schemas.NewCustodyContact)
@bp.response(201, schemas.CustodyContact)
def create_custody_contact(headers: dict[str, Any], body: dict[str, Any]) -> Answer:
    """Record a custody contact

    Someone seen in custody or at court, in your caseload. A positive Drug Testing on Arrest
    result requires an assessment. Send an Idempotency-Key, as for referrals.
    """
    return idempotency.made_once(
        headers["idempotency_key"],
        "custody contact",
        "contact_id",
        lambda: use_cases.record_contact(
            current_area,
            current_user,
            use_cases.ContactDetails(
                forename=body["forename"],
                surname=body["surname"],
                date_of_birth=body["date_of_birth"],
                location_id=_location_id(body["location"]),
                seen_at=body["seen_at"],
                test_result=body["test_result"],
                voluntary_assessment_agreed=body["voluntary_assessment_agreed"],
                phone=body["phone"],
                postcode_district=body["postcode_district"],
                notes=body["notes"],
            ),
        ),
        contact_out,
        lambda contact_id: custody_contact(contact_id or 0),
        lambda made: {"Location": url_for("api.get_custody_contact", contact_id=made.id)},
    )


@bp.route("/areas/<area_slug>/custody-contacts/<id:contact_id>", tags=["CARS"])
@operation(Permission.RECORD_CUSTODY_CONTACTS, records={"contact_id": custody_contact})
@bp.response(200, schemas.CustodyContact)
def get_custody_contact(contact: InitialContact) -> dict[str, Any]:
    """A custody contact of the area"""
    return contact_out(contact)


@bp.route(
    "/areas/<area_slug>/custody-contacts/<id:contact_id>/assessments",
    methods=["POST"],
    tags=["CARS"],
)
@operation(
    Permission.RECORD_CUSTODY_CONTACTS,
    errors=(409,),
    body=True,
    records={"contact_id": custody_contact},
)
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(schemas.NewCustodyAssessment)
@bp.response(201, schemas.CustodyAssessment)
def create_custody_assessment(
    headers: dict[str, Any], body: dict[str, Any], contact: InitialContact
) -> Answer:
    """Record an assessment of a custody contact

    The Drug Interventions Record: substances and route, alcohol use, treatment and needs, risk
    flags and the outcome (referred into treatment names the service). A required assessment
    recorded completes the contact's required assessment. Send an Idempotency-Key.
    """
    return idempotency.made_once(
        headers["idempotency_key"],
        "assessment",
        "assessment_id",
        lambda: use_cases.record_assessment(
            contact,
            current_user,
            use_cases.AssessmentDetails(
                kind=body["kind"],
                assessed_on=body["assessed_on"],
                alcohol_use=body["alcohol_use"],
                outcome=body["outcome"],
                substances=by_codes(Substance, body["substances"], "substances"),
                route=body["route"],
                in_treatment=body["in_treatment"],
                needs_housing=body["needs_housing"],
                needs_mental_health=body["needs_mental_health"],
                risk_flags=body["risk_flags"],
                treatment_service=by_code(
                    TreatmentService, body["treatment_service"], "treatment_service"
                ),
                notes=body["notes"],
            ),
        ),
        assessment_out,
        lambda record_id: _record(record_id or 0),
    )


def _record(record_id: int) -> DrugInterventionsRecord:
    record = db.session.get(DrugInterventionsRecord, record_id)
    if record is None:  # the key was another kind of record's
        raise ApiError(
            422,
            "This Idempotency-Key was already used for a different assessment",
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    return record


def custody_assessment(record_id: int) -> DrugInterventionsRecord:
    record = db.session.get(DrugInterventionsRecord, record_id)  # another area's is not found
    if record is None:
        raise ApiError(404, "No custody assessment has that id in this area")
    return record


@bp.route(
    "/areas/<area_slug>/custody-assessments/<id:record_id>/treatment-entry",
    methods=["POST"],
    tags=["CARS"],
)
@operation(
    Permission.CONFIRM_TREATMENT,
    errors=(409,),
    body=True,
    records={"record_id": custody_assessment},
)
@bp.arguments(schemas.CustodyTreatmentEntry)
@bp.response(200, schemas.CustodyAssessment)
def confirm_custody_treatment_entry(
    body: dict[str, Any], record: DrugInterventionsRecord
) -> dict[str, Any]:
    """Confirm that someone the arrest referral service referred entered treatment

    For the treatment service the assessment referred them to: they are then counted as
    engaged with treatment.
    """
    use_cases.confirm_treatment_entry(record, current_user, entered_on=body["entered_on"])
    db.session.commit()
    return assessment_out(record)
