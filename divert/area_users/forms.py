"""Inviting a user to an area and changing their membership."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import Length, Optional

from divert.formfields import EmailAddress, Required, options
from divert.models import Role
from divert.widgets import GovRadioInput, GovSubmitInput, GovTextInput

# A manager looks after the people who do the work; managers and commissioners are appointed by
# an administrator.
MANAGED_ROLES = (Role.OFFICER, Role.EDUCATOR)
ROLE_CHOICES = [(role.value, role.value.capitalize()) for role in MANAGED_ROLES]


def _role() -> RadioField:
    return RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=options(ROLE_CHOICES),
        validators=[Required(message="Select a role")],
    )


class InviteForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            Required(message="Enter the person's full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
        ],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="The invitation is sent here; it is also how they sign in",
        validators=[Required(message="Enter their email address"), EmailAddress()],
    )
    role = _role()
    collar_number = StringField(
        "Collar number (officers)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=20, message="Collar number must be 20 characters or fewer"),
        ],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class AcceptInvitationForm(FlaskForm):
    submit = SubmitField("Accept the invitation", widget=GovSubmitInput())


class MembershipForm(FlaskForm):
    role = _role()
    status = RadioField(
        "Access to this area",
        widget=GovRadioInput(),
        choices=options(
            [("active", "Active"), ("deactivated", "Deactivated – cannot sign in here")]
        ),
        validators=[Required(message="Select whether they can use this area")],
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())
