"""Helpers shared by every form."""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField
from wtforms.validators import Length, StopValidation, ValidationError

from .countries import is_country_code
from .errors import DomainError
from .i18n import format_count, month_name


def apply_domain_error(form: FlaskForm, exc: DomainError) -> None:
    """Put a service's refusal next to the field it concerns, or at the top of the form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


COUNTRY_MESSAGE = _l("Choose the country where your company is registered.")


def valid_country(form, field) -> None:
    """A WTForms validator: an ISO 3166-1 alpha-2 code."""
    if field.data and not is_country_code(field.data):
        raise ValidationError(COUNTRY_MESSAGE)


class ConfirmForm(FlaskForm):
    """An empty form: a POST with a CSRF token (logout, deactivate, revoke...)."""


# The widest integer every engine stores (PostgreSQL's `integer`); ids and form numbers above it are
# refused here and in the URL converter (core.web.IdConverter), never by a database error.
MAX_INT = 2**31 - 1


def bounded_int(value: object, minimum: int = -MAX_INT) -> int | None:
    """An integer from a query or form value, or None when it is missing, not a number or out of range."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if minimum <= number <= MAX_INT else None


class BoundedIntegerField(IntegerField):
    """An IntegerField that refuses numbers a database column cannot hold, with a message."""

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data is not None and not -MAX_INT <= self.data <= MAX_INT:
            raise ValidationError(_("Enter a smaller number."))


class AmountError(ValueError):
    pass


_SPACES = re.compile("[\\s\u00a0\u202f'\u2019]")  # spaces and apostrophes between thousands


def parse_amount(text: str) -> Decimal:
    """An amount as people type it, in any of the three languages: "6050,00", "6,050.00",
    "6 050,00", "6.050,00", "6050". A lone separator followed by three digits ("10.005") could be
    a thousands separator or a decimal point: refused rather than guessed. At most two decimals."""
    value = _SPACES.sub("", text or "")
    if not value:
        raise AmountError(_("Enter an amount."))
    if not re.fullmatch(r"[+-]?[\d.,]+", value):
        raise AmountError(_("Enter an amount with digits only, like 6050.00 or 6 050,00."))
    separators = [c for c in value if c in ".,"]
    decimal = None
    if len(set(separators)) == 2:
        decimal = value[max(value.rfind("."), value.rfind(","))]
    elif len(separators) == 1:
        after = len(value) - value.rfind(separators[0]) - 1
        if after == 3:
            raise AmountError(
                _(
                    "“%(value)s” could mean two amounts: write it with two decimals, like %(thousands)s or "
                    "%(small)s.",
                    value=text.strip(),
                    thousands=value.replace(separators[0], "") + ".00",
                    small=value.replace(separators[0], ".")[: value.rfind(separators[0]) + 3],
                )
            )
        decimal = separators[0]
    whole, _sep, fraction = value.rpartition(decimal) if decimal else (value, "", "")
    if decimal is None:
        whole, fraction = value, ""
    groups = re.split(r"[.,]", whole)
    if len(groups) > 1 and (not groups[0].lstrip("+-") or any(len(g) != 3 for g in groups[1:])):
        raise AmountError(_("Group the thousands in threes, like 6,050,000.00 or 6 050 000,00."))
    if len(fraction) > 2:
        raise AmountError(_("Use at most two decimals."))
    return Decimal("".join(groups) + ("." + fraction if fraction else ""))


class AmountField(DecimalField):
    """A money amount typed as the reader writes it (parse_amount), with a message for each mistake;
    shown back with two decimals."""

    def process_formdata(self, valuelist: list) -> None:
        if not valuelist:
            return
        self.raw_data = valuelist
        if not _SPACES.sub("", valuelist[0] or ""):
            self.data = None  # empty: the field's DataRequired says what is missing
            return
        try:
            self.data = parse_amount(valuelist[0])
        except (AmountError, InvalidOperation) as exc:
            self.data = None
            raise ValueError(str(exc) if isinstance(exc, AmountError) else _("Enter an amount.")) from exc


def entry_length(text: str | None) -> int:
    """The length of an entry as the reader sees it: characters (code points), a line break as one,
    however the browser sent it. site.js's counter counts the same way."""
    return len((text or "").replace("\r\n", "\n"))


class NeededToSubmit:
    """Marks a field a draft may leave empty but a submission needs: the label says "(needed to
    submit)" instead of "(optional)"; the service that submits checks it."""

    field_flags = {"needed_to_submit": True}

    def __call__(self, form: FlaskForm, field) -> None:
        return None


class Limit(Length):
    """The one validator for a text field's maximum (issue 10, point 13): "At most 200 characters;
    this has 245." The entry comes back whole with the message; nothing is cut. The field macro
    renders the limit as `data-limit` and a counter, never as `maxlength` (browsers cut at it
    silently). `counter=False` for short codes, where a counter is only noise."""

    def __init__(self, max: int, counter: bool = True) -> None:
        super().__init__(max=max)
        if not counter:
            self.field_flags["quiet_limit"] = True

    def __call__(self, form: FlaskForm, field) -> None:
        length = entry_length(field.data if isinstance(field.data, str) else None)
        if length > self.max:
            raise ValidationError(
                _(
                    "At most %(max)s characters; this has %(length)s.",
                    max=format_count(self.max),
                    length=format_count(length),
                )
            )


_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def read_day(text: str) -> date:
    """A calendar day written YYYY-MM-DD (what a date input sends), or a ValueError whose message
    says what is wrong: unreadable, no such month, or no such day in that month ("There is no
    30 February 2026.")."""
    found = _DAY.fullmatch(text.strip())
    if not found:
        raise ValueError(_("Enter a date as YYYY-MM-DD, like 2026-04-30."))
    year, month, day = (int(part) for part in found.groups())
    if year < 1:
        raise ValueError(_("Enter a date as YYYY-MM-DD, like 2026-04-30."))
    if not 1 <= month <= 12:
        raise ValueError(_("There is no month %(month)s: months go from 01 to 12 (YYYY-MM-DD).", month=month))
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(
            _(
                "There is no %(day)s %(month)s %(year)s: that month has %(last)s days.",
                day=day,
                month=month_name(month),
                year=year,
                last=last,
            )
        )
    return date(year, month, day)


class DayField(DateField):
    """A calendar date with a message of its own for each mistake (issue 10, point 12): WTForms'
    DateField says "Not a valid date value." for 2026-02-30 as for garbage, and DataRequired then
    replaces either with "This field is required."). Empty is left to the field's DataRequired,
    InputRequired or Optional."""

    def process_formdata(self, valuelist: list) -> None:
        if not valuelist:
            return
        self.data = None
        text = " ".join(valuelist).strip()
        if text:
            self.data = read_day(text)

    def pre_validate(self, form: FlaskForm) -> None:
        if self.process_errors:
            raise StopValidation()  # what was typed is wrong: say that, not "required"
