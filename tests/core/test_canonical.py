import base64
import re
import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.core.canonical import (
    BEIJING_EARLIEST,
    BEIJING_LATEST,
    MAX_INT,
    H,
    b64d,
    b64e,
    b64h,
    beijing_time,
    canon,
    check_json,
    format_time,
    instant,
    instant_of,
    is_b64,
    is_int,
    parse_json,
    parse_time,
)


def test_canon_sorts_keys_drops_whitespace_and_keeps_non_ascii():
    assert canon({"b": [1, "x y"], "a": "测试花园", "c": None}) == ('{"a":"测试花园","b":[1,"x y"],"c":null}'.encode())


def test_canon_sorts_keys_by_code_point_not_utf16():
    # U+FFFF sorts before U+1F600 by code point; UTF-16 order (JavaScript's) is the reverse.
    assert canon({"\U0001f600": 1, "\uffff": 2, "Z": 3, "a": 4}) == (
        '{"Z":3,"a":4,"\uffff":2,"\U0001f600":1}'.encode("utf-8")
    )


def test_canon_matches_the_spec_recipe():
    import json

    value = {"é": [True, False, {"z": -5, "y": '\n"\\'}], "ü": 2**53}
    recipe = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canon(value) == recipe.encode("utf-8")


def test_canon_refuses_lone_surrogates():
    with pytest.raises(ValueError):
        canon({"a": "\ud800"})


def test_sha256_and_b64h():
    assert H(b"").hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert b64h({"a": 1}) == b64e(H(b'{"a":1}'))


@pytest.mark.parametrize("length", range(0, 40))
def test_b64_round_trip_without_padding(length):
    data = bytes(range(256))[length : 2 * length]
    text = b64e(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64d(text) == data


def test_b64_uses_the_url_alphabet():
    assert b64e(b"\xfb\xff") == "-_8"
    assert b64d("-_8") == b"\xfb\xff"


@pytest.mark.parametrize(
    "text",
    [
        "AA==",  # padding
        "AA=",
        "+/8",  # standard alphabet
        "A A",
        "AA\n",
        "A",  # impossible length
        "AAAAA",
        "AB",  # stray bits: "AA" is the only spelling of b"\x00"
        "AAB",  # stray bits: "AAA" is the only spelling of b"\x00\x00"
        "é",
    ],
)
def test_b64d_is_strict(text):
    with pytest.raises(ValueError):
        b64d(text)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \né"))
def test_b64d_accepts_exactly_the_spellings_b64e_makes(text):
    try:
        data = b64d(text)
    except ValueError:
        # Refused: then no bytes are spelled this way.
        stripped = text.rstrip("=")
        assert not (
            stripped == text
            and len(text) % 4 != 1
            and set(text) <= set(string.ascii_letters + string.digits + "-_")
            and b64e(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))) == text
        )
    else:
        assert b64e(data) == text


@pytest.mark.parametrize("value", [None, 5, b"AAAA"])
def test_b64d_refuses_non_strings(value):
    with pytest.raises(ValueError):
        b64d(value)


def test_parse_time_compares_instants():
    beijing = parse_time("2026-12-01T08:00:00+08:00")
    assert beijing == parse_time("2026-12-01T00:00:00Z")
    assert beijing == parse_time("2026-11-30T19:00:00-05:00")
    assert beijing < parse_time("2026-12-01T07:30:00+07:00")
    assert beijing.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-12-01t08:00:00z", datetime(2026, 12, 1, 8, tzinfo=UTC)),
        ("2026-12-01T08:00:00.5+00:00", datetime(2026, 12, 1, 8, 0, 0, 500000, UTC)),
        ("2026-12-01T08:00:00.123456000Z", datetime(2026, 12, 1, 8, 0, 0, 123456, UTC)),
        ("2026-12-01T08:00:00-00:00", datetime(2026, 12, 1, 8, tzinfo=UTC)),
    ],
)
def test_parse_time_accepts_rfc3339_variants(text, expected):
    assert parse_time(text) == expected
    assert instant(text) == instant_of(expected)


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01T08:00:00",  # no offset
        "2026-12-01",
        "2026-12-01 08:00:00+08:00",
        "20261201T080000+0800",
        "2026-12-01T08:00+08:00",
        "2026-13-01T08:00:00Z",
        "2026-02-30T08:00:00Z",
        "2026-12-01T24:00:00Z",
        "2026-12-31T23:59:60Z",  # leap second: not representable
        "2026-12-01T08:00:00+08:60",
        "2026-12-01T08:00:00+24:00",
        "2026-12-01T08:00:00.1234567Z",  # finer than a microsecond
        "２０２６-12-01T08:00:00Z",  # full-width digits
        "",
    ],
)
def test_parse_time_refuses(text):
    with pytest.raises(ValueError) as refused:
        parse_time(text)
    with pytest.raises(ValueError) as refused_as_instant:
        instant(text)
    assert str(refused_as_instant.value) == str(refused.value)


def test_instant_agrees_with_parse_time_within_an_hour_seen_before():
    # The second timestamp of each pair reuses the hour the first one parsed.
    for text in ("2026-12-01T08:59:59.999999+08:00", "2026-12-01T08:00:00.5-05:30", "2026-12-01t08:07:06z"):
        instant(text[:14] + "00:00" + text[19:])
        assert instant(text) == instant_of(parse_time(text))
    for refused in ("2026-12-01T08:60:00+08:00", "2026-12-01T08:00:60+08:00"):
        with pytest.raises(ValueError):
            instant(refused)


def test_parse_time_refuses_non_strings():
    with pytest.raises(ValueError):
        parse_time(1764547200)


def test_format_time_writes_beijing_time():
    moment = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert format_time(moment) == "2026-12-01T08:00:00+08:00"
    assert parse_time(format_time(moment)) == moment
    with_microseconds = datetime(2026, 12, 1, 0, 0, 0, 250000, tzinfo=UTC)
    assert parse_time(format_time(with_microseconds)) == with_microseconds


def test_format_time_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        format_time(datetime(2026, 12, 1, 8))


def test_is_int_excludes_bools_floats_and_huge_numbers():
    assert is_int(0) and is_int(MAX_INT) and is_int(-MAX_INT)
    assert not is_int(True)
    assert not is_int(1.0)
    assert not is_int(MAX_INT + 1)
    assert not is_int(-MAX_INT - 1)
    assert not is_int("1")


def test_check_json_accepts_json_values():
    check_json({"a": [1, -MAX_INT, MAX_INT, True, None, "x", {"b": []}]})


@pytest.mark.parametrize(
    "value, message",
    [
        ({"a": [1, 2.0]}, "tally.a[1] is a floating-point number"),
        ({"a": {"b": float("nan")}}, "tally.a.b is a floating-point number"),
        ({"a": MAX_INT + 1}, "tally.a is an integer beyond ±2^53"),
        ({"a": (1, 2)}, "tally.a is not a JSON value"),
    ],
)
def test_check_json_names_the_offending_path(value, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_json(value, "tally")


def test_parse_json_keeps_integers_and_text():
    assert parse_json('{"a": [1, -2, 9007199254740993], "b": "测试"}'.encode()) == {
        "a": [1, -2, 9007199254740993],
        "b": "测试",
    }


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1.0}',
        '{"a": 1e3}',
        '{"a": NaN}',
        '{"a": -Infinity}',
        '{"a": 1, "a": 2}',
        '{"a": {"b": 1, "b": 1}}',
    ],
)
def test_parse_json_refuses_floats_and_duplicate_keys(text):
    with pytest.raises(ValueError):
        parse_json(text)


@pytest.mark.parametrize(
    "data",
    [
        '{"a": 1}'.encode("utf-16"),
        '{"a": 1}'.encode("utf-32"),
        '{"a": 1}'.encode("utf-16-le"),  # no byte-order mark: NUL bytes, then not JSON
        b'{"a": "\xed\xa0\x80"}',  # U+D800 in UTF-8 form
        b'{"a": "\xc0\xaf"}',  # an overlong "/"
        b'{"a": "\\ud800"}',
        b'{"\\udc00": 1}',  # in a key
        b'{"a": "\\ud83d\\u0041"}',
        b'{"a": "\\ude00\\ud83d"}',
        b'{"a": "\\\\\\ud800"}',  # an escaped backslash, then an escape
        b"[" * 65 + b"]" * 65,
        b'{"a": ' + b'{"b": ' * 64 + b"1" + b"}" * 65,
        b"[" * 100_000 + b"]" * 100_000,
        '{"a": "\ud800"}',  # text holding a lone surrogate
    ],
)
def test_parse_json_refuses_what_is_not_a_utf8_json_text_of_64_levels(data):
    with pytest.raises(ValueError):
        parse_json(data)


@pytest.mark.parametrize(
    "data, value",
    [
        (b"\xef\xbb\xbf{}", {}),  # a byte-order mark is skipped
        (b'{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),  # a pair escaped
        (b'{"a": "\\\\ud800"}', {"a": "\\ud800"}),  # an escaped backslash, then text
        (b"[" * 64 + b"]" * 64, eval("[" * 64 + "]" * 64)),
        (b'{"a": "[[[[", "b": "\\"[[", "c": []}', {"a": "[[[[", "b": '"[[', "c": []}),  # brackets in strings
    ],
)
def test_parse_json_reads_a_utf8_json_text_of_64_levels(data, value):
    assert parse_json(data) == value


def test_beijing_time_writes_every_instant_of_years_1_to_9999():
    assert beijing_time(BEIJING_EARLIEST) == "0001-01-01T00:00:00+08:00"
    assert beijing_time(BEIJING_LATEST) == "9999-12-31T23:59:59.999999+08:00"
    assert beijing_time(instant("2026-12-01t00:30:00.250z")) == "2026-12-01T08:30:00.250000+08:00"


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_+/=é", max_size=12))
def test_is_b64_agrees_with_b64d(text):
    try:
        b64d(text)
        decodes = True
    except ValueError:
        decodes = False
    assert is_b64(text) == decodes


@given(st.binary(max_size=40))
def test_is_b64_accepts_every_encoding(data):
    assert is_b64(b64e(data))
