"""Malformed input thrown at every endpoint an outsider, a phone or a clerk's script can reach:
never a 500, never a partial write, and a ballot is logged only when it is valid.

The oracle for "no partial write" is every row of every table, read back after each refused
request (after a commit, so that anything a view left flushed would show). On SQLite, values
PostgreSQL would refuse (NUL, text longer than its column) are looked for as well, so that the
quick run finds what would be a 500 in production.
"""

import csv
import io
import json
import os

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import String, event, func, select

from tests.app.test_paper import UNIT, paper_vote, png_scan
from tests.app.test_vote import voter_id
from tests.elections_kit import PHONE_MOTIONS, open_vote
from tests.factories import HEADERS, login, resident_id, small_roster
from voting.auth.models import Role
from voting.ballots.models import LogEntry
from voting.core import record_v2, signing
from voting.core.canonical import b64d, b64e
from voting.estates.models import Building, Unit
from voting.extensions import db
from voting.roster.models import Owner
from voting.roster.operations import storable_filename
from voting.roster.parsing import parse_roster
from voting.timeutil import utcnow
from voting.vote.operations import POSSESSION_PREFIX

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# --- strategies -----------------------------------------------------------------------------------

# Any code point: NUL, control characters, lone surrogates, right-to-left marks, CJK.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
# What a browser can put in a form or an address: anything but lone surrogates.
FORM_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
BEYOND_2_53 = st.integers(min_value=2**53 + 1, max_value=10**300) | st.integers(
    min_value=-(10**300), max_value=-(2**53) - 1
)
SCALARS = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | BEYOND_2_53 | st.floats() | ANY_TEXT
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=10
)
# Bodies no JSON serialiser would write: bytes, nesting deeper than any parser recurses, numbers
# beyond Python's digit limit, duplicate keys, NaN, escaped NUL and lone surrogates.
RAW_BODIES = st.one_of(
    st.binary(max_size=100),
    st.integers(1, 30_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 10_000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    st.integers(4_400, 6_000).map(lambda digits: '{"seq": ' + "9" * digits + "}"),
    st.sampled_from(
        [
            '{"a": 1, "a": 2}',
            "NaN",
            '{"x": -Infinity}',
            '{"x": 1e999}',
            '{"x": 1.5}',
            '"\\ud800"',
            '{"x": "\\u0000"}',
            '{"\\udfff": 1}',
            "",
            "null",
            "[]",
            "[1]",
            "{",
            "\u0000",
        ]
    ),
)


def as_json(value) -> str:
    return json.dumps(value, allow_nan=True)


def holds_float(value) -> bool:
    """Floats (and NaN) make a whole body unreadable to the server, as they would a record."""
    if isinstance(value, dict):
        return any(holds_float(child) for child in value.values())
    if isinstance(value, list):
        return any(holds_float(child) for child in value)
    return isinstance(value, float)


ANY_BODY = st.one_of(RAW_BODIES, JSON_VALUES.map(as_json))


# --- the oracles --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def nul_refused_as_by_postgresql(app):
    """PostgreSQL refuses text holding NUL, in a query as in a row (a 500 if it gets that far);
    SQLite takes it. Refuse it here too, so that the quick run on SQLite finds it."""

    def holds_nul(parameters) -> bool:
        if isinstance(parameters, str):
            return "\x00" in parameters
        if isinstance(parameters, dict):
            parameters = parameters.values()
        return isinstance(parameters, (list, tuple, type({}.values()))) and any(map(holds_nul, parameters))

    def refuse_nul(_connection, _cursor, _statement, parameters, _context, _executemany):
        if holds_nul(parameters):
            raise AssertionError(f"NUL sent to the database: {parameters!r:.300}")

    event.listen(db.engine, "before_cursor_execute", refuse_nul)
    yield
    event.remove(db.engine, "before_cursor_execute", refuse_nul)


def snapshot() -> dict[str, list[str]]:
    """Every row of every table. Commits first: whatever a view left flushed would be written by
    the next commit of the same session."""
    db.session.commit()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(table.select()))
        for table in db.metadata.sorted_tables
    }


def assert_storable_in_postgresql() -> None:
    """No stored text holds NUL or exceeds its column (SQLite stores both, PostgreSQL refuses)."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String):
                continue
            longest = column.type.length
            for value in db.session.scalars(select(column).where(column.is_not(None))):
                assert "\x00" not in value, (table.name, column.name, value)
                assert longest is None or len(value) <= longest, (table.name, column.name, value)


def assert_refused_cleanly(response, before: dict) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert snapshot() == before, (response.status_code, response.get_data(as_text=True)[:300])


def post_body(client, url: str, body, **kwargs):
    return client.post(url, data=body, content_type="application/json", **kwargs)


# --- owners' phones ----------------------------------------------------------------------------------

WANG = "v00002"  # small_roster: 王五, resident_id(3), two flats
WANG_LAST4 = resident_id(3)[-4:]


@pytest.fixture
def vote(app, factory):
    """An open vote that asks for the ID ending, and a receipt of one ballot in it."""
    vote = open_vote(factory.estate(roster=small_roster()), require_id_last4=True, now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    ballot = genuine_ballot(election)
    response = app.test_client().post(
        f"/api/v/{election.public_id}/ballot",
        json={"ballot": ballot, "signature": sign(secrets[WANG], ballot), "id_last4": WANG_LAST4},
    )
    assert response.status_code == 200, response.json
    return election, secrets, response.json


def genuine_ballot(election) -> dict:
    return {
        "election_hash": election.election_hash,
        "voter_id": voter_id(election, WANG),
        "channel": "online",
        "nonce": b64e(os.urandom(16)),
        "choices": {"m1": "yes", "m2": "no", "m3": ["c3-1"]},
    }


def sign(seed: bytes, ballot) -> str:
    return signing.sign(signing.private_key_from_seed(seed), "ballot", ballot, record_v2.VERSION)


@FUZZ
@given(data=st.data())
def test_phone_endpoints_answer_any_body_without_a_500_or_a_write(app, vote, data):
    election, _secrets, _receipt = vote
    endpoint = data.draw(st.sampled_from(["challenge", "session", "ballot", "units", "receipt/check"]))
    body = data.draw(ANY_BODY)
    before = snapshot()
    response = post_body(app.test_client(), f"/api/v/{election.public_id}/{endpoint}", body)
    assert response.status_code < 500
    assert response.is_json
    if endpoint != "challenge":
        assert response.status_code >= 400 or response.json.get("ok") is False
        assert "error" in response.json
    assert snapshot() == before


@FUZZ
@given(data=st.data())
def test_the_session_opens_only_for_the_genuine_key_proof_and_id_ending(app, vote, data):
    election, secrets, _receipt = vote
    client = app.test_client()
    challenge = client.post(f"/api/v/{election.public_id}/challenge").json["challenge"]
    key = signing.private_key_from_seed(secrets[WANG])
    genuine = {
        "public_key": signing.public_key_b64(key),
        "challenge": challenge,
        "signature": b64e(key.sign(POSSESSION_PREFIX + challenge.encode())),
        "id_last4": WANG_LAST4,
    }
    body = {}
    for name, value in genuine.items():
        kind = data.draw(st.sampled_from(["genuine", "junk", "missing"]), label=name)
        if kind == "genuine":
            body[name] = value
        elif kind == "junk":
            body[name] = data.draw(JSON_VALUES.filter(lambda junk, value=value: junk != value), label=f"{name} junk")
    body |= data.draw(st.dictionaries(ANY_TEXT.filter(lambda key: key not in genuine), JSON_VALUES, max_size=2))
    before = snapshot()
    response = post_body(client, f"/api/v/{election.public_id}/session", as_json(body))
    assert response.status_code < 500
    genuine_sent = all(body.get(name) == value for name, value in genuine.items())
    assert (response.status_code == 200) == (genuine_sent and not holds_float(body))
    after = snapshot()
    if response.status_code == 200:  # the one write: the challenge is used up (older ones forgotten)
        spent = set(after.pop("spent_challenge")) - set(before.pop("spent_challenge"))
        assert len(spent) == 1
    assert after == before


BALLOT_KEYS = ("election_hash", "voter_id", "channel", "nonce", "choices")


def _is_nonce(value) -> bool:
    try:
        return len(b64d(value)) >= 16
    except ValueError:
        return False


def _is_choice(motion_id: str, value) -> bool:
    if motion_id in ("m1", "m2"):
        return isinstance(value, str) and value in ("yes", "no", "abstain")
    return (
        isinstance(value, list)
        and len(value) <= 2
        and len(set(map(repr, value))) == len(value)
        and all(isinstance(c, str) and c in ("c3-1", "c3-2", "c3-3") for c in value)
    )


def invalid_value(key: str, genuine):
    """A value that makes the ballot invalid wherever it is put under ``key``."""
    if key == "nonce":
        return JSON_VALUES.filter(lambda value: not _is_nonce(value))
    if key == "choices":
        unknown_motion = st.dictionaries(
            ANY_TEXT.filter(lambda m: m not in ("m1", "m2", "m3")), JSON_VALUES, min_size=1, max_size=2
        )
        return JSON_VALUES.filter(lambda value: not isinstance(value, dict)) | unknown_motion
    if key in ("m1", "m2", "m3"):
        return JSON_VALUES.filter(lambda value: not _is_choice(key, value))
    return JSON_VALUES.filter(lambda value: value != genuine)


@st.composite
def ballots(draw, election, seed: bytes):
    """(body, valid): a ballot as the phone signs it, or with one fault put in before signing,
    or with a signature or an ID ending that does not fit."""
    ballot = genuine_ballot(election)
    fault = draw(st.sampled_from(["none", "value", "missing key", "unknown key", "choice", "signature", "id_last4"]))
    if fault == "value":
        key = draw(st.sampled_from(BALLOT_KEYS))
        ballot[key] = draw(invalid_value(key, ballot[key]))
    elif fault == "missing key":
        del ballot[draw(st.sampled_from(BALLOT_KEYS))]
    elif fault == "unknown key":
        ballot[draw(ANY_TEXT.filter(lambda key: key not in BALLOT_KEYS and key != "ext"))] = draw(JSON_VALUES)
    elif fault == "choice":
        motion_id = draw(st.sampled_from(["m1", "m2", "m3"]))
        ballot["choices"][motion_id] = draw(invalid_value(motion_id, None))
    try:
        signature = sign(seed, ballot)
    except ValueError:  # canon refuses what no phone could sign (lone surrogates)
        signature = b64e(os.urandom(64))
    if fault == "signature":
        signature = draw(JSON_VALUES | st.just(sign(seed, genuine_ballot(election))))
    id_last4 = WANG_LAST4 if fault != "id_last4" else draw(JSON_VALUES.filter(lambda value: value != WANG_LAST4))
    return {"ballot": ballot, "signature": signature, "id_last4": id_last4}, fault == "none"


@FUZZ
@given(data=st.data())
def test_a_ballot_is_logged_only_when_it_is_valid(app, vote, data):
    election, secrets, _receipt = vote
    body, valid = data.draw(ballots(election, secrets[WANG]))
    before = snapshot()
    response = post_body(app.test_client(), f"/api/v/{election.public_id}/ballot", as_json(body))
    assert response.status_code < 500
    if not valid:
        assert response.status_code >= 400 and "error" in response.json
        assert snapshot() == before
        return
    assert response.status_code == 200, response.json
    logged = db.session.scalar(
        select(LogEntry.entry_json).where(LogEntry.election_id == election.id).order_by(LogEntry.seq.desc()).limit(1)
    )
    assert json.loads(logged)["body"] == body["ballot"]


def _paths(value, prefix=()):
    """Every place in a JSON value one could put something else."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, prefix + (index,))


def _replaced(value, path, new):
    if not path:
        return new
    copy = value.copy()
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


@FUZZ
@given(data=st.data())
def test_a_receipt_changed_anywhere_is_answered_without_a_500(app, vote, data):
    election, _secrets, receipt = vote
    path = data.draw(st.sampled_from(list(_paths(receipt))))
    changed = _replaced(receipt, path, data.draw(JSON_VALUES))
    before = snapshot()
    client = app.test_client()
    answer = post_body(client, f"/api/v/{election.public_id}/receipt/check", as_json(changed))
    page = client.post(f"/v/{election.public_id}/receipt", data={"receipt": as_json(changed)})
    assert answer.status_code == 200 and page.status_code == 200
    if as_json(changed) == as_json(receipt):
        assert answer.json["ok"]
    assert snapshot() == before


def test_the_genuine_receipt_checks(app, vote):
    election, _secrets, receipt = vote
    assert post_body(app.test_client(), f"/api/v/{election.public_id}/receipt/check", as_json(receipt)).json["ok"]


# --- clerks' scripts and the certifying officer ----------------------------------------------------


@pytest.fixture
def desk(app, factory):
    """An open vote with two clerks' keys, a ballot keyed but not signed, and one signed."""
    pv = paper_vote(app, factory)
    unsigned = pv.key(pv.a, "v00001", {"m1": "yes"}).get_json()["paper_id"]
    signed = pv.key_and_sign(pv.a, "v00003", {"m1": "no"})
    return pv, unsigned, signed


def genuine_or(data, genuine, label: str):
    return data.draw(st.one_of(st.just(genuine), JSON_VALUES), label=label)


@FUZZ
@given(data=st.data())
def test_paper_endpoints_answer_any_body_without_a_500_or_a_partial_write(app, desk, data):
    pv, unsigned, signed = desk
    step = data.draw(st.sampled_from(["key", "signature", "check", "countersignature", "officer-key", "raw"]))
    clerk = pv.a if step in ("key", "signature") else pv.b
    choices = {"m1": "yes", "m2": "abstain", "m3": ["c3-1"]}
    if step == "key":
        url = f"{pv.api}/ballots"
        body = {
            "unit": genuine_or(data, UNIT["v00002"], "unit"),
            "officer_id": genuine_or(data, clerk.officer_id, "o"),
            "choices": genuine_or(data, choices, "choices"),
            "scan": genuine_or(data, b64e(png_scan()), "scan"),
            "rekey_of": data.draw(st.one_of(st.none(), JSON_VALUES), label="rekey_of"),
        }
    elif step in ("signature", "countersignature"):
        url = f"{pv.api}/ballots/{unsigned if step == 'signature' else signed}/{step}"
        body = {"officer_id": genuine_or(data, clerk.officer_id, "o"), "signature": data.draw(JSON_VALUES, label="s")}
    elif step == "check":
        url = f"{pv.api}/ballots/{signed}/check"
        body = {
            "unit": genuine_or(data, UNIT["v00003"], "unit"),
            "officer_id": genuine_or(data, clerk.officer_id, "o"),
            "choices": genuine_or(data, {"m1": "no"}, "choices"),
        }
    else:
        url = f"{pv.api}/{'officer-key' if step == 'officer-key' else 'ballots'}"
        body = data.draw(JSON_VALUES, label="body")
    text = data.draw(RAW_BODIES, label="raw") if step == "raw" else as_json(body)
    before = snapshot()
    response = post_body(clerk.client, url, text)
    assert_refused_cleanly(response, before)
    assert response.is_json
    lookup = clerk.client.get(
        f"{pv.api}/key",
        query_string={
            "unit": data.draw(FORM_TEXT, label="lookup"),
            "rekey_of": data.draw(FORM_TEXT | st.integers(), label="rekey"),
        },
    )
    assert lookup.status_code in (200, 400, 404)
    assert_storable_in_postgresql()


@pytest.fixture
def certifying(app, factory):
    """A street officer's client and the certification routes of an open vote's API."""
    estate = factory.estate(roster=small_roster())
    staff = factory.staff(Role.STREET_OFFICE, estate)
    vote = open_vote(estate, officers=[(staff, "street_office", signing.generate_keypair()[1])])
    return login(app.test_client(), staff), f"/api/estates/{estate.code}/elections/{vote.election.id}/certification"


@FUZZ
@given(body=ANY_BODY)
def test_certification_endpoints_answer_any_body_without_a_500_or_a_write(app, certifying, body):
    client, base = certifying
    for step in ("sign", "officer-key"):
        before = snapshot()
        assert_refused_cleanly(post_body(client, f"{base}/{step}", body), before)


# --- owner rolls ----------------------------------------------------------------------------------

ROLL_TABLES = ("building", "unit", "owner", "unit_owner", "voter", "roster_import")
# The columns a parsed row ends up in, with their limits as the models declare them.
STORED_AS = {"building": Building.name, "entrance": Unit.entrance, "room": Unit.room, "label": Unit.label}
CELLS = st.one_of(
    ANY_TEXT,
    st.text(st.characters(exclude_categories=()), min_size=100, max_size=300),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.sampled_from(["", " ", "、", "、、", "1、", "-1", "0", "1e3", "０．５", "x" * 18, "110101190001011234"]),
)


@st.composite
def roster_rows(draw) -> list[list]:
    """A few rows of a well-formed roll, some of their cells replaced by anything at all."""
    rows = []
    for number in range(draw(st.integers(1, 4))):
        row = [
            "1幢",
            "1",
            str(101 + number),
            "住宅",
            "89.56",
            "登记",
            f"业主{number}",
            resident_id(number + 1),
            "13800000000",
            "已交付",
        ]
        for column in draw(st.sets(st.integers(0, len(HEADERS) - 1), max_size=3)):
            row[column] = draw(CELLS)
        rows.append(row)
    return rows


def as_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")  # lone surrogates make invalid UTF-8


def as_xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        # A workbook cannot hold control characters or lone surrogates: Excel writes neither.
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", cell).encode("utf-8", "ignore").decode()
                if isinstance(cell, str)
                else cell
                for cell in row
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@FUZZ
@given(rows=roster_rows(), workbook=st.booleans())
def test_the_parser_reads_any_cells_and_passes_only_rows_the_database_can_hold(rows, workbook):
    parsed = parse_roster(as_xlsx(rows) if workbook else as_csv(rows), "roll.xlsx" if workbook else "roll.csv")
    assert parsed.ok == (not parsed.errors) and (not parsed.rows or parsed.ok)
    for fault in parsed.errors + parsed.warnings:
        assert str(fault)
    for row in parsed.rows:
        for field, column in STORED_AS.items():
            value = getattr(row, field)
            assert "\x00" not in value and len(value) <= column.type.length, (field, value)
        for name in row.owner_names:
            assert "\x00" not in name and len(name) <= Owner.name.type.length, name


def test_cells_the_roll_cannot_hold_are_refused_with_their_row():
    row = ["1幢", "1", "101", "住宅", "89.56", "登记", "业主", resident_id(1), "", "已交付"]
    long_building = [("楼" * 41, *row[1:])]
    broken_name = [(*row[:6], "张\n三", *row[7:])]
    long_name = [(*row[:6], "、".join(["王" * 101, "李四"]), f"{resident_id(1)}、{resident_id(2)}", *row[8:])]
    assert [str(e) for e in parse_roster(as_csv(long_building), "r.csv").errors] == [
        "row 2: 楼栋 is longer than 40 characters"
    ]
    assert [str(e) for e in parse_roster(as_csv(broken_name), "r.csv").errors] == [
        "row 2: 权利人 holds a control character such as a line break; type the cell again"
    ]
    assert [str(e) for e in parse_roster(as_csv(long_name), "r.csv").errors] == [
        "row 2: 权利人 has a name longer than 100 characters"
    ]


@pytest.fixture
def roll_desk(app, factory):
    estate = factory.estate(roster=small_roster())
    return login(app.test_client(), factory.staff(Role.PREP_GROUP, estate)), estate


@FUZZ
@given(rows=roster_rows(), workbook=st.booleans(), name=FORM_TEXT | st.text(min_size=190, max_size=300))
def test_a_roll_upload_is_previewed_and_imported_whole_or_not_at_all(app, roll_desk, rows, workbook, name):
    client, estate = roll_desk
    filename = f"{name}.{'xlsx' if workbook else 'csv'}"
    data = as_xlsx(rows) if workbook else as_csv(rows)
    before = snapshot()
    staged = client.post(
        f"/estates/{estate.code}/roll/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    # 200: the form names what is wrong; 400: a name the test client cannot write into the request
    assert staged.status_code in (200, 302, 400), staged.status_code
    assert_storable_in_postgresql()
    if staged.status_code != 302:
        assert snapshot() == before
        return
    preview = client.get(staged.headers["Location"])
    assert preview.status_code == 200
    confirmed = client.post(staged.headers["Location"], content_type="application/x-www-form-urlencoded")  # a form
    assert confirmed.status_code == 302
    after = snapshot()
    parsed = parse_roster(data, storable_filename(filename))
    if parsed.ok:
        assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.estate_id == estate.id)) == len(
            parsed.rows
        )
        assert_storable_in_postgresql()
    else:
        assert {table: after[table] for table in ROLL_TABLES} == {table: before[table] for table in ROLL_TABLES}


# --- forms and addresses ------------------------------------------------------------------------


@FUZZ
@given(username=FORM_TEXT, password=FORM_TEXT, receipt=FORM_TEXT, unit=FORM_TEXT)
def test_forms_and_query_strings_take_any_text(app, vote, username, password, receipt, unit):
    election, _secrets, _receipt = vote
    client = app.test_client()
    before = snapshot()
    assert client.post("/login", data={"username": username, "password": password}).status_code in (200, 400)
    assert client.post(f"/v/{election.public_id}/receipt", data={"receipt": receipt}).status_code in (200, 400)
    assert client.get(f"/p/{election.estate.code}/", query_string={"unit": unit}).status_code in (200, 400)
    assert snapshot() == before
