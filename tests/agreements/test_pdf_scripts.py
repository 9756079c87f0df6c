"""PDFs print every script a partner's name may be written in (issue 10, point 15): Japanese,
Chinese, Korean, Arabic and emoji, with the fonts the set-up command installs (fonts-noto-cjk,
fonts-noto-color-emoji; Arabic from DejaVu). A missing font gives empty boxes, which the PDF text
would not contain."""

from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from portal.agreements.models import Agreement
from portal.extensions import db
from portal.membership import services as membership_services

from ..support.context import app_context
from ..support.factories import (
    commit,
    make_application,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)

NAMES = {
    "japanese": "山田ロボティクス株式会社",
    "chinese": "北京智能科技有限公司",
    "korean": "김민준",
    "arabic": "محمد",
    "emoji": "🤖",
}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_agreement_pdf_prints_cjk_arabic_and_emoji_names(app, ctx):
    organisation = make_organisation(
        legal_name=f"{NAMES['japanese']} {NAMES['emoji']}",
        trading_name=NAMES["chinese"],
        country="JP",
        city="東京",
    )
    owner = make_partner(organisation=organisation, email="taro@yamada.example", full_name="山田 太郎")
    officer = make_staff(email="officer@tto.example", full_name="Oscar Mbeki")
    tier = make_tier(name="Partner", slug="partner", annual_fee_cents=25_000_00)
    application = make_application(
        organisation,
        tier,
        signatory_name=f"{NAMES['korean']} {NAMES['arabic']}",
        signatory_title="CEO",
    )
    with app_context(app):
        membership_services.approve_application(officer, application, officer)
    commit()
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.organisation_id == organisation.id))
    assert owner.organisation_id == organisation.id and agreement.pdf
    content = pdf_text(agreement.pdf).replace("\n", " ")
    for script, name in NAMES.items():
        assert name in content, f"{script} text {name!r} is missing from the PDF"
