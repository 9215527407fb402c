"""Shared fixtures: the app on a real database (SQLite, or a throwaway PostgreSQL cluster with
--db=postgresql), a clean database per test with the areas synced, clients and sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from divert import create_app
from divert.areas.sync import sync_tenants
from divert.extensions import db
from divert.tenancy import system_scope
from tests.factories import DEMO_PASSWORD
from tests.support.pg_cluster import Cluster, running_cluster

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
def cluster(backend: str) -> Iterator[Cluster | None]:
    """The throwaway PostgreSQL cluster of the run (None on SQLite)."""
    if backend == "postgresql":
        with running_cluster() as running:
            yield running
    else:
        yield None


@pytest.fixture(scope="session")
def database_url(cluster: Cluster | None, tmp_path_factory: pytest.TempPathFactory) -> str:
    """What the application connects with: on PostgreSQL a role that owns no table."""
    if cluster is not None:
        return cluster.app_url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def migration_database_url(cluster: Cluster | None, database_url: str) -> str:
    """What migrations (and the emptying of tables between tests) connect with: the owner."""
    return cluster.owner_url if cluster is not None else database_url


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
def app(database_url: str, migration_database_url: str) -> Iterator[Flask]:
    app = make_app(database_url, MIGRATION_DATABASE_URI=migration_database_url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def owner_engine(migration_database_url: str) -> Iterator[Engine]:
    engine = create_engine(migration_database_url, poolclass=NullPool)
    yield engine
    engine.dispose()


def _empty_every_table(owner_engine: Engine) -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # The application's role may not TRUNCATE (nor should it in production): the owner does,
        # once the application's session holds no transaction that would block it.
        db.session.remove()
        names = ", ".join(f'"{table.name}"' for table in tables)
        with owner_engine.begin() as owner:
            owner.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
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
        _empty_every_table(request.getfixturevalue("owner_engine"))
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
