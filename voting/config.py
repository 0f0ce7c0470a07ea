"""Configuration, read from the environment and checked before the app starts.

GONGZHI_ENV selects the mode: ``development`` (the default, used by ./scripts/run),
``testing`` or ``production``. Outside development and testing a missing or weak secret
is a start-up error, never a silent default.
"""

import os
import secrets
from pathlib import Path

from voting.notices.sealing import SCRYPT_N
from voting.roster.parsing import MAX_ROWS, MAX_UNPACKED_BYTES

ENVIRONMENTS = ("development", "testing", "production")
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def _instance_secret(instance_path: Path, name: str) -> str:
    """A random secret kept in instance/ so a development install survives restarts."""
    path = instance_path / name
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    overrides = dict(overrides or {})
    env = overrides.pop("ENV", None) or os.environ.get("GONGZHI_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"GONGZHI_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    production = env == "production"

    config = {
        "GONGZHI_ENV": env,
        "TESTING": env == "testing",
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'gongzhi.sqlite'}",
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "DATA_KEY": os.environ.get("DATA_KEY"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        # A roster upload's bounds: rows below the header, and what an .xlsx may unpack to.
        "ROSTER_MAX_ROWS": int(os.environ.get("ROSTER_MAX_ROWS", MAX_ROWS)),
        "ROSTER_MAX_UNPACKED_BYTES": int(os.environ.get("ROSTER_MAX_UNPACKED_BYTES", MAX_UNPACKED_BYTES)),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ("zh_CN", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        # RATELIMIT_ENABLED=0 switches the limits off, e.g. for a benchmark casting from one address.
        "RATELIMIT_ENABLED": env != "testing" and os.environ.get("RATELIMIT_ENABLED", "1") != "0",
        # How many reverse proxies (nginx: 1) stand in front of the app and set X-Forwarded-For.
        "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES", "0"),
        # The address printed in voting notices' QR codes, e.g. https://vote.example.gov.cn
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL"),
        "JOBS_SYNC": False,  # run background jobs at once (tests)
        # scrypt cost of new notices passphrases; tests open hundreds of votes, so theirs is
        # cheap. Each batch stores the cost it was sealed with.
        "NOTICES_SCRYPT_N": 2**12 if env == "testing" else SCRYPT_N,
    }
    config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or "memory://"
    # A sliding window: a fixed one would grant twice the attempts across each boundary.
    config["RATELIMIT_STRATEGY"] = "moving-window"
    config.update(overrides)
    if not str(config["TRUSTED_PROXIES"]).isdigit():
        raise ConfigError("TRUSTED_PROXIES must be the number of reverse proxies in front of the app (0, 1, …)")
    config["TRUSTED_PROXIES"] = int(config["TRUSTED_PROXIES"])

    for name in ("SECRET_KEY", "DATA_KEY"):
        if config[name]:
            if production and len(config[name]) < MIN_SECRET_LENGTH:
                raise ConfigError(f"{name} must be at least {MIN_SECRET_LENGTH} characters")
        elif production:
            raise ConfigError(f"{name} must be set in production (a random string of 32+ characters)")
        else:
            config[name] = _instance_secret(instance_path, name.lower())
    if production and config["RATELIMIT_ENABLED"] and not config["REDIS_URL"]:
        # Limits kept in memory count per worker process and restart from nothing with it: the
        # five guesses a day at an owner's ID ending would become five per process per restart.
        raise ConfigError("REDIS_URL must be set in production: the rate limits are kept there")
    if production and not config["PUBLIC_BASE_URL"]:
        # Printed on notices and board documents, rendered also where no request tells the host.
        raise ConfigError(
            "PUBLIC_BASE_URL must be set in production: the address printed in QR codes, "
            "e.g. https://vote.example.gov.cn"
        )
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        # psycopg 3 is the driver we ship; the bare scheme would ask for psycopg2.
        config["SQLALCHEMY_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    return config
