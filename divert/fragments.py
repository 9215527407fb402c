"""Parts of a page kept rendered in each process, with what differs between views put in last.

The empty referral form, say, reads the same for every officer of an area on a given day but
for its CSRF and submission tokens and the officer's own name: it is drawn once with a stand-in
where each of those goes, kept under a key that holds everything else it shows, and each view
puts its own values in place of the stand-ins. Only parts drawn from a form's defaults are kept
(never what someone typed), and the key must name everything else the part depends on: a key
that holds the choices themselves can never hand one area's choices to another, nor choices
older than the ones read for this view.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Hashable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

from markupsafe import Markup, escape
from wtforms import Form

# Random per process, so nothing typed into a page (an officer's name) can pass for one.
_STAND_IN = f"divert-stand-in-{secrets.token_hex(8)}-"

# Emptied when full, so it cannot grow without bound.
_KEPT: dict[Hashable, str] = {}
_KEPT_MAX = 256


def stand_in(name: str) -> str:
    """What a part is drawn with where `name`'s value goes (a name of letters, digits and
    underscores, as a field's): letters, digits, underscores and dashes, which escaping leaves
    as they are. The closing dash keeps one name's stand-in out of a longer name's."""
    return f"{_STAND_IN}{name}-"


def kept(key: Hashable, draw: Callable[[], str], values: Mapping[str, str]) -> Markup:
    """The part `draw()` renders (with stand_in(name) for each of `values`), kept by `key`,
    with this view's `values` (plain text, escaped here) put in place of the stand-ins."""
    html = _KEPT.get(key)
    if html is None:
        html = str(draw())
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[key] = html
    for name, value in values.items():
        html = html.replace(stand_in(name), str(escape(value)))
    # An autoescaping template's output, with values escaped just above.
    return Markup(html)  # nosec B704


def fields_shown(form: Form, leave_out: Collection[str] = ()) -> tuple[Any, ...]:
    """What each field of an untouched form shows, for a key: its value and its choices
    (today's date as a date's default, say, and the slots offered)."""
    return tuple(
        (field.name, repr(field.data), repr(getattr(field, "choices", None)))
        for field in form
        if field.name not in leave_out
    )


@contextmanager
def fields_standing_in(form: Form, names: Collection[str]) -> Iterator[dict[str, str]]:
    """Inside the block, the form's fields of `names` (those it has) show their stand-ins;
    yields what each shows otherwise. `_value` is the value a field's widget writes out
    (a CSRF field's token, a hidden field's data)."""
    fields = [form[name] for name in names if name in form]
    shown = {field.name: field._value() for field in fields}
    for field in fields:
        field._value = partial(stand_in, field.name)  # type: ignore[method-assign]
    try:
        yield shown
    finally:
        for field in fields:
            del field._value
