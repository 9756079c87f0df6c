"""The line of descent of a technology (issue 14, item 7): invention disclosure -> IP rights (patent
families with their applications, copyright / know-how records) -> the catalog listing -> licensing
leads -> term sheets (agreements whose source is "lead:<id>") -> licences -> spin-offs; and the
reverse, from a licence back to its term sheet, lead, technology, IP rights and disclosure.

Both come as a tree (`Node`: kind, label, date, url, children) and a chronological timeline
(`Event`: date, kind, text, url). Everything is loaded by the batched helpers of the disclosures and
licences services plus one query for the leads and one for the term sheets: a constant number of
queries whatever the number of leads, licences or applications.

URLs are console addresses (the lineage pages are staff pages); labels are data (references and
titles) with English kind names, as the console is English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from ...agreements.models import Agreement
from ...catalog.models import Lead, Technology
from ...extensions import db
from ..models.disclosures import Disclosure
from ..models.ip import IpRecord, PatentApplication, PatentFamily
from ..models.licensing import Licence, SpinOff
from . import disclosures as disclosure_services
from . import licences as licence_services

__all__ = ["Event", "Lineage", "Node", "licence_lineage", "technology_lineage"]


@dataclass
class Node:
    kind: (
        str  # disclosure, patent_family, application, ip_record, listing, lead, term_sheet, licence, spin_off
    )
    label: str
    date: date | None = None
    url: str | None = None
    note: str = ""
    children: list[Node] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Event:
    date: date
    kind: str
    text: str
    url: str | None = None


@dataclass
class Lineage:
    technology: Technology | None
    tree: list[Node]  # the roots (a disclosure, or the listing when there is none; a licence)
    timeline: list[Event]
    disclosures: list[Disclosure] = field(default_factory=list)
    families: list[PatentFamily] = field(default_factory=list)
    records: list[IpRecord] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    term_sheets: list[Agreement] = field(default_factory=list)
    licences: list[Licence] = field(default_factory=list)
    spin_offs: list[SpinOff] = field(default_factory=list)

    def nodes(self, kind: str) -> list[Node]:
        return [n for root in self.tree for n in root.walk() if n.kind == kind]


KIND_LABELS = {
    "disclosure": "Invention disclosure",
    "patent_family": "Patent family",
    "application": "Patent application",
    "ip_record": "IP record",
    "listing": "Catalog listing",
    "lead": "Licensing lead",
    "term_sheet": "Term sheet",
    "licence": "Licence",
    "spin_off": "Spin-off",
}


def _day(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _url(endpoint: str, **values: Any) -> str | None:
    try:
        return url_for(endpoint, **values)
    except RuntimeError:  # no request or application context to build addresses in
        return None


# --- loading -------------------------------------------------------------------------------------


def _leads_of(technology_ids: list[int]) -> list[Lead]:
    if not technology_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Lead)
            .where(Lead.technology_id.in_(technology_ids))
            .options(joinedload(Lead.organisation))
            .order_by(Lead.created_at, Lead.id)
        )
    )


def _term_sheets_of(leads: list[Lead]) -> dict[int, list[Agreement]]:
    """lead id -> its term sheets (source "lead:<id>", or the agreement the lead points at)."""
    out: dict[int, list[Agreement]] = {lead.id: [] for lead in leads}
    if not leads:
        return out
    sources = [f"lead:{lead.id}" for lead in leads]
    linked = {lead.agreement_id: lead.id for lead in leads if lead.agreement_id is not None}
    condition = Agreement.source.in_(sources)
    if linked:
        condition = sa.or_(condition, Agreement.id.in_(sorted(linked)))
    for agreement in db.session.scalars(
        sa.select(Agreement).where(condition).order_by(Agreement.created_at, Agreement.id)
    ):
        source = agreement.source or ""
        lead_id = int(source[5:]) if source.startswith("lead:") and source[5:].isdigit() else None
        if lead_id not in out:
            lead_id = linked.get(agreement.id)
        if lead_id in out and agreement not in out[lead_id]:
            out[lead_id].append(agreement)
    return out


# --- nodes ---------------------------------------------------------------------------------------


def _disclosure_node(d: Disclosure) -> Node:
    return Node(
        "disclosure",
        str(d),
        _day(d.submitted_at) or _day(d.created_at),
        _url("admin.disclosure_detail", disclosure_id=d.id),
        note=d.status.label,
    )


def _family_node(f: PatentFamily) -> Node:
    node = Node(
        "patent_family",
        str(f),
        f.priority_date or _day(f.created_at),
        _url("admin.ip_family_detail", family_id=f.id),
    )
    node.children = [_application_node(f, a) for a in f.applications]
    return node


def _application_node(f: PatentFamily, a: PatentApplication) -> Node:
    return Node(
        "application",
        f"{a.kind.label}: {a}",
        a.filing_date,
        _url("admin.ip_family_detail", family_id=f.id),
        note=a.status.label,
    )


def _record_node(r: IpRecord) -> Node:
    return Node("ip_record", str(r), r.record_date or _day(r.created_at), None, note=r.registration)


def _listing_node(t: Technology) -> Node:
    return Node(
        "listing",
        f"{t.reference} {t.title}",
        _day(t.published_at) or _day(t.created_at),
        _url("admin.technology_detail", technology_id=t.id),
        note=t.status.label,
    )


def _lead_node(lead: Lead) -> Node:
    return Node(
        "lead",
        f"Lead #{lead.id} from {lead.organisation.display_name}",
        _day(lead.created_at),
        _url("admin.lead_detail", lead_id=lead.id),
        note=lead.status.label,
    )


def _term_sheet_node(a: Agreement) -> Node:
    return Node(
        "term_sheet",
        a.title,
        _day(a.executed_at) or _day(a.created_at),
        _url("admin.agreement_detail", agreement_id=a.id),
        note=a.status.label,
    )


def _licence_node(licence: Licence) -> Node:
    return Node(
        "licence",
        f"{licence.reference} to {licence.organisation.display_name}",
        licence.start_on,
        _url("admin.licence_detail", licence_id=licence.id),
        note=licence.status.label,
    )


def _spin_off_node(s: SpinOff) -> Node:
    return Node(
        "spin_off",
        s.name,
        s.incorporated_on or _day(s.created_at),
        _url("admin.spin_off_detail", spinoff_id=s.id),
        note=s.status.label,
    )


# --- the timeline --------------------------------------------------------------------------------


def _timeline(
    disclosures: list[Disclosure],
    families: list[PatentFamily],
    records: list[IpRecord],
    technologies: list[Technology],
    leads: list[Lead],
    term_sheets: list[Agreement],
    licences: list[Licence],
    spin_offs: list[SpinOff],
) -> list[Event]:
    events: list[Event] = []

    def add(day: date | datetime | None, kind: str, text: str, url: str | None) -> None:
        if day is not None:
            events.append(Event(_day(day), kind, text, url))  # type: ignore[arg-type]

    for d in disclosures:
        url = _url("admin.disclosure_detail", disclosure_id=d.id)
        add(d.conception_date, "disclosure", f"Invention conceived ({d.reference})", url)
        add(d.submitted_at, "disclosure", f"Disclosure {d.reference} submitted: {d.title}", url)
        if d.assessment is not None:
            add(
                d.assessment.assessed_at,
                "disclosure",
                f"Disclosure {d.reference} assessed: {d.assessment.recommendation.label}",
                url,
            )
    for f in families:
        url = _url("admin.ip_family_detail", family_id=f.id)
        for a in f.applications:
            add(a.filing_date, "application", f"{a.kind.label} filed: {a} ({f.reference})", url)
            add(a.grant_date, "application", f"Granted: {a} ({f.reference})", url)
    for r in records:
        add(r.record_date, "ip_record", f"{r.kind.label} recorded: {r.title}", None)
    for t in technologies:
        url = _url("admin.technology_detail", technology_id=t.id)
        add(t.created_at, "listing", f"Listing {t.reference} created", url)
        add(t.published_at, "listing", f"Listing {t.reference} published", url)
    for lead in leads:
        add(
            lead.created_at,
            "lead",
            f"Licensing interest from {lead.organisation.display_name} (lead #{lead.id})",
            _url("admin.lead_detail", lead_id=lead.id),
        )
    for a in term_sheets:
        url = _url("admin.agreement_detail", agreement_id=a.id)
        add(a.created_at, "term_sheet", f"Term sheet drafted: {a.title}", url)
        add(a.executed_at, "term_sheet", f"Term sheet executed: {a.title}", url)
    for licence in licences:
        add(
            licence.start_on,
            "licence",
            f"Licence {licence.reference} to {licence.organisation.display_name} starts",
            _url("admin.licence_detail", licence_id=licence.id),
        )
    for s in spin_offs:
        add(
            s.incorporated_on,
            "spin_off",
            f"Spin-off {s.name} incorporated",
            _url("admin.spin_off_detail", spinoff_id=s.id),
        )
    order = list(KIND_LABELS)
    events.sort(key=lambda e: (e.date, order.index(e.kind) if e.kind in order else 99))
    return events


# --- a technology's lineage ----------------------------------------------------------------------


def technology_lineage(technology: Technology) -> Lineage:
    """The whole line of descent of `technology`, in a constant number of queries."""
    tid = technology.id
    disclosure = disclosure_services.disclosures_of_technology([tid]).get(tid)
    disclosures = [disclosure] if disclosure is not None else []
    ip = disclosure_services.ip_records_of([d.id for d in disclosures])
    families = [f for d in disclosures for f in ip[d.id].families]
    records = [r for d in disclosures for r in ip[d.id].records]
    leads = _leads_of([tid])
    sheets_by_lead = _term_sheets_of(leads)
    licences = licence_services.licences_for_technologies([tid])[tid]
    spin_offs = licence_services.spinoffs_for_technologies([tid])[tid]

    listing = _listing_node(technology)
    licence_nodes = {licence.id: _licence_node(licence) for licence in licences}
    placed: set[int] = set()
    sheet_nodes: dict[int, Node] = {}
    for lead in leads:
        lead_node = _lead_node(lead)
        for sheet in sheets_by_lead[lead.id]:
            node = _term_sheet_node(sheet)
            sheet_nodes[sheet.id] = node
            lead_node.children.append(node)
        listing.children.append(lead_node)
        for licence in licences:
            if licence.id in placed or licence.term_sheet_id in sheet_nodes or licence.lead_id != lead.id:
                continue
            lead_node.children.append(licence_nodes[licence.id])  # a licence on the lead, no term sheet
            placed.add(licence.id)
    for licence in licences:
        if licence.id in placed:
            continue
        parent = sheet_nodes.get(licence.term_sheet_id) if licence.term_sheet_id else None
        (parent or listing).children.append(licence_nodes[licence.id])
        placed.add(licence.id)
    for s in spin_offs:
        parent = licence_nodes.get(s.licence_id) if s.licence_id else None
        (parent or listing).children.append(_spin_off_node(s))

    if disclosures:
        roots = []
        for d in disclosures:
            root = _disclosure_node(d)
            root.children = [_family_node(f) for f in ip[d.id].families]
            root.children += [_record_node(r) for r in ip[d.id].records]
            root.children.append(listing)
            roots.append(root)
    else:
        roots = [listing]
    term_sheets = [s for lead in leads for s in sheets_by_lead[lead.id]]
    timeline = _timeline(
        disclosures, families, records, [technology], leads, term_sheets, licences, spin_offs
    )
    return Lineage(
        technology=technology,
        tree=roots,
        timeline=timeline,
        disclosures=disclosures,
        families=families,
        records=records,
        leads=leads,
        term_sheets=term_sheets,
        licences=licences,
        spin_offs=spin_offs,
    )


# --- the reverse: from a licence -----------------------------------------------------------------


def load_licence(licence_id: int) -> Licence | None:
    return db.session.scalar(
        sa.select(Licence)
        .where(Licence.id == licence_id)
        .options(
            joinedload(Licence.organisation),
            joinedload(Licence.term_sheet),
            joinedload(Licence.lead).joinedload(Lead.organisation),
            joinedload(Licence.technology),
        )
    )


def licence_lineage(licence: Licence) -> Lineage:
    """From a licence (loaded by `load_licence`) back to its term sheet, lead, technology, IP rights
    and disclosure; its spin-offs hang under the licence. The tree is a chain with the licence at the
    top and the disclosure at the bottom."""
    technology = licence.technology
    tid = technology.id
    disclosure = disclosure_services.disclosures_of_technology([tid]).get(tid)
    disclosures = [disclosure] if disclosure is not None else []
    ip = disclosure_services.ip_records_of([d.id for d in disclosures])
    families = [f for d in disclosures for f in ip[d.id].families]
    if licence.patent_family_id is not None:  # the rights licensed, when named: those first
        families.sort(key=lambda f: f.id != licence.patent_family_id)
    records = [r for d in disclosures for r in ip[d.id].records]
    spin_offs = [
        s for s in licence_services.spinoffs_for_technologies([tid])[tid] if s.licence_id == licence.id
    ]

    root = _licence_node(licence)
    root.children = [_spin_off_node(s) for s in spin_offs]
    cursor = root
    term_sheets = [licence.term_sheet] if licence.term_sheet is not None else []
    for sheet in term_sheets:
        node = _term_sheet_node(sheet)
        cursor.children.append(node)
        cursor = node
    leads = [licence.lead] if licence.lead is not None else []
    for lead in leads:
        node = _lead_node(lead)
        cursor.children.append(node)
        cursor = node
    listing = _listing_node(technology)
    cursor.children.append(listing)
    listing.children = [_family_node(f) for f in families] + [_record_node(r) for r in records]
    listing.children += [_disclosure_node(d) for d in disclosures]
    timeline = _timeline(
        disclosures, families, records, [technology], leads, term_sheets, [licence], spin_offs
    )
    return Lineage(
        technology=technology,
        tree=[root],
        timeline=timeline,
        disclosures=disclosures,
        families=families,
        records=records,
        leads=leads,
        term_sheets=term_sheets,
        licences=[licence],
        spin_offs=spin_offs,
    )
