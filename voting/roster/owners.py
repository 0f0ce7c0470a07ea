"""Look-ups on an estate's owner roll: an owner by ID number or by unit and the ID's last four
characters, an owner's units and households, the keyed hashes of every owner. The preparation
group and the candidate list both check people against the roll through these."""

from __future__ import annotations

import hmac

from sqlalchemy import select

from voting.estates.models import Estate, Unit
from voting.extensions import db
from voting.privacy import last4_hash, personal_data
from voting.roster.models import Owner, UnitOwner, Voter
from voting.roster.parsing import normalise_id_number


def owner_by_id_number(estate: Estate, id_number: str) -> Owner | None:
    """The estate's owner with this ID number, matched by its keyed hash."""
    match = personal_data().match_hash(normalise_id_number(id_number))
    return db.session.scalar(select(Owner).where(Owner.estate_id == estate.id, Owner.id_hash == match))


def owner_by_unit_last4(estate: Estate, unit_label: str, last4: str) -> Owner | None:
    """An owner of this unit whose ID number ends in these four characters."""
    owners = db.session.scalars(
        select(Owner)
        .join(UnitOwner, UnitOwner.owner_id == Owner.id)
        .join(Unit, Unit.id == UnitOwner.unit_id)
        .where(Unit.estate_id == estate.id, Unit.label == unit_label.strip())
    ).all()
    protect = personal_data()
    wanted = last4_hash(protect, last4.strip().upper())
    for owner in owners:
        if hmac.compare_digest(last4_hash(protect, protect.decrypt(owner.id_number_enc)[-4:]), wanted):
            return owner
    return None


def owner_unit_labels(owner: Owner) -> str:
    return "、".join(sorted(link.unit.label for link in owner.units))


def owner_households(owner: Owner) -> list[Voter]:
    """The voters (owner-sets) this owner belongs to, by voter id."""
    return list(
        db.session.scalars(
            select(Voter)
            .join(Unit, Unit.voter_id == Voter.id)
            .join(UnitOwner, UnitOwner.unit_id == Unit.id)
            .where(UnitOwner.owner_id == owner.id)
            .distinct()
            .order_by(Voter.code)
        )
    )


def owner_hashes(estate: Estate) -> set[str]:
    return set(db.session.scalars(select(Owner.id_hash).where(Owner.estate_id == estate.id)))
