"""Administration pages that are not a table of records: the audit trail and a person's data
(subject access and erasure)."""

from __future__ import annotations

import json
from functools import partial

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from divert import audit
from divert.admin.access import AdminOnly
from divert.audit.search import EVERY_AREA, AuditSearchForm, area_choices, page_url, search
from divert.extensions import db
from divert.formfields import Required, options
from divert.models import Person, Referral
from divert.params import query_page
from divert.privacy.removal import remove_personal_data
from divert.privacy.subject_access import subject_access
from divert.widgets import GovSubmitInput, GovTextArea, GovTextInput

ADMIN_BASE = "admin/master.html"


class HomeView(AdminOnly, AdminIndexView):
    @expose("/")
    def index(self) -> str:
        return self.render("admin/index.html")


class AuditView(AdminOnly, BaseView):
    """The whole audit trail, searchable; there is no way here to change an entry."""

    @expose("/")
    def index(self) -> tuple[str, int] | str:
        form = AuditSearchForm(formdata=request.args or None)
        form.area.choices = options(area_choices())
        if request.args and not form.validate():
            return self.render(
                "audit/search.html", form=form, results=None, base_template=ADMIN_BASE
            ), 400
        results = search(form, query_page(), where=EVERY_AREA)
        return self.render(
            "audit/search.html",
            form=form,
            results=results,
            page_url=page_url,
            base_template=ADMIN_BASE,
        )


class FindPersonForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    reference = StringField(
        "Referral reference",
        widget=GovTextInput(),
        description="For example, WAR-2025-00042",
        validators=[Required(message="Enter a referral reference")],
    )
    submit = SubmitField("Find", widget=GovSubmitInput())


class EraseForm(FlaskForm):
    reason = TextAreaField(
        "Why is this person's data being erased?",
        widget=GovTextArea(),
        description="For example, the request's reference and the decision on it",
        validators=[
            Required(message="Enter the reason for erasure"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
    )
    submit = SubmitField("Erase personal data", widget=GovSubmitInput())


class PeopleView(AdminOnly, BaseView):
    """Subject access (a JSON export of a person's data) and erasure on request."""

    @expose("/")
    def index(self) -> tuple[str, int] | str:
        form = FindPersonForm(formdata=request.args or None)
        if request.args and form.validate():
            reference = (form.reference.data or "").strip().upper()
            person_id = db.session.scalar(
                select(Referral.person_id).where(Referral.reference == reference)
            )
            if person_id is not None:
                return redirect(url_for(".person", person_id=person_id))
            form.reference.errors.append("No referral has this reference")
        status = 400 if form.errors else 200
        return self.render("admin/people.html", form=form), status

    def _person(self, person_id: int) -> Person:
        person = db.session.get(Person, person_id)
        if person is None:
            abort(404)
        return person

    @expose("/<id:person_id>", methods=("GET", "POST"))
    def person(self, person_id: int) -> str | Response:
        person = self._person(person_id)
        form = EraseForm()
        if form.validate_on_submit():
            audit.record(
                "person_viewed", record_type="person", record_id=person.id, area=person.area
            )
            remove_personal_data([person])
            audit.record(
                "person_erased",
                record_type="person",
                record_id=person.id,
                area=person.area,
                reason=form.reason.data,
            )
            db.session.commit()
            flash("The person's personal data has been erased.", "success")
            return redirect(url_for(".person", person_id=person.id))
        return audit.record_with_answer(
            "person_viewed",
            partial(self.render, "admin/person.html", person=person, form=form),
            record_type="person",
            record_id=person.id,
            area=person.area,
        )

    @expose("/<id:person_id>/subject-access.json")
    def export(self, person_id: int) -> Response:
        person = self._person(person_id)
        body = audit.record_with_answer(
            "subject_access_exported",
            lambda: json.dumps(subject_access(person), indent=2, ensure_ascii=False),
            record_type="person",
            record_id=person.id,
            area=person.area,
        )
        return Response(
            body,
            mimetype="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="subject-access-{person_id}.json"'
            },
        )
