"""Bank statement files read into plain entries: ISO 20022 camt.053 (XML) and a simple CSV.

Nothing here touches the database. A file that cannot be read raises `StatementFileError` (a
`DomainError` on the form's `file` field) with a message saying what is wrong.

XML safety: the XML is parsed by the standard library's expat directly, with a handler that
refuses any document type declaration. A camt.053 message never has a DTD; refusing it at its
start means no entity is ever declared, so no entity expansion ("billion laughs"), no external
entity (file or network reads) and no DTD retrieval can happen, whatever the encoding of the file.
This is the protection defusedxml gives (its `forbid_dtd`), in a dozen lines, without a new
dependency. Files are limited in size before parsing (MAX_BYTES) and in entries (MAX_ENTRIES).

CSV: a header row naming the columns (any order, case-insensitive):

    date            booking date: 2026-03-31, 31.03.2026 or 31/03/2026      (required)
    amount          positive = money received, negative = money paid out    (required)
    currency        ISO 4217 code, e.g. EUR                                 (required)
    reference       the remittance text as the payer wrote it               (required)
    payer           the payer's name                                        (optional)
    bank_reference  the bank's own unique id of the entry                   (optional)
    value_date      value date, same formats as date                        (optional)

Separator: comma or semicolon (whichever the header uses). Amounts: decimal point in comma-separated
files, decimal comma in semicolon-separated ones ("1.250,00"); a thousands separator of the other
kind, spaces and apostrophes are allowed. Text: UTF-8 (a BOM is fine), else Windows-1252.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# Only ElementTree's TreeBuilder is used; expat parses, and every DTD is refused at its start (_safe_xml).
from xml.etree import ElementTree as ET  # nosec B405
from xml.parsers import expat  # nosec B407

from ..core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_CENTS = 10**13  # EUR 100 billion: anything larger is not a membership fee
CAMT053 = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}")
OTHER_CAMT = re.compile(r"urn:iso:std:iso:20022:tech:xsd:(camt\.\d{3})\.001\.\d{2}")


class StatementFileError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class StatementEntry:
    """One booked movement of the account (a batch entry is split into its transactions)."""

    position: int  # 1-based, in file order
    booked_on: date
    value_on: date | None
    amount: Decimal  # positive
    currency: str
    credit: bool
    remittance: str  # everything the payer wrote (unstructured and structured references)
    payer_name: str = ""
    bank_reference: str = ""  # the bank's own id of the entry (AcctSvcrRef), "" when none
    end_to_end_id: str = ""
    ignore_reason: str = ""  # set for entries that are not plain booked credits (pending, reversal)


@dataclass
class ParsedStatement:
    format: str  # "camt053" | "csv"
    account: str = ""
    statement_id: str = ""
    entries: list[StatementEntry] = field(default_factory=list)


def parse_statement(data: bytes) -> ParsedStatement:
    """Read a camt.053 or CSV statement (told apart by content, not by file name)."""
    if not data or not data.strip():
        raise StatementFileError("The file is empty.")
    if len(data) > MAX_BYTES:
        size = f"{MAX_BYTES // 2**20} MB" if MAX_BYTES >= 2**20 else f"{MAX_BYTES // 1024} KB"
        raise StatementFileError(
            f"The file is larger than {size}; a daily statement is far smaller. "
            "Upload one statement at a time."
        )
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        statement = _parse_camt053(data)
    else:
        statement = _parse_csv(data)
    if not statement.entries:
        raise StatementFileError("The statement has no entries; nothing to import.")
    if len(statement.entries) > MAX_ENTRIES:
        raise StatementFileError(f"The statement has more than {MAX_ENTRIES:,} entries; split it.")
    return statement


# --- amounts and dates -------------------------------------------------------------------------


def to_cents(amount: Decimal) -> int:
    return int(amount * 100)


def _amount(text: str, where: str, *, decimal_comma: bool = False) -> Decimal:
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if not raw:
        raise StatementFileError(f"{where}: the amount is missing.")
    sign = ""
    if raw[0] in "+-":
        sign, raw = ("-" if raw[0] == "-" else ""), raw[1:]
    decimal_char = "," if decimal_comma else "."
    other = "." if decimal_comma else ","
    if "," in raw and "." in raw:
        decimal_char = "," if raw.rfind(",") > raw.rfind(".") else "."
        raw = raw.replace("." if decimal_char == "," else ",", "")
    elif other in raw:
        if re.fullmatch(rf"\d{{1,3}}(\{other}\d{{3}})+", raw):
            raw = raw.replace(other, "")  # thousands separators
        else:
            decimal_char = other
    raw = raw.replace(decimal_char, ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", raw):
        raise StatementFileError(
            f"{where}: “{text.strip()[:40]}” is not an amount with at most two decimals."
        )
    try:
        value = Decimal(sign + raw)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid decimals
        raise StatementFileError(f"{where}: “{text.strip()[:40]}” is not an amount.") from None
    if abs(to_cents(value)) >= MAX_CENTS:
        raise StatementFileError(f"{where}: the amount {text.strip()[:40]} is implausibly large.")
    return value


def _currency(text: str, where: str) -> str:
    code = (text or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise StatementFileError(f"{where}: “{(text or '').strip()[:10]}” is not a currency code like EUR.")
    return code


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


def _date(text: str, where: str) -> date:
    raw = (text or "").strip()
    raw = raw[:10] if re.match(r"\d{4}-\d{2}-\d{2}T", raw) else raw  # an ISO date-time
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise StatementFileError(f"{where}: “{raw[:20]}” is not a date (use 2026-03-31 or 31.03.2026).")


# --- camt.053 ------------------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _refuse_dtd(*_: Any) -> None:
    raise _Refused("a document type declaration")


def _safe_xml(data: bytes) -> ET.Element:
    """An ElementTree built by expat with every DTD refused (see the module's docstring)."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator=" ")

    def qname(name: str) -> str:
        namespace, _, local = name.rpartition(" ")
        return f"{{{namespace}}}{local}" if namespace else local

    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.StartElementHandler = lambda name, attrs: builder.start(
        qname(name), {qname(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda name: builder.end(qname(name))
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
        return builder.close()
    except _Refused:
        raise StatementFileError(
            "The XML file declares a document type (DTD) or entities, which bank statements never do; "
            "it was refused for safety."
        ) from None
    except (expat.ExpatError, AssertionError, ValueError) as exc:
        raise StatementFileError(f"The file is not well-formed XML ({exc}).") from None


def _parse_camt053(data: bytes) -> ParsedStatement:
    root = _safe_xml(data)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if not CAMT053.fullmatch(namespace) or root.tag.rsplit("}", 1)[-1] != "Document":
        other = OTHER_CAMT.fullmatch(namespace)
        if other:
            raise StatementFileError(
                f"This is a {other.group(1)} message; upload the end-of-day statement (camt.053)."
            )
        raise StatementFileError(
            "The XML file is not an ISO 20022 camt.053 bank statement "
            f"(its namespace is “{namespace[:80] or 'none'}”)."
        )
    ns = {"c": namespace}
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not statements:
        raise StatementFileError("The camt.053 file has no statement (BkToCstmrStmt/Stmt).")
    parsed = ParsedStatement(format="camt053")
    parsed.account = _text(statements[0], "c:Acct/c:Id/c:IBAN", ns) or _text(
        statements[0], "c:Acct/c:Id/c:Othr/c:Id", ns
    )
    parsed.statement_id = ", ".join(filter(None, (_text(s, "c:Id", ns) for s in statements)))[:120]
    number = 0
    for statement in statements:
        for index, entry in enumerate(statement.findall("c:Ntry", ns), start=1):
            for values in _camt_entry(entry, ns, f"Entry {index}"):
                number += 1
                parsed.entries.append(StatementEntry(position=number, **values))
    return parsed


def _text(element: ET.Element, path: str, ns: dict[str, str]) -> str:
    found = element.find(path, ns)
    return " ".join((found.text or "").split()) if found is not None else ""


def _camt_entry(entry: ET.Element, ns: dict[str, str], where: str) -> list[dict[str, Any]]:
    amount_element = entry.find("c:Amt", ns)
    if amount_element is None:
        raise StatementFileError(f"{where}: the amount (Amt) is missing.")
    amount = _amount(amount_element.text or "", where)
    currency = _currency(amount_element.get("Ccy", ""), f"{where} (Amt Ccy)")
    indicator = _text(entry, "c:CdtDbtInd", ns)
    if indicator not in ("CRDT", "DBIT"):
        raise StatementFileError(f"{where}: the credit/debit indicator (CdtDbtInd) is missing or unknown.")
    booked_text = _text(entry, "c:BookgDt/c:Dt", ns) or _text(entry, "c:BookgDt/c:DtTm", ns)
    value_text = _text(entry, "c:ValDt/c:Dt", ns) or _text(entry, "c:ValDt/c:DtTm", ns)
    if not booked_text and not value_text:
        raise StatementFileError(f"{where}: the booking date (BookgDt) is missing.")
    booked_on = _date(booked_text or value_text, where)
    value_on = _date(value_text, where) if value_text else None
    status = _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)
    ignore = ""
    if status and status != "BOOK":
        ignore = f"not booked (status {status[:10]})"
    elif _text(entry, "c:RvslInd", ns).lower() == "true":
        ignore = "a reversal of an earlier entry"
    entry_ref = _text(entry, "c:AcctSvcrRef", ns)
    details = entry.findall("c:NtryDtls/c:TxDtls", ns)
    common = {
        "booked_on": booked_on,
        "value_on": value_on,
        "currency": currency,
        "credit": indicator == "CRDT",
        "ignore_reason": ignore,
    }
    split = _split_amounts(details, ns, currency, amount) if len(details) > 1 else None
    if split is None:  # one line for the entry, with everything its transactions say
        texts = [_remittance(tx, ns) for tx in details] or [""]
        extra = _text(entry, "c:AddtlNtryInf", ns)
        first = details[0] if details else None
        return [
            {
                **common,
                "amount": amount,
                "remittance": " ".join(filter(None, [*texts, extra]))[:2000],
                "payer_name": _payer(first, ns) if first is not None else "",
                "bank_reference": entry_ref
                or (_text(first, "c:Refs/c:AcctSvcrRef", ns) if first is not None else ""),
                "end_to_end_id": _end_to_end(first, ns) if first is not None else "",
            }
        ]
    lines = []
    for number, (tx, tx_amount) in enumerate(zip(details, split, strict=True), start=1):
        own_ref = _text(tx, "c:Refs/c:AcctSvcrRef", ns)
        lines.append(
            {
                **common,
                "amount": tx_amount,
                "remittance": _remittance(tx, ns)[:2000],
                "payer_name": _payer(tx, ns),
                "bank_reference": own_ref or (f"{entry_ref}/{number}" if entry_ref else ""),
                "end_to_end_id": _end_to_end(tx, ns),
            }
        )
    return lines


def _split_amounts(
    details: list[ET.Element], ns: dict[str, str], currency: str, total: Decimal
) -> list[Decimal] | None:
    """The amounts of a batch entry's transactions, when each has one in the entry's currency and
    they add up to the entry; otherwise None (the entry stays one line)."""
    amounts = []
    for tx in details:
        element = tx.find("c:Amt", ns)
        if element is None:
            element = tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns)
        if element is None or element.get("Ccy", "").upper() != currency:
            return None
        amounts.append(_amount(element.text or "", "A transaction of a batch entry"))
    return amounts if sum(amounts) == total else None


def _remittance(tx: ET.Element, ns: dict[str, str]) -> str:
    parts = [" ".join((u.text or "").split()) for u in tx.findall("c:RmtInf/c:Ustrd", ns)]
    parts += [" ".join((r.text or "").split()) for r in tx.findall("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)]
    parts.append(_text(tx, "c:AddtlTxInf", ns))
    return " ".join(p for p in parts if p)


def _payer(tx: ET.Element, ns: dict[str, str]) -> str:
    return (_text(tx, "c:RltdPties/c:Dbtr/c:Nm", ns) or _text(tx, "c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns))[:140]


def _end_to_end(tx: ET.Element, ns: dict[str, str]) -> str:
    value = _text(tx, "c:Refs/c:EndToEndId", ns)
    return "" if value.upper() == "NOTPROVIDED" else value[:140]


# --- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = ("date", "amount", "currency", "reference", "payer", "bank_reference", "value_date")
CSV_REQUIRED = ("date", "amount", "currency", "reference")
_ALIASES = {
    "booking_date": "date",
    "remittance": "reference",
    "payer_name": "payer",
    "bank_ref": "bank_reference",
}


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise StatementFileError("The file is neither a camt.053 XML statement nor a CSV text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _parse_csv(data: bytes) -> ParsedStatement:
    text = _decode(data)
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip(), newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise StatementFileError(f"The CSV file could not be read ({exc}).") from None
    header = [_ALIASES.get(h, h) for h in (re.sub(r"[\s-]+", "_", c.strip().lower()) for c in rows[0])]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise StatementFileError(
            "The file is neither a camt.053 XML statement nor a CSV statement with the columns "
            f"{', '.join(CSV_COLUMNS[:6])} (missing: {', '.join(missing)})."
        )
    columns = {name: header.index(name) for name in CSV_COLUMNS if name in header}
    parsed = ParsedStatement(format="csv")
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"Row {number}"
        if len(row) < len(header):
            raise StatementFileError(f"{where}: {len(row)} columns where the header has {len(header)}.")

        def cell(name: str, row: list[str] = row) -> str:
            return row[columns[name]].strip() if name in columns else ""

        amount = _amount(cell("amount"), where, decimal_comma=delimiter == ";")
        value_text = cell("value_date")
        parsed.entries.append(
            StatementEntry(
                position=len(parsed.entries) + 1,
                booked_on=_date(cell("date"), where),
                value_on=_date(value_text, where) if value_text else None,
                amount=abs(amount),
                currency=_currency(cell("currency"), where),
                credit=amount > 0,
                remittance=" ".join(cell("reference").split())[:2000],
                payer_name=cell("payer")[:140],
                bank_reference=cell("bank_reference")[:140],
            )
        )
    return parsed
