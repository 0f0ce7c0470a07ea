"""Staff accounts. Owners have no accounts: they vote with the credential on their notice."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.estates.models import Community, Estate, StreetOffice
from voting.extensions import db, one_of
from voting.timeutil import UTCDateTime, utcnow


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    STREET_OFFICE = "street_office"
    COMMUNITY = "community"
    PREP_GROUP = "prep_group"
    CLERK = "clerk"


ROLE_NAMES = {
    Role.PLATFORM_ADMIN: _l("Platform administrator"),
    Role.STREET_OFFICE: _l("Street office officer"),
    Role.COMMUNITY: _l("Community staff"),
    Role.PREP_GROUP: _l("Preparation group member"),
    Role.CLERK: _l("Clerk"),
}


def new_session_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


class Staff(UserMixin, db.Model):
    """A staff account, scoped to exactly the part of the organisation its role works in."""

    __tablename__ = "staff"
    __table_args__ = (
        one_of("role", tuple(Role)),
        # The scope column that the role needs is set, and no other.
        CheckConstraint(
            "(role = 'platform_admin' AND street_office_id IS NULL AND community_id IS NULL"
            " AND estate_id IS NULL)"
            " OR (role = 'street_office' AND street_office_id IS NOT NULL"
            " AND community_id IS NULL AND estate_id IS NULL)"
            " OR (role = 'community' AND community_id IS NOT NULL"
            " AND street_office_id IS NULL AND estate_id IS NULL)"
            " OR (role IN ('prep_group', 'clerk') AND estate_id IS NOT NULL"
            " AND street_office_id IS NULL AND community_id IS NULL)",
            name="scope_matches_role",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    street_office_id: Mapped[int | None] = mapped_column(ForeignKey("street_office.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estate.id"))
    # The keyed hash of the person's resident ID number (never the number): it tells two
    # accounts of one person apart from two people. None on accounts made before it was asked.
    id_hash: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the id a login keeps in its session cookie (get_id): a new one, on logging out or
    # a new password, turns every copy of an earlier cookie away.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    street_office: Mapped[StreetOffice | None] = relationship()
    community: Mapped[Community | None] = relationship()
    estate: Mapped[Estate | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Every login of this account so far ends: its cookies name a token it no longer has."""
        self.session_token = new_session_token()

    @property
    def name_and_role(self) -> str:
        """How pages and the audit log name a member of staff: 陈明（计票人）, never the user name."""
        return _("%(name)s (%(role)s)", name=self.display_name, role=ROLE_NAMES[self.role])
