"""scripts/simulate.py: a whole vote on a generated estate, through the real endpoints.

Owners' phones and clerks' browsers are stood in for by Ed25519 keys held here: online ballots
and paper ballots are signed exactly as the browsers sign them and posted to the same HTTP
endpoints through Flask's test client.
"""

from __future__ import annotations

import json
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from simulation.candidates import vetted_list
from simulation.paper_desk import Clerk, PaperDesk
from voting.auth.models import Role
from voting.auth.operations import create_staff
from voting.board.results import publish_certification, publish_results
from voting.candidates.motion import add_committee_motion
from voting.certification.operations import body_to_sign, certify
from voting.core import checkpoint, record_v2, signing
from voting.core.canonical import b64d, b64e
from voting.demo import announce_as_of
from voting.elections.models import BatchStatus, Election, NoticeBatch
from voting.elections.operations import (
    add_motion,
    close_election,
    create_election,
    export_record,
    open_election,
    register_officer,
    tally_election,
    units_by_voter,
)
from voting.estates.models import Estate
from voting.estates.operations import create_community, create_estate, create_street_office
from voting.extensions import db, limiter
from voting.notices.operations import batch_secrets, render_notices, start_rendering, take_pdf, unlock
from voting.roster.generate import generate_roster, staff_resident_id
from voting.roster.operations import import_roster
from voting.timeutil import utcnow
from voting.witness.operations import checkpoint_to_cosign, cosign

CLERK_PASSWORD = "simulated-clerk"
NOTICES_PASSPHRASE = "simulated notices passphrase"
COMMITTEE_SEATS = 5


@contextmanager
def phase(timings: dict, name: str):
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
    click.echo(f"{name:<28}{timings[name]:9.2f} s")


def _new_estate_code(seed: int, voters: int) -> str:
    base = f"SIM-{seed}-{voters}"
    code, suffix = base, 1
    while db.session.scalar(select(Estate.id).where(Estate.code == code)) is not None:
        suffix += 1
        code = f"{base}-{suffix}"
    return code


def _roster_csv(rows: list[dict]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _choices(rng: random.Random, motions: list[MotionShape]) -> dict:
    choices = {}
    for motion in motions:
        if motion.kind == "committee":
            choices[motion.motion_id] = rng.sample(motion.candidate_ids, rng.randint(0, motion.seats))
        elif rng.random() < 0.95:  # a few leave a motion blank: that is an abstention
            choices[motion.motion_id] = rng.choices(("yes", "no", "abstain"), weights=(7, 2, 1))[0]
    return choices


def cast_online(app, client, public_id: str, election_hash: str, voter_code: str, secret: bytes, choices: dict) -> dict:
    """Sign as the owner's phone does and post to the ballot endpoint, in a request context
    of its own (the command's session holds no transaction meanwhile)."""
    ballot = {
        "election_hash": election_hash,
        "voter_id": voter_code,
        "channel": "online",
        "nonce": b64e(random.randbytes(16)),
        "choices": choices,
    }
    signature = signing.sign(signing.private_key_from_seed(secret), "ballot", ballot, record_v2.VERSION)
    with app.app_context():
        response = client.post(f"/api/v/{public_id}/ballot", json={"ballot": ballot, "signature": signature})
    if response.status_code != 200:
        raise click.ClickException(f"online ballot of {voter_code} refused: {response.get_data(as_text=True)}")
    return response.get_json()


def witness_log(officer_staff, election: Election, officer_id: str, key, now: datetime):
    """The street office's officer cosigns the log as it is at ``now``, as the browser does on
    the vote's page (voting/static/officer_keys.js)."""
    head = checkpoint_to_cosign(officer_staff, election, now=now)
    time_ = int(now.timestamp())
    text = checkpoint.text(election.election_hash, head.size, b64d(head.root))
    return cosign(
        officer_staff,
        election,
        officer_id,
        head.size,
        time_,
        b64e(key.sign(checkpoint.cosignature_message(text, time_))),
        now=now,
    )


@dataclass(frozen=True)
class MotionShape:
    motion_id: str
    kind: str
    seats: int | None
    candidate_ids: tuple[str, ...]


@click.command("simulate")
@with_appcontext
@click.option("--voters", "units", type=click.IntRange(min=5), default=50, help="Units in the generated estate.")
@click.option("--turnout", type=click.FloatRange(0, 1), default=0.8)
@click.option("--paper", type=click.FloatRange(0, 1), default=0.2, help="Share of ballots on paper.")
@click.option("--seed", type=int, default=1)
@click.option("--out", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--artifacts",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write record.json, notices.pdf, results.pdf, minutes.pdf and certification.pdf here, "
    "the record certified by a simulated street-office officer.",
)
def simulate_command(units: int, turnout: float, paper: float, seed: int, output: Path, artifacts: Path | None):
    """Generate an estate, hold a vote on it through the HTTP endpoints, export the record."""
    limiter.enabled = False  # thousands of phones and clerks, all from this one process
    rng = random.Random(seed)
    random.seed(seed)
    timings: dict[str, float] = {}
    actor = "simulate"
    with phase(timings, "roll import"):
        roster = generate_roster(units, seed)
        code = _new_estate_code(seed, units)
        office = create_street_office(actor, f"{code}-SO", "模拟街道办事处")
        community = create_community(actor, office, f"{code}-CO", "模拟社区")
        estate = create_estate(actor, code, f"模拟小区 {seed}", community)
        import_roster(actor, estate, _roster_csv(roster.rows), "simulated.csv")
        db.session.commit()
    now = utcnow()
    officer_staff = create_staff(
        actor,
        f"{code.lower()}-street",
        "模拟街道办 王科长",
        CLERK_PASSWORD,
        Role.STREET_OFFICE,
        street_office_id=office.id,
        id_number=staff_resident_id(1),
    )
    with phase(timings, "group and candidates"):
        single_owners = [
            (row["权利人"], row["证件号码"])
            for row in roster.rows
            if row["房屋状态"] == "已交付" and "、" not in row["权利人"]
        ]
        try:
            candidates = vetted_list(officer_staff, estate, single_owners, COMMITTEE_SEATS, now)
        except ValueError as too_small:
            raise click.ClickException(str(too_small)) from None
        db.session.commit()
    with phase(timings, "draft and open"):
        election = create_election(
            actor, estate, "业主大会表决（模拟）", now - timedelta(minutes=1), now + timedelta(days=7), "last"
        )
        add_motion(actor, election, 1, "审议《业主大会议事规则》")
        add_motion(actor, election, 6, "筹集住宅专项维修资金")
        add_committee_motion(actor, election, candidates, COMMITTEE_SEATS, now=now)
        clerks = []
        for serial, name in enumerate(("clerk-a", "clerk-b"), start=2):  # two people
            staff = create_staff(
                actor,
                f"{estate.code.lower()}-{name}",
                "模拟计票人",
                CLERK_PASSWORD,
                Role.CLERK,
                estate_id=estate.id,
                id_number=staff_resident_id(serial),
            )
            seed_bytes, public_key = signing.generate_keypair()
            officer = register_officer(actor, election, staff, "clerk", public_key)
            db.session.flush()
            clerks.append(
                Clerk(staff.username, CLERK_PASSWORD, officer.officer_id, signing.private_key_from_seed(seed_bytes))
            )
        certifier_seed, certifier_key = signing.generate_keypair()
        certifier = register_officer(actor, election, officer_staff, "street_office", certifier_key)
        announce_as_of(actor, election)
        batch = open_election(actor, election, NOTICES_PASSPHRASE)
        db.session.commit()
        # The simulation stands in for the owners reading their notices: it opens the secrets,
        # as the render job does, before they are rendered and forgotten.
        secrets = batch_secrets(election, batch, unlock(batch, NOTICES_PASSPHRASE))
    if artifacts:
        artifacts.mkdir(parents=True, exist_ok=True)
        with phase(timings, f"notices ({len(secrets)} pages)"):
            key = start_rendering(actor, election, batch, NOTICES_PASSPHRASE)
            db.session.commit()
            render_notices(batch, key)
            (artifacts / "notices.pdf").write_bytes(take_pdf(actor, election, batch, NOTICES_PASSPHRASE))
            db.session.commit()
    else:
        db.session.execute(
            NoticeBatch.__table__.update()
            .where(NoticeBatch.id == batch.id)
            .values(secrets_enc=None, status=BatchStatus.FAILED.value, error="simulation: no notices printed")
        )
        db.session.commit()
    app = current_app._get_current_object()
    client = app.test_client()
    public_id, election_hash, election_id, estate_code = (
        election.public_id,
        election.election_hash,
        election.id,
        estate.code,
    )
    motions = [
        MotionShape(m.motion_id, m.kind, m.seats, tuple(c.candidate_id for c in m.candidates)) for m in election.motions
    ]
    first_unit = {code: units[0] for code, units in units_by_voter(election).items()}
    db.session.commit()  # from here on every request runs in a transaction of its own
    voters = list(first_unit)  # in roll order: the random voter ids would make the seed pick others
    taking_part = rng.sample(voters, round(len(voters) * turnout))
    on_paper = set(rng.sample(taking_part, round(len(taking_part) * paper)))
    online = [v for v in taking_part if v not in on_paper]
    revoters = rng.sample(online, len(online) // 20)
    with phase(timings, f"online ballots ({len(online) + len(revoters)})"):
        for voter_code in online + revoters:
            cast_online(app, client, public_id, election_hash, voter_code, secrets[voter_code], _choices(rng, motions))
    if on_paper:
        with phase(timings, f"paper ballots ({len(on_paper)})"):
            desk = PaperDesk(app, estate_code, election_id, clerks)
            for voter_code in (v for v in voters if v in on_paper):
                desk_receipt = desk.hand_in(first_unit[voter_code])
                desk.enter(voter_code, first_unit[voter_code], _choices(rng, motions), desk_receipt)
    with phase(timings, "close and tally"):
        election = db.session.get(Election, election_id)
        close_election(actor, election, now=election.closes_at)
        witness_log(
            officer_staff,
            election,
            certifier.officer_id,
            signing.private_key_from_seed(certifier_seed),
            election.closes_at + timedelta(minutes=1),
        )
        tally = tally_election(actor, election)
        db.session.commit()
    if artifacts:
        with phase(timings, "results and minutes"):
            results, minutes = publish_results(actor, election, scrutineers=["模拟监票人 甲", "模拟监票人 乙"])
            db.session.commit()
        with phase(timings, "certification"):
            body = body_to_sign(election, certifier)
            decision = certify(
                officer_staff,
                election,
                certifier.officer_id,
                body,
                signing.sign(signing.private_key_from_seed(certifier_seed), "certification", body, record_v2.VERSION),
            )
            db.session.flush()
            certificate = publish_certification(actor, election, decision)
            db.session.commit()
        for name, notice in (("results.pdf", results), ("minutes.pdf", minutes), ("certification.pdf", certificate)):
            (artifacts / name).write_bytes(notice.pdf)
    with phase(timings, "export"):
        document = export_record(election)
        output.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        if artifacts:
            (artifacts / "record.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    click.echo(
        f"{election.public_id}: {len(voters)} voters, {tally['counted']} counted, "
        f"{len(document['log'])} log entries → {output}"
    )
