"""What makes a password acceptable: long enough and not a common or guessable one."""

from __future__ import annotations

from typing import Any

from wtforms import Field, Form
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MIN_STRENGTH = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" against online attacks
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
# zxcvbn refuses (raises on) anything longer; the strength of a longer password is judged on its
# first characters, which is enough to tell a guessable one.
SCORED_LENGTH = 72


def password_problem(password: str, personal: tuple[str, ...] = ()) -> str | None:
    """Why the password will not do, in words for the user; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if password.lower() in COMMON_PASSWORDS:
        return "That is a commonly used password. Choose one that is harder to guess"
    if zxcvbn(password[:SCORED_LENGTH], user_inputs=list(personal))["score"] < MIN_STRENGTH:
        return "Choose a password that is harder to guess, for example three random words"
    return None


class StrongPassword:
    """WTForms validator for a new password."""

    def __call__(self, form: Form, field: Field) -> None:
        personal: Any = getattr(form, "personal_words", ())
        problem = password_problem(field.data or "", tuple(personal))
        if problem:
            raise ValidationError(problem)
