"""Builds signed gongzhi-record/1 documents for the tests and the benchmarks.

Keys come from fixed seeds, so every record is reproducible. A kit holds an election and a roll;
``online`` and ``paper`` append signed log entries; ``record`` adds the tree head, the tally
(from rules.tally) and a street-office certification.
"""

from dataclasses import dataclass
from datetime import timedelta

from voting.core import merkle, record, rules, signing
from voting.core.canonical import H, b64e, format_time, parse_time

OPENS_AT = "2026-12-01T08:00:00+08:00"
CLOSES_AT = "2026-12-15T20:00:00+08:00"
CLERKS = ("clerk-a", "clerk-b")
STREET_OFFICER = "street-1"


def private_key(name: str):
    """The test key of a voter, officer or the election, derived from its name."""
    return signing.private_key_from_seed(H(b"recordkit/" + name.encode("utf-8")))


def public_key(name: str) -> str:
    return signing.public_key_b64(private_key(name))


def question(motion_id: str, kind: str = "ordinary", title: str = "选聘物业服务企业") -> dict:
    return {"motion_id": motion_id, "kind": kind, "title": title}


def committee(motion_id: str, seats: int, candidate_ids: list[str]) -> dict:
    return {
        "motion_id": motion_id,
        "kind": "committee",
        "title": "选举业主委员会委员",
        "seats": seats,
        "candidates": [
            {"candidate_id": candidate_id, "name": f"候选人{candidate_id}"} for candidate_id in candidate_ids
        ],
    }


@dataclass
class Voter:
    voter_id: str
    area: int = 10000
    heads: int = 1
    has_credential: bool = True
    units: list[str] | None = None
    key: str | None = None  # public_key(voter_id) derived ahead (the benchmark derives thousands on every core)

    def as_roll_entry(self) -> dict:
        entry = {
            "voter_id": self.voter_id,
            "area": self.area,
            "heads": self.heads,
            "public_key": (self.key or public_key(self.voter_id)) if self.has_credential else None,
        }
        if self.units is not None:
            entry["units"] = self.units
        return entry


def voters(count: int, area: int = 10000) -> list[Voter]:
    return [Voter(f"v{number:04d}", area) for number in range(count)]


class RecordKit:
    def __init__(self, roll_voters: list[Voter], motions: list[dict], revote: str = "last"):
        roll_entries = sorted((voter.as_roll_entry() for voter in roll_voters), key=_voter_id)
        self.roll = {
            "voters": roll_entries,
            "total_area": sum(voter["area"] for voter in roll_entries),
            "total_heads": sum(voter["heads"] for voter in roll_entries),
        }
        officers = [(name, "clerk") for name in CLERKS] + [(STREET_OFFICER, "street_office")]
        self.election = {
            "election_id": "e1",
            "community": {"code": "330282-007", "name": "测试花园"},
            "title": "业主大会表决",
            "opens_at": OPENS_AT,
            "closes_at": CLOSES_AT,
            "revote": revote,
            "nonvoters_follow_majority": False,
            "motions": motions,
            "officers": [{"officer_id": name, "role": role, "public_key": public_key(name)} for name, role in officers],
            "election_public_key": public_key("election"),
            "roll_hash": record.roll_hash(self.roll),
        }
        self.log = []

    def ballot(self, voter_id: str, choices: dict, channel: str = "online", nonce: bytes = b"") -> dict:
        ballot = {
            "election_hash": record.election_hash(self.election),
            "voter_id": voter_id,
            "channel": channel,
            "nonce": b64e(nonce or H(f"{voter_id}/{len(self.log)}".encode())[:16]),
            "choices": choices,
        }
        if channel == "paper":
            ballot["paper_scan_sha256"] = b64e(H(f"scan of entry {len(self.log)}".encode()))
        return ballot

    def online(self, voter_id: str, choices: dict, received_at: str | None = None, nonce: bytes = b"") -> dict:
        """Append a ballot the voter signed on the phone."""
        ballot = self.ballot(voter_id, choices, "online", nonce)
        return self.append(ballot, [voter_id], received_at)

    def paper(self, voter_id: str, choices: dict, clerks=CLERKS, received_at: str | None = None) -> dict:
        """Append a paper ballot keyed and checked by two clerks."""
        return self.append(self.ballot(voter_id, choices, "paper"), clerks, received_at)

    def append(self, ballot: dict, signers, received_at: str | None = None) -> dict:
        signatures = [
            {"signer": signer, "signature": signing.sign(private_key(signer), "ballot", ballot)} for signer in signers
        ]
        return self.append_signed(ballot, signatures, received_at)

    def append_signed(self, ballot: dict, signatures: list[dict], received_at: str | None = None) -> dict:
        """Append a ballot signed elsewhere (the benchmark signs on every core)."""
        entry = {
            "seq": len(self.log),
            "received_at": received_at or _minutes_after_opening(len(self.log) + 1),
            "ballot": ballot,
            "signatures": signatures,
        }
        self.log.append(entry)
        return entry

    def record(self, certify: bool = True, tally: dict | None = None) -> dict:
        """The finished record; ``tally`` replaces the recount as the published tally."""
        leaf_hashes = [record.entry_leaf_hash(entry) for entry in self.log]
        tree_head = record.sign_tree_head(
            private_key("election"),
            record.election_hash(self.election),
            len(self.log),
            b64e(merkle.root(leaf_hashes)),
            CLOSES_AT,
        )
        if tally is None:
            tally = rules.tally(self.election, self.roll, self.log)
        certifications = []
        if certify:
            body = record.certification_body(tree_head, tally, STREET_OFFICER, CLOSES_AT)
            certifications.append(record.sign_certification(private_key(STREET_OFFICER), body))
        return record.build(self.election, self.roll, self.log, tree_head, tally, certifications)


def full_kit() -> RecordKit:
    """A small election that uses every feature: three kinds of motion, online and paper
    ballots (one for a voter without a credential), a changed vote, a blank motion, units."""
    roll_voters = [
        Voter("v01", 9000, units=["1-1-101"]),
        Voter("v02", 12000, units=["1-1-102", "1-1-103"]),
        Voter("v03", 8956),
        Voter("v04", 10000, has_credential=False, units=["2-1-201"]),
        Voter("v05", 11000),
        Voter("dev", 30000, units=[]),
    ]
    motions = [
        question("a"),
        question("b", "major", "筹集专项维修资金"),
        committee("c", 2, ["k1", "k2", "k3"]),
    ]
    kit = RecordKit(roll_voters, motions)
    kit.online("v01", {"a": "yes", "b": "yes", "c": ["k1", "k2"]})
    kit.online("v02", {"a": "no", "b": "abstain", "c": []})
    kit.paper("v04", {"a": "yes", "b": "yes", "c": ["k1", "k3"]})
    kit.online("dev", {"a": "yes", "c": ["k1", "k2"]})
    kit.online("v02", {"a": "yes", "b": "yes", "c": ["k2", "k1"]})
    kit.paper("v05", {"b": "no"}, clerks=("clerk-b", "clerk-a"))
    return kit


def _voter_id(voter: dict) -> str:
    return voter["voter_id"]


def _minutes_after_opening(minutes: int) -> str:
    return format_time(parse_time(OPENS_AT) + timedelta(minutes=minutes))
