"""Schemas of the CARS operations: custody contacts and their assessments, as a custody records
system sends them (values as in divert/custody/words.py)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from divert.api.schemas import Person, Request, _code, _codes, date_field, text_field
from divert.custody import words


def _one_of(labels: dict) -> validate.OneOf:
    return validate.OneOf([str(value) for value in labels])


def _described(labels: dict) -> str:
    return "; ".join(f"{value}: {label}" for value, label in labels.items())


class CustodyLinks(Schema):
    self_ = fields.String(data_key="self", required=True)


class NewCustodyContact(Request):
    forename = text_field(100, required=True, metadata={"example": "Jordan"})
    surname = text_field(100, required=True, metadata={"example": "Ellis"})
    date_of_birth = date_field(required=True, metadata={"example": "1990-03-14"})
    location = _code(
        required=True,
        metadata={
            "description": "The custody suite's or court's code in the area's list",
            "example": "leamington",
        },
    )
    seen_at = fields.AwareDateTime(
        required=True,
        metadata={"description": "When the person was seen", "example": "2026-11-20T14:30:00Z"},
    )
    test_result = fields.String(
        required=True,
        validate=_one_of(words.TEST_RESULTS),
        metadata={"description": _described(words.TEST_RESULTS)},
    )
    voluntary_assessment_agreed = fields.Boolean(load_default=False)
    phone = text_field(32)
    postcode_district = text_field(8)
    notes = text_field(2000)


class CustodyContact(Schema):
    id = fields.Integer(required=True)
    seen_at = fields.AwareDateTime(required=True)
    location = fields.String(required=True, metadata={"example": "leamington"})
    test_result = fields.String(required=True)
    contact_kind = fields.String(
        required=True, metadata={"description": _described(words.CONTACT_KINDS)}
    )
    voluntary_assessment_agreed = fields.Boolean(required=True)
    required_assessment = fields.Boolean(
        required=True, metadata={"description": "A positive test requires an assessment"}
    )
    person = fields.Nested(Person, required=True)
    closed_on = fields.Date(required=True, allow_none=True)
    links = fields.Nested(CustodyLinks, required=True)


class NewCustodyAssessment(Request):
    kind = fields.String(
        required=True,
        validate=_one_of(words.ASSESSMENT_KINDS),
        metadata={"description": _described(words.ASSESSMENT_KINDS)},
    )
    assessed_on = date_field(required=True, metadata={"example": "2026-11-21"})
    substances = _codes(
        load_default=list,
        validate=validate.Length(0, 20),
        metadata={"description": "Substance codes of the area", "example": ["cocaine"]},
    )
    route = fields.String(
        allow_none=True,
        load_default=None,
        validate=_one_of(words.ROUTES),
        metadata={"description": "Needed with substances: " + _described(words.ROUTES)},
    )
    alcohol_use = fields.String(
        required=True,
        validate=_one_of(words.ALCOHOL_USE),
        metadata={"description": _described(words.ALCOHOL_USE)},
    )
    in_treatment = fields.Boolean(load_default=False)
    needs_housing = fields.Boolean(load_default=False)
    needs_mental_health = fields.Boolean(load_default=False)
    risk_flags = fields.List(
        fields.String(validate=validate.OneOf(list(words.RISK_FLAGS))),
        load_default=list,
        metadata={"description": _described(words.RISK_FLAGS)},
    )
    outcome = fields.String(
        required=True,
        validate=_one_of(words.ASSESSMENT_RESULTS),
        metadata={"description": _described(words.ASSESSMENT_RESULTS)},
    )
    treatment_service = _code(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The treatment service's code, when referred into treatment",
            "example": "community_drug_service",
        },
    )
    notes = text_field(4000)


class CustodyAssessment(Schema):
    id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    assessed_on = fields.Date(required=True)
    substances = fields.List(fields.String(), required=True)
    route = fields.String(required=True, allow_none=True)
    alcohol_use = fields.String(required=True)
    outcome = fields.String(required=True)
    treatment_service = fields.String(required=True, allow_none=True)
    treatment_entry_on = fields.Date(required=True, allow_none=True)


class CustodyTreatmentEntry(Request):
    entered_on = date_field(
        required=True,
        metadata={"description": "The day they entered treatment", "example": "2026-11-25"},
    )
