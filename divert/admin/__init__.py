"""Administration for global admins at /admin (Flask-Admin, in the service's GOV.UK look)."""

from __future__ import annotations

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from divert.admin.model_views import model_views
from divert.admin.pages import ADMIN_BASE, AuditView, HomeView, PeopleView


def init_app(app: Flask) -> None:
    admin = Admin(
        app,
        name="divert administration",
        index_view=HomeView(name="Home", url="/admin", endpoint="admin"),
        theme=Bootstrap4Theme(base_template=ADMIN_BASE),
    )
    for view in model_views():
        admin.add_view(view)
    admin.add_view(AuditView(name="Audit trail", endpoint="admin_audit", url="/admin/audit"))
    admin.add_view(PeopleView(name="People's data", endpoint="admin_people", url="/admin/people"))
