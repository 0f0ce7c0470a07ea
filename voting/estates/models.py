"""The organisation: street office → community → estate → building → unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.core import rules
from voting.core.weights import Buyers
from voting.extensions import db, one_of
from voting.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:  # roster's models import this module; SQLAlchemy finds these by name at run time
    from voting.roster.models import UnitOwner, Voter

UNIT_USES = ("住宅", "商业", "办公", "车位", "储藏室")
AREA_SOURCES = ("登记", "实测", "合同")
UNIT_STATUSES = ("已交付", "未交付", "未售")
# Short enough that the help desk's line still fits a notice crowded with motions.
HELP_DESK_PLACE_LENGTH = 40
HELP_DESK_HOURS_LENGTH = 40
CREDIT_CODE_LENGTH = 18  # unified social credit code (GB 32100)


class StreetOffice(db.Model):
    __tablename__ = "street_office"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    communities: Mapped[list[Community]] = relationship(back_populates="street_office")


class Community(db.Model):
    __tablename__ = "community"
    id: Mapped[int] = mapped_column(primary_key=True)
    street_office_id: Mapped[int] = mapped_column(ForeignKey("street_office.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    street_office: Mapped[StreetOffice] = relationship(back_populates="communities")
    estates: Mapped[list[Estate]] = relationship(back_populates="community")


@dataclass(frozen=True)
class RollRules:
    """The estate's rules for who is one person on its roll (法释〔2009〕7号 art. 9, DOMAIN.md),
    printed on the published roll: national defaults, local rules or a reading open to challenge."""

    count_parking: bool = True
    developer_credit_code: str = ""  # "" while unknown: only unsold and undelivered units are the developer's
    buyers: Buyers = Buyers.BY_TITLE

    def as_record(self) -> dict:
        """The record's roll rules (spec v2 §3.4): the developer's code stays out, as on the public roll."""
        return {"parking_area": "counted" if self.count_parking else "left_out", "buyers": self.buyers.value}


@dataclass(frozen=True)
class HelpDesk:
    """Where owners get paper ballots, help with the phone and new notices, and when it is open."""

    place: str
    hours: str


class Estate(db.Model):
    """A property management area (物业管理区域): the electorate of one owners' assembly."""

    __tablename__ = "estate"
    __table_args__ = (
        # String(n) is not enforced by SQLite; the form says the same limits in words.
        CheckConstraint(f"length(help_desk_place) <= {HELP_DESK_PLACE_LENGTH}", name="help_desk_place_length"),
        CheckConstraint(f"length(help_desk_hours) <= {HELP_DESK_HOURS_LENGTH}", name="help_desk_hours_length"),
        CheckConstraint(
            f"length(developer_credit_code) IN (0, {CREDIT_CODE_LENGTH})", name="developer_credit_code_length"
        ),
        one_of("buyers", tuple(Buyers)),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # An estate made from the command line may not be placed yet; only platform admins see it.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # A titled parking space is an exclusive part (法释〔2009〕7号 art. 2); local rules may exclude it.
    count_parking: Mapped[bool] = mapped_column(default=True)
    # Every unit whose title names this code alone joins the developer's one voter (art. 9).
    developer_credit_code: Mapped[str] = mapped_column(String(CREDIT_CODE_LENGTH), default="", server_default="")
    # Whether 张三 alone and 张三+李四 are one buyer: a reading open to challenge (DOMAIN.md).
    buyers: Mapped[str] = mapped_column(String(10), default=Buyers.BY_TITLE.value, server_default=Buyers.BY_TITLE.value)
    # Empty until the preparation group or street office sets them; notices then leave the line out.
    help_desk_place: Mapped[str] = mapped_column(String(HELP_DESK_PLACE_LENGTH), default="", server_default="")
    help_desk_hours: Mapped[str] = mapped_column(String(HELP_DESK_HOURS_LENGTH), default="", server_default="")
    roll_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    community: Mapped[Community | None] = relationship(back_populates="estates")
    rules_profile: Mapped[RulesProfile] = relationship(back_populates="estate", cascade="all, delete-orphan")
    buildings: Mapped[list[Building]] = relationship(
        back_populates="estate", cascade="all, delete-orphan", order_by="Building.name"
    )

    @property
    def street_office_id(self) -> int | None:
        return self.community.street_office_id if self.community else None

    @property
    def roll_rules(self) -> RollRules:
        return RollRules(self.count_parking, self.developer_credit_code, Buyers(self.buyers))

    @property
    def help_desk(self) -> HelpDesk | None:
        """The help desk, or None while neither its place nor its hours are set."""
        if not (self.help_desk_place or self.help_desk_hours):
            return None
        return HelpDesk(self.help_desk_place, self.help_desk_hours)


def _odd_or_open(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 1 AND {column} % 2 = 1)"


class RulesProfile(db.Model):
    """The estate's local rules where the law leaves room, at the national defaults
    (voting.core.rules.NATIONAL_RULES) until the preparation group or street office changes them.
    One row per estate; each vote records the profile in force when it opens (spec v2 §3 `rules`)."""

    __tablename__ = "rules_profile"
    __table_args__ = (
        one_of("invalid_ballot", rules.INVALID_RULES),
        CheckConstraint(
            f"notice_days BETWEEN {rules.MIN_PERIOD_DAYS} AND {rules.MAX_PERIOD_DAYS}", name="notice_days_lawful"
        ),
        CheckConstraint(
            f"roll_publication_days BETWEEN {rules.MIN_PERIOD_DAYS} AND {rules.MAX_PERIOD_DAYS}",
            name="roll_publication_days_lawful",
        ),
        CheckConstraint(f"max_extension_days BETWEEN 0 AND {rules.MAX_EXTENSION_DAYS}", name="max_extension_lawful"),
        CheckConstraint(
            f"committee_min_members % 2 = 1 AND committee_max_members % 2 = 1 AND {rules.MIN_COMMITTEE} "
            f"<= committee_min_members AND committee_min_members <= committee_max_members AND "
            f"committee_max_members <= {rules.MAX_COMMITTEE}",
            name="committee_size_lawful",
        ),
        CheckConstraint(_odd_or_open("group_min_members"), name="group_min_odd"),
        CheckConstraint(_odd_or_open("group_max_members"), name="group_max_odd"),
        CheckConstraint(
            "group_min_members IS NULL OR group_max_members IS NULL OR group_min_members <= group_max_members",
            name="group_size_ordered",
        ),
        CheckConstraint("group_min_owner_percent BETWEEN 50 AND 100", name="group_owners_at_least_half"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), unique=True)
    invalid_ballot: Mapped[str] = mapped_column(String(11))
    notice_days: Mapped[int]
    roll_publication_days: Mapped[int]
    # How far the preparation group may extend a vote whose turnout falls short.
    max_extension_days: Mapped[int]
    committee_min_members: Mapped[int]
    committee_max_members: Mapped[int]
    group_min_members: Mapped[int | None]
    group_max_members: Mapped[int | None]
    group_min_owner_percent: Mapped[int]
    changed_by: Mapped[str | None] = mapped_column(String(100))  # None: the national defaults
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    estate: Mapped[Estate] = relationship(back_populates="rules_profile")

    def __init__(self, **values):
        super().__init__(**{**rules.NATIONAL_RULES, **values})

    def as_record(self) -> dict:
        """The record's `rules` (spec v2 §3)."""
        return {key: getattr(self, key) for key in rules.NATIONAL_RULES}


class Building(db.Model):
    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("estate_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    estate: Mapped[Estate] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(
        back_populates="building", cascade="all, delete-orphan", order_by="Unit.label"
    )


class Unit(db.Model):
    """An exclusive part (专有部分): a room, shop, office or titled parking space."""

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("estate_id", "label"),
        CheckConstraint("area > 0", name="area_positive"),
        one_of("use", UNIT_USES),
        one_of("area_source", AREA_SOURCES),
        one_of("status", UNIT_STATUSES),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("voter.id"), index=True)
    entrance: Mapped[str] = mapped_column(String(20), default="")
    room: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    use: Mapped[str] = mapped_column(String(10))
    area: Mapped[int]  # 0.01 m²
    area_source: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(4))
    source_row: Mapped[int]  # spreadsheet row it came from, for messages and audits
    building: Mapped[Building] = relationship(back_populates="units")
    owners: Mapped[list[UnitOwner]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitOwner.position"
    )
    voter: Mapped[Voter | None] = relationship(back_populates="units")
