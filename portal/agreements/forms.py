"""Forms for signing, verifying, and (staff) preparing agreements and editing templates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import BoundedIntegerField, DayField, Limit
from .models import AgreementKind
from .rendering import MAX_BODY_CHARS
from .templates import LANGUAGES


class SignForm(FlaskForm):
    full_name = StringField(
        _l("Your full name"),
        validators=[DataRequired(_l("Type your full name as your signature.")), Limit(120)],
        description=_l("Typing your name is your electronic signature."),
    )
    other_name = BooleanField(_l("I sign with this name, which is not the name on my account"))
    title = StringField(_l("Your position"), validators=[DataRequired(_l("Type your position.")), Limit(120)])
    confirm = BooleanField(
        _l("I have read the document and I am authorised to sign it for my organisation"),
        validators=[DataRequired(_l("Confirm that you have authority to sign."))],
    )
    document_sha256 = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])


class VerifyForm(FlaskForm):
    document = FileField(_l("The PDF file"))
    number = StringField(_l("Agreement number"), validators=[Optional(), Limit(24)])
    sha256 = StringField(_l("SHA-256 fingerprint"), validators=[Optional(), Limit(100)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason: it stays on the record.")), Limit(2000)],
    )


def kind_choices() -> dict[str, str]:
    """The kinds by name, in the reader's language (WTForms calls this when it builds the form)."""
    return {k.value: k.display_label for k in AgreementKind}


class AgreementForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=kind_choices)
    title = StringField(
        _l("Title"), validators=[Optional(), Limit(200)], description=_l("Empty: the kind's name.")
    )
    language = SelectField(_l("Language"), choices=dict(LANGUAGES))
    start_on = DayField(
        _l("Starts on"), validators=[Optional()], description=_l("Empty: the day it is issued.")
    )
    term_months = BoundedIntegerField(
        _l("Term (months)"),
        default=12,
        validators=[
            InputRequired(_l("Give the term in months.")),
            NumberRange(1, 120, _l("Between 1 and 120.")),
        ],
    )
    subject = StringField(
        _l("Subject"),
        validators=[Optional(), Limit(200)],
        description=_l("The technology or the project."),
    )
    purpose = StringField(
        _l("Purpose"),
        validators=[Optional(), Limit(300)],
        description=_l("What the exchange or the work is for."),
    )
    field_of_use = StringField(_l("Field of use"), validators=[Optional(), Limit(200)])
    territory = StringField(_l("Territory"), validators=[Optional(), Limit(200)])
    exclusive = BooleanField(_l("Exclusive"))
    upfront_fee = StringField(
        _l("Upfront or option fee"),
        validators=[Optional(), Limit(60)],
        description=_l("e.g. EUR 15,000"),
    )
    royalty = StringField(
        _l("Royalty"), validators=[Optional(), Limit(100)], description=_l("e.g. 3 % of net sales")
    )
    option_months = BoundedIntegerField(
        _l("Option period (months)"),
        default=0,
        validators=[Optional(), NumberRange(0, 36, _l("Between 0 and 36."))],
    )
    budget = StringField(_l("Budget"), validators=[Optional(), Limit(60)], description=_l("e.g. EUR 120,000"))
    lead_researcher = StringField(_l("Lead researcher"), validators=[Optional(), Limit(120)])
    special_conditions = TextAreaField(_l("Special conditions"), validators=[Optional(), Limit(2000)])


# Which of the form's fields each kind prints (the others are hidden for that kind).
KIND_FIELDS = {
    AgreementKind.PARTNERSHIP: ["special_conditions"],
    AgreementKind.NDA: ["purpose", "special_conditions"],
    AgreementKind.LICENCE: [
        "subject",
        "field_of_use",
        "territory",
        "exclusive",
        "upfront_fee",
        "royalty",
        "option_months",
        "special_conditions",
    ],
    AgreementKind.COLLABORATION: ["subject", "purpose", "lead_researcher", "budget", "special_conditions"],
}


class TemplateForm(FlaskForm):
    title = StringField(_l("Title printed on the agreement"), validators=[DataRequired(), Limit(200)])
    effective_on = DayField(
        _l("Effective from"),
        validators=[InputRequired(_l("Give the date from which this version applies."))],
        description=_l("New agreements use the latest published version whose date has come."),
    )
    change_note = StringField(
        _l("What changed"), validators=[Optional(), Limit(255)], description=_l("Kept with the version.")
    )
    body = TextAreaField(
        _l("Text (HTML with fields)"),
        validators=[DataRequired(_l("The text cannot be empty.")), Limit(MAX_BODY_CHARS)],
    )


class NewVersionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=kind_choices)
    language = SelectField(_l("Language"), choices=dict(LANGUAGES))


class StandingCountersignatureForm(FlaskForm):
    template = SelectField(
        _l("Template version"),
        validators=[DataRequired(message=_l("Choose a published template version."))],
        validate_choice=False,
    )
    tier = SelectField(
        _l("Membership tier"), validators=[DataRequired(message=_l("Choose a tier."))], validate_choice=False
    )
    signer = SelectField(
        _l("Who signs"),
        validators=[DataRequired(message=_l("Choose an administrator."))],
        validate_choice=False,
        description=_l("An administrator, who may countersign."),
    )
    title = StringField(
        _l("Their title"),
        validators=[DataRequired(), Limit(120)],
        description=_l("As the agreement prints it."),
    )
    valid_until = DayField(_l("Valid until"), validators=[DataRequired(message=_l("Enter a date."))])
