"""Forms for signing, verifying, and (staff) preparing agreements and editing templates."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import BoundedIntegerField
from .models import AgreementKind
from .rendering import MAX_BODY_CHARS
from .templates import LANGUAGES


class SignForm(FlaskForm):
    full_name = StringField(
        "Your full name",
        validators=[DataRequired("Type your full name as your signature."), Length(min=3, max=120)],
        description="Typing your name is your electronic signature.",
    )
    title = StringField("Your position", validators=[DataRequired("Type your position."), Length(max=120)])
    confirm = BooleanField(
        "I have read the document and I am authorised to sign it for my organisation",
        validators=[DataRequired("Confirm that you have authority to sign.")],
    )
    document_sha256 = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])


class VerifyForm(FlaskForm):
    document = FileField("The PDF file")
    number = StringField("Agreement number", validators=[Optional(), Length(max=24)])
    sha256 = StringField("SHA-256 fingerprint", validators=[Optional(), Length(max=100)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Give the reason: it stays on the record."), Length(max=2000)]
    )


KIND_CHOICES = {k.value: k.label for k in AgreementKind}


class AgreementForm(FlaskForm):
    kind = SelectField("Kind", choices=KIND_CHOICES)
    title = StringField(
        "Title", validators=[Optional(), Length(max=200)], description="Empty: the kind's name."
    )
    language = SelectField("Language", choices=dict(LANGUAGES))
    start_on = DateField("Starts on", validators=[Optional()], description="Empty: the day it is issued.")
    term_months = BoundedIntegerField(
        "Term (months)",
        default=12,
        validators=[InputRequired("Give the term in months."), NumberRange(1, 120, "Between 1 and 120.")],
    )
    subject = StringField(
        "Subject", validators=[Optional(), Length(max=200)], description="The technology or the project."
    )
    purpose = StringField(
        "Purpose",
        validators=[Optional(), Length(max=300)],
        description="What the exchange or the work is for.",
    )
    field_of_use = StringField("Field of use", validators=[Optional(), Length(max=200)])
    territory = StringField("Territory", validators=[Optional(), Length(max=200)])
    exclusive = BooleanField("Exclusive")
    upfront_fee = StringField(
        "Upfront or option fee", validators=[Optional(), Length(max=60)], description="e.g. EUR 15,000"
    )
    royalty = StringField(
        "Royalty", validators=[Optional(), Length(max=100)], description="e.g. 3 % of net sales"
    )
    option_months = BoundedIntegerField(
        "Option period (months)", default=0, validators=[Optional(), NumberRange(0, 36, "Between 0 and 36.")]
    )
    budget = StringField("Budget", validators=[Optional(), Length(max=60)], description="e.g. EUR 120,000")
    lead_researcher = StringField("Lead researcher", validators=[Optional(), Length(max=120)])
    special_conditions = TextAreaField("Special conditions", validators=[Optional(), Length(max=2000)])


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
    title = StringField("Title printed on the agreement", validators=[DataRequired(), Length(max=200)])
    effective_on = DateField(
        "Effective from",
        validators=[InputRequired("Give the date from which this version applies.")],
        description="New agreements use the latest published version whose date has come.",
    )
    change_note = StringField(
        "What changed", validators=[Optional(), Length(max=255)], description="Kept with the version."
    )
    body = TextAreaField(
        "Text (HTML with fields)",
        validators=[DataRequired("The text cannot be empty."), Length(max=MAX_BODY_CHARS)],
    )


class NewVersionForm(FlaskForm):
    kind = SelectField("Kind", choices=KIND_CHOICES)
    language = SelectField("Language", choices=dict(LANGUAGES))


class StandingCountersignatureForm(FlaskForm):
    template = SelectField(
        "Template version",
        validators=[DataRequired(message="Choose a published template version.")],
        validate_choice=False,
    )
    tier = SelectField(
        "Membership tier", validators=[DataRequired(message="Choose a tier.")], validate_choice=False
    )
    signer = SelectField(
        "Who signs",
        validators=[DataRequired(message="Choose an administrator.")],
        validate_choice=False,
        description="An administrator, who may countersign.",
    )
    title = StringField(
        "Their title", validators=[DataRequired(), Length(max=120)], description="As the agreement prints it."
    )
    valid_until = DateField("Valid until", validators=[DataRequired(message="Enter a date.")])
