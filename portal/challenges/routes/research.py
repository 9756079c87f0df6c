"""/research: a researcher's challenges. Those shared with them in full, open calls as their
anonymised teaser only; "I can help" with a note and their relevant expertise."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...core.permissions import login_redirect
from ...extensions import db
from .. import services
from ..forms import ResearcherAnswerForm
from .blueprint import bp


def researcher_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_redirect()
        if not current_user.is_researcher:
            abort(403)
        g.researcher = services.researcher_of(current_user)
        if g.researcher is None:
            return render_template("challenges/research/not_linked.html")
        return view(*args, **kwargs)

    return wrapped


@bp.route("/research")
@researcher_required
def research():
    return render_template(
        "challenges/research/index.html",
        researcher=g.researcher,
        shared=services.shared_with(g.researcher),
        calls=services.open_calls(),
        answers=services.answers_by_challenge(g.researcher),
    )


def _page(challenge_id: int, form: ResearcherAnswerForm, status: int = 200):
    challenge, call = services.for_researcher(g.researcher, challenge_id)
    if challenge is None and call is None:
        abort(404)
    answer = services.answer_of(g.researcher, challenge_id)
    if answer is not None and not form.is_submitted():
        form.note.data, form.expertise.data = answer.note, answer.expertise
    return render_template(
        "challenges/research/detail.html", challenge=challenge, call=call, form=form, answer=answer
    ), status


@bp.route("/research/<int:challenge_id>")
@researcher_required
def research_detail(challenge_id: int):
    return _page(challenge_id, ResearcherAnswerForm())


@bp.route("/research/<int:challenge_id>/answer", methods=["POST"])
@researcher_required
def research_answer(challenge_id: int):
    form = ResearcherAnswerForm()
    if form.validate_on_submit():
        try:
            services.answer(
                current_user, g.researcher, challenge_id, form.note.data, form.expertise.data or ""
            )
        except DomainError as exc:
            db.session.rollback()
            if exc.field is None:
                abort(404)
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("Thank you: the Technology Transfer Office will be in touch."), "success")
            return redirect(url_for("challenges.research_detail", challenge_id=challenge_id))
    return _page(challenge_id, form, 400)
