"""A server killed with SIGKILL while owners cast ballots loses nothing it gave a receipt for.

gunicorn serves a vote on a database of the test's own; phones (client threads) cast signed
ballots over HTTP; the whole server (master and workers) is killed mid-way, started again, and
more ballots are cast. Then the log must hold every ballot that got a receipt, at the receipt's
seq with its entry hash, be gap-free, agree with every stored tree head, and, once closed and
counted, export a record the verifier accepts.

On PostgreSQL (TEST_DATABASE_URL) the test migrates a schema of its own in that database and
drops it afterwards: the other tests empty the public schema between tests, and the server
processes must see neither their data nor their clean-up.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from simulation.server import Gunicorn
from tests.conftest import DATABASES, POSTGRES_URL, TEST_SECRETS, make_app
from tests.elections_kit import MOTIONS, count_vote, open_vote
from tests.factories import Factory
from voting.ballots.models import LogEntry, TreeHead
from voting.ballots.operations import check_receipt
from voting.core import checkpoint, merkle, record_v2, signing
from voting.core.canonical import b64d, b64e
from voting.elections.models import Election
from voting.elections.operations import (
    export_record,
)
from voting.extensions import db
from voting.roster.generate import generate_roster, write_csv
from voting.timeutil import utcnow

PHONES = 4
RECEIPTS_BEFORE_THE_KILL = 24
BALLOTS_AFTER_THE_RESTART = 6  # per phone


@pytest.fixture(params=DATABASES)
def crash_database(request, tmp_path):
    """A migrated database no other test touches: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        url, engine, schema = f"sqlite:///{tmp_path / 'crash.sqlite'}", None, None
    else:
        schema = f"crash_{secrets.token_hex(4)}"
        engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}options=-csearch_path%3D{schema}"
    app = make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if engine is not None:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def start_server(crash_database, tmp_path):
    """Starts gunicorn on the crash database; every server started is killed at teardown."""
    servers = []
    environment = {**os.environ, "GONGZHI_ENV": "testing", "DATABASE_URL": crash_database, **TEST_SECRETS}

    def start() -> Gunicorn:
        servers.append(Gunicorn(environment, tmp_path / "gunicorn.log"))
        return servers[-1]

    yield start
    for server in servers:
        server.kill()


@dataclass
class Phones:
    """Client threads posting signed ballots; what the server answered, ballot by ballot."""

    port: int
    public_id: str
    receipts: list = field(default_factory=list)  # (ballot, receipt JSON) for each HTTP 200
    unanswered: list = field(default_factory=list)  # ballots whose request the server never answered
    refused: list = field(default_factory=list)  # (status, body): must stay empty
    lock: threading.Lock = field(default_factory=threading.Lock)

    def cast(self, ballots: list[tuple[dict, str]]) -> None:
        """Post the ballots in turn; stop at the first request the server does not answer."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for ballot, signature in ballots:
            body = json.dumps({"ballot": ballot, "signature": signature}, ensure_ascii=False).encode()
            try:
                connection.request(
                    "POST", f"/api/v/{self.public_id}/ballot", body, {"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.unanswered.append(ballot)
                return
            with self.lock:
                if response.status == 200:
                    self.receipts.append((ballot, json.loads(answer)))
                else:
                    self.refused.append((response.status, answer[:300]))

    def run(self, ballots_per_phone: list[list[tuple[dict, str]]]) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.cast, args=(ballots,)) for ballots in ballots_per_phone]
        for thread in threads:
            thread.start()
        return threads


@pytest.mark.slow(reason="starts gunicorn twice and kills it with SIGKILL; about 10 s")
def test_every_receipted_ballot_survives_a_killed_server(crash_database, start_server, tmp_path):
    roster_path = tmp_path / "roster.csv"
    write_csv(generate_roster(40, seed=6).rows, roster_path)
    app = make_app(crash_database)
    with app.app_context():
        # Open now, by the real clock: the server stamps ballots with its own.
        vote = open_vote(Factory().estate(roster=roster_path.read_bytes()), now=utcnow(), motions=MOTIONS[:2])
        election_id, public_id = vote.election.id, vote.election.public_id
        voters = sorted(vote.secrets)
        choices = [{"m1": "yes", "m2": "no"}, {"m1": "no"}, {"m1": "abstain", "m2": "yes"}]
        # Enough ballots that the phones are still casting when the server dies ("last" counts).
        before = [
            [vote.signed(voters[(phone * 7 + n) % len(voters)], choices[n % 3]) for n in range(60)]
            for phone in range(PHONES)
        ]
        after = [
            [
                vote.signed(voters[(phone * 5 + n) % len(voters)], choices[n % 3])
                for n in range(BALLOTS_AFTER_THE_RESTART)
            ]
            for phone in range(PHONES)
        ]
        db.session.commit()

    server = start_server()
    server.wait_ready(f"/v/{public_id}")
    phones = Phones(server.port, public_id)
    threads = phones.run(before)
    while len(phones.receipts) < RECEIPTS_BEFORE_THE_KILL and any(thread.is_alive() for thread in threads):
        time.sleep(0.01)
    server.kill()
    for thread in threads:
        thread.join()
    assert phones.refused == [], f"ballots refused before the kill: {phones.refused}"
    assert len(phones.receipts) >= RECEIPTS_BEFORE_THE_KILL
    assert phones.unanswered, "the phones had finished before the kill: nothing was cut off"

    server = start_server()
    server.wait_ready(f"/v/{public_id}")
    survivors = Phones(server.port, public_id)
    for thread in survivors.run(after):
        thread.join()
    server.stop()
    assert survivors.refused == [] and survivors.unanswered == []
    assert len(survivors.receipts) == PHONES * BALLOTS_AFTER_THE_RESTART
    receipts = phones.receipts + survivors.receipts

    with app.app_context():
        election = db.session.get(Election, election_id)
        entries = db.session.execute(
            select(LogEntry.seq, LogEntry.leaf_hash, LogEntry.entry_json)
            .where(LogEntry.election_id == election_id)
            .order_by(LogEntry.seq)
        ).all()
        # Gap-free, and the election's own count agrees.
        assert [entry.seq for entry in entries] == list(range(len(entries))) == list(range(election.log_size))
        # Every receipt: its ballot at its seq, with its entry hash; its proofs check against the newest head.
        for ballot, receipt in receipts:
            entry = entries[receipt["seq"]]
            assert entry.leaf_hash == receipt["entry_hash"]
            assert json.loads(entry.entry_json)["body"] == ballot
            check_receipt(election, receipt)
        # Nothing else is logged: a ballot cut off by the kill may be there (its commit may have
        # won the race with the kill), once at most.
        logged_nonces = [json.loads(entry.entry_json)["body"]["nonce"] for entry in entries]
        assert len(set(logged_nonces)) == len(logged_nonces)
        assert set(logged_nonces) <= {ballot["nonce"] for ballot, _ in receipts} | {
            ballot["nonce"] for ballot in phones.unanswered
        }
        # Every stored head is signed and has the root of the log's first `size` entries.
        leaf_hashes = [b64d(entry.leaf_hash) for entry in entries]
        heads = db.session.execute(
            select(TreeHead.size, TreeHead.root, TreeHead.signature)
            .where(TreeHead.election_id == election_id)
            .order_by(TreeHead.size)
        ).all()
        assert [head.size for head in heads] == list(range(1, len(entries) + 1))
        for head in heads:
            assert head.root == b64e(merkle.root(leaf_hashes[: head.size]))
            text = checkpoint.text(election.election_hash, head.size, b64d(head.root))
            assert signing.verify_message(b64d(election.public_key), text, head.signature)
        # The frontier the next append would extend is the whole log's.
        assert merkle.Frontier.from_json(json.loads(election.frontier_json)).root() == merkle.root(leaf_hashes)

        tally = count_vote(election)
        document = export_record(election)
        assert record_v2.verify(json.loads(json.dumps(document))) == tally
        assert tally["counted"] == len({json.loads(entry.entry_json)["body"]["voter_id"] for entry in entries})
