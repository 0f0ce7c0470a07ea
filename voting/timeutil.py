"""UTC in the database, Asia/Shanghai on screen."""

from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Now, in UTC. In tests only, CLOCK_SHIFT (a timedelta) moves the app's clock, so a
    browser journey can let the days of a publication period or a voting window pass."""
    now = datetime.now(UTC)
    if has_app_context() and current_app.config["TESTING"]:
        now += current_app.config.get("CLOCK_SHIFT", timedelta(0))
    return now


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Gongzhi stores aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
