"""The officer pathway: refer, see the confirmation, follow one's own referrals, withdraw."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from functools import partial
from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from divert import area_cache, audit, fragments
from divert.extensions import db
from divert.formfields import choice_id, options, show_refusal
from divert.models import (
    DISPOSAL_LABELS,
    Disposal,
    Referral,
    ReferralEvent,
    ReferralStatus,
    SubmissionToken,
    Substance,
)
from divert.params import query_page
from divert.permissions import Permission, requires
from divert.programmes import rules as programme_rules
from divert.referrals import lifecycle, queries, repeats, submission, use_cases
from divert.referrals.forms import NO_SLOT, DisposalReferralForm, ReferralForm
from divert.referrals.slots import BOOKING_WINDOW, describe, open_initial_slots
from divert.refusals import Refusal
from divert.tenancy import current_area, kept_for_area

bp = Blueprint("referrals", __name__)

PAGE_SIZE = 25


def _substances() -> tuple[tuple[str, str, area_cache.Columns], ...]:
    """The area's active substances as (id as the form sends it, label, columns): kept in the
    process (divert.area_cache), as the list changes only through /admin, and every referral
    form offers it and every referral records what was found among them."""

    def read() -> tuple[tuple[str, str, area_cache.Columns], ...]:
        substances = db.session.scalars(
            select(Substance).where(Substance.active).order_by(Substance.position, Substance.label)
        )
        return tuple((str(s.id), s.label, area_cache.columns_of(s)) for s in substances)

    return kept_for_area(current_area.id, "substances", read)


def _offer_slots(form: ReferralForm, slots: list) -> None:
    """First appointments, offered only when the page is shown: a slot sent is checked when the
    referral is submitted (the slot field takes any value), so a POST does not read them."""
    if form.slot is None:  # a disposal's form: no first appointment
        return
    # Sessions of several programmes on offer: each says whose it is.
    labelled = len({s.programme_id for s in slots}) > 1
    form.slot.choices = options(
        [
            (str(s.id), f"{s.programme.name}: {describe(s)}" if labelled else describe(s))
            for s in slots
        ]
        + [(NO_SLOT, "Leave it for the educators to arrange")]
    )


def _disposal() -> Disposal:
    """The disposal the form is for (?disposal=...): pre-arrest diversion unless the area has a
    programme for another; anything else is 404."""
    value = request.args.get("disposal", Disposal.PRE_ARREST_DIVERSION.value)
    offered = programme_rules.offered_disposals(current_area)
    if value != Disposal.PRE_ARREST_DIVERSION.value and value not in offered:
        abort(404)
    return Disposal(value)


def _referral_form(disposal: Disposal) -> ReferralForm:
    """The common form for a pre-arrest diversion; another disposal asks for its dates instead
    of what was found and a first one-to-one (its course is arranged by the educators)."""
    if disposal is Disposal.PRE_ARREST_DIVERSION:
        return ReferralForm()
    form = DisposalReferralForm()
    del form.slot
    form.substances_found.validators = []
    return form


def _earlier_submission(token: str | None) -> int | None:
    """The id of the referral this form's token made, if it was sent before."""
    if not token:
        return None
    return db.session.scalar(
        select(SubmissionToken.referral_id).where(SubmissionToken.token == token)
    )


def _details(form: ReferralForm, disposal: Disposal) -> use_cases.ReferralDetails:
    # The form took only ids among those offered: the records are attached, not read.
    found = set(form.substances_found.data or ())
    return use_cases.ReferralDetails.typed(
        {**form.data, "disposal": disposal.value},
        substances_found=[
            area_cache.attached(Substance, columns)
            for substance_id, _label, columns in _substances()
            if substance_id in found
        ],
        programme_id=_chosen_programme(form),
    )


def _submit(form: ReferralForm, disposal: Disposal) -> int:
    """Everything in one transaction: the referral, its booking and its token, or nothing.

    Returns the referral's id, and leaves what its confirmation page shows in the session."""
    slot_choice = form.slot.data if form.slot is not None else NO_SLOT
    submitted = use_cases.submit(
        current_area,
        current_user,
        _details(form, disposal),
        confirm_repeat=bool(form.confirm_repeat.data),
        same_person_elsewhere=form.same_person_elsewhere_answer(),
        session_id=None if slot_choice == NO_SLOT else choice_id(slot_choice),
    )
    referral, slot = submitted.referral, submitted.slot
    db.session.add(SubmissionToken(token=form.submission_token.data, referral_id=referral.id))
    shown = _confirmation_of(referral, describe(slot) if slot else None, submitted.found.elsewhere)
    db.session.commit()
    session[CONFIRMATION] = shown
    return shown["referral_id"]


# The POST that made a referral hands its confirmation page what it already knows, so the page
# it redirects to repeats no look-up (the regional one above all); read once, then forgotten.
CONFIRMATION = "referral_confirmation"


def _confirmation_of(
    referral: Referral, appointment: str | None, elsewhere: list[tuple[str, date]]
) -> dict[str, Any]:
    return {
        "referral_id": referral.id,
        "area_id": referral.area_id,
        "reference": referral.reference,
        "appointment": appointment,
        "elsewhere": [(name, on.isoformat()) for name, on in elsewhere],
    }


def _looked_up_confirmation(referral_id: int) -> dict[str, Any]:
    """The confirmation of a referral opened again later (or a form sent twice)."""
    referral = _own_referral(referral_id)
    booking = lifecycle.active_booking(referral)
    since = referral.received_on - timedelta(days=current_area.repeat_lookback_days)
    elsewhere = repeats.elsewhere(current_area, repeats.record_of(referral.person), since)
    return _confirmation_of(referral, describe(booking.session) if booking else None, elsewhere)


def _slots(disposal: Disposal) -> list:
    """First appointments are offered with a pre-arrest diversion (others start on a course)."""
    return open_initial_slots(current_area) if disposal is Disposal.PRE_ARREST_DIVERSION else []


def _chosen_programme(form: ReferralForm) -> int | None:
    value = form.programme.data or ""
    return int(value) if value.isdigit() else None


def _offer_programmes(form: ReferralForm, disposal: Disposal) -> None:
    """When several programmes fit the person typed, the officer chooses among them."""
    born = form.date_of_birth.data
    if born is None:
        return
    age = submission.age_on(born, form.offence_date.data or date.today())
    fitting = programme_rules.fitting(current_area, age, disposal.value)
    if len(fitting) > 1:
        form.programme.choices = options([(str(p.id), p.name) for p in fitting])


@bp.route("/<area_slug>/referrals/new", methods=["GET", "POST"])
@requires(Permission.SUBMIT_REFERRAL)
def new_referral() -> str | Response:
    disposal = _disposal()
    form = _referral_form(disposal)
    form.substances_found.choices = options([(i, label) for i, label, _columns in _substances()])
    if not form.submission_token.data:
        form.submission_token.data = secrets.token_urlsafe(32)
    already = _earlier_submission(form.submission_token.data) if form.is_submitted() else None
    if already is not None:
        return redirect(url_for(".confirmation", referral_id=already))
    found = repeats.RepeatCheck()
    if form.validate_on_submit():
        try:
            referral_id = _submit(form, disposal)
        except Refusal as refusal:
            db.session.rollback()
            if isinstance(refusal, use_cases.RepeatUnconfirmed):
                found = refusal.found
            show_refusal(form, refusal, default="forename", renamed={"session_id": "slot"})
        except IntegrityError:
            db.session.rollback()  # the same form, sent twice at once: show the first
            already = _earlier_submission(form.submission_token.data)
            if already is None:
                raise
            return redirect(url_for(".confirmation", referral_id=already))
        else:
            return redirect(url_for(".confirmation", referral_id=referral_id))
    _offer_slots(form, _slots(disposal))
    if form.is_submitted():
        _offer_programmes(form, disposal)
    return render_template("referrals/new.html", form=form, body=_form_body(form, disposal, found))


class _Officer(NamedTuple):
    name: str
    collar_number: str | None


# What differs between two views of the same empty form (divert.fragments puts them in).
_PER_VIEW = ("csrf_token", "submission_token")


def _form_body(form: ReferralForm, disposal: Disposal, found: repeats.RepeatCheck) -> Markup:
    """The page's body: drawn for this view once anything was sent; an empty form's is kept,
    keyed by everything it shows (the area, the disposal, every field's value and choices, the
    links to other disposals) but its tokens and the officer's name, put in per view."""
    other_disposals = [
        d for d in programme_rules.offered_disposals(current_area) if d is not disposal
    ]
    draw = partial(
        render_template,
        "referrals/new_body.html",
        form=form,
        found=found,
        labels=lifecycle.LABELS,
        disposal=disposal,
        disposal_labels=DISPOSAL_LABELS,
        other_disposals=other_disposals,
        booking_days=BOOKING_WINDOW.days,
    )
    if form.is_submitted():
        return Markup(draw(officer=current_user))  # nosec B704  (an autoescaping template's output)
    collar_number = current_user.collar_number
    key = (
        "referral form",
        request.script_root,
        current_area.id,
        current_area.slug,
        current_area.name,
        disposal,
        tuple(other_disposals),
        fragments.fields_shown(form, leave_out=_PER_VIEW),
        bool(collar_number),
    )
    officer = _Officer(
        fragments.stand_in("officer_name"),
        fragments.stand_in("collar_number") if collar_number else None,
    )
    with fragments.fields_standing_in(form, _PER_VIEW) as tokens:
        return fragments.kept(
            key,
            partial(draw, officer=officer),
            {
                **tokens,
                "officer_name": current_user.name,
                "collar_number": collar_number or "",
            },
        )


def _own_referral(referral_id: int) -> Referral:
    """The signed-in officer's referral in this area; anything else is 404."""
    return db.first_or_404(
        select(Referral)
        .options(selectinload(Referral.events), selectinload(Referral.substances_found))
        .where(Referral.id == referral_id, queries.submitted_by(current_user))
    )


@bp.route("/<area_slug>/referrals/<id:referral_id>/confirmation")
@requires(Permission.VIEW_OWN_REFERRALS)
def confirmation(referral_id: int) -> str:
    shown = session.pop(CONFIRMATION, None)
    if not shown or (shown["referral_id"], shown["area_id"]) != (referral_id, current_area.id):
        shown = _looked_up_confirmation(referral_id)
    return render_template(
        "referrals/confirmation.html",
        reference=shown["reference"],
        appointment=shown["appointment"],
        elsewhere=[(name, date.fromisoformat(on)) for name, on in shown["elsewhere"]],
    )


# The officer's list narrowed to what their home page points at.
MY_FILTERS = {
    "returned": ("Returned to you for another outcome", lifecycle.RETURNED_TO_OFFICER),
    "awaiting": ("Awaiting contact", frozenset({ReferralStatus.SUBMITTED})),
}


@bp.route("/<area_slug>/referrals")
@requires(Permission.VIEW_OWN_REFERRALS)
def my_referrals() -> str:
    page = query_page()
    status = request.args.get("status", "")
    shown = MY_FILTERS.get(status)
    mine = queries.submitted_by(current_user)
    if shown is not None:
        mine = mine & Referral.status.in_(shown[1])
    total = db.session.scalar(select(func.count()).select_from(Referral).where(mine))
    referrals = db.session.scalars(
        select(Referral)
        .options(selectinload(Referral.person))
        .where(mine)
        .order_by(Referral.received_at.desc(), Referral.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    returned = db.session.scalars(
        select(Referral)
        .options(selectinload(Referral.person))
        .where(mine, Referral.status.in_(lifecycle.RETURNED_TO_OFFICER))
        .order_by(Referral.closed_on.desc(), Referral.id.desc())
        .limit(50)
    ).all()
    reasons = _closing_notes(returned)
    return render_template(
        "referrals/mine.html",
        referrals=referrals,
        returned=returned,
        reasons=reasons,
        labels=lifecycle.LABELS,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        total=total,
        status=status if shown else "",
        shown=shown[0] if shown else None,
    )


def _closing_notes(referrals: list[Referral]) -> dict[int, str]:
    """Why each returned case was closed: the note of the event that closed it."""
    notes: dict[int, str] = {}
    events = db.session.execute(
        select(ReferralEvent.referral_id, ReferralEvent.note)
        .where(
            ReferralEvent.referral_id.in_([r.id for r in referrals]),
            ReferralEvent.to_status.in_([s.value for s in lifecycle.RETURNED_TO_OFFICER]),
        )
        .order_by(ReferralEvent.id)
    )
    for referral_id, note in events:
        notes[referral_id] = note or ""
    return notes


@bp.route("/<area_slug>/referrals/<id:referral_id>")
@requires(Permission.VIEW_OWN_REFERRALS)
def referral_detail(referral_id: int) -> str:
    referral = _own_referral(referral_id)
    booking = lifecycle.active_booking(referral)
    page = partial(
        render_template,
        "referrals/detail.html",
        referral=referral,
        labels=lifecycle.LABELS,
        appointment=describe(booking.session) if booking else None,
        can_withdraw=ReferralStatus.VOIDED in lifecycle.TRANSITIONS[referral.status],
    )
    return audit.record_with_answer(
        "person_viewed", page, record_type="referral", record_id=referral.id
    )


@bp.route("/<area_slug>/referrals/<id:referral_id>/withdraw", methods=["POST"])
@requires(Permission.VIEW_OWN_REFERRALS)
def withdraw(referral_id: int) -> Response:
    referral = _own_referral(referral_id)
    try:
        use_cases.withdraw(referral, current_user)
    except Refusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for(".referral_detail", referral_id=referral.id))
    db.session.commit()
    flash(f"Referral {referral.reference} has been withdrawn. It will not be counted.", "success")
    return redirect(url_for(".my_referrals"))
