"""Console pages for R&D challenges: the queue (by status and age, oldest first, filters), one
challenge (transitions, owner, confidentiality and shares, conversation and internal notes,
matches, proposals, researchers' answers, files), and the researcher accounts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ...catalog.models import Domain, Researcher, Technology
from ...challenges import services as challenges
from ...challenges.downloads import attachment_response
from ...challenges.models import (
    Challenge,
    ChallengeAttachment,
    ChallengeEvent,
    ChallengeMessage,
    ChallengeProposal,
    ChallengeShare,
    ChallengeStatus,
    Confidentiality,
    ProposalKind,
    ResearcherAnswer,
)
from ...core import audit
from ...core.errors import DomainError
from ...extensions import db
from .. import PER_PAGE, bp, page_number, queries, sorting_of
from ..forms import (
    ChallengeConfidentialityForm,
    ChallengeOwnerForm,
    ChallengeProposeForm,
    ChallengeShareForm,
    ChallengeStaffMessageForm,
    ChallengeTransitionForm,
)
from ..paging import paginate


def challenge_filters() -> queries.ChallengeFilters:
    return queries.ChallengeFilters(
        status=request.args.get("status", "open")[:20],
        owner=request.args.get("owner", "")[:12],
        domain=request.args.get("domain", "")[:12],
    )


@bp.route("/challenges")
def challenges_list():
    filters, sorting = challenge_filters(), sorting_of(queries.CHALLENGE_SORT)
    page = paginate(queries.challenges_query(filters, current_user.id, sorting), page_number(), PER_PAGE)
    today = date.today()
    return render_template(
        "admin/challenges/list.html",
        page=page,
        sorting=sorting,
        filters=filters,
        statuses=[s for s in ChallengeStatus if s is not ChallengeStatus.DRAFT],
        staff=queries.staff_members(),
        domains=db.session.scalars(sa.select(Domain).order_by(Domain.display_order, Domain.name)).all(),
        late={c.id for c in page.items if challenges.waits_too_long(c, today)},
        waited={
            c.id: challenges.working_days_since(c.submitted_at, today) for c in page.items if c.submitted_at
        },
    )


def _load(challenge_id: int) -> Challenge:
    challenge = db.session.scalar(
        sa.select(Challenge)
        .where(Challenge.id == challenge_id, Challenge.status != ChallengeStatus.DRAFT)
        .options(
            joinedload(Challenge.organisation),
            joinedload(Challenge.owner),
            joinedload(Challenge.author),
            joinedload(Challenge.domain),
            selectinload(Challenge.events).joinedload(ChallengeEvent.actor),
            selectinload(Challenge.messages).joinedload(ChallengeMessage.author),
            selectinload(Challenge.shares).joinedload(ChallengeShare.researcher),
            selectinload(Challenge.answers).joinedload(ResearcherAnswer.researcher),
            selectinload(Challenge.attachments),
            selectinload(Challenge.proposals).options(
                joinedload(ChallengeProposal.technology).joinedload(Technology.domain),
                joinedload(ChallengeProposal.researcher),
                joinedload(ChallengeProposal.lead),
            ),
        )
    )
    if challenge is None:
        abort(404)
    return challenge


def _page(challenge: Challenge, status: int = 200, **forms):
    transition_form = forms.get("transition_form") or ChallengeTransitionForm(formdata=None)
    targets = challenges.allowed_targets(challenge, staff=True)
    transition_form.status.choices = [("", "Choose the next step")] + [(s.value, s.label) for s in targets]
    owner_form = forms.get("owner_form") or ChallengeOwnerForm(formdata=None, owner_id=challenge.owner_id)
    staff = queries.staff_members()
    owner_form.owner_id.choices = [("", "Nobody")] + [(u.id, u.full_name) for u in staff]
    confidentiality_form = forms.get("confidentiality_form") or ChallengeConfidentialityForm(
        formdata=None,
        confidentiality=challenge.confidentiality.value,
        teaser=challenge.teaser or challenges.build_teaser(challenge),
        call_summary=challenge.call_summary,
    )
    shared_ids = {s.researcher_id for s in challenge.shares}
    people = db.session.scalars(sa.select(Researcher).order_by(Researcher.name, Researcher.id)).all()
    share_form = forms.get("share_form") or ChallengeShareForm(formdata=None)
    share_form.researcher_id.choices = [("", "Choose a researcher")] + [
        (r.id, f"{r.name}{'' if r.user_id else ' (no portal account)'}")
        for r in people
        if r.id not in shared_ids
    ]
    matches = challenges.matches_for(challenge)
    proposed_tech = {p.technology_id for p in challenge.proposals if p.technology_id}
    proposed_people = {p.researcher_id for p in challenge.proposals if p.researcher_id}
    answers = {a.researcher_id: a for a in challenge.answers}
    return render_template(
        "admin/challenges/detail.html",
        challenge=challenge,
        transition_form=transition_form,
        owner_form=owner_form,
        confidentiality_form=confidentiality_form,
        share_form=share_form,
        message_form=forms.get("message_form") or ChallengeStaffMessageForm(formdata=None),
        propose_form=ChallengeProposeForm(formdata=None),
        matches=matches,
        proposed_tech=proposed_tech,
        proposed_people=proposed_people,
        answers=answers,
        late=challenges.waits_too_long(challenge, date.today()),
        Confidentiality=Confidentiality,
    ), status


@bp.route("/challenges/<int:challenge_id>")
def challenge_detail(challenge_id: int):
    return _page(_load(challenge_id))


def _back(challenge: Challenge, anchor: str | None = None):
    return redirect(url_for("admin.challenge_detail", challenge_id=challenge.id, _anchor=anchor))


@bp.route("/challenges/<int:challenge_id>/transition", methods=["POST"])
def challenge_transition(challenge_id: int):
    challenge = _load(challenge_id)
    form = ChallengeTransitionForm()
    form.status.choices = [(s.value, s.label) for s in ChallengeStatus]
    if form.validate_on_submit():
        try:
            target = ChallengeStatus(form.status.data)
            challenges.transition(
                current_user, challenge, target, note=form.note.data or "", reason=form.reason.data or ""
            )
        except (ValueError, DomainError) as exc:
            db.session.rollback()
            message = getattr(exc, "message", "Choose the next step.")
            (form.reason if getattr(exc, "field", None) == "reason" else form.status).errors.append(message)
            return _page(_load(challenge_id), 400, transition_form=form)
        db.session.commit()
        flash(
            f"{challenge.reference} is now {challenge.status.label.lower()}; the partner was emailed.",
            "success",
        )
        return _back(challenge)
    return _page(challenge, 400, transition_form=form)


@bp.route("/challenges/<int:challenge_id>/owner", methods=["POST"])
def challenge_owner(challenge_id: int):
    challenge = _load(challenge_id)
    form = ChallengeOwnerForm()
    if form.validate_on_submit():
        staff_ids = {u.id for u in queries.staff_members()}
        owner_id = form.owner_id.data
        if owner_id is not None and owner_id not in staff_ids:
            flash("Choose a member of staff.", "danger")
            return _back(challenge)
        old = challenge.owner_id
        challenge.owner_id = owner_id
        audit.record("challenge.owner_changed", actor=current_user, target=challenge, old=old, new=owner_id)
        db.session.commit()
        flash("Owner saved.", "success")
    return _back(challenge)


@bp.route("/challenges/<int:challenge_id>/confidentiality", methods=["POST"])
def challenge_confidentiality(challenge_id: int):
    challenge = _load(challenge_id)
    form = ChallengeConfidentialityForm()
    if form.validate_on_submit():
        try:
            challenges.set_confidentiality(
                current_user,
                challenge,
                Confidentiality(form.confidentiality.data),
                form.teaser.data or "",
                form.call_summary.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            form.call_summary.errors.append(exc.message)
            return _page(_load(challenge_id), 400, confidentiality_form=form)
        db.session.commit()
        flash(f"Confidentiality: {challenge.confidentiality.label}.", "success")
        return _back(challenge, "sharing")
    return _page(challenge, 400, confidentiality_form=form)


@bp.route("/challenges/<int:challenge_id>/shares", methods=["POST"])
def challenge_share(challenge_id: int):
    challenge = _load(challenge_id)
    form = ChallengeShareForm()
    form.researcher_id.choices = []
    if form.validate_on_submit():
        researcher = db.session.get(Researcher, form.researcher_id.data)
        if researcher is None:
            form.researcher_id.errors.append("Choose a researcher.")
            return _page(challenge, 400, share_form=form)
        try:
            challenges.share(current_user, challenge, researcher)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return _back(challenge, "sharing")
        db.session.commit()
        flash(f"Shared with {researcher.name}.", "success")
        return _back(challenge, "sharing")
    return _page(challenge, 400, share_form=form)


@bp.route("/challenges/<int:challenge_id>/shares/<int:share_id>/delete", methods=["POST"])
def challenge_unshare(challenge_id: int, share_id: int):
    challenge = _load(challenge_id)
    try:
        challenges.unshare(current_user, challenge, share_id)
    except DomainError:
        abort(404)
    db.session.commit()
    flash("No longer shared.", "success")
    return _back(challenge, "sharing")


@bp.route("/challenges/<int:challenge_id>/messages", methods=["POST"])
def challenge_message(challenge_id: int):
    challenge = _load(challenge_id)
    form = ChallengeStaffMessageForm()
    if form.validate_on_submit():
        try:
            challenges.post_message(current_user, challenge, form.body.data, internal=form.internal.data)
        except DomainError as exc:
            db.session.rollback()
            form.body.errors.append(exc.message)
            return _page(_load(challenge_id), 400, message_form=form)
        db.session.commit()
        flash(
            "Internal note saved." if form.internal.data else "Message sent; the partner was emailed.",
            "success",
        )
        return _back(challenge, "conversation")
    return _page(challenge, 400, message_form=form)


@bp.route("/challenges/<int:challenge_id>/proposals", methods=["POST"])
def challenge_propose(challenge_id: int):
    challenge = _load(challenge_id)
    form = ChallengeProposeForm()
    if (
        form.validate_on_submit()
        and form.kind.data in {k.value for k in ProposalKind}
        and form.object_id.data.isdigit()
    ):
        try:
            challenges.propose(
                current_user,
                challenge,
                ProposalKind(form.kind.data),
                int(form.object_id.data),
                form.note.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return _back(challenge, "matches")
        db.session.commit()
        flash("Proposed. Move the challenge to “Proposal” to tell the partner.", "success")
        return _back(challenge, "matches")
    flash("Choose a match to propose.", "danger")
    return _back(challenge, "matches")


@bp.route("/challenges/<int:challenge_id>/proposals/<int:proposal_id>/withdraw", methods=["POST"])
def challenge_withdraw_proposal(challenge_id: int, proposal_id: int):
    challenge = _load(challenge_id)
    try:
        challenges.withdraw_proposal(current_user, challenge, proposal_id)
    except DomainError as exc:
        flash(exc.message, "danger")
        return _back(challenge, "proposals")
    db.session.commit()
    flash("Proposal withdrawn.", "success")
    return _back(challenge, "proposals")


@bp.route("/challenges/<int:challenge_id>/files/<int:attachment_id>")
def challenge_file(challenge_id: int, attachment_id: int):
    attachment = db.session.get(ChallengeAttachment, attachment_id)
    if attachment is None or attachment.challenge_id != challenge_id:
        abort(404)
    return attachment_response(attachment)


@bp.route("/challenges/researchers")
def challenge_researchers():
    return render_template("admin/challenges/researchers.html", rows=challenges.researchers_for_console())


@bp.route("/challenges/researchers/<int:researcher_id>/invite", methods=["POST"])
def challenge_invite_researcher(researcher_id: int):
    researcher = db.session.get(Researcher, researcher_id)
    if researcher is None:
        abort(404)
    try:
        user = challenges.invite_researcher(current_user, researcher)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("admin.challenge_researchers"))
    db.session.commit()
    flash(f"Researcher account created for {user.email}; a link to choose a password was emailed.", "success")
    return redirect(url_for("admin.challenge_researchers"))
