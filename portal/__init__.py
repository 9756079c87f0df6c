"""Liaison: the partner portal of a university Technology Transfer Office."""

from __future__ import annotations

import contextlib
import gc
import logging
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import development_secret, get_config, normalise_database_url


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    load_config(app, config_name, overrides)
    configure_logging(app)
    register_extensions(app)
    register_models()
    register_signal_receivers()
    register_blueprints(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def freeze_startup_objects() -> None:
    """For a serving process, once the app is built: what start-up made (modules, models, the URL
    map, catalogs) lives as long as the process, so it leaves the garbage collector's view. Without
    this, each full collection walks those ~240,000 objects again (about 0.25 s on the 2-core
    machine, every thousand requests or so; issue 15). Not for tests, which build many apps."""
    gc.collect()
    gc.freeze()


def load_config(app: Flask, config_name: str | None, overrides: dict[str, Any] | None) -> None:
    config = get_config(config_name)
    app.config.from_object(config)
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY") and app.config["ENV_NAME"] == "development":
        app.config["SECRET_KEY"] = development_secret()
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"] or "")
    problems = config.problems(app.config)
    if problems:
        raise RuntimeError("Refusing to start: " + "; ".join(problems))
    from .core.database import sqlite_file

    database_file = sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if database_file is not None:
        # A folder that cannot be made is reported by /healthz and the first query, not here.
        with contextlib.suppress(OSError):
            database_file.parent.mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_FIX_X_FOR"]:
        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]


def configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    logging.getLogger("liaison").setLevel(level)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        logging.getLogger("werkzeug").setLevel(logging.INFO)


def register_extensions(app: Flask) -> None:
    from .core.database import configure_engines
    from .core.i18n import init_i18n
    from .core.types import alembic_render_item
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    configure_engines(app)
    init_i18n(app)
    migrate.init_app(app, db, directory=str(_project_root() / "migrations"), render_item=alembic_render_item)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


def register_models() -> None:
    """Import every model module so that metadata (and Alembic) knows all tables."""
    from .agreements import models as _agreements  # noqa: F401
    from .auth import models as _auth  # noqa: F401
    from .billing import models as _billing  # noqa: F401
    from .catalog import models as _catalog  # noqa: F401
    from .challenges import models as _challenges  # noqa: F401
    from .core import models as _core  # noqa: F401
    from .crm import models as _crm  # noqa: F401
    from .innovation import models as _innovation  # noqa: F401
    from .membership import models as _membership  # noqa: F401
    from .partners import models as _partners  # noqa: F401


def register_signal_receivers() -> None:
    """Higher areas listen to lower ones through core/signals.py; importing connects them."""
    from .membership import receivers as _membership  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from .core.web import register_url_converters

    register_url_converters(app)  # before any rule is added: <int:id> is bounded
    from .admin import bp as admin_bp
    from .agreements.routes import bp as agreements_bp
    from .auth.routes import bp as auth_bp
    from .billing.webhooks import bp as billing_bp
    from .catalog.routes import bp as catalog_bp
    from .challenges.routes import bp as challenges_bp
    from .crm.routes import bp as crm_bp
    from .innovation.routes import bp as innovation_bp
    from .main.routes import bp as main_bp
    from .membership.routes import bp as membership_bp
    from .partners.routes import bp as partners_bp

    for bp in (
        main_bp,
        auth_bp,
        partners_bp,
        membership_bp,
        agreements_bp,
        billing_bp,
        catalog_bp,
        challenges_bp,
        crm_bp,
        innovation_bp,
        admin_bp,
    ):
        app.register_blueprint(bp)


def register_request_hooks(app: Flask) -> None:
    from .core.mail import hand_over_after_request
    from .core.web import register_request_hooks as register_web_hooks
    from .core.web import register_static_fingerprints

    register_web_hooks(app)
    register_static_fingerprints(app)
    app.after_request(hand_over_after_request)


def register_error_handlers(app: Flask) -> None:
    from .core.errors import register_error_handlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from .core.templating import register_template_helpers as register

    register(app)


def register_cli(app: Flask) -> None:
    from .cli import portal_cli, translations_cli

    app.cli.add_command(portal_cli)
    app.cli.add_command(translations_cli)


def _project_root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
