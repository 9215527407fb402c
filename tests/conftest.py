"""Shared fixtures: the app on a real database (SQLite, or a throwaway PostgreSQL cluster with
--db=postgresql), a clean database per test with the areas synced, clients and sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from divert import create_app
from divert.areas.sync import sync_tenants
from divert.extensions import db
from divert.tenancy import system_scope
from tests.factories import DEMO_PASSWORD
from tests.support.pg_cluster import postgres_cluster

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db", choices=["sqlite", "postgresql"], default="sqlite", help="database to test on"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--db") == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with --db=postgresql")
    for item in items:
        if "postgresql_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "postgresql":
        with postgres_cluster() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def make_app(database_url: str, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "TENANTS_DIR": str(ROOT / "tenants"),
        "SERVER_NAME": None,
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_every_table() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # SQLite has no TRUNCATE: the append-only triggers are lifted while the tables empty.
        triggers = db.session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        for name, _sql in triggers:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            db.session.execute(table.delete())
        for _name, sql in triggers:
            db.session.execute(text(sql))
    db.session.commit()


@pytest.fixture(autouse=True)
def clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app starts from the four areas of tenants/ and nothing else."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context(), system_scope():
        _empty_every_table()
        sync_tenants(Path(app.config["TENANTS_DIR"]))
    yield


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Auth:
    """Sign a test client in and out as a given account."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> object:
        return self._client.post("/sign-in", data={"email": email, "password": password})

    def sign_out(self) -> object:
        return self._client.post("/sign-out")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)
