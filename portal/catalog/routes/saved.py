"""Saved searches: /technologies/saved (the user's list), saving the current search, cadence,
pause, delete, and the digest's unsubscribe link (signed, works without signing in)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ...core.errors import DomainError
from ...core.forms import ConfirmForm, apply_domain_error
from ...core.permissions import partner_required
from ...extensions import db
from .. import services as catalog
from ..forms import FrequencyForm, SaveSearchForm
from ..models import DigestFrequency
from ..services import saved as saved_searches
from .blueprint import bp

# The /technologies parameters a save form carries in hidden fields.
_SEARCH_KEYS = ("q", "domain", "ip", "option", "status", "trl_min", "trl_max", "sort")


def _search_args(source: MultiDict) -> MultiDict:
    return MultiDict([(key, value) for key in _SEARCH_KEYS for value in source.getlist(key)])


@bp.app_template_global()
def save_search_form(query: catalog.CatalogQuery) -> SaveSearchForm:
    """The save form for the search page's partial (`catalog/_save_search.html`), named after the
    words searched."""
    form = SaveSearchForm(formdata=None)
    form.name.data = query.q[:120]
    return form


def _saved_page(form: SaveSearchForm | None = None, status: int = 200, search_args: MultiDict | None = None):
    searches = saved_searches.saved_searches_of(current_user)
    domains = saved_searches.domains_by_slug()
    rows = [(s, saved_searches.describe(s.params, domains)) for s in searches]
    query = catalog.parse(search_args or MultiDict())
    return (
        render_template(
            "catalog/saved.html",
            rows=rows,
            form=form,
            query=query,
            params=catalog.query_params,
            hidden=saved_searches.saved_params(query) if form is not None else {},
            frequencies=list(DigestFrequency),
        ),
        status,
    )


@bp.route("/technologies/saved")
@partner_required
def saved():
    return _saved_page()


@bp.route("/technologies/saved/new", methods=["POST"])
@partner_required
def save_search():
    form = SaveSearchForm()
    args = _search_args(request.form)
    if form.validate_on_submit():
        try:
            saved_search = saved_searches.save_search(
                current_user, form.name.data, args, DigestFrequency(form.frequency.data)
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_cadence_message(saved_search), "success")
            return redirect(url_for("catalog.saved"))
    return _saved_page(form, 400, args)


def _cadence_message(saved_search) -> str:
    if saved_search.frequency is DigestFrequency.DAILY:
        return _("“%(name)s” is saved: new matches come by email once a day.", name=saved_search.name)
    return _("“%(name)s” is saved: new matches come by email once a week.", name=saved_search.name)


def _own_or_404(saved_search_id: int):
    found = saved_searches.own_saved_search(current_user, saved_search_id)
    if found is None:
        abort(404)
    return found


@bp.route("/technologies/saved/<int:saved_search_id>/frequency", methods=["POST"])
@partner_required
def saved_frequency(saved_search_id: int):
    saved_search = _own_or_404(saved_search_id)
    form = FrequencyForm()
    if form.validate_on_submit():
        saved_searches.set_frequency(saved_search, DigestFrequency(form.frequency.data))
        db.session.commit()
        flash(_cadence_message(saved_search), "success")
    else:
        flash(_("Choose a daily or a weekly digest."), "danger")
    return redirect(url_for("catalog.saved"))


@bp.route("/technologies/saved/<int:saved_search_id>/pause", methods=["POST"])
@partner_required
def saved_pause(saved_search_id: int):
    """Pause the digest of an active saved search, resume a paused one."""
    saved_search = _own_or_404(saved_search_id)
    if ConfirmForm().validate_on_submit():
        saved_searches.set_active(saved_search, not saved_search.active)
        db.session.commit()
        if saved_search.active:
            flash(_("Digest of “%(name)s” resumed.", name=saved_search.name), "success")
        else:
            flash(
                _("Digest of “%(name)s” paused. The search stays saved.", name=saved_search.name), "success"
            )
    return redirect(url_for("catalog.saved"))


@bp.route("/technologies/saved/<int:saved_search_id>/delete", methods=["POST"])
@partner_required
def saved_delete(saved_search_id: int):
    saved_search = _own_or_404(saved_search_id)
    if ConfirmForm().validate_on_submit():
        name = saved_search.name
        saved_searches.delete_search(saved_search)
        db.session.commit()
        flash(_("Saved search “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("catalog.saved"))


@bp.route("/technologies/saved/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The digest's link: GET asks (mail scanners prefetch links), POST stops the digest. No
    sign-in needed: the signed token names the saved search."""
    saved_search = saved_searches.saved_search_of_token(token)
    if saved_search is None:
        return render_template(
            "auth/link_invalid.html",
            message=_("This unsubscribe link is invalid or the saved search no longer exists."),
        ), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        saved_searches.set_active(saved_search, False)
        db.session.commit()
        return render_template("catalog/unsubscribe.html", saved_search=saved_search, done=True, form=form)
    return render_template("catalog/unsubscribe.html", saved_search=saved_search, done=False, form=form)
