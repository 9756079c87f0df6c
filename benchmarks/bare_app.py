"""The bare page the partner pages are measured against (issue 15): Flask + Flask-SQLAlchemy + a
Jinja template (compiled once, from a loader) that lists 50 organisations from the same database.

    BARE_DATABASE_URL=sqlite:////tmp/x.db gunicorn -w 2 --chdir benchmarks bare_app:app

No sessions, no CSRF, no login: what every page of any Flask app pays at least.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Organisations</title></head>
<body>
<main>
  <h1>Organisations</h1>
  <table>
    <thead><tr><th>Name</th><th>Country</th><th>City</th><th>Status</th></tr></thead>
    <tbody>
    {% for organisation in organisations %}
      <tr><td>{{ organisation.trading_name or organisation.legal_name }}</td>
        <td>{{ organisation.country }}</td><td>{{ organisation.city }}</td>
        <td>{{ organisation.status|capitalize }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
</main>
</body>
</html>
"""


def database_url() -> str:
    url = os.environ.get("BARE_DATABASE_URL") or os.environ["DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(sa.String(200))
    trading_name: Mapped[str] = mapped_column(sa.String(200))
    country: Mapped[str] = mapped_column(sa.String(2))
    city: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(32))


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url()
    app.jinja_loader = DictLoader({"organisations.html": PAGE})
    db.init_app(app)

    @app.route("/")
    def organisations():
        rows = db.session.scalars(sa.select(Organisation).order_by(Organisation.id).limit(50)).all()
        return render_template("organisations.html", organisations=rows)

    @app.route("/healthz")
    def healthz():
        db.session.execute(sa.text("SELECT 1"))
        return {"status": "ok"}

    return app


app = create_app()
