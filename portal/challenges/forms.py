"""Challenge forms: the partner's one-page challenge, the conversation, files and answers to
proposals; a researcher's "I can help"; the console's staff forms (English, like the console)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..core.forms import Limit, NeededToSubmit
from .models import BudgetBand, Collaboration


def optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


def _enum_or_none(enum_cls):
    def coerce(value):
        if isinstance(value, enum_cls):
            return value
        try:
            return enum_cls(value) if value else None
        except ValueError:
            return None

    return coerce


class ChallengeForm(FlaskForm):
    """The one-page challenge; "Save draft" keeps it as a draft, "Submit" sends it to the TTO."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the challenge a title, even a provisional one.")),
            Limit(200),
        ],
        description=_l("One line that names the problem, like “Find lost pallets inside our warehouses”."),
    )
    problem = TextAreaField(
        _l("Problem statement"),
        validators=[NeededToSubmit(), Limit(10000)],
        description=_l("What goes wrong today, for whom, and why it matters. Your own words are best."),
    )
    desired_outcome = TextAreaField(_l("Desired outcome"), validators=[NeededToSubmit(), Limit(5000)])
    approaches_tried = TextAreaField(_l("Approaches already tried"), validators=[Limit(5000)])
    constraints = TextAreaField(
        _l("Constraints"),
        validators=[Limit(5000)],
        description=_l("Technical, regulatory or commercial limits a solution must respect."),
    )
    domain_id = SelectField(_l("Domain"), coerce=optional_int, validators=[Optional()], validate_choice=False)
    target_trl = SelectField(
        _l("Target technology readiness level"),
        coerce=optional_int,
        validators=[Optional()],
        validate_choice=False,
    )
    timeline = StringField(
        _l("Timeline"), validators=[Limit(200)], description=_l("For example “a pilot by June”.")
    )
    budget_band = SelectField(
        _l("Budget"), coerce=_enum_or_none(BudgetBand), validators=[Optional()], validate_choice=False
    )
    collaboration = SelectField(
        _l("Preferred collaboration"),
        coerce=_enum_or_none(Collaboration),
        validators=[Optional()],
        validate_choice=False,
    )
    contacts = TextAreaField(
        _l("Contacts"),
        validators=[Limit(500)],
        description=_l("Who at your company can answer questions (names, roles, phone numbers)."),
    )


class ChallengeMessageForm(FlaskForm):
    body = TextAreaField(
        _l("Message"), validators=[DataRequired(message=_l("Write a message first.")), Limit(5000)]
    )


class ChallengeWithdrawForm(FlaskForm):
    note = TextAreaField(_l("Why do you withdraw it?"), validators=[Limit(2000)])


class ChallengeFileForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file to attach."))])


class ProposalAnswerForm(FlaskForm):
    answer = HiddenField()
    feedback = TextAreaField(_l("Your feedback (optional)"), validators=[Limit(2000)])


class ResearcherAnswerForm(FlaskForm):
    note = TextAreaField(
        _l("How could you help?"),
        validators=[DataRequired(message=_l("Say in a few words how you could help.")), Limit(3000)],
    )
    expertise = StringField(_l("Relevant expertise"), validators=[Limit(300)])
