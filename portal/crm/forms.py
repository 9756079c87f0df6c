"""The CRM's forms: the public enquiry form (translated) and the console's pipeline forms (English,
like the rest of the console)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Optional

from ..auth.forms import email_field
from ..challenges.forms import optional_int
from ..core.countries import country_choices
from ..core.forms import COUNTRY_MESSAGE, AmountField, BoundedIntegerField, DayField, Limit, valid_country
from ..core.widgets import FastSelect
from .models import ProspectSource, ProspectStage
from .services.pipeline import CURRENCIES, OPEN_STAGES

HONEYPOT = "extra_reference"  # a field people never see nor fill; bots fill every field


class EnquiryForm(FlaskForm):
    company = StringField(
        _l("Company"),
        validators=[DataRequired(_l("Enter your company's name.")), Limit(200)],
        render_kw={"autocomplete": "organization"},
    )
    country = SelectField(
        _l("Country"),
        validators=[DataRequired(message=COUNTRY_MESSAGE), valid_country],
        validate_choice=False,
        widget=FastSelect(),
    )
    contact_name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Limit(120)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field(_l("Work email address"))
    interest = StringField(
        _l("What interests you"),
        validators=[DataRequired(_l("Say in a few words what interests you.")), Limit(200)],
        description=_l("For example: a joint project on sensor fusion, or a licence for a technology."),
    )
    message = TextAreaField(
        _l("Message"),
        validators=[Optional(), Limit(4000)],
        description=_l("Anything that helps us answer: your question, timing, budget, who else to involve."),
    )
    extra_reference = StringField(_l("Leave this field empty"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = {"": _("Choose a country…"), **dict(country_choices())}


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _stage_choices(stages) -> list[SelectChoice]:
    return choices((s.value, s.label) for s in stages)


class ProspectForm(FlaskForm):
    company = StringField("Company", validators=[DataRequired("Enter the company's name."), Limit(200)])
    country = SelectField(
        "Country", validators=[Optional(), valid_country], validate_choice=False, widget=FastSelect()
    )
    website = StringField(
        "Website", validators=[Optional(), Limit(255)], description="For example acme.example."
    )
    contact_name = StringField("Contact", validators=[Optional(), Limit(120)])
    contact_email = StringField(
        "Contact email", validators=[Optional(), Email("Enter a valid email address."), Limit(254)]
    )
    interest = StringField("Interest", validators=[Optional(), Limit(200)])
    message = TextAreaField("Notes", validators=[Optional(), Limit(4000)])
    stage = SelectField("Stage", choices=_stage_choices(OPEN_STAGES), default=ProspectStage.IDENTIFIED.value)
    source = SelectField(
        "Source",
        choices=choices((s.value, s.label) for s in ProspectSource if s is not ProspectSource.ENQUIRY),
        default=ProspectSource.STAFF.value,
    )
    model_id = SelectField(
        "Collaboration model", coerce=optional_int, validators=[Optional()], validate_choice=False
    )
    expected_tier_id = SelectField(
        "Expected tier", coerce=optional_int, validators=[Optional()], validate_choice=False
    )
    expected_value = AmountField(
        "Expected value", validators=[Optional()], description="Per year, or for the deal."
    )
    currency = SelectField("Currency", choices=choices((c, c) for c in CURRENCIES), default="EUR")
    owner_id = SelectField("Owner", coerce=optional_int, validators=[Optional()], validate_choice=False)
    next_action = StringField("Next action", validators=[Optional(), Limit(200)])
    next_action_on = DayField("Next action on", validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = {"": "No country", **dict(country_choices())}


class MoveForm(FlaskForm):
    stage = SelectField(
        "Move to", validators=[DataRequired("Choose the stage to move to.")], validate_choice=False
    )
    reason = StringField(
        "Reason (when lost)",
        validators=[Optional(), Limit(500)],
        description="Needed when the prospect is lost: price, timing, chose a competitor …",
    )


class LinkForm(FlaskForm):
    organisation_id = BoundedIntegerField("Organisation number", validators=[Optional()])


class SignupProspectForm(FlaskForm):
    organisation_id = BoundedIntegerField("Organisation", validators=[Optional()])


class CollaborationModelForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), Limit(120)])
    slug = StringField(
        "Address",
        validators=[DataRequired("Enter the page's address."), Limit(80)],
        description="The page's address: /collaborate/<address>. Lower-case letters, digits and hyphens.",
    )
    summary = TextAreaField(
        "Summary", validators=[Optional(), Limit(500)], description="One or two sentences."
    )
    suits = TextAreaField("Who it suits", validators=[Optional(), Limit(2000)])
    duration = StringField("Typical duration", validators=[Optional(), Limit(200)])
    cost = StringField("Typical cost", validators=[Optional(), Limit(200)])
    partner_gets = TextAreaField("What the partner gets", validators=[Optional(), Limit(2000)])
    example = TextAreaField("An example", validators=[Optional(), Limit(2000)])
    display_order = BoundedIntegerField("Order", validators=[Optional()], default=0)
    published = BooleanField("Published on /collaborate", default=True)
