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

    # Extensions and request hooks, in the order their hooks must run.
    from inbox import csrf_tokens, headers, i18n, labels, timing, transactions, ui, upload_limits, url_ids
    from inbox.services import (away, flush_locks, kept, norm_weeks, outbox, product_weeks, service_counts,
                                ticket_days, webhooks)
    timing.init_app(app)   # first: its clock starts before the other hooks and stops after them
    headers.init_app(app)  # security headers on every response
    db.init_app(app)
    sqlite_pragmas(app)
    transactions.init_app(app)
    migrate.init_app(app, db, directory=str(HERE / "migrations"), render_as_batch=True)
    upload_limits.init_app(app)   # before CSRFProtect, the first to read a form: files need not fit in 32 MB
    csrf.init_app(app)
    csrf_tokens.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone,
                   default_translation_directories=str(i18n.compiled_catalogues(app.instance_path)))
    i18n.init_app(app)
    from inbox import models, storable  # noqa: F401  (models: register the tables with SQLAlchemy)
    storable.init_app(app)     # every text value made storable (NULs, length) before a flush, on both databases
    flush_locks.init_app(app)  # first of the flush listeners: the rows they count from, locked as stored
    norm_weeks.init_app(app)   # weeks of the performance page recounted when their tickets change
    ticket_days.init_app(app)  # questions per day and assignee, counted in the same transaction as each change
    product_weeks.init_app(app)  # questions and orders per week and product, likewise
    service_counts.init_app(app)  # the service measures' counts, likewise
    kept.init_app(app)         # figures kept per process are forgotten when their rows change
    webhooks.init_app(app)     # a transaction's webhook endpoints are read once, forgotten when they change
    away.init_app(app)         # scheduled away periods start on the shop's next request

    # Blueprints, one per area.
    url_ids.init_app(app)   # before the first route: `<int:...>` only matches what an id column holds
    from inbox.views import (account, api, articles, assets, attachments, audit as audit_views, auth, composer,
                             contact, customer, help as help_views, live, mail as mail_views, planning, replies,
                             reports, reports_data, settings as settings_views, team as team_views, tickets, vacation,
                             webhooks as webhook_views)
    for area in (auth, tickets, live, composer, attachments, replies, settings_views, assets, mail_views, reports,
                 reports_data, api, webhook_views, team_views, account, vacation, audit_views, planning, contact,
                 help_views, articles, customer):
        app.register_blueprint(area.bp)
    csrf.exempt(api.bp)   # no browser session there: the bearer token is the credential
    app.register_blueprint(api.docs_bp)   # the API's reference page: HTML, so outside the JSON-only /api/v1
    app.add_url_rule("/", endpoint="index", view_func=tickets.root)
    login_manager.user_loader(auth.load_user)   # a browser's sign-in token -> its user
    login_manager.unauthorized_handler(auth.unauthorized)   # htmx requests get 401 + HX-Redirect
    app.after_request(auth.note_browser_seen)
    outbox.init_app(app)   # replies committed during a request are delivered after its response
    from inbox.errors import register_error_handlers
    register_error_handlers(app)

    # What every template may use besides its own context (the page shell, labels, badges and per-ticket mail).
    from flask_babel import get_locale
    from inbox import mail_texts, workflow
    from inbox.services import thread, ticket_list, uploads
    from inbox.views import ticket_rows
    app.jinja_env.globals.update(
        _=i18n.template_gettext, gettext=i18n.template_gettext, get_locale=get_locale, weekday_name=i18n.weekday_name,
        nav_items=ui.nav_items, app_banners=ui.app_banners, fixed_url=ui.fixed_url, ticket_url=ui.ticket_url,
        ROLE_LABELS=labels.ROLE_LABELS, LANGUAGE_NAMES=labels.LANGUAGE_NAMES, CATEGORY_LABELS=labels.CATEGORY_LABELS,
        CHANNEL_LABELS=tickets.CHANNEL_LABELS, STATUS_LABELS=tickets.STATUS_LABELS, status_badge=tickets.status_badge,
        sla_badge=tickets.sla_badge_for, sla_badge_html=ticket_rows.sla_badge_html,
        channel_badge_html=ticket_rows.channel_badge_html, reply_timing=ticket_rows.reply_timing_html,
        thread_mail=thread.thread_mail, next_statuses=workflow.next_statuses, DELIVERY_LABELS=outbox.STATE_LABELS,
        mail_smtp_configured=mail_views.smtp_configured, base_url_missing=mail_views.base_url_missing,
        stand_in_name=team_views.stand_in_name, contact_details=vacation.contact_details,
        composer_files=attachments.composer_files,
    )
    # csrf_token(): a context processor, as Flask-WTF offers its own through one (ours, registered later, wins).
    app.context_processor(csrf_tokens.template_context)
    app.jinja_env.filters.update(local_time=i18n.local_time, local_date=i18n.local_date, age=i18n.age,
                                 business_duration=i18n.business_duration, table_value=i18n.table_value, whole=i18n.whole,
                                 url_stem=ui.url_stem, file_size=uploads.file_size,
                                 attachment_refusal=mail_texts.refusal, image_stand_ins=mail_texts.image_stand_ins,
                                 count_label=ticket_list.count_label)
    # The banners over every signed-in page, in this order.
    ui.init_app(app, banners=[mail_views.review_banner, mail_views.base_url_banner, reports.week_misses_banner,
                              vacation.closed_banner])

    # Command-line groups: flask --app inbox <group> <command>.
    from inbox.cli import sla_group, team_group
    from inbox.mailcli import mail_group
    from inbox.norms_cli import norms_group
    from inbox.webhooks_cli import webhooks_group
    from inbox.worker_cli import worker
    for group in (sla_group, mail_group, norms_group, team_group, webhooks_group, worker):
        app.cli.add_command(group)
    return app


def sqlite_pragmas(app) -> None:
    """SQLite enforces foreign keys only when asked (PostgreSQL always does), on this app's engines only."""
    import sqlite3
    from datetime import date

    from sqlalchemy import event

    from inbox.extensions import db

    def on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # Readers need not wait for a writer (several workers, the mail receiver, the dev server's threads).
            cursor.execute("PRAGMA journal_mode=WAL")
            # Writers still take turns: the mail worker's batch or a step of a recount may hold the lock past
            # sqlite3's 5 s default, which would fail a seller's reply with "database is locked". (Raised only: a
            # longer wait asked for with connect's timeout stays.)
            if cursor.execute("PRAGMA busy_timeout").fetchone()[0] < 15000:
                cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()

    # The kept figures' rows go to sqlite3 past SQLAlchemy (services/fresh_rows), dates among them: stored as the ISO
    # text SQLAlchemy's Date writes, by an adapter asked for (Python 3.12 deprecates sqlite3's default ones).
    sqlite3.register_adapter(date, date.isoformat)
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "connect", on_connect)
