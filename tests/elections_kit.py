"""Helpers for tests that hold a vote: an open election with the voters' secrets in hand."""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from voting.core import signing
from voting.core.canonical import b64d, b64e
from voting.elections.operations import add_committee_election, add_motion, create_election, open_election
from voting.extensions import db
from voting.roster.operations import personal_data

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=timezone.utc)


@dataclass
class OpenVote:
    election: object
    secrets: dict[str, bytes]  # voter code -> credential seed, as printed on the notices

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
    batch = open_election("test", election)
    db.session.commit()
    seeds = {code: b64d(s) for code, s in json.loads(personal_data().decrypt(batch.secrets_enc)).items()}
    return OpenVote(election, seeds)
