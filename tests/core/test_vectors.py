"""The conformance vectors of spec/election-record-v1 (../shared/spec/vectors)."""

import json

import pytest

from tests.conftest import SHARED
from voting.core import record
from voting.core.canonical import canon, parse_json

VECTORS = SHARED / "spec" / "vectors"


def vector_names() -> list[str]:
    expected = VECTORS / "expected.json"
    if not expected.is_file():
        return ["absent"]  # the `vectors` fixture skips it
    return sorted(json.loads(expected.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", vector_names())
def test_vector_gives_the_expected_result(vectors, name):
    expected = json.loads((vectors / "expected.json").read_text(encoding="utf-8"))[name]
    document = parse_json((vectors / f"{name}.json").read_bytes())
    if expected["valid"]:
        assert canon(record.verify(document)) == canon(expected["tally"])
    else:
        with pytest.raises(record.RecordInvalid) as raised:
            record.verify(document)
        assert str(raised.value) == expected["reason"]


def test_every_vector_file_has_an_expected_result(vectors):
    names = {path.stem for path in vectors.glob("*.json")} - {"expected"}
    assert names == set(vector_names())
