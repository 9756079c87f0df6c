"""Helpers shared by every form."""

from __future__ import annotations

from flask_wtf import FlaskForm
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


COUNTRY_MESSAGE = "Choose the country where your company is registered."


def valid_country(form, field) -> None:
    """A WTForms validator: an ISO 3166-1 alpha-2 code."""
    if field.data and not is_country_code(field.data):
        raise ValidationError(COUNTRY_MESSAGE)


class ConfirmForm(FlaskForm):
    """An empty form: a POST with a CSRF token (logout, deactivate, revoke...)."""
