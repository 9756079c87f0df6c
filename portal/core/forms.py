"""Helpers shared by every form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import ValidationError

from .countries import is_country_code
from .errors import DomainError


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
