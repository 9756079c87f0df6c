"""Helpers shared by every form."""

from __future__ import annotations

from flask_wtf import FlaskForm

from .errors import DomainError


def apply_domain_error(form: FlaskForm, exc: DomainError) -> None:
    """Put a service's refusal next to the field it concerns, or at the top of the form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)
