"""The referral form: as few inputs as a valid referral needs, checked in GOV.UK's voice."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import Length, Optional, ValidationError

from divert.formfields import (
    EmailAddress,
    GovDateField,
    PhoneNumber,
    Required,
    dated,
    notes_field,
    options,
)
from divert.referrals import submission
from divert.referrals.submission import ADULT_AGE, age_on
from divert.widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)

NO_SLOT = "none"

GENDERS = [("", "Not recorded"), ("male", "Male"), ("female", "Female"), ("other", "Other")]
ETHNICITIES = [
    ("", "Not recorded"),
    ("White British", "White British"),
    ("White other", "White – other"),
    ("Asian or Asian British", "Asian or Asian British"),
    ("Black or Black British", "Black, Black British, Caribbean or African"),
    ("Mixed", "Mixed or multiple ethnic groups"),
    ("Other", "Other ethnic group"),
]


class PersonFields(FlaskForm):
    """Who the person is: a referral's, and a custody contact's (divert/custody)."""

    forename = StringField(
        "First name",
        widget=GovTextInput(),
        validators=[Required(message="Enter their first name"), Length(max=100)],
    )
    surname = StringField(
        "Last name",
        widget=GovTextInput(),
        validators=[Required(message="Enter their last name"), Length(max=100)],
    )
    date_of_birth = GovDateField(
        "Date of birth",
        subject="date of birth",
        description="For example, 27 3 2001",
        required_message="Enter their date of birth",
    )


class ReferralForm(PersonFields):
    phone = StringField(
        "Phone number",
        widget=GovTextInput(),
        description="A mobile is best: we text appointment reminders",
        validators=[Optional(), PhoneNumber()],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="Needed if there is no phone number",
        validators=[Optional(), EmailAddress()],
    )
    guardian_name = StringField(
        "Parent or guardian's name",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=120)],
    )
    guardian_contact = StringField(
        "Parent or guardian's phone number or email",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=254)],
    )
    offence_date = dated("date of the offence")
    crime_reference = StringField(
        "Crime or occurrence reference",
        widget=GovTextInput(),
        validators=[
            Required(message="Enter the crime or occurrence reference"),
            Length(max=40, message="Reference must be 40 characters or fewer"),
        ],
    )
    substances_found = SelectMultipleField(
        "What was found",
        widget=GovCheckboxesInput(),
        validators=[Required(message="Select what was found")],
    )
    slot = RadioField(
        "First appointment",
        widget=GovRadioInput(),
        default=NO_SLOT,
        validate_choice=False,  # a slot can fill while the form is open: checked in the view
        validators=[Required(message="Choose an appointment or leave it to the educators")],
    )
    consent_to_contact = BooleanField(
        "They agree to be contacted by the drug education service",
        widget=GovCheckboxInput(),
        validators=[Required(message="The person must agree to be contacted")],
    )
    gender = SelectField(
        "Gender (optional)", widget=GovSelect(), choices=options(GENDERS), default=""
    )
    ethnicity = SelectField(
        "Ethnicity (optional)", widget=GovSelect(), choices=options(ETHNICITIES), default=""
    )
    postcode_district = StringField(
        "Postcode district (optional)",
        widget=GovTextInput(),
        description="The first half of the postcode, for example CV34",
        validators=[Optional(), Length(max=8, message="Enter the first half of the postcode")],
    )
    notes = notes_field(2000)
    # Offered only when more than one programme fits the person's age and the disposal.
    programme = RadioField(
        "Programme", widget=GovRadioInput(), choices=[], validate_choice=False, default=""
    )
    confirm_repeat = BooleanField(
        "I have checked the earlier records and want to refer them",
        widget=GovCheckboxInput(),
    )
    same_person_elsewhere = RadioField(
        "Is this the person referred in the other area?",
        widget=GovRadioInput(),
        choices=options([("yes", "Yes, the same person"), ("no", "No, someone else")]),
        validators=[Optional()],
    )
    submission_token = HiddenField()
    submit = SubmitField("Submit referral", widget=GovSubmitInput())

    def same_person_elsewhere_answer(self) -> bool | None:
        """The officer's answer about an earlier referral in another area; None if none."""
        answer = self.same_person_elsewhere.data
        return None if answer not in ("yes", "no") else answer == "yes"

    def is_under_18(self) -> bool:
        born, offence = self.date_of_birth.data, self.offence_date.data or date.today()
        return born is not None and age_on(born, offence) < ADULT_AGE

    def validate(self, extra_validators: dict | None = None) -> bool:
        """Field checks, then the referral's rules (each message by its field), so that every
        problem shows at once; submission enforces the same rules."""
        valid = super().validate(extra_validators)
        problems = submission.problems(
            date_of_birth=self.date_of_birth.data,
            offence_date=self.offence_date.data,
            phone=self.phone.data,
            email=self.email.data,
            guardian_name=self.guardian_name.data,
            guardian_contact=self.guardian_contact.data,
            today=date.today(),
        )
        for name, message in problems.items():
            self[name].errors.append(message)
        return valid and not problems


class DisposalReferralForm(ReferralForm):
    """A referral that goes with an out-of-court disposal (a conditional caution, say): the
    disposal's date and the day the programme must be completed by."""

    disposal_on = GovDateField(
        "Date of the disposal",
        subject="date of the disposal",
        description="The day the caution or resolution was given",
        required_message="Enter the date of the disposal",
    )
    deadline_on = GovDateField(
        "Complete the programme by (optional)",
        subject="completion deadline",
        description="Leave blank for the programme's usual deadline",
    )

    def validate_disposal_on(self, field: GovDateField) -> None:
        if field.data and field.data > date.today():
            raise ValidationError("Date of the disposal must be today or in the past")

    def validate_deadline_on(self, field: GovDateField) -> None:
        given = self.disposal_on.data
        if field.data and given and field.data <= given:
            raise ValidationError("The deadline must be after the date of the disposal")
