"""Console pages for bank statements: upload and list, a statement's lines and their outcome, and
the queue of lines waiting on a staff decision (assign to an invoice, or dismiss with a reason).

Staff who record payments by hand (staff and admins: the invoice page) import statements too."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...core.money import format_money
from ...extensions import db
from ...membership import services as membership
from ...membership.forms import AssignLineForm, DismissLineForm, StatementUploadForm
from ...membership.models import BankAllocation, BankLine, BankLineDecision, BankStatement
from ...membership.statement_files import MAX_BYTES
from .. import PER_PAGE, bp, page_number, queries
from ..paging import paginate


def _statements_page(form: StatementUploadForm, status: int = 200):
    page = paginate(queries.bank_statements_query(), page_number(), PER_PAGE)
    summaries = queries.bank_statement_summaries([s.id for s in page.items])
    return render_template("admin/bank/statements.html", page=page, form=form, summaries=summaries), status


@bp.route("/bank-statements", methods=["GET", "POST"])
def bank_statements():
    form = StatementUploadForm()
    if not form.validate_on_submit():
        return _statements_page(form, 400 if request.method == "POST" else 200)
    upload = form.file.data
    data = upload.stream.read(MAX_BYTES + 1)  # larger files are refused by the parser's size check
    try:
        statement = membership.import_statement(current_user, upload.filename or "", data)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _statements_page(form, 400)
    db.session.commit()
    summary = queries.bank_statement_summaries([statement.id]).get(statement.id, {})
    message = (
        f"Statement imported: {summary.get('lines', 0)} new line(s), {summary.get('matched', 0)} matched to "
        f"invoices, {summary.get('waiting', 0)} waiting for a decision."
    )
    if statement.duplicate_count:
        message += f" {statement.duplicate_count} entr(y/ies) were already imported and were skipped."
    flash(message, "success")
    return redirect(url_for("admin.bank_statement_detail", statement_id=statement.id))


@bp.route("/bank-statements/<int:statement_id>")
def bank_statement_detail(statement_id: int):
    statement = db.get_or_404(BankStatement, statement_id, options=[joinedload(BankStatement.uploaded_by)])
    lines = db.session.scalars(
        db.select(BankLine)
        .where(BankLine.statement_id == statement.id)
        .options(
            selectinload(BankLine.invoice),
            selectinload(BankLine.allocations).selectinload(BankAllocation.invoice),
        )
        .order_by(BankLine.position)
    ).all()
    return render_template("admin/bank/statement.html", statement=statement, lines=lines)


@bp.route("/bank-lines")
def bank_lines():
    status = request.args.get("status", "pending")
    if status not in queries.BANK_LINE_FILTERS:
        status = "pending"
    page = paginate(queries.bank_lines_query(status), page_number(), PER_PAGE)
    return render_template(
        "admin/bank/lines.html", page=page, status=status, filters=queries.BANK_LINE_FILTERS
    )


def _line(line_id: int) -> BankLine:
    return db.get_or_404(
        BankLine,
        line_id,
        options=[
            joinedload(BankLine.statement),
            joinedload(BankLine.invoice),
            joinedload(BankLine.decided_by),
            selectinload(BankLine.allocations).selectinload(BankAllocation.invoice),
        ],
    )


def _line_page(line: BankLine, assign=None, dismiss=None, status: int = 200):
    return render_template(
        "admin/bank/line.html",
        line=line,
        assign_form=assign or AssignLineForm(formdata=None),
        dismiss_form=dismiss or DismissLineForm(formdata=None),
    ), status


@bp.route("/bank-lines/<int:line_id>")
def bank_line_detail(line_id: int):
    return _line_page(_line(line_id))


@bp.route("/bank-lines/<int:line_id>/assign", methods=["POST"])
def bank_line_assign(line_id: int):
    line = _line(line_id)
    form = AssignLineForm()
    if form.validate_on_submit():
        try:
            allocation = membership.assign_line(current_user, line, form.invoice.data, form.note.data or "")
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            line = _line(line_id)
        else:
            db.session.commit()
            amount = format_money(allocation.amount_cents, line.currency)
            if line.decision is BankLineDecision.PENDING:
                left = format_money(line.remaining_cents, line.currency)
                flash(f"{amount} recorded on {allocation.invoice.number}; {left} still to decide.", "success")
            else:
                flash(f"{amount} recorded on {allocation.invoice.number}.", "success")
            return redirect(url_for("admin.bank_line_detail", line_id=line.id))
    return _line_page(line, assign=form, status=400)


@bp.route("/bank-lines/<int:line_id>/dismiss", methods=["POST"])
def bank_line_dismiss(line_id: int):
    line = _line(line_id)
    form = DismissLineForm()
    if form.validate_on_submit():
        try:
            membership.dismiss_line(current_user, line, form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            line = _line(line_id)
        else:
            db.session.commit()
            flash("The line is dismissed; the reason stays on the record.", "success")
            return redirect(url_for("admin.bank_lines"))
    return _line_page(line, dismiss=form, status=400)
