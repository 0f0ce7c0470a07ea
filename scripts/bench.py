#!/usr/bin/env python3
"""Gongzhi benchmarks, each figure beside a baseline measured in the same run.

    .venv/bin/python scripts/bench.py [--quick] [--database-url URL] [--json OUT.json]

- casting: signed ballots per second through gunicorn and PostgreSQL, with p50/p95/p99 latency,
  beside the raw Ed25519 verify rate and the rate of one-row transactions on the same database;
- verification: seconds and peak memory to verify a 100,000-ballot record, beside the bare
  Ed25519 verification of its own signatures on as many cores (target: at most 25 % more, and
  under 1 GB);
- verification-v2: the same for a 100,000-ballot record of format 2 (hand-ins, credential acts,
  witnessed checkpoints), a few receipts and a held checkpoint checked against it (target: at
  most 25 % more with one worker and with one per core);
- browser-verification: seconds for the public record page's verifier (voting/static/verify/) to
  verify a 10,000-ballot format-2 record in headless Debian Chromium on a desktop viewport, with
  WebCrypto's Ed25519 and with the noble-ed25519 fallback, beside the Python verifier on the same
  record;
- notices: pages per second of the voting notices, beside bare A4 pages with one QR code each;
- close to results: close, tally, export, verify, results and minutes PDFs for 10,000 voters.

The database (needed by casting, notices and close; default
postgresql://postgres@127.0.0.1:5432/gongzhi_bench, created with createdb when missing) is emptied
and migrated: its name must contain "bench". --quick runs everything small, to check the script
works. Not part of the test suite; docs/performance.md has the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import platform
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from simulation import records, records_v2  # noqa: E402
from simulation.server import Gunicorn  # noqa: E402
from voting.core import checkpoint, record, record_v2, signing  # noqa: E402
from voting.core.canonical import H, b64d, b64e, format_time, parse_json, parse_time  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/gongzhi_bench"
ACTOR = "bench"
NOTICES_PASSPHRASE = "bench notices passphrase"
BOARD_URL = "https://vote.example.gov.cn/board"
CORES = os.cpu_count() or 1
GIB = 1024**3


@dataclass(frozen=True)
class Scale:
    cast_voters: int  # ballots posted (one per voter) for each server setting
    clients: int  # concurrent HTTP clients
    servers: tuple[tuple[int, int], ...]  # gunicorn (workers, threads per worker) settings tried
    record_ballots: int
    browser_ballots: int  # the record the browser verifies
    notice_voters: int
    close_voters: int
    turnout: float
    repeats: int  # short measurements are taken this many times, the best one kept
    verify_repeats: int  # the same for the verification runs, which the machine's noise moves most
    verifies: int  # signatures each process checks when measuring the raw verify rate
    inserts: int  # one-row transactions for the insert baseline


FULL = Scale(
    cast_voters=3000,
    clients=8,
    servers=((4, 1), (2, 4), (4, 2), (8, 1)),
    record_ballots=100_000,
    browser_ballots=10_000,
    notice_voters=300,
    close_voters=10_000,
    turnout=0.75,
    repeats=3,
    verify_repeats=5,
    verifies=20_000,
    inserts=3000,
)
QUICK = Scale(
    cast_voters=150,
    clients=4,
    servers=((2, 2),),
    record_ballots=5000,
    browser_ballots=1000,
    notice_voters=12,
    close_voters=200,
    turnout=0.75,
    repeats=1,
    verify_repeats=1,
    verifies=1000,
    inserts=200,
)


# --- baselines ------------------------------------------------------------------------------


def _ballot_shaped_checks(count: int, seed: int) -> list[tuple[bytes, bytes, bytes]]:
    """(raw public key, message, raw signature), each by its own key, messages the size of a ballot's."""
    checks = []
    for number in range(count):
        key = signing.private_key_from_seed(H(f"bench-baseline/{seed}/{number}".encode()))
        ballot = {
            "election_hash": b64e(H(b"election")),
            "voter_id": f"V{number:06d}",
            "channel": "online",
            "nonce": b64e(H(str(number).encode())[:16]),
            "choices": {"m1": "yes", "m2": "no", "m3": ["c3-1", "c3-2"]},
        }
        message = signing.message("ballot", ballot)
        checks.append((b64d(signing.public_key_b64(key)), message, key.sign(message)))
    return checks


def _verify_share(barrier, results, checks: list[tuple[bytes, bytes, bytes]]) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    barrier.wait()
    started, cpu_started = time.perf_counter(), time.process_time()
    for public_key, message, signature in checks:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    results.put((started, time.perf_counter(), time.process_time() - cpu_started))


@dataclass(frozen=True)
class Verified:
    seconds: float  # by the clock, from the common start to the last process done
    cpu_seconds: float  # of all processes together, however busy the machine is


def verify_in_processes(shares: list[list[tuple[bytes, bytes, bytes]]]) -> Verified:
    """Each share verified by a process of its own (forked, so the checks are not copied), all
    starting together: bare cryptography calls, loading the key and verifying, nothing else."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(shares)), context.Queue()
    processes = [context.Process(target=_verify_share, args=(barrier, results, share)) for share in shares]
    for process in processes:
        process.start()
    spans = [results.get() for _ in processes]
    for process in processes:
        process.join()
    return Verified(
        max(end for _, end, _ in spans) - min(start for start, _, _ in spans), sum(cpu for _, _, cpu in spans)
    )


def ed25519_rate(processes: int, verifies: int, repeats: int) -> float:
    """Verifications per second, at best, of `processes` processes verifying `verifies` each."""
    distinct = _ballot_shaped_checks(min(verifies, 1000), seed=processes)
    share = (distinct * (verifies // len(distinct) + 1))[:verifies]
    return max(processes * verifies / verify_in_processes([share] * processes).seconds for _ in range(repeats))


def insert_rate(engine, threads: int, inserts: int) -> float:
    """One-row INSERT transactions per second from `threads` connections of the app's engine."""
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_insert"))
        connection.execute(text("CREATE TABLE bench_insert (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)"))
    payload = "x" * 700  # about a log entry's canonical JSON
    statement = text("INSERT INTO bench_insert (payload) VALUES (:payload)")

    def insert(count: int) -> None:
        for _ in range(count):
            with engine.begin() as connection:
                connection.execute(statement, {"payload": payload})

    shares = [inserts // threads + (1 if n < inserts % threads else 0) for n in range(threads)]
    return inserts / _timed_threads([lambda share=share: insert(share) for share in shares])


def _timed_threads(jobs: list[Callable[[], None]]) -> float:
    pool = [threading.Thread(target=job) for job in jobs]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started


def best_of(repeats: int, measure: Callable[[], float]) -> float:
    return max(measure() for _ in range(repeats))


# --- an estate and an open vote, made with the operations -----------------------------------


@dataclass
class BenchVote:
    """An open vote and its voters' credentials, as the owners' notices would carry them."""

    election_id: int
    public_id: str
    election_hash: str
    motions: list[tuple[str, str, int | None, tuple[str, ...]]]  # motion_id, kind, seats, candidate ids
    secrets: dict[str, bytes]  # voter code -> credential seed

    def signed_ballot(self, voter_code: str, rng: random.Random) -> tuple[dict, str]:
        ballot = {
            "election_hash": self.election_hash,
            "voter_id": voter_code,
            "channel": "online",
            "nonce": b64e(rng.randbytes(16)),
            "choices": self.choices(rng),
        }
        return ballot, signing.sign(signing.private_key_from_seed(self.secrets[voter_code]), "ballot", ballot)

    def choices(self, rng: random.Random) -> dict:
        choices = {}
        for motion_id, kind, seats, candidate_ids in self.motions:
            if kind == "committee":
                choices[motion_id] = rng.sample(candidate_ids, rng.randint(0, seats))
            else:
                choices[motion_id] = rng.choices(("yes", "no", "abstain"), weights=(7, 2, 1))[0]
        return choices


_estates: dict[int, int] = {}  # voters asked for -> estate id


def estate_with_voters(voters: int):
    """An estate whose generated roll has at least `voters` voters (a few more, as generated);
    made once per size, each benchmark then opens votes of its own on it."""
    from voting.estates.models import Estate
    from voting.estates.operations import create_community, create_estate, create_street_office
    from voting.extensions import db
    from voting.roster.generate import generate_roster, write_csv
    from voting.roster.operations import import_roster

    if voters in _estates:
        return db.session.get(Estate, _estates[voters])
    units = math.ceil(voters * 1.15)
    while (roster := generate_roster(units, seed=units)).expected_summary()["voters"] < voters:
        units = math.ceil(units * 1.02)
    code = f"BENCH-{len(_estates) + 1}"
    office = create_street_office(ACTOR, f"{code}-SO", "基准街道办事处")
    community = create_community(ACTOR, office, f"{code}-CO", "基准社区")
    estate = create_estate(ACTOR, code, f"基准小区 {len(_estates) + 1}", community)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.csv"
        write_csv(roster.rows, path)
        import_roster(ACTOR, estate, path.read_bytes(), "roster.csv")
    db.session.commit()
    _estates[voters] = estate.id
    return estate


def open_vote(estate) -> BenchVote:
    """A vote open from an hour ago for a week, on the server's own clock."""
    from voting.elections.operations import add_committee_election, add_motion, create_election, open_election
    from voting.extensions import db
    from voting.notices.operations import batch_secrets, unlock
    from voting.timeutil import utcnow

    opens_at = utcnow() - timedelta(hours=1)
    election = create_election(
        ACTOR, estate, "业主大会表决（基准测试）", opens_at, opens_at + timedelta(days=7), "last"
    )
    add_motion(ACTOR, election, 1, "审议《业主大会议事规则》")
    add_motion(ACTOR, election, 6, "筹集住宅专项维修资金")
    add_committee_election(ACTOR, election, "选举业主委员会", 5, candidates=[f"候选人{n}" for n in range(1, 8)])
    batch = open_election(ACTOR, election, NOTICES_PASSPHRASE)
    db.session.commit()
    seeds = batch_secrets(election, batch, unlock(batch, NOTICES_PASSPHRASE))
    motions = [(m.motion_id, m.kind, m.seats, tuple(c.candidate_id for c in m.candidates)) for m in election.motions]
    return BenchVote(election.id, election.public_id, election.election_hash, motions, seeds)


# --- casting over HTTP ----------------------------------------------------------------------


def post_all(port: int, path: str, bodies: list[bytes], clients: int) -> tuple[float, list[float], dict[int, int]]:
    """Post the bodies from `clients` threads (each with its own keep-alive connection where the
    server keeps it); returns wall seconds, each request's latency and the count per status."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = iter(bodies)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, seen = [], {}
        while True:
            with lock:
                body = next(queue, None)
            if body is None:
                break
            started = time.perf_counter()
            connection.request("POST", path, body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            seen[response.status] = seen.get(response.status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    return _timed_threads([client] * clients), latencies, statuses


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def cast_over_http(
    estate, ballots: int, workers: int, threads: int, clients: int, environment: dict, work: Path, rng: random.Random
) -> dict:
    """Open a vote on the estate, start gunicorn, warm it up, then time `ballots` ballots (one per
    voter, signed beforehand) posted by `clients` threads."""
    from sqlalchemy import func, select

    from voting.ballots.models import LogEntry
    from voting.extensions import db

    vote = open_vote(estate)
    voters = sorted(vote.secrets)[:ballots]
    warm_up = [voters[n % len(voters)] for n in range(4 * workers * threads)]  # re-votes: "last" counts
    bodies = {
        phase: [
            json.dumps(dict(zip(("ballot", "signature"), vote.signed_ballot(code, rng))), ensure_ascii=False).encode()
            for code in codes
        ]
        for phase, codes in (("warm-up", warm_up), ("timed", voters))
    }
    server = Gunicorn(environment, work / f"gunicorn-{workers}x{threads}.log", workers=workers, threads=threads)
    try:
        server.wait_ready(f"/v/{vote.public_id}")
        ballot_url = f"/api/v/{vote.public_id}/ballot"
        post_all(server.port, ballot_url, bodies["warm-up"], clients)
        cpu_before = time.process_time()
        seconds, latencies, statuses = post_all(server.port, ballot_url, bodies["timed"], clients)
        client_cpu = time.process_time() - cpu_before
    finally:
        server.stop()
    logged = db.session.scalar(
        select(func.count()).select_from(LogEntry).where(LogEntry.election_id == vote.election_id)
    )
    db.session.commit()
    accepted = statuses.get(200, 0)
    return {
        "estate_voters": len(vote.secrets),
        "workers": workers,
        "threads": threads,
        "ballots": len(voters),
        "accepted": accepted,
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "log_entries": logged,
        "expected_log_entries": len(warm_up) + accepted,
        "seconds": seconds,
        "ballots_per_second": accepted / seconds,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "client_cpu_share": client_cpu / (seconds * CORES),
    }


def bench_casting(scale: Scale, environment: dict, work: Path) -> dict:
    from voting.extensions import db

    rng = random.Random(1)
    estate = estate_with_voters(scale.cast_voters)
    settings = [
        cast_over_http(estate, scale.cast_voters, workers, threads, scale.clients, environment, work, rng)
        for workers, threads in scale.servers
    ]
    best = max(settings, key=lambda setting: setting["ballots_per_second"])
    # The same server setting on the largest estate: appending reads the vote's frozen roll.
    large_estate = cast_over_http(
        estate_with_voters(scale.close_voters),
        scale.cast_voters,
        best["workers"],
        best["threads"],
        scale.clients,
        environment,
        work,
        rng,
    )
    verify_one = ed25519_rate(1, scale.verifies, scale.repeats)
    verify_all = ed25519_rate(CORES, scale.verifies, scale.repeats)
    inserts = best_of(scale.repeats, lambda: insert_rate(db.engine, scale.clients, scale.inserts))
    lower_name, lower = min((("ed25519_all_cores", verify_all), ("inserts", inserts)), key=lambda pair: pair[1])
    return {
        "clients": scale.clients,
        "settings": settings,
        "best": best,
        "large_estate": large_estate,
        "ed25519_verify_per_second_one_core": verify_one,
        "ed25519_verify_per_second_all_cores": verify_all,
        "inserts_per_second": inserts,
        "insert_threads": scale.clients,
        "lower_baseline": lower_name,
        "ratio_to_lower_baseline": best["ballots_per_second"] / lower,
    }


# --- verification of a large record ---------------------------------------------------------

PAPER_EVERY = 20  # one ballot in 20 is a paper ballot, signed by both clerks
REVOTE_EVERY = 20  # and one voter in 20 changes the ballot later ("last" counts)
RECORD_MOTIONS = [
    records.question("m1", "ordinary", "审议《业主大会议事规则》"),
    records.question("m2", "major", "筹集住宅专项维修资金"),
    records.committee("m3", 5, [f"c{n}" for n in range(1, 8)]),
]


def _voter_id(number: int) -> str:
    return f"V{number:06d}"


def _roll_voters(numbers: range) -> list[records.Voter]:
    return [
        records.Voter(
            _voter_id(n),
            6000 + n * 37 % 9000,
            units=[f"{1 + n // 400}-{1 + n // 100 % 4}-{101 + n % 100}"],
            key=records.public_key(_voter_id(n)),
        )
        for n in numbers
    ]


def _signed_entries(job: tuple[str, range, int]) -> list[tuple[dict, list[dict]]]:
    """(ballot, signatures) for the entries with these seq numbers."""
    election_hash, seqs, voters = job
    rng = random.Random(seqs.start)
    clerks = [(name, records.private_key(name)) for name in records.CLERKS]
    made = []
    for seq in seqs:
        voter_id = _voter_id(seq if seq < voters else (seq - voters) * REVOTE_EVERY)
        ballot = {
            "election_hash": election_hash,
            "voter_id": voter_id,
            "channel": "online",
            "nonce": b64e(rng.randbytes(16)),
            "choices": {
                "m1": rng.choice(("yes", "yes", "no", "abstain")),
                "m2": rng.choice(("yes", "no")),
                "m3": rng.sample(("c1", "c2", "c3", "c4", "c5", "c6", "c7"), rng.randint(0, 5)),
            },
        }
        if seq % PAPER_EVERY == PAPER_EVERY - 1:
            ballot["channel"] = "paper"
            ballot["paper_scan_sha256"] = b64e(H(f"scan {seq}".encode()))
            signers = clerks
        else:
            signers = [(voter_id, records.private_key(voter_id))]
        made.append(
            (ballot, [{"signer": name, "signature": signing.sign(key, "ballot", ballot)} for name, key in signers])
        )
    return made


def build_record(ballots: int) -> dict:
    """A valid record of `ballots` log entries, built with simulation.records (keys from fixed
    seeds, derived and signed on every core)."""
    voters = ballots * REVOTE_EVERY // (REVOTE_EVERY + 1)
    chunks = [range(start, min(start + 2000, ballots)) for start in range(0, ballots, 2000)]
    with multiprocessing.get_context("fork").Pool(CORES) as pool:
        roll_voters = [v for part in pool.map(_roll_voters, [c for c in chunks if c.start < voters]) for v in part]
        kit = records.RecordKit(roll_voters[:voters], RECORD_MOTIONS)
        election_hash = record.election_hash(kit.election)
        signed = [e for part in pool.map(_signed_entries, [(election_hash, c, voters) for c in chunks]) for e in part]
    opens_at = parse_time(records.OPENS_AT)
    for seq, (ballot, signatures) in enumerate(signed):
        kit.append_signed(ballot, signatures, format_time(opens_at + timedelta(seconds=seq)))
    return kit.record(certify=False)


def verify_child(path: str, workers: int, signatures_only: bool, held_path: str | None) -> None:
    """Run in a subprocess by compare_with_signatures: parse one record (and, for format 2, the
    receipts and the checkpoint held against it), then verify it, or only its signatures, with
    `workers` processes; print the figures as JSON."""
    started = time.perf_counter()
    document = parse_json(Path(path).read_bytes())
    held = parse_json(Path(held_path).read_bytes()) if held_path else None
    parsed = time.perf_counter()
    if signatures_only:
        checks = _signature_checks(document) if held is None else _signature_checks_v2(document, held)
        share = -(-len(checks) // workers)
        verified = verify_in_processes([checks[start : start + share] for start in range(0, len(checks), share)])
        figures = {"seconds": verified.seconds, "cpu_seconds": verified.cpu_seconds}
    else:
        cpu_before = _cpu_seconds()
        if held is None:
            counted = record.verify(document, workers=workers)["counted"]
        else:
            counted = _verify_v2_and_held(document, held, workers)
        figures = {
            "seconds": time.perf_counter() - parsed,
            "cpu_seconds": _cpu_seconds() - cpu_before,
            "counted": counted,
        }
    print(json.dumps({"parse_seconds": parsed - started, "peak_rss_bytes": _peak_rss(), **figures}))


def _verify_v2_and_held(document: dict, held: dict, workers: int) -> int:
    """Verify a format-2 record, then check the receipts and the checkpoint held against it, as an
    owner or a witness would; the number of counted voters."""
    verified = record_v2.verify_record(document, workers=workers)
    for receipt in held["receipts"]:
        record_v2.check_receipt(document, verified, receipt)
    record_v2.check_held_checkpoint(document, verified, held["checkpoint"])
    return verified.tally["counted"]


def _signature_checks(document: dict) -> list[tuple[bytes, bytes, bytes]]:
    """(raw public key, signed message, raw signature) of every signature in the record's log."""
    keys = {voter["voter_id"]: voter["public_key"] for voter in document["roll"]["voters"]}
    keys |= {officer["officer_id"]: officer["public_key"] for officer in document["election"]["officers"]}
    return [
        (b64d(keys[signature["signer"]]), signing.message("ballot", entry["ballot"]), b64d(signature["signature"]))
        for entry in document["log"]
        for signature in entry["signatures"]
    ]


def _peak_rss() -> int:
    """This process's peak resident set (VmHWM). Not getrusage's ru_maxrss, which Linux carries
    over from the process that forked and exec'd this one."""
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:"))


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished children (the verify workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


PSS_SAMPLE_SECONDS = 1.0


def _tree_pss(pid: int) -> int:
    """Proportional set size of a process and its descendants (shared pages counted once)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += next(int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def verify_in_subprocess(path: Path, workers: int, signatures_only: bool, held_path: Path | None) -> dict:
    command = [sys.executable, __file__, "--verify-child", str(path), "--workers", str(workers)]
    command += ["--signatures-only"] if signatures_only else []
    command += ["--held", str(held_path)] if held_path else []
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak_pss = 0
    while child.poll() is None:
        peak_pss = max(peak_pss, _tree_pss(child.pid))
        # Reading smaps_rollup walks the page tables of every process sampled: every 50 ms it
        # took a noticeable share of a core from the runs it measures. The memory grows and
        # levels off over seconds, so a sample a second still finds its peak (VmHWM, exact,
        # bounds the main process's share).
        time.sleep(PSS_SAMPLE_SECONDS)
    output, _ = child.communicate()
    if child.returncode:
        raise RuntimeError(f"the verifier failed (exit {child.returncode})")
    return json.loads(output) | {"peak_pss_bytes": peak_pss}


def bench_verification(scale: Scale, work: Path) -> dict:
    """The record's verification beside the bare verification of its own signatures (see
    compare_with_signatures)."""
    started = time.perf_counter()
    document = build_record(scale.record_ballots)
    signatures = sum(len(entry["signatures"]) for entry in document["log"])
    path = work / "record.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    del document
    built = time.perf_counter() - started
    runs = compare_with_signatures(path, None, scale.verify_repeats)
    parallel = runs[-1]
    peak_memory = max(parallel["peak_pss_bytes"], parallel["peak_rss_main_bytes"])
    return {
        "ballots": scale.record_ballots,
        "signatures": signatures,
        "record_bytes": path.stat().st_size,
        "build_seconds": built,
        "runs": runs,
        "workers": CORES,
        "ed25519_verify_per_second_all_cores": signatures / parallel["signatures_alone_seconds"],
        "overhead_all_cores": parallel["overhead"],
        "peak_memory_bytes": peak_memory,
        "target_met": parallel["overhead"] <= 0.25 and peak_memory < GIB,
    }


def compare_with_signatures(path: Path, held_path: Path | None, repeats: int) -> list[dict]:
    """The record's verification beside the bare verification of its own signatures, each in a
    fresh process, with one worker and with one per core; the runs alternate, best kept. One
    figure per number of workers."""
    attempts = {(workers, kind): [] for workers in sorted({1, CORES}) for kind in ("verify", "signatures")}
    for _ in range(repeats):
        for workers, kind in attempts:
            attempts[workers, kind].append(verify_in_subprocess(path, workers, kind == "signatures", held_path))
    best = {key: min(runs, key=lambda run: run["seconds"]) for key, runs in attempts.items()}
    runs = []
    for workers in sorted({1, CORES}):
        verify, alone = best[workers, "verify"], best[workers, "signatures"]
        runs.append(
            {
                "workers": workers,
                "verify_seconds": verify["seconds"],
                "parse_seconds": verify["parse_seconds"],
                "signatures_alone_seconds": alone["seconds"],
                "overhead": verify["seconds"] / alone["seconds"] - 1,
                # CPU seconds of verifier and workers beside those of the bare verifications: the
                # overhead as the machine's other load distorts it least.
                "overhead_cpu": verify["cpu_seconds"] / alone["cpu_seconds"] - 1,
                # Each verification beside the bare one run just after it: what a burst of load on
                # the machine does to one pair moves the median little.
                "overhead_median_of_pairs": statistics.median(
                    pair["seconds"] / alone_run["seconds"] - 1
                    for pair, alone_run in zip(attempts[workers, "verify"], attempts[workers, "signatures"])
                ),
                "peak_pss_bytes": max(run["peak_pss_bytes"] for run in attempts[workers, "verify"]),
                "peak_rss_main_bytes": max(run["peak_rss_bytes"] for run in attempts[workers, "verify"]),
                "counted": verify["counted"],
            }
        )
    return runs


# --- verification of a large format-2 record --------------------------------------------------

BUILDINGS = ("b1", "b2", "b3", "b4")
RECORD_V2_MOTIONS = [
    records_v2.question("m1", 1, "审议《业主大会议事规则》"),
    records_v2.question("m2", 6, "筹集住宅专项维修资金"),
    records_v2.committee("m3", 5, [f"c{n}" for n in range(1, 8)]),
    records_v2.question("m4", 5, "使用维修资金维修1幢屋面", scope="b1"),
]
PAPER_ONLY_EVERY = 50  # one voter in 50 has no credential key and votes on paper
PAPER_SHARE = 0.03  # and 3 % of the others choose paper too: about 5 % of ballots in all
SEALED_BOX_EVERY = 10  # one paper-only voter in 10 drops the ballot in the sealed box, keyed after the close
WITNESSED_HEADS = 5  # the street office's visits to the turnout page while the vote runs
RECEIPTS = 5


def _public_keys(names: list[str]) -> list[str]:
    return [records.public_key(name) for name in names]


def _sign_planned(planned: list[tuple[str, dict, list[tuple[str, str]]]]) -> list[list[dict]]:
    """The signatures of planned entries: (kind, body, [(signer, key name)]) each."""
    return [
        [record_v2.sign_body(records.private_key(key_name), signer, kind, body) for signer, key_name in signers]
        for kind, body, signers in planned
    ]


def _in_parts(items: list, size: int = 2000) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _v2_choices(rng: random.Random, voter: dict) -> dict:
    choices = {
        "m1": rng.choice(("yes", "yes", "no", "abstain")),
        "m2": rng.choice(("yes", "no")),
        "m3": rng.sample(("c1", "c2", "c3", "c4", "c5", "c6", "c7"), rng.randint(0, 5)),
    }
    if "b1" in voter["weights"]:  # m4 is for building 1 only
        choices["m4"] = rng.choice(("yes", "no"))
    return choices


def _plan_log_v2(roll: dict, election_hash: str, ballots: int, rng: random.Random) -> tuple[list, list]:
    """(kind, body, [(signer, key name)]) of the entries before the close, and of the paper
    ballots from the sealed box keyed after it: a notices entry, `ballots` ballots (one voter in
    about 20 votes twice, "last" counts), a hand-in before each paper ballot, and halfway through
    a revocation with a reissue and a revocation alone, each approved by two people."""
    voters = {voter["voter_id"]: voter for voter in roll["voters"]}
    key_names = {voter_id: voter_id if voter["public_key"] else None for voter_id, voter in voters.items()}
    order = list(voters)
    rng.shuffle(order)
    online_capable = [voter_id for voter_id in order if key_names[voter_id]]
    events = [(float(position), voter_id) for position, voter_id in enumerate(order)]
    first_position = {voter_id: position for position, voter_id in enumerate(order)}
    events += [
        (rng.uniform(first_position[voter_id], len(order)), voter_id)
        for voter_id in rng.sample(online_capable, ballots - len(order))
    ]
    events.sort()
    sealed_box = {
        voter_id
        for number, voter_id in enumerate(v for v in order if not key_names[v])
        if number % SEALED_BOX_EVERY == 0
    }
    halfway = len(events) // 2
    reissued, revoked = [voter_id for _position, voter_id in events[halfway:] if key_names[voter_id]][:2]
    street_officer, (first_approver, second_approver) = records_v2.STREET_OFFICER, records_v2.APPROVERS

    before_close, after_close = [], []
    before_close.append(
        ("notices", {"election_hash": election_hash, "count": len(voters), "downloaded_by": "prep_1"}, [])
    )

    def credential(voter_id: str, action: str, reason: str, approvers: tuple[str, str]) -> None:
        key_names[voter_id] = f"{voter_id}/reissued" if action == "reissue" else None
        body = {
            "election_hash": election_hash,
            "voter_id": voter_id,
            "action": action,
            "public_key": records.public_key(key_names[voter_id]) if action == "reissue" else None,
            "reason": reason,
        }
        before_close.append(("credential", body, [(approver, approver) for approver in approvers]))

    desk_receipts = 0
    for number, (_position, voter_id) in enumerate(events):
        if number == halfway:
            credential(reissued, "revoke", "lost", (first_approver, second_approver))
            credential(reissued, "reissue", "lost", (first_approver, street_officer))
            credential(revoked, "revoke", "compromised", (second_approver, street_officer))
        body = {
            "election_hash": election_hash,
            "voter_id": voter_id,
            "channel": "online",
            "nonce": b64e(rng.randbytes(16)),
            "choices": _v2_choices(rng, voters[voter_id]),
        }
        if key_names[voter_id] and rng.random() >= PAPER_SHARE:
            before_close.append(("ballot", body, [(voter_id, key_names[voter_id])]))
            continue
        desk_receipts += 1
        clerk, checker = records_v2.CLERKS[desk_receipts % 2], records_v2.CLERKS[(desk_receipts + 1) % 2]
        from_box = voter_id in sealed_box
        handin = {
            "election_hash": election_hash,
            "desk_receipt": f"D{desk_receipts:06d}",
            "voter_id": None if from_box else voter_id,
            "identity_checked": not from_box,
        }
        handin_seq = len(before_close)
        before_close.append(("handin", handin, [(clerk, clerk)]))
        invalid = {}
        if rng.random() < 0.05:  # two boxes ticked on m1
            invalid["m1"] = "several_marks"
            del body["choices"]["m1"]
        body.update(
            channel="paper",
            invalid=invalid,
            paper_scan_sha256=b64e(H(b"scan " + body["nonce"].encode())),
            proxy_sha256=b64e(H(b"proxy " + body["nonce"].encode())) if rng.random() < 0.2 else None,
            handin=handin_seq,
        )
        (after_close if from_box else before_close).append(("ballot", body, [(clerk, clerk), (checker, checker)]))
    return before_close, after_close


def build_record_v2(ballots: int) -> tuple[dict, dict]:
    """A valid format-2 record of `ballots` ballots with their hand-ins, credential acts, a
    notices entry, checkpoints cosigned while the vote ran, the witnessed close and a
    certification; and what is held against it: receipts of a few ballots and the close
    checkpoint as a signed note. Built with simulation.records_v2, keys from fixed seeds,
    derived and signed on every core."""
    rng = random.Random(3)
    voter_count = ballots * REVOTE_EVERY // (REVOTE_EVERY + 1)
    voter_ids = set()
    while len(voter_ids) < voter_count:  # random, as the server draws them when the vote opens
        voter_ids.add(b64e(rng.randbytes(9)))
    voter_ids = sorted(voter_ids)
    keyed = [voter_id for number, voter_id in enumerate(voter_ids) if number % PAPER_ONLY_EVERY]
    with multiprocessing.get_context("fork").Pool(CORES) as pool:
        keys = dict(zip(keyed, (key for part in pool.map(_public_keys, _in_parts(keyed)) for key in part)))
        roll_voters = [
            records_v2.Voter(
                voter_id,
                6000 + number * 37 % 9000,
                has_credential=voter_id in keys,
                scopes={BUILDINGS[number % len(BUILDINGS)]: (6000 + number * 37 % 9000, 1)},
                key=keys.get(voter_id),
            )
            for number, voter_id in enumerate(voter_ids)
        ]
        kit = records_v2.RecordKit(
            roll_voters,
            RECORD_V2_MOTIONS,
            scopes=[{"scope_id": building, "title": f"{building[1:]}幢"} for building in BUILDINGS],
        )
        before_close, after_close = _plan_log_v2(kit.roll, kit.hash, ballots, rng)
        planned = before_close + after_close
        signatures = [signed for part in pool.map(_sign_planned, _in_parts(planned)) for signed in part]
    opens_at, closes_at = parse_time(records.OPENS_AT), parse_time(records.CLOSES_AT)
    step = (closes_at - opens_at - timedelta(hours=1)) / len(before_close)
    times = [opens_at + step * seq for seq in range(len(before_close))]
    times += [closes_at + timedelta(hours=2, seconds=10 * number) for number in range(len(after_close))]

    # The street office's visits to the turnout page while the vote runs, a witness with it at
    # every other one, and both at the close: size -> (witnesses, time).
    street_officer = records_v2.STREET_OFFICER
    visits = [len(before_close) * number // (WITNESSED_HEADS + 1) for number in range(1, WITNESSED_HEADS + 1)]
    heads = {
        size: (
            (street_officer,) if number % 2 else (street_officer, records_v2.WITNESS),
            int(times[size - 1].timestamp()) + 60,
        )
        for number, size in enumerate(visits)
    }
    heads[len(before_close)] = ((street_officer, records_v2.WITNESS), int(closes_at.timestamp()))
    witnessed = {0: kit.witness((street_officer,), int(opens_at.timestamp()))}
    for seq, ((kind, body, _signers), signed) in enumerate(zip(planned, signatures)):
        if seq in heads:
            witnessed[seq] = kit.witness(*heads[seq])
        kit.append_signed(kind, body, signed, format_time(times[seq].replace(microsecond=0)))
    if len(kit.log) in heads:
        witnessed[len(kit.log)] = kit.witness(*heads[len(kit.log)])

    # Receipts of ballots replaced by a later one, of ballots that count, and of the last paper
    # ballot keyed after the close.
    ballots_by_voter = {}
    for seq, entry in enumerate(kit.log):
        if entry["kind"] == "ballot":
            ballots_by_voter.setdefault(entry["body"]["voter_id"], []).append(seq)
    replaced = sorted(seqs[0] for seqs in ballots_by_voter.values() if len(seqs) > 1)
    counted = sorted(seqs[-1] for seqs in ballots_by_voter.values())
    receipt_seqs = sorted(
        {*rng.sample(replaced, RECEIPTS // 2), *rng.sample(counted, RECEIPTS - 1 - RECEIPTS // 2), len(kit.log) - 1}
    )
    receipts = [kit.receipt(seq) for seq in receipt_seqs]
    document = kit.record()
    witness_keys = {officer["officer_id"]: b64d(officer["public_key"]) for officer in kit.election["officers"]}
    note = checkpoint.signed_note(
        kit.hash, witnessed[len(before_close)], b64d(kit.election["election_public_key"]), witness_keys
    )
    return document, {"receipts": receipts, "checkpoint": note}


def _signature_checks_v2(document: dict, held: dict) -> list[tuple[bytes, bytes, bytes]]:
    """(raw public key, signed message, raw signature) of every signature a verifier of the
    record and of what is held against it checks: the log's, the heads' and their cosignatures',
    the certification's, the receipts' heads' and the held checkpoint's."""
    election = document["election"]
    election_hash = record_v2.election_hash(election)
    log_key = b64d(election["election_public_key"])
    officers = {officer["officer_id"]: b64d(officer["public_key"]) for officer in election["officers"]}
    keys = {voter["voter_id"]: voter["public_key"] for voter in document["roll"]["voters"]}  # b64, in effect
    checks = []
    for entry in document["log"]:
        kind, body = entry["kind"], entry["body"]
        if kind == "credential":  # signed by officers; the voter's key changes from here on
            keys[body["voter_id"]] = body["public_key"]
        if entry["signatures"]:  # a notices entry has none
            message = signing.message(kind, body, record_v2.VERSION)
            checks += [
                (officers[signer] if signer in officers else b64d(keys[signer]), message, b64d(signature))
                for signer, signature in ((s["signer"], s["signature"]) for s in entry["signatures"])
            ]
    for head in (*document["checkpoints"], document["tree_head"]):
        text = checkpoint.text(election_hash, head["size"], b64d(head["root"]))
        checks.append((log_key, text, b64d(head["signature"])))
        checks += [
            (
                officers[cosignature["witness"]],
                checkpoint.cosignature_message(text, cosignature["time"]),
                b64d(cosignature["signature"]),
            )
            for cosignature in head["cosignatures"]
        ]
    for certification in document["certifications"]:
        checks.append(
            (
                officers[certification["body"]["officer_id"]],
                signing.message("certification", certification["body"], record_v2.VERSION),
                b64d(certification["signature"]),
            )
        )
    for receipt in held["receipts"]:
        head = receipt["checkpoint"]
        checks.append(
            (log_key, checkpoint.text(election_hash, head["size"], b64d(head["root"])), b64d(head["signature"]))
        )
    text, lines = checkpoint.parse_note(held["checkpoint"])
    for name, blob in lines:
        if name in officers:  # key id, time, signature
            checks.append(
                (officers[name], checkpoint.cosignature_message(text, int.from_bytes(blob[4:12], "big")), blob[12:])
            )
        else:  # the vote's own key: key id, signature
            checks.append((log_key, text, blob[4:]))
    return checks


def bench_verification_v2(scale: Scale, work: Path) -> dict:
    """A format-2 record's verification, with receipts and a held checkpoint checked against it,
    beside the bare verification of every signature that takes (see compare_with_signatures)."""
    started = time.perf_counter()
    document, held = build_record_v2(scale.record_ballots)
    signatures = len(_signature_checks_v2(document, held))
    path, held_path = work / "record-v2.json", work / "record-v2-held.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    held_path.write_text(json.dumps(held, ensure_ascii=False), encoding="utf-8")
    entries = len(document["log"])
    del document
    built = time.perf_counter() - started
    runs = compare_with_signatures(path, held_path, scale.verify_repeats)
    peak_memory = max(max(run["peak_pss_bytes"], run["peak_rss_main_bytes"]) for run in runs)
    return {
        "ballots": scale.record_ballots,
        "log_entries": entries,
        "signatures": signatures,
        "receipts": len(held["receipts"]),
        "record_bytes": path.stat().st_size,
        "build_seconds": built,
        "runs": runs,
        "workers": CORES,
        "peak_memory_bytes": peak_memory,
        "target_met": all(run["overhead"] <= 0.25 for run in runs) and peak_memory < GIB,
    }


# --- the record verified in the browser ------------------------------------------------------

# Times voting/static/verify/record.js on /record.json in the page, as the public record page runs
# it (download excluded: the figure is the checking).
BROWSER_VERIFY = """async () => {
    const { verifyRecord } = await import("/static/verify/record.js");
    const bytes = new Uint8Array(await (await fetch("/record.json")).arrayBuffer());
    const started = performance.now();
    const verified = await verifyRecord(bytes);
    return { seconds: (performance.now() - started) / 1000, engine: verified.engine,
             counted: verified.tally.counted };
}"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the name http.server gives it
        pass


def _served(folder: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _in_browser(browser, url: str, script: str, init_script: str | None = None) -> dict:
    """``script`` evaluated in a fresh desktop page of ``url`` (nothing cached from an earlier run)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.goto(url)
    try:
        return page.evaluate(script)
    finally:
        context.close()


def bench_browser_verification(scale: Scale, work: Path) -> dict:
    """The public record page's verifier in headless Chromium, beside the Python verifier, both
    from the record's bytes to the verdict, on one record of scale.browser_ballots ballots."""
    from playwright.sync_api import sync_playwright

    from simulation.browser import CHROMIUM, CHROMIUM_ARGS, WITHOUT_WEBCRYPTO_ED25519

    document, _held = build_record_v2(scale.browser_ballots)
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    expected_counted = document["tally"]["counted"]
    del document
    site = work / "browser-site"
    site.mkdir()
    (site / "static").symlink_to(REPO / "voting" / "static")
    (site / "record.json").write_bytes(data)
    (site / "index.html").write_text("<!doctype html><title>verifier benchmark</title>", encoding="utf-8")

    def python_run() -> float:
        started = time.perf_counter()
        record_v2.verify_record(parse_json(data))
        return time.perf_counter() - started

    python_seconds = min(python_run() for _ in range(scale.verify_repeats))
    server = _served(site)
    url = f"http://127.0.0.1:{server.server_port}/index.html"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            version = browser.version
            webcrypto = [_in_browser(browser, url, BROWSER_VERIFY) for _ in range(scale.verify_repeats)]
            noble = _in_browser(browser, url, BROWSER_VERIFY, WITHOUT_WEBCRYPTO_ED25519)
            browser.close()
    finally:
        server.shutdown()
    for run, engine in zip((*webcrypto, noble), ("webcrypto",) * len(webcrypto) + ("noble",)):
        if (run["engine"], run["counted"]) != (engine, expected_counted):
            raise RuntimeError(f"the browser's verifier did not recount the record with {engine}: {run}")
    webcrypto_seconds = min(run["seconds"] for run in webcrypto)
    return {
        "ballots": scale.browser_ballots,
        "record_bytes": len(data),
        "chromium": version,
        "webcrypto_seconds": webcrypto_seconds,
        "noble_seconds": noble["seconds"],
        "python_seconds": python_seconds,
        "ratio_to_python": webcrypto_seconds / python_seconds,
    }


# --- notices --------------------------------------------------------------------------------

BARE_PAGES = """<!doctype html><html><head><style>
@page {{ size: A4; margin: 20mm; }}
section {{ break-after: page; }}
img {{ width: 45mm; image-rendering: pixelated; }}
</style></head><body>{pages}</body></html>"""


def bare_qr_pages_per_second(pages: int) -> float:
    """WeasyPrint laying out and writing A4 pages that hold one QR code each and nothing else."""
    from weasyprint import HTML

    from voting.notices.operations import CHUNK_SIZE
    from voting.pdf.render import qr_data_uri

    started = time.perf_counter()
    for start in range(0, pages, CHUNK_SIZE):  # documents as large as the notices' chunks
        count = min(CHUNK_SIZE, pages - start)
        images = "".join(
            f'<section><img src="{qr_data_uri(f"{BOARD_URL}/v/BENCH-1#{b64e(secrets.token_bytes(32))}")}"></section>'
            for _ in range(count)
        )
        document = HTML(string=BARE_PAGES.format(pages=images)).render()
        assert len(document.pages) == count
        document.write_pdf()
    return pages / (time.perf_counter() - started)


def bench_notices(scale: Scale) -> dict:
    from voting.elections.models import NoticeBatch
    from voting.extensions import db
    from voting.notices.operations import latest_batch, render_notices, start_rendering

    estate = estate_with_voters(scale.notice_voters)
    rates = []
    for _ in range(scale.repeats if scale.repeats > 1 else 1):
        vote = open_vote(estate)
        from voting.elections.models import Election

        election = db.session.get(Election, vote.election_id)
        batch = latest_batch(election)
        key = start_rendering(ACTOR, election, batch, NOTICES_PASSPHRASE)
        db.session.commit()
        started = time.perf_counter()
        render_notices(batch, key)
        seconds = time.perf_counter() - started
        batch = db.session.get(NoticeBatch, batch.id)
        if batch.status != "ready":
            raise RuntimeError(f"notices not rendered: {batch.error}")
        rates.append(batch.total / seconds)
        pages = batch.total
        db.session.commit()
    bare = best_of(scale.repeats, lambda: bare_qr_pages_per_second(pages))
    notices = max(rates)
    return {
        "pages": pages,
        "pages_per_second": notices,
        "bare_qr_pages_per_second": bare,
        "ratio_to_bare": notices / bare,
    }


# --- from close to results ready for certification ------------------------------------------


def bench_close_to_results(scale: Scale, pdf_folder: Path | None) -> dict:
    from voting.ballots.operations import append
    from voting.elections.models import Election
    from voting.elections.operations import close_election, export_record, tally_election
    from voting.extensions import db

    try:
        from voting.pdf.documents import minutes_pdf, results_pdf
    except ImportError:
        minutes_pdf = results_pdf = None
    estate = estate_with_voters(scale.close_voters)
    vote = open_vote(estate)
    rng = random.Random(2)
    voters = sorted(vote.secrets)
    casting = rng.sample(voters, round(len(voters) * scale.turnout))
    signed = [vote.signed_ballot(code, rng) for code in casting]
    started = time.perf_counter()
    for number, (ballot, signature) in enumerate(signed, 1):
        append(vote.election_id, ballot, [{"signer": ballot["voter_id"], "signature": signature}])
        if number % 250 == 0 or number == len(signed):
            db.session.commit()
    appended = time.perf_counter() - started

    steps = {}

    def step(name: str, action: Callable[[], object]):
        began = time.perf_counter()
        result = action()
        steps[name] = time.perf_counter() - began
        return result

    election = db.session.get(Election, vote.election_id)

    def close_and_tally() -> None:
        close_election(ACTOR, election, now=election.closes_at)
        tally_election(ACTOR, election)
        db.session.commit()

    step("close and tally", close_and_tally)
    document = step("export record", lambda: export_record(election))
    recount = step(f"verify record ({CORES} workers)", lambda: record.verify(document, workers=CORES))
    assert recount["counted"] == len(casting)
    if results_pdf is not None:
        pdfs = {
            "results": step("results PDF", lambda: results_pdf(election, BOARD_URL)),
            "minutes": step(
                "minutes PDF",
                lambda: minutes_pdf(
                    election,
                    BOARD_URL,
                    scrutineers=["监票人 甲", "监票人 乙"],
                    clerks=["计票人 甲", "计票人 乙"],
                    publish_units=election.publish_units,
                ),
            ),
        }
        if pdf_folder is not None:
            pdf_folder.mkdir(parents=True, exist_ok=True)
            for name, pdf in pdfs.items():
                (pdf_folder / f"{name}.pdf").write_bytes(pdf)
    return {
        "voters": len(voters),
        "ballots": len(casting),
        "append_seconds_untimed_setup": appended,
        "steps": steps,
        "total_seconds": sum(steps.values()),
        "pdfs_measured": results_pdf is not None,
    }


# --- the machine, the report ----------------------------------------------------------------


def machine(engine) -> dict:
    from sqlalchemy import text

    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    postgres = None
    if engine is not None:
        with engine.connect() as connection:
            postgres = connection.execute(text("SHOW server_version")).scalar()
    import cryptography
    import weasyprint

    return {
        "cores": CORES,
        "cpu": cpu_model,
        "memory_gib": round(memory_kib / 1024**2, 1),
        "python": platform.python_version(),
        "postgresql": postgres,
        "cryptography": cryptography.__version__,
        "weasyprint": weasyprint.__version__,
        "load_average_at_start": os.getloadavg(),
    }


def report(results: dict) -> None:
    rows = []
    casting = results.get("casting")
    if casting:
        for setting in (*casting["settings"], casting["large_estate"]):
            rows.append(
                (
                    f"casting, {setting['estate_voters']:,} voters, gunicorn "
                    f"{setting['workers']}w×{setting['threads']}t",
                    f"{setting['ballots_per_second']:.0f} ballots/s  p50 {setting['p50_ms']:.0f} ms  "
                    f"p95 {setting['p95_ms']:.0f} ms  p99 {setting['p99_ms']:.0f} ms",
                    "",
                    "",
                )
            )
        rows.append(
            (
                "  Ed25519 verify, 1 core / all",
                "",
                f"{casting['ed25519_verify_per_second_one_core']:.0f} / "
                f"{casting['ed25519_verify_per_second_all_cores']:.0f} per s",
                "",
            )
        )
        rows.append(
            (
                f"  one-row transactions, {casting['insert_threads']} threads",
                "",
                f"{casting['inserts_per_second']:.0f} per s",
                "",
            )
        )
        rows.append(
            (
                "  best casting / lower baseline",
                f"{casting['best']['ballots_per_second']:.0f}/s",
                casting["lower_baseline"],
                f"{casting['ratio_to_lower_baseline']:.1%}",
            )
        )
    verification = results.get("verification")
    if verification:
        for run in verification["runs"]:
            rows.append(
                (
                    f"verify {verification['ballots']:,} ballots, {run['workers']} worker(s)",
                    f"{run['verify_seconds']:.2f} s (+{run['parse_seconds']:.2f} s parse)",
                    f"{run['signatures_alone_seconds']:.2f} s for its {verification['signatures']:,} signatures alone",
                    f"{run['overhead']:+.0%} (CPU {run['overhead_cpu']:+.0%}, "
                    f"median of pairs {run['overhead_median_of_pairs']:+.0%})",
                )
            )
        rows.append(("  peak memory", f"{verification['peak_memory_bytes'] / 2**20:.0f} MiB", "target 1024 MiB", ""))
        rows.append(
            (
                f"  target: ≤ +25 % with {verification['workers']} workers, < 1 GiB",
                "",
                "",
                "met" if verification["target_met"] else "MISSED",
            )
        )
    verification = results.get("verification_v2")
    if verification:
        for run in verification["runs"]:
            rows.append(
                (
                    f"verify format 2, {verification['ballots']:,} ballots, {verification['receipts']} receipts"
                    f" and a held head, {run['workers']} worker(s)",
                    f"{run['verify_seconds']:.2f} s (+{run['parse_seconds']:.2f} s parse)",
                    f"{run['signatures_alone_seconds']:.2f} s for its {verification['signatures']:,} signatures alone",
                    f"{run['overhead']:+.0%} (CPU {run['overhead_cpu']:+.0%}, "
                    f"median of pairs {run['overhead_median_of_pairs']:+.0%})",
                )
            )
        rows.append(("  peak memory", f"{verification['peak_memory_bytes'] / 2**20:.0f} MiB", "target 1024 MiB", ""))
        rows.append(
            (
                "  target: ≤ +25 % with 1 worker and with all, < 1 GiB",
                "",
                "",
                "met" if verification["target_met"] else "MISSED",
            )
        )
    browser = results.get("browser_verification")
    if browser:
        rows.append(
            (
                f"verify format 2 in Chromium {browser['chromium']}, {browser['ballots']:,} ballots, WebCrypto",
                f"{browser['webcrypto_seconds']:.2f} s",
                f"{browser['python_seconds']:.2f} s by the Python verifier",
                f"{browser['ratio_to_python']:.1f}×",
            )
        )
        rows.append(
            (
                "  the same with noble-ed25519 (no Ed25519 in WebCrypto)",
                f"{browser['noble_seconds']:.2f} s",
                "",
                f"{browser['noble_seconds'] / browser['python_seconds']:.1f}×",
            )
        )
    notices = results.get("notices")
    if notices:
        rows.append(
            (
                f"voting notices ({notices['pages']} pages)",
                f"{notices['pages_per_second']:.1f} pages/s",
                f"{notices['bare_qr_pages_per_second']:.1f} bare QR pages/s",
                f"{notices['ratio_to_bare']:.0%}",
            )
        )
    closing = results.get("close_to_results")
    if closing:
        for name, seconds in closing["steps"].items():
            rows.append((f"  {name}", f"{seconds:.2f} s", "", ""))
        rows.append(
            (
                f"close → results ready ({closing['voters']:,} voters, {closing['ballots']:,} ballots)",
                f"{closing['total_seconds']:.2f} s",
                "",
                "" if closing["pdfs_measured"] else "PDFs not measured",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    header = ("benchmark", "figure", "baseline (same run)", "ratio")
    widths = [max(width, len(title)) for width, title in zip(widths, header)]
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def prepare_database(url: str):
    """The app on a freshly migrated bench database (created when missing)."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from voting import create_app
    from voting.extensions import db

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to empty database {name!r}: give one whose name contains 'bench'")
    probe = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        probe.connect().close()
    except OperationalError:
        subprocess.run(
            [
                "createdb",
                "-h",
                parts.hostname or "127.0.0.1",
                "-p",
                str(parts.port or 5432),
                "-U",
                parts.username or "postgres",
                name,
            ],
            check=True,
        )
    probe.dispose()
    # Rate limits off: every ballot comes from one loopback address, and the limiter is not measured.
    environment = {
        "GONGZHI_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATA_KEY": secrets.token_urlsafe(32),
        "PUBLIC_BASE_URL": "https://vote.example.gov.cn",
        "RATELIMIT_ENABLED": "0",
    }
    app = create_app(
        {
            "ENV": "production",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            **{key: environment[key] for key in ("SECRET_KEY", "DATA_KEY", "PUBLIC_BASE_URL")},
        }
    )
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
    return app, {**os.environ, **environment}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="everything small, to check the script works")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--only",
        choices=("casting", "verification", "verification-v2", "browser-verification", "notices", "close"),
        action="append",
        help="run only these benchmarks (repeatable)",
    )
    parser.add_argument("--pdfs", type=Path, help="keep the results and minutes PDFs of the close benchmark here")
    parser.add_argument("--verify-child", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--signatures-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--held", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify_child:
        verify_child(args.verify_child, args.workers, args.signatures_only, args.held)
        return
    scale = QUICK if args.quick else FULL
    chosen = set(
        args.only or ("casting", "verification", "verification-v2", "browser-verification", "notices", "close")
    )
    # Only these use the database, which preparing empties: the others can run beside anyone's bench.
    needs_database = chosen & {"casting", "notices", "close"}
    app, environment = prepare_database(args.database_url) if needs_database else (None, None)
    results: dict = {"scale": asdict(scale) | {"name": "quick" if args.quick else "full"}}
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as folder, app.app_context() if app else nullcontext():
        from voting.extensions import db

        work = Path(folder)
        results["machine"] = machine(db.engine if app else None)
        # The records are built and verified before anything else loads the machine.
        for name, run in (
            ("verification", lambda: bench_verification(scale, work)),
            ("verification-v2", lambda: bench_verification_v2(scale, work)),
            ("browser-verification", lambda: bench_browser_verification(scale, work)),
            ("casting", lambda: bench_casting(scale, environment, work)),
            ("notices", lambda: bench_notices(scale)),
            ("close", lambda: bench_close_to_results(scale, args.pdfs)),
        ):
            if name in chosen:
                started = time.perf_counter()
                results[
                    {
                        "close": "close_to_results",
                        "verification-v2": "verification_v2",
                        "browser-verification": "browser_verification",
                    }.get(name, name)
                ] = run()
                print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        results["machine"]["load_average_at_end"] = os.getloadavg()
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
