"""Staff accounts: creation, password checks."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.auth.models import Role, Staff
from voting.extensions import db

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
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
) -> Staff:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
        )
    if db.session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise AccountError(_("The username %(name)s is taken.", name=username))
    staff = Staff(
        username=username,
        display_name=display_name,
        password_hash=_hasher.hash(password),
        role=role.value,
        street_office_id=street_office_id if role is Role.STREET_OFFICE else None,
        community_id=community_id if role is Role.COMMUNITY else None,
        estate_id=estate_id if role in (Role.PREP_GROUP, Role.CLERK) else None,
    )
    db.session.add(staff)
    db.session.flush()
    record_event(actor, "staff.create", f"staff:{username}", estate_id=staff.estate_id, role=role.value)
    return staff


def authenticate(username: str, password: str) -> Staff | None:
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None or not staff.active:
        # Same work either way, so timing does not reveal which usernames exist.
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    return staff
