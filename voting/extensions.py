"""Flask extensions, created unbound and initialised by the app factory."""

import json
import os

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CheckConstraint, MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """A check constraint keeping a text column within a fixed vocabulary."""
    allowed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_known")


db = SQLAlchemy(model_class=Base)
MAX_ID = 2**31 - 1  # the largest value of an INTEGER primary key on PostgreSQL
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def create_sqlite_file_private(engine) -> None:
    """Create the database file readable by the service's own user only: it holds the encrypted
    personal data and the votes' keys. SQLite gives its -wal and -shm files the same mode."""
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if os.path.isdir(os.path.dirname(os.path.abspath(path))) and not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def serialise_sqlite_writes(engine) -> None:
    """Make every SQLite transaction take the write lock when it begins (BEGIN IMMEDIATE).

    Appending to a ballot log reads the frontier and writes the next seq; on PostgreSQL a row
    lock (SELECT … FOR UPDATE) orders that, on SQLite only an immediate transaction does. The
    embedded default trades write concurrency for that certainty.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let us issue BEGIN ourselves
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA busy_timeout = 30000")
        # Write-ahead log: a commit survives a killed process without an fsync per ballot;
        # only a power cut can lose the last moments (production runs on PostgreSQL).
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")
        # Deleted secrets (voting notices) are overwritten, not left in free pages.
        dbapi_connection.execute("PRAGMA secure_delete = ON")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class FrozenDocument:
    """A JSON document stored as text, parsed once per object: ``definition = FrozenDocument("definition_json")``.

    Parsed again only when the text itself is replaced (set or reloaded); callers read the
    document and never change it."""

    def __init__(self, column: str):
        self.column = column

    def __set_name__(self, owner, name: str) -> None:
        self.slot = f"_{name}_parsed"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        text = getattr(instance, self.column)
        parsed = instance.__dict__.get(self.slot)
        if parsed is None or parsed[0] is not text:
            parsed = (text, None if text is None else json.loads(text))
            instance.__dict__[self.slot] = parsed
        return parsed[1]
