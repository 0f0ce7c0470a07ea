"""Staff accounts: creation, password checks, the person behind each account."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.auth.models import Role, Staff
from voting.errors import Refusal
from voting.extensions import db
from voting.privacy import personal_data
from voting.roster.parsing import is_resident_id, normalise_id_number

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# Accounts that act for the vote (officers, the group): each must be a known person, so that two
# accounts of one person never pass for two people.
PERSON_ROLES = frozenset({Role.STREET_OFFICE, Role.PREP_GROUP, Role.CLERK})


class AccountError(Refusal):
    pass


def create_staff(
    actor: str,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    *,
    street_office_id: int | None = None,
    community_id: int | None = None,
    estate_id: int | None = None,
    id_number: str = "",
) -> Staff:
    """A new account; ``id_number`` is the person's resident ID, required for PERSON_ROLES and
    kept only as its keyed hash."""
    if db.session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise AccountError(_("The username %(name)s is taken.", name=username))
    if role in PERSON_ROLES and not id_number.strip():
        raise AccountError(
            _("Street office, preparation group and clerk accounts need the person's resident ID number.")
        )
    staff = Staff(
        username=username,
        display_name=display_name,
        role=role.value,
        street_office_id=street_office_id if role is Role.STREET_OFFICE else None,
        community_id=community_id if role is Role.COMMUNITY else None,
        estate_id=estate_id if role in (Role.PREP_GROUP, Role.CLERK) else None,
        id_hash=person_hash(id_number) if id_number.strip() else None,
    )
    set_password(staff, password)
    db.session.add(staff)
    db.session.flush()
    record_event(actor, "staff.create", f"staff:{username}", estate_id=staff.estate_id, role=role.value)
    return staff


def set_password(staff: Staff, password: str) -> None:
    """A new password; every login of the account so far ends with the old one."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))
    staff.password_hash = _hasher.hash(password)
    staff.end_sessions()


def change_password(staff: Staff, current_password: str, new_password: str) -> None:
    """The account's holder sets a new password, proving the current one. Every login of the
    account ends (set_password); the caller carries its own login on under the new token."""
    if not _password_matches(staff, current_password):
        raise AccountError(_("The current password is not right."))
    if new_password == current_password:
        raise AccountError(_("The new password must differ from the current one."))
    set_password(staff, new_password)
    record_event(staff.username, "staff.password", f"staff:{staff.username}", estate_id=staff.estate_id)


def person_hash(id_number: str) -> str:
    """The keyed hash of a resident ID number: the only form in which an account keeps it."""
    number = normalise_id_number(id_number)
    if not is_resident_id(number):
        raise AccountError(
            _(
                "That is not a valid resident ID number: 18 characters with a real date of birth "
                "and the right check digit (GB 11643)."
            )
        )
    return personal_data().match_hash(number)


def record_id_number(actor: str, staff: Staff, id_number: str) -> None:
    """The person behind an account made before ID numbers were asked for. Once recorded it
    stays: officer keys and the records of votes are bound to it."""
    if staff.id_hash is not None:
        raise AccountError(_("The ID number of %(name)s is already recorded.", name=staff.username))
    staff.id_hash = person_hash(id_number)
    record_event(actor, "staff.id_number", f"staff:{staff.username}", estate_id=staff.estate_id)


def same_person(one: Staff, other: Staff) -> bool:
    """One account, or two accounts with one ID number: where two people must act, that is one."""
    return one.id == other.id or (one.id_hash is not None and one.id_hash == other.id_hash)


def authenticate(username: str, password: str) -> Staff | None:
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None or not staff.active:
        # Same work either way, so timing does not reveal which usernames exist.
        _hasher.hash(password)
        return None
    if not _password_matches(staff, password):
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    return staff


def _password_matches(staff: Staff, password: str) -> bool:
    try:
        return _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
