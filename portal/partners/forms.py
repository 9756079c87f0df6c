"""Organisation profile and colleague management forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.forms import email_field, new_password_fields
from ..core.countries import country_choices
from ..core.forms import COUNTRY_MESSAGE, valid_country
from ..core.widgets import FastSelect
from .models import ORG_ROLE_LABELS, SECTORS, OrgRole, SizeBand

ROLE_CHOICES = {role.value: label for role, label in ORG_ROLE_LABELS.items()}
ROLE_HELP = (
    "Owners manage colleagues and the company profile; the legal signatory signs agreements; "
    "the billing contact receives invoices; members use the portal."
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OrganisationForm(FlaskForm):
    legal_name = StringField("Legal name", validators=[DataRequired(), Length(max=200)])
    trading_name = StringField(
        "Trading name", validators=[Length(max=200)], description="If different from the legal name."
    )
    country = SelectField(
        "Country of registration",
        validators=[DataRequired(message=COUNTRY_MESSAGE), valid_country],
        validate_choice=False,
        widget=FastSelect(),
    )
    registration_number = StringField("Company registration number", validators=[Length(max=64)])
    vat_number = StringField(
        "VAT number", validators=[Length(max=32)], description="For EU companies, with the country prefix."
    )
    address_line1 = StringField("Street address", validators=[Length(max=200)])
    address_line2 = StringField("Address line 2", validators=[Length(max=200)])
    postcode = StringField("Postcode", validators=[Length(max=20)])
    city = StringField("City", validators=[Length(max=100)])
    website = URLField(
        "Website",
        validators=[
            Optional(),
            URL(message="Enter a full address, like https://example.com."),
            Length(max=255),
        ],
    )
    sector = SelectField("Sector", choices={"": "Choose a sector…", **{s: s for s in SECTORS}})
    size_band = SelectField(
        "Company size", choices={"": "Choose a size…", **{b.value: b.label for b in SizeBand}}
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = {"": "Choose a country…", **dict(country_choices())}


class InviteForm(FlaskForm):
    email = email_field("Colleague's email address")
    roles = MultiCheckboxField(
        "Roles",
        choices=ROLE_CHOICES,
        default=[OrgRole.MEMBER.value],
        validators=[DataRequired(message="Choose at least one role.")],
        description=ROLE_HELP,
    )


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(
        "Roles", choices=ROLE_CHOICES, validators=[DataRequired(message="Choose at least one role.")]
    )


class SignupForm(FlaskForm):
    legal_name = StringField(
        "Company legal name",
        validators=[DataRequired(), Length(max=200)],
        description="As registered, for example “Acme Robotics GmbH”.",
        render_kw={"autocomplete": "organization"},
    )
    country = SelectField(
        "Country of registration",
        validators=[DataRequired(message=COUNTRY_MESSAGE), valid_country],
        validate_choice=False,
        widget=FastSelect(),
    )
    full_name = StringField(
        "Your full name", validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name"}
    )
    job_title = StringField(
        "Job title", validators=[Length(max=120)], render_kw={"autocomplete": "organization-title"}
    )
    email = email_field("Work email address")
    password, confirm = new_password_fields()
    accept = BooleanField(
        "I agree that the TTO stores these details to manage the partnership.",
        validators=[DataRequired(message="Please agree so that we can create your account.")],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = {"": "Choose a country…", **dict(country_choices())}


class AcceptInvitationForm(FlaskForm):
    full_name = StringField(
        "Your full name", validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name"}
    )
    job_title = StringField("Job title", validators=[Length(max=120)])
    password, confirm = new_password_fields()
    accept = BooleanField(
        "I agree that the TTO stores these details to manage the partnership.",
        validators=[DataRequired(message="Please agree so that we can create your account.")],
    )
