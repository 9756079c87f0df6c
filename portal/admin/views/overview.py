"""Console home: the programme's KPI dashboard for a date range (views/kpis.py, crm/services/
kpis.py) beside the work queue (what waits on staff, oldest first) and the programme's counts."""

from __future__ import annotations

from datetime import date

from flask import render_template

from .. import bp, queries
from ..work_queue import work_queue
from .kpis import dashboard_context


@bp.route("/")
def index():
    today = date.today()
    queues, entries = work_queue(today)
    return render_template(
        "admin/index.html",
        queues=queues,
        entries=entries,
        today=today,
        counts=queries.dashboard_counts(),
        **dashboard_context(today),
    )
