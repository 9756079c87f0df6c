"""The licensee's form (a reporting duty marked as submitted) and the percentage field the console's
licence and spin-off forms share (the console's forms live with its views)."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import Limit


class ReportSubmitForm(FlaskForm):
    report_id = HiddenField()
    note = TextAreaField(
        _l("How you sent the report"),
        validators=[Optional(), Limit(2000)],
        description=_l("For example: emailed to our contact at the Technology Transfer Office on 3 March."),
    )


_PERCENT = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


class PercentField(DecimalField):
    """A percentage typed as people write it ("3.5", "3,5", "3.5 %"), with a message for each
    mistake; 0 to 100, at most three decimals. Shown back as typed."""

    def __init__(self, *args, places: int = 3, **kwargs) -> None:
        super().__init__(*args, places=None, **kwargs)
        self.max_places = places

    def process_formdata(self, valuelist: list) -> None:
        if not valuelist:
            return
        self.raw_data = valuelist
        text = (valuelist[0] or "").replace("%", "").replace("\u00a0", " ").strip()
        if not text:
            self.data = None
            return
        self.data = None
        if not _PERCENT.fullmatch(text):
            raise ValueError(_("Enter a percentage with digits only, like 3.5."))
        value = Decimal(text.replace(",", "."))
        if not Decimal(0) <= value <= Decimal(100):
            raise ValueError(_("Enter a percentage between 0 and 100."))
        if -value.as_tuple().exponent > self.max_places:  # type: ignore[operator]
            raise ValueError(_("Use at most %(places)s decimals.", places=self.max_places))
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data.normalize():f}"
