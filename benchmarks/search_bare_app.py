"""The bare page `/technologies?q=` is measured against (benchmarks/search.py --wrk): Flask +
Flask-SQLAlchemy + a Jinja template (compiled once) listing the 20 newest technologies of the
same database. No sessions, CSRF, login, search, facets or translations.

    BARE_DATABASE_URL=sqlite:////tmp/x.db gunicorn -w 2 --chdir benchmarks search_bare_app:app
"""

from __future__ import annotations

import sqlalchemy as sa
from bare_app import database_url
from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Technologies</title></head>
<body><main><h1>Technologies</h1><ol>
{% for t in technologies %}<li><p>{{ t.reference }} · TRL {{ t.trl }} · {{ t.ip_status }}</p>
<h2><a href="/technologies/{{ t.slug }}">{{ t.title }}</a></h2><p>{{ t.benefit }}</p></li>{% endfor %}
</ol></main></body></html>
"""

db = SQLAlchemy()
technology = sa.table(
    "technology",
    *(
        sa.column(name)
        for name in ("id", "reference", "slug", "title", "benefit", "trl", "ip_status", "published_at")
    ),
)


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url()
    app.jinja_loader = DictLoader({"technologies.html": PAGE})
    db.init_app(app)

    @app.route("/")
    def technologies():
        rows = db.session.execute(
            sa.select(technology).order_by(technology.c.published_at.desc()).limit(20)
        ).all()
        return render_template("technologies.html", technologies=rows)

    @app.route("/healthz")
    def healthz():
        db.session.execute(sa.text("SELECT 1"))
        return {"status": "ok"}

    return app


app = create_app()
