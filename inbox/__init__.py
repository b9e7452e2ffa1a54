"""Seller Inbox: a helpdesk inbox for web-shop and marketplace sellers."""
from __future__ import annotations

import logging
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent   # the checkout


def installed_or_checkout(packaged: str, *checkout: str) -> Path:
    """A folder that a wheel carries inside the package (pyproject.toml) and a checkout has at its top."""
    folder = HERE / packaged
    return folder if folder.is_dir() else ROOT.joinpath(*checkout)


def create_app(config: dict | None = None):
    """Build the app: defaults, then INBOX_* environment variables, then `config` (for tests)."""
    # Imported here so that the pure modules (inbox.sla, inbox.nudges, ...) load without Flask.
    from flask import Flask

    from inbox import config as settings
    from inbox.extensions import babel, csrf, db, htmx, login_manager, migrate

    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(installed_or_checkout("templates", "templates")),
                static_folder=str(installed_or_checkout("static", "static")))
    # Every template stays compiled in a plain dict: there are a few dozen, and Jinja's default LRU takes a lock
    # and reorders itself on each of the twenty-odd includes of a ticket page.
    app.jinja_options = {**app.jinja_options, "cache_size": -1}
    from inbox import templating
    app.jinja_environment = templating.Environment
    app.config.from_mapping(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    settings.secure_cookies(app.config)
    url = settings.normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = settings.engine_options(url, app.config.get("SQLALCHEMY_ENGINE_OPTIONS"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret_key(app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)

    from inbox import headers, timing
    timing.init_app(app)
    headers.init_app(app)
    db.init_app(app)
    from inbox import transactions
    transactions.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    from inbox import csrf_tokens
    csrf_tokens.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    from inbox import i18n
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone,
                   default_translation_directories=str(i18n.compiled_catalogues(app.instance_path)))
    i18n.init_app(app)
    from inbox import ui
    ui.init_app(app)

    from inbox import models  # noqa: F401  (register the tables with SQLAlchemy)
    from inbox.services import norm_weeks
    norm_weeks.init_app(app)
    from inbox.errors import register_error_handlers
    from inbox.views import assets, auth, composer, settings as settings_views, tickets

    app.register_blueprint(auth.bp)
    app.register_blueprint(tickets.bp)
    app.register_blueprint(composer.bp)
    from inbox.views import replies
    app.register_blueprint(replies.bp)
    app.register_blueprint(settings_views.bp)
    app.register_blueprint(assets.bp)
    from inbox.views import mail as mail_views
    app.register_blueprint(mail_views.bp)
    from inbox.views import api, reports, reports_data  # noqa: F401  (reports_data adds routes to reports.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(api.bp)
    from inbox.views import account, audit as audit_views, contact, planning, team, vacation
    for area in (team, account, vacation, audit_views, planning, contact):
        app.register_blueprint(area.bp)
    app.add_url_rule("/", endpoint="index", view_func=tickets.root)
    register_error_handlers(app)

    from inbox.cli import register_cli
    register_cli(app)
    from inbox.norms_cli import norms_group
    app.cli.add_command(norms_group)
    return app
