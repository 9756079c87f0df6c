"""Catalog forms: saving a search, changing a digest's cadence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired

from ..core.forms import Limit
from .models import DigestFrequency


def frequency_choices() -> list[SelectChoice]:
    return [
        SelectChoice(value=DigestFrequency.DAILY.value, label=_l("Daily digest")),
        SelectChoice(value=DigestFrequency.WEEKLY.value, label=_l("Weekly digest")),
    ]


class SaveSearchForm(FlaskForm):
    """The search itself travels in the form's hidden fields (the /technologies parameters)."""

    name = StringField(
        _l("Name of the search"),
        validators=[DataRequired(), Limit(120)],
        description=_l("Like “Drones, TRL 6+”."),
    )
    frequency = SelectField(
        _l("Email me new matches"),
        choices=frequency_choices(),
        default=DigestFrequency.WEEKLY.value,
        validators=[DataRequired()],
    )


class FrequencyForm(FlaskForm):
    frequency = SelectField(_l("Digest"), choices=frequency_choices(), validators=[DataRequired()])
