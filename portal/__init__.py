"""Fællesskabsportalen: the national directory of communities that counter loneliness."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import ConfigError, from_environment, validate

ROOT = Path(__file__).resolve().parent.parent

logger = logging.getLogger(__name__)

__all__ = ["ConfigError", "create_app"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the portal app from the environment, or from ``test_config`` in tests."""
    instance_path = Path(os.environ.get("PORTAL_INSTANCE_PATH") or ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    if test_config is None:
        app.config.update(from_environment(dict(os.environ), instance_path))
    else:
        environ = {"PORTAL_ENV": "testing", **test_config.get("ENVIRON", {})}
        if "SECRET_KEY" in test_config:
            environ["SECRET_KEY"] = test_config["SECRET_KEY"]
        app.config.update(from_environment(environ, instance_path))
        app.config.update({k: v for k, v in test_config.items() if k != "ENVIRON"})
        app.config["TESTING"] = True
    validate(app.config)

    from portal.extensions import babel, csrf, db, limiter
    from portal.i18n import select_locale
    from portal.taxonomy.vocabulary import REMOTE_FEATURES

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"])  # type: ignore[method-assign]
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(get_locale=get_locale, remote_features=REMOTE_FEATURES)

    from portal import cli, errors, health, knowledge, observability, security, urls, vendor
    from portal.accounts import lifetime, sessions
    from portal.accounts.views import bp as accounts_bp
    from portal.api.docs_views import bp as api_docs_bp
    from portal.api.downloads import downloads_bp
    from portal.api.views import bp as api_bp
    from portal.find import outbox
    from portal.find.sync import drain_after_request
    from portal.find.views import bp as find_bp
    from portal.imports.views import bp as imports_bp
    from portal.knowledge import editor_views as knowledge_editor
    from portal.knowledge import views as knowledge_views
    from portal.mail import views as mail_views
    from portal.main import bp as main_bp
    from portal.moderation.report_views import bp as reports_bp
    from portal.moderation.views import bp as moderation_bp
    from portal.offers.editor_views import bp as editor_bp
    from portal.offers.views import bp as offers_bp
    from portal.organizations.views import bp as organizations_bp
    from portal.referrals import audit as _audit_guards  # noqa: F401 - registers the guards
    from portal.referrals import crypto
    from portal.statistics.views import bp as statistics_bp
    from portal.widget import bp as widget_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(offers_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(find_bp)
    app.register_blueprint(knowledge_views.bp)
    app.register_blueprint(knowledge_editor.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(downloads_bp)
    app.register_blueprint(widget_bp)
    app.register_blueprint(organizations_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(mail_views.bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(statistics_bp)
    from portal.referrals import admin_views as referral_admin
    from portal.referrals import cards, contact_views, professional_views
    from portal.referrals import views as referral_views
    from portal.twofactor import views as twofactor_views

    for module in (
        referral_views,
        contact_views,
        cards,
        professional_views,
        referral_admin,
        twofactor_views,
    ):
        app.register_blueprint(module.bp)
    outbox.register()
    app.after_request(drain_after_request)
    mail_views.init_app(app)
    crypto.init_app(app)
    lifetime.init_app(app)
    observability.init_app(app)
    sessions.init_app(app)
    urls.init_app(app)
    knowledge.init_app(app)
    errors.init_app(app)
    vendor.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    return app
