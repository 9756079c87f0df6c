"""Console forms (English, like the console; not extracted for translation): R&D challenges."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from ..challenges.forms import optional_int
from ..challenges.models import Confidentiality
from ..core.forms import Limit


class ChallengeTransitionForm(FlaskForm):
    status = SelectField(
        "Move to", validators=[DataRequired(message="Choose the next step.")], validate_choice=False
    )
    note = TextAreaField(
        "Note to the partner (shown on their timeline and in the email)", validators=[Limit(2000)]
    )
    reason = TextAreaField("Reason for declining (the partner reads it)", validators=[Limit(2000)])


class ChallengeOwnerForm(FlaskForm):
    owner_id = SelectField("Owner", coerce=optional_int, validators=[Optional()], validate_choice=False)


class ChallengeConfidentialityForm(FlaskForm):
    confidentiality = SelectField(
        "Confidentiality",
        choices=[SelectChoice(c.value, c.label) for c in Confidentiality],
        validators=[DataRequired()],
    )
    teaser = StringField("Anonymised teaser (names no company)", validators=[Limit(300)])
    call_summary = TextAreaField("Open call summary (what researchers read)", validators=[Limit(3000)])


class ChallengeShareForm(FlaskForm):
    researcher_id = SelectField(
        "Researcher",
        coerce=optional_int,
        validators=[DataRequired(message="Choose a researcher.")],
        validate_choice=False,
    )


class ChallengeStaffMessageForm(FlaskForm):
    body = TextAreaField("Message", validators=[DataRequired(message="Write a message first."), Limit(5000)])
    internal = BooleanField("Internal note (staff only, never shown to the partner or researchers)")


class ChallengeProposeForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    object_id = HiddenField(validators=[DataRequired()])
    note = TextAreaField("Why it fits (the partner reads it)", validators=[Limit(2000)])
