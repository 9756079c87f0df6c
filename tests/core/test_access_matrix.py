"""The authorisation matrix: every endpoint has a declared policy, and every role gets the
answer that policy promises.

A new route without an entry in POLICY fails `test_every_endpoint_has_a_policy`, so nobody can
add a page without deciding who may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.partners.models import Invitation, Organisation, OrgRole

from ..crm import access_kpis, access_pipeline, access_relations
from ..innovation import access_disclosures, access_licensing
from ..support.browser import location, text
from ..support.factories import (
    commit,
    make_organisation,
    make_partner,
    make_user,
)
from ..support.world import (
    World,
    assert_login_redirect,
    build_url,
    is_token_refusal_page,
    make_invitation,
    make_world,
    rule_for,
    sign_in,
)

# --- the policy of every endpoint -----------------------------------------------------------

PUBLIC = "public"  # anyone, signed in or not
TOKEN = "token"  # public page reached through a link with a token (valid token: anyone)
ANONYMOUS_ONLY = "anonymous_only"  # signed-in users are sent to their home page
MFA_PENDING = "mfa_pending"  # only between password and second factor; otherwise -> /login
LOGIN = "login"  # any signed-in user
PARTNER = "partner"  # signed-in partner user with an organisation; staff get 403
OWNER = "owner"  # partner holding the owner role in their organisation
SIGNATORY = "signatory"  # partner holding the signatory role (the world's owner is also signatory)
STAFF = "staff"  # the staff console: staff or admin who completed the second factor
ADMIN = "admin"  # admin-only pages of the staff console
TWO_FACTOR = "two_factor"  # signed-in users whose account has two-factor on and who used it
ENROL_2FA = "enrol_2fa"  # signed-in users without a second factor (staff have one: sent to /account)
RESEARCHER = "researcher"  # signed-in users of the researcher platform role (/research); no one else
OWN = "own"  # a partner user's own object (the world's owner's): a colleague gets 404, staff 403
GATED = "gated"  # catalog files under the disclosure ladder: staff, else 404 here (tests/catalog)

POLICIES = {
    PUBLIC,
    TOKEN,
    ANONYMOUS_ONLY,
    MFA_PENDING,
    LOGIN,
    PARTNER,
    OWNER,
    SIGNATORY,
    STAFF,
    ADMIN,
    TWO_FACTOR,
    ENROL_2FA,
    RESEARCHER,
    OWN,
    GATED,
}

POLICY: dict[str, str] = {
    # public.py
    "main.index": PUBLIC,
    "main.brand_css": PUBLIC,
    "main.healthz": PUBLIC,
    # catalog
    "catalog.index": PUBLIC,
    "catalog.detail": PUBLIC,
    "admin.matching_page": STAFF,
    "catalog.saved": PARTNER,
    "catalog.save_search": PARTNER,
    "catalog.saved_frequency": OWN,
    "catalog.saved_pause": OWN,
    "catalog.saved_delete": OWN,
    "catalog.unsubscribe": TOKEN,
    "catalog.image": PUBLIC,
    "catalog.dossier_file": GATED,  # the world's organisation has no dossier tier nor NDA
    "catalog.interest": PARTNER,  # the form for members with partner detail, else what joining gives
    "catalog.brief": PUBLIC,
    "catalog.feed": PUBLIC,
    "catalog.sitemap": PUBLIC,
    "admin.leads": STAFF,
    "admin.lead_detail": STAFF,
    "admin.lead_status": STAFF,
    "admin.lead_term_sheet": STAFF,
    # auth: sign-up, login, reset
    "partners.signup": ANONYMOUS_ONLY,
    "partners.signup_done": PUBLIC,
    "auth.verify_email": TOKEN,
    "auth.login": ANONYMOUS_ONLY,
    "auth.two_factor": MFA_PENDING,
    "auth.two_factor_setup": MFA_PENDING,
    "auth.logout": PUBLIC,
    "auth.reset_request": PUBLIC,
    "auth.reset_password": TOKEN,
    # auth: account settings
    "auth.account": LOGIN,
    "auth.change_password": LOGIN,
    "auth.change_email": LOGIN,
    "auth.confirm_email_change": TOKEN,
    "auth.cancel_email_change": TOKEN,
    "auth.logout_everywhere": LOGIN,
    "auth.preferences": LOGIN,
    "auth.set_language": PUBLIC,
    "partners.accept_invitation": TOKEN,
    # partners
    "main.dashboard": PARTNER,
    "partners.organisation": PARTNER,
    "partners.update_profile": OWNER,
    "partners.invite": OWNER,
    "partners.revoke_invitation": OWNER,
    "partners.change_roles": OWNER,
    "partners.remove_member": OWNER,
    # admin (the whole blueprint is the staff console)
    "admin.index": STAFF,
    "admin.users": STAFF,
    "admin.user_detail": STAFF,
    "admin.set_user_active": STAFF,
    "admin.assign_account_owner": STAFF,
    "auth.regenerate_recovery_codes": TWO_FACTOR,
    "auth.account_two_factor": ENROL_2FA,
    "auth.disable_two_factor": PARTNER,
    # membership
    "membership.tiers": PUBLIC,
    "membership.overview": PARTNER,
    "membership.apply": OWNER,
    "membership.invoice_pdf": PARTNER,
    "admin.applications": STAFF,
    "admin.application_detail": STAFF,
    "admin.approve_application": STAFF,
    "admin.reject_application": STAFF,
    "admin.request_more_information": STAFF,
    "admin.tiers": STAFF,
    "admin.tier_form": ADMIN,
    "admin.revoke_automatic_approval": STAFF,
    "admin.approval_rules": STAFF,
    "admin.approval_rule_form": ADMIN,
    "admin.denied_parties": STAFF,
    "admin.denied_party_add": ADMIN,
    "admin.denied_party_remove": ADMIN,
    "admin.standing_countersignatures": STAFF,
    "admin.standing_give": ADMIN,
    "admin.standing_revoke": ADMIN,
    "admin.invoices": STAFF,
    "admin.invoice_detail": STAFF,
    "admin.invoice_pdf": STAFF,
    # bank statements: whoever records payments by hand (staff and admins)
    "admin.bank_statements": STAFF,
    "admin.bank_statement_detail": STAFF,
    "admin.bank_lines": STAFF,
    "admin.bank_line_detail": STAFF,
    "admin.bank_line_assign": STAFF,
    "admin.bank_line_dismiss": STAFF,
    "membership.pay_by_card": OWNER,
    "membership.withdraw_application": OWNER,
    "membership.billing_portal": OWNER,
    "membership.cancel": OWNER,
    "membership.card_return": PARTNER,
    "membership.change_tier": OWNER,
    "membership.cancel_tier_change": OWNER,
    "billing.webhook": PUBLIC,
    "admin.organisations": STAFF,
    "admin.organisation_detail": STAFF,
    "admin.audit": STAFF,
    # CSV exports of the console lists (tests/admin/test_console_lists.py)
    "admin.users_export": STAFF,
    "admin.organisations_export": STAFF,
    "admin.challenges_export": STAFF,
    "admin.leads_export": STAFF,
    "admin.search": STAFF,
    "admin.applications_export": STAFF,
    "admin.invoices_export": STAFF,
    "admin.agreements_export": STAFF,
    "admin.audit_export": STAFF,
    "admin.tiers_export": STAFF,
    # agreements
    "agreements.index": PARTNER,
    "agreements.detail": PARTNER,
    "agreements.sign": SIGNATORY,
    "agreements.pdf": LOGIN,  # the organisation's users and staff; others 404 (tests/test_agreements.py)
    "agreements.nda": PARTNER,
    "agreements.verify": PUBLIC,
    "admin.agreements_list": STAFF,
    "admin.agreement_new": STAFF,
    "admin.agreement_edit": STAFF,
    "admin.agreement_detail": STAFF,
    "admin.agreement_issue": STAFF,
    "admin.agreement_replace": STAFF,
    "admin.agreement_render": STAFF,
    "admin.agreement_void": STAFF,
    "admin.agreement_countersign": ADMIN,
    "admin.agreement_templates": STAFF,
    "admin.agreement_template_new": ADMIN,
    "admin.agreement_template_detail": STAFF,
    "admin.agreement_template_save": ADMIN,
    "admin.agreement_template_preview": STAFF,
    "admin.agreement_template_publish": ADMIN,
    # the catalog console
    "admin.technologies": STAFF,
    "admin.technologies_export": STAFF,
    "admin.technology_detail": STAFF,
    "admin.technology_form": STAFF,
    "admin.technology_status": STAFF,
    "admin.technology_preview": STAFF,
    "admin.technology_file_add": STAFF,
    "admin.technology_file_remove": STAFF,
    "admin.technology_file_download": STAFF,
    "admin.technologies_import": STAFF,
    "admin.technologies_import_confirm": STAFF,
    "admin.researchers": STAFF,
    "admin.researcher_form": STAFF,
    "admin.researcher_delete": STAFF,
    "admin.domains": STAFF,
    "admin.domain_form": ADMIN,
    "admin.domain_delete": ADMIN,
    # challenges (partner pages need partner access; the world's organisation has none: the page says so)
    "challenges.index": PARTNER,
    "challenges.new": PARTNER,
    "challenges.detail": PARTNER,
    "challenges.edit": PARTNER,
    "challenges.withdraw": PARTNER,
    "challenges.post_message": PARTNER,
    "challenges.upload": PARTNER,
    "challenges.remove_file": PARTNER,
    "challenges.download": PARTNER,
    "challenges.answer_proposal": PARTNER,
    "challenges.research": RESEARCHER,
    "challenges.research_detail": RESEARCHER,
    "challenges.research_answer": RESEARCHER,
    "admin.challenges_list": STAFF,
    "admin.challenge_detail": STAFF,
    "admin.challenge_transition": STAFF,
    "admin.challenge_owner": STAFF,
    "admin.challenge_confidentiality": STAFF,
    "admin.challenge_share": STAFF,
    "admin.challenge_unshare": STAFF,
    "admin.challenge_message": STAFF,
    "admin.challenge_propose": STAFF,
    "admin.challenge_withdraw_proposal": STAFF,
    "admin.challenge_file": STAFF,
    "admin.challenge_researchers": STAFF,
    "admin.challenge_invite_researcher": STAFF,
}

ROLES = ["anonymous", "member", "owner", "staff", "admin", "researcher"]

# What each role gets from a page of each policy. "ok" is 200 for a GET page and the
# endpoint's ALLOWED_POST outcome for a POST-only endpoint; "login" is a 302 to
# /login?next=<the page>; ("redirect", path) is a 302 to that path.
OK, LOGIN_REDIRECT, FORBIDDEN, NOT_FOUND = "ok", "login", 403, 404
DASHBOARD, CONSOLE, SIGN_IN = ("redirect", "/dashboard"), ("redirect", "/admin/"), ("redirect", "/login")
RESEARCH = ("redirect", "/research")

EXPECTED: dict[str, dict[str, object]] = {
    PUBLIC: dict.fromkeys(ROLES, OK),
    TOKEN: dict.fromkeys(ROLES, OK),
    ANONYMOUS_ONLY: {
        "anonymous": OK,
        "member": DASHBOARD,
        "owner": DASHBOARD,
        "staff": CONSOLE,
        "admin": CONSOLE,
        "researcher": RESEARCH,
    },
    MFA_PENDING: dict.fromkeys(ROLES, SIGN_IN),
    LOGIN: {
        "anonymous": LOGIN_REDIRECT,
        "member": OK,
        "owner": OK,
        "staff": OK,
        "admin": OK,
        "researcher": OK,
    },
    PARTNER: {
        "anonymous": LOGIN_REDIRECT,
        "member": OK,
        "owner": OK,
        "staff": FORBIDDEN,
        "admin": FORBIDDEN,
        "researcher": FORBIDDEN,
    },
    OWNER: {
        "anonymous": LOGIN_REDIRECT,
        "member": FORBIDDEN,
        "owner": OK,
        "staff": FORBIDDEN,
        "admin": FORBIDDEN,
        "researcher": FORBIDDEN,
    },
    SIGNATORY: {
        "anonymous": LOGIN_REDIRECT,
        "member": FORBIDDEN,
        "owner": OK,
        "staff": FORBIDDEN,
        "admin": FORBIDDEN,
        "researcher": FORBIDDEN,
    },
    STAFF: {
        "anonymous": LOGIN_REDIRECT,
        "member": FORBIDDEN,
        "owner": FORBIDDEN,
        "staff": OK,
        "admin": OK,
        "researcher": FORBIDDEN,
    },
    TWO_FACTOR: {
        "anonymous": LOGIN_REDIRECT,
        "member": FORBIDDEN,
        "owner": FORBIDDEN,
        "staff": OK,
        "admin": OK,
        "researcher": FORBIDDEN,
    },
    ENROL_2FA: {
        "anonymous": LOGIN_REDIRECT,
        "member": OK,
        "owner": OK,
        "staff": ("redirect", "/account"),
        "admin": ("redirect", "/account"),
        "researcher": OK,
    },
    OWN: {
        "anonymous": LOGIN_REDIRECT,
        "member": NOT_FOUND,
        "owner": OK,
        "staff": FORBIDDEN,
        "admin": FORBIDDEN,
        "researcher": FORBIDDEN,
    },
    ADMIN: {
        "anonymous": LOGIN_REDIRECT,
        "member": FORBIDDEN,
        "owner": FORBIDDEN,
        "staff": FORBIDDEN,
        "admin": OK,
        "researcher": FORBIDDEN,
    },
    GATED: {
        "anonymous": NOT_FOUND,
        "member": NOT_FOUND,
        "owner": NOT_FOUND,
        "staff": OK,
        "admin": OK,
        "researcher": NOT_FOUND,
    },
    RESEARCHER: {
        "anonymous": LOGIN_REDIRECT,
        "member": FORBIDDEN,
        "owner": FORBIDDEN,
        "staff": FORBIDDEN,
        "admin": FORBIDDEN,
        "researcher": OK,
    },
}

# Where a role's answer differs from its policy's, and why. A researcher has no organisation:
# another organisation's agreement is a 404 to them as to any outsider, and like a partner without
# two-factor they are sent back to /account by the page that turns it off.
ROLE_OVERRIDES: dict[tuple[str, str], object] = {
    ("agreements.pdf", "researcher"): NOT_FOUND,
    ("auth.disable_two_factor", "researcher"): ("redirect", "/account"),
}

# The answer an allowed role gets from a POST-only endpoint, posted with a valid CSRF token and
# the sample URL values (and no form fields): (status, redirect path or None). A 400 here is
# the form shown again with its errors, never the "Bad request" page of a refused token.
ALLOWED_POST: dict[str, tuple[int, str | None]] = {
    "auth.logout": (302, "/"),
    "auth.change_password": (400, None),
    "auth.change_email": (400, None),
    "auth.logout_everywhere": (302, "/login"),
    "auth.preferences": (400, None),
    "auth.set_language": (302, "/"),
    "partners.update_profile": (400, None),
    "partners.invite": (400, None),
    "partners.revoke_invitation": (302, "/organisation"),
    "partners.change_roles": (302, "/organisation"),
    "partners.remove_member": (302, "/organisation"),
    "admin.set_user_active": (302, "/admin/users/{member_id}"),
    "admin.assign_account_owner": (302, "/admin/organisations/{org_a_id}"),
    "auth.regenerate_recovery_codes": (200, "text:Save your recovery codes"),
    "auth.disable_two_factor": (302, "/account"),
    "admin.approve_application": (400, "text:Choose an officer"),
    "admin.reject_application": (400, None),
    "admin.request_more_information": (400, None),
    "admin.revoke_automatic_approval": (400, None),
    "admin.denied_party_add": (400, "text:Give a company name, a registration or VAT number, or a country."),
    "admin.denied_party_remove": (302, "/admin/denied-parties"),
    "admin.standing_give": (400, None),
    "admin.standing_revoke": (400, "text:Give the reason"),
    "admin.bank_line_assign": (400, "text:Enter the invoice the money is for."),
    "admin.bank_line_dismiss": (400, "text:Give the reason: it stays on the record."),
    "membership.pay_by_card": (302, "/membership"),
    "membership.withdraw_application": (302, "/membership"),
    "membership.billing_portal": (302, "/membership"),
    "membership.cancel": (302, "/membership"),
    "membership.cancel_tier_change": (302, "/membership"),
    "billing.webhook": (404, "text:card payments are not configured"),
    "agreements.sign": (400, "text:Type your full name as your signature."),
    "admin.agreement_issue": (302, "/admin/agreements/{agreement_id}"),  # refused: not a draft
    "admin.agreement_replace": (302, "/admin/agreements/{agreement_id}"),  # refused: not executed
    "admin.agreement_render": (302, "/admin/agreements/{agreement_id}"),  # nothing to render
    "admin.agreement_void": (400, "text:Give the reason"),
    "admin.agreement_countersign": (302, "/admin/agreements/{agreement_id}"),  # not signed by partner
    "admin.agreement_template_new": (302, "/admin/agreement-templates"),
    "admin.agreement_template_save": (400, None),
    "admin.agreement_template_preview": (200, "pdf"),
    "admin.agreement_template_publish": (302, "/admin/agreement-templates/{template_id}"),  # already
    # the world's organisation has no partner access: a challenge POST goes back to /challenges
    "challenges.withdraw": (302, "/challenges"),
    "challenges.post_message": (302, "/challenges"),
    "challenges.upload": (302, "/challenges"),
    "challenges.remove_file": (302, "/challenges"),
    "challenges.answer_proposal": (302, "/challenges"),
    "challenges.research_answer": (400, "text:Say in a few words how you could help."),
    "admin.challenge_transition": (400, "text:Choose the next step."),
    "admin.challenge_owner": (302, "/admin/challenges/{challenge_id}"),
    "admin.challenge_confidentiality": (400, None),
    "admin.challenge_share": (400, "text:Choose a researcher."),
    "admin.challenge_unshare": (302, "/admin/challenges/{challenge_id}"),
    "admin.challenge_message": (400, "text:Write a message first."),
    "admin.challenge_propose": (302, "/admin/challenges/{challenge_id}"),
    "admin.challenge_withdraw_proposal": (302, "/admin/challenges/{challenge_id}"),
    "admin.challenge_invite_researcher": (302, "/admin/challenges/researchers"),  # already has one
    "catalog.save_search": (400, None),
    "catalog.saved_frequency": (302, "/technologies/saved"),  # no choice: flashed, nothing changed
    "catalog.saved_pause": (302, "/technologies/saved"),
    "catalog.saved_delete": (302, "/technologies/saved"),
    "admin.technology_status": (400, "text:Choose an action from the listing"),
    "admin.technology_file_add": (400, None),
    "admin.technology_file_remove": (400, "text:Choose the file to remove"),
    "admin.technologies_import_confirm": (400, "text:upload the file again"),
    "admin.researcher_delete": (400, "text:is an inventor of"),  # the world's researcher is
    "admin.domain_delete": (400, "text:listing(s) are in"),  # the world's technology is in it
    "admin.lead_status": (400, "text:Choose the new status."),
    "admin.lead_term_sheet": (302, "/admin/leads/{lead_id}"),  # a draft licence term sheet
}
for _part in (access_pipeline, access_relations, access_kpis, access_disclosures, access_licensing):
    POLICY.update(_part.POLICY)
    ALLOWED_POST.update(_part.ALLOWED_POST)


# --- the world ---------------------------------------------------------------------------


@pytest.fixture
def world(ctx) -> World:
    return make_world()


# --- the matrix is complete ---------------------------------------------------------------


def test_every_endpoint_has_a_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    missing = sorted(endpoints - set(POLICY))
    assert not missing, f"endpoints without an access policy (add them to POLICY): {missing}"
    stale = sorted(set(POLICY) - endpoints)
    assert not stale, f"POLICY names endpoints that no longer exist: {stale}"


def test_policies_are_known_and_post_outcomes_declared(app):
    assert set(POLICY.values()) <= POLICIES
    assert set(EXPECTED) == POLICIES
    for endpoint in POLICY:
        rule = rule_for(app, endpoint)
        if "GET" not in rule.methods:
            assert endpoint in ALLOWED_POST, f"POST-only {endpoint} needs an ALLOWED_POST outcome"


# --- every endpoint x every role ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(POLICY))
def test_access(app, world, browser, endpoint, role):
    rule = rule_for(app, endpoint)
    expected = ROLE_OVERRIDES.get((endpoint, role), EXPECTED[POLICY[endpoint]][role])
    url = build_url(app, endpoint, world)
    sign_in(browser, world, role)

    if "GET" in rule.methods:
        response = browser.get(url)
        if expected == OK:
            assert response.status_code == 200, f"{role} GET {url}: {response.status_code}"
            return
    else:
        response = browser.post(url)
        assert not (response.status_code == 400 and is_token_refusal_page(response)), "CSRF refused"
        if expected == OK:
            status, target = ALLOWED_POST[endpoint]
            assert response.status_code == status, f"{role} POST {url}: {response.status_code}"
            if target == "pdf":
                assert response.data.startswith(b"%PDF-")
            elif target is not None and target.startswith("text:"):
                assert target[len("text:") :] in text(response)
            elif target is not None:
                assert location(response) == target.format(
                    member_id=world.member.id,
                    org_a_id=world.org_a.id,
                    agreement_id=world.agreement_a.id,
                    template_id=world.agreement_a.template_id,
                    lead_id=world.lead.id,
                    challenge_id=world.challenge.id,
                )
            else:
                assert "This field is required" in text(response)  # the form, with its errors
            return

    if expected == LOGIN_REDIRECT:
        assert_login_redirect(response, urlsplit(url).path)
    elif expected == NOT_FOUND:
        assert response.status_code == 404, f"{role} {url}: {response.status_code}"
    elif expected == FORBIDDEN:
        assert response.status_code == 403, f"{role} {url}: {response.status_code}"
        assert "Not allowed" in text(response)
    elif expected == NOT_FOUND:
        assert response.status_code == 404, f"{role} {url}: {response.status_code}"
    else:
        _, target = expected
        assert response.status_code == 302, f"{role} {url}: {response.status_code}"
        assert location(response) == target


@pytest.mark.parametrize("endpoint", sorted(e for e, p in POLICY.items() if p == TOKEN))
def test_token_pages_refuse_a_forged_token(app, world, browser, endpoint):
    url = build_url(app, endpoint, world, token="forged-" + world.tokens[endpoint][7:])
    response = browser.post(
        url, {"full_name": "X", "password": "Vivid-otter-canal-43", "confirm": "Vivid-otter-canal-43"}
    )
    assert response.status_code in (400, 404)
    assert "invalid" in text(response)
    db.session.expire_all()
    assert db.session.get(User, world.member.id).email == world.member.email
    assert db.session.get(Invitation, world.invitation_a.id).accepted_at is None


# --- another organisation's objects are 404 ("id +1/-1 probes") --------------------------------


@dataclass
class TwoOrganisations:
    owner_a: User
    member_a: User
    invitation_a: Invitation
    org_b: Organisation
    b_before: User  # id == member_a.id - 1
    b_after: User  # id == member_a.id + 1
    inv_b_before: Invitation  # id == invitation_a.id - 1
    inv_b_after: Invitation  # id == invitation_a.id + 1


@pytest.fixture
def two_orgs(ctx) -> TwoOrganisations:
    org_a = make_organisation(legal_name="Alpha Optics GmbH")
    org_b = make_organisation(legal_name="Beta Robotics SA")
    owner_a = make_partner(organisation=org_a)
    b_before = make_partner(organisation=org_b)  # B's only owner
    member_a = make_user(org_a, {OrgRole.MEMBER})
    b_after = make_user(org_b, {OrgRole.MEMBER})
    inv_b_before, _ = make_invitation(org_b, b_before)
    invitation_a, _ = make_invitation(org_a, owner_a)
    inv_b_after, _ = make_invitation(org_b, b_before)
    commit()
    orgs = TwoOrganisations(
        owner_a, member_a, invitation_a, org_b, b_before, b_after, inv_b_before, inv_b_after
    )
    assert (b_before.id, b_after.id) == (member_a.id - 1, member_a.id + 1)
    assert (inv_b_before.id, inv_b_after.id) == (invitation_a.id - 1, invitation_a.id + 1)
    return orgs


def organisation_state(organisation_id: int) -> tuple:
    db.session.expire_all()
    users = db.session.scalars(
        sa.select(User).where(User.organisation_id == organisation_id).order_by(User.id)
    )
    invitations = db.session.scalars(
        sa.select(Invitation).where(Invitation.organisation_id == organisation_id).order_by(Invitation.id)
    )
    audit = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    return (
        [(u.id, u.email, u.active, u.session_version, sorted(r.value for r in u.org_roles)) for u in users],
        [(i.id, i.accepted_at, i.revoked_at, i.expires_at) for i in invitations],
        audit,
    )


PROBES = [
    ("roles", "b_before"),
    ("roles", "b_after"),
    ("remove", "b_before"),
    ("remove", "b_after"),
    ("revoke", "inv_b_before"),
    ("revoke", "inv_b_after"),
]


def probe_url(kind: str, ident: int) -> str:
    if kind == "revoke":
        return f"/organisation/invitations/{ident}/revoke"
    return f"/organisation/members/{ident}/{kind}"


@pytest.mark.parametrize(("kind", "target"), PROBES)
def test_owner_probing_neighbouring_ids_of_another_organisation_gets_404(browser, two_orgs, kind, target):
    assert location(browser.login(two_orgs.owner_a.email)) == "/dashboard"
    before = organisation_state(two_orgs.org_b.id)

    ident = getattr(two_orgs, target).id
    response = browser.post(probe_url(kind, ident), {"roles": [OrgRole.OWNER.value]})

    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert organisation_state(two_orgs.org_b.id) == before


@pytest.mark.parametrize("kind", ["roles", "remove", "revoke"])
def test_owner_probing_ids_that_do_not_exist_gets_404(browser, two_orgs, kind):
    assert location(browser.login(two_orgs.owner_a.email)) == "/dashboard"
    model = Invitation if kind == "revoke" else User
    missing = (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
    before = organisation_state(two_orgs.org_b.id)
    assert browser.post(probe_url(kind, missing), {"roles": [OrgRole.OWNER.value]}).status_code == 404
    assert organisation_state(two_orgs.org_b.id) == before


def test_the_same_requests_work_on_the_owners_own_organisation(browser, two_orgs):
    """Control for the probes: the 404s above come from the organisation check, not the route."""
    assert location(browser.login(two_orgs.owner_a.email)) == "/dashboard"
    member_id, invitation_id = two_orgs.member_a.id, two_orgs.invitation_a.id

    response = browser.post(probe_url("roles", member_id), {"roles": [OrgRole.BILLING.value]})
    assert location(response) == "/organisation"
    db.session.expire_all()
    assert db.session.get(User, member_id).org_roles == {OrgRole.BILLING}

    assert location(browser.post(probe_url("revoke", invitation_id))) == "/organisation"
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).revoked_at is not None

    assert location(browser.post(probe_url("remove", member_id))) == "/organisation"
    db.session.expire_all()
    assert db.session.get(User, member_id).active is False


def test_a_plain_member_cannot_use_owner_actions_even_inside_their_organisation(browser, two_orgs, ctx):
    colleague = make_user(two_orgs.owner_a.organisation, {OrgRole.MEMBER})
    commit()
    assert location(browser.login(colleague.email)) == "/dashboard"
    before = organisation_state(two_orgs.owner_a.organisation_id)
    for url in (
        probe_url("roles", two_orgs.member_a.id),
        probe_url("remove", two_orgs.member_a.id),
        probe_url("revoke", two_orgs.invitation_a.id),
    ):
        assert browser.post(url, {"roles": [OrgRole.OWNER.value]}).status_code == 403, url
    assert organisation_state(two_orgs.owner_a.organisation_id) == before


# --- staff without the second factor ------------------------------------------------------------

STAFF_PAGES = sorted(e for e, p in POLICY.items() if p in (STAFF, ADMIN))


def test_staff_with_only_the_password_cannot_reach_the_console(app, world, browser):
    response = browser.login(world.staff.email)
    assert response.status_code == 302 and location(response) == "/login/2fa"

    assert_login_redirect(browser.get("/admin/"), "/admin/")
    for endpoint in STAFF_PAGES:
        url = build_url(app, endpoint, world)
        response = browser.get(url) if "GET" in rule_for(app, endpoint).methods else browser.post(url)
        assert response.status_code != 200, url
        assert_login_redirect(response, urlsplit(url).path)
    db.session.expire_all()
    assert db.session.get(User, world.member.id).active is True


def test_staff_session_without_the_second_factor_mark_is_refused(app, world, browser):
    """A signed-in staff session that lacks the 2FA mark (e.g. an older login path) gets 403."""
    browser.login_staff(world.staff)
    assert browser.get("/admin/").status_code == 200
    with app.app_context(), browser.client.session_transaction() as session:
        assert session.pop("mfa_ok", None) is True
    for endpoint in STAFF_PAGES:
        url = build_url(app, endpoint, world)
        if "GET" in rule_for(app, endpoint).methods:
            assert browser.get(url).status_code == 403, url
        else:
            assert browser.post(url).status_code == 403, url
