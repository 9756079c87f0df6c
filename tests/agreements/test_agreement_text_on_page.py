"""The agreement's full text is readable on its page before signing (issue 10, point 7): the same
rendering of the same template and snapshot as the PDF, in the document's language, and the sign
form does not grab the focus (which scrolled a phone past the text)."""

from __future__ import annotations

import html
import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from portal.agreements.models import Agreement
from portal.extensions import db
from portal.membership import services as membership_services

from ..support.browser import Browser, text
from ..support.context import app_context
from ..support.factories import (
    commit,
    make_application,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)


def words(value: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", value)).split())


def test_the_issued_agreement_shows_its_text_as_the_pdf_has_it(app, ctx):
    organisation = make_organisation(legal_name="Readable Robotics GmbH", country="DE")
    owner = make_partner(organisation=organisation, email="owner@readable.example", full_name="Rita Leser")
    officer = make_staff(email="officer@tto.example")
    tier = make_tier(name="Partner", slug="partner", annual_fee_cents=25_000_00)
    with app_context(app):
        membership_services.approve_application(officer, make_application(organisation, tier), officer)
    commit()
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.organisation_id == organisation.id))
    pdf = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(agreement.pdf)).pages).split()
    )

    browser = Browser(app)
    browser.login(owner.email)
    page = text(browser.get(f"/agreements/{agreement.id}"))
    region = re.search(
        r"<div class=\"agreement-text\"[^>]*data-agreement-text>(.*?)</div>\s*</div></div>", page, re.S
    )
    assert region is not None, "the agreement's text is not on the page"
    shown = words(region.group(1))
    assert "Industry Partnership Programme" in shown
    # Every sentence-sized run of the page's text is in the PDF: the same rendering.
    runs = [run.strip() for run in re.split(r"[.;:]", shown) if len(run.strip()) > 40]
    assert len(runs) >= 5
    for run in runs[:25]:
        assert " ".join(run.split()[-6:]) in pdf, run  # the end of each run: headings are numbered in the PDF
    assert "autofocus" not in page.split("data-agreement-text", 1)[1]  # nothing scrolls past the text
