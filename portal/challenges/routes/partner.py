"""/challenges: a partner organisation's R&D challenges (list, the one-page form, the page of one
challenge with its timeline, conversation, proposals and files). Partner access is needed (an
active membership); another organisation's challenge, file or proposal answers 404."""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ...catalog import services as catalog
from ...catalog.models import Domain, Technology
from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...core.permissions import get_owned_or_404, partner_required
from ...core.storage import get_storage
from ...extensions import db
from ...membership import services as membership
from .. import services
from ..downloads import attachment_response
from ..forms import (
    ChallengeFileForm,
    ChallengeForm,
    ChallengeMessageForm,
    ChallengeWithdrawForm,
    ProposalAnswerForm,
)
from ..models import (
    BudgetBand,
    Challenge,
    ChallengeAttachment,
    ChallengeEvent,
    ChallengeMessage,
    ChallengeProposal,
    ChallengeStatus,
    Collaboration,
    ProposalKind,
)
from ..services.workflow import FIELDS, WITHDRAWABLE
from .blueprint import bp


def challenge_access(view):
    """A partner user whose organisation has partner access; others get a page saying what is needed."""

    @wraps(view)
    @partner_required
    def wrapped(*args, **kwargs):
        if not services.partner_may_use(current_user.organisation):
            if request.method != "GET":
                return redirect(url_for("challenges.index"))
            current = membership.membership_of(current_user.organisation)
            return render_template("challenges/needs_access.html", membership=current)
        return view(*args, **kwargs)

    return wrapped


def _owned(challenge_id: int) -> Challenge:
    return get_owned_or_404(Challenge, challenge_id, current_user.organisation_id)


def _choices(form: ChallengeForm) -> None:
    domains = db.session.scalars(
        sa.select(Domain).where(Domain.active.is_(True)).order_by(Domain.display_order, Domain.name)
    ).all()
    form.domain_id.choices = [("", _("Choose a domain"))] + [(d.id, d.shown_name) for d in domains]
    form.target_trl.choices = [("", _("Not sure"))] + [(n, _("TRL %(n)s", n=n)) for n in range(1, 10)]
    form.budget_band.choices = [("", _("Choose a budget"))] + [(b.value, b.label) for b in BudgetBand]
    form.collaboration.choices = [("", _("Choose a kind of collaboration"))] + [
        (c.value, c.label) for c in Collaboration
    ]


def _data(form: ChallengeForm) -> services.ChallengeData:
    return services.ChallengeData(**{name: getattr(form, name).data for name in FIELDS})


@bp.route("/challenges")
@challenge_access
def index():
    challenges = db.session.scalars(
        sa.select(Challenge)
        .where(Challenge.organisation_id == current_user.organisation_id)
        .options(joinedload(Challenge.owner), joinedload(Challenge.domain))
        .order_by(Challenge.created_at.desc(), Challenge.id.desc())
    ).all()
    current = membership.membership_of(current_user.organisation)
    limit = current.tier.challenge_limit if current else None
    return render_template(
        "challenges/index.html",
        challenges=challenges,
        limit=limit,
        open_count=sum(1 for c in challenges if c.status.is_open),
    )


FORM_SECTIONS = ("problem", "scope", "contacts")


def _save(form: ChallengeForm, challenge: Challenge | None):
    """Save the draft, and submit it when asked; returns the redirect or None (form shown again).

    Each section of the form has its own save button (`action=draft-<section>`): it saves the whole
    draft and comes back to that section, so a long challenge is kept section by section."""
    action = request.form.get("action", "")
    submitting = action == "submit"
    section = action.removeprefix("draft-") if action.removeprefix("draft-") in FORM_SECTIONS else None
    try:
        if challenge is None:
            challenge = services.create_draft(current_user, current_user.organisation, _data(form))
        else:
            services.update_draft(current_user, challenge, _data(form))
        db.session.flush()
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return None
    if submitting:
        try:
            services.submit(current_user, challenge)
        except DomainError as exc:
            db.session.commit()  # the draft is kept; the refusal is shown beside it
            flash(_("Not submitted yet. %(reason)s", reason=exc.message), "warning")
            return redirect(url_for("challenges.edit", challenge_id=challenge.id))
        db.session.commit()
        flash(
            _(
                "Challenge %(reference)s is submitted. We answer within five working days.",
                reference=challenge.reference,
            ),
            "success",
        )
        return redirect(url_for("challenges.detail", challenge_id=challenge.id))
    db.session.commit()
    flash(_("Draft saved. Submit it when it is ready."), "success")
    anchor = f"section-{section}" if section else None
    return redirect(url_for("challenges.edit", challenge_id=challenge.id, _anchor=anchor))


@bp.route("/challenges/new", methods=["GET", "POST"])
@challenge_access
def new():
    form = ChallengeForm()
    _choices(form)
    if form.validate_on_submit():
        done = _save(form, None)
        if done is not None:
            return done
    return render_template(
        "challenges/form.html", form=form, challenge=None
    ), 400 if form.errors or form.form_errors else 200


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@challenge_access
def edit(challenge_id: int):
    challenge = _owned(challenge_id)
    if challenge.status is not ChallengeStatus.DRAFT:
        flash(_("Only a draft can be changed. Write to us in the conversation instead."), "info")
        return redirect(url_for("challenges.detail", challenge_id=challenge.id))
    form = ChallengeForm(obj=challenge)
    _choices(form)
    if form.validate_on_submit():
        done = _save(form, challenge)
        if done is not None:
            return done
    attachments = db.session.scalars(
        sa.select(ChallengeAttachment)
        .where(ChallengeAttachment.challenge_id == challenge.id)
        .order_by(ChallengeAttachment.id)
    ).all()
    return render_template(
        "challenges/form.html",
        form=form,
        challenge=challenge,
        attachments=attachments,
        file_form=ChallengeFileForm(),
        missing=services.workflow.missing_for_submission(challenge),
    ), 400 if form.errors or form.form_errors else 200


def _detail_context(challenge_id: int) -> dict:
    challenge = db.session.scalar(
        sa.select(Challenge)
        .where(Challenge.id == challenge_id, Challenge.organisation_id == current_user.organisation_id)
        .options(
            joinedload(Challenge.owner),
            joinedload(Challenge.domain),
            selectinload(Challenge.events).joinedload(ChallengeEvent.actor),
            selectinload(Challenge.attachments),
            selectinload(Challenge.proposals).options(
                joinedload(ChallengeProposal.technology).joinedload(Technology.domain),
                joinedload(ChallengeProposal.researcher),
            ),
        )
    )
    if challenge is None:
        abort(404)
    messages = db.session.scalars(
        sa.select(ChallengeMessage)
        .where(ChallengeMessage.challenge_id == challenge.id, ChallengeMessage.internal.is_(False))
        .options(joinedload(ChallengeMessage.author))
        .order_by(ChallengeMessage.id)
    ).all()
    viewer = catalog.viewer_context(current_user)
    technologies, experts = [], []
    for proposal in challenge.proposals:
        if proposal.kind is ProposalKind.TECHNOLOGY and proposal.technology is not None:
            level = catalog.level_of(viewer, proposal.technology)
            if level is not catalog.Level.HIDDEN:
                technologies.append((proposal, level))
        elif proposal.researcher is not None and proposal.researcher.public:
            experts.append(proposal)
    return {
        "challenge": challenge,
        "messages": messages,
        "technologies": technologies,
        "experts": experts,
        "Level": catalog.Level,
        "can_withdraw": challenge.status in WITHDRAWABLE,
        "closed": challenge.status
        in (ChallengeStatus.WITHDRAWN, ChallengeStatus.DECLINED, ChallengeStatus.CLOSED),
    }


@bp.route("/challenges/<int:challenge_id>")
@challenge_access
def detail(challenge_id: int):
    context = _detail_context(challenge_id)
    return render_template(
        "challenges/detail.html",
        message_form=ChallengeMessageForm(),
        file_form=ChallengeFileForm(),
        withdraw_form=ChallengeWithdrawForm(),
        answer_form=ProposalAnswerForm(),
        **context,
    )


def _detail_again(challenge_id: int, status: int = 400, **forms):
    context = _detail_context(challenge_id)
    values = {
        "message_form": ChallengeMessageForm(formdata=None),
        "file_form": ChallengeFileForm(formdata=None),
        "withdraw_form": ChallengeWithdrawForm(formdata=None),
        "answer_form": ProposalAnswerForm(formdata=None),
    }
    values.update(forms)
    return render_template("challenges/detail.html", **values, **context), status


@bp.route("/challenges/<int:challenge_id>/withdraw", methods=["POST"])
@challenge_access
def withdraw(challenge_id: int):
    challenge = _owned(challenge_id)
    form = ChallengeWithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(current_user, challenge, form.note.data or "")
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("challenges.detail", challenge_id=challenge.id))
        db.session.commit()
        flash(_("You withdrew challenge %(reference)s.", reference=challenge.reference), "success")
        return redirect(url_for("challenges.detail", challenge_id=challenge.id))
    return _detail_again(challenge.id, withdraw_form=form)


@bp.route("/challenges/<int:challenge_id>/messages", methods=["POST"])
@challenge_access
def post_message(challenge_id: int):
    challenge = _owned(challenge_id)
    form = ChallengeMessageForm()
    if form.validate_on_submit():
        try:
            services.post_message(current_user, challenge, form.body.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("Message sent."), "success")
            return redirect(url_for("challenges.detail", challenge_id=challenge.id, _anchor="conversation"))
    return _detail_again(challenge.id, message_form=form)


@bp.route("/challenges/<int:challenge_id>/files", methods=["POST"])
@challenge_access
def upload(challenge_id: int):
    challenge = _owned(challenge_id)
    form = ChallengeFileForm()
    back = "challenges.edit" if challenge.status is ChallengeStatus.DRAFT else "challenges.detail"
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachment = services.add_attachment(
                current_user, challenge, upload.stream, upload.filename or ""
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for(back, challenge_id=challenge.id))
        finally:
            upload.close()  # a large upload is a temporary file: closed now, not when collected
        try:
            db.session.commit()
        except BaseException:
            services.discard(attachment)
            raise
        flash(_("“%(name)s” is attached.", name=attachment.filename), "success")
    else:
        flash(" ".join(form.file.errors) or _("Choose a file to attach."), "danger")
    return redirect(url_for(back, challenge_id=challenge.id))


@bp.route("/challenges/<int:challenge_id>/files/<int:attachment_id>/delete", methods=["POST"])
@challenge_access
def remove_file(challenge_id: int, attachment_id: int):
    challenge = _owned(challenge_id)
    attachment = get_owned_or_404(ChallengeAttachment, attachment_id, current_user.organisation_id)
    if attachment.challenge_id != challenge.id:
        abort(404)
    try:
        key = services.remove_attachment(current_user, challenge, attachment)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("challenges.detail", challenge_id=challenge.id))
    db.session.commit()
    get_storage().delete(key)
    flash(_("The file was removed."), "success")
    return redirect(url_for("challenges.edit", challenge_id=challenge.id))


@bp.route("/challenges/<int:challenge_id>/files/<int:attachment_id>")
@challenge_access
def download(challenge_id: int, attachment_id: int):
    attachment = get_owned_or_404(ChallengeAttachment, attachment_id, current_user.organisation_id)
    if attachment.challenge_id != challenge_id:
        abort(404)
    return attachment_response(attachment)


@bp.route("/challenges/<int:challenge_id>/proposals/<int:proposal_id>", methods=["POST"])
@challenge_access
def answer_proposal(challenge_id: int, proposal_id: int):
    challenge = _owned(challenge_id)
    proposal = db.session.get(ChallengeProposal, proposal_id)
    if proposal is None or proposal.challenge_id != challenge.id:
        abort(404)
    form = ProposalAnswerForm()
    if not form.validate_on_submit() or form.answer.data not in ("interested", "not_relevant"):
        flash(_("Choose “Interested” or “Not relevant”."), "danger")
        return redirect(url_for("challenges.detail", challenge_id=challenge.id, _anchor="proposals"))
    interested = form.answer.data == "interested"
    try:
        services.answer_proposal(current_user, proposal, interested, form.feedback.data or "")
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("challenges.detail", challenge_id=challenge.id, _anchor="proposals"))
    db.session.commit()
    if interested and proposal.kind is ProposalKind.TECHNOLOGY:
        flash(_("Thank you: your account manager will contact you about a licence."), "success")
    elif interested:
        flash(_("Thank you: we are preparing a collaboration agreement and will send it to you."), "success")
    else:
        flash(_("Thank you for your feedback."), "success")
    return redirect(url_for("challenges.detail", challenge_id=challenge.id, _anchor="proposals"))
