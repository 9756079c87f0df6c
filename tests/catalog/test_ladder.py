"""The disclosure ladder: what each reader may see of a listing, the same rule for one listing
(`level_of`) and for lists (`listed_filter`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.agreements.gate import current_template
from portal.agreements.models import AgreementKind, AgreementStatus
from portal.agreements.templates import ensure_default_template
from portal.catalog import services as catalog
from portal.catalog.models import Technology, TechnologyStatus
from portal.catalog.services import Level
from portal.core.types import utcnow
from portal.extensions import db
from portal.membership.models import CatalogAccess, Membership, MembershipStatus, PaymentMethod, Tier

from ..support.factories import (
    make_agreement,
    make_executed_partnership,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)


def member(access: CatalogAccess, first_look_days: int = 0, *, nda: bool = False, paid: bool = True):
    """A partner user of an organisation with an active membership on a tier of `access`."""
    organisation = make_organisation()
    user = make_partner(organisation=organisation)
    tier = make_tier(catalog_access=access, first_look_days=first_look_days)
    db.session.add(
        Membership(
            organisation=organisation,
            tier=tier,
            status=MembershipStatus.ACTIVE if paid else MembershipStatus.AWAITING_PAYMENT,
            payment_method=PaymentMethod.INVOICE,
            period_start=date.today(),
            period_end=date.today() + timedelta(days=365),
        )
    )
    make_executed_partnership(organisation)
    if nda:
        template = current_template(AgreementKind.NDA) or ensure_default_template(AgreementKind.NDA)
        db.session.flush()
        make_agreement(
            organisation, AgreementKind.NDA, AgreementStatus.EXECUTED, template=template, executed_at=utcnow()
        )
    db.session.flush()
    db.session.refresh(user)
    return user


def technology(status=TechnologyStatus.PUBLISHED, first_look_days: int | None = None) -> Technology:
    tech = catalog.create_technology(
        catalog.TechnologyData(
            title="Ladder test technology", benefit="Climbs ladders.", first_look_days=first_look_days
        ),
        status=status,
    )
    if first_look_days:
        tech.first_look_until = utcnow() + timedelta(days=first_look_days)
    db.session.flush()
    return tech


def visible(viewer, tech) -> bool:
    return tech.id in set(db.session.scalars(catalog.visible_ids(viewer)))


def test_a_visitor_sees_the_teaser_of_a_published_listing_and_nothing_of_a_draft(ctx):
    published, draft = technology(), technology(TechnologyStatus.DRAFT)
    archived = technology(TechnologyStatus.ARCHIVED)
    viewer = catalog.viewer_context(None)
    assert catalog.level_of(viewer, published) is Level.TEASER and visible(viewer, published)
    for hidden in (draft, archived):
        assert catalog.level_of(viewer, hidden) is Level.HIDDEN and not visible(viewer, hidden)


@pytest.mark.parametrize(
    ("access", "nda", "expected"),
    [
        (CatalogAccess.TEASER, False, Level.TEASER),
        (CatalogAccess.DETAILS, False, Level.PARTNER_DETAIL),
        (CatalogAccess.DETAILS, True, Level.PARTNER_DETAIL),  # the NDA does not lift the tier's level
        (CatalogAccess.DOSSIER, False, Level.PARTNER_DETAIL),  # the dossier waits for the NDA
        (CatalogAccess.DOSSIER, True, Level.DOSSIER),
    ],
)
def test_a_member_sees_what_the_tier_allows_and_the_dossier_only_after_the_nda(ctx, access, nda, expected):
    user = member(access, nda=nda)
    viewer = catalog.viewer_context(user)
    assert catalog.level_of(viewer, technology()) is expected
    assert viewer.needs_nda is (access is CatalogAccess.DOSSIER and not nda)


def test_a_member_without_partner_access_reads_like_a_visitor(ctx):
    user = member(CatalogAccess.DOSSIER, nda=True, paid=False)
    assert catalog.level_of(catalog.viewer_context(user), technology()) is Level.TEASER


def test_first_look_hides_a_new_listing_from_all_but_first_look_tiers_and_staff(ctx):
    new = technology(first_look_days=30)
    old = technology()
    early = catalog.viewer_context(member(CatalogAccess.DETAILS, first_look_days=30))
    late = catalog.viewer_context(member(CatalogAccess.DOSSIER, first_look_days=0, nda=True))
    staff = catalog.viewer_context(make_staff())
    for viewer in (catalog.VISITOR, late):
        assert catalog.level_of(viewer, new) is Level.HIDDEN and not visible(viewer, new)
        assert visible(viewer, old)
    assert catalog.level_of(early, new) is Level.PARTNER_DETAIL and visible(early, new)
    assert catalog.level_of(staff, new) is Level.DOSSIER and visible(staff, new)
    new.first_look_until = utcnow() - timedelta(seconds=1)  # the window closed
    db.session.flush()
    assert catalog.level_of(late, new) is Level.DOSSIER and visible(late, new)


def test_the_list_rule_and_the_one_listing_rule_agree(ctx):
    techs = [technology(status) for status in TechnologyStatus] + [technology(first_look_days=10)]
    viewers = [
        catalog.VISITOR,
        catalog.viewer_context(member(CatalogAccess.TEASER)),
        catalog.viewer_context(member(CatalogAccess.DETAILS, first_look_days=14)),
    ]
    for viewer in viewers:
        listed = set(db.session.scalars(catalog.visible_ids(viewer)))
        for tech in techs:
            assert (tech.id in listed) is (catalog.level_of(viewer, tech) >= Level.TEASER), (
                viewer,
                tech.status,
            )


def test_joining_names_the_cheapest_tier_that_gives_partner_detail(ctx):
    db.session.execute(sa.update(Tier).values(active=False))
    make_tier(name="Teaser only", catalog_access=CatalogAccess.TEASER, annual_fee_cents=1_000_00)
    make_tier(name="Dossier", catalog_access=CatalogAccess.DOSSIER, annual_fee_cents=50_000_00)
    make_tier(name="Details", catalog_access=CatalogAccess.DETAILS, annual_fee_cents=10_000_00)
    assert [t.name for t in catalog.tiers_offering(Level.PARTNER_DETAIL)] == ["Details", "Dossier"]
    assert [t.name for t in catalog.tiers_offering(Level.DOSSIER)] == ["Dossier"]


def test_references_are_allocated_per_year_without_gaps(ctx):
    first, second = technology(), technology()
    year = utcnow().year
    numbers = sorted(int(t.reference.rsplit("-", 1)[1]) for t in (first, second))
    assert first.reference.startswith(f"T-{year}-") and numbers[1] == numbers[0] + 1
    assert first.slug != second.slug  # same title, distinct slugs
