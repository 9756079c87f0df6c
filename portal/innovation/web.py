"""Request-side helpers for disclosure pages, shared by the researchers' pages and the console."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ..core.errors import DomainError
from ..core.forms import apply_domain_error
from ..extensions import db
from .forms import DisclosureForm, data_from_form
from .models import Disclosure
from .services import disclosures


def save_disclosure(form: DisclosureForm, disclosure: Disclosure | None) -> Disclosure | None:
    """Save the posted form as a new or changed draft, and submit it when "Submit" was pressed;
    commit and return the disclosure, or put the refusal on the form and return None."""
    try:
        data = data_from_form(form)
        if disclosure is None:
            disclosure = disclosures.create_draft(current_user, data)
        else:
            disclosures.update_draft(current_user, disclosure, data)
        if request.form.get("action") == "submit":
            disclosures.submit(current_user, disclosure)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return None
    db.session.commit()
    return disclosure
