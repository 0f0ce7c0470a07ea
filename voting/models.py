"""Imports every feature's models so that SQLAlchemy's metadata (and Alembic) sees them all."""

from voting.audit.models import AuditEvent
from voting.auth.models import Staff
from voting.estates.models import Building, Community, Estate, StreetOffice, Unit
from voting.roster.models import Owner, RosterImport, RosterUpload, UnitOwner, Voter

__all__ = [
    "AuditEvent",
    "Building",
    "Community",
    "Estate",
    "Owner",
    "RosterImport",
    "RosterUpload",
    "Staff",
    "StreetOffice",
    "Unit",
    "UnitOwner",
    "Voter",
]
