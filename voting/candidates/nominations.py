"""Nominations to a candidate list: by the owner themself (自荐), by the community's organisations,
or jointly by owner households (联名推荐); every nominee is an owner on the roll. A nominee can be
withdrawn with a public reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from voting.audit.operations import record_event
from voting.candidates.models import (
    CandidateError,
    CandidateList,
    JointSignature,
    Nominee,
)
from voting.errors import EveryFault
from voting.extensions import db
from voting.privacy import mask_id_number
from voting.roster.owners import (
    owner_by_id_number,
    owner_households,
    owner_unit_labels,
)
from voting.roster.parsing import normalise_id_number, resident_id_check_digit
from voting.timeutil import utcnow

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


class NominationRejected(EveryFault, CandidateError):
    """A joint recommendation with faulty entries; every fault is listed, nothing was saved."""


@dataclass
class Profile:
    """What the nomination form gives; gender and date of birth come from a resident ID."""

    name: str
    id_number: str
    occupation: str = ""
    party_member: bool = False
    statement: str = ""
    gender: str | None = None
    birth_date: date | None = None
    photo: bytes | None = None


def resident_id_facts(id_number: str) -> tuple[date, str] | None:
    """Date of birth and gender (GB 11643: the 17th digit is odd for men) of a resident ID."""
    number = normalise_id_number(id_number)
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number) or resident_id_check_digit(number[:17]) != number[17]:
        return None
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born, "M" if int(number[16]) % 2 else "F"


def eligible_owners(owners: list[tuple[str, str]], today: date, count: int) -> list[tuple[str, str]]:
    """Owners with a resident ID aged 30 to 65: inside the default age rule with room to spare."""
    chosen, seen = [], set()
    for name, id_number in owners:
        facts = resident_id_facts(id_number)
        if facts and 30 <= (today - facts[0]).days // 366 <= 65 and id_number not in seen:
            chosen.append((name, id_number))
            seen.add(id_number)
        if len(chosen) == count:
            break
    return chosen


def _photo_type(photo: bytes) -> str:
    if len(photo) > MAX_PHOTO_BYTES:
        raise CandidateError(_("The photo is larger than %(mb)d MB.", mb=MAX_PHOTO_BYTES // (1024 * 1024)))
    for magic, mimetype in PHOTO_TYPES.items():
        if photo.startswith(magic):
            return mimetype
    raise CandidateError(_("The photo must be a JPEG or PNG image."))


def _new_nominee(
    actor: str, candidate_list: CandidateList, profile: Profile, kind: str, recommended_by: str = ""
) -> Nominee:
    candidate_list.require_nominations_open()
    name = profile.name.strip()
    if not name:
        raise CandidateError(_("Give the nominee's name."))
    owner = owner_by_id_number(candidate_list.estate, profile.id_number) if profile.id_number.strip() else None
    if owner is None:
        raise CandidateError(
            _(
                "%(name)s is not an owner of this estate according to the roll (no owner with this ID number).",
                name=name,
            )
        )
    if owner.name != name:
        raise CandidateError(_("The roll lists this ID number under another name than %(name)s.", name=name))
    twin = next((n for n in candidate_list.nominees if n.owner_id_hash == owner.id_hash), None)
    if twin is not None:
        raise CandidateError(_("%(name)s is already nominated (number %(number)d).", name=name, number=twin.number))
    facts = resident_id_facts(profile.id_number)
    if facts is not None:
        born, gender = facts
        if profile.birth_date not in (None, born) or profile.gender not in (None, gender):
            raise CandidateError(_("Date of birth and gender must match the resident ID number."))
    elif profile.birth_date is None or profile.gender not in ("F", "M"):
        raise CandidateError(_("This ID number shows no date of birth: give the date of birth and gender."))
    else:
        born, gender = profile.birth_date, profile.gender
    photo_type = _photo_type(profile.photo) if profile.photo else None
    number = max((n.number for n in candidate_list.nominees), default=0) + 1
    nominee = Nominee(
        candidate_list=candidate_list,
        number=number,
        kind=kind,
        recommended_by=recommended_by.strip(),
        name=name,
        owner_id_hash=owner.id_hash,
        unit_labels=owner_unit_labels(owner),
        gender=gender,
        birth_date=born,
        occupation=profile.occupation.strip(),
        party_member=profile.party_member,
        statement=profile.statement.strip(),
        photo=profile.photo or None,
        photo_type=photo_type,
        nominated_by=actor,
    )
    db.session.add(nominee)
    return nominee


def _audit_nomination(actor: str, nominee: Nominee, **detail) -> None:
    db.session.flush()
    record_event(
        actor,
        f"candidates.nominate_{nominee.kind}",
        f"nominee:{nominee.id}",
        estate_id=nominee.candidate_list.estate_id,
        list=nominee.list_id,
        number=nominee.number,
        name=nominee.name,
        units=nominee.unit_labels,
        **detail,
    )


def nominate_self(actor: str, candidate_list: CandidateList, profile: Profile) -> Nominee:
    """An owner's self-nomination (自荐), keyed by the group from the owner's form."""
    nominee = _new_nominee(actor, candidate_list, profile, "self")
    _audit_nomination(actor, nominee)
    return nominee


def nominate_by_community(actor: str, candidate_list: CandidateList, profile: Profile, recommended_by: str) -> Nominee:
    """A recommendation by the community's party organisation or residents' committee."""
    if not recommended_by.strip():
        raise CandidateError(_("Name the organisation that recommends the nominee."))
    nominee = _new_nominee(actor, candidate_list, profile, "community", recommended_by)
    _audit_nomination(actor, nominee, recommended_by=nominee.recommended_by)
    return nominee


_ENTRY_SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_signature_entries(text: str) -> list[tuple[int, str, str]]:
    """(line, name, ID number) for each non-empty line "name ID-number" (the name is optional)."""
    entries = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        parts = [part for part in _ENTRY_SEPARATORS.split(line.strip()) if part]
        if parts:
            entries.append((line_number, "".join(parts[:-1]), parts[-1]))
    return entries


def nominate_jointly(actor: str, candidate_list: CandidateList, profile: Profile, signatures: str) -> Nominee:
    """A joint recommendation (联名推荐): every signer an owner, each household counted once.

    A signer belonging to several households (owner alone of one flat, co-owner of another)
    counts for the first of them not yet counted, by voter id. All faults are reported together,
    by line; nothing is saved unless every line is good and enough households signed.
    """
    nominee = _new_nominee(actor, candidate_list, profile, "joint")
    estate = candidate_list.estate
    faults: list[str] = []
    household_rows: dict[str, int] = {}
    signer_rows: dict[str, int] = {}
    for row, name, number in parse_signature_entries(signatures):
        entry = f"{name} {mask_id_number(number)}".strip()
        owner = owner_by_id_number(estate, number)
        if owner is None:
            faults.append(
                _("Line %(row)d (%(entry)s): no owner of this estate has this ID number.", row=row, entry=entry)
            )
            continue
        if name and owner.name != name:
            faults.append(
                _("Line %(row)d (%(entry)s): the roll lists this ID number under another name.", row=row, entry=entry)
            )
            continue
        if owner.id_hash == nominee.owner_id_hash:
            faults.append(
                _("Line %(row)d (%(entry)s): the nominee cannot sign their own recommendation.", row=row, entry=entry)
            )
            continue
        if owner.id_hash in signer_rows:
            faults.append(
                _(
                    "Line %(row)d (%(entry)s): this owner already signed on line %(first)d.",
                    row=row,
                    entry=entry,
                    first=signer_rows[owner.id_hash],
                )
            )
            continue
        households = owner_households(owner)
        free = [voter for voter in households if voter.owner_key not in household_rows]
        if not households:
            faults.append(_("Line %(row)d (%(entry)s): this owner holds no vote in the estate.", row=row, entry=entry))
            continue
        if not free:
            faults.append(
                _(
                    "Line %(row)d (%(entry)s): this household already signed on line %(first)d.",
                    row=row,
                    entry=entry,
                    first=household_rows[households[0].owner_key],
                )
            )
            continue
        signer_rows[owner.id_hash] = row
        household_rows[free[0].owner_key] = row
        nominee.signatures.append(
            JointSignature(
                row=row, owner_id_hash=owner.id_hash, household_key=free[0].owner_key, household_code=free[0].code
            )
        )
    if not faults and len(household_rows) < candidate_list.min_joint_households:
        faults.append(
            _(
                "Owner households that signed: %(count)d; a joint recommendation needs at least %(needed)d.",
                count=len(household_rows),
                needed=candidate_list.min_joint_households,
            )
        )
    if faults:
        raise NominationRejected(faults)
    _audit_nomination(actor, nominee, households=sorted(s.household_code for s in nominee.signatures))
    return nominee


def withdraw_nominee(actor: str, nominee: Nominee, reason: str, now: datetime | None = None) -> None:
    """Withdraw a nominee (their own wish, or an objection upheld); the reason is public."""
    nominee.withdraw(actor, reason, now or utcnow())
    record_event(
        actor,
        "candidates.withdraw",
        f"nominee:{nominee.id}",
        estate_id=nominee.candidate_list.estate_id,
        name=nominee.name,
        reason=nominee.withdrawal_reason,
    )
