"""Organisation profile and colleague management forms."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField, URLField
from wtforms.validators import URL, DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.forms import email_field, new_password_fields
from ..core.countries import country_choices
from ..core.forms import COUNTRY_MESSAGE, Limit, valid_country
from ..core.widgets import FastSelect
from .models import ORG_ROLE_LABELS, SECTOR_LABELS, OrgRole, SizeBand

ROLE_CHOICES = {role.value: label for role, label in ORG_ROLE_LABELS.items()}


def _choices(labels: dict) -> list[SelectChoice]:
    """Choices with lazy (translated) labels: a dict of them would be taken for WTForms' legacy
    optgroup shape, which wants plain strings."""
    return [SelectChoice(value=value, label=label) for value, label in labels.items()]


ROLE_HELP = _l(
    "Owners manage colleagues and the company profile; the legal signatory signs agreements; "
    "the billing contact receives invoices; members use the portal."
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OrganisationForm(FlaskForm):
    legal_name = StringField(_l("Legal name"), validators=[DataRequired(), Limit(200)])
    trading_name = StringField(
        _l("Trading name"), validators=[Limit(200)], description=_l("If different from the legal name.")
    )
    country = SelectField(
        _l("Country of registration"),
        validators=[DataRequired(message=COUNTRY_MESSAGE), valid_country],
        validate_choice=False,
        widget=FastSelect(),
    )
    registration_number = StringField(_l("Company registration number"), validators=[Limit(64)])
    vat_number = StringField(
        _l("VAT number"),
        validators=[Limit(32)],
        description=_l("For EU companies, with the country prefix."),
    )
    address_line1 = StringField(_l("Street address"), validators=[Limit(200)])
    address_line2 = StringField(_l("Address line 2"), validators=[Limit(200)])
    postcode = StringField(_l("Postcode"), validators=[Limit(20)])
    city = StringField(_l("City"), validators=[Limit(100)])
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Enter a full address, like https://example.com.")),
            Limit(255),
        ],
    )
    sector = SelectField(_l("Sector"), choices=_choices({"": _l("Choose a sector…"), **SECTOR_LABELS}))
    size_band = SelectField(
        _l("Company size"),
        choices=_choices({"": _l("Choose a size…"), **{b.value: b.label for b in SizeBand}}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = {"": _("Choose a country…"), **dict(country_choices())}


class InviteForm(FlaskForm):
    email = email_field(_l("Colleague's email address"))
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=_choices(ROLE_CHOICES),
        default=[OrgRole.MEMBER.value],
        validators=[DataRequired(message=_l("Choose at least one role."))],
        description=ROLE_HELP,
    )


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=_choices(ROLE_CHOICES),
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )


class SignupForm(FlaskForm):
    legal_name = StringField(
        _l("Company legal name"),
        validators=[DataRequired(), Limit(200)],
        description=_l("As registered, for example “Acme Robotics GmbH”."),
        render_kw={"autocomplete": "organization"},
    )
    country = SelectField(
        _l("Country of registration"),
        validators=[DataRequired(message=COUNTRY_MESSAGE), valid_country],
        validate_choice=False,
        widget=FastSelect(),
    )
    full_name = StringField(
        _l("Your full name"), validators=[DataRequired(), Limit(120)], render_kw={"autocomplete": "name"}
    )
    job_title = StringField(
        _l("Job title"), validators=[Limit(120)], render_kw={"autocomplete": "organization-title"}
    )
    email = email_field(_l("Work email address"))
    password, confirm = new_password_fields()
    accept = BooleanField(
        _l("I agree that the TTO stores these details to manage the partnership."),
        validators=[DataRequired(message=_l("Please agree so that we can create your account."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = {"": _("Choose a country…"), **dict(country_choices())}


class AcceptInvitationForm(FlaskForm):
    full_name = StringField(
        _l("Your full name"), validators=[DataRequired(), Limit(120)], render_kw={"autocomplete": "name"}
    )
    job_title = StringField(_l("Job title"), validators=[Limit(120)])
    password, confirm = new_password_fields()
    accept = BooleanField(
        _l("I agree that the TTO stores these details to manage the partnership."),
        validators=[DataRequired(message=_l("Please agree so that we can create your account."))],
    )
