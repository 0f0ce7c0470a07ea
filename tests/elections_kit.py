"""Helpers for tests that hold a vote: an open election with the voters' secrets in hand."""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from voting.core import signing
from voting.core.canonical import b64e
from voting.elections.models import Election, ElectionVoter
from voting.elections.operations import add_committee_election, add_motion, create_election, open_election
from voting.extensions import db
from voting.notices.operations import batch_secrets, unlock
from voting.roster.models import Voter

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=timezone.utc)
PASSPHRASE = "notices passphrase of the tests"  # what the group member types when opening a vote


def notice_secrets(batch) -> dict[str, bytes]:
    """Voter code -> credential seed, opened with the test passphrase as the render job opens
    them: the test stands in for owners reading their notices."""
    return batch_secrets(db.session.get(Election, batch.election_id), batch, unlock(batch, PASSPHRASE))


def roster_voter_ids(election) -> dict[str, str]:
    """The roster's voter code (v00001 …) -> this vote's random voter id, matched by units: tests
    name a roll's voters by their roster codes, which a vote never uses."""
    by_units = {
        tuple(sorted(json.loads(units))): code for code, units in db.session.execute(
            select(ElectionVoter.voter_code, ElectionVoter.units_json).where(ElectionVoter.election_id == election.id))
    }
    return {
        voter.code: by_units[tuple(sorted(unit.label for unit in voter.units))]
        for voter in db.session.scalars(
            select(Voter).where(Voter.estate_id == election.estate_id).options(selectinload(Voter.units)))
    }


@dataclass
class OpenVote:
    election: object
    secrets: dict[str, bytes]  # voter code -> credential seed, as printed on the notices

    @cached_property
    def ids(self) -> dict[str, str]:
        """roster code -> this vote's voter code."""
        return roster_voter_ids(self.election)

    def ballot(self, voter_code: str, choices: dict, channel: str = "online") -> dict:
        return {"election_hash": self.election.election_hash, "voter_id": voter_code, "channel": channel,
                "nonce": b64e(secrets.token_bytes(16)), "choices": choices}

    def signed(self, voter_code: str, choices: dict) -> tuple[dict, str]:
        ballot = self.ballot(voter_code, choices)
        key = signing.private_key_from_seed(self.secrets[voter_code])
        return ballot, signing.sign(key, "ballot", ballot)


def open_vote(estate, revote: str = "last", *, officers=(), motions=None, **options) -> OpenVote:
    """An election on the estate's roll, open from a day before NOW to a week after: an ordinary
    motion (m1), a major one (m2) and a committee election (m3), or the (item, title) motions given."""
    election = create_election("test", estate, "业主大会表决", NOW - timedelta(days=1), NOW + timedelta(days=7),
                               revote, **options)
    for item, title in motions or ((4, "选聘物业服务企业"), (6, "筹集住宅专项维修资金")):
        add_motion("test", election, item, title)
    if motions is None:
        add_committee_election("test", election, "选举业主委员会", 2, candidates=["甲", "乙", "丙"])
    for staff, role, public_key in officers:
        from voting.elections.operations import register_officer

        register_officer("test", election, staff, role, public_key)
    batch = open_election("test", election, PASSPHRASE)
    db.session.commit()
    return OpenVote(election, notice_secrets(batch))
