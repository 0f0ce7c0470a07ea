"""Builds signed gongzhi-record/2 documents for the tests and the conformance vectors.

Every key comes from a fixed seed (records.private_key) and every time is given, so a record
built twice is the same to the byte. A kit holds the election and the roll; its methods append
log entries as the server would; ``witness`` adds a cosigned checkpoint of the log so far;
``record`` finishes with the tree head, the tally and a certification.
"""

import copy
from dataclasses import dataclass, field
from datetime import timedelta

from simulation.records import CLOSES_AT, OPENS_AT, private_key, public_key
from voting.core import checkpoint, merkle, record_v2, rules
from voting.core.canonical import H, b64e, format_time, parse_time

# officer_id -> (role, account, person)
OFFICERS = {
    "clerk-a": ("clerk", "clerk_a", "person-a"),
    "clerk-b": ("clerk", "clerk_b", "person-b"),
    "prep-1": ("preparation_group", "prep_1", "person-c"),
    "prep-2": ("preparation_group", "prep_2", "person-d"),
    "street-1": ("street_office", "street_1", "person-e"),
    "witness.example/w1": ("witness", "witness.example", "witness.example"),
}
CLERKS = ("clerk-a", "clerk-b")
APPROVERS = ("prep-1", "prep-2")
STREET_OFFICER = "street-1"
WITNESS = "witness.example/w1"


def question(motion_id: str, item: int = 4, title: str = "选聘物业服务企业", scope: str = "estate") -> dict:
    return {"motion_id": motion_id, "kind": "question", "title": title, "item": item, "scope": scope, "documents": []}


def committee(motion_id: str, seats: int, candidate_ids: list[str]) -> dict:
    return {
        "motion_id": motion_id,
        "kind": "committee",
        "title": "选举业主委员会委员",
        "item": 3,
        "scope": "estate",
        "documents": [],
        "seats": seats,
        "candidates": [{"candidate_id": c, "name": f"候选人{c}"} for c in candidate_ids],
    }


def choice_motion(motion_id: str, option_ids: list[str], item: int = 4, title: str = "选聘哪家物业服务企业") -> dict:
    return {
        "motion_id": motion_id,
        "kind": "choice",
        "title": title,
        "item": item,
        "scope": "estate",
        "documents": [],
        "options": [{"option_id": o, "title": f"物业服务企业{o}"} for o in option_ids],
    }


@dataclass
class Voter:
    voter_id: str
    area: int = 10000
    heads: int = 1
    has_credential: bool = True
    scopes: dict = field(default_factory=dict)  # other scope -> (area, heads)
    key: str | None = None  # public_key(voter_id) derived ahead (the benchmark derives thousands on every core)

    def as_roll_entry(self) -> dict:
        weights = {"estate": {"area": self.area, "heads": self.heads}}
        weights.update({scope: {"area": a, "heads": h} for scope, (a, h) in self.scopes.items()})
        return {
            "voter_id": self.voter_id,
            "weights": weights,
            "public_key": (self.key or public_key(self.voter_id)) if self.has_credential else None,
            "units_commitment": b64e(H(b"units of " + self.voter_id.encode())),
        }


def voters(count: int, area: int = 10000) -> list[Voter]:
    return [Voter(f"v{number:04d}", area) for number in range(count)]


class RecordKit:
    def __init__(
        self,
        roll_voters: list[Voter],
        motions: list[dict],
        revote: str = "last",
        invalid_ballot: str = "took_part",
        scopes: list[dict] | None = None,
        max_extension_days: int | None = None,
    ):
        scopes = [{"scope_id": "estate", "title": "测试花园全体业主"}, *(scopes or [])]
        entries = sorted((voter.as_roll_entry() for voter in roll_voters), key=lambda v: v["voter_id"])
        totals = {}
        for scope in scopes:
            in_scope = [v["weights"][scope["scope_id"]] for v in entries if scope["scope_id"] in v["weights"]]
            totals[scope["scope_id"]] = {
                "area": sum(w["area"] for w in in_scope),
                "heads": sum(w["heads"] for w in in_scope),
            }
        self.roll = {"voters": entries, "totals": totals}
        self.election = {
            "election_id": "e2",
            "community": {"code": "330282-007", "name": "测试花园"},
            "title": "业主大会表决",
            "opens_at": OPENS_AT,
            "closes_at": CLOSES_AT,
            "revote": revote,
            "rules": {**rules.NATIONAL_RULES, **rules.ROLL_RULES, "invalid_ballot": invalid_ballot}
            | ({} if max_extension_days is None else {"max_extension_days": max_extension_days}),
            "scopes": scopes,
            "motions": motions,
            "officers": [
                {
                    "officer_id": officer_id,
                    "role": role,
                    "public_key": public_key(officer_id),
                    "account": account,
                    "person": person,
                }
                for officer_id, (role, account, person) in OFFICERS.items()
            ],
            "election_public_key": public_key("election"),
            "roll_hash": record_v2.roll_hash(self.roll),
        }
        self.hash = record_v2.election_hash(self.election)
        self.log: list[dict] = []
        self.checkpoints: list[dict] = []
        self.key_names = {voter.voter_id: voter.voter_id for voter in roll_voters}  # key in effect
        self.closes_at = CLOSES_AT  # the close in effect, moved by extensions

    # --- log entries ----------------------------------------------------------------------------

    def append(self, kind: str, body: dict, signers, at: str | None = None, purpose: str | None = None) -> dict:
        return self.append_signed(
            kind,
            body,
            [record_v2.sign_body(private_key(key_name), signer, purpose or kind, body) for signer, key_name in signers],
            at,
        )

    def append_signed(self, kind: str, body: dict, signatures: list[dict], at: str | None = None) -> dict:
        """Append an entry signed elsewhere (the benchmark signs on every core)."""
        entry = record_v2.entry(len(self.log), at or minutes_after_opening(len(self.log) + 1), kind, body, signatures)
        self.log.append(entry)
        return entry

    def ballot_body(self, voter_id: str, choices: dict, channel: str = "online", nonce: bytes = b"") -> dict:
        return {
            "election_hash": self.hash,
            "voter_id": voter_id,
            "channel": channel,
            "nonce": b64e(nonce or H(f"{voter_id}/{len(self.log)}".encode())[:16]),
            "choices": choices,
        }

    def online(self, voter_id: str, choices: dict, at: str | None = None, nonce: bytes = b"") -> dict:
        """A ballot the voter signed on the phone with the key now in effect."""
        body = self.ballot_body(voter_id, choices, "online", nonce)
        return self.append("ballot", body, [(voter_id, self.key_names[voter_id])], at)

    def handin(
        self,
        desk_receipt: str,
        voter_id: str | None = None,
        identity_checked: bool = False,
        clerk: str = "clerk-a",
        at: str | None = None,
    ) -> dict:
        body = {
            "election_hash": self.hash,
            "desk_receipt": desk_receipt,
            "voter_id": voter_id,
            "identity_checked": identity_checked,
        }
        return self.append("handin", body, [(clerk, clerk)], at)

    def paper(
        self,
        voter_id: str,
        choices: dict,
        handin: int,
        invalid: dict | None = None,
        proxy: bool = False,
        clerks=CLERKS,
        at: str | None = None,
    ) -> dict:
        """A paper ballot keyed by one clerk and checked by the other."""
        body = {
            **self.ballot_body(voter_id, choices, "paper"),
            "invalid": invalid or {},
            "paper_scan_sha256": b64e(H(f"scan of entry {len(self.log)}".encode())),
            "proxy_sha256": b64e(H(b"written proxy")) if proxy else None,
            "handin": handin,
        }
        return self.append("ballot", body, [(clerk, clerk) for clerk in clerks], at)

    def handed_in_paper(self, voter_id: str, choices: dict, **paper) -> dict:
        """A hand-in at the desk by the owner in person, then its ballot keyed at once."""
        handin = self.handin(f"D{len(self.log):04d}", voter_id, identity_checked=True)
        return self.paper(voter_id, choices, handin["seq"], **paper)

    def credential(
        self, voter_id: str, action: str, reason: str = "lost", signers=APPROVERS, at: str | None = None
    ) -> dict:
        """A revocation, or a reissue whose new key the kit then signs the voter's ballots with."""
        new_name = f"{voter_id}/reissue-{len(self.log)}"
        body = {
            "election_hash": self.hash,
            "voter_id": voter_id,
            "action": action,
            "public_key": public_key(new_name) if action == "reissue" else None,
            "reason": reason,
        }
        entry = self.append("credential", body, [(signer, signer) for signer in signers], at)
        self.key_names[voter_id] = new_name if action == "reissue" else None
        return entry

    def extension(
        self, closes_at: str, reason: str = "参与表决的业主未达三分之二", signers=("prep-1", STREET_OFFICER), at=None
    ) -> dict:
        """The close moved to ``closes_at``, signed by a group member and the street office."""
        body = {
            "election_hash": self.hash,
            "closes_at": closes_at,
            "previous_closes_at": self.closes_at,
            "reason": reason,
        }
        entry = self.append("extension", body, [(signer, signer) for signer in signers], at)
        self.closes_at = closes_at
        return entry

    def notices(self, count: int, downloaded_by: str = "prep_1", at: str | None = None) -> dict:
        body = {"election_hash": self.hash, "count": count, "downloaded_by": downloaded_by}
        return self.append("notices", body, [], at)

    # --- heads ---------------------------------------------------------------------------------

    def leaf_hashes(self) -> list[bytes]:
        return [record_v2.entry_leaf_hash(entry) for entry in self.log]

    def head(self, size: int | None = None) -> dict:
        size = len(self.log) if size is None else size
        root = merkle.root(self.leaf_hashes()[:size])
        return checkpoint.sign(private_key("election"), self.hash, size, root)

    def witness(self, witnesses=(STREET_OFFICER,), time: int | None = None) -> dict:
        """A checkpoint of the log so far, cosigned by each witness at ``time`` (default: a minute
        after the last entry)."""
        head = self.head()
        if time is None:
            last = parse_time(self.log[-1]["logged_at"]) if self.log else parse_time(OPENS_AT)
            time = int(last.timestamp()) + 60
        head["cosignatures"] = [
            checkpoint.cosign(private_key(witness), witness, self.hash, head, time) for witness in witnesses
        ]
        self.checkpoints.append(head)
        return head

    def receipt(self, seq: int, size: int | None = None) -> dict:
        """The receipt the phone was given for entry ``seq``: against the head right after it."""
        size = seq + 1 if size is None else size
        return record_v2.receipt(
            self.election["election_id"],
            self.hash,
            seq,
            self.log[seq]["logged_at"],
            self.leaf_hashes(),
            self.head(size),
        )

    def witness_close(self) -> dict:
        """The street office's cosignature at the close, on the log as it then is."""
        return self.witness(time=int(parse_time(self.closes_at).timestamp()))

    def record(self, certify: bool = True, tally: dict | None = None, witness_close: bool = True) -> dict:
        """The finished record; unless it was already, the close is witnessed on the log as it
        is now (after it, only paper ballots can join)."""
        close = int(parse_time(self.closes_at).timestamp())
        already = any(c["time"] >= close for head in self.checkpoints for c in head["cosignatures"])
        if witness_close and not already:
            self.witness_close()
        tree_head = self.head()
        if tally is None:
            tally = rules.tally_v2(self.election, self.roll, self.log)
        certifications = []
        if certify:
            body = record_v2.certification_body(tree_head, tally, self.hash, STREET_OFFICER, CLOSES_AT)
            certifications.append(record_v2.sign_certification(private_key(STREET_OFFICER), body))
        # A copy, so that the kit can go on (or be tampered with) without changing this record.
        return copy.deepcopy(
            record_v2.build(self.election, self.roll, self.log, self.checkpoints, tree_head, tally, certifications)
        )


def full_kit() -> RecordKit:
    """A small vote that uses every feature of format 2: both kinds of motion and both
    thresholds, a building scope, online and paper ballots, a hand-in before the close keyed
    after it, a proxy, an invalid mark, a revocation and a reissue approved by two people, the
    notices entry, a changed vote, and witnessed checkpoints."""
    roll_voters = [
        Voter("a7k2", 9000, scopes={"b1": (9000, 1)}),
        Voter("c3m9", 12000, scopes={"b1": (12000, 1)}),
        Voter("d8q4", 8956),
        Voter("f2x7", 10000, has_credential=False),
        Voter("h5n1", 11000, scopes={"b1": (5000, 1)}),
        Voter("k9r3", 30000),
    ]
    motions = [
        question("a", item=4),
        question("b", item=6, title="筹集专项维修资金"),
        committee("c", 2, ["k1", "k2", "k3"]),
        question("d", item=5, title="使用维修资金维修1幢屋面", scope="b1"),
    ]
    kit = RecordKit(roll_voters, motions, scopes=[{"scope_id": "b1", "title": "1幢"}])
    kit.witness(time=int(parse_time(OPENS_AT).timestamp()))  # the empty log, at the opening
    kit.notices(6)
    kit.online("a7k2", {"a": "yes", "b": "yes", "c": ["k1", "k2"], "d": "yes"})
    kit.online("c3m9", {"a": "no", "b": "abstain", "c": []})
    kit.handed_in_paper("f2x7", {"a": "yes", "b": "yes", "c": ["k1", "k3"]}, proxy=True)
    kit.credential("d8q4", "reissue")
    kit.online("k9r3", {"a": "yes", "c": ["k1", "k2"]})
    kit.online("c3m9", {"a": "yes", "b": "yes", "c": ["k2", "k1"], "d": "no"})
    kit.credential("h5n1", "revoke", reason="not_received", signers=("prep-1", STREET_OFFICER))
    kit.online("d8q4", {"a": "yes", "b": "no", "c": ["k3"]})
    kit.witness()  # the street office's visit to the turnout page
    sealed_box = kit.handin("D0100")
    kit.witness((STREET_OFFICER, WITNESS), time=int(parse_time(CLOSES_AT).timestamp()))  # the close
    after_close = format_time(parse_time(CLOSES_AT) + timedelta(hours=2))
    kit.paper(
        "h5n1",
        {"b": "no", "d": "yes"},
        sealed_box["seq"],
        invalid={"a": "several_marks"},
        clerks=("clerk-b", "clerk-a"),
        at=after_close,
    )
    return kit


def minutes_after_opening(minutes: int) -> str:
    return format_time(parse_time(OPENS_AT) + timedelta(minutes=minutes))
