"""Demo data for development: a few partner companies, their people, and TTO staff.

`seed()` is idempotent: records are looked up by their natural keys and only created when missing.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import sqlalchemy as sa

from .agreements import services as agreements
from .agreements.models import AgreementKind, StandingCountersignature
from .agreements.templates import ensure_default_template
from .auth.models import PlatformRole, User
from .auth.passwords import hash_password
from .catalog.demo_data import seed_catalog
from .catalog.models import DigestFrequency, Researcher, SavedSearch
from .catalog.services import saved as saved_searches
from .challenges.demo_data import RESEARCHER_ACCOUNTS, seed_challenges
from .core.models import Email, EmailStatus
from .core.types import utcnow
from .crm import demo_kpis, demo_pipeline, demo_relations
from .extensions import db
from .innovation import demo_disclosures, demo_licensing
from .membership import services as membership
from .membership.models import (
    Application,
    ApprovalRule,
    CatalogAccess,
    Membership,
    MembershipStatus,
    Tier,
)
from .partners.models import Organisation, OrganisationStatus, OrgRole, SizeBand
from .partners.services import set_roles

DEMO_PASSWORD = "liaison-demo-2026"  # noqa: S105 - development only, printed by seed-demo

STAFF = [
    ("admin@liaison.example", "Ada Lindqvist", "Head of Technology Transfer", PlatformRole.ADMIN),
    ("officer@liaison.example", "Oscar Mbeki", "Partnership Development Officer", PlatformRole.STAFF),
    ("officer2@liaison.example", "Priya Natarajan", "Partnership Development Officer", PlatformRole.STAFF),
]

ORGANISATIONS = [
    {
        "legal_name": "Acme Robotics GmbH",
        "trading_name": "Acme Robotics",
        "country": "DE",
        "registration_number": "HRB 123456",
        "vat_number": "DE136695976",
        "address_line1": "Industriestraße 12",
        "postcode": "80331",
        "city": "München",
        "website": "https://acme-robotics.example",
        "sector": "Advanced manufacturing",
        "size_band": SizeBand.MEDIUM,
        "status": OrganisationStatus.MEMBER,
        "people": [
            ("owner@acme.example", "Clara Becker", "Head of R&D", {OrgRole.OWNER, OrgRole.SIGNATORY}),
            ("finance@acme.example", "Jonas Weber", "Finance Manager", {OrgRole.BILLING}),
            ("engineer@acme.example", "Mia Schulz", "Robotics Engineer", {OrgRole.MEMBER}),
        ],
    },
    {
        "legal_name": "Nordlicht Energy AS",
        "trading_name": "",
        "country": "NO",
        "registration_number": "987 654 321",
        "vat_number": "",
        "address_line1": "Havnegata 4",
        "postcode": "0150",
        "city": "Oslo",
        "website": "https://nordlicht.example",
        "sector": "Energy and utilities",
        "size_band": SizeBand.LARGE,
        "status": OrganisationStatus.APPLICANT,
        "people": [
            (
                "owner@nordlicht.example",
                "Ingrid Solberg",
                "CTO",
                {OrgRole.OWNER, OrgRole.BILLING, OrgRole.SIGNATORY},
            ),
        ],
    },
    {
        "legal_name": "Kumo Materials K.K.",
        "trading_name": "Kumo Materials",
        "country": "JP",
        "registration_number": "0104-01-123456",
        "vat_number": "",
        "address_line1": "2-1 Marunouchi, Chiyoda-ku",
        "postcode": "100-0005",
        "city": "Tokyo",
        "website": "https://kumo-materials.example",
        "sector": "Chemicals and materials",
        "size_band": SizeBand.ENTERPRISE,
        "status": OrganisationStatus.REGISTERED,
        "people": [
            (
                "owner@kumo.example",
                "Haruto Sato",
                "Director, Open Innovation",
                {OrgRole.OWNER, OrgRole.SIGNATORY},
            ),
        ],
    },
]


def demo_totp_secret(email: str) -> str:
    """A stable secret per demo account, so the seed stays idempotent."""
    return base64.b32encode(hashlib.sha256(f"liaison-demo:{email}".encode()).digest()[:20]).decode()


def _user(email: str, password_hash: str, **values) -> tuple[User, bool]:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        return user, False
    user = User(email=email, password_hash=password_hash, email_verified_at=utcnow(), **values)
    db.session.add(user)
    return user, True


TIERS = [
    {
        "slug": "associate",
        "name": "Associate",
        "annual_fee_cents": 5_000_00,
        "description": "Stay close to the institute's research and meet its people.",
        "benefits": [
            "Invitations to partner events and the annual research showcase",
            "Quarterly technology newsletter",
            "Browse public summaries of licensable technologies",
        ],
        "seat_limit": 3,
        "challenge_limit": 0,
        "catalog_access": CatalogAccess.TEASER,
        "first_look_days": 0,
        "translations": {
            "fr": {
                "description": "Restez proche de la recherche de l'institut et rencontrez ses équipes.",
                "benefits": [
                    "Invitations aux événements partenaires et à la vitrine annuelle de la recherche",
                    "Lettre trimestrielle sur les technologies",
                    "Consultation des résumés publics des technologies à licencier",
                ],
            },
            "de": {
                "description": "Bleiben Sie nah an der Forschung des Instituts und lernen Sie seine Teams"
                " kennen.",
                "benefits": [
                    "Einladungen zu Partnerveranstaltungen und zur jährlichen Forschungsschau",
                    "Vierteljährlicher Technologie-Newsletter",
                    "Öffentliche Kurzbeschreibungen lizenzierbarer Technologien",
                ],
            },
        },
        "display_order": 1,
        # Card payment (when Stripe is configured): the tier the zero-touch demo path uses.
        "stripe_price_id": "price_associate_yearly",
    },
    {
        "slug": "partner",
        "name": "Partner",
        "annual_fee_cents": 25_000_00,
        "description": "Bring your R&D challenges and license our technologies.",
        "benefits": [
            "Everything in Associate",
            "Post up to 3 open R&D challenges, matched with researchers",
            "Confidential technology dossiers under NDA",
            "Introductions to research groups",
        ],
        "seat_limit": 10,
        "challenge_limit": 3,
        "catalog_access": CatalogAccess.DOSSIER,
        "first_look_days": 14,
        "translations": {
            "fr": {
                "description": "Apportez vos défis de R&D et prenez licence de nos technologies.",
                "benefits": [
                    "Tout ce que comprend Associate",
                    "Jusqu'à 3 défis de R&D ouverts, mis en relation avec des chercheurs",
                    "Dossiers technologiques confidentiels sous accord de confidentialité",
                    "Mises en relation avec les groupes de recherche",
                ],
            },
            "de": {
                "description": "Bringen Sie Ihre F&E-Herausforderungen ein und lizenzieren Sie"
                " unsere Technologien.",
                "benefits": [
                    "Alles aus Associate",
                    "Bis zu 3 offene F&E-Herausforderungen, abgestimmt mit Forschenden",
                    "Vertrauliche Technologiedossiers unter Geheimhaltungsvereinbarung",
                    "Kontakte zu Forschungsgruppen",
                ],
            },
        },
        "display_order": 2,
    },
    {
        "slug": "strategic",
        "name": "Strategic",
        "annual_fee_cents": 100_000_00,
        "description": "A long-term alliance that shapes the research agenda.",
        "benefits": [
            "Everything in Partner",
            "First look at new technologies, 60 days before other partners",
            "A seat on the programme's steering committee",
            "A dedicated Partnership Development Officer",
            "Unlimited open R&D challenges",
        ],
        "seat_limit": None,
        "challenge_limit": None,
        "catalog_access": CatalogAccess.DOSSIER,
        "first_look_days": 60,
        "translations": {
            "fr": {
                "description": "Une alliance de long terme qui oriente le programme de recherche.",
                "benefits": [
                    "Tout ce que comprend Partner",
                    "Premier regard sur les nouvelles technologies, 60 jours avant les autres partenaires",
                    "Un siège au comité de pilotage du programme",
                    "Un·e chargé·e de développement des partenariats dédié·e",
                    "Défis de R&D ouverts sans limite",
                ],
            },
            "de": {
                "description": "Eine langfristige Allianz, die die Forschungsagenda mitgestaltet.",
                "benefits": [
                    "Alles aus Partner",
                    "Erster Blick auf neue Technologien, 60 Tage vor anderen Partnern",
                    "Ein Sitz im Lenkungsausschuss des Programms",
                    "Eine eigene Ansprechperson für die Partnerschaft",
                    "Unbegrenzt offene F&E-Herausforderungen",
                ],
            },
        },
        "display_order": 3,
    },
]


def _seed_agreements(acme: Organisation, member, admin: User) -> None:
    """Acme's executed partnership agreement, and a licence term sheet waiting for its signature."""
    signer = db.session.scalar(sa.select(User).where(User.email == "owner@acme.example"))

    def evidence(user: User, agreement) -> agreements.Evidence:
        return agreements.Evidence(
            user.full_name, user.job_title, True, agreement.pdf_sha256, "192.0.2.10", "Liaison demo data"
        )

    partnership = agreements.issue_partnership(
        admin,
        member.organisation,
        member.tier,
        source=f"membership:{member.id}",
        period_start=utcnow().date() - timedelta(days=100),
    )
    agreements.sign_as_partner(signer, partnership, evidence(signer, partnership))
    agreements.countersign(admin, partnership, evidence(admin, partnership))
    agreements.render_executed(partnership)
    term_sheet = agreements.create_agreement(
        admin,
        acme,
        AgreementKind.LICENCE,
        agreements.Terms(
            title="Licence Term Sheet: Self-healing polymer coatings",
            term_months=12,
            subject="Self-healing polymer coatings (NIT-2025-017)",
            field_of_use="Protective coatings for industrial robots",
            territory="European Union and Switzerland",
            exclusive=True,
            upfront_fee="EUR 15,000",
            royalty="3 % of net sales",
            option_months=6,
        ),
    )
    agreements.issue(admin, term_sheet)


def _seed_memberships(admin: User) -> int:
    """Acme is a paying Partner (invoice paid); Nordlicht has an application waiting for staff."""
    created = 0
    newest_email = db.session.scalar(sa.select(sa.func.max(Email.id))) or 0
    tiers = {t.slug: t for t in db.session.scalars(sa.select(Tier))}

    def organisation(name: str) -> Organisation | None:
        return db.session.scalar(sa.select(Organisation).where(Organisation.legal_name == name))

    acme = organisation("Acme Robotics GmbH")
    if acme is not None and membership.membership_of(acme) is None:
        paid_on = utcnow().date() - timedelta(days=100)
        member = Membership(tier=tiers["partner"], status=MembershipStatus.AWAITING_PAYMENT)
        db.session.add(member)
        member.organisation = acme
        db.session.flush()
        _seed_agreements(acme, member, admin)
        invoice = membership.issue_invoice(member, today=paid_on)
        membership.record_payment(admin, invoice, invoice.total_cents, paid_on, "SEPA demo transfer")
        created += 1
    nordlicht = organisation("Nordlicht Energy AS")
    if nordlicht is not None and membership.latest_application(nordlicht) is None:
        owner = db.session.scalar(sa.select(User).where(User.email == "owner@nordlicht.example"))
        db.session.add(
            Application(
                organisation=nordlicht,
                tier=tiers["partner"],
                signatory_name="Ingrid Solberg",
                signatory_title="CTO",
                billing_name="Ingrid Solberg",
                billing_email="owner@nordlicht.example",
                billing_address="Havnegata 4\n0150 Oslo",
                interests="Offshore wind: materials for blade erosion, grid-scale storage.",
                heard_from="event",
                submitted_by=owner,
            )
        )
        created += 1
    # Demo history is not news: the emails it queued are marked sent instead of being delivered.
    db.session.flush()
    for email in db.session.scalars(
        sa.select(Email).where(Email.status == EmailStatus.PENDING, Email.id > newest_email)
    ):
        email.status = EmailStatus.SENT
    return created


ZERO_TOUCH_RULE = "Associate: card payers outside the denied list"


def _seed_zero_touch(admin: User, officer: User) -> int:
    """The standard path needs no staff: an Associate application paid by card, from a company
    with a valid VAT or registration number and not on the denied list, is approved by a rule, and
    its partnership agreement is countersigned under Ada's standing authorisation."""
    created = 0
    tier = db.session.scalar(sa.select(Tier).where(Tier.slug == "associate"))
    if tier is None:
        return 0
    if not tier.stripe_price_id:
        tier.stripe_price_id = "price_associate_yearly"
    if db.session.scalar(sa.select(ApprovalRule).where(ApprovalRule.tier_id == tier.id)) is None:
        membership.save_rule(
            admin,
            None,
            membership.RuleData(
                name=ZERO_TOUCH_RULE,
                tier_id=tier.id,
                require_not_denied=True,
                require_tax_number=True,
                require_card=True,
                account_owner_id=officer.id,
                active=True,
            ),
        )
        created += 1
    if not membership.denied_parties():
        membership.add_denied_party(
            admin,
            membership.DeniedPartyData(
                name="Blocked Example Trading Ltd", country="", number="", note="Demo entry"
            ),
        )
        created += 1
    template = ensure_default_template(AgreementKind.PARTNERSHIP)
    standing = db.session.scalar(
        sa.select(StandingCountersignature).where(
            StandingCountersignature.template_id == template.id,
            StandingCountersignature.tier_id == tier.id,
            StandingCountersignature.revoked_at.is_(None),
        )
    )
    if standing is None:
        agreements.give_standing(
            admin, template, tier.id, admin, admin.job_title, utcnow().date() + timedelta(days=365)
        )
        created += 1
    return created


DEMO_SAVED_SEARCHES = [
    ("engineer@acme.example", "Robot grasping and cobots", {"domain": ["robotics"]}, DigestFrequency.WEEKLY),
    ("owner@acme.example", "Lidar and localisation", {"q": "lidar"}, DigestFrequency.DAILY),
]


def _seed_saved_searches() -> int:
    created = 0
    for email, name, params, frequency in DEMO_SAVED_SEARCHES:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None or db.session.scalar(
            sa.select(SavedSearch.id).where(SavedSearch.user_id == user.id, SavedSearch.name == name)
        ):
            continue
        saved_searches.save_search(user, name, params, frequency)
        created += 1
    return created


def seed() -> str:
    created = 0
    for spec in TIERS:
        if db.session.scalar(sa.select(Tier).where(Tier.slug == spec["slug"])) is None:
            db.session.add(Tier(**spec))
            created += 1
    password_hash = hash_password(DEMO_PASSWORD)
    staff_users = []
    for email, name, title, role in STAFF:
        user, new = _user(email, password_hash, full_name=name, job_title=title, platform_role=role)
        if new:
            user.totp_secret = demo_totp_secret(email)
            user.totp_enabled_at = utcnow()
            created += 1
        staff_users.append(user)
    db.session.flush()
    for index, spec in enumerate(ORGANISATIONS):
        values = {k: v for k, v in spec.items() if k != "people"}
        organisation = db.session.scalar(
            sa.select(Organisation).where(Organisation.legal_name == values["legal_name"])
        )
        if organisation is None:
            organisation = Organisation(**values, account_owner=staff_users[1 + index % 2])
            db.session.add(organisation)
            created += 1
        for email, name, title, roles in spec["people"]:
            user, new = _user(
                email, password_hash, full_name=name, job_title=title, platform_role=PlatformRole.PARTNER
            )
            if new:
                user.organisation = organisation
                set_roles(user, roles)
                created += 1
    db.session.flush()
    created += _seed_memberships(staff_users[0])
    created += _seed_zero_touch(staff_users[0], staff_users[1])
    created += seed_catalog()
    created += _seed_saved_searches()
    created += seed_challenges(staff_users, password_hash)
    created += demo_pipeline.seed(staff_users)
    created += demo_relations.seed(staff_users)
    created += demo_kpis.seed(staff_users)
    created += demo_disclosures.seed(staff_users)
    created += demo_licensing.seed(staff_users)
    lines = [
        f"Demo data ready ({created} records created).",
        f"Demo password for every account: {DEMO_PASSWORD}",
        "Catalog:         60 technologies at /technologies (Acme's Partner tier sees partner detail",
        "                 and, after accepting the NDA, the dossiers); matchmaking at /admin/matching",
        "Partner logins:  owner@acme.example (owner and signatory), finance@acme.example (billing),",
        "                 engineer@acme.example (member), owner@nordlicht.example, owner@kumo.example",
        "Staff logins:    admin@liaison.example (admin), officer@liaison.example and",
        "                 officer2@liaison.example (Partnership Development Officers)",
        "Programme:       ways to work with us at /collaborate; the pipeline, KPIs, tasks and renewals",
        "                 in the staff console (/admin/); disclosures, IP, licences and spin-offs there too",
        "Researcher logins (/research, /inventions): "
        + ", ".join(
            db.session.scalars(
                sa.select(User.email)
                .join(Researcher, Researcher.user_id == User.id)
                .where(Researcher.name.in_(RESEARCHER_ACCOUNTS))
                .order_by(User.email)
            )
        ),
        "Staff sign-in asks for a two-factor code. Print the current one with:",
        "  .venv/bin/flask --app wsgi portal demo-totp admin@liaison.example",
        f"  (or add the secret {demo_totp_secret('admin@liaison.example')} to an authenticator app)",
    ]
    return "\n".join(lines)
