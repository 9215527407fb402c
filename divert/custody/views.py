"""CARS pages: the custody worker's caseload, a contact's page and one page per record; and
the page police use to book the service's appointment out of hours.

Each POST calls one use case and commits, or rolls back and shows its refusal next to the
field it names, keeping what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from divert.clock import utcnow
from divert.custody import forms, use_cases, words
from divert.custody.use_cases import AssessmentDetails, ContactDetails
from divert.extensions import db
from divert.formfields import choice_id, options, saves
from divert.models import (
    AppointmentKind,
    BookingStatus,
    CustodyAppointment,
    CustodyLocation,
    DrugInterventionsRecord,
    InitialContact,
    Substance,
    SuitabilityAssessment,
    TreatmentService,
)
from divert.params import query_page
from divert.permissions import Permission, requires
from divert.refusals import Refusal
from divert.tenancy import current_area

bp = Blueprint("custody", __name__)

PER_PAGE = 50
# The caseload's lists: (label, whose contacts).
CASELOAD = {
    "mine": "My open contacts",
    "awaiting": "Booked by police, awaiting a worker",
    "open": "Every open contact",
    "closed": "Closed",
}


def _locations(form: forms.PersonFields) -> None:
    found = db.session.scalars(
        select(CustodyLocation).where(CustodyLocation.active).order_by(CustodyLocation.position)
    )
    form.location.choices = options(
        [("", "Choose where")] + [(str(loc.id), loc.label) for loc in found]
    )


def _contact_details(form: forms.PersonFields, **more: Any) -> ContactDetails:
    return ContactDetails(
        forename=form.forename.data or "",
        surname=form.surname.data or "",
        date_of_birth=form.date_of_birth.data,
        location_id=choice_id(form.location.data),
        test_result=form.test_result.data or "",
        **more,
    )


def _back_to(contact_id: int, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for(".contact", contact_id=contact_id))


OfContact = TypeVar("OfContact", CustodyAppointment, SuitabilityAssessment, DrugInterventionsRecord)


def _of_contact(kind: type[OfContact], record_id: int) -> OfContact:
    """A record about a contact of this area, with the contact and person it is about (another
    area's is 404, by tenancy)."""
    return db.first_or_404(
        select(kind)
        .options(joinedload(kind.contact).joinedload(InitialContact.person))
        .where(kind.id == record_id)
    )


def _one_form_page(
    form: FlaskForm,
    action: Callable[[], object],
    *,
    contact: InitialContact,
    title: str,
    saved: str,
    default: str,
    renamed: dict[str, str] | None = None,
) -> str | Response:
    """A page of one form about a contact: saved, back to the contact with `saved`; else the
    form (with any refusal next to its field)."""
    if saves(form, action, default=default, renamed=renamed):
        return _back_to(contact.id, saved)
    return render_template("custody/simple_form.html", form=form, contact=contact, title=title)


def _contact(contact_id: int) -> InitialContact:
    """A contact of this area (another area's is 404, by tenancy)."""
    return db.first_or_404(
        select(InitialContact)
        .options(
            joinedload(InitialContact.person),
            joinedload(InitialContact.location),
            joinedload(InitialContact.required_assessment),
        )
        .where(InitialContact.id == contact_id)
    )


@bp.route("/<area_slug>/custody")
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def caseload() -> str:
    shown = request.args.get("show", "mine")
    if shown not in CASELOAD:
        shown = "mine"
    query = select(InitialContact).options(
        joinedload(InitialContact.person),
        joinedload(InitialContact.location),
        joinedload(InitialContact.worker),
    )
    if shown == "closed":
        query = query.where(InitialContact.closed_on.is_not(None))
    else:
        query = query.where(InitialContact.closed_on.is_(None))
    if shown == "mine":
        query = query.where(InitialContact.worker_id == current_user.id)
    elif shown == "awaiting":
        query = query.where(InitialContact.worker_id.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query_page()
    contacts = db.session.scalars(
        query.order_by(InitialContact.seen_at.desc(), InitialContact.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "custody/caseload.html",
        contacts=contacts,
        lists=CASELOAD,
        shown=shown,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        words=words,
    )


@bp.route("/<area_slug>/custody/new", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def new_contact() -> str | Response:
    form = forms.ContactForm()
    _locations(form)
    made = saves(
        form,
        lambda: use_cases.record_contact(
            current_area,
            current_user,
            _contact_details(
                form,
                seen_at=forms.local_moment(form.seen_on.data, form.seen_at.time),
                voluntary_assessment_agreed=bool(form.voluntary_assessment_agreed.data),
                phone=form.phone.data or None,
                postcode_district=form.postcode_district.data or None,
                notes=form.notes.data or None,
            ),
        ),
        default="forename",
        renamed={"location_id": "location"},
    )
    if made is not None:
        return _back_to(made.id, "Contact saved.")
    return render_template("custody/new.html", form=form)


@bp.route("/<area_slug>/custody/book", methods=["GET", "POST"])
@requires(Permission.BOOK_CUSTODY_FOLLOW_UP)
def police_booking() -> str | Response:
    """Police book the arrest referral service's appointment while its workers are away."""
    form = forms.PoliceBookingForm()
    _locations(form)
    booked = saves(
        form,
        lambda: use_cases.book_out_of_hours(
            current_area,
            current_user,
            _contact_details(form, seen_at=utcnow()),
            starts_at=forms.local_moment(form.day.data, form.starts.time),
        ),
        default="forename",
        renamed={"location_id": "location", "starts_at": "starts", "seen_at": "day"},
    )
    if booked is not None:
        kind = words.APPOINTMENT_KINDS[booked.kind].lower()
        when = form.day.data.strftime("%-d %B %Y") + " at " + (form.starts.data or "")
        flash(f"The {kind} is booked for {when}. Give them the written notice.", "success")
        return redirect(url_for(".police_booking"))
    return render_template("custody/police_booking.html", form=form)


@bp.route("/<area_slug>/custody/<id:contact_id>")
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def contact(contact_id: int) -> str:
    shown = _contact(contact_id)
    records = db.session.scalars(
        select(DrugInterventionsRecord)
        .options(joinedload(DrugInterventionsRecord.treatment_service))
        .where(DrugInterventionsRecord.contact_id == shown.id)
        .order_by(DrugInterventionsRecord.id)
    ).all()
    return render_template(
        "custody/contact.html",
        contact=shown,
        records=records,
        appointments=shown.appointments,
        suitability=shown.suitability_assessments,
        activities=shown.activities,
        take_form=forms.TakeForm(),
        words=words,
    )


@bp.route("/<area_slug>/custody/<id:contact_id>/take", methods=["POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def take(contact_id: int) -> Response:
    shown = _contact(contact_id)
    form = forms.TakeForm()
    if saves(form, lambda: use_cases.take_contact(shown, current_user), default="submit"):
        return _back_to(contact_id, "The contact is in your caseload.")
    for message in form.submit.errors:
        flash(message, "error")
    return redirect(url_for(".contact", contact_id=contact_id))


def _kind_choices(form: forms.AppointmentForm, shown: InitialContact) -> None:
    required = shown.required_assessment
    kinds = [AppointmentKind.FOLLOW_UP]
    if required is not None:
        kinds.insert(0, AppointmentKind.REQUIRED_ASSESSMENT)
        if required.follow_up_required:
            kinds.insert(1, AppointmentKind.FOLLOW_UP_ASSESSMENT)
    form.kind.choices = options([(k.value, words.APPOINTMENT_KINDS[k]) for k in kinds])


@bp.route("/<area_slug>/custody/<id:contact_id>/appointments/new", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def book(contact_id: int) -> str | Response:
    shown = _contact(contact_id)
    form = forms.AppointmentForm()
    _kind_choices(form, shown)
    if saves(
        form,
        lambda: use_cases.book_appointment(
            shown,
            current_user,
            kind=form.kind.data or "",
            starts_at=forms.local_moment(form.day.data, form.starts.time),
        ),
        default="kind",
        renamed={"starts_at": "day"},
    ):
        return _back_to(contact_id, "Appointment booked.")
    return render_template("custody/book.html", form=form, contact=shown)


@bp.route("/<area_slug>/custody/appointments/<id:appointment_id>", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def appointment(appointment_id: int) -> str | Response:
    """What happened at an appointment (or, still booked, change it)."""
    shown = _of_contact(CustodyAppointment, appointment_id)
    if shown.status is not BookingStatus.BOOKED:
        abort(404)  # its outcome is recorded: the contact's page shows it
    form = forms.AttendanceForm()
    change = forms.ChangeAppointmentForm(prefix="change")
    if form.submit.data and saves(
        form,
        lambda: use_cases.record_appointment(
            shown,
            current_user,
            outcome=form.outcome.data or "",
            remained=_yes(form.remained.data),
            follow_up_required=_yes(form.follow_up_required.data),
        ),
        default="outcome",
    ):
        return _back_to(shown.contact_id, "Saved.")
    if change.submit.data and saves(
        change,
        lambda: use_cases.vary_appointment(
            shown,
            current_user,
            starts_at=forms.local_moment(change.day.data, change.starts.time),
        ),
        default="day",
        renamed={"starts_at": "day"},
    ):
        return _back_to(shown.contact_id, "Appointment changed.")
    return render_template(
        "custody/appointment.html", form=form, change=change, appointment=shown, words=words
    )


def _yes(answer: str | None) -> bool | None:
    return None if not answer else answer == "yes"


def _assessment_choices(form: forms.AssessmentForm, shown: InitialContact) -> None:
    kinds = list(words.ASSESSMENT_KINDS.items())
    form.kind.choices = options([(k.value, label) for k, label in kinds])
    if not form.kind.data:
        form.kind.data = "required" if shown.required_assessment else "voluntary"
    substances = db.session.scalars(
        select(Substance).where(Substance.active).order_by(Substance.position)
    )
    form.substances.choices = options([(s.code, s.label) for s in substances])
    services = db.session.scalars(
        select(TreatmentService).where(TreatmentService.active).order_by(TreatmentService.position)
    )
    form.treatment_service.choices = options(
        [("", "Not referred")] + [(str(s.id), s.label) for s in services]
    )


def _assessed(form: forms.AssessmentForm) -> AssessmentDetails:
    needs = set(form.needs.data or [])
    return AssessmentDetails(
        kind=form.kind.data or "",
        assessed_on=form.assessed_on.data,
        alcohol_use=form.alcohol_use.data or "",
        outcome=form.outcome.data or "",
        substances=db.session.scalars(
            select(Substance)
            .where(Substance.code.in_(form.substances.data or []))
            .order_by(Substance.position)
        ).all(),
        route=form.route.data or None,
        in_treatment="in_treatment" in needs,
        needs_housing="housing" in needs,
        needs_mental_health="mental_health" in needs,
        risk_flags=form.risk_flags.data or [],
        treatment_service=db.session.get(TreatmentService, choice_id(form.treatment_service.data)),
        notes=form.notes.data or None,
    )


@bp.route("/<area_slug>/custody/<id:contact_id>/assessment", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def assessment(contact_id: int) -> str | Response:
    shown = _contact(contact_id)
    form = forms.AssessmentForm()
    _assessment_choices(form, shown)
    if saves(
        form,
        lambda: use_cases.record_assessment(shown, current_user, _assessed(form)),
        default="outcome",
    ):
        return _back_to(contact_id, "Assessment saved.")
    return render_template("custody/assessment.html", form=form, contact=shown)


@bp.route("/<area_slug>/custody/<id:contact_id>/court", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def request_suitability(contact_id: int) -> str | Response:
    shown = _contact(contact_id)
    form = forms.SuitabilityForm()
    return _one_form_page(
        form,
        lambda: use_cases.request_suitability(
            shown,
            current_user,
            requested_on=form.requested_on.data,
            court_date=form.court_date.data,
            adjourned=bool(form.adjourned.data),
        ),
        contact=shown,
        title="A court asks for a suitability assessment",
        saved="Court request saved.",
        default="court_date",
    )


def _decide(
    shown: SuitabilityAssessment, form: forms.RecommendationForm | forms.CourtResultForm
) -> SuitabilityAssessment:
    """The recommendation, or once it is made the court's decision."""
    if isinstance(form, forms.CourtResultForm):
        return use_cases.record_court_result(
            shown, current_user, result=form.result.data or "", result_on=form.result_on.data
        )
    return use_cases.record_recommendation(
        shown,
        current_user,
        recommendation=form.recommendation.data or "",
        completed_on=form.completed_on.data,
    )


@bp.route("/<area_slug>/custody/court/<id:suitability_id>", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def suitability(suitability_id: int) -> str | Response:
    """The recommendation to the court, then (once made) the court's decision."""
    shown = _of_contact(SuitabilityAssessment, suitability_id)
    if shown.result is not None:
        abort(404)  # decided: the contact's page shows it
    recommending = shown.recommendation is None
    form = forms.RecommendationForm() if recommending else forms.CourtResultForm()
    title = "Recommendation to the court" if recommending else "What the court decided"
    return _one_form_page(
        form,
        lambda: _decide(shown, form),
        contact=shown.contact,
        title=title,
        saved="Saved.",
        default="submit",
    )


@bp.route("/<area_slug>/custody/<id:contact_id>/activity", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def activity(contact_id: int) -> str | Response:
    shown = _contact(contact_id)
    form = forms.ActivityForm()
    return _one_form_page(
        form,
        lambda: use_cases.record_activity(
            shown, current_user, kind=form.kind.data or "", done_on=form.done_on.data
        ),
        contact=shown,
        title="Something done for them",
        saved="Saved.",
        default="kind",
    )


@bp.route("/<area_slug>/custody/<id:contact_id>/close", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def close(contact_id: int) -> str | Response:
    shown = _contact(contact_id)
    if shown.closed_on is not None:
        abort(404)
    form = forms.CloseForm()
    return _one_form_page(
        form,
        lambda: use_cases.close_case(
            shown, current_user, reason=form.reason.data or "", closed_on=form.closed_on.data
        ),
        contact=shown,
        title="Close the case",
        saved="Case closed.",
        default="reason",
    )


def _treatment_answer(
    record: DrugInterventionsRecord, form: forms.TreatmentEntryForm
) -> DrugInterventionsRecord:
    if form.entered.data != "yes":
        return use_cases.record_non_entry(record, current_user, reason=form.entered.data or "")
    if form.entered_on.data is None:
        raise Refusal("entered_on", "Enter the date they entered treatment")
    return use_cases.confirm_treatment_entry(record, current_user, entered_on=form.entered_on.data)


@bp.route("/<area_slug>/custody/records/<id:record_id>/treatment", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY_CONTACTS)
def treatment(record_id: int) -> str | Response:
    """What the treatment service said: they entered treatment (on a date), or why not."""
    record = _of_contact(DrugInterventionsRecord, record_id)
    form = forms.TreatmentEntryForm()
    return _one_form_page(
        form,
        lambda: _treatment_answer(record, form),
        contact=record.contact,
        title="Entry into treatment",
        saved="Saved.",
        default="entered",
        renamed={"reason": "entered"},
    )
