"""What a test needs but this machine lacks (PostgreSQL, ../shared, a system package) skips on a
user's clone and fails in CI, which has all of it."""

import pytest

import tests.conftest
from tests.conftest import postgresql_only, shared_path, unavailable


def test_what_is_missing_skips_on_a_users_clone(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="redis-server is not installed"):
        unavailable("redis-server is not installed")


def test_what_is_missing_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="redis-server is not installed"):
        unavailable("redis-server is not installed")
    with pytest.raises(pytest.fail.Exception, match="../shared/no-such-folder not present"):
        shared_path("no-such-folder")


def test_a_postgresql_test_without_postgresql_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(tests.conftest, "POSTGRES_URL", None)
    with pytest.raises(pytest.fail.Exception, match="needs PostgreSQL"):
        postgresql_only("sqlite:///test.sqlite")


def test_a_postgresql_test_skips_its_sqlite_run_when_the_postgresql_run_follows(monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(tests.conftest, "POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    with pytest.raises(pytest.skip.Exception, match="tested in the PostgreSQL run"):
        postgresql_only("sqlite:///test.sqlite")
    postgresql_only("postgresql://postgres@127.0.0.1:5432/test")  # runs
