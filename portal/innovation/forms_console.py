"""The console's innovation forms (English, like the console): a disclosure made by staff on a
researcher's behalf, the assessment, patent family, application, copyright / know-how record."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..core.forms import DayField, Limit
from .forms import DisclosureForm, optional_int
from .models import ApplicationKind, ApplicationStatus, IpRecordKind, Recommendation


class StaffDisclosureForm(DisclosureForm):
    funding_organisation_id = SelectField(
        "Funding partner organisation", coerce=optional_int, validators=[Optional()], validate_choice=False
    )
    funding_agreement_id = SelectField(
        "Funding agreement", coerce=optional_int, validators=[Optional()], validate_choice=False
    )


def _score(label: str) -> SelectField:
    return SelectField(
        label,
        choices={"": "Score"} | {str(n): str(n) for n in range(1, 6)},
        validators=[DataRequired(message="Score from 1 to 5.")],
    )


class AssessmentForm(FlaskForm):
    novelty = _score("Novelty")
    inventive_step = _score("Inventive step")
    market = _score("Market")
    ip_strength = _score("IP strength")
    team = _score("Team")
    recommendation = SelectField(
        "Recommendation",
        choices={"": "Choose"} | {r.value: r.label for r in Recommendation},
        validators=[DataRequired(message="Choose a recommendation.")],
    )
    note = TextAreaField(
        "Note to the inventors",
        validators=[Limit(5000)],
        description="Sent to the inventors with the decision.",
    )


class FamilyForm(FlaskForm):
    reference = StringField("Docket reference", validators=[DataRequired(), Limit(40, counter=False)])
    title = StringField("Title", validators=[DataRequired(), Limit(200)])
    disclosure_id = SelectField(
        "Disclosure", coerce=optional_int, validators=[Optional()], validate_choice=False
    )
    officer_id = SelectField(
        "Responsible officer", coerce=optional_int, validators=[Optional()], validate_choice=False
    )
    note = TextAreaField("Note", validators=[Limit(5000)])


class PatentApplicationForm(FlaskForm):
    kind = SelectField(
        "Kind", choices={k.value: k.label for k in ApplicationKind}, validators=[DataRequired()]
    )
    office = StringField(
        "Office",
        validators=[DataRequired(), Limit(10, counter=False)],
        description="EP, US, DE, GB, WO (PCT)...",
    )
    country = StringField("Country (ISO code)", validators=[Limit(2, counter=False)])
    application_number = StringField("Application number", validators=[Limit(40, counter=False)])
    publication_number = StringField("Publication number", validators=[Limit(40, counter=False)])
    filing_date = DayField("Filing date", validators=[DataRequired(message="Give the filing date.")])
    priority_date = DayField(
        "Priority date", validators=[Optional()], description="The earliest priority claimed."
    )
    grant_date = DayField("Grant date", validators=[Optional()])
    status = SelectField(
        "Status", choices={s.value: s.label for s in ApplicationStatus}, validators=[DataRequired()]
    )


class IpRecordForm(FlaskForm):
    kind = SelectField("Kind", choices={k.value: k.label for k in IpRecordKind}, validators=[DataRequired()])
    title = StringField("Title", validators=[DataRequired(), Limit(200)])
    registration = StringField(
        "Registration or location",
        validators=[Limit(120)],
        description="Deposit number, repository, version.",
    )
    record_date = DayField("Date", validators=[Optional()])
    description = TextAreaField("Description", validators=[Limit(5000)])


class DeadlineDoneForm(FlaskForm):
    key = HiddenField(validators=[DataRequired()])
