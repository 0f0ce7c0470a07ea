"""The log of a format-2 record checked in chunks, in worker processes or not: the same verdict,
the same first fault, whatever the chunks' size and however faults fall across their edges."""

import pytest

from tests.core import vectors_v2
from voting.core import record_v2


@pytest.mark.parametrize("chunk_entries, workers", [(1, 1), (2, 1), (3, 2), (1, 2)])
def test_every_vector_gives_the_same_verdict_in_chunks(monkeypatch, chunk_entries, workers):
    files = {name: content for name, content in vectors_v2.file_contents().items() if name != "expected.json"}
    expected = {name: vectors_v2.verdict_of(content) for name, content in files.items()}
    assert sum(verdict == "VALID" for verdict in expected.values()) == len(vectors_v2.VALID)
    monkeypatch.setattr(record_v2, "CHUNK_ENTRIES", chunk_entries)
    for name, content in files.items():
        assert vectors_v2.verdict_of(content, workers) == expected[name], name
