"""Fixtures for tests that need the app: one database schema per session, made by the
migrations (never by create_all), emptied between tests.

Every app test runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.
"""

import os
from pathlib import Path

import pytest
from flask import g, request_started
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


def shared_path(*parts: str) -> Path:
    """A file under ../shared: a skip where this clone has none (a user's clone), a failure in CI
    (CI=true), where ../shared is always laid beside the clone."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        missing = f"../shared/{'/'.join(parts)} not present (only on developer machines and CI)"
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    return path


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


def forget_user(_app, **_extra) -> None:
    g.pop("_login_user", None)


@pytest.fixture
def app(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=False, JOBS_SYNC=True)
    # Requests share the test's app context, and with it g, where Flask-Login keeps the signed-in
    # user: each request finds its own client's user, as it does in production.
    request_started.connect(forget_user, app)
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
