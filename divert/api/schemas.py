"""marshmallow schemas of every API request and response; the OpenAPI document is made from
these. Requests refuse unknown fields (marshmallow's RAISE)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_dump,
    validate,
    validates_schema,
)
from wtforms.validators import ValidationError as FormValidationError

from divert.formfields import normalised_email, uk_phone_number
from divert.models import Booking as BookingRecord
from divert.models import BookingStatus, Disposal, ReferralStatus
from divert.referrals import submission
from divert.referrals.forms import ETHNICITIES, GENDERS
from divert.text import NUL, is_blank
from divert.urls import MAX_ID

# Dates outside these years are typing mistakes, and keep date arithmetic far from its limits.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
MAX_SLOT_RANGE = timedelta(days=62)
MAX_FIGURES_RANGE = timedelta(days=5 * 366)
MAX_PER_PAGE = 100


def date_field(**options: Any) -> fields.Date:
    return fields.Date(
        validate=validate.Range(EARLIEST, LATEST, error="Enter a date between 1900 and 2199"),
        **options,
    )


def _visible(value: str) -> None:
    """Some visible character and no NUL (divert.text says what blank means)."""
    if NUL in value or is_blank(value):
        raise ValidationError("Enter a value, without NUL")


def text_field(max_length: int, *, required: bool = False, **options: Any) -> fields.String:
    """Free text. Never a NUL character (PostgreSQL cannot store one); when required, not blank."""
    if required:
        return fields.String(
            required=True, validate=[validate.Length(1, max_length), _visible], **options
        )
    pattern = validate.Regexp(r"^[^\x00]*$", error="Must not contain a NUL character")
    return fields.String(
        allow_none=True,
        load_default=None,
        validate=[validate.Length(max=max_length), pattern],
        **options,
    )


def _code(**options: Any) -> fields.String:
    """A reference item's code, e.g. cannabis or naloxone_kit."""
    return fields.String(
        validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,40}$", error="Not a known kind of code"),
        **options,
    )


def _codes(**options: Any) -> fields.List:
    return fields.List(_code(), **options)


class Request(Schema):
    class Meta:
        unknown = RAISE


# -- shared ---------------------------------------------------------------------------------


class FieldError(Schema):
    field = fields.String(required=True)
    message = fields.String(required=True)


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True)
    field = fields.String(metadata={"description": "The one field at fault, where there is one"})
    fields_ = fields.List(
        fields.Nested(FieldError),
        data_key="fields",
        metadata={"description": "Every field at fault"},
    )


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class PageQuery(Request):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(1, MAX_PER_PAGE))


class PageLinks(Schema):
    self_ = fields.String(data_key="self", required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)
    prev = fields.String(required=True, allow_none=True)


class Page(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    links = fields.Nested(PageLinks, required=True)


# -- slots and bookings ---------------------------------------------------------------------------


class Slot(Schema):
    id = fields.Integer(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    remote = fields.Boolean(required=True)
    venue = fields.String(required=True, allow_none=True)
    places_left = fields.Integer(required=True)
    description = fields.String(required=True)


class SlotPage(Page):
    items = fields.List(fields.Nested(Slot), required=True)


class SlotQuery(PageQuery):
    from_ = date_field(data_key="from", metadata={"description": "First day (default: today)"})
    to = date_field(metadata={"description": "Last day (default: 14 days on); at most 62 days"})

    @validates_schema
    def _range(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("from_"), data.get("to")
        if start and end and end < start:
            raise ValidationError("Must be the same as or after from", "to")
        if start and end and end - start > MAX_SLOT_RANGE:
            raise ValidationError("Ask for at most 62 days at a time", "to")


class Booking(Schema):
    id = fields.Integer(required=True)
    session_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in BookingStatus]))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    remote = fields.Boolean(required=True)
    venue = fields.String(required=True, allow_none=True)

    @pre_dump
    def _from_record(self, booking: BookingRecord, **_: Any) -> dict[str, Any]:
        session = booking.session
        return {
            "id": booking.id,
            "session_id": session.id,
            "status": booking.status.value,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "remote": session.remote,
            "venue": session.venue.label if session.venue else None,
        }


class BookingRequest(Request):
    session_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))


# -- referrals ---------------------------------------------------------------------------------


class Person(Schema):
    forename = fields.String(required=True, allow_none=True)
    surname = fields.String(required=True, allow_none=True)
    date_of_birth = fields.Date(required=True, allow_none=True)


class ReferralLinks(Schema):
    self_ = fields.String(data_key="self", required=True)


class Referral(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True, metadata={"example": "WAR-2024-00032"})
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in ReferralStatus])
    )
    status_label = fields.String(required=True)
    received_on = fields.Date(required=True)
    offence_date = fields.Date(required=True)
    crime_reference = fields.String(required=True)
    person = fields.Nested(Person, required=True)
    substances_found = fields.List(fields.String(), required=True)
    is_repeat = fields.Boolean(required=True)
    booking = fields.Nested(Booking, required=True, allow_none=True)
    programme = fields.String(required=True, metadata={"example": "divert-adults"})
    programme_name = fields.String(required=True, metadata={"example": "DIVERT adults"})
    disposal = fields.String(required=True, validate=validate.OneOf([d.value for d in Disposal]))
    disposal_on = fields.Date(required=True, allow_none=True)
    deadline_on = fields.Date(required=True, allow_none=True)
    links = fields.Nested(ReferralLinks, required=True)


class ReferralPage(Page):
    items = fields.List(fields.Nested(Referral), required=True)


GENDER_CODES = [code for code, _ in GENDERS if code]
ETHNICITY_CODES = [code for code, _ in ETHNICITIES if code]


class NewReferral(Request):
    forename = text_field(100, required=True, metadata={"example": "Jordan"})
    surname = text_field(100, required=True, metadata={"example": "Ellis"})
    date_of_birth = date_field(required=True, metadata={"example": "1999-08-21"})
    offence_date = date_field(required=True, metadata={"example": "2026-01-10"})
    crime_reference = text_field(40, required=True, metadata={"example": "CR/123/26"})
    phone = text_field(
        32,
        metadata={
            "description": "A UK number; a phone or an email is needed",
            "example": "07911 123456",
        },
    )
    email = text_field(254, metadata={"example": "jordan.ellis@example.org"})
    substances_found = _codes(
        load_default=list,
        validate=validate.Length(0, 20),
        metadata={
            "description": "Substance codes of the area; needed for a pre-arrest diversion",
            "example": ["cannabis"],
        },
    )
    consent_to_contact = fields.Boolean(
        required=True, validate=validate.Equal(True, error="The person must agree to be contacted")
    )
    gender = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(GENDER_CODES)
    )
    ethnicity = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(ETHNICITY_CODES)
    )
    postcode_district = text_field(8)
    notes = text_field(2000)
    guardian_name = text_field(120, metadata={"description": "Needed when they are under 18"})
    guardian_contact = text_field(254, metadata={"description": "Needed when they are under 18"})
    confirm_repeat = fields.Boolean(
        load_default=False,
        metadata={"description": "True once the officer has checked an earlier referral"},
    )
    same_person_elsewhere = fields.Boolean(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "When another area may have referred them before (a 409 says so): "
            "true if it is the same person (a repeat), false if not"
        },
    )
    session_id = fields.Integer(
        allow_none=True,
        load_default=None,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "An open slot to book at once"},
    )
    disposal = fields.String(
        load_default=Disposal.PRE_ARREST_DIVERSION.value,
        validate=validate.OneOf([d.value for d in Disposal]),
        metadata={"description": "What the referral goes with; decides the programme with age"},
    )
    disposal_on = date_field(
        allow_none=True,
        load_default=None,
        metadata={"description": "The disposal's date; needed but for diversion"},
    )
    deadline_on = date_field(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Complete by; default: the programme's deadline after disposal_on"
        },
    )
    programme = _code(
        allow_none=True,
        load_default=None,
        metadata={"description": "A programme's code: needed only when several fit"},
    )

    @validates_schema
    def _rules(self, data: dict[str, Any], **_: Any) -> None:
        """The referral form's rules (divert.referrals.submission), with the same messages."""
        problems: dict[str, str] = {}
        for name, check in (("phone", uk_phone_number), ("email", normalised_email)):
            if (data.get(name) or "").strip():
                try:
                    data[name] = check(data[name].strip())
                except FormValidationError as error:
                    problems[name] = str(error)
        problems.update(
            submission.problems(
                date_of_birth=data.get("date_of_birth"),
                offence_date=data.get("offence_date"),
                phone=data.get("phone"),
                email=data.get("email"),
                guardian_name=data.get("guardian_name"),
                guardian_contact=data.get("guardian_contact"),
                today=date.today(),
            )
        )
        problems.update(_disposal_problems(data, date.today()))
        if problems:
            raise ValidationError({name: [message] for name, message in problems.items()})


def _disposal_problems(data: dict[str, Any], today: date) -> dict[str, str]:
    """A diversion needs what was found; any other disposal needs its date, before a deadline."""
    if data.get("disposal", Disposal.PRE_ARREST_DIVERSION.value) == Disposal.PRE_ARREST_DIVERSION:
        return {} if data.get("substances_found") else {"substances_found": "Select what was found"}
    given, due = data.get("disposal_on"), data.get("deadline_on")
    if given is None:
        return {"disposal_on": "Enter the date of the disposal"}
    if given > today:
        return {"disposal_on": "Date of the disposal must be today or in the past"}
    if due is not None and due <= given:
        return {"deadline_on": "The deadline must be after the date of the disposal"}
    return {}


class IdempotencyHeader(Schema):
    class Meta:
        unknown = EXCLUDE  # every other header of the request

    idempotency_key = fields.String(
        required=True,
        data_key="Idempotency-Key",
        validate=[validate.Length(1, 255), validate.Regexp(r"^[\x21-\x7e]+$")],
        metadata={
            "description": "Your unique key for this referral: a retry with the same key and "
            "body returns the referral made the first time",
            "example": "records-system-7f3a9c",
        },
    )


# -- attendance ----------------------------------------------------------------------------------


class Attendance(Request):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(["attended", "did_not_attend", "cancelled", "rescheduled"]),
        metadata={"example": "attended"},
    )
    main_substance = _code(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Substance code; needed when an initial session was attended",
            "example": "cannabis",
        },
    )
    other_substances = _codes(load_default=list, validate=validate.Length(max=20))
    interventions = _codes(load_default=list, validate=validate.Length(max=20))
    onward_service = _code(allow_none=True, load_default=None)
    notes = text_field(2000)
    cancelled_by = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(["person", "service"])
    )


class AttendanceRecorded(Schema):
    booking = fields.Nested(Booking, required=True)
    referral_status = fields.String(required=True)


# -- figures -------------------------------------------------------------------------------------


class PeriodQuery(Request):
    from_ = date_field(data_key="from", metadata={"description": "Default: this financial year"})
    to = date_field(metadata={"description": "Default: the end of this financial year"})
    programme = _code(
        allow_none=True,
        load_default=None,
        metadata={"description": "One programme's code; default: every programme"},
    )
    publication = fields.Boolean(
        load_default=False,
        metadata={"description": "Hide counts under the area's threshold and what reveals them"},
    )

    @validates_schema
    def _range(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("from_"), data.get("to")
        if (start is None) != (end is None):
            raise ValidationError("Give both from and to, or neither", "to" if start else "from")
        if start and end and end < start:
            raise ValidationError("Must be the same as or after from", "to")
        if start and end and end - start > MAX_FIGURES_RANGE:
            raise ValidationError("Ask for at most five years at a time", "to")


class Period(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    label = fields.String(required=True)


def hideable(kind: type[fields.Field] = fields.Integer, **options: Any) -> fields.Field:
    """A figure that is null where the small-number rule hides it."""
    return kind(required=True, allow_none=True, **options)


def _breakdown() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=hideable(), required=True)


class MonthCount(Schema):
    month = fields.String(required=True, metadata={"example": "2024-03"})
    referrals = hideable()


class Counts(Schema):
    referrals = hideable()
    attended = hideable()
    not_engaged = hideable()
    decided = hideable()
    engagement_rate = hideable(fields.Float)
    repeats = hideable()
    repeat_share = hideable(fields.Float)
    completed = hideable()
    not_completed = hideable()
    completion_rate = hideable(fields.Float)
    referred_on = hideable()
    ineligible = hideable()
    withdrawn = hideable()
    in_progress = hideable()
    under_18 = hideable()
    adult = hideable()
    naloxone_kits = hideable()
    substances = _breakdown()
    genders = _breakdown()
    ethnicities = _breakdown()
    onward_referrals = _breakdown()
    per_month = fields.List(fields.Nested(MonthCount), required=True)


class Places(Schema):
    contract = fields.String(required=True)
    programme = fields.String(required=True, metadata={"description": "The programme's code"})
    contract_starts_on = fields.Date(required=True)
    contract_ends_on = fields.Date(required=True)
    as_of = fields.Date(required=True)
    pricing = fields.String(required=True, metadata={"enum": ["per_place", "fixed"]})
    allocated = hideable()
    used = hideable()
    utilisation = hideable(fields.Float)
    unit_price_pence = hideable()
    spend_to_date_pence = hideable()
    projected_use = hideable()
    example = fields.Boolean(required=True, metadata={"description": "Not published values"})


class FigureValue(Schema):
    column = fields.String(
        required=True, metadata={"description": "An area's or the region's slug"}
    )
    value = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The number shown, as text: rates as fractions, money in pence"},
    )
    share = hideable(fields.Float)
    text = fields.String(required=True, metadata={"description": "As the pages show it"})
    suppressed = fields.Boolean(required=True)
    example = fields.Boolean(required=True)


class FigureRow(Schema):
    section = fields.String(required=True)
    figure = fields.String(required=True)
    key = fields.String(required=True)
    values = fields.List(fields.Nested(FigureValue), required=True)


def area_figures_schema(counts: type[Schema], name: str, **more: fields.Field) -> type[Schema]:
    """The schema (`name` in the OpenAPI document) of an area's figures beside its region's:
    its `counts` and the region's pooled, `more` fields, and the figure rows."""
    return Schema.from_dict(
        {
            "area": fields.String(required=True),
            "period": fields.Nested(Period, required=True),
            "publication": fields.Boolean(required=True),
            "counts": fields.Nested(counts, required=True),
            "region": fields.Nested(
                counts, required=True, metadata={"description": "The region pooled"}
            ),
            **more,
            "figures": fields.List(fields.Nested(FigureRow), required=True),
        },
        name=name,
    )


def region_figures_schema(counts: type[Schema], kind: str = "") -> type[Schema]:
    """The schema of a region's figures: each area's `counts` and the region's, and the figure
    rows; named Region{kind}Figures, and an area's Area{kind}Counts, in the OpenAPI document."""
    area_counts = Schema.from_dict(
        {
            "area": fields.String(required=True),
            "name": fields.String(required=True),
            "counts": fields.Nested(counts, required=True),
        },
        name=f"Area{kind}Counts",
    )
    return Schema.from_dict(
        {
            "region": fields.String(required=True),
            "period": fields.Nested(Period, required=True),
            "publication": fields.Boolean(required=True),
            "areas": fields.List(fields.Nested(area_counts), required=True),
            "total": fields.Nested(counts, required=True),
            "figures": fields.List(fields.Nested(FigureRow), required=True),
        },
        name=f"Region{kind}Figures",
    )


AreaFigures = area_figures_schema(
    Counts,
    "AreaFigures",
    places=fields.Nested(
        Places,
        required=True,
        allow_none=True,
        metadata={
            "description": "The contract covering the period's last day (or today); null if "
            "none, or if several programmes' contracts do (see contracts)"
        },
    ),
    contracts=fields.List(
        fields.Nested(Places),
        required=True,
        metadata={"description": "Every contract overlapping the period, of the programme shown"},
    ),
)
RegionFigures = region_figures_schema(Counts)
