"""Issue 10, point 11: bank statements (camt.053 and CSV) pay invoices by their transfer reference,
through the console's own payment service; what does not match waits for a staff decision."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.agreements import services as agreements
from portal.agreements.models import Agreement, AgreementKind
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.membership import services, statement_files
from portal.membership.models import (
    Application,
    BankLine,
    BankLineDecision,
    BankLineOutcome,
    BankStatement,
    Invoice,
    InvoiceStatus,
    Membership,
    MembershipStatus,
    Payment,
)
from portal.membership.statement_files import StatementFileError, _amount

from ..support.browser import Browser, location, text
from ..support.context import app_context
from ..support.factories import (
    APPLY,
    commit,
    make_invoice,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)

FIXTURES = Path(__file__).parent / "fixtures"
CAMT = (FIXTURES / "camt053_sample.xml").read_bytes()
CSV = (FIXTURES / "statement_sample.csv").read_bytes()
SINGLE = (FIXTURES / "camt053_single.xml").read_text()


@pytest.fixture
def invoices(ctx):
    """The invoices the sample statement names (EUR 1,000.00 each unless said)."""
    org = make_organisation(legal_name="Alpha Optics GmbH")

    def invoice(number, check, **overrides):
        return make_invoice(
            org, number=f"INV-2026-{number}", payment_reference=f"INV-2026-{number} {check}", **overrides
        )

    made = {
        "A": invoice("0101", "A1B2", total_cents=1000_00),
        "B": invoice("0102", "C3D4", total_cents=1000_00),
        "C": invoice("0103", "E5F6", total_cents=1000_00),
        "D": invoice("0104", "0A0B", total_cents=1000_00),
        "E": invoice("0105", "9C9D", total_cents=1000_00, status=InvoiceStatus.PAID),
        "F": invoice("0106", "7A7B", total_cents=100_00),
    }
    commit()
    return made


@pytest.fixture
def officer(app, ctx):
    staff = make_staff(full_name="Oscar Officer")
    commit()
    browser = Browser(app)
    assert location(browser.login_staff(staff)) == "/admin/"
    return staff, browser


def upload(browser, data: bytes, name: str = "statement.xml"):
    return browser.post("/admin/bank-statements", {"file": (io.BytesIO(data), name)})


def lines_by_position(statement_id: int) -> dict[int, BankLine]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(BankLine).where(BankLine.statement_id == statement_id))
    return {line.position: line for line in rows}


def counts() -> tuple[int, int, int, int]:
    def count(model):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return count(BankStatement), count(BankLine), count(Payment), count(AuditEvent)


def only_statement() -> BankStatement:
    return db.session.scalars(sa.select(BankStatement)).one()


# --- matching ----------------------------------------------------------------------------------


def test_camt053_import_records_exact_partial_and_over_payments_and_lists_the_rest(app, invoices, officer):
    staff, browser = officer
    response = upload(browser, CAMT)
    statement = only_statement()
    assert location(response) == f"/admin/bank-statements/{statement.id}"
    assert (statement.account, statement.statement_ref, statement.entry_count) == (
        "NL91INGB0001234567",
        "STMT-2025-365",
        10,  # nine entries, the batch split in two
    )
    lines = lines_by_position(statement.id)
    outcome = {n: line.outcome for n, line in lines.items()}
    assert outcome == {
        1: BankLineOutcome.EXACT,
        2: BankLineOutcome.PARTIAL,
        3: BankLineOutcome.OVERPAID,
        4: BankLineOutcome.UNMATCHED,
        5: BankLineOutcome.UNMATCHED,
        6: BankLineOutcome.UNMATCHED,
        7: BankLineOutcome.IGNORED,
        8: BankLineOutcome.EXACT,
        9: BankLineOutcome.UNMATCHED,
        10: BankLineOutcome.UNMATCHED,
    }
    db.session.expire_all()
    a, b, c, d, e, f = (invoices[k] for k in "ABCDEF")
    # exact: paid, through record_payment (the payment is the console's kind, by the uploader)
    assert a.status is InvoiceStatus.PAID and a.paid_cents == 1000_00
    (payment,) = a.payments
    assert payment.recorded_by_id == staff.id and payment.received_on.isoformat() == "2025-12-31"
    assert "BANKREF-0001" in payment.reference
    # partial: the part is recorded, the invoice stays open with the balance
    assert b.status is InvoiceStatus.OPEN and b.balance_cents == 600_00
    assert lines[2].decision is BankLineDecision.NONE and "600.00 still due" in lines[2].reason
    assert lines[2].payer_name == "Beta Robotics SA"  # camt.053.001.08 party form
    # over-payment: paid in full, the surplus waits for a decision
    assert c.status is InvoiceStatus.PAID and c.paid_cents == 1000_00
    assert lines[3].remaining_cents == 250_00 and lines[3].decision is BankLineDecision.PENDING
    # no reference, wrong currency, already paid: nothing recorded, each waits with its reason
    assert "no invoice transfer reference" in lines[4].reason
    assert d.status is InvoiceStatus.OPEN and d.paid_cents == 0 and "paid in USD" in lines[5].reason
    assert e.payments == [] and "already paid" in lines[6].reason
    assert {lines[n].decision for n in (4, 5, 6, 9, 10)} == {BankLineDecision.PENDING}
    # a debit never pays, even when it names an invoice
    assert lines[7].credit is False and lines[7].decision is BankLineDecision.NONE
    # the batch entry was split: its first transfer paid invoice F
    assert f.status is InvoiceStatus.PAID and lines[8].bank_reference == "BANKREF-0008/1"
    assert services.unmatched_bank_lines_count() == 6
    with app.test_request_context():
        from portal.admin import queries

        assert queries.unmatched_bank_lines_count() == 6

    # every match is audited with its statement and line
    matched = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "bank_line.matched")).all()
    assert {(e.details["line_id"], e.details["invoice"], e.details["outcome"]) for e in matched} == {
        (lines[1].id, "INV-2026-0101", "exact"),
        (lines[2].id, "INV-2026-0102", "partial"),
        (lines[3].id, "INV-2026-0103", "overpaid"),
        (lines[8].id, "INV-2026-0106", "exact"),
    }
    assert all(e.details["statement_id"] == statement.id and e.actor_id == staff.id for e in matched)

    page = text(browser.get(f"/admin/bank-statements/{statement.id}"))
    for expected in ("Paid in full", "Partial payment", "Over-payment", "Unmatched", "Ignored", "Donation"):
        assert expected in page
    queue = text(browser.get("/admin/bank-lines"))
    assert "Donation" in queue and "paid in USD" in queue and "coffee" in queue
    assert "Unmatched payments" in queue and "waiting: </span>6" in queue
    listing = text(browser.get("/admin/bank-statements"))
    assert "STMT-2025-365" in listing and "statement.xml" in listing


def test_csv_with_semicolons_and_decimal_commas_pays_and_ignores_debits(app, invoices, officer):
    _, browser = officer
    upload(browser, CSV, "export.csv")
    statement = only_statement()
    lines = lines_by_position(statement.id)
    assert [lines[n].amount_cents for n in (1, 2, 3)] == [1000_00, 12_50, 250_50]
    assert lines[1].outcome is BankLineOutcome.EXACT
    assert lines[2].outcome is BankLineOutcome.IGNORED and not lines[2].credit
    assert lines[3].outcome is BankLineOutcome.UNMATCHED
    db.session.expire_all()
    assert invoices["A"].status is InvoiceStatus.PAID


def test_a_comma_separated_csv_with_quoted_fields_and_any_column_order(app, invoices, officer):
    _, browser = officer
    data = (
        b"payer,bank_reference,amount,currency,date,reference\n"
        b'"Beta, Robotics",X-1,"1,000.00",EUR,2025-12-31,"INV-2026-0102-c3d4"\n'
    )
    upload(browser, data, "export.csv")
    db.session.expire_all()
    assert invoices["B"].status is InvoiceStatus.PAID


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "expected"),
    [
        ("1.250,00", True, "1250.00"),
        ("1250,5", True, "1250.5"),
        ("1250.00", True, "1250.00"),
        ("1.250", True, "1250"),
        ("1,250.00", False, "1250.00"),
        ("1 250.00", False, "1250.00"),
        ("-12.50", False, "-12.50"),
    ],
)
def test_amounts_are_read_as_decimals(raw, decimal_comma, expected):
    assert _amount(raw, "Row 2", decimal_comma=decimal_comma) == Decimal(expected)


@pytest.mark.parametrize("raw", ["12.345", "abc", "1e5", "NaN", "", "1,2,3"])
def test_odd_amounts_are_refused(raw):
    with pytest.raises(StatementFileError):
        _amount(raw, "Row 2")


# --- idempotency -------------------------------------------------------------------------------


def test_the_same_file_twice_records_nothing_twice(app, invoices, officer):
    _, browser = officer
    upload(browser, CAMT)
    before = counts()
    again = upload(browser, CAMT, "renamed.xml")
    assert again.status_code == 400
    assert "already imported as statement #" in text(again)
    assert counts() == before


def test_entries_already_imported_by_another_file_are_skipped(app, invoices, officer):
    _, browser = officer
    upload(browser, CAMT)
    payments = counts()[2]
    # A CSV export of the same day: the bank reference identifies the entry already imported.
    overlap = (
        b"date;amount;currency;reference;payer;bank_reference\n"
        b"31.12.2025;1000,00;EUR;INV-2026-0101 A1B2;Alpha Optics GmbH;BANKREF-0001\n"
        b"31.12.2025;400,00;EUR;INV-2026-0102 C3D4;Beta Robotics SA;BANKREF-0099\n"
    )
    response = upload(browser, overlap, "overlap.csv")
    assert "1 entr(y/ies) were already imported and were skipped" in text(browser.get(location(response)))
    second = db.session.scalars(sa.select(BankStatement).order_by(BankStatement.id.desc())).first()
    assert second.duplicate_count == 1
    assert list(lines_by_position(second.id)) == [2]
    assert counts()[2] == payments + 1
    db.session.expire_all()
    assert invoices["A"].paid_cents == 1000_00  # not twice
    assert invoices["B"].balance_cents == 200_00  # 400 from the camt, 400 from the CSV
    # A file whose every entry is known records nothing and says so.
    before = counts()
    known = upload(browser, overlap + b"\n", "again.csv")
    assert known.status_code == 400 and "was already imported with an earlier statement" in text(known)
    assert counts() == before


def test_lines_without_a_bank_reference_are_recognised_by_their_content(app, invoices, officer):
    _, browser = officer
    line = "31.12.2025;10,00;EUR;coffee;Theta;\n"
    first = ("date;amount;currency;reference;payer;bank_reference\n" + line + line).encode()
    upload(browser, first, "a.csv")
    statement = only_statement()
    assert len(lines_by_position(statement.id)) == 2  # two equal transfers stay two
    response = upload(browser, first + b"\n\n", "b.csv")  # another file, the same two lines
    assert response.status_code == 400 and "already imported" in text(response)


# --- malformed files -----------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt>&lol3;</BkToCstmrStmt></Document>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Ntry>
<Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2025-12-31</Dt></BookgDt>
<NtryDtls><TxDtls><RmtInf><Ustrd>&xxe;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>"""
UTF16_DTD = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY a "b">]><Document/>'.encode(
    "utf-16"
)


def _without_amount() -> bytes:
    return CAMT.replace(b'<Amt Ccy="EUR">99.00</Amt>', b"")


MALFORMED = {
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither a camt.053 XML statement nor a CSV"),
    "empty": (b"   \n", "The file is empty."),
    "broken xml": (b"<Document><BkToCstmrStmt>", "not well-formed XML"),
    "wrong namespace": (
        CAMT.replace(b"camt.053.001.02", b"pain.001.001.03"),
        "not an ISO 20022 camt.053 bank statement",
    ),
    "camt.054": (CAMT.replace(b"camt.053.001.02", b"camt.054.001.02"), "This is a camt.054 message"),
    "missing amount": (_without_amount(), "Entry 4: the amount (Amt) is missing."),
    "no currency": (CAMT.replace(b'<Amt Ccy="EUR">99.00</Amt>', b"<Amt>99.00</Amt>"), "currency code"),
    "three decimals": (CAMT.replace(b">99.00<", b">99.001<"), "at most two decimals"),
    "billion laughs": (BILLION_LAUGHS, "declares a document type (DTD) or entities"),
    "external entity": (XXE, "declares a document type (DTD) or entities"),
    "utf-16 dtd": (UTF16_DTD, "declares a document type (DTD) or entities"),
    # 5 MB in production; the test lowers the limit so that the upload stays in memory (a test
    # client spools larger bodies to a file it never closes)
    "huge": (b"date,amount,currency,reference\n" + b"x" * 100 * 1024, "larger than 100 KB"),
    "csv without columns": (
        b"when;how much\n2025-12-31;10\n",
        "(missing: date, amount, currency, reference)",
    ),
    "csv bad date": (
        b"date;amount;currency;reference\n2025-31-12;10;EUR;x\n",
        "is not a date (use 2026-03-31 or 31.03.2026)",
    ),
    "csv bad currency": (b"date;amount;currency;reference\n2025-12-31;10;euro;x\n", "currency code like EUR"),
    "no file": (None, "Choose a statement file"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_file_gets_a_message_on_the_form_and_nothing_is_saved(
    app, invoices, officer, case, monkeypatch
):
    _, browser = officer
    monkeypatch.setattr(statement_files, "MAX_BYTES", 100 * 1024)
    data, message = MALFORMED[case]
    before = counts()
    if data is None:
        response = browser.post("/admin/bank-statements", {})
    else:
        response = upload(browser, data, "statement.xml")
    assert response.status_code == 400
    page = text(response)
    assert message in page, page[page.find("alert-danger") :][:600]
    assert 'class="alert alert-danger"' in page and "Import statement" in page
    assert "root:" not in page  # no server file was ever read into the page
    assert counts() == before
    db.session.expire_all()
    assert all(invoice.payments == [] for key, invoice in invoices.items() if key != "E")


# --- staff decisions -----------------------------------------------------------------------------


def test_staff_assign_unmatched_money_to_an_invoice_or_dismiss_it_with_a_reason(app, invoices, officer):
    staff, browser = officer
    upload(browser, CAMT)
    lines = lines_by_position(only_statement().id)
    donation, dollars, surplus = lines[4], lines[5], lines[3]

    # wrong currency stays refused when assigned by hand
    refused = browser.post(f"/admin/bank-lines/{dollars.id}/assign", {"invoice": "inv-2026-0104"})
    assert refused.status_code == 400 and "Paid in USD; invoice INV-2026-0104 is in EUR." in text(refused)
    unknown = browser.post(f"/admin/bank-lines/{donation.id}/assign", {"invoice": "INV-2099-9999"})
    assert unknown.status_code == 400 and "No invoice has the number" in text(unknown)

    # the donation (EUR 99) goes to invoice D by its number alone; D stays open with the balance
    response = browser.post(
        f"/admin/bank-lines/{donation.id}/assign", {"invoice": "INV-2026-0104", "note": "phoned them"}
    )
    assert location(response) == f"/admin/bank-lines/{donation.id}"
    db.session.expire_all()
    assert invoices["D"].paid_cents == 99_00 and invoices["D"].status is InvoiceStatus.OPEN
    assert donation.decision is BankLineDecision.ASSIGNED and donation.decided_by_id == staff.id
    again = browser.post(f"/admin/bank-lines/{donation.id}/assign", {"invoice": "INV-2026-0104"})
    assert again.status_code == 400 and "already decided" in text(again)
    assert invoices["D"].paid_cents == 99_00

    # the over-payment's surplus: a reason is required, then it is dismissed
    empty = browser.post(f"/admin/bank-lines/{surplus.id}/dismiss", {"reason": " "})
    assert empty.status_code == 400 and "Give the reason" in text(empty)
    assert location(browser.post(f"/admin/bank-lines/{surplus.id}/dismiss", {"reason": "Refunded"})) == (
        "/admin/bank-lines"
    )
    db.session.expire_all()
    assert surplus.decision is BankLineDecision.DISMISSED and surplus.decision_note == "Refunded"

    decisions = {
        e.action: e.details
        for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("bank_line.%")))
        if e.action != "bank_line.matched"
    }
    assert decisions["bank_line.assigned"]["invoice"] == "INV-2026-0104"
    assert decisions["bank_line.assigned"]["line_id"] == donation.id
    assert decisions["bank_line.dismissed"] == {
        "statement_id": surplus.statement_id,
        "line_id": surplus.id,
        "amount": 250_00,
        "reason": "Refunded",
    }
    assert services.unmatched_bank_lines_count() == 4


def test_money_larger_than_the_invoice_assigned_by_hand_leaves_the_rest_waiting(app, invoices, officer):
    _, browser = officer
    small = make_invoice(
        invoices["A"].organisation,
        number="INV-2026-0107",
        payment_reference="INV-2026-0107 1C1D",
        total_cents=150_00,
    )
    commit()
    upload(browser, CAMT)
    batch_rest = lines_by_position(only_statement().id)[9]  # EUR 200 "for the event"
    response = browser.post(f"/admin/bank-lines/{batch_rest.id}/assign", {"invoice": "inv 2026 0107"})
    assert "EUR 50.00 still to decide" in text(browser.get(location(response)))
    db.session.expire_all()
    assert small.status is InvoiceStatus.PAID
    assert batch_rest.decision is BankLineDecision.PENDING and batch_rest.remaining_cents == 50_00
    assert "EUR 50.00 left after paying INV-2026-0107" in batch_rest.reason


# --- end to end ----------------------------------------------------------------------------------


def test_a_french_company_paying_by_bank_transfer_is_activated_by_the_statement_import(app, ctx):
    tier = make_tier(slug="partner", name="Partner", annual_fee_cents=25_000_00)
    org = make_organisation(legal_name="Lumière Analytique SAS", country="FR")
    owner = make_partner(organisation=org, email="owner@lumiere.example", full_name="Camille Durand")
    officer = make_staff(email="officer@tto.example", full_name="Oscar Mbeki")
    admin = make_staff(admin=True, full_name="Ada Admin")
    commit()

    partner = Browser(app)
    partner.login(owner.email)
    applied = partner.post(
        "/membership/apply", {**APPLY, "tier": tier.slug, "vat_number": "FR 40 303 265 045"}
    )
    assert applied.status_code == 302
    console = Browser(app)
    console.login_staff(officer)
    application = db.session.scalar(sa.select(Application))
    approved = console.post(
        f"/admin/applications/{application.id}/approve", {"account_owner": str(officer.id)}
    )
    assert approved.status_code == 302
    db.session.expire_all()
    invoice = db.session.scalar(sa.select(Invoice))
    membership = db.session.scalar(sa.select(Membership))
    assert membership.status is MembershipStatus.AWAITING_PAYMENT and invoice.currency == "EUR"

    # the signatory signs the partnership agreement
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.kind == AgreementKind.PARTNERSHIP))
    with app_context(app):
        evidence = agreements.Evidence(
            owner.full_name, "Présidente", True, agreement.pdf_sha256, "192.0.2.1", "t"
        )
        agreements.sign_as_partner(owner, agreement, evidence)
    commit()

    # the bank statement pays the invoice: written the way a French bank passes it on
    written = invoice.payment_reference.lower().replace(" ", "/").replace("-", " ")
    amount = f"{Decimal(invoice.total_cents) / 100:.2f}"
    statement = SINGLE.format(amount=amount, reference=written, bank_ref="FR-BANK-0001").encode()
    response = upload(console, statement, "releve.xml")
    assert response.status_code == 302
    db.session.expire_all()
    assert invoice.status is InvoiceStatus.PAID
    assert membership.status is MembershipStatus.AWAITING_SIGNATURE  # paid; the countersignature is missing
    assert not services.has_partner_access(org)

    # staff countersign: the membership is active, exactly as after a payment recorded by hand
    with app_context(app):
        evidence = agreements.Evidence(
            admin.full_name, "Director", True, agreement.pdf_sha256, "192.0.2.2", "t"
        )
        agreements.countersign(admin, agreement, evidence)
    commit()
    db.session.expire_all()
    assert membership.status is MembershipStatus.ACTIVE
    assert services.has_partner_access(org)
    assert "is <strong>active</strong>" in text(partner.get("/membership"))
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {
        "bank_statement.imported",
        "bank_line.matched",
        "payment.recorded",
        "membership.activated",
    } <= actions


def test_the_statement_size_limit_is_five_megabytes():
    assert statement_files.MAX_BYTES == 5 * 1024 * 1024
    with pytest.raises(StatementFileError, match="larger than 5 MB"):
        statement_files.parse_statement(b"date,amount,currency,reference\n" + b"x" * (5 * 1024 * 1024))


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.parametrize("same_file", [True, False])
def test_simultaneous_uploads_store_each_entry_once(app, monkeypatch, same_file):
    """Real transactions on separate connections (PostgreSQL in CI): of two uploads at once of the
    same file, or of two files with the same entries, one stores the entries and the other is told."""
    from types import SimpleNamespace

    from portal.core.database import begin_write
    from portal.core.errors import DomainError

    from ..support.concurrency import run_simultaneously

    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    rows = "".join(f"31.12.2025;{n},00;EUR;race {n};Racer;RACE-{n}\n" for n in range(1, 6))
    header = "date;amount;currency;reference;payer;bank_reference\n"
    files = [(header + rows).encode(), (header + rows).encode() + (b"" if same_file else b"\n")]
    nobody = SimpleNamespace(id=None, email=None)

    def import_one(index: int) -> str:
        with app_context(app):
            try:
                begin_write()
                services.import_statement(nobody, f"race-{index}.csv", files[index])
                db.session.commit()
                return "imported"
            except DomainError as exc:
                db.session.rollback()
                return exc.message
            finally:
                db.session.remove()

    try:
        results = run_simultaneously(2, import_one)
        assert results.count("imported") == 1, results
        (refusal,) = [r for r in results if r != "imported"]
        assert "already imported" in refusal
        with app_context(app):
            keys = db.session.scalars(
                sa.select(BankLine.bank_reference).where(BankLine.payer_name == "Racer")
            )
            assert sorted(keys) == [f"RACE-{n}" for n in range(1, 6)]
    finally:
        with app_context(app):
            statement_ids = sa.select(BankStatement.id).where(BankStatement.filename.like("race-%"))
            db.session.execute(sa.delete(BankLine).where(BankLine.statement_id.in_(statement_ids)))
            db.session.execute(sa.delete(BankStatement).where(BankStatement.filename.like("race-%")))
            db.session.execute(sa.delete(AuditEvent).where(AuditEvent.action == "bank_statement.imported"))
            db.session.commit()
            db.session.remove()


def test_statement_pages_cost_the_same_queries_for_3_and_10_lines(app, invoices, officer):
    from ..core.test_platform import count_queries

    _, browser = officer
    upload(browser, CSV, "export.csv")
    small = only_statement().id
    upload(browser, CAMT)
    large = db.session.scalars(sa.select(BankStatement.id).order_by(BankStatement.id.desc())).first()
    for path in (
        "/admin/bank-statements/{}",
        "/admin/bank-lines?status=all&x={}",
        "/admin/bank-statements?x={}",
    ):
        few = count_queries(app, lambda path=path: browser.get(path.format(small)))
        many = count_queries(app, lambda path=path: browser.get(path.format(large)))
        assert few == many, (path, few, many)
