"""The dashboard's figures as the reader reads them: formatted cells and the charts, the same for
the console page and the funder report's PDF (plain strings and SVG markup only)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ...core.i18n import format_count
from ...core.money import format_money
from .charts import Bar, bar_chart, progress_chart
from .kpis import Dashboard, Days, Money, Ratio, TargetProgress


def display(value: Any) -> str:
    """One table cell for reading: money with its currency, shares as percentages, days with one
    decimal, whole numbers grouped, dates in the reader's format; "—" for no value."""
    from ...core.i18n import format_when

    if value is None:
        return "—"
    if isinstance(value, Money):
        return format_money(value.cents, value.currency)
    if isinstance(value, Ratio):
        return "—" if value.value is None else format_percent(value.value, format="#,##0.#%")
    if isinstance(value, Days):
        return "—" if value.value is None else days_text(value.value)
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, int):
        return format_count(value)
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.#")
    if hasattr(value, "isoformat") and hasattr(value, "year"):
        return format_when(value, with_time=False)
    return str(value)


def days_text(days: float) -> str:
    if days < 1:
        hours = round(days * 24)
        return ngettext("%(hours)s hour", "%(hours)s hours", hours, hours=hours)
    rounded = round(days, 1)
    text = format_decimal(rounded, format="#,##0.#")
    return ngettext("%(days)s day", "%(days)s days", 1 if rounded == 1 else 2, days=text)


def _target_chart(index: int, t: TargetProgress, colour: str) -> Markup:
    percent = t.target.metric.is_percent

    def shown(value: float) -> str:
        text = format_decimal(value, format="#,##0.#")
        return f"{text} %" if percent else text

    return progress_chart(
        f"kpi-target-{index}",
        str(t.target),
        baseline=t.target.baseline_value,
        current=t.current,
        expected=t.expected,
        target=t.target.target_value,
        on_track=t.on_track,
        colour=colour,
        texts={
            "current": str(_l("Now: %(value)s", value=shown(t.current))),
            "target": str(
                _l(
                    "Target: %(value)s by %(day)s",
                    value=shown(t.target.target_value),
                    day=display(t.target.target_on),
                )
            ),
            "expected": str(_l("Expected by now: %(value)s (dashed line)", value=shown(t.expected))),
            "baseline": str(
                _l(
                    "Baseline: %(value)s on %(day)s",
                    value=shown(t.target.baseline_value),
                    day=display(t.target.baseline_on),
                )
            ),
        },
    )


def charts(d: Dashboard) -> dict[str, Any]:
    """The charts of a dashboard by table key; `targets` is a list (one bar per target)."""
    colour = current_app.config.get("BRAND_PRIMARY", "")
    accent = current_app.config.get("BRAND_ACCENT", "") or colour
    out: dict[str, Any] = {
        "targets": [_target_chart(i, t, colour) for i, t in enumerate(d.targets)],
        "tiers": bar_chart(
            "kpi-tiers",
            str(_l("Active partnerships by tier")),
            [Bar(t.name, t.count, format_count(t.count)) for t in d.tiers],
            colour,
        ),
        "countries": bar_chart(
            "kpi-countries",
            str(_l("Active partnerships by country")),
            [Bar(row[0], row[2], format_count(row[2])) for row in d.tables()["countries"].rows[:12]],
            accent,
        ),
        "challenges": bar_chart(
            "kpi-challenges",
            str(_l("Challenges by status")),
            [Bar(s.label, n, format_count(n)) for s, n in d.challenges],
            colour,
        ),
        "funnel": bar_chart(
            "kpi-funnel",
            str(_l("Licensing funnel")),
            [Bar(name, n, format_count(n)) for name, n, _ in d.funnel],
            accent,
        ),
        "turnaround": bar_chart(
            "kpi-turnaround",
            str(_l("Document turnaround: median days per step")),
            [
                Bar(f"{step} ({holder})", days.value or 0, display(days))
                for step, holder, days in d.turnaround
            ],
            colour,
        ),
    }
    if d.innovation is not None:
        bars = []
        for y in d.innovation.years:
            for name, n in (
                (_l("disclosures"), y.disclosures),
                (_l("licences"), y.licences),
                (_l("spin-offs"), y.spin_offs),
            ):
                bars.append(Bar(f"{y.year}: {name}", n, format_count(n)))
        out["innovation"] = bar_chart(
            "kpi-innovation", str(_l("Disclosures, licences and spin-offs per year")), bars, accent
        )
    if d.pipeline is not None:
        out["pipeline"] = bar_chart(
            "kpi-pipeline",
            str(_l("Pipeline value by stage")),
            [Bar(p.stage, p.value.cents if p.value else 0, display(p.value)) for p in d.pipeline],
            colour,
        )
    return out


def plain_table(table: Any) -> dict[str, Any]:
    """A table as plain strings (for the PDF's context)."""
    return {
        "key": table.key,
        "title": table.title,
        "header": list(table.header),
        "rows": [[display(cell) for cell in row] for row in table.rows],
        "numeric": [
            i
            for i in range(len(table.header))
            if table.rows
            and all(isinstance(row[i], int | float | Money | Ratio | Days) for row in table.rows)
        ],
    }
