"""Invention disclosures: shares that sum to 100 %, drafts and submission, co-inventors' confirmation,
who sees which disclosure, files, the urgent flag, and the staff assessment (audited, emailed)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.innovation.models import Disclosure, DisclosureStatus, Recommendation
from portal.innovation.services import assessment, disclosures

from ..challenges.helpers import pdf_bytes
from ..support.browser import emails_to, location, text
from ..support.factories import commit, make_staff
from .helpers import assessed, data, researcher_account, submitted

# --- shares ------------------------------------------------------------------------------------


def test_shares_that_do_not_add_up_to_100_are_refused_with_the_total(ctx):
    user, me = researcher_account()
    _other, colleague = researcher_account("Dr Grace Hopper")
    with pytest.raises(DomainError, match=r"add up to 90 %; they must add up to exactly 100 %") as exc:
        disclosures.create_draft(user, data((me.id, "60"), (colleague.id, "30")))
    assert exc.value.field == "inventors"
    with pytest.raises(DomainError, match="add up to 110"):
        disclosures.create_draft(user, data((me.id, "60"), external=[("Dr Ext", "ETH", "50")]))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Disclosure)) == 0


def test_decimal_shares_and_external_co_inventors_count_towards_100(ctx):
    user, me = researcher_account()
    _u2, b = researcher_account("Dr Grace Hopper")
    d = disclosures.create_draft(
        user, data((me.id, "33.33"), (b.id, "33.33"), external=[("Dr Ext", "ETH Zurich", "33.34")])
    )
    assert [i.share for i in d.inventors] == [Decimal("33.33"), Decimal("33.33")]
    assert d.external_inventors[0].affiliation == "ETH Zurich"
    for bad in ("abc", "0", "-5", "100.001", "150"):
        with pytest.raises(DomainError):
            disclosures.parse_share(bad)
    with pytest.raises(DomainError, match="named once"):
        disclosures.create_draft(user, data((me.id, "50"), (me.id, "50")))


def test_the_form_says_what_is_wrong_with_the_shares_and_keeps_the_values(browser, ctx):
    user, me = researcher_account()
    _u2, b = researcher_account("Dr Grace Hopper")
    commit()
    browser.login(user.email)
    response = browser.post(
        "/inventions/new",
        {
            "title": "Coating",
            "inventors-0-researcher_id": me.id,
            "inventors-0-share": "60",
            "inventors-1-researcher_id": b.id,
            "inventors-1-share": "30",
            "action": "draft",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "add up to 90 %; they must add up to exactly 100 %" in page
    assert 'value="Coating"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Disclosure)) == 0
    response = browser.post(
        "/inventions/new",
        {"title": "Coating", "inventors-0-researcher_id": me.id, "inventors-0-share": "", "action": "draft"},
    )
    assert response.status_code == 400 and "Give each inventor&#39;s share" in text(response)


# --- the researcher's journey ----------------------------------------------------------------


def test_a_researcher_discloses_with_a_co_inventor_who_confirms_their_share(browser, app, ctx):
    alice, a = researcher_account("Dr Alice Ray")
    bob, b = researcher_account("Dr Bob Kay")
    commit()
    browser.login(alice.email)
    response = browser.post(
        "/inventions/new",
        {
            "title": "Self-healing coating",
            "description": "How it works",
            "problem": "Erosion",
            "novelty": "Strain-triggered capsules",
            "inventors-0-researcher_id": a.id,
            "inventors-0-share": "60",
            "inventors-1-researcher_id": b.id,
            "inventors-1-share": "40",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    disclosure = db.session.scalar(sa.select(Disclosure))
    assert location(response) == f"/inventions/{disclosure.id}"
    assert disclosure.status is DisclosureStatus.SUBMITTED
    assert disclosure.reference.startswith("D-")
    mine = {i.researcher_id: i for i in disclosure.inventors}
    assert mine[a.id].confirmed_at is not None and mine[b.id].confirmed_at is None
    assert len(emails_to(bob.email)) == 1  # asked to confirm
    # a submitted disclosure is no longer edited
    assert location(browser.get(f"/inventions/{disclosure.id}/edit")) == f"/inventions/{disclosure.id}"
    browser.logout()

    browser.login(bob.email)
    assert "Self-healing coating" in text(browser.get("/inventions"))
    page = text(browser.get(f"/inventions/{disclosure.id}"))
    assert "Confirm my share" in page and "40.00 %" in page
    response = browser.post(f"/inventions/{disclosure.id}/confirm")
    assert location(response) == f"/inventions/{disclosure.id}"
    db.session.expire_all()
    assert db.session.get(Disclosure, disclosure.id).inventors[1].confirmed_at is not None
    page = text(browser.get(f"/inventions/{disclosure.id}"))
    assert "Confirm my share" not in page and page.count("badge text-bg-success") >= 2
    browser.post(f"/inventions/{disclosure.id}/confirm")  # twice: one audit row
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action == "disclosure.share_confirmed")
    ).all()
    assert len(actions) == 1


def test_researchers_see_only_their_own_disclosures(browser, ctx):
    alice, a = researcher_account("Dr Alice Ray")
    carol, _c = researcher_account("Dr Carol Sun")
    disclosure = submitted(alice, (a.id, "100"))
    draft = disclosures.create_draft(alice, data((a.id, "100"), title="Alice's draft"))
    attachment = disclosures.add_attachment(alice, draft, io.BytesIO(pdf_bytes()), "lab-notes.pdf")
    commit()
    browser.login(carol.email)
    assert "Self-healing" not in text(browser.get("/inventions"))
    for url in (
        f"/inventions/{disclosure.id}",
        f"/inventions/{draft.id}/edit",
        f"/inventions/{draft.id}/files/{attachment.id}",
        f"/inventions/{disclosure.id + 1000}",
    ):
        assert browser.get(url).status_code == 404, url
    for url in (f"/inventions/{disclosure.id}/confirm", f"/inventions/{draft.id}/submit"):
        assert browser.post(url).status_code == 404, url
    browser.logout()
    browser.login(alice.email)
    response = browser.get(f"/inventions/{draft.id}/files/{attachment.id}")
    assert response.status_code == 200 and response.data == pdf_bytes()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_refused_file_leaves_nothing(browser, ctx):
    alice, a = researcher_account("Dr Alice Ray")
    draft = disclosures.create_draft(alice, data((a.id, "100")))
    commit()
    browser.login(alice.email)
    response = browser.post(
        f"/inventions/{draft.id}/files",
        {"file": (io.BytesIO(b"MZ\x90\x00 not a document"), "notes.pdf")},
        content_type="multipart/form-data",
    )
    assert location(response) == f"/inventions/{draft.id}"
    db.session.expire_all()
    assert db.session.get(Disclosure, draft.id).attachments == []


def test_a_planned_publication_within_60_days_flags_the_disclosure_urgent(browser, ctx):
    alice, a = researcher_account("Dr Alice Ray")
    today = date.today()
    soon = submitted(alice, (a.id, "100"), title="Soon", planned_publication_date=today + timedelta(days=60))
    later = submitted(
        alice, (a.id, "100"), title="Later", planned_publication_date=today + timedelta(days=61)
    )
    assert soon.is_urgent(today) and not later.is_urgent(today)
    staff = make_staff()
    commit()
    browser.login(alice.email)
    assert text(browser.get("/inventions")).count("Urgent: publication within 60 days") == 1
    browser.logout()
    browser.login_staff(staff)
    page = text(browser.get("/admin/innovation/disclosures?urgent=1"))
    assert soon.reference in page and later.reference not in page


# --- staff -----------------------------------------------------------------------------------


def test_staff_disclose_on_behalf_of_researchers_who_then_see_it(browser, ctx):
    alice, a = researcher_account("Dr Alice Ray")
    staff = make_staff()
    commit()
    browser.login_staff(staff)
    response = browser.post(
        "/admin/innovation/disclosures/new",
        {
            "title": "Staff-entered invention",
            "description": "d",
            "problem": "p",
            "novelty": "n",
            "inventors-0-researcher_id": a.id,
            "inventors-0-share": "100",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    disclosure = db.session.scalar(sa.select(Disclosure))
    assert disclosure.status is DisclosureStatus.SUBMITTED and disclosure.officer_id == staff.id
    assert disclosure.inventors[0].confirmed_at is None  # Alice confirms herself
    browser.logout()
    browser.login(alice.email)
    assert "Staff-entered invention" in text(browser.get("/inventions"))


def test_the_assessment_is_audited_and_the_inventors_are_told(browser, ctx):
    alice, a = researcher_account("Dr Alice Ray")
    disclosure = submitted(alice, (a.id, "100"))
    staff = make_staff()
    commit()
    browser.login_staff(staff)
    response = browser.post(
        f"/admin/innovation/disclosures/{disclosure.id}/assess",
        {"novelty": "6", "inventive_step": "3", "market": "4", "ip_strength": "3", "team": "5",
         "recommendation": "file_patent"},
    )  # fmt: skip
    assert response.status_code == 400  # 6 is not a score
    response = browser.post(
        f"/admin/innovation/disclosures/{disclosure.id}/assess",
        {"novelty": "5", "inventive_step": "3", "market": "4", "ip_strength": "3", "team": "5",
         "recommendation": "file_patent", "note": "We file at the EPO next month."},
    )  # fmt: skip
    assert location(response) == f"/admin/innovation/disclosures/{disclosure.id}"
    db.session.expire_all()
    disclosure = db.session.get(Disclosure, disclosure.id)
    assert disclosure.status is DisclosureStatus.ASSESSED
    assert disclosure.assessment.total == 20
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "disclosure.assessed"))
    assert event.actor_id == staff.id and event.details["recommendation"] == "file_patent"
    assert event.details["scores"]["novelty"] == 5
    mail = emails_to(alice.email)[-1]
    assert disclosure.reference in mail.subject and "File a patent application" in mail.body_text
    assert "We file at the EPO next month." in mail.body_text
    browser.logout()
    browser.login(alice.email)
    page = text(browser.get(f"/inventions/{disclosure.id}"))
    assert "File a patent application" in page and "We file at the EPO next month." in page


def test_assessing_twice_or_a_draft_is_refused_and_return_to_inventors_closes_it(ctx):
    alice, a = researcher_account("Dr Alice Ray")
    staff = make_staff()
    draft = disclosures.create_draft(alice, data((a.id, "100")))
    with pytest.raises(DomainError):
        assessed(staff, draft)
    with pytest.raises(DomainError, match="fill in"):
        disclosures.submit(alice, disclosures.create_draft(alice, data((a.id, "100"), novelty="")))
    d = submitted(alice, (a.id, "100"))
    assessed(staff, d, Recommendation.RETURN)
    assert d.status is DisclosureStatus.RETURNED
    with pytest.raises(DomainError):
        assessed(staff, d)
    with pytest.raises(DomainError):
        assessment.assess(
            alice,
            submitted(alice, (a.id, "100")),
            assessment.AssessmentData(1, 1, 1, 1, 1, Recommendation.PUBLISH),
        )


def test_lineage_reads_are_batched(ctx):
    from portal.catalog.models import Technology

    alice, a = researcher_account("Dr Alice Ray")
    staff = make_staff()
    ids = []
    for n in range(3):
        d = submitted(alice, (a.id, "100"), title=f"Invention {n}")
        assessed(staff, d)
        from portal.innovation.services.to_market import to_market

        technology, _created = to_market(staff, d)
        ids.append(technology.id)
    db.session.expire_all()
    found = disclosures.disclosures_of_technology([*ids, 999999])
    assert sorted(found) == sorted(ids)
    assert all(isinstance(db.session.get(Technology, t), Technology) for t in found)
    by_disclosure = disclosures.ip_records_of([d.id for d in found.values()])
    assert set(by_disclosure) == {d.id for d in found.values()}
    assert all(v.families == [] and v.records == [] for v in by_disclosure.values())


def test_staff_record_the_confirmation_of_an_inventor_without_an_account(browser, ctx):
    from portal.catalog.models import Researcher

    alice, a = researcher_account("Dr Alice Ray")
    offline = Researcher(name="Prof. Offline", email="")
    db.session.add(offline)
    db.session.flush()
    disclosure = submitted(alice, (a.id, "50"), (offline.id, "50"))
    staff = make_staff()
    commit()
    row = next(i for i in disclosure.inventors if i.researcher_id == offline.id)
    browser.login_staff(staff)
    assert "Record confirmation" in text(browser.get(f"/admin/innovation/disclosures/{disclosure.id}"))
    response = browser.post(f"/admin/innovation/disclosures/{disclosure.id}/inventors/{row.id}/confirm")
    assert location(response) == f"/admin/innovation/disclosures/{disclosure.id}"
    assert (
        browser.post(
            f"/admin/innovation/disclosures/{disclosure.id}/inventors/{row.id + 99}/confirm"
        ).status_code
        == 404
    )
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "disclosure.share_confirmed_by_staff")
    )
    assert event.actor_id == staff.id and event.details["researcher_id"] == offline.id
