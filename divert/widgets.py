"""The GOV.UK form widgets, rendered straight through govuk-frontend-jinja's macros.

govuk-frontend-wtf renders every field with its own `render_template` of a two-line template
that imports the component's macro and calls it: per field, Flask's context processors run and
the import is resolved again, which made up half of a form page's time. These widgets keep its
mapping of WTForms fields to macro parameters (so the markup is the same, as
tests/test_form_html.py proves) and call the macro from its template module, which Jinja builds
once per process.
"""

from __future__ import annotations

from collections import ChainMap
from contextvars import ContextVar
from typing import Any

import jinja2
from flask import current_app
from govuk_frontend_wtf import wtforms_widgets as wtf
from jinja2.runtime import Context
from markupsafe import Markup
from wtforms import Field

# govuk-frontend-wtf's template for a widget -> the component and macro that template calls.
_MACROS = {
    "govuk_frontend_wtf/button.html": ("button", "govukButton"),
    "govuk_frontend_wtf/charactercount.html": ("character-count", "govukCharacterCount"),
    "govuk_frontend_wtf/checkboxes.html": ("checkboxes", "govukCheckboxes"),
    "govuk_frontend_wtf/date.html": ("date-input", "govukDateInput"),
    "govuk_frontend_wtf/file-upload.html": ("file-upload", "govukFileUpload"),
    "govuk_frontend_wtf/input.html": ("input", "govukInput"),
    "govuk_frontend_wtf/password.html": ("password-input", "govukPasswordInput"),
    "govuk_frontend_wtf/radios.html": ("radios", "govukRadios"),
    "govuk_frontend_wtf/select.html": ("select", "govukSelect"),
    "govuk_frontend_wtf/textarea.html": ("textarea", "govukTextarea"),
}


class ImportingTemplate(jinja2.Template):
    """Jinja's template, with `{% from ... import ... %}` checked faster (app.jinja_env's
    template_class).

    At each import Jinja takes the importer's global names not among the imported template's
    globals (a set minus a ChainMap's keys, looked up one by one in Python: some thirty names,
    at every import of every render, a tenth of a form page's time); if there are any, it
    builds the imported module afresh. The same set is worked out here in one C call, and
    Jinja's own path is taken whenever it is not empty, so what is imported is unchanged."""

    def _get_default_module(self, ctx: Context | None = None) -> Any:
        names = self.globals
        if (
            ctx is not None
            and isinstance(names, ChainMap)
            and not ctx.globals_keys.difference(*names.maps)
        ):
            ctx = None  # nothing to add: the module built once serves
        return super()._get_default_module(ctx)


# Rendered components by (component, macro, parameters): the same empty field or page header
# is drawn identically on every request. Emptied when full, so it cannot grow without bound.
_RENDERED: dict[tuple[Any, ...], Markup] = {}
_RENDERED_MAX = 2048


def _frozen(value: Any) -> Any:
    """A hashable image of macro parameters; types are kept (Markup is not plain text)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return (list, tuple(_frozen(item) for item in value))
    return (type(value), value)


def component(name: str, macro: str, params: dict[str, Any], *, remember: bool = True) -> Markup:
    """A govuk-frontend-jinja component, from the template module Jinja builds once per process.

    `remember=False` for parameters holding what someone typed or a record's data: the output
    is not kept, so no personal data outlives the request in this cache.
    """
    key = (name, macro, _frozen(params)) if remember else None
    try:
        if key is not None and key in _RENDERED:
            return _RENDERED[key]
    except TypeError:  # a parameter that cannot be a key: drawn every time
        key = None
    path = f"govuk_frontend_jinja/components/{name}/macro.html"
    # An autoescaping template's macro returns Markup already: its parameters were escaped.
    html: Markup = getattr(current_app.jinja_env.get_template(path).module, macro)(params)
    if key is not None:
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = html
    return html


# Whether the field being rendered shows only what the form itself supplies (its default).
_field_is_default: ContextVar[bool] = ContextVar("divert_field_is_default", default=False)


def _shows_default(field: Field) -> bool:
    """Nothing typed and nothing loaded from a record: the field holds its default (today's
    date for an offence date, say), which is the same for everyone. A date field holds three
    empty parts when none was typed (divert.formfields.GovDateField)."""
    default = field.default() if callable(field.default) else field.default
    return not any(field.raw_data or ()) and field.data == default


def _holds_data(params: dict[str, Any]) -> bool:
    """A value typed or loaded from a record. Every widget with an input of its own (dates
    too) passes it as "value"; the items of radios, checkboxes and selects are choices."""
    return params.get("value") not in (None, "") and not _field_is_default.get()


class _FromMacro:
    """Renders the widget's parameters with its macro instead of a template render."""

    template: str

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        token = _field_is_default.set(_shows_default(field))
        try:
            return super().__call__(field, **kwargs)  # type: ignore[misc]
        finally:
            _field_is_default.reset(token)

    def render(self, params: dict[str, Any]) -> Markup:
        name, macro = _MACROS[self.template]
        return component(name, macro, params, remember=not _holds_data(params))


class _ItemsNamedByFieldId:
    """Radios and checkboxes take their items' ids from the field's id (govuk-frontend starts
    them from its name): a field given an id of its own keeps its labels to itself when another
    form on the page has a field of the same name. A field's id is its name unless given."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        params.setdefault("idPrefix", field.id)
        return params


class GovCheckboxInput(_FromMacro, wtf.GovCheckboxInput):
    pass


class GovCheckboxesInput(_FromMacro, _ItemsNamedByFieldId, wtf.GovCheckboxesInput):
    pass


class GovDateInput(_FromMacro, wtf.GovDateInput):
    pass


class GovFileInput(_FromMacro, wtf.GovFileInput):
    pass


class GovPasswordInput(_FromMacro, wtf.GovPasswordInput):
    pass


class GovRadioInput(_FromMacro, _ItemsNamedByFieldId, wtf.GovRadioInput):
    pass


class GovSelect(_FromMacro, wtf.GovSelect):
    pass


class GovSubmitInput(_FromMacro, wtf.GovSubmitInput):
    pass


class GovTextArea(_FromMacro, wtf.GovTextArea):
    pass


class GovTextInput(_FromMacro, wtf.GovTextInput):
    pass
