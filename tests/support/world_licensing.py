"""The access world's innovation objects (licensing): tests/support/world.py calls `make_objects`;
`SAMPLES` joins its SAMPLE_VALUES."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

SAMPLES: dict[str, Callable[[Any, str], Any]] = {
    "licence_id": lambda w, endpoint: w.crm["licensing_licence"].id,
    "spinoff_id": lambda w, endpoint: w.crm["licensing_spin_off"].id,
}


def make_objects(world: Any) -> None:
    """Adds this part's objects to `world.crm` (a dict: key -> object): org_a's active licence on
    the world's technology (half-yearly reports, a milestone) and an incorporated spin-off founded
    by the world's researcher, with a funding round."""
    from portal.innovation.models.licensing import LicenceStatus, ReportFrequency, SpinOffStatus
    from portal.innovation.services import licences, spinoffs

    today = date.today()
    licence = licences.create_licence(
        world.staff,
        licences.LicenceData(
            organisation_id=world.org_a.id,
            technology_id=world.technology.id,
            start_on=today - timedelta(days=100),
            end_on=today + timedelta(days=900),
            field_of_use="Matrix field",
            territory="Matrix land",
            upfront_fee_cents=1_000_00,
            royalty_rate=Decimal("3.5"),
            report_frequency=ReportFrequency.HALF_YEARLY,
            status=LicenceStatus.ACTIVE,
        ),
    )
    licences.add_milestone(world.staff, licence, "Matrix milestone", 5_000_00, today + timedelta(days=200))
    spin_off = spinoffs.create_spin_off(
        world.staff,
        spinoffs.SpinOffData(
            name="Matrix Spin-off GmbH",
            founder_ids=[world.researcher.id],
            incorporated_on=today - timedelta(days=30),
            licence_id=licence.id,
            equity_percent=Decimal("10"),
            status=SpinOffStatus.INCORPORATED,
        ),
    )
    spinoffs.add_round(
        world.staff, spin_off, today - timedelta(days=10), "Seed", 100_000_00, "EUR", "Matrix VC"
    )
    world.crm.update(licensing_licence=licence, licensing_spin_off=spin_off)
