"""Importing the owner roll and deriving the voters from it.

An import is all or nothing: the file is parsed and checked completely first; only a file
without a single fault replaces the estate's roll, in one transaction.

An upload through the browser is parsed once, when it arrives: what it gave waits for the
preparation group's confirmation encrypted (it holds ID numbers and phones), the file itself is
not kept, and an upload left unconfirmed for UPLOAD_LIFETIME is refused and deleted.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select, update

from voting.audit.operations import record_event
from voting.core import weights
from voting.errors import Refusal
from voting.estates.models import Building, Estate, Unit
from voting.extensions import db
from voting.prep.operations import refer_group_after_roll, representatives_off_roll
from voting.privacy import personal_data
from voting.roster.models import Owner, RosterImport, RosterUpload, UnitOwner, Voter
from voting.roster.parsing import ParseResult, RosterRow, RowError, parse_roster
from voting.timeutil import utcnow

DEVELOPER_KEY = "developer"
UPLOAD_LIFETIME = timedelta(hours=24)


class RosterRejected(Refusal):
    """The file has faults; nothing was saved."""

    def __init__(self, errors: tuple[RowError, ...]):
        super().__init__(_("The file has faults; nothing was saved."))
        self.errors = errors


class UploadExpired(Refusal):
    """The upload waited longer than UPLOAD_LIFETIME for its confirmation: it is deleted, and the
    browser sent to upload the file again."""

    page = "roster.upload"

    def __init__(self, upload: RosterUpload):
        super().__init__(
            _("This upload waited more than 24 hours unconfirmed and has been deleted; upload the file again.")
        )
        self.upload_id = upload.id

    def record(self) -> None:
        db.session.execute(delete(RosterUpload).where(RosterUpload.id == self.upload_id))


@dataclass(frozen=True)
class RosterPreview:
    parsed: ParseResult
    summary: dict | None  # the roll this file would give; None when it has faults
    group_leaving: tuple[str, ...] = ()  # owner representatives this roll would no longer list


def storable_filename(filename: str) -> str:
    """The upload's name as its column holds it: without control and format characters (NUL,
    right-to-left overrides) or lone surrogates, and shortened before the suffix, which says how
    the file is read."""
    name = "".join(char for char in filename if unicodedata.category(char) not in ("Cc", "Cf", "Cs"))
    longest = RosterUpload.filename.type.length
    if len(name) > longest:
        suffix = PurePath(name).suffix[:longest]
        name = name[: longest - len(suffix)] + suffix
    return name


def parse_upload(data: bytes, filename: str) -> ParseResult:
    """The roster file read within the app's limits (ROSTER_MAX_ROWS, ROSTER_MAX_UNPACKED_BYTES)."""
    config = current_app.config
    return parse_roster(
        data, filename, max_rows=config["ROSTER_MAX_ROWS"], max_unpacked_bytes=config["ROSTER_MAX_UNPACKED_BYTES"]
    )


def estate_voters(estate: Estate, units: Iterable[weights.Unit]) -> list[weights.Voter]:
    """The voters these units give under the estate's rules; owner keys are keyed hashes of
    the ID numbers (Owner.id_hash), never the numbers."""
    rules = estate.roll_rules
    code = rules.developer_credit_code
    return weights.voters(
        units,
        count_parking=rules.count_parking,
        developer_key=personal_data().match_hash(code) if code else None,
        buyers=rules.buyers,
    )


def preview_roster(estate: Estate, parsed: ParseResult) -> RosterPreview:
    summary, leaving = None, ()
    if parsed.ok:
        protect = personal_data()
        units = [row.to_unit(tuple(protect.match_hash(number) for number in row.owner_ids)) for row in parsed.rows]
        summary = weights.summarize(estate_voters(estate, units))
        owners = {owner for unit in units for owner in unit.owner_key}
        leaving = tuple(member.name for member in representatives_off_roll(estate, owners))
    return RosterPreview(parsed, summary, leaving)


def stage_upload(
    estate: Estate, data: bytes, filename: str, staff_id: int, now: datetime | None = None
) -> RosterUpload:
    """Parse the file once and keep what it gave, encrypted, for the preview and the confirmation.
    Uploads nobody confirmed in time go now, whichever estate they were for."""
    now = now or utcnow()
    db.session.execute(delete(RosterUpload).where(RosterUpload.uploaded_at < now - UPLOAD_LIFETIME))
    upload = RosterUpload(
        estate_id=estate.id,
        filename=storable_filename(filename),
        parsed_enc=personal_data().encrypt(parse_upload(data, filename).to_json()),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=staff_id,
        uploaded_at=now,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def staged_result(upload: RosterUpload, now: datetime | None = None) -> ParseResult:
    """What the upload's file gave when it arrived. Refused with UploadExpired, which deletes the
    upload, once it is older than UPLOAD_LIFETIME."""
    if (now or utcnow()) - upload.uploaded_at > UPLOAD_LIFETIME:
        raise UploadExpired(upload)
    return ParseResult.from_json(personal_data().decrypt(upload.parsed_enc))


def import_roster(actor: str, estate: Estate, data: bytes, filename: str) -> dict:
    """Replace the estate's roll with this file's; returns the summary. Raises RosterRejected."""
    return _import_parsed(
        actor, estate, parse_upload(data, filename), storable_filename(filename), hashlib.sha256(data).hexdigest()
    )


def import_upload(actor: str, estate: Estate, upload: RosterUpload) -> dict:
    """Replace the estate's roll with what the staged upload gave, without reading its file again.
    Raises RosterRejected or UploadExpired."""
    return _import_parsed(actor, estate, staged_result(upload), upload.filename, upload.sha256)


def _import_parsed(actor: str, estate: Estate, parsed: ParseResult, filename: str, sha256: str) -> dict:
    if not parsed.ok:
        raise RosterRejected(parsed.errors)
    _replace_units(estate, parsed.rows)
    # A new roll is published anew, and its period before voting starts again.
    estate.roll_published_at = None
    summary = rebuild_voters(estate)
    refer_group_after_roll(actor, estate)
    db.session.add(
        RosterImport(
            estate_id=estate.id,
            filename=filename,
            sha256=sha256,
            summary_json=json.dumps(summary),
            imported_by=actor,
        )
    )
    db.session.execute(delete(RosterUpload).where(RosterUpload.estate_id == estate.id))
    record_event(
        actor,
        "roster.import",
        f"estate:{estate.code}",
        estate_id=estate.id,
        filename=filename,
        sha256=sha256,
        **summary,
    )
    return summary


def _clear_roll(estate: Estate) -> None:
    unit_ids = select(Unit.id).where(Unit.estate_id == estate.id)
    db.session.execute(delete(UnitOwner).where(UnitOwner.unit_id.in_(unit_ids)))
    db.session.execute(delete(Unit).where(Unit.estate_id == estate.id))
    db.session.execute(delete(Voter).where(Voter.estate_id == estate.id))
    db.session.execute(delete(Owner).where(Owner.estate_id == estate.id))
    db.session.execute(delete(Building).where(Building.estate_id == estate.id))
    db.session.expire(estate, ["buildings"])


def _replace_units(estate: Estate, rows: tuple[RosterRow, ...]) -> None:
    """Write units, owners and buildings with bulk inserts (thousands of rows per estate)."""
    _clear_roll(estate)
    protect = personal_data()

    building_names = sorted({row.building for row in rows})
    db.session.execute(Building.__table__.insert(), [{"estate_id": estate.id, "name": name} for name in building_names])
    building_ids = dict(
        db.session.execute(select(Building.name, Building.id).where(Building.estate_id == estate.id)).all()
    )

    owners: dict[str, dict] = {}
    for row in rows:
        for position, (name, id_number) in enumerate(zip(row.owner_names, row.owner_ids)):
            match = protect.match_hash(id_number)
            if match not in owners:
                phone = row.phones[position] if position < len(row.phones) else None
                owners[match] = {
                    "estate_id": estate.id,
                    "name": name,
                    "id_hash": match,
                    "id_number_enc": protect.encrypt(id_number),
                    "phone_enc": protect.encrypt(phone) if phone else None,
                }
    if owners:
        db.session.execute(Owner.__table__.insert(), list(owners.values()))
    owner_ids = dict(db.session.execute(select(Owner.id_hash, Owner.id).where(Owner.estate_id == estate.id)).all())

    db.session.execute(
        Unit.__table__.insert(),
        [
            {
                "estate_id": estate.id,
                "building_id": building_ids[row.building],
                "entrance": row.entrance,
                "room": row.room,
                "label": row.label,
                "use": row.use,
                "area": row.area,
                "area_source": row.area_source,
                "status": row.status,
                "source_row": row.row,
            }
            for row in rows
        ],
    )
    unit_ids = dict(db.session.execute(select(Unit.label, Unit.id).where(Unit.estate_id == estate.id)).all())
    links = [
        {"unit_id": unit_ids[row.label], "owner_id": owner_ids[protect.match_hash(id_number)], "position": position}
        for row in rows
        for position, id_number in enumerate(row.owner_ids)
    ]
    if links:
        db.session.execute(UnitOwner.__table__.insert(), links)


def _owner_set_key(id_hashes: frozenset[str]) -> str:
    return hashlib.sha256(",".join(sorted(id_hashes)).encode()).hexdigest()


def _owners_by_unit(estate: Estate, column) -> dict[int, list]:
    """One owner column per unit id, in title order."""
    found: dict[int, list] = {}
    for unit_id, value in db.session.execute(
        select(UnitOwner.unit_id, column)
        .join(Owner, UnitOwner.owner_id == Owner.id)
        .where(Owner.estate_id == estate.id)
        .order_by(UnitOwner.unit_id, UnitOwner.position)
    ):
        found.setdefault(unit_id, []).append(value)
    return found


def _stored_roll(estate: Estate) -> tuple[list[weights.Voter], dict[str, int]]:
    """The voters as the weights module derives them from the stored units, and unit ids."""
    hashes_by_unit = _owners_by_unit(estate, Owner.id_hash)
    units = db.session.execute(
        select(Unit.id, Unit.label, Unit.area, Unit.use, Unit.status).where(Unit.estate_id == estate.id)
    ).all()
    roll = estate_voters(
        estate, (weights.Unit(u.label, u.area, u.use, u.status, tuple(hashes_by_unit.get(u.id, ()))) for u in units)
    )
    return roll, {u.label: u.id for u in units}


def rebuild_voters(estate: Estate) -> dict:
    """Derive the voters from the stored units (法释〔2009〕7号 art. 9); returns the summary."""
    db.session.execute(update(Unit).where(Unit.estate_id == estate.id).values(voter_id=None))
    db.session.execute(delete(Voter).where(Voter.estate_id == estate.id))
    roll, unit_ids = _stored_roll(estate)
    # Public voter ids follow the units' order, so they read naturally next to the roll.
    codes = {id(voter): f"v{number:05d}" for number, voter in enumerate(sorted(roll, key=lambda v: min(v.units)), 1)}
    if roll:
        db.session.execute(
            Voter.__table__.insert(),
            [
                {
                    "estate_id": estate.id,
                    "code": codes[id(voter)],
                    "owner_key": DEVELOPER_KEY if voter.is_developer else _owner_set_key(voter.owners),
                    "is_developer": voter.is_developer,
                    "area": voter.area,
                    "heads": voter.heads,
                }
                for voter in roll
            ],
        )
        voter_ids = dict(db.session.execute(select(Voter.code, Voter.id).where(Voter.estate_id == estate.id)).all())
        db.session.execute(
            update(Unit.__table__).where(Unit.__table__.c.id == bindparam("unit")).values(voter_id=bindparam("voter")),
            [
                {"unit": unit_ids[label], "voter": voter_ids[codes[id(voter)]]}
                for voter in roll
                for label in voter.units
            ],
        )
    return weights.summarize(roll)


def roll_summary(estate: Estate) -> dict:
    """The estate's roll totals in the shape of ``roster summary --json``."""
    return weights.summarize(_stored_roll(estate)[0])


@dataclass(frozen=True)
class RollUnit:
    label: str
    use: str
    area: int
    area_source: str
    status: str
    owner_names: tuple[str, ...]
    area_counted: bool  # False: a parking space whose area the estate leaves out


@dataclass(frozen=True)
class RollVoter:
    code: str
    is_developer: bool
    area: int
    units: tuple[RollUnit, ...]

    @property
    def owner_names(self) -> tuple[str, ...]:
        """Everyone on the voter's titles, in title order: one owner-set, or several merged ones
        where the estate counts a person's sole and joint titles as one buyer."""
        if self.is_developer:
            return ()
        return tuple(dict.fromkeys(name for unit in self.units for name in unit.owner_names))


@dataclass(frozen=True)
class RollView:
    voters: tuple[RollVoter, ...]

    @property
    def uncounted(self) -> tuple[RollUnit, ...]:
        """Parking spaces whose area the estate leaves out; they still give their owners a head."""
        return tuple(u for v in self.voters for u in v.units if not u.area_counted)

    @property
    def developer(self) -> RollVoter | None:
        return next((v for v in self.voters if v.is_developer), None)

    @property
    def multi_unit_voters(self) -> tuple[RollVoter, ...]:
        return tuple(v for v in self.voters if not v.is_developer and len(v.units) > 1)

    @property
    def co_owned_units(self) -> tuple[RollUnit, ...]:
        return tuple(u for v in self.voters if not v.is_developer for u in v.units if len(u.owner_names) > 1)


def roll_view(estate: Estate) -> RollView:
    """Everything the roll pages and the export show, loaded in three queries."""
    names_by_unit = _owners_by_unit(estate, Owner.name)
    units_by_voter: dict[int | None, list[RollUnit]] = {}
    for unit in db.session.scalars(select(Unit).where(Unit.estate_id == estate.id).order_by(Unit.label)):
        units_by_voter.setdefault(unit.voter_id, []).append(
            RollUnit(
                unit.label,
                unit.use,
                unit.area,
                unit.area_source,
                unit.status,
                tuple(names_by_unit.get(unit.id, ())),
                weights.counts_area(unit.use, count_parking=estate.count_parking),
            )
        )
    voters = tuple(
        RollVoter(v.code, v.is_developer, v.area, tuple(units_by_voter.get(v.id, ())))
        for v in db.session.scalars(select(Voter).where(Voter.estate_id == estate.id).order_by(Voter.code))
    )
    return RollView(voters)


def publish_roll(actor: str, estate: Estate) -> None:
    estate.roll_published_at = utcnow()
    record_event(actor, "roster.publish", f"estate:{estate.code}", estate_id=estate.id)
