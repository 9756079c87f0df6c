"""Console pages for the programme's KPIs (issue 13, items 6 to 8): the date range the console
home's dashboard reads (`?from=&to=`), the CSV of each dashboard table, the programme targets
(admins), the funder report (PDF and CSV) and the turnaround panel of an agreement's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange

from ...core import audit
from ...core.errors import DomainError
from ...core.forms import DayField, Limit, apply_domain_error, read_day
from ...crm.models.targets import ProgrammeTarget, TargetMetric
from ...crm.services import funder_report, kpis, pipeline, turnaround
from ...crm.services import targets as target_rules
from ...crm.services.presentation import display
from ...extensions import db
from .. import admin_only, bp
from ..export import csv_export

# The pipeline's figures per stage (count, value, conversion): the dashboard's "Pipeline by stage"
# section, its CSV table and the funder report's pipeline section.
STAGE_SUMMARY: kpis.StageSummary | None = pipeline.stage_summary


# --- the date range ---------------------------------------------------------------------------


@dataclass
class RangeChoice:
    period: kpis.Period
    typed: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        """The range as query arguments (for the CSV links and presets)."""
        return {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}


def range_from(args, today: date) -> RangeChoice:
    """The range asked for with `?from=YYYY-MM-DD&to=YYYY-MM-DD`; this year when nothing is given.
    A mistake is named next to its field and the page shows this year meanwhile (never a 500)."""
    typed = {name: (args.get(name) or "").strip()[:40] for name in ("from", "to")}
    default = kpis.this_year(today)
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, text in typed.items():
        days[name] = None
        if text:
            try:
                days[name] = read_day(text)
            except ValueError as exc:
                errors[name] = str(exc)
    if errors:
        return RangeChoice(default, typed, errors)
    start, end = days["from"], days["to"]
    if start is None and end is None:
        return RangeChoice(default, typed)
    if start is None:
        start = date(end.year, 1, 1)  # type: ignore[union-attr]
    if end is None:
        end = max(today, start) if start.year == today.year else date(start.year, 12, 31)
    if end < start:
        return RangeChoice(default, typed, {"to": _("The end of the range comes before its start.")})
    if (end - start).days > kpis.MAX_RANGE_DAYS:
        return RangeChoice(default, typed, {"to": _("Choose a range of at most twenty years.")})
    return RangeChoice(kpis.Period(start, end), typed)


def presets(today: date) -> list[tuple[str, dict[str, str]]]:
    year, twelve = kpis.this_year(today), kpis.last_twelve_months(today)
    last = kpis.year_period(today.year - 1)
    return [
        (_("This year"), {"from": year.start.isoformat(), "to": year.end.isoformat()}),
        (_("Last 12 months"), {"from": twelve.start.isoformat(), "to": twelve.end.isoformat()}),
        (_("Last year"), {"from": last.start.isoformat(), "to": last.end.isoformat()}),
    ]


def dashboard_context(today: date) -> dict:
    """What the console home shows of the KPIs (admin/index.html)."""
    from ...crm.services.presentation import charts

    choice = range_from(request.args, today)
    board = kpis.dashboard(choice.period, today, stage_summary=STAGE_SUMMARY)
    return {
        "kpi": board,
        "kpi_tables": board.tables(),
        "kpi_charts": charts(board),
        "kpi_range": choice,
        "kpi_presets": presets(today),
        "report_years": [today.year, today.year - 1],
    }


@bp.app_template_global("kpi_cell")
def kpi_cell(value) -> str:
    return display(value)


@bp.app_template_global("kpi_days")
def kpi_days(value: float | None) -> kpis.Days:
    return kpis.Days(value)


@bp.app_template_global("agreement_turnaround")
def agreement_turnaround(agreement) -> turnaround.Turnaround:
    """The turnaround panel of an agreement's console page (its signatures are loaded already)."""
    return turnaround.of_agreement(agreement)


# --- CSV of each table --------------------------------------------------------------------------


@bp.route("/kpis/<kpi_table>.csv")
def kpis_csv(kpi_table: str):
    if kpi_table not in kpis.TABLE_KEYS:
        abort(404)
    today = date.today()
    choice = range_from(request.args, today)
    if choice.errors:
        abort(400)
    board = kpis.dashboard(choice.period, today, stage_summary=STAGE_SUMMARY)
    table = board.tables().get(kpi_table)
    if table is None:
        abort(404)
    rows = [[kpis.csv_cell(cell) for cell in row] for row in table.rows]
    # csv_export streams the rows of a statement in batches: one row (a constant) makes one batch,
    # which writes the table computed above.
    return csv_export(
        f"kpis-{kpi_table}",
        sa.select(sa.literal(1)),
        table.header,
        lambda _batch: rows,
        {"table": kpi_table, **choice.args()},
    )


# --- programme targets (admins) ----------------------------------------------------------------


class TargetForm(FlaskForm):
    metric = SelectField(
        _l("What is measured"),
        choices=[SelectChoice(m.value, m.label) for m in TargetMetric],
        validators=[DataRequired()],
    )
    label = StringField(
        _l("Name (optional)"), description=_l("For example: Programme plan 2027"), validators=[Limit(120)]
    )
    baseline_value = IntegerField(
        _l("Baseline value"),
        validators=[InputRequired(_l("Enter a whole number.")), NumberRange(0, target_rules.MAX_VALUE)],
    )
    baseline_on = DayField(_l("Baseline date"), validators=[InputRequired(_l("Enter a date as YYYY-MM-DD."))])
    target_value = IntegerField(
        _l("Target value"),
        description=_l("A share is entered as a percentage: 40 for 40 %."),
        validators=[InputRequired(_l("Enter a whole number.")), NumberRange(0, target_rules.MAX_VALUE)],
    )
    target_on = DayField(_l("Target date"), validators=[InputRequired(_l("Enter a date as YYYY-MM-DD."))])


def _target_values(form: TargetForm) -> dict:
    return {
        name: form[name].data
        for name in ("metric", "label", "baseline_value", "baseline_on", "target_value", "target_on")
    }


@bp.route("/kpis/targets", methods=["GET", "POST"])
@admin_only
def kpi_targets():
    form = TargetForm()
    if form.validate_on_submit():
        try:
            target_rules.save_target(current_user, None, _target_values(form))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("Target saved."), "success")
            return redirect(url_for("admin.kpi_targets"))
    rows = db.session.scalars(
        sa.select(ProgrammeTarget)
        .options(joinedload(ProgrammeTarget.created_by))
        .order_by(ProgrammeTarget.target_on, ProgrammeTarget.id)
    ).all()
    return render_template("admin/crm/kpis/targets.html", targets=rows, form=form), (
        400 if form.errors else 200
    )


@bp.route("/kpis/targets/<int:kpi_target_id>", methods=["GET", "POST"])
@admin_only
def kpi_target_edit(kpi_target_id: int):
    target = db.get_or_404(ProgrammeTarget, kpi_target_id)
    form = TargetForm(obj=target)
    if request.method == "GET":
        form.metric.data = target.metric.value
    if form.validate_on_submit():
        try:
            target_rules.save_target(current_user, target, _target_values(form))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("Target saved."), "success")
            return redirect(url_for("admin.kpi_targets"))
    return render_template("admin/crm/kpis/target_form.html", target=target, form=form), (
        400 if form.errors else 200
    )


@bp.route("/kpis/targets/<int:kpi_target_id>/delete", methods=["POST"])
@admin_only
def kpi_target_delete(kpi_target_id: int):
    target = db.get_or_404(ProgrammeTarget, kpi_target_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    target_rules.delete_target(current_user, target)
    db.session.commit()
    flash(_("Target deleted."), "success")
    return redirect(url_for("admin.kpi_targets"))


# --- the funder report ---------------------------------------------------------------------------


def _report_year(year: int, today: date) -> None:
    if not funder_report.valid_year(year, today):
        abort(404)


@bp.route("/reports/funder/<int:report_year>.pdf")
def funder_report_pdf(report_year: int):
    today = date.today()
    _report_year(report_year, today)
    board = funder_report.figures(report_year, today, STAGE_SUMMARY)
    data = funder_report.render(board)
    audit.record("console.funder_report", actor=current_user, year=report_year, format="pdf")
    db.session.commit()
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="funder-report-{report_year}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reports/funder/<int:report_year>.csv")
def funder_report_csv(report_year: int):
    today = date.today()
    _report_year(report_year, today)
    board = funder_report.figures(report_year, today, STAGE_SUMMARY)
    rows = funder_report.csv_rows(board)
    return csv_export(
        f"funder-report-{report_year}",
        sa.select(sa.literal(1)),
        funder_report.CSV_HEADER,
        lambda _batch: rows,
        {"year": report_year},
    )
