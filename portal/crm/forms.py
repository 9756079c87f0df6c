"""The CRM's public form: the enquiry form of a collaboration model (the console's pipeline forms
live with their views in admin/views/crm_pipeline.py, in English like the rest of the console)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from ..auth.forms import email_field
from ..core.countries import country_choices
from ..core.forms import COUNTRY_MESSAGE, Limit, valid_country
from ..core.widgets import FastSelect

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
    extra_reference = StringField(
        _l("Leave this field empty"), validators=[Optional(), Limit(200, counter=False)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = {"": _("Choose a country…"), **dict(country_choices())}


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]
