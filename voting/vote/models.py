"""What the phone's sign-in leaves behind: the challenges already answered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db
from voting.timeutil import UTCDateTime


class SpentChallenge(db.Model):
    """A sign-in challenge a phone has answered: the same answer is not taken twice. Kept only
    as long as the challenge could be used (vote.operations.CHALLENGE_LIFETIME)."""

    __tablename__ = "spent_challenge"
    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    spent_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
