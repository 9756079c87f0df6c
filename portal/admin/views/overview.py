"""Console home: the counts that matter today."""

from __future__ import annotations

from flask import render_template

from .. import bp, queries


@bp.route("/")
def index():
    return render_template("admin/index.html", counts=queries.dashboard_counts())
