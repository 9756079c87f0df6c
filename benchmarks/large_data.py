"""A large, deterministic data set on top of the seeded demo data (issue 15): 1,000 organisations,
5,000 users, 2,000 invoices, 2,000 agreements and 100,000 audit rows in all (the demo rows count).

Rows go in with SQLAlchemy Core `insert()` and lists of dicts (executemany) into the tables of the
application under test, with explicit ids after the highest existing one (PostgreSQL sequences are
moved past them afterwards). The demo accounts keep signing in: Acme keeps its demo rows, the new
organisations get their own people, memberships, applications, invoices, agreements and signatures,
and the audit rows are spread over every organisation (the demo ones included) and two years.

    generate(db)          # inside an app context, after `flask db upgrade` + seed-demo

Needs the application's `portal` package importable (benchmarks/pages.py puts the application root
first on sys.path).
"""

from __future__ import annotations

import copy
import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

TARGETS = {
    "organisation": 1_000,
    "user": 5_000,
    "invoice": 2_000,
    "agreement": 2_000,
    "audit_event": 100_000,
}
USERS_PER_ORGANISATION = 5
CHUNK = 5_000

WORDS = [
    "Alder",
    "Birch",
    "Cedar",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Riviera",
    "Summit",
    "Tundra",
    "Umbra",
    "Vertex",
    "Willow",
    "Xenon",
    "Yarrow",
    "Zephyr",
    "Atlas",
    "Beacon",
    "Cobalt",
    "Dune",
    "Echo",
    "Falcon",
    "Glacier",
    "Helix",
    "Ion",
    "Jade",
    "Krypton",
    "Lotus",
    "Magnet",
    "Nova",
    "Onyx",
    "Prism",
    "Quill",
    "Raven",
]
SUFFIXES = ["GmbH", "B.V.", "Ltd", "S.A.", "AB", "AS", "Oy", "S.r.l.", "K.K.", "Inc.", "SE", "ApS"]
COUNTRIES = ["DE", "NL", "FR", "BE", "SE", "NO", "FI", "DK", "IT", "ES", "GB", "CH", "AT", "US", "JP", "PL"]
CITIES = ["Berlin", "Delft", "Lyon", "Gent", "Malmö", "Bergen", "Espoo", "Aarhus", "Torino", "Bilbao"]
FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Eva",
    "Felix",
    "Greta",
    "Hugo",
    "Ines",
    "Jan",
    "Katja",
    "Lars",
    "Mona",
    "Nils",
    "Olga",
    "Paul",
    "Rosa",
    "Sven",
]
LAST = [
    "Albers",
    "Berg",
    "Costa",
    "Dahl",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Lund",
    "Meyer",
]
AUDIT_ACTIONS = [
    "user.created", "user.password_changed", "user.password_reset", "user.email_changed",
    "user.reactivated", "user.recovery_codes_regenerated", "organisation.signed_up",
    "organisation.updated", "invitation.sent", "invitation.accepted", "invitation.revoked",
    "member.removed", "application.submitted", "application.resubmitted", "application.rejected",
    "application.more_info_requested", "membership.activated", "membership.past_due",
    "membership.lapsed", "membership.ended", "membership.upgraded", "invoice.issued",
    "agreement.created", "agreement.issued", "agreement.executed", "agreement.updated",
]  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _next_id(db: Any, table: sa.Table) -> int:
    return (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def _count(db: Any, table: sa.Table) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def _insert(db: Any, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[start : start + CHUNK])


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _agreement_params(db: Any, models: Any, kind: Any) -> dict[str, Any]:
    """A parameter snapshot of this kind: built by the application for Acme, else copied."""
    Agreement, Organisation = models.Agreement, models.Organisation
    existing = db.session.scalar(sa.select(Agreement).where(Agreement.kind == kind).limit(1))
    if existing is not None:
        return copy.deepcopy(existing.params)
    try:
        from portal.agreements.services import Terms, build_params

        acme = db.session.scalar(sa.select(Organisation).order_by(Organisation.id).limit(1))
        return build_params(acme, kind, "BENCH", Terms(subject="Benchmark technology", purpose="benchmark"))
    except Exception:  # the signature may change; any snapshot of the right shape will do
        fallback = db.session.scalar(sa.select(Agreement).limit(1))
        params = copy.deepcopy(fallback.params) if fallback is not None else {}
        params.setdefault("agreement", {})["kind"] = kind.value
        return params


def _template_id(db: Any, models: Any, kind: Any) -> int:
    try:
        from portal.agreements.templates import ensure_default_template

        return ensure_default_template(kind).id
    except Exception:
        template = db.session.scalar(
            sa.select(models.AgreementTemplate).where(models.AgreementTemplate.kind == kind).limit(1)
        ) or db.session.scalar(sa.select(models.AgreementTemplate).limit(1))
        return template.id


class _Models:
    def __init__(self) -> None:
        from portal.agreements import models as agreements
        from portal.auth import models as auth
        from portal.core import models as core
        from portal.membership import models as membership
        from portal.partners import models as partners

        for module in (agreements, auth, core, membership, partners):
            for name in dir(module):
                if not name.startswith("_"):
                    setattr(self, name, getattr(module, name))


def generate(db: Any, seed: int = 15) -> dict[str, int]:
    """Fill the database up to TARGETS; returns the row counts afterwards."""
    m = _Models()
    rnd = random.Random(seed)
    now = _now()
    today = now.date()
    t = {name: model.__table__ for name, model in {
        "organisation": m.Organisation, "user": m.User, "role": m.UserOrgRole, "tier": m.Tier,
        "application": m.Application, "membership": m.Membership, "invoice": m.Invoice,
        "payment": m.Payment, "agreement": m.Agreement, "signature": m.AgreementSignature,
        "audit_event": m.AuditEvent,
    }.items()}  # fmt: skip

    owner_hash = db.session.scalar(
        sa.select(m.User.password_hash).where(m.User.email == "owner@acme.example")
    )
    tiers = list(db.session.scalars(sa.select(m.Tier).order_by(m.Tier.display_order)))
    admin_id = db.session.scalar(sa.select(m.User.id).where(m.User.platform_role == m.PlatformRole.ADMIN))
    templates = {kind: _template_id(db, m, kind) for kind in m.AgreementKind}
    params = {kind: _agreement_params(db, m, kind) for kind in m.AgreementKind}
    db.session.flush()

    # --- staff and organisations -------------------------------------------------------------
    new_orgs = TARGETS["organisation"] - _count(db, t["organisation"])
    new_staff = TARGETS["user"] - _count(db, t["user"]) - new_orgs * USERS_PER_ORGANISATION
    user_id = _next_id(db, t["user"])
    staff_rows = []
    for i in range(max(new_staff, 0)):
        staff_rows.append({
            "id": user_id, "email": f"officer{i + 3}@liaison.example",
            "full_name": f"{rnd.choice(FIRST)} {rnd.choice(LAST)}", "job_title": "Partnership Officer",
            "password_hash": owner_hash, "platform_role": m.PlatformRole.STAFF, "organisation_id": None,
            "active": True, "email_verified_at": now - timedelta(days=400), "session_version": 1,
            "created_at": now - timedelta(days=400), "totp_secret": None, "totp_enabled_at": None,
        })  # fmt: skip
        user_id += 1
    _insert(db, t["user"], staff_rows)
    officers = list(
        db.session.scalars(sa.select(m.User.id).where(m.User.platform_role != m.PlatformRole.PARTNER))
    )

    statuses = rnd.choices(
        [m.OrganisationStatus.MEMBER, m.OrganisationStatus.APPLICANT, m.OrganisationStatus.REGISTERED,
         m.OrganisationStatus.LAPSED, m.OrganisationStatus.SUSPENDED],
        weights=[50, 15, 20, 10, 5], k=new_orgs,
    )  # fmt: skip
    org_id = _next_id(db, t["organisation"])
    orgs = []
    for i in range(new_orgs):
        name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i + 1}"
        orgs.append({
            "id": org_id + i, "legal_name": f"{name} {rnd.choice(SUFFIXES)}",
            "trading_name": name if rnd.random() < 0.5 else "", "country": rnd.choice(COUNTRIES),
            "registration_number": f"REG-{rnd.randrange(10**7):07d}", "vat_number": "",
            "address_line1": f"{rnd.choice(WORDS)}weg {rnd.randrange(1, 200)}", "address_line2": "",
            "postcode": f"{rnd.randrange(1000, 99999)}", "city": rnd.choice(CITIES),
            "website": f"https://org{org_id + i}.example", "sector": rnd.choice(m.SECTORS),
            "size_band": rnd.choice(list(m.SizeBand)), "status": statuses[i],
            "account_owner_id": rnd.choice(officers),
            "created_at": now - timedelta(days=rnd.randrange(30, 1500)),
        })  # fmt: skip
    _insert(db, t["organisation"], orgs)

    # --- people: an owner and signatory, a billing contact, three members each -------------------
    users, roles = [], []
    people: dict[int, list[int]] = {}
    for org in orgs:
        for n in range(USERS_PER_ORGANISATION):
            kind = ("owner", "billing", "member", "member", "member")[n]
            users.append({
                "id": user_id, "email": f"{kind}{n}@org{org['id']}.example",
                "full_name": f"{rnd.choice(FIRST)} {rnd.choice(LAST)}", "job_title": kind.capitalize(),
                "password_hash": owner_hash, "platform_role": m.PlatformRole.PARTNER,
                "organisation_id": org["id"], "active": rnd.random() > 0.03,
                "email_verified_at": org["created_at"] if rnd.random() > 0.05 else None,
                "session_version": 1, "created_at": org["created_at"], "totp_secret": None,
                "totp_enabled_at": None,
            })  # fmt: skip
            grants = {
                "owner": [m.OrgRole.OWNER, m.OrgRole.SIGNATORY], "billing": [m.OrgRole.BILLING],
            }.get(kind, [m.OrgRole.MEMBER])  # fmt: skip
            roles.extend({"user_id": user_id, "role": role} for role in grants)
            people.setdefault(org["id"], []).append(user_id)
            user_id += 1
    _insert(db, t["user"], users)
    _insert(db, t["role"], roles)

    # --- applications and memberships --------------------------------------------------------
    application_id = _next_id(db, t["application"])
    membership_id = _next_id(db, t["membership"])
    applications, memberships = [], []
    member_of: dict[int, tuple[int, Any]] = {}  # organisation id -> (membership id, tier)
    for org in orgs:
        status = org["status"]
        if status is m.OrganisationStatus.REGISTERED and rnd.random() > 0.05:
            continue
        tier = rnd.choice(tiers)
        submitted = org["created_at"] + timedelta(days=rnd.randrange(1, 20))
        app_status = {
            m.OrganisationStatus.APPLICANT: rnd.choice([m.ApplicationStatus.SUBMITTED,
                                                        m.ApplicationStatus.MORE_INFO]),
            m.OrganisationStatus.REGISTERED: m.ApplicationStatus.REJECTED,
        }.get(status, m.ApplicationStatus.APPROVED)  # fmt: skip
        decided = app_status in (m.ApplicationStatus.APPROVED, m.ApplicationStatus.REJECTED)
        applications.append({
            "id": application_id, "organisation_id": org["id"], "tier_id": tier.id, "status": app_status,
            "signatory_name": "Signatory", "signatory_title": "Managing Director",
            "billing_name": "Billing", "billing_email": f"billing1@org{org['id']}.example",
            "billing_address": f"{org['address_line1']}\n{org['postcode']} {org['city']}",
            "vat_number": "", "interests": "Benchmark data", "heard_from": "event",
            "submitted_by_id": people[org["id"]][0], "submitted_at": submitted,
            "decided_at": submitted + timedelta(days=5) if decided else None,
            "decided_by_id": admin_id if decided else None, "staff_message": "",
        })  # fmt: skip
        if app_status is m.ApplicationStatus.APPROVED:
            start = today - timedelta(days=rnd.randrange(0, 700))
            mstatus = {
                m.OrganisationStatus.LAPSED: m.MembershipStatus.LAPSED,
                m.OrganisationStatus.SUSPENDED: m.MembershipStatus.CANCELLED,
            }.get(status) or rnd.choices(
                [m.MembershipStatus.ACTIVE, m.MembershipStatus.PAST_DUE, m.MembershipStatus.AWAITING_PAYMENT],
                weights=[85, 10, 5],
            )[0]  # fmt: skip
            memberships.append({
                "id": membership_id, "organisation_id": org["id"], "tier_id": tier.id,
                "application_id": application_id, "status": mstatus,
                "payment_method": m.PaymentMethod.INVOICE, "period_start": start,
                "period_end": start + timedelta(days=364), "auto_renew": True,
                "agreement_required": True, "pending_tier_id": None, "stripe_customer_id": None,
                "stripe_subscription_id": None, "created_at": submitted + timedelta(days=5),
                "updated_at": submitted + timedelta(days=5),
            })  # fmt: skip
            member_of[org["id"]] = (membership_id, tier)
            membership_id += 1
        application_id += 1
    _insert(db, t["application"], applications)
    _insert(db, t["membership"], memberships)

    # --- invoices and payments ---------------------------------------------------------------
    invoice_id = _next_id(db, t["invoice"])
    payment_id = _next_id(db, t["payment"])
    invoices, payments = [], []
    member_orgs = sorted(member_of)
    by_id = {org["id"]: org for org in orgs}
    for i in range(TARGETS["invoice"] - _count(db, t["invoice"])):
        oid = member_orgs[i % len(member_orgs)]
        mid, tier = member_of[oid]
        org = by_id[oid]
        issued = today - timedelta(days=rnd.randrange(0, 1000))
        status = rnd.choices(list(m.InvoiceStatus), weights=[20, 70, 10])[0]  # open, paid, void
        net = tier.annual_fee_cents
        number = f"BENCH-{invoice_id:07d}"
        invoices.append({
            "id": invoice_id, "number": number, "organisation_id": oid, "membership_id": mid,
            "tier_id": tier.id, "purpose": "membership", "issued_on": issued,
            "due_on": issued + timedelta(days=30), "description": f"{tier.name} membership",
            "period_start": issued, "period_end": issued + timedelta(days=364), "currency": "EUR",
            "net_cents": net, "vat_rate_bp": 0, "vat_cents": 0, "total_cents": net,
            "vat_treatment": m.VatTreatment.REVERSE_CHARGE, "payment_reference": number,
            "buyer": {"name": org["legal_name"], "address": org["address_line1"], "country": org["country"],
                      "email": f"billing1@org{oid}.example", "vat_number": ""},
            "seller": {"name": "Northfield Institute of Technology"}, "status": status,
            "paid_at": datetime.combine(issued + timedelta(days=20), datetime.min.time(), UTC)
            if status is m.InvoiceStatus.PAID else None,
            "pdf": None, "pdf_sha256": None, "created_at": now - timedelta(days=(today - issued).days),
        })  # fmt: skip
        if status is m.InvoiceStatus.PAID:
            payments.append({
                "id": payment_id, "invoice_id": invoice_id, "amount_cents": net,
                "received_on": issued + timedelta(days=20), "reference": "SEPA transfer",
                "method": m.PaymentMethod.INVOICE, "recorded_by_id": admin_id,
                "created_at": now - timedelta(days=(today - issued).days),
            })  # fmt: skip
            payment_id += 1
        invoice_id += 1
    _insert(db, t["invoice"], invoices)
    _insert(db, t["payment"], payments)

    # --- agreements and their signatures -----------------------------------------------------
    agreement_id = _next_id(db, t["agreement"])
    signature_id = _next_id(db, t["signature"])
    agreements, signatures = [], []
    A = m.AgreementStatus
    for i in range(TARGETS["agreement"] - _count(db, t["agreement"])):
        if i < len(member_orgs):  # every member organisation's partnership agreement
            oid, kind = member_orgs[i], m.AgreementKind.PARTNERSHIP
            status = rnd.choices([A.EXECUTED, A.PARTNER_SIGNED, A.ISSUED], weights=[85, 10, 5])[0]
        else:
            oid = orgs[rnd.randrange(len(orgs))]["id"]
            kind = rnd.choice([m.AgreementKind.NDA, m.AgreementKind.LICENCE, m.AgreementKind.COLLABORATION])
            status = rnd.choices(
                [A.DRAFT, A.ISSUED, A.PARTNER_SIGNED, A.EXECUTED, A.VOID, A.SUPERSEDED],
                weights=[10, 20, 10, 40, 10, 10],
            )[0]  # fmt: skip
        org = by_id[oid]
        number = f"BENCH-{agreement_id:07d}"
        snapshot = copy.deepcopy(params[kind])
        snapshot.setdefault("agreement", {})["number"] = number
        if isinstance(snapshot.get("partner"), dict):
            snapshot["partner"].update(legal_name=org["legal_name"], trading_name=org["trading_name"])
        created = now - timedelta(days=rnd.randrange(1, 900))
        issued = status is not A.DRAFT
        executed = status is A.EXECUTED
        pdf_sha = _sha(f"pdf {number}") if issued else None
        agreements.append({
            "id": agreement_id, "number": number, "organisation_id": oid, "kind": kind,
            "template_id": templates[kind], "title": kind.label, "status": status,
            "countersignature_required": True, "params": snapshot, "source": "",
            "pdf": None, "pdf_sha256": pdf_sha, "generated_at": created if issued else None,
            "executed_pdf": None, "executed_sha256": _sha(f"executed {number}") if executed else None,
            "executed_at": created + timedelta(days=9) if executed else None,
            "executed_rendered_at": created + timedelta(days=9) if executed else None,
            "render_attempts": 1 if executed else 0, "issued_at": created if issued else None,
            "ended_at": created + timedelta(days=30) if status in (A.VOID, A.SUPERSEDED) else None,
            "end_reason": "Benchmark data" if status in (A.VOID, A.SUPERSEDED) else "",
            "replaces_id": None, "created_by_id": admin_id, "created_at": created,
        })  # fmt: skip
        if status in (A.PARTNER_SIGNED, A.EXECUTED):
            parties = [(m.SignatoryParty.PARTNER, people[oid][0])]
            if executed:
                parties.append((m.SignatoryParty.INSTITUTION, admin_id))
            for day, (party, signer) in enumerate(parties, start=3):
                signatures.append({
                    "id": signature_id, "agreement_id": agreement_id, "party": party, "user_id": signer,
                    "user_email": f"signer{signer}@example.org", "full_name": "Signatory",
                    "title": "Director", "statement": "I confirm that I may sign for my organisation.",
                    "signed_at": created + timedelta(days=day), "ip": "192.0.2.10",
                    "user_agent": "benchmark", "document_sha256": pdf_sha,
                })  # fmt: skip
                signature_id += 1
        agreement_id += 1
    _insert(db, t["agreement"], agreements)
    _insert(db, t["signature"], signatures)

    # --- the audit log: oldest first, ids in time order --------------------------------------
    all_orgs = list(db.session.scalars(sa.select(m.Organisation.id)))
    staff_emails = dict(
        db.session.execute(sa.select(m.User.id, m.User.email).where(m.User.id.in_(officers))).all()
    )
    audit_id = _next_id(db, t["audit_event"])
    missing = TARGETS["audit_event"] - _count(db, t["audit_event"])
    start = now - timedelta(days=730)
    step = timedelta(days=729) / max(missing, 1)
    rows = []
    for i in range(missing):
        oid = rnd.choice(all_orgs) if rnd.random() < 0.9 else None
        actor = rnd.choice(officers) if oid is None or rnd.random() < 0.4 else None
        action = rnd.choice(AUDIT_ACTIONS)
        target_type = action.split(".")[0]
        rows.append({
            "id": audit_id + i, "created_at": start + step * i, "actor_id": actor,
            "actor_email": staff_emails.get(actor) if actor else f"owner0@org{oid}.example",
            "action": action, "target_type": target_type, "target_id": oid or actor,
            "target_label": f"{target_type} {oid or actor}", "organisation_id": oid,
            "details": {"benchmark": True}, "ip": f"192.0.2.{i % 250 + 1}", "request_id": None,
        })  # fmt: skip
        if len(rows) == CHUNK:
            _insert(db, t["audit_event"], rows)
            rows = []
    _insert(db, t["audit_event"], rows)
    db.session.commit()

    engine = db.session.get_bind()
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in t.values():
                if "id" in table.c:
                    name = table.name
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM \"{name}\"))"
                    ))  # fmt: skip
            connection.execute(sa.text("ANALYZE"))
    return {name: _count(db, table) for name, table in t.items()}
