"""Issue 10, point 13: a text longer than its field's limit is never cut silently (no `maxlength`
anywhere; a counter and a clear message instead), and every limit fits its column. Point 12 (rest):
an impossible date has a message of its own."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length

import portal
from portal.agreements.models import (
    Agreement,
    AgreementSignature,
    AgreementTemplate,
    StandingCountersignature,
)
from portal.auth.models import User
from portal.catalog.models import Domain, Lead, Researcher, SavedSearch, Technology
from portal.challenges.models import (
    Challenge,
    ChallengeEvent,
    ChallengeMessage,
    ChallengeProposal,
    ResearcherAnswer,
)
from portal.core.forms import DayField, Limit, entry_length
from portal.crm.models import CollaborationModel, Interaction, Prospect, ProspectMove, StaffNote, Task
from portal.crm.models.targets import ProgrammeTarget
from portal.extensions import db
from portal.innovation.models import Assessment, Disclosure, IpRecord, PatentApplication, PatentFamily
from portal.innovation.models.licensing import FundingRound, Licence, LicenceMilestone, LicenceReport, SpinOff
from portal.membership.models import (
    Application,
    ApprovalRule,
    BankLine,
    DeniedParty,
    Invoice,
    Payment,
    Tier,
)
from portal.partners.models import Invitation, Organisation

from ..support.browser import Browser, text
from ..support.factories import (
    APPLY,
    commit,
    make_invoice,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)
from ..support.world import build_url, make_world, sign_in

# --- every form field against its column ---------------------------------------------------

# The model each form writes to: its text fields are the model's columns of the same name.
FORM_MODELS = {
    "ApplicationForm": Application,
    "TierForm": Tier,
    "DeniedPartyForm": DeniedParty,
    "ApprovalRuleForm": ApprovalRule,
    "OrganisationForm": Organisation,
    "TemplateForm": AgreementTemplate,
    "ChallengeForm": Challenge,
    "ChallengeConfidentialityForm": Challenge,
    "ResearcherAnswerForm": ResearcherAnswer,
    "SaveSearchForm": SavedSearch,
    "TechnologyForm": Technology,
    "ResearcherForm": Researcher,
    "DomainForm": Domain,
    "InterestForm": Lead,
    # the CRM's relations (issue 13)
    "InteractionForm": Interaction,
    "TaskForm": Task,
    "NoteForm": StaffNote,
    # the CRM's pipeline (issue 13)
    "EnquiryForm": Prospect,
    "ProspectForm": Prospect,
    "CollaborationModelForm": CollaborationModel,
    # innovation: disclosures and IP records
    "DisclosureForm": Disclosure,
    "StaffDisclosureForm": Disclosure,
    "AssessmentForm": Assessment,
    "PatentApplicationForm": PatentApplication,
    "FamilyForm": PatentFamily,
    "IpRecordForm": IpRecord,
    # innovation: licensing (portal/admin/views/licensing.py, portal/innovation/forms_licensing.py)
    "LicenceForm": Licence,
    "MilestoneForm": LicenceMilestone,
    "SpinOffForm": SpinOff,
    "FundingRoundForm": FundingRound,
}
# Fields stored under another name or in another model.
COLUMNS = {
    "TargetForm.label": ProgrammeTarget.label,  # issue 13: the KPI dashboard's programme targets
    "SignForm.full_name": AgreementSignature.full_name,
    "SignForm.title": AgreementSignature.title,
    "StandingCountersignatureForm.title": StandingCountersignature.signer_title,
    "ReasonForm.reason": Agreement.end_reason,  # also a standing countersignature's revoke_reason (Text)
    "AgreementForm.title": Agreement.title,
    "ChangeEmailForm.email": User.email,
    "SignupForm.legal_name": Organisation.legal_name,
    "SignupForm.full_name": User.full_name,
    "SignupForm.job_title": User.job_title,
    "SignupForm.email": User.email,
    "AcceptInvitationForm.full_name": User.full_name,
    "AcceptInvitationForm.job_title": User.job_title,
    "InviteForm.email": Invitation.email,
    "RejectForm.reason": Application.staff_message,
    "MoreInfoForm.message": Application.staff_message,
    "RevokeApprovalForm.reason": Agreement.end_reason,  # and the email and the audit entry
    "PaymentForm.reference": Payment.reference,
    "AssignLineForm.note": BankLine.decision_note,
    "DismissLineForm.reason": BankLine.decision_note,
    "ChallengeMessageForm.body": ChallengeMessage.body,
    "ChallengeStaffMessageForm.body": ChallengeMessage.body,
    "ChallengeProposeForm.note": ChallengeProposal.note,
    "ChallengeTransitionForm.note": ChallengeEvent.note,
    "ChallengeTransitionForm.reason": Challenge.decline_reason,
    "ChallengeWithdrawForm.note": ChallengeEvent.note,
    "ProposalAnswerForm.feedback": ChallengeProposal.feedback,
    "EnquiryForm.email": Prospect.contact_email,
    "MoveForm.reason": ProspectMove.reason,
    "ReportSubmitForm.note": LicenceReport.note,
}
# The parameters of an agreement: one JSON column (the Terms), any length fits.
JSON_FIELDS = {
    f"AgreementForm.{name}"
    for name in (
        "subject",
        "purpose",
        "field_of_use",
        "territory",
        "upfront_fee",
        "royalty",
        "budget",
        "lead_researcher",
        "special_conditions",
    )
}
# A tier's description and benefits in French and German: its `translations` JSON column.
JSON_FIELDS |= {f"TierForm.{name}_{lang}" for name in ("description", "benefits") for lang in ("fr", "de")}
# A listing's lists (one per line), a researcher's expertise and a domain's names: JSON columns.
JSON_FIELDS |= {
    f"TechnologyForm.{name}" for name in ("advantages", "applications", "keywords", "patent_numbers")
}
JSON_FIELDS |= {"ResearcherForm.expertise", "DomainForm.name_fr", "DomainForm.name_de"}
# Read, looked up or compared, never stored: the limit only bounds the work.
NOT_STORED = {
    "LoginForm.email",
    "LoginForm.code",
    "TwoFactorForm.code",
    "TwoFactorSetupForm.code",
    "ResetRequestForm.email",
    "VerifyForm.number",
    "VerifyForm.sha256",
    "AssignLineForm.invoice",
    "LeadStatusForm.note",  # emailed and kept in the audit entry's details (JSON)
    "EnquiryForm.extra_reference",  # the honeypot: a filled one drops the enquiry
    "LicenceStatusForm.note",  # kept in the audit entry's details (JSON)
}


def portal_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("portal."):
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__name__)


def text_fields(app, cls) -> list:
    with app.test_request_context():
        form = cls(formdata=None, meta={"csrf": False})
        return [f for f in form if isinstance(f, StringField) and not isinstance(f, HiddenField)]


def max_of(field) -> int | None:
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max > 0]
    return min(limits) if limits else None


def column_of(cls, field):
    key = f"{cls.__name__}.{field.name}"
    if key in COLUMNS:
        return COLUMNS[key]
    model = FORM_MODELS.get(cls.__name__)
    return getattr(model, field.name, None) if model is not None else None


def test_the_structural_check_sees_every_form():
    names = {cls.__name__ for cls in portal_forms()}
    assert {"ApplicationForm", "OrganisationForm", "SignupForm", "SignForm", "TierForm"} <= names
    assert len(names) >= 25


def test_every_text_field_has_a_limit_no_larger_than_its_column(app):
    problems, checked = [], 0
    for cls in portal_forms():
        for field in text_fields(app, cls):
            key = f"{cls.__name__}.{field.name}"
            if isinstance(field, PasswordField):
                continue  # hashed or compared, never stored as typed; a new one says "between 12 and 128"
            limit = max_of(field)
            if limit is None:
                problems.append(f"{key}: no limit (add Limit(n) from portal.core.forms)")
                continue
            if not any(isinstance(v, Limit) for v in field.validators):
                problems.append(f"{key}: a raw Length(max=); use Limit(n), whose message gives the numbers")
            if key in NOT_STORED or key in JSON_FIELDS:
                continue
            column = column_of(cls, field)
            if column is None:
                problems.append(f"{key}: which column does it fill? declare it in COLUMNS or NOT_STORED")
                continue
            checked += 1
            length = getattr(column.property.columns[0].type, "length", None)
            if length is None:
                continue  # Text or JSON
            # a textarea counts a line break as one character; the browser sends two ("\r\n")
            room = length // 2 if isinstance(field, TextAreaField) else length
            if limit > room:
                problems.append(f"{key}: limit {limit} but {column} holds {length}")
    assert not problems, "\n".join(problems)
    assert checked >= 40


def test_entry_length_counts_code_points_and_a_line_break_as_one():
    assert entry_length("Straße 1\r\n80331 München") == len("Straße 1\n80331 München") == 22
    assert entry_length("👩‍🔬") == 3  # code points, as site.js's Array.from counts them
    assert entry_length(None) == 0


# --- no maxlength in any page -----------------------------------------------------------------

SKIPPED_PAGES = {"auth.logout", "auth.set_language", "main.healthz", "main.brand_css", "static"}


def test_no_page_renders_a_maxlength(app, ctx):
    """Every GET page the world offers, to a visitor, an owner and an admin: no `maxlength=`
    (browsers cut at it without a word); limited fields carry `data-limit` and a counter instead."""
    world = make_world()
    counted, pages = 0, 0
    for role in ("anonymous", "owner", "admin"):
        browser = Browser(app)
        sign_in(browser, world, role)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in SKIPPED_PAGES or rule.rule.endswith(".csv"):
                continue
            response = browser.get(build_url(app, rule.endpoint, world))
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            html = text(response)
            pages += 1
            assert "maxlength" not in html.lower(), f"{role} {rule.rule}: a maxlength cuts text silently"
            counted += html.count("data-limit-counter=")
    assert pages > 40 and counted > 60, (pages, counted)


# --- posting one character too many ------------------------------------------------------------


def test_one_character_over_on_the_profile_says_the_numbers_keeps_the_text_and_saves_nothing(app, ctx):
    owner = make_partner(organisation=make_organisation(legal_name="Acme Robotics GmbH", country="DE"))
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    long_name = "Acme " + "x" * 195 + "Z"  # 201 characters; the column holds 200
    response = browser.post(
        "/organisation/profile", {"legal_name": long_name, "country": "DE", "city": "Berlin"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "At most 200 characters; this has 201." in page
    assert f'value="{long_name}"' in page  # whole, not cut at 200
    db.session.expire_all()
    organisation = db.session.get(Organisation, owner.organisation.id)
    assert organisation.legal_name == "Acme Robotics GmbH" and organisation.city != "Berlin"


def test_one_character_over_on_the_application_in_german_keeps_every_line(app, ctx):
    tier = make_tier(slug="partner", name="Partner")
    owner = make_partner(organisation=make_organisation(country="DE"))
    commit()
    browser = Browser(app, HTTP_ACCEPT_LANGUAGE="de")
    browser.login(owner.email)
    # 10 lines of 49 and 9 line breaks (each one character, though sent as two): 499, and 2 more
    address = "\r\n".join(["ß" * 49] * 10) + "zz"
    assert entry_length(address) == 501
    response = browser.post("/membership/apply", {**APPLY, "tier": tier.slug, "billing_address": address})
    assert response.status_code == 400
    page = text(response)
    assert "Höchstens 500 Zeichen; dieser Text hat 501." in page
    assert address.replace("\r\n", "\n") in page.replace("\r\n", "\n")  # the textarea holds all of it
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_exactly_the_limit_is_accepted_and_line_breaks_count_once(app, ctx):
    tier = make_tier(slug="partner", name="Partner")
    owner = make_partner(organisation=make_organisation(country="DE"))
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    lines = ["x" * 49] * 10  # 490 characters and 9 line breaks: 499 as the reader counts, 508 sent
    response = browser.post(
        "/membership/apply",
        {
            **APPLY,
            "tier": tier.slug,
            "billing_address": "\r\n".join(lines) + "z",
            "signatory_name": "C" * 120,
        },
    )
    assert response.status_code == 302, text(response)
    application = db.session.scalar(sa.select(Application))
    assert application.signatory_name == "C" * 120


def test_the_counter_texts_come_translated_from_the_server(app, ctx):
    owner = make_partner()
    commit()
    browser = Browser(app, HTTP_ACCEPT_LANGUAGE="fr")
    browser.login(owner.email)
    page = text(browser.get("/organisation"))
    assert 'data-limit="200"' in page
    assert 'data-limit-text="{count} / 200 caractères"' in page
    assert 'data-limit-over="{count} / 200 caractères : {over} de trop"' in page
    assert "200 caractères au maximum." in page  # what a reader without JavaScript sees
    assert 'aria-live="polite"' in page


def test_a_refused_revocation_reason_comes_back_whole(app, ctx):
    world = make_world()
    browser = Browser(app)
    sign_in(browser, world, "admin")
    reason = "r" * 2001
    response = browser.post(
        f"/admin/standing-countersignatures/{world.standing.id}/revoke", {"reason": reason}
    )
    assert response.status_code == 400
    page = text(response)
    assert "At most 2,000 characters; this has 2,001." in page
    assert f'value="{reason}"' in page
    db.session.expire_all()
    assert db.session.get(StandingCountersignature, world.standing.id).revoked_at is None


# --- impossible dates ---------------------------------------------------------------------------


class DayForm(FlaskForm):
    day = DayField()


def day_errors(app, value: str, language: str = "en") -> list[str]:
    with app.test_request_context(), force_locale(language):
        form = DayForm(formdata=MultiDict({"day": value}), meta={"csrf": False})
        form.validate()
        return [str(message) for message in form.day.errors]


@pytest.mark.parametrize(
    ("language", "value", "message"),
    [
        ("en", "2026-02-30", "There is no 30 February 2026: that month has 28 days."),
        ("en", "2026-04-31", "There is no 31 April 2026: that month has 30 days."),
        ("en", "2026-13-01", "There is no month 13: months go from 01 to 12 (YYYY-MM-DD)."),
        ("en", "30/02/2026", "Enter a date as YYYY-MM-DD, like 2026-04-30."),
        ("en", "soon", "Enter a date as YYYY-MM-DD, like 2026-04-30."),
        ("de", "2026-02-30", "Den 30. Februar 2026 gibt es nicht: Dieser Monat hat 28 Tage."),
        ("de", "morgen", "Geben Sie ein Datum im Format JJJJ-MM-TT ein, zum Beispiel 2026-04-30."),
        ("fr", "2026-02-30", "Le 30 février 2026 n'existe pas : ce mois a 28 jours."),
        ("fr", "demain", "Saisissez une date au format AAAA-MM-JJ, par exemple 2026-04-30."),
    ],
)
def test_an_impossible_date_and_an_unreadable_one_have_their_own_messages(app, language, value, message):
    assert day_errors(app, value, language) == [message]


def test_real_dates_are_read(app):
    assert day_errors(app, "2028-02-29") == []  # a leap day
    assert day_errors(app, "2026-4-3") == []
    assert day_errors(app, "2027-02-29") == ["There is no 29 February 2027: that month has 28 days."]


def test_an_empty_date_is_left_to_the_fields_own_rule(app):
    from wtforms.validators import DataRequired, Optional

    class Forms(FlaskForm):
        optional = DayField(validators=[Optional()])
        required = DayField(validators=[DataRequired("Enter a date.")])

    with app.test_request_context():
        form = Forms(formdata=MultiDict({"optional": "", "required": " "}), meta={"csrf": False})
        assert not form.validate()
        assert form.optional.errors == [] and form.required.errors == ["Enter a date."]
        form = Forms(
            formdata=MultiDict({"optional": "2026-02-30", "required": "2026-02-30"}), meta={"csrf": False}
        )
        assert not form.validate()
        assert form.optional.errors == form.required.errors  # not hidden by "Enter a date."
        assert form.required.errors == ["There is no 30 February 2026: that month has 28 days."]


def test_every_date_field_in_the_portal_is_a_day_field(app):
    from wtforms import DateField

    plain = [
        f"{cls.__name__}.{name}"
        for cls in portal_forms()
        for name, field in vars(cls).items()
        if getattr(field, "field_class", None) is not None
        and issubclass(field.field_class, DateField)
        and not issubclass(field.field_class, DayField)
    ]
    assert plain == []


def test_an_impossible_payment_date_records_nothing(app, ctx):
    staff = make_staff()
    invoice = make_invoice(make_organisation())
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    response = browser.post(
        f"/admin/invoices/{invoice.id}", {"amount": "10.00", "received_on": "2026-02-30", "reference": "X"}
    )
    assert response.status_code in (200, 400)
    assert "There is no 30 February 2026: that month has 28 days." in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0
    assert db.session.get(Invoice, invoice.id).balance_cents == invoice.balance_cents
