"""The owner roll: owners (personal data encrypted), their units, and the voters they form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.estates.models import Estate, Unit
from voting.extensions import db, one_of
from voting.objections.models import ObjectionRecord, objection_constraints
from voting.timeutil import UTCDateTime, utcnow


class Owner(db.Model):
    """A person or company on a title. ID number and phone are stored encrypted."""

    __tablename__ = "owner"
    __table_args__ = (UniqueConstraint("estate_id", "id_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    id_hash: Mapped[str] = mapped_column(String(64))  # keyed hash: matching without decrypting
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    units: Mapped[list[UnitOwner]] = relationship(back_populates="owner")


class UnitOwner(db.Model):
    __tablename__ = "unit_owner"
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), primary_key=True, index=True)
    position: Mapped[int]  # order on the title, as in the roster
    unit: Mapped[Unit] = relationship(back_populates="owners")
    owner: Mapped[Owner] = relationship(back_populates="units")


class Voter(db.Model):
    """One person in the sense of 法释〔2009〕7号: an owner-set, or the developer."""

    __tablename__ = "voter"
    __table_args__ = (
        UniqueConstraint("estate_id", "owner_key"),
        UniqueConstraint("estate_id", "code"),
        # No area: the owner of only a parking space where the estate leaves parking's area out.
        CheckConstraint("area >= 0", name="area_not_negative"),
        CheckConstraint("heads = 1", name="one_head"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))  # public voter id in records, e.g. v00042
    owner_key: Mapped[str] = mapped_column(String(64))  # hash of the owner-set, or "developer"
    is_developer: Mapped[bool] = mapped_column(default=False)
    area: Mapped[int]
    heads: Mapped[int] = mapped_column(default=1)
    units: Mapped[list[Unit]] = relationship(back_populates="voter", order_by="Unit.label")


class RosterUpload(db.Model):
    """A roster file waiting for the preparation group to confirm its preview: what parsing it
    gave, encrypted, not the file itself."""

    __tablename__ = "roster_upload"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    parsed_enc: Mapped[bytes] = mapped_column(LargeBinary)  # ParseResult.to_json, encrypted
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RosterImport(db.Model):
    """History: every roll that replaced the estate's previous one."""

    __tablename__ = "roster_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    summary_json: Mapped[str] = mapped_column(Text)
    imported_by: Mapped[str] = mapped_column(String(100))  # staff username or "cli:<user>"
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# What an owner finds wrong with the published roll: a unit's area, its owners, its status
# (delivered, unsold…), a unit missing from the roll, or something else.
ROLL_OBJECTION_GROUNDS = ("area", "owner", "status", "missing", "other")


class RollObjection(ObjectionRecord, db.Model):
    """An owner's objection (异议) to the published owner roll or to one unit's voting rights
    (指导规则 art. 12), and the group's written answer, published beside the roll."""

    __tablename__ = "roll_objection"
    __table_args__ = (
        *objection_constraints(),
        one_of("ground", ROLL_OBJECTION_GROUNDS),
        CheckConstraint("ground = 'other' OR about_unit IS NOT NULL", name="names_its_unit"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    ground: Mapped[str] = mapped_column(String(10))
    # The unit it is about, as the owner wrote it (a missing unit is on no roll); None: the roll as a whole.
    about_unit: Mapped[str | None] = mapped_column(String(120))
    estate: Mapped[Estate] = relationship()
