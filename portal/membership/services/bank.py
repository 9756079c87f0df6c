"""Bank statements: import a camt.053 or CSV statement, match credits to open invoices by their
transfer reference and amount, and the staff decisions on what did not match.

A match records the payment through `record_payment`, the service behind the console's manual
"record payment", so a paid invoice activates the membership exactly as a hand-recorded transfer
does. The import is one transaction (the caller commits once). It is idempotent: the file's
SHA-256 is unique (the same file is recognised), and each entry's key is unique (the bank's own
reference of the entry, else a hash of the line), inserted with ON CONFLICT DO NOTHING, so two
uploads at once, or two statements that share entries, record each entry once.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...auth.models import User
from ...core import audit
from ...core.database import insert_if_absent, lock_for_update
from ...core.errors import DomainError
from ...core.i18n import format_when
from ...core.money import format_money
from ...core.types import utcnow
from ...extensions import db
from ..models import (
    BankAllocation,
    BankLine,
    BankLineDecision,
    BankLineOutcome,
    BankStatement,
    BankStatementFormat,
    Invoice,
    InvoiceStatus,
)
from ..statement_files import ParsedStatement, StatementEntry, parse_statement, to_cents
from .invoices import record_payment


def normalise(text: str) -> str:
    """Letters and digits only, upper case: references compare whatever spaces, case or
    separators the payer (or their bank) used."""
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


# --- finding invoices in remittance text ---------------------------------------------------------


def candidate_numbers(text: str) -> set[str]:
    """Invoice numbers (`INV-2026-0001`) that the text may name, however it is written. The number
    part may be followed by the reference's check code (hex, so digits too): every split is a
    candidate; the full transfer reference decides (`invoices_named`)."""
    prefix = current_app.config["INVOICE_PREFIX"]
    folded = normalise(text)
    numbers = set()
    for found in re.finditer(rf"(?=({re.escape(normalise(prefix))})(\d{{4}})(\d{{4,}}))", folded):
        year, digits = found.group(2), found.group(3)
        for length in range(4, min(len(digits), 9) + 1):
            numbers.add(f"{prefix}-{year}-{digits[:length]}")
    return numbers


def invoices_named(text: str, invoices: dict[str, Invoice]) -> list[Invoice]:
    """The invoices whose whole transfer reference appears in the text (normalised)."""
    folded = normalise(text)
    return [
        invoice
        for number in sorted(candidate_numbers(text))
        if (invoice := invoices.get(number)) is not None and normalise(invoice.payment_reference) in folded
    ]


def _load_invoices(numbers: set[str]) -> dict[str, Invoice]:
    if not numbers:
        return {}
    found = db.session.scalars(sa.select(Invoice).where(Invoice.number.in_(sorted(numbers))))
    return {invoice.number: invoice for invoice in found}


# --- import ----------------------------------------------------------------------------------


def entry_keys(statement: ParsedStatement) -> list[str]:
    """The identity of each entry: the bank's reference when it gives one; else a hash of the line,
    numbered among identical lines of the same file (two equal transfers on one day stay two)."""
    keys, seen = [], Counter()
    for entry in statement.entries:
        if entry.bank_reference:
            identity = f"ref\x1f{entry.bank_reference}"
        else:
            fields = (
                statement.account,
                entry.booked_on.isoformat(),
                str(to_cents(entry.amount)),
                entry.currency,
                "C" if entry.credit else "D",
                normalise(entry.remittance),
                normalise(entry.payer_name),
                entry.end_to_end_id,
            )
            base = "\x1f".join(fields)
            seen[base] += 1
            identity = f"line\x1f{base}\x1f{seen[base]}"
        keys.append(hashlib.sha256(identity.encode()).hexdigest())
    return keys


def statement_by_file(data: bytes) -> BankStatement | None:
    return db.session.scalar(
        sa.select(BankStatement).where(BankStatement.file_sha256 == hashlib.sha256(data).hexdigest())
    )


def _already_imported(existing: BankStatement) -> DomainError:
    return DomainError(
        _(
            "This file was already imported as statement #%(id)s on %(day)s; nothing was recorded twice.",
            id=existing.id,
            day=format_when(existing.created_at, with_time=False),
        ),
        field="file",
    )


def import_statement(actor: User, filename: str, data: bytes) -> BankStatement:
    """Read the file, store the statement and its new lines, record the payments they match.
    Raises DomainError (nothing stored) for a file that cannot be read or was imported before."""
    existing = statement_by_file(data)
    if existing is not None:
        raise _already_imported(existing)
    parsed = parse_statement(data)
    digest = hashlib.sha256(data).hexdigest()
    if not insert_if_absent(
        BankStatement,
        file_sha256=digest,
        filename=_clean_filename(filename),
        format=BankStatementFormat(parsed.format),
        account=parsed.account[:64],
        statement_ref=parsed.statement_id[:120],
        content=data,
        entry_count=len(parsed.entries),
        uploaded_by_id=actor.id,
        created_at=utcnow(),
    ):  # the same file, imported by a concurrent upload that committed first
        raise _already_imported(statement_by_file(data))  # type: ignore[arg-type]
    statement = statement_by_file(data)
    assert statement is not None

    lines: list[tuple[BankLine, StatementEntry]] = []
    for entry, key in zip(parsed.entries, entry_keys(parsed), strict=True):
        line = _insert_line(statement, entry, key)
        if line is not None:
            lines.append((line, entry))
    statement.duplicate_count = len(parsed.entries) - len(lines)
    if not lines:
        raise DomainError(
            _(
                "Every entry of this file (%(count)s) was already imported with an earlier statement; "
                "nothing was recorded twice.",
                count=len(parsed.entries),
            ),
            field="file",
        )
    invoices = _load_invoices(set().union(*(candidate_numbers(line.remittance) for line, _entry in lines)))
    for line, _entry in lines:
        _match(actor, statement, line, invoices)
    db.session.flush()
    audit.record(
        "bank_statement.imported",
        actor=actor,
        target=statement,
        filename=statement.filename,
        entries=len(parsed.entries),
        new_lines=len(lines),
        already_imported=statement.duplicate_count,
        waiting=sum(line.decision is BankLineDecision.PENDING for line, _entry in lines),
    )
    return statement


def _clean_filename(filename: str) -> str:
    name = re.split(r"[\\/]", filename or "")[-1]
    return "".join(ch for ch in name if ch.isprintable())[:255] or "statement"


def _insert_line(statement: BankStatement, entry: StatementEntry, key: str) -> BankLine | None:
    """The new line, or None when an entry with this key was imported before (or is being imported
    by a concurrent upload, which this one waits for)."""
    cents = to_cents(entry.amount)
    ignore = entry.ignore_reason
    if not entry.credit:
        ignore = "money paid out (debit)"
    elif cents == 0:
        ignore = ignore or "zero amount"
    inserted = insert_if_absent(
        BankLine,
        statement_id=statement.id,
        position=entry.position,
        entry_key=key,
        bank_reference=entry.bank_reference[:140],
        booked_on=entry.booked_on,
        value_on=entry.value_on,
        amount_cents=cents,
        currency=entry.currency,
        credit=entry.credit,
        payer_name=entry.payer_name[:140],
        remittance=entry.remittance,
        outcome=BankLineOutcome.IGNORED if ignore else BankLineOutcome.UNMATCHED,
        reason=ignore[:255],
        allocated_cents=0,
        decision=BankLineDecision.NONE,
        decision_note="",
        created_at=utcnow(),
    )
    if not inserted:
        return None
    return db.session.scalar(sa.select(BankLine).where(BankLine.entry_key == key))


def _unmatched(line: BankLine, reason: str, invoice: Invoice | None = None) -> None:
    line.outcome = BankLineOutcome.UNMATCHED
    line.decision = BankLineDecision.PENDING
    line.reason = reason[:255]
    line.invoice_id = invoice.id if invoice is not None else None


def _match(actor: User, statement: BankStatement, line: BankLine, invoices: dict[str, Invoice]) -> None:
    if line.outcome is BankLineOutcome.IGNORED:
        return
    named = invoices_named(line.remittance, invoices)
    if not named:
        _unmatched(line, "no invoice transfer reference found in the remittance text")
        return
    if len(named) > 1:
        numbers = ", ".join(invoice.number for invoice in named)
        _unmatched(line, f"names several invoices ({numbers}): split it by hand")
        return
    (invoice,) = named
    refusal = _refusal(line, invoice)
    if refusal:
        _unmatched(line, refusal, invoice)
        return
    balance = invoice.balance_cents
    amount = min(line.amount_cents, balance)
    try:
        _allocate(actor, line, invoice, amount, manual=False)
    except DomainError as exc:  # refused before anything was written (e.g. a future booking date)
        _unmatched(line, exc.message, invoice)
        return
    line.invoice_id = invoice.id
    if line.amount_cents == balance:
        line.outcome = BankLineOutcome.EXACT
    elif line.amount_cents < balance:
        line.outcome = BankLineOutcome.PARTIAL
        line.reason = f"{format_money(invoice.balance_cents, invoice.currency)} still due on {invoice.number}"
    else:
        line.outcome = BankLineOutcome.OVERPAID
        line.decision = BankLineDecision.PENDING
        line.reason = f"{format_money(line.remaining_cents, line.currency)} more than {invoice.number} asked"
    audit.record(
        "bank_line.matched",
        actor=actor,
        target=line,
        organisation_id=invoice.organisation_id,
        statement_id=statement.id,
        line_id=line.id,
        position=line.position,
        invoice=invoice.number,
        outcome=line.outcome.value,
        amount=amount,
        surplus=line.remaining_cents,
    )


def _refusal(line: BankLine, invoice: Invoice) -> str:
    """Why money of this line cannot go to this invoice ("" when it can)."""
    if line.currency != invoice.currency:
        return f"paid in {line.currency}; invoice {invoice.number} is in {invoice.currency}"
    if invoice.status is not InvoiceStatus.OPEN:
        return f"invoice {invoice.number} is already {invoice.status.label.lower()}"
    return ""


def _allocate(actor: User, line: BankLine, invoice: Invoice, amount: int, *, manual: bool) -> BankAllocation:
    """Record `amount` of the line as a payment of the invoice, through the console's service."""
    label = f"Bank statement #{line.statement_id} line {line.position}"
    if line.bank_reference:
        label += f": {line.bank_reference}"
    payment = record_payment(actor, invoice, amount, line.booked_on, label[:120])
    allocation = BankAllocation(
        line=line,
        invoice_id=invoice.id,
        payment_id=payment.id,
        amount_cents=amount,
        manual=manual,
        created_by_id=actor.id,
    )
    db.session.add(allocation)
    line.allocated_cents += amount
    db.session.flush()
    return allocation


# --- staff decisions -----------------------------------------------------------------------------


def find_invoice(reference: str) -> Invoice | None:
    """The invoice a person typed: its number or its transfer reference, written any way."""
    folded = normalise(reference)
    if not folded:
        return None
    numbers = candidate_numbers(reference)
    invoices = _load_invoices(numbers)
    named = invoices_named(reference, invoices)
    if named:
        return named[0]
    exact = [invoice for number, invoice in invoices.items() if normalise(number) == folded]
    return exact[0] if exact else None


def _pending(line: BankLine) -> None:
    lock_for_update(line)  # two officers deciding at once: the second sees the first's decision
    if line.decision is not BankLineDecision.PENDING:
        raise DomainError(
            _("This line was already decided (%(decision)s).", decision=line.decision.label.lower())
        )


def assign_line(actor: User, line: BankLine, invoice_reference: str, note: str = "") -> BankAllocation:
    """Staff assign the line's money (what is left of it) to an invoice; the invoice's balance at
    most, and what remains stays in the queue."""
    _pending(line)
    invoice = find_invoice(invoice_reference)
    if invoice is None:
        raise DomainError(
            _("No invoice has the number or reference “%(reference)s”.", reference=invoice_reference[:60]),
            field="invoice",
        )
    refusal = _refusal(line, invoice)
    if refusal:
        raise DomainError(refusal[0].upper() + refusal[1:] + ".", field="invoice")
    amount = min(line.remaining_cents, invoice.balance_cents)
    allocation = _allocate(actor, line, invoice, amount, manual=True)
    line.invoice_id = line.invoice_id or invoice.id
    if line.remaining_cents == 0:
        line.decision = BankLineDecision.ASSIGNED
        line.decided_by_id = actor.id
        line.decided_at = utcnow()
        line.decision_note = note.strip()
    else:
        line.reason = (
            f"{format_money(line.remaining_cents, line.currency)} left after paying {invoice.number}"
        )
    audit.record(
        "bank_line.assigned",
        actor=actor,
        target=line,
        organisation_id=invoice.organisation_id,
        statement_id=line.statement_id,
        line_id=line.id,
        invoice=invoice.number,
        amount=amount,
        remaining=line.remaining_cents,
        note=note.strip(),
    )
    return allocation


def dismiss_line(actor: User, line: BankLine, reason: str) -> None:
    """Staff set the line's (remaining) money aside: refunded, not ours, handled elsewhere."""
    _pending(line)
    if not reason.strip():
        raise DomainError(_("Give the reason: it stays on the record."), field="reason")
    line.decision = BankLineDecision.DISMISSED
    line.decided_by_id = actor.id
    line.decided_at = utcnow()
    line.decision_note = reason.strip()
    audit.record(
        "bank_line.dismissed",
        actor=actor,
        target=line,
        statement_id=line.statement_id,
        line_id=line.id,
        amount=line.remaining_cents,
        reason=reason.strip(),
    )


def unmatched_bank_lines_count() -> int:
    """Lines waiting on a staff decision (unmatched money and over-payment surpluses)."""
    return db.session.scalar(
        sa.select(sa.func.count(BankLine.id)).where(BankLine.decision == BankLineDecision.PENDING)
    )
