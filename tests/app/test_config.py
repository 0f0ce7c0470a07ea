from datetime import UTC

import pytest

from voting import create_app
from voting.config import ConfigError, load_config


def test_production_refuses_missing_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATA_KEY", "d" * 40)
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        load_config(tmp_path, {"ENV": "production"})


def test_production_refuses_short_data_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATA_KEY", "short")
    with pytest.raises(ConfigError, match="DATA_KEY must be at least"):
        load_config(tmp_path, {"ENV": "production"})


def production_environment(monkeypatch):
    """Everything production needs, in the environment."""
    for name, value in {
        "SECRET_KEY": "s" * 40,
        "DATA_KEY": "d" * 40,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "PUBLIC_BASE_URL": "https://vote.example.gov.cn",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("missing", ["REDIS_URL", "PUBLIC_BASE_URL"])
def test_production_refuses_to_start_without_redis_or_its_public_address(tmp_path, monkeypatch, missing):
    production_environment(monkeypatch)
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=f"{missing} must be set in production"):
        load_config(tmp_path, {"ENV": "production"})


def test_production_with_secrets_has_secure_cookies(tmp_path, monkeypatch):
    production_environment(monkeypatch)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    config = load_config(tmp_path, {"ENV": "production"})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_development_keeps_a_random_secret_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path, {"ENV": "development"})["SECRET_KEY"]
    again = load_config(tmp_path, {"ENV": "development"})["SECRET_KEY"]
    assert first == again and len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="GONGZHI_ENV"):
        load_config(tmp_path, {"ENV": "staging"})


def test_security_headers_and_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    refused = client.post("/login", data={"username": "x", "password": "y"})
    assert refused.status_code == 400  # no CSRF token


def test_production_app_sends_hsts(tmp_path, monkeypatch):
    production_environment(monkeypatch)
    app = create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_clock_can_be_shifted_in_tests_only(app):
    from datetime import datetime, timedelta

    from voting.timeutil import utcnow

    app.config["CLOCK_SHIFT"] = timedelta(days=8)
    assert utcnow() > datetime.now(UTC) + timedelta(days=7)
    app.config["TESTING"] = False
    assert utcnow() < datetime.now(UTC) + timedelta(days=1)


def test_notices_passphrases_cost_full_scrypt_outside_tests(tmp_path):
    """128 MiB and most of a second per guess; only the test suite, opening hundreds of votes,
    derives cheaply."""
    assert load_config(tmp_path, {"ENV": "development"})["NOTICES_SCRYPT_N"] == 2**17
    assert load_config(tmp_path, {"ENV": "testing"})["NOTICES_SCRYPT_N"] < 2**17


def test_the_sqlite_database_is_created_readable_by_its_owner_only(tmp_path):
    """It holds the personal data (encrypted, with the keys beside it in the instance folder) and
    the votes' keys; SQLite gives its write-ahead log the database file's mode."""
    from sqlalchemy import text

    from voting.extensions import db

    path = tmp_path / "gongzhi.sqlite"
    app = create_app(
        {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "s" * 40, "DATA_KEY": "d" * 40}
    )
    with app.app_context():
        db.session.execute(text("CREATE TABLE probe (x INTEGER)"))
        db.session.execute(text("INSERT INTO probe VALUES (1)"))
        db.session.commit()
        for made in (path, path.with_name(path.name + "-wal")):
            assert made.stat().st_mode & 0o777 == 0o600, made
        db.engine.dispose()
