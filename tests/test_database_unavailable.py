"""When the database cannot be reached, every page answers with the service's 503 page, never a
500 traceback: signed in or not, in an area or not, whatever stage of the request it fails in.
(The recovery after a real PostgreSQL restart is tested under load in tests/test_loadtest.py.)"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
from flask import Flask, Response
from flask.testing import FlaskClient
from sqlalchemy import text

from divert.extensions import db
from divert.models import Role
from tests.conftest import Auth, make_app
from tests.factories import account_email, create_demo_accounts
from tests.support.pg_cluster import APP_ROLE, Cluster, free_port

UNAVAILABLE = "Sorry, the service is unavailable"


@pytest.fixture
def client_without_database() -> FlaskClient:
    """The app pointed at a PostgreSQL port where nothing listens."""
    return make_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/divert").test_client()


def _assert_unavailable_page(response: object) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert f'<h1 class="govuk-heading-l">{UNAVAILABLE}</h1>' in page
    assert "a referral is never saved twice" in page
    assert "Traceback" not in page


def test_sign_in_while_the_database_is_away(client_without_database: FlaskClient) -> None:
    response = client_without_database.post(
        "/sign-in", data={"email": "officer@warwickshire.example", "password": "whatever-it-is"}
    )
    _assert_unavailable_page(response)


def test_signed_in_page_while_the_database_is_away(
    app_ctx: Flask, client: FlaskClient, auth: Auth, client_without_database: FlaskClient
) -> None:
    """Loading the signed-in user is what fails: the page must not try it again."""
    create_demo_accounts()
    auth.sign_in(account_email(Role.OFFICER, "warwickshire"))
    signed_in = client.get_cookie("session")
    assert signed_in is not None
    client_without_database.set_cookie("session", signed_in.value)
    response = client_without_database.get("/warwickshire/referrals/new")
    _assert_unavailable_page(response)
    assert "Sign out" not in response.get_data(as_text=True)


def test_pages_without_the_database_still_answer(client_without_database: FlaskClient) -> None:
    assert client_without_database.get("/sign-in").status_code == 200
    health = client_without_database.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["status"] == "unavailable"


@pytest.mark.postgresql_only
def test_connection_lost_after_the_response_is_ready(database_url: str) -> None:
    """The database restarts between the last query and the end of the request: the finished
    response still goes out, and the next request gets a fresh connection."""
    app = make_app(database_url)

    @app.after_request
    def lose_the_connection(response: Response) -> Response:
        backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        plain_url = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain_url, autocommit=True) as administrator:
            administrator.execute("SELECT pg_terminate_backend(%s)", (backend,))
        return response

    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200


@pytest.mark.postgresql_only
def test_pooled_connections_of_a_restarted_server_are_replaced(database_url: str) -> None:
    """Every pooled connection's server process ends (as in a restart) between two requests:
    the next request gets fresh connections and succeeds."""
    app = make_app(database_url)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    plain_url = database_url.replace("postgresql+psycopg://", "postgresql://")
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with psycopg.connect(plain_url, autocommit=True) as administrator:
        ended = administrator.execute(f"SELECT count(pg_terminate_backend(pid)) {others}")
        assert ended.fetchone()[0] >= 1  # type: ignore[index]
        for _ in range(50):  # the backends end asynchronously
            if administrator.execute(f"SELECT count(*) {others}").fetchone() == (0,):
                break
            time.sleep(0.1)
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def database_lost(cluster: Cluster) -> Iterator[Callable[[], None]]:
    """Call it inside a request: PostgreSQL ends the request's connection and refuses new ones
    for the application's role, as it does while it shuts down for a restart. Connections are
    allowed again after the test."""
    superuser = psycopg.connect(cluster.url.replace("postgresql+psycopg://", "postgresql://"))
    superuser.autocommit = True

    def lose() -> None:
        backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        superuser.execute(f"ALTER ROLE {APP_ROLE} NOLOGIN")
        ended = superuser.execute("SELECT pg_terminate_backend(%s, 5000)", (backend,))
        assert ended.fetchone() == (True,)

    try:
        yield lose
    finally:
        superuser.execute(f"ALTER ROLE {APP_ROLE} LOGIN")
        superuser.close()


@pytest.mark.postgresql_only
@pytest.mark.parametrize("stage", ["view", "after the view"])
def test_connection_lost_in_the_middle_of_an_area_page(
    app_ctx: Flask,
    client: FlaskClient,
    auth: Auth,
    database_url: str,
    database_lost: Callable[[], None],
    stage: str,
) -> None:
    """A request that had read its user and its area loses its connection while PostgreSQL
    shuts down: the 503 page, whose layout must not read the area again (the rollback expired
    it, and the database refuses to connect); not the 500 the load test saw once in a while."""
    create_demo_accounts()
    auth.sign_in(account_email(Role.OFFICER, "warwickshire"))
    signed_in = client.get_cookie("session")
    assert signed_in is not None
    # As in production: an error no handler takes goes to the 500 handler, not to the test.
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)
    if stage == "view":
        app.before_request(database_lost)  # runs once the area is resolved: the view fails
    else:

        @app.after_request
        def lose_then_read(response: Response) -> Response:
            database_lost()
            db.session.execute(text("SELECT 1"))
            return response

    failing = app.test_client()
    failing.set_cookie("session", signed_in.value)
    response = failing.get("/warwickshire/referrals/new")
    _assert_unavailable_page(response)
    assert "Warwickshire" not in response.get_data(as_text=True)
