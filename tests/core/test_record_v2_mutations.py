"""Thousands of single edits of valid format-2 records: the verifier never crashes, every fault
names its check, and an edit that changes anything but the list of certifications is caught."""

import copy
import json
import random

import pytest

from tests.core import vectors_v2
from voting.core import record_v2
from voting.core.canonical import parse_json

VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**53,
    2**53 + 1,
    "",
    "x",
    "estate",
    [],
    {},
    [1],
    {"a": 1},
    "AAAA",
    "ext",
    "\ud800",
]
EDITS_PER_RECORD = 400


def paths(value, path=()):
    yield path
    if type(value) is dict:
        for key, item in value.items():
            yield from paths(item, (*path, key))
    elif type(value) is list:
        for index, item in enumerate(value):
            yield from paths(item, (*path, index))


@pytest.mark.parametrize("name", [builder.__name__ for builder in vectors_v2.VALID])
def test_no_edit_crashes_the_verifier_or_passes_unnamed(name):
    base = getattr(vectors_v2, name)()
    if type(base) is bytes:  # a vector written as a file (valid-with-ext-and-bom)
        base = parse_json(base)
    rng = random.Random(name)
    places = list(paths(base))[1:]
    for _ in range(EDITS_PER_RECORD):
        edited = copy.deepcopy(base)
        path = rng.choice(places)
        parent = edited
        for key in path[:-1]:
            parent = parent[key]
        replaced = rng.random() < 0.7
        if replaced:
            parent[path[-1]] = rng.choice(VALUES)
        elif type(parent) is dict:
            del parent[path[-1]]
        else:
            parent.append(rng.choice(VALUES))
        try:
            record_v2.verify(edited)
        except record_v2.RecordInvalid as fault:
            assert fault.check, f"{path}: {fault}"
            continue
        # Still valid: the edit changed nothing, or only left out the certifications.
        unchanged = json.dumps(edited, sort_keys=True) == json.dumps(base, sort_keys=True)
        assert unchanged or path == ("certifications",) or path[:1] == ("certifications",) or _in_unsigned_ext(path), (
            path
        )


def _in_unsigned_ext(path: tuple) -> bool:
    """Inside an ext that nothing hashes or signs: the document's, a checkpoint's (the tree
    head's) or a cosignature's (spec §1, objects are closed)."""
    return "ext" in path and path[0] in ("ext", "checkpoints", "tree_head")
