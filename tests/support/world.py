"""The access-matrix world: one organisation with every kind of object, users of every role, a valid
token for every token link, and the helpers that turn an endpoint into a URL and a role into a session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from portal.agreements.models import Agreement, AgreementStatus, StandingCountersignature
from portal.auth import tokens
from portal.auth.models import PlatformRole, User
from portal.catalog import services as catalog
from portal.catalog.models import (
    Domain,
    FileKind,
    Lead,
    Researcher,
    SavedSearch,
    Technology,
    TechnologyFile,
    TechnologyStatus,
)
from portal.challenges.models import (
    Challenge,
    ChallengeAttachment,
    ChallengeMessage,
    ChallengeProposal,
    ChallengeShare,
    ChallengeStatus,
    Confidentiality,
    ProposalKind,
    ResearcherAnswer,
)
from portal.core.storage import get_storage
from portal.core.types import utcnow
from portal.extensions import db
from portal.membership.models import (
    Application,
    ApplicationStatus,
    ApprovalRule,
    BankLine,
    BankLineDecision,
    BankStatement,
    BankStatementFormat,
    DeniedParty,
    Invoice,
    Tier,
)
from portal.partners.models import Invitation, Organisation, OrgRole

from . import world_disclosures, world_kpis, world_licensing, world_pipeline, world_relations
from .browser import location, text
from .factories import (
    commit,
    make_agreement,
    make_application,
    make_invoice,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
    make_user,
)

# --- sample data ----------------------------------------------------------------------------


@dataclass
class World:
    org_a: Organisation
    owner: User
    member: User
    invitation_a: Invitation
    staff: User
    admin: User
    tier: Tier
    application_a: Application
    invoice_a: Invoice
    agreement_a: Agreement
    draft_a: Agreement
    rule: ApprovalRule | None = None
    denied_party: DeniedParty | None = None
    standing: StandingCountersignature | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    statement: BankStatement | None = None
    bank_line: BankLine | None = None  # unmatched, waiting for a decision
    technology: Technology | None = None  # published, with an inventor
    researcher: Researcher | None = None
    domain: Domain | None = None
    lead: Lead | None = None  # org_a's licensing interest in `technology`
    saved_search: SavedSearch | None = None  # the owner's
    image_file: TechnologyFile | None = None  # the technology's public image
    dossier_file: TechnologyFile | None = None  # a dossier document (NDA-gated)
    researcher_user: User | None = None  # platform role `researcher`, linked to `researcher`
    challenge: Challenge | None = None  # org_a's, screening, shared with `researcher`
    challenge_message: ChallengeMessage | None = None
    attachment: ChallengeAttachment | None = None
    share: ChallengeShare | None = None
    proposal: ChallengeProposal | None = None  # `technology`, awaiting org_a's answer
    crm: dict = field(default_factory=dict)  # the CRM's objects (tests/support/world_*.py)

    def user(self, role: str) -> User:
        return {
            "member": self.member,
            "owner": self.owner,
            "staff": self.staff,
            "admin": self.admin,
            "researcher": self.researcher_user,
        }[role]


def make_invitation(
    organisation: Organisation, inviter: User | None = None, **overrides
) -> tuple[Invitation, str]:
    token, token_hash = tokens.random_token()
    values = {
        "organisation": organisation,
        "email": f"invitee-{token_hash[:8]}@example.com",
        "roles": [OrgRole.MEMBER.value],
        "token_hash": token_hash,
        "invited_by": inviter,
        "expires_at": utcnow() + timedelta(days=7),
    }
    values.update(overrides)
    invitation = Invitation(**values)
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def make_bank_statement(staff: User) -> tuple[BankStatement, BankLine]:
    """An imported statement with one unmatched credit line waiting in the queue."""
    statement = BankStatement(
        file_sha256=f"{staff.id:064d}",
        filename="statement.xml",
        format=BankStatementFormat.CAMT053,
        content=b"<Document/>",
        entry_count=1,
        uploaded_by_id=staff.id,
    )
    line = BankLine(
        statement=statement,
        position=1,
        entry_key=f"{staff.id:064x}",
        booked_on=date.today(),
        amount_cents=99_00,
        currency="EUR",
        credit=True,
        remittance="no reference",
        reason="no invoice transfer reference found in the remittance text",
        decision=BankLineDecision.PENDING,
    )
    db.session.add_all([statement, line])
    db.session.flush()
    return statement, line


def make_catalog_objects(world: World) -> None:
    """A published technology with an inventor, org_a's lead on it and the owner's saved search."""
    world.domain = db.session.scalar(sa.select(Domain).order_by(Domain.display_order).limit(1))
    world.researcher = Researcher(name="Dr Matrix Inventor", group="Matrix Lab", expertise=["matrices"])
    db.session.add(world.researcher)
    db.session.flush()
    world.technology = catalog.create_technology(
        catalog.TechnologyData(
            title="Matrix sensing technology",
            benefit="Senses matrices.",
            problem="A matrix problem.",
            domain_id=world.domain.id if world.domain else None,
            trl=5,
            inventor_ids=[world.researcher.id],
        ),
        actor=world.staff,
        status=TechnologyStatus.PUBLISHED,
    )
    world.lead = Lead(
        technology_id=world.technology.id, organisation_id=world.org_a.id, created_by_id=world.owner.id
    )
    world.saved_search = SavedSearch(
        user_id=world.owner.id, organisation_id=world.org_a.id, name="Matrix search", params={"q": "matrix"}
    )
    db.session.add_all([world.lead, world.saved_search])
    db.session.flush()
    from .catalog import PNG, store_file

    world.image_file = store_file(world.technology, FileKind.IMAGE, PNG, "matrix.png", "image/png")
    world.dossier_file = store_file(
        world.technology,
        FileKind.DOSSIER,
        b"%PDF-1.4 matrix dossier",
        "Matrix dossier.pdf",
        "application/pdf",
    )


def make_challenge_objects(world: World) -> None:
    """A researcher account for the directory entry, and org_a's challenge in screening, shared with
    that researcher, with a message, an internal note, a file, a proposal and the researcher's answer."""
    world.researcher_user = make_user(platform_role=PlatformRole.RESEARCHER, full_name="Dr Matrix Inventor")
    world.researcher.user_id = world.researcher_user.id
    world.researcher.email = world.researcher_user.email
    world.challenge = Challenge(
        reference=f"C-2026-{world.org_a.id:04d}",
        organisation=world.org_a,
        author_id=world.owner.id,
        title="Matrix challenge",
        problem="A matrix problem to solve.",
        desired_outcome="Matrices sensed.",
        domain_id=world.domain.id if world.domain else None,
        status=ChallengeStatus.SCREENING,
        confidentiality=Confidentiality.NAMED_RESEARCHERS,
        submitted_at=utcnow(),
        first_answer_at=utcnow(),
    )
    db.session.add(world.challenge)
    db.session.flush()
    world.challenge_message = ChallengeMessage(
        challenge=world.challenge, organisation_id=world.org_a.id, author_id=world.owner.id, body="Hello TTO"
    )
    note = ChallengeMessage(
        challenge=world.challenge,
        organisation_id=world.org_a.id,
        author_id=world.staff.id,
        body="Staff only",
        internal=True,
        from_staff=True,
    )
    key = get_storage().save(b"%PDF-1.4 matrix attachment", suffix=".pdf")
    world.attachment = ChallengeAttachment(
        challenge=world.challenge,
        organisation_id=world.org_a.id,
        storage_key=key,
        filename="matrix.pdf",
        content_type="application/pdf",
        size=26,
        sha256="0" * 64,
        uploaded_by_id=world.owner.id,
    )
    world.share = ChallengeShare(
        challenge=world.challenge, researcher=world.researcher, shared_by_id=world.staff.id
    )
    world.proposal = ChallengeProposal(
        challenge=world.challenge,
        kind=ProposalKind.TECHNOLOGY,
        technology=world.technology,
        score=42,
        reasons=["Shared terms: matrix"],
    )
    answer = ResearcherAnswer(
        challenge=world.challenge, researcher=world.researcher, user_id=world.researcher_user.id, note="I can"
    )
    db.session.add_all([world.challenge_message, note, world.attachment, world.share, world.proposal, answer])
    db.session.flush()


def make_world() -> World:
    """Organisation A with an owner, a member and an open invitation; a staff user; an admin;
    and a valid token for every token link. Committed (visible to the app's requests)."""
    org_a = make_organisation(legal_name="Alpha Optics GmbH")
    owner = make_partner(organisation=org_a)
    member = make_user(org_a, {OrgRole.MEMBER})
    invitation_a, invite_token = make_invitation(org_a, owner)
    staff = make_staff()
    admin = make_staff(admin=True)
    tier = make_tier()
    application_a = make_application(org_a, tier, status=ApplicationStatus.MORE_INFO)
    invoice_a = make_invoice(org_a)
    agreement_a = make_agreement(org_a)
    draft_a = make_agreement(org_a, status=AgreementStatus.DRAFT)
    world = World(
        org_a, owner, member, invitation_a, staff, admin, tier, application_a, invoice_a, agreement_a, draft_a
    )
    # Zero-touch membership: a rule of a tier nobody applies for here (so nothing is approved),
    # a denied party, and a standing countersignature on the licence template of agreement_a.
    other_tier = make_tier(name="Matrix rule tier")
    world.rule = ApprovalRule(name="Matrix rule", tier=other_tier, account_owner_id=staff.id, active=False)
    world.denied_party = DeniedParty(name="Denied Matrix Ltd", name_key="denied matrix ltd")
    db.session.add_all([world.rule, world.denied_party])
    db.session.flush()
    world.standing = StandingCountersignature(
        template_id=agreement_a.template_id,
        tier_id=other_tier.id,
        signer_id=admin.id,
        signer_name=admin.full_name,
        signer_title="Director",
        valid_until=date(2099, 12, 31),
    )
    db.session.add(world.standing)
    db.session.flush()
    world.statement, world.bank_line = make_bank_statement(staff)
    make_catalog_objects(world)
    make_challenge_objects(world)
    world_pipeline.make_objects(world)
    world_relations.make_objects(world)
    world_kpis.make_objects(world)
    world_disclosures.make_objects(world)
    world_licensing.make_objects(world)
    world.tokens = {
        "auth.verify_email": tokens.make_token("verify-email", {"uid": member.id, "email": member.email}),
        "auth.reset_password": tokens.make_token(
            "reset-password",
            {
                "uid": member.id,
                "ph": tokens.fingerprint(member.password_hash),
                "em": tokens.fingerprint(member.email),
            },
        ),
        "auth.confirm_email_change": tokens.make_token(
            "change-email",
            {
                "uid": member.id,
                "old": member.email,
                "new": "member-new@example.com",
                "sv": member.session_version,
                "ph": tokens.fingerprint(member.password_hash),
            },
        ),
        "auth.cancel_email_change": tokens.make_token(
            "cancel-email-change", {"uid": member.id, "sv": member.session_version}
        ),
        "partners.accept_invitation": invite_token,
        "catalog.unsubscribe": tokens.make_token(
            "digest-unsubscribe", {"sid": world.saved_search.id, "uid": world.owner.id}
        ),
    }
    commit()
    return world


SAMPLE_VALUES = {
    "user_id": lambda w, endpoint: w.member.id,
    "organisation_id": lambda w, endpoint: w.org_a.id,
    "invitation_id": lambda w, endpoint: w.invitation_a.id,
    "action": lambda w, endpoint: "cancel" if endpoint == "membership.cancel" else "deactivate",
    "application_id": lambda w, endpoint: w.application_a.id,
    "invoice_id": lambda w, endpoint: w.invoice_a.id,
    "tier_id": lambda w, endpoint: w.tier.id,
    "agreement_id": lambda w, endpoint: (
        (w.draft_a if endpoint == "admin.agreement_edit" else w.agreement_a).id
    ),
    "template_id": lambda w, endpoint: w.agreement_a.template_id,
    "token": lambda w, endpoint: w.tokens[endpoint],
    "rule_id": lambda w, endpoint: w.rule.id,
    "party_id": lambda w, endpoint: w.denied_party.id,
    "standing_id": lambda w, endpoint: w.standing.id,
    "statement_id": lambda w, endpoint: w.statement.id,
    "line_id": lambda w, endpoint: w.bank_line.id,
    "slug": lambda w, endpoint: w.technology.slug,
    "technology_id": lambda w, endpoint: w.technology.id,
    "researcher_id": lambda w, endpoint: w.researcher.id,
    "domain_id": lambda w, endpoint: w.domain.id,
    "lead_id": lambda w, endpoint: w.lead.id,
    "saved_search_id": lambda w, endpoint: w.saved_search.id,
    "file_id": lambda w, endpoint: (w.dossier_file if "dossier" in endpoint else w.image_file).id,
    "challenge_id": lambda w, endpoint: w.challenge.id,
    "attachment_id": lambda w, endpoint: w.attachment.id,
    "share_id": lambda w, endpoint: w.share.id,
    "proposal_id": lambda w, endpoint: w.proposal.id,
}
SAMPLE_VALUES.update(world_pipeline.SAMPLES)
SAMPLE_VALUES.update(world_relations.SAMPLES)
SAMPLE_VALUES.update(world_kpis.SAMPLES)
SAMPLE_VALUES.update(world_disclosures.SAMPLES)
SAMPLE_VALUES.update(world_licensing.SAMPLES)


def rule_for(app, endpoint: str):
    rules = list(app.url_map.iter_rules(endpoint))
    assert rules, f"no route for {endpoint}"
    return rules[0]


def url_values(app, endpoint: str, world: World) -> dict:
    values = {}
    for argument in sorted(rule_for(app, endpoint).arguments):
        if argument not in SAMPLE_VALUES:
            pytest.fail(f"no sample value for <{argument}> of {endpoint}: add one to SAMPLE_VALUES")
        values[argument] = SAMPLE_VALUES[argument](world, endpoint)
    return values


def build_url(app, endpoint: str, world: World, **overrides) -> str:
    values = {**url_values(app, endpoint, world), **overrides}
    return app.url_map.bind("portal.test").build(endpoint, values)  # a path; no request needed


def sign_in(browser, world: World, role: str) -> None:
    if role == "anonymous":
        return
    user = world.user(role)
    if role in ("staff", "admin"):
        response = browser.login_staff(user)
        assert location(response) == "/admin/", "staff sign-in (password + TOTP) did not complete"
    elif role == "researcher":
        response = browser.login(user.email)
        assert location(response) == "/research", "researcher sign-in did not complete"
    else:
        response = browser.login(user.email)
        assert location(response) == "/dashboard", "partner sign-in did not complete"


def assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302, f"expected a redirect to /login, got {response.status_code}"
    parts = urlsplit(response.headers["Location"])
    assert not parts.netloc and parts.path == "/login", response.headers["Location"]
    assert parse_qs(parts.query).get("next") == [path], response.headers["Location"]


def is_token_refusal_page(response) -> bool:
    return "could not be understood" in text(response)
