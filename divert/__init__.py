"""divert: pre-arrest drug diversion referrals, sessions and figures for PCC areas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from divert import (
    admin,
    api,
    area_users,
    assessments,
    audit,
    auth,
    cli,
    courses,
    custody,
    dashboard,
    errors,
    home,
    presentation,
    referrals,
    reviews,
    search,
    security,
    sessions,
    static_assets,
    tenancy,
    urls,
    widgets,
)
from divert.clock import LOCAL
from divert.config import check_secrets, engine_options, settings_from_environment
from divert.extensions import csrf, db, login_manager, migrate
from divert.figures import summary
from divert.outcomes import web as outcomes

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, tenancy, templates, blueprints, errors."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(settings_from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    check_secrets(app.config)
    # From the database finally chosen, so a URL given in test_config gets its options too.
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    tenancy.init_app(app)
    summary.keep_in_step()
    security.init_app(app)
    static_assets.init_app(app)
    _configure_templates(app)
    urls.init_app(app)
    _register_blueprints(app)
    return app


def _configure_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.template_class = widgets.ImportingTemplate
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    presentation.init_app(app)
    app.jinja_env.globals["local_zone"] = LOCAL
    app.jinja_env.globals["govuk_component"] = widgets.component


def _register_blueprints(app: Flask) -> None:
    for module in (
        errors,
        auth,
        home,
        referrals,
        sessions,
        courses,
        assessments,
        custody,
        reviews,
        search,
        dashboard,
        outcomes,
        area_users,
        audit,
        admin,
        api,
        cli,
    ):
        module.init_app(app)
