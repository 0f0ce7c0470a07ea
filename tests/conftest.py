"""Fixtures for tests that need the app: one database schema per session, made by the
migrations (never by create_all), emptied between tests.

Every app test runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.
"""

import os
from pathlib import Path
from typing import NoReturn

import pytest
from flask import g
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import create_engine, text

from tests.factories import Factory
from voting import create_app
from voting.extensions import db

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
TEST_SECRETS = {"SECRET_KEY": "test-secret-key-" + "x" * 32, "DATA_KEY": "test-data-key-" + "y" * 32}


def unavailable(reason: str) -> NoReturn:
    """What a test needs is not on this machine: a skip on a user's clone, a failure in CI
    (CI=true), which has PostgreSQL, ../shared and everything scripts/setup.sh installs."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (in CI this fails rather than skips)", pytrace=False)
    pytest.skip(reason)


def shared_path(*parts: str) -> Path:
    """A file under ../shared, which developer machines and CI have beside the clone."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        unavailable(f"../shared/{'/'.join(parts)} not present (only on developer machines and CI)")
    return path


def postgresql_only(database_url: str) -> None:
    """For what only PostgreSQL shows (row locks, real concurrency): the SQLite run of the test
    skips when a PostgreSQL run follows, and is unavailable without TEST_DATABASE_URL."""
    if database_url.startswith("postgresql"):
        return
    if POSTGRES_URL:
        pytest.skip("tested in the PostgreSQL run")
    unavailable("needs PostgreSQL: set TEST_DATABASE_URL (as .ci/run does)")


def reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def make_app(database_url: str, **overrides):
    return create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, **TEST_SECRETS, **overrides})


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    """A database brought to the newest schema by `upgrade head`."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    else:
        url = POSTGRES_URL
        reset_postgres(url)
    app = make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


class OwnUserClient(FlaskClient):
    """A test client served as the user signed in on it. Requests share the test's app context,
    and with it the user Flask-Login caches in g: forgotten before each request, so that several
    users can be signed in at once, each on a client of their own."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=False, JOBS_SYNC=True)
    app.test_client_class = OwnUserClient
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def english(app):
    """Messages in English, for tests that match the reasons given (the default is Chinese)."""
    with force_locale("en"):
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(app):
    return Factory()
