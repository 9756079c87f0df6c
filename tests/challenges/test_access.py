"""Who sees what: another organisation's ids are 404, a researcher sees only what is shared with
them and open calls as teasers, and canaries in confidential fields and internal notes never reach
anyone who may not read them (pages and emails)."""

from __future__ import annotations

import io

import pytest

from portal.challenges import services
from portal.challenges.models import ChallengeStatus, Confidentiality, ProposalKind
from portal.core.models import Email
from portal.extensions import db

from ..support.browser import text
from ..support.factories import commit, make_staff, make_user
from .helpers import entitled, pdf_bytes, researcher_account, submitted

CANARIES = {
    "title": "CANARY-TITLE-7731",
    "problem": "CANARY-PROBLEM-7731",
    "desired_outcome": "CANARY-OUTCOME-7731",
    "approaches_tried": "CANARY-TRIED-7731",
    "constraints": "CANARY-CONSTRAINTS-7731",
    "contacts": "CANARY-CONTACTS-7731",
    "timeline": "CANARY-TIMELINE-7731",
}
NOTE = "CANARY-INTERNAL-NOTE-7731"
COMPANY = "Canary Payments SARL"


def _world():
    partner = entitled(legal_name=COMPANY, country="LU")
    staff = make_staff()
    challenge = submitted(partner, ChallengeStatus.SCREENING, **CANARIES)
    attachment = services.add_attachment(partner, challenge, io.BytesIO(pdf_bytes()), "spec.pdf")
    message = services.post_message(partner, challenge, "A question from the partner")
    services.post_message(staff, challenge, NOTE, internal=True)
    return partner, staff, challenge, attachment, message


def test_another_organisations_challenge_file_message_and_proposal_ids_are_404(app, ctx, browser):
    _partner, staff, challenge, attachment, message = _world()
    proposal = services.propose(staff, challenge, ProposalKind.TECHNOLOGY, _technology().id)
    other = entitled()
    own = submitted(other)
    commit()
    browser.login(other.email)
    base = f"/challenges/{challenge.id}"
    for url in (
        base,
        f"{base}/edit",
        f"{base}/files/{attachment.id}",
        f"/challenges/{own.id}/files/{attachment.id}",
    ):
        assert browser.get(url).status_code == 404, url
    for url, form in (
        (f"{base}/messages", {"body": "hi"}),
        (f"{base}/withdraw", {}),
        (f"{base}/proposals/{proposal.id}", {"answer": "interested"}),
        (f"/challenges/{own.id}/proposals/{proposal.id}", {"answer": "interested"}),
        (f"{base}/files/{attachment.id}/delete", {}),
        (f"{base}/files", {"file": (io.BytesIO(pdf_bytes()), "x.pdf")}),
    ):
        assert browser.post(url, form).status_code == 404, url
    db.session.expire_all()
    assert challenge.status is ChallengeStatus.SCREENING and len(challenge.messages) == 2
    assert message.id  # untouched


def _technology():
    from portal.catalog import services as catalog
    from portal.catalog.models import TechnologyStatus

    return catalog.create_technology(
        catalog.TechnologyData(title="Indoor positioning of pallets", benefit="Finds pallets indoors."),
        status=TechnologyStatus.PUBLISHED,
    )


def test_partner_pages_need_partner_access_and_say_so(app, ctx, browser):
    from ..support.factories import make_partner

    user = make_partner()
    commit()
    browser.login(user.email)
    page = browser.get("/challenges")
    assert page.status_code == 200 and "Challenges need an active membership" in text(page)


def test_a_researcher_sees_only_what_is_shared_with_them_and_teasers_of_open_calls(app, ctx, browser):
    _partner, staff, challenge, _attachment, _message = _world()
    user, entry = researcher_account()
    other_user, _other_entry = researcher_account("Dr Other")
    tto_only = submitted(entitled(), ChallengeStatus.SCREENING, title="TTO-ONLY-CANARY")
    commit()
    browser.login(user.email)
    assert browser.get(f"/research/{challenge.id}").status_code == 404  # not shared yet
    assert browser.get(f"/research/{tto_only.id}").status_code == 404
    services.share(staff, challenge, entry)
    commit()
    page = text(browser.get(f"/research/{challenge.id}"))
    assert CANARIES["problem"] in page and CANARIES["constraints"] in page
    assert NOTE not in page and COMPANY not in page and "A question from the partner" not in page
    assert "TTO-ONLY-CANARY" not in text(browser.get("/research"))
    # the other researcher: not shared, nothing
    other = browser.__class__(app)
    other.login(other_user.email)
    assert other.get(f"/research/{challenge.id}").status_code == 404
    # an open call: a teaser only, for every researcher
    services.set_confidentiality(
        staff,
        challenge,
        Confidentiality.OPEN_CALL,
        services.build_teaser(challenge),
        "Indoor tracking of goods.",
    )
    commit()
    for b in (browser, other):
        index, detail = text(b.get("/research")), text(b.get(f"/research/{challenge.id}"))
        for page in (index, detail):
            assert "Indoor tracking of goods." in page and "company in Luxembourg" in page
            assert COMPANY not in page and NOTE not in page
            for canary in CANARIES.values():
                assert canary not in page
    # and an answer is kept for staff
    response = other.post(f"/research/{challenge.id}/answer", {"note": "My lab does UWB", "expertise": "UWB"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [a.note for a in challenge.answers] == ["My lab does UWB"]


def test_a_researcher_has_no_console_and_no_partner_pages(app, ctx, browser):
    user, _entry = researcher_account()
    commit()
    response = browser.login(user.email)
    assert response.headers["Location"].endswith("/research")
    for url in ("/admin/", "/admin/challenges", "/challenges", "/dashboard", "/challenges/new"):
        assert browser.get(url).status_code == 403, url


def test_internal_notes_never_reach_the_partner_in_pages_or_emails(app, ctx, browser):
    partner, staff, challenge, _attachment, _message = _world()
    services.post_message(staff, challenge, "A public answer")
    services.transition(staff, challenge, ChallengeStatus.MATCHING, note="Matching now")
    user, entry = researcher_account()
    services.share(staff, challenge, entry)
    commit()
    browser.login(partner.email)
    for url in ("/challenges", f"/challenges/{challenge.id}"):
        page = text(browser.get(url))
        assert NOTE not in page
    assert "A public answer" in text(browser.get(f"/challenges/{challenge.id}"))
    for email in db.session.query(Email).all():
        assert NOTE not in email.body_text and NOTE not in email.body_html
    to_researcher = db.session.query(Email).filter(Email.to_address == user.email).all()
    assert to_researcher
    for email in to_researcher:
        for canary in CANARIES.values():
            assert canary not in email.body_text + email.body_html + email.subject
        assert COMPANY not in email.body_text + email.body_html


def test_staff_see_the_internal_notes_and_the_answers(app, ctx, browser):
    _partner, staff, challenge, _attachment, _message = _world()
    user, entry = researcher_account()
    services.share(staff, challenge, entry)
    services.answer(user, entry, challenge.id, "CAN-HELP-NOTE", "UWB")
    commit()
    browser.login_staff(staff)
    page = text(browser.get(f"/admin/challenges/{challenge.id}"))
    assert NOTE in page and "CAN-HELP-NOTE" in page and "internal note" in page


@pytest.mark.parametrize("who", ["partner", "staff"])
def test_downloads_are_attachments_never_cached(app, ctx, browser, who):
    partner, staff, challenge, attachment, _message = _world()
    commit()
    if who == "partner":
        browser.login(partner.email)
        response = browser.get(f"/challenges/{challenge.id}/files/{attachment.id}")
    else:
        browser.login_staff(staff)
        response = browser.get(f"/admin/challenges/{challenge.id}/files/{attachment.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="spec.pdf"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF-")


def test_researcher_without_directory_entry_is_told(app, ctx, browser):
    from portal.auth.models import PlatformRole

    user = make_user(platform_role=PlatformRole.RESEARCHER)
    commit()
    browser.login(user.email)
    assert "not linked to a directory entry" in text(browser.get("/research"))


def test_the_queue_export_lists_the_filtered_challenges_without_their_confidential_text(app, ctx, browser):
    import sqlalchemy as sa

    from portal.core.models import AuditEvent

    _partner, staff, challenge, _attachment, _message = _world()
    other = submitted(entitled(legal_name="Closed Co"), ChallengeStatus.SCREENING, title="CLOSED-ONE")
    services.transition(staff, other, ChallengeStatus.DECLINED, reason="Out of scope")
    commit()
    browser.login_staff(staff)
    response = browser.get("/admin/challenges.csv?status=screening")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    header, *rows = body.lstrip("\ufeff").strip().splitlines()
    assert header.startswith("Reference,Title,Organisation,Status")
    assert len(rows) == 1 and challenge.reference in rows[0] and COMPANY in rows[0]
    assert "CLOSED-ONE" not in body  # the filter applies
    for field in ("problem", "desired_outcome", "approaches_tried", "constraints", "contacts"):
        assert CANARIES[field] not in body
    assert NOTE not in body
    exported = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "console.exported")).all()
    assert [e.details["list"] for e in exported] == ["challenges"]
