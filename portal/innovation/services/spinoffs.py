"""Spin-offs: the company, its founders from the researcher directory, its incorporation, the
licence it holds, the equity the institution keeps, the support it received, its status and its
funding rounds; and the step by which a spin-off becomes a partner organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ...auth.models import User
from ...catalog.models import Researcher, Technology
from ...core import audit
from ...core.countries import is_country_code
from ...core.database import lock_for_update
from ...core.errors import DomainError
from ...extensions import db
from ...partners.models import Organisation
from ..models.licensing import CURRENCIES, FundingRound, Licence, SpinOff, SpinOffStatus
from .licences import check_money, check_percent


@dataclass
class SpinOffData:
    name: str
    founder_ids: list[int] = field(default_factory=list)
    incorporated_on: date | None = None
    licence_id: int | None = None
    technology_id: int | None = None
    equity_percent: Decimal | None = None
    support: str = ""
    status: SpinOffStatus = SpinOffStatus.PLANNED


def _apply(actor: User, spin_off: SpinOff, data: SpinOffData) -> list[str]:
    name = " ".join((data.name or "").split())
    if not name:
        raise DomainError(_("Enter the company's name."), "name")
    check_percent(data.equity_percent, "equity_percent")
    licence = db.session.get(Licence, data.licence_id) if data.licence_id else None
    if data.licence_id and licence is None:
        raise DomainError(_("Choose a licence from the list."), "licence_id")
    technology_id = licence.technology_id if licence else data.technology_id
    if technology_id and db.session.get(Technology, technology_id) is None:
        raise DomainError(_("Choose a technology from the list."), "technology_id")
    if data.status is not SpinOffStatus.PLANNED and data.incorporated_on is None:
        raise DomainError(_("Enter the incorporation date once the company exists."), "incorporated_on")
    founders = (
        list(db.session.scalars(sa.select(Researcher).where(Researcher.id.in_(set(data.founder_ids)))))
        if data.founder_ids
        else []
    )
    if len(founders) != len(set(data.founder_ids)):
        raise DomainError(_("Choose the founders from the directory."), "founder_ids")
    values = {
        "name": name[:200],
        "incorporated_on": data.incorporated_on,
        "licence_id": licence.id if licence else None,
        "technology_id": technology_id or None,
        "equity_percent": data.equity_percent,
        "support": (data.support or "").strip(),
        "status": data.status,
    }
    changed = [k for k, v in values.items() if getattr(spin_off, k) != v]
    for key in changed:
        setattr(spin_off, key, values[key])
    if {r.id for r in spin_off.founders} != {r.id for r in founders}:
        spin_off.founders = sorted(founders, key=lambda r: r.name)
        changed.append("founders")
    return changed


def create_spin_off(actor: User, data: SpinOffData) -> SpinOff:
    spin_off = SpinOff(created_by_id=actor.id)
    spin_off.founders = []
    _apply(actor, spin_off, data)
    db.session.add(spin_off)
    db.session.flush()
    audit.record(
        "spin_off.created", actor=actor, target=spin_off, founders=[r.name for r in spin_off.founders]
    )
    return spin_off


def update_spin_off(actor: User, spin_off: SpinOff, data: SpinOffData) -> list[str]:
    changed = _apply(actor, spin_off, data)
    if changed:
        db.session.flush()
        audit.record("spin_off.updated", actor=actor, target=spin_off, fields=changed)
    return changed


def add_round(
    actor: User,
    spin_off: SpinOff,
    closed_on: date | None,
    round_name: str,
    amount_cents: int,
    currency: str,
    investors: str,
) -> FundingRound:
    round_name = " ".join((round_name or "").split())
    if not round_name:
        raise DomainError(_("Name the round (for example Seed or Series A)."), "round")
    if closed_on is None:
        raise DomainError(_("Enter the day the round closed."), "closed_on")
    check_money(amount_cents, "amount")
    if currency not in CURRENCIES:
        raise DomainError(_("Choose a currency."), "currency")
    funding = FundingRound(
        spin_off_id=spin_off.id,
        closed_on=closed_on,
        round=round_name[:80],
        amount_cents=amount_cents,
        currency=currency,
        investors=(investors or "").strip(),
    )
    db.session.add(funding)
    db.session.flush()
    audit.record(
        "spin_off.round_added",
        actor=actor,
        target=spin_off,
        round=funding.round,
        amount=amount_cents,
        currency=currency,
        closed_on=closed_on.isoformat(),
    )
    return funding


def remove_round(actor: User, spin_off: SpinOff, round_id: int | None) -> None:
    funding = next((r for r in spin_off.rounds if r.id == round_id), None)
    if funding is None:
        raise DomainError(_("Choose the round to remove."), "round_id")
    spin_off.rounds.remove(funding)
    db.session.flush()
    audit.record("spin_off.round_removed", actor=actor, target=spin_off, round=funding.round)


def existing_organisation(name: str) -> Organisation | None:
    """An organisation already registered under the spin-off's name (legal or trading, any case)."""
    key = " ".join(name.split()).lower()
    return db.session.scalar(
        sa.select(Organisation)
        .where(
            sa.or_(
                sa.func.lower(Organisation.legal_name) == key, sa.func.lower(Organisation.trading_name) == key
            )
        )
        .order_by(Organisation.id)
        .limit(1)
    )


def become_partner(
    actor: User, spin_off: SpinOff, *, country: str = "", organisation_id: int | None = None
) -> tuple[Organisation, bool]:
    """The spin-off as a partner organisation: linked to the one chosen (`organisation_id`), or to
    the one already registered under its name, else a new organisation (registered, like a company
    sign-up, with the spin-off's account owner the actor). Idempotent. Returns (organisation, created)."""
    lock_for_update(spin_off)
    if spin_off.organisation_id is not None:
        linked = db.session.get(Organisation, spin_off.organisation_id)
        if linked is not None:
            return linked, False
    if spin_off.status is SpinOffStatus.PLANNED:
        raise DomainError(_("A planned spin-off becomes a partner once it is incorporated."))
    organisation = None
    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            raise DomainError(_("Choose an organisation from the list."), "organisation_id")
    organisation = organisation or existing_organisation(spin_off.name)
    if organisation is not None:
        taken = db.session.scalar(
            sa.select(SpinOff.id).where(SpinOff.organisation_id == organisation.id, SpinOff.id != spin_off.id)
        )
        if taken is not None:
            raise DomainError(
                _("That organisation is already linked to another spin-off."), "organisation_id"
            )
        created = False
    else:
        country = (country or "").strip().upper()
        if not is_country_code(country):
            raise DomainError(_("Choose the country where the spin-off is registered."), "country")
        organisation = Organisation(legal_name=spin_off.name, country=country, account_owner_id=actor.id)
        db.session.add(organisation)
        db.session.flush()
        audit.record(
            "organisation.created", actor=actor, target=organisation, source=f"spin_off:{spin_off.id}"
        )
        created = True
    spin_off.organisation_id = organisation.id
    db.session.flush()
    audit.record(
        "spin_off.partner_linked",
        actor=actor,
        target=spin_off,
        organisation_id=organisation.id,
        organisation=organisation.legal_name,
        created=created,
    )
    return organisation, created
