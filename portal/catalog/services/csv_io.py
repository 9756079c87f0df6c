"""Technologies in and out as CSV (README: "Technology CSV format").

`read_csv(data)` parses and checks every row without writing anything and returns a `Plan`: each
row's outcome (create, update with the fields that change, unchanged) and every error by row
number and column. `apply(plan, actor)` writes a plan without errors in the caller's transaction
(all or nothing: the caller commits once, or rolls back on any error). Importing the same file
twice changes nothing the second time: an unchanged row is not written at all.

`rows_of(technologies)` / `write_csv(technologies, out)` write the same columns, so an export
imports back unchanged. Cells a spreadsheet would run as formulas (starting with = + - @, a tab or
a carriage return) are written with a leading apostrophe, as the console's exports do, and the
import removes that apostrophe again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ...core import audit
from ...core.errors import DomainError
from ...extensions import db
from ..models import IpStatus, LicensingOption, Researcher, Technology, TechnologyStatus
from . import directory
from .listings import TechnologyData, create_technology, set_status, update_technology

COLUMNS = (
    "reference",
    "title",
    "benefit",
    "problem",
    "solution",
    "advantages",
    "applications",
    "domain",
    "keywords",
    "trl",
    "ip_status",
    "patent_numbers",
    "inventors",
    "lab",
    "licensing_options",
    "status",
)
LIST_COLUMNS = {"advantages", "applications", "keywords", "patent_numbers", "inventors", "licensing_options"}
REQUIRED = ("reference", "title", "trl")
LIMITS = {"reference": 40, "title": 200, "benefit": 300, "lab": 200}
MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # as admin/export.py
_IP = {s.value for s in IpStatus}
_OPTIONS = {o.value for o in LicensingOption}
_STATUSES = {s.value for s in TechnologyStatus}


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def un_neutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def join_list(values: Iterable[str]) -> str:
    """`a;b`, a `;` or `\\` inside an item escaped with a backslash."""
    return ";".join(v.replace("\\", "\\\\").replace(";", "\\;") for v in values)


def split_list(text: str) -> list[str]:
    items, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    items.append("".join(current))
    return [" ".join(item.split()) for item in items if item.strip()]


@dataclass
class RowError:
    row: int  # the line of the file (the header is row 1)
    column: str | None
    message: str

    def __str__(self) -> str:
        where = (
            _("Row %(row)s, column %(column)s", row=self.row, column=self.column)
            if self.column
            else _("Row %(row)s", row=self.row)
        )
        return f"{where}: {self.message}"


@dataclass
class PlannedRow:
    row: int
    reference: str
    title: str
    action: str  # "create", "update", "unchanged"
    data: TechnologyData
    status: TechnologyStatus
    domain_name: str = ""
    inventor_names: list[str] = field(default_factory=list)
    new_inventors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    technology_id: int | None = None


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _cell(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, list):  # more cells than header columns
        value = ",".join(value)
    return (
        un_neutralise(str(value)).strip()
        if name not in ("problem", "solution")
        else un_neutralise(str(value))
    )


def read_csv(data: bytes) -> Plan:
    plan = Plan()
    if len(data) > MAX_BYTES:
        plan.errors.append(RowError(1, None, _("The file is larger than 10 MB; split it.")))
        return plan
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        plan.errors.append(RowError(1, None, _("The file is not UTF-8 text. Save it as CSV UTF-8.")))
        return plan
    if "\x00" in text:
        plan.errors.append(RowError(1, None, _("The file is not a CSV text file.")))
        return plan
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        header = []
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if not header or missing:
        plan.errors.append(
            RowError(1, None, _("The header row needs the columns %(columns)s.", columns=", ".join(COLUMNS)))
        )
        return plan
    if unknown:
        plan.errors.append(RowError(1, None, _("Unknown columns: %(columns)s.", columns=", ".join(unknown))))
        return plan
    seen: dict[str, int] = {}
    existing = _existing()
    try:
        for index, raw in enumerate(reader, start=2):
            if index - 1 > MAX_ROWS:
                plan.errors.append(
                    RowError(index, None, _("At most %(count)s rows per file.", count=MAX_ROWS))
                )
                break
            if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
                continue  # an empty line
            if None in raw:
                plan.errors.append(RowError(index, None, _("This row has more cells than the header.")))
                continue
            row = _read_row(index, raw, plan.errors, existing)
            if row is None:
                continue
            if row.reference in seen:
                plan.errors.append(
                    RowError(
                        index,
                        "reference",
                        _(
                            "%(reference)s is also on row %(row)s.",
                            reference=row.reference,
                            row=seen[row.reference],
                        ),
                    )
                )
                continue
            seen[row.reference] = index
            plan.rows.append(row)
    except csv.Error as exc:
        plan.errors.append(
            RowError(reader.line_num, None, _("The CSV cannot be read here: %(error)s", error=str(exc)))
        )
    return plan


def _existing() -> dict[str, Technology]:
    return {
        t.reference: t
        for t in db.session.scalars(
            sa.select(Technology).options(selectinload(Technology.inventors), selectinload(Technology.domain))
        )
    }


def _read_row(index: int, raw: dict[str, Any], errors: list[RowError], existing: dict[str, Technology]):
    before = len(errors)

    def error(column: str, message: str) -> None:
        errors.append(RowError(index, column, message))

    values = {name: _cell(raw, name) for name in COLUMNS}
    for name in ("reference", "title"):  # an empty trl has its own message
        if not values[name]:
            error(name, _("This column is required."))
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            error(
                name,
                _("At most %(max)s characters; this has %(length)s.", max=limit, length=len(values[name])),
            )
    trl = 1
    if not values["trl"].isdigit() or not 1 <= int(values["trl"]) <= 9:
        error("trl", _("The TRL is a number from 1 to 9."))
    else:
        trl = int(values["trl"])
    ip_status = IpStatus.KNOW_HOW
    if values["ip_status"]:
        if values["ip_status"].lower() in _IP:
            ip_status = IpStatus(values["ip_status"].lower())
        else:
            error("ip_status", _("Use one of %(values)s.", values=", ".join(sorted(_IP))))
    options = [o.lower() for o in split_list(values["licensing_options"])]
    unknown_options = [o for o in options if o not in _OPTIONS]
    if unknown_options:
        error(
            "licensing_options",
            _(
                "Unknown licensing option %(options)s; use %(values)s.",
                options=", ".join(unknown_options),
                values=", ".join(sorted(_OPTIONS)),
            ),
        )
    status = TechnologyStatus.PUBLISHED
    if values["status"]:
        if values["status"].lower() in _STATUSES:
            status = TechnologyStatus(values["status"].lower())
        else:
            error("status", _("Use one of %(values)s.", values=", ".join(sorted(_STATUSES))))
    domain = None
    if values["domain"]:
        domain = directory.find_domain(values["domain"])
        if domain is None:
            error("domain", _("No domain is named %(domain)s.", domain=values["domain"]))
    if status not in (TechnologyStatus.DRAFT, TechnologyStatus.ARCHIVED) and not values["benefit"]:
        error("benefit", _("Write the one-line benefit before publishing."))
    inventor_names = split_list(values["inventors"])
    if any(len(n) > 120 for n in inventor_names):
        error("inventors", _("An inventor's name has at most 120 characters."))
    if len(errors) > before:
        return None
    inventors, new_inventors = [], []
    for name in inventor_names:
        found = db.session.scalar(
            sa.select(Researcher)
            .where(sa.func.lower(Researcher.name) == name.lower())
            .order_by(Researcher.id)
            .limit(1)
        )
        if found is None:
            new_inventors.append(name)
        else:
            inventors.append(found.id)
    data = TechnologyData(
        title=values["title"],
        benefit=values["benefit"],
        problem=values["problem"].strip(),
        solution=values["solution"].strip(),
        advantages=split_list(values["advantages"]),
        applications=split_list(values["applications"]),
        keywords=split_list(values["keywords"]),
        domain_id=domain.id if domain else None,
        trl=trl,
        ip_status=ip_status,
        patent_numbers=split_list(values["patent_numbers"]),
        licensing_options=list(dict.fromkeys(options)),
        lab=values["lab"],
        inventor_ids=inventors,
    )
    row = PlannedRow(
        row=index,
        reference=values["reference"],
        title=values["title"],
        action="create",
        data=data,
        status=status,
        domain_name=domain.name if domain else "",
        inventor_names=inventor_names,
        new_inventors=new_inventors,
    )
    technology = existing.get(values["reference"])
    if technology is not None:
        row.technology_id = technology.id
        row.changes = _changes(technology, row)
        row.action = "update" if row.changes else "unchanged"
    return row


def _changes(technology: Technology, row: PlannedRow) -> list[str]:
    data = row.data
    changes = [
        name
        for name in (
            "title",
            "benefit",
            "problem",
            "solution",
            "advantages",
            "applications",
            "keywords",
            "domain_id",
            "trl",
            "ip_status",
            "patent_numbers",
            "licensing_options",
            "lab",
        )
        if getattr(technology, name) != getattr(data, name)
    ]
    if row.new_inventors or [r.id for r in technology.inventors] != data.inventor_ids:
        changes.append("inventors")
    if technology.status is not row.status:
        changes.append("status")
    return [c.removesuffix("_id") for c in changes]


def apply(plan: Plan, *, actor, filename: str = "") -> dict[str, int]:
    """Write a checked plan (DomainError if it has errors or a row is refused while writing)."""
    if plan.errors:
        raise DomainError(_("The file has errors; nothing was imported."))
    counts = {"created": 0, "updated": 0, "unchanged": 0, "researchers": 0}
    for row in plan.rows:
        if row.action == "unchanged":
            counts["unchanged"] += 1
            continue
        data = row.data
        ids = list(data.inventor_ids)
        if row.new_inventors:
            ids = []
            for name in row.inventor_names:
                researcher, created = directory.find_or_create_researcher(actor, name, data.lab)
                counts["researchers"] += created
                ids.append(researcher.id)
        data.inventor_ids = ids
        try:
            if row.technology_id is None:
                create_technology(data, actor=actor, reference=row.reference, status=row.status)
                counts["created"] += 1
            else:
                technology = db.session.get(Technology, row.technology_id)
                update_technology(technology, data, actor=actor)
                if technology.status is not row.status:
                    set_status(technology, row.status, actor=actor)
                counts["updated"] += 1
        except DomainError as exc:
            raise DomainError(str(RowError(row.row, exc.field, exc.message))) from exc
    audit.record("technology.imported", actor=actor, filename=filename[:200], **counts)
    return counts


# --- export --------------------------------------------------------------------------------------


def row_of(technology: Technology) -> list[str]:
    """A technology as a CSV row (raw values: the writer neutralises formulas)."""
    return [
        technology.reference,
        technology.title,
        technology.benefit,
        technology.problem,
        technology.solution,
        join_list(technology.advantages),
        join_list(technology.applications),
        technology.domain.slug if technology.domain else "",
        join_list(technology.keywords),
        str(technology.trl),
        technology.ip_status.value,
        join_list(technology.patent_numbers),
        join_list(r.name for r in technology.inventors),
        technology.lab,
        join_list(technology.licensing_options),
        technology.status.value,
    ]


def export_query() -> sa.Select:
    return (
        sa.select(Technology)
        .options(selectinload(Technology.domain), selectinload(Technology.inventors))
        .order_by(Technology.reference, Technology.id)
    )


def write_csv(out: TextIO, technologies: Iterable[Technology] | None = None) -> int:
    """Every technology (or those given), with a BOM and a header, formulas neutralised."""
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(COLUMNS)
    count = 0
    source: Iterable[Technology] = (
        technologies
        if technologies is not None
        else db.session.scalars(export_query().execution_options(yield_per=500))
    )
    for technology in source:
        writer.writerow([neutralise(cell) for cell in row_of(technology)])
        count += 1
    return count


def errors_text(errors: Sequence[RowError]) -> list[str]:
    return [str(e) for e in errors]
