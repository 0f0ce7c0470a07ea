"""The private roll's pieces (spec election-record-v2 §4): random voter ids, the units commitment."""

import hashlib
import re

from voting.core.canonical import b64d
from voting.core.roll import SALT_BYTES, new_salt, new_voter_ids, units_commitment


def test_the_commitment_is_the_specs_hash_of_the_salt_and_the_sorted_labels():
    salt = bytes(range(16))
    expected = hashlib.sha256(b"gongzhi/2/units\x00" + salt + '["1幢-1-102","1幢-1-201"]'.encode()).digest()
    assert b64d(units_commitment(salt, ["1幢-1-201", "1幢-1-102"])) == expected
    assert units_commitment(salt, ["1幢-1-102", "1幢-1-201"]) == units_commitment(salt, ["1幢-1-201", "1幢-1-102"])


def test_without_the_salt_or_with_other_units_the_commitment_differs():
    salt = new_salt()
    assert len(salt) == SALT_BYTES and new_salt() != salt
    commitment = units_commitment(salt, ["1幢-1-101"])
    assert len(b64d(commitment)) == 32
    assert units_commitment(new_salt(), ["1幢-1-101"]) != commitment
    assert units_commitment(salt, ["1幢-1-102"]) != commitment
    assert units_commitment(salt, ["1幢-1-101", "1幢-1-102"]) != commitment


def test_voter_ids_are_distinct_short_and_unambiguous():
    ids = new_voter_ids(2000)
    assert len(set(ids)) == 2000
    assert all(re.fullmatch(r"[0-9a-hjkmnp-tv-z]{10}", voter_id) for voter_id in ids)
    assert set(new_voter_ids(2000)).isdisjoint(ids)
