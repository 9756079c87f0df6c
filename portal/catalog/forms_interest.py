"""The licensing interest form (partners)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..core.forms import Limit


class InterestForm(FlaskForm):
    intended_use = TextAreaField(
        _l("What would you use the technology for?"),
        validators=[DataRequired(_l("Say what you would use the technology for.")), Limit(4000)],
        description=_l("The product, process or service, and the problem it solves for you."),
    )
    field_of_use = StringField(
        _l("Field of use"),
        validators=[Optional(), Limit(200)],
        description=_l("For example: medical imaging, automotive sensors."),
    )
    territory = StringField(
        _l("Territory"),
        validators=[Optional(), Limit(200)],
        description=_l("Where you would make or sell it: countries, regions or worldwide."),
    )
    timeline = StringField(
        _l("Timeline"),
        validators=[Optional(), Limit(200)],
        description=_l("When you would like to start, and to reach the market."),
    )
    message = TextAreaField(
        _l("Message to the Technology Transfer Office"),
        validators=[Optional(), Limit(4000)],
        description=_l("Anything else: questions, the licence you have in mind, who else to involve."),
    )
