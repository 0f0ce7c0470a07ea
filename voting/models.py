"""Imports every feature's models so that SQLAlchemy's metadata (and Alembic) sees them all."""

from voting.audit.models import AuditEvent
from voting.auth.models import Staff
from voting.ballots.models import LogEntry, PaperBallot, PaperScan, TreeHead
from voting.elections.models import Candidate, CredentialEvent, Election, ElectionVoter, Motion, NoticeBatch, Officer
from voting.estates.models import Building, Community, Estate, StreetOffice, Unit
from voting.roster.models import Owner, RosterImport, RosterUpload, UnitOwner, Voter

__all__ = [
    "AuditEvent",
    "Candidate",
    "CredentialEvent",
    "Election",
    "ElectionVoter",
    "LogEntry",
    "Motion",
    "NoticeBatch",
    "Officer",
    "PaperBallot",
    "PaperScan",
    "TreeHead",
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
