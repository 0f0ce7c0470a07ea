"""Imports every feature's models so that SQLAlchemy's metadata (and Alembic) sees them all."""

from voting.audit.models import AuditEvent
from voting.auth.models import Staff
from voting.ballots.models import Checkpoint, Cosignature, LogEntry, PaperBallot, PaperScan, TreeHead
from voting.board.models import BoardNotice, DayHead
from voting.candidates.models import CandidateList, EligibilityRule, JointSignature, Nominee, NomineeReview, Objection
from voting.certification.models import CertificationDecision
from voting.credentials.models import CredentialRequest
from voting.elections.models import (
    Candidate,
    Election,
    ElectionVoter,
    ElectionVoterScope,
    ElectionVoterUnit,
    Motion,
    MotionScopePart,
    NoticeBatch,
    Officer,
)
from voting.estates.models import Building, Community, Estate, StreetOffice, Unit
from voting.prep.models import CommitteeMilestone, PrepGroup, PrepMember
from voting.roster.models import Owner, RollObjection, RosterImport, RosterUpload, UnitOwner, Voter
from voting.vote.models import SpentChallenge

__all__ = [
    "AuditEvent",
    "BoardNotice",
    "Candidate",
    "Checkpoint",
    "Cosignature",
    "DayHead",
    "CertificationDecision",
    "CredentialRequest",
    "Election",
    "ElectionVoter",
    "ElectionVoterScope",
    "ElectionVoterUnit",
    "LogEntry",
    "Motion",
    "MotionScopePart",
    "NoticeBatch",
    "Officer",
    "PaperBallot",
    "PaperScan",
    "TreeHead",
    "Building",
    "Community",
    "Estate",
    "Owner",
    "RollObjection",
    "RosterImport",
    "RosterUpload",
    "SpentChallenge",
    "Staff",
    "StreetOffice",
    "Unit",
    "UnitOwner",
    "Voter",
    "PrepGroup",
    "PrepMember",
    "CommitteeMilestone",
    "CandidateList",
    "EligibilityRule",
    "Nominee",
    "JointSignature",
    "NomineeReview",
    "Objection",
]
