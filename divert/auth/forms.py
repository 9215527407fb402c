"""Sign-in, password and API token forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import EqualTo, Length

from divert.auth.password_policy import MIN_LENGTH, StrongPassword
from divert.formfields import Required, options
from divert.widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)


def _your_email() -> StringField:
    return StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[Required(message="Enter your email address")],
    )


class SignInForm(FlaskForm):
    email = _your_email()
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[Required(message="Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def _new_password() -> PasswordField:
    return PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_LENGTH} characters; three random words work well",
        validators=[Required(message="Enter a new password"), StrongPassword()],
    )


def _confirm_password() -> PasswordField:
    return PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            Required(message="Confirm your new password"),
            EqualTo("new_password", message="The passwords do not match"),
        ],
    )


class SetPasswordForm(FlaskForm):
    """Choosing a password from an invitation or reset link."""

    new_password = _new_password()
    confirm_password = _confirm_password()
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[Required(message="Enter your current password")],
    )
    new_password = _new_password()
    confirm_password = _confirm_password()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = _your_email()
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


LIFETIMES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("never", "Does not expire")]


class ApiTokenForm(FlaskForm):
    name = StringField(
        "What the token is for",
        widget=GovTextInput(),
        description="For example, the force's records system. Only you and managers see this",
        validators=[
            Required(message="Enter what the token is for"),
            Length(max=80, message="Name must be 80 characters or fewer"),
        ],
    )
    expires = RadioField(
        "When it stops working",
        widget=GovRadioInput(),
        choices=options(LIFETIMES),
        default="90",
        validators=[Required(message="Choose when the token stops working")],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())
