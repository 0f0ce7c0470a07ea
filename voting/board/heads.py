"""Each day a vote runs, the head of its ballot log goes up on the estate's notice board.

The trigger is the first request of the day that touches the running vote: a ballot (online or
paper) or its turnout page. That needs no scheduler, which the embedded setup lacks, and it is
enough: the log changes only with ballots, so the first ballot of a day always finds the head of
the days before posted or posts it (a day without ballots or visits has nothing new to show).
The request only checks, after it has committed, whether today's head is missing and then hands
the work to the job queue (voting.jobs): a ballot never waits for a PDF, and a lost job is made
good by the next request of the day. Under the election's lock the job makes a checkpoint of the
log as it stands (voting.ballots.log) and posts it with its signed note; one day, one
entry, whatever the race (day_head is unique per vote and day).
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from voting.ballots.log import locked, make_checkpoint, signed_note
from voting.ballots.models import Checkpoint
from voting.board.documents import tree_head_pdf
from voting.board.models import DayHead
from voting.board.operations import publish
from voting.core.canonical import SHANGHAI
from voting.elections.models import Election, State
from voting.extensions import db
from voting.formatting import format_date
from voting.jobs import enqueue
from voting.timeutil import utcnow

ACTOR = "gongzhi"  # the audit log's name for what the service does by itself


def voting_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def day_head_due(election: Election, now: datetime | None = None) -> bool:
    """Is the vote running now, with no head on the board yet today?"""
    now = now or utcnow()
    if election.state != State.OPEN or not election.opens_at <= now <= election.closes_at:
        return False
    return (
        db.session.scalar(select(DayHead.id).where(DayHead.election_id == election.id, DayHead.day == voting_day(now)))
        is None
    )


def remind_day_head(election: Election) -> None:
    """After a request that touched the vote has committed: queue today's head if it is due.

    Never fails the request: what it follows (a ballot) is logged already, and the day's next
    request queues the head again."""
    try:
        if day_head_due(election):
            election_id = election.id
            db.session.commit()  # ends the check's transaction: the job works in one of its own
            enqueue("voting.board.heads.post_day_head_job", election_id)
    except Exception:  # noqa: BLE001 — a queue or database fault here must not undo the answer
        db.session.rollback()
        current_app.logger.exception("queueing the day's head of vote %s failed", election.id)


def post_day_head_job(election_id: int) -> None:
    post_day_head(election_id)
    db.session.commit()


def post_day_head(election_id: int, now: datetime | None = None) -> DayHead | None:
    """Post today's head of the log unless it is up already. The checkpoint is made under the
    election's lock, so no ballot lands between the check and the head, and committed before
    the PDF is laid out: ballots never wait for the layout. Two jobs racing past the second
    check meet the unique day head, and one of them fails harmlessly."""
    now = now or utcnow()
    election = locked(election_id)
    if not day_head_due(election, now):
        return None
    checkpoint_id = make_checkpoint(election.id).id
    db.session.commit()
    election = db.session.get(Election, election_id)
    if not day_head_due(election, now):  # posted by another job meanwhile
        return None
    made = db.session.get(Checkpoint, checkpoint_id)
    day = voting_day(now)
    note = signed_note(election, made)
    notice = publish(
        ACTOR,
        election.estate,
        "tree_head",
        _("Head of the ballot log on %(day)s: %(title)s", day=format_date(day), title=election.title),
        lambda url: tree_head_pdf(
            election.estate, election.title, election.public_id, day.isoformat(), made.size, note, url
        ),
        published_from=now,
        election_id=election.id,
    )
    posted = DayHead(election_id=election.id, day=day, checkpoint_id=made.id, notice_id=notice.id)
    db.session.add(posted)
    db.session.flush()
    return posted
