"""Flask-Admin pages for the records administrators keep: areas, people's access, contracts and
reference lists. Every form is checked so that no save can break a figure, and every change is
recorded in the audit trail with the change itself."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import flash, g, request
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import BaseForm
from flask_admin.model import typefmt
from flask_admin.model.base import ViewArgs
from sqlalchemy import func, select
from wtforms import DecimalField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation

from divert import audit
from divert.admin.access import AdminOnly
from divert.areas import contracts
from divert.auth.links import send_link
from divert.auth.sessions import end_sessions
from divert.extensions import db
from divert.formfields import GovDateField, Required, normalised_email, options
from divert.models import (
    AccountLinkPurpose,
    Area,
    Contract,
    Intervention,
    Membership,
    Offence,
    Pricing,
    Programme,
    Region,
    RegionalLead,
    Role,
    Substance,
    TreatmentService,
    User,
    Venue,
)
from divert.params import parse_int, query_int

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CODE = re.compile(r"^[a-z0-9_]+$")

Errors = dict[str, str]

PRICING_LABELS = {
    Pricing.PER_PLACE.value: "Per place (value ÷ places)",
    Pricing.FIXED.value: "Fixed contribution for the period",
}


def _area_names() -> dict[int, str]:
    """Area names by id, once per request: list pages show them without a query per row."""
    if "admin_area_names" not in g:
        g.admin_area_names = dict(db.session.execute(select(Area.id, Area.name)).all())
    return g.admin_area_names


def _area_name(_view: Any, _context: Any, model: Any, _name: str) -> str:
    return _area_names().get(model.area_id, "")


def _programmes() -> dict[int, tuple[int, str, str]]:
    """Every area's programmes by id, as (area id, code, name), once per request."""
    if "admin_programmes" not in g:
        rows = db.session.execute(
            select(Programme.id, Programme.area_id, Programme.code, Programme.name).order_by(
                Programme.position, Programme.area_id
            )
        ).all()
        g.admin_programmes = {pid: (aid, code, name) for pid, aid, code, name in rows}
    return g.admin_programmes


def _area_programme(area_id: int | None, code: str | None) -> int | None:
    """The id of the area's programme with `code`; None if the area has no such programme."""
    found = (pid for pid, (aid, c, _) in _programmes().items() if (aid, c) == (area_id, code))
    return next(found, None)


def sentence_case(name: str) -> str:
    """A column's label as GOV.UK writes it: "Places allocated", not "Places Allocated"."""
    return name.removesuffix("_id").replace("_", " ").capitalize()


class Labels(dict[str, str]):
    """Column and field labels: those given, else the column's name in sentence case.

    Flask-Admin labels a form field None (then WTForms title-cases it) when a view has labels
    but none for that field; answering every name keeps the forms in sentence case.
    """

    def get(self, name: str, default: str | None = None) -> str:  # type: ignore[override]
        return super().get(name) or default or sentence_case(name)

    def __getitem__(self, name: str) -> str:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True  # Flask-Admin skips empty label maps: this one answers every name


class DateRequired(InputRequired):
    """A GOV.UK date input that must be filled in.

    An InputRequired, so Flask-Admin adds no "This field is required." of its own; it speaks only
    when every box was left empty, since a half-typed date already has GovDateField's message
    naming the missing box.
    """

    field_flags: dict[str, bool] = {}  # no `required` attribute on the boxes' wrapper

    def __call__(self, form: BaseForm, field: GovDateField) -> None:
        if field.data is None and not field.errors:
            raise StopValidation(self.message)


# Cells as words: the icon fonts of Flask-Admin's own theme are not loaded here. Flask-Admin
# takes the first formatter whose type matches, so the role comes before its generic Enum.
CELL_FORMATTERS = {
    Role: lambda _view, value, _name: value.label,
    **typefmt.BASE_FORMATTERS,
    bool: lambda _view, value, _name: "Yes" if value else "No",
    type(None): lambda _view, _value, _name: "–",
    date: lambda _view, value, _name: value.strftime("%-d %b %Y"),
    datetime: lambda _view, value, _name: value.strftime("%-d %b %Y %H:%M"),
}


class RecordView(AdminOnly, ModelView):
    """A GOV.UK-styled model page: checks across fields, and an audit event for every save."""

    column_type_formatters = CELL_FORMATTERS
    can_delete = False  # records are deactivated, not deleted: figures point at them
    can_view_details = False
    page_size = 50
    form_base_class = BaseForm

    def __init__(self, model: type, name: str, endpoint: str, category: str | None = None):
        super().__init__(model, db, name=name, endpoint=endpoint, category=category)

    column_labels: Labels = Labels()

    def prettify_name(self, name: str) -> str:
        """Labels Flask-Admin makes up itself (headings, filters) in sentence case too."""
        return sentence_case(name)

    _prettify_name = prettify_name
    def _get_list_extra_args(self) -> ViewArgs:
        """The list's page, size and sort through divert's one number parser: a number too
        large for the database is the first page, not an overflow in the driver."""
        args = super()._get_list_extra_args()
        return args.clone(
            page=query_int("page", 0),
            page_size=query_int("page_size", 0, maximum=self.page_size),
            sort=query_int("sort"),
            sort_desc=query_int("desc", maximum=1),
        )

    def check(self, form: BaseForm, model: Any | None) -> Errors:
        """Errors by field name that single-field validators cannot see (overridden per record)."""
        return {}

    def validate_form(self, form: BaseForm) -> bool:
        """Field validators first; then, on the record's own form, the checks across fields."""
        if not super().validate_form(form):
            return False
        view = (request.endpoint or "").rpartition(".")[2]
        if view not in ("create_view", "edit_view"):
            return True  # the delete and action forms carry only ids
        editing = self.get_one(request.args.get("id", "")) if view == "edit_view" else None
        errors = self.check(form, editing)
        for field, message in errors.items():
            form[field].errors = [*form[field].errors, message]
        return not errors

    def on_model_change(self, form: BaseForm, model: Any, is_created: bool) -> None:
        db.session.flush()
        audit.record(
            "admin_created" if is_created else "admin_updated",
            record_type=model.__tablename__,
            record_id=model.id,
            fields=sorted(field.name for field in form if field.name in form.data),
        )


class AreaOwnedView(RecordView):
    """Records that belong to one area: the area is picked from a list of areas."""

    column_formatters = {"area_id": _area_name}
    column_labels = Labels(area_id="Area")
    form_extra_fields = {
        "area_id": SelectField("Area", coerce=int, validators=[Required(message="Select an area")])
    }

    def _with_areas(self, form: BaseForm) -> BaseForm:
        form.area_id.choices = options(
            [(area_id, name) for area_id, name in sorted(_area_names().items(), key=lambda i: i[1])]
        )
        return form

    def create_form(self, obj: Any = None) -> BaseForm:
        return self._with_areas(super().create_form(obj))

    def edit_form(self, obj: Any = None) -> BaseForm:
        return self._with_areas(super().edit_form(obj))


class RegionView(RecordView):
    column_list = ["name", "slug", "lead_area_slug", "regional_matching"]
    form_columns = ["name", "slug", "lead_area_slug", "regional_matching"]
    column_labels = Labels(lead_area_slug="Lead area (slug)")

    def check(self, form: BaseForm, model: Region | None) -> Errors:
        errors: Errors = {}
        if not SLUG.match(form.slug.data or ""):
            errors["slug"] = "Slug must be lower-case letters, numbers and hyphens"
        if form.lead_area_slug.data and not db.session.scalar(
            select(Area.id).where(Area.slug == form.lead_area_slug.data)
        ):
            errors["lead_area_slug"] = "Lead area must be the slug of an existing area"
        return errors


class AreaView(RecordView):
    """Areas come from tenants/*.toml; here their settings can be read and corrected."""

    can_create = False
    column_list = ["name", "slug", "code", "region", "retention_months", "repeat_lookback_days"]
    form_columns = [
        "name",
        "region",
        "repeat_lookback_days",
        "repeat_policy",
        "missed_appointment_limit",
        "no_contact_limit_days",
        "retention_months",
        "suppression_threshold",
    ]
    column_labels = Labels(
        retention_months="Retention (months)",
        repeat_lookback_days="Repeat look-back (days)",
        no_contact_limit_days="Closed as not engaged after no contact for (days)",
        missed_appointment_limit="Closed as not engaged after missed appointments",
    )
    # Flask-Admin's own choice field takes (value, label) pairs, not WTForms' SelectChoice.
    form_choices = {
        "repeat_policy": [
            ("allow", "Allow a repeat referral"),
            ("refuse_if_not_engaged", "Refuse when the earlier one ended not engaged"),
        ]
    }
    form_args = {
        "repeat_lookback_days": {"validators": [NumberRange(1, 3650)]},
        "missed_appointment_limit": {"validators": [NumberRange(1, 10)]},
        "no_contact_limit_days": {"validators": [NumberRange(1, 365)]},
        "suppression_threshold": {
            "label": "Published figures hide counts under",
            "validators": [NumberRange(1, 100, message="Enter a number from 1 to 100")],
        },
        "retention_months": {
            "validators": [NumberRange(1, 240, message="Retention must be 1 to 240 months")]
        },
    }


class UserView(RecordView):
    """Accounts. A new account gets an emailed link to choose its password."""

    column_list = ["name", "email", "is_admin", "active", "last_sign_in_at"]
    column_searchable_list = ["name", "email"]
    form_columns = ["name", "email", "collar_number", "is_admin", "active"]
    column_labels = Labels(is_admin="Administrator", last_sign_in_at="Last signed in")
    edit_template = "auth/admin_user_edit.html"
    form_args = {"name": {"validators": [Required(message="Enter the person's name")]}}

    def check(self, form: BaseForm, model: User | None) -> Errors:
        try:
            form.email.data = normalised_email((form.email.data or "").strip())
        except ValueError as error:
            return {"email": str(error)}
        clash = db.session.scalar(
            select(User.id).where(func.lower(User.email) == form.email.data.lower())
        )
        if clash is not None and (model is None or clash != model.id):
            return {"email": "Another account already uses this email address"}
        return {}

    def on_model_change(self, form: BaseForm, model: User, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        if not model.active:
            end_sessions(model)  # a deactivated account is signed out everywhere at once

    def after_model_change(self, form: BaseForm, model: User, is_created: bool) -> None:
        if is_created:
            send_link(model, AccountLinkPurpose.INVITE)
            db.session.commit()

    @action(
        "sign_out_everywhere",
        "Sign out everywhere",
        "End every session of these accounts? They must sign in again.",
    )
    def sign_out_everywhere(self, ids: list[str]) -> None:
        for user in db.session.scalars(
            select(User).where(User.id.in_([value for value in map(parse_int, ids) if value]))
        ):
            end_sessions(user)
            audit.record("signed_out_everywhere", record_type="user", record_id=user.id)
        db.session.commit()
        flash("Signed out everywhere. They must sign in again.", "success")


class MembershipView(RecordView):
    column_list = ["user", "area", "role", "active"]
    form_columns = ["user", "area", "role", "active"]
    column_sortable_list = ["role", "active"]

    def _with_role_labels(self, form: BaseForm) -> BaseForm:
        # Flask-Admin offers an enum's member names (OFFICER); the value stays the name.
        form.role.choices = [(role.name, role.label) for role in Role]
        return form

    def create_form(self, obj: Any = None) -> BaseForm:
        return self._with_role_labels(super().create_form(obj))

    def edit_form(self, obj: Any = None) -> BaseForm:
        return self._with_role_labels(super().edit_form(obj))

    def check(self, form: BaseForm, model: Membership | None) -> Errors:
        user, area = form.user.data, form.area.data
        if user is None:
            return {"user": "Select a user"}
        if area is None:
            return {"area": "Select an area"}
        clash = db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == user.id, Membership.area_id == area.id
            )
        )
        if clash is not None and (model is None or clash != model.id):
            return {"area": f"{user.name} already has a role in {area.name}"}
        return {}


class RegionalLeadView(RecordView):
    can_delete = True  # removing a lead's access changes no record
    column_list = ["user", "region"]
    form_columns = ["user", "region"]

    def check(self, form: BaseForm, model: RegionalLead | None) -> Errors:
        if form.user.data is None:
            return {"user": "Select a user"}
        if form.region.data is None:
            return {"region": "Select a region"}
        return {}

    def on_model_delete(self, model: RegionalLead) -> None:
        audit.record("admin_deleted", record_type="regional_lead", record_id=model.id)


class ContractView(AreaOwnedView):
    """An area's terms for one of its programmes for a period, as signed: per place (value ÷
    places) or a fixed contribution (places optional), with an optional go-live date. Refused:
    end before start, a go-live outside the contract, no places for a per-place contract, a
    negative value, another area's programme, a period overlapping another contract of the
    same programme, an extension of another area's or programme's contract."""

    # The form's name for a contract rule's field, where it is not the record's.
    FORM_FIELDS = {"value_pence": "value_pounds", "programme_id": "programme_code"}

    column_list = [
        "area_id",
        "programme_id",
        "label",
        "starts_on",
        "ends_on",
        "pricing",
        "places_allocated",
        "value_pence",
    ]
    column_labels = Labels(
        {
            **AreaOwnedView.column_labels,
            "value_pence": "Value",
            "starts_on": "Start date",
            "go_live_on": "Go-live date",
            "ends_on": "End date",
            "is_example": "The whole contract is an example (not published)",
            "value_is_example": "The value is an example (not published)",
            "places_is_example": "The number of places is an example (not published)",
        }
    )
    column_formatters = {
        **AreaOwnedView.column_formatters,
        "value_pence": lambda _v, _c, model, _n: (
            f"£{model.value_pence / 100:,.2f}{' (example)' if model.value_example else ''}"
        ),
        "pricing": lambda _v, _c, model, _n: PRICING_LABELS[model.pricing],
        "programme_id": lambda _v, _c, model, _n: _programmes()[model.programme_id][2],
    }
    form_columns = [
        "area_id",
        "programme_code",
        "label",
        "starts_on",
        "go_live_on",
        "ends_on",
        "pricing",
        "places_allocated",
        "value_pounds",
        "funding_source",
        "extends_id",
        "is_example",
        "value_is_example",
        "places_is_example",
    ]
    form_overrides = {"pricing": SelectField}
    form_extra_fields = {
        **AreaOwnedView.form_extra_fields,
        "value_pounds": DecimalField(
            "Value (£)",
            places=2,
            description="Per place: the value of all the places. Fixed: the contribution",
            validators=[
                Required(message="Enter the contract's value in pounds"),
                NumberRange(min=0, message="Value must be £0 or more"),
            ],
        ),
        # By its code, the same in every area: the contract is for the chosen area's programme.
        "programme_code": SelectField(
            "Programme", description="The programme whose places and money these are"
        ),
        "extends_id": SelectField(
            "Extends", coerce=int, validators=[Optional()], description="For an extension only"
        ),
    }
    form_overrides = {"starts_on": GovDateField, "ends_on": GovDateField}
    form_args = {
        "label": {"validators": [Required(message="Enter a name for the contract")]},
        "starts_on": {
            "label": "Start date",
            "description": "For example, 1 4 2027",
            "subject": "start date",
            "validators": [DateRequired(message="Enter the start date")],
        },
        "go_live_on": {
            "description": "When the scheme was fully live, if later than the start",
            "validators": [Optional()],
        },
        "ends_on": {
            "label": "End date",
            "description": "For example, 31 3 2028",
            "subject": "end date",
            "validators": [DateRequired(message="Enter the end date")],
        },
        "pricing": {
            "label": "Pricing",
            "choices": options(PRICING_LABELS.items()),
            "default": Pricing.PER_PLACE.value,
        },
        "places_allocated": {
            "description": "Needed for a per-place contract; optional for a fixed contribution",
            "validators": [Optional(), NumberRange(min=1, message="Places must be 1 or more")],
        },
        "funding_source": {"validators": [Required(message="Enter the funding source")]},
    }

    def _with_areas(self, form: BaseForm) -> BaseForm:
        form = super()._with_areas(form)
        contracts = db.session.execute(
            select(Contract.id, Contract.programme_id, Contract.label).order_by(
                Contract.area_id, Contract.programme_id, Contract.starts_on
            )
        ).all()
        names, programmes = _area_names(), _programmes()

        def programme(pid: int) -> str:
            area_id, _code, name = programmes[pid]
            return f"{names.get(area_id, '')}: {name}"

        codes = {code: name for _area, code, name in programmes.values()}
        form.programme_code.choices = options(codes.items())
        form.extends_id.choices = options(
            [
                (0, "Not an extension"),
                *((cid, f"{programme(pid)}: {label}") for cid, pid, label in contracts),
            ]
        )
        return form

    def on_form_prefill(self, form: BaseForm, id: Any) -> None:
        contract = self.get_one(id)
        if contract is not None and not form.errors:
            form.value_pounds.data = Decimal(contract.value_pence) / 100
            form.extends_id.data = contract.extends_id or 0
            form.pricing.data = contract.pricing.value
            form.programme_code.data = _programmes()[contract.programme_id][1]

    def check(self, form: BaseForm, model: Contract | None) -> Errors:
        found = contracts.problems(
            area_id=form.area_id.data,
            programme_id=_area_programme(form.area_id.data, form.programme_code.data),
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            places_allocated=form.places_allocated.data,
            value_pence=int(form.value_pounds.data * 100),
            extends_id=form.extends_id.data or None,
            pricing=form.pricing.data,
            go_live_on=form.go_live_on.data,
            contract_id=model.id if model else None,
        )
        return {self.FORM_FIELDS.get(name, name): message for name, message in found.items()}

    def on_model_change(self, form: BaseForm, model: Contract, is_created: bool) -> None:
        model.value_pence = int(form.value_pounds.data * 100)
        model.extends_id = form.extends_id.data or None
        model.pricing = Pricing(form.pricing.data)
        model.programme_id = _area_programme(form.area_id.data, form.programme_code.data)
        super().on_model_change(form, model, is_created)


class ReferenceView(AreaOwnedView):
    """An area's list of substances, offences, interventions, venues or treatment services."""

    column_list = ["area_id", "code", "label", "active", "position"]
    column_searchable_list = ["code", "label"]
    column_default_sort = [("area_id", False), ("position", False)]
    form_columns = ["area_id", "code", "label", "active", "position"]
    form_args = {
        "code": {"validators": [Required(message="Enter a code")]},
        "label": {"validators": [Required(message="Enter a label")]},
        "position": {"validators": [NumberRange(min=0, message="Position must be 0 or more")]},
    }

    def check(self, form: BaseForm, model: Any | None) -> Errors:
        if not CODE.match(form.code.data or ""):
            return {"code": "Code must be lower-case letters, numbers and underscores"}
        clash = db.session.scalar(
            select(self.model.id).where(
                self.model.area_id == form.area_id.data, self.model.code == form.code.data
            )
        )
        if clash is not None and (model is None or clash != model.id):
            return {"code": "The area already has an entry with this code"}
        return {}


class VenueView(ReferenceView):
    column_list = [*ReferenceView.column_list, "address"]
    form_columns = [*ReferenceView.form_columns, "address"]


def model_views() -> list[RecordView]:
    return [
        RegionView(Region, "Regions", "admin_regions", "Areas"),
        AreaView(Area, "Areas", "admin_areas", "Areas"),
        ContractView(Contract, "Contracts", "admin_contracts", "Areas"),
        UserView(User, "Users", "admin_users", "People"),
        MembershipView(Membership, "Memberships", "admin_memberships", "People"),
        RegionalLeadView(RegionalLead, "Regional leads", "admin_regional_leads", "People"),
        ReferenceView(Substance, "Substances", "admin_substances", "Reference data"),
        ReferenceView(Offence, "Offences", "admin_offences", "Reference data"),
        ReferenceView(Intervention, "Interventions", "admin_interventions", "Reference data"),
        VenueView(Venue, "Venues", "admin_venues", "Reference data"),
        ReferenceView(
            TreatmentService, "Treatment services", "admin_treatment_services", "Reference data"
        ),
    ]
