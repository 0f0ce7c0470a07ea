"""The log's Merkle tree against a naive transcription of RFC 9162 §2.1 and known answers."""

import hashlib

import pytest

from voting.core import merkle
from voting.core.canonical import b64d

MAX_SIZE = 40


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def split_point(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf *inputs*, exactly as RFC 9162 §2.1.1 writes it."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return sha256(b"\x00" + leaves[0])
    k = split_point(len(leaves))
    return sha256(b"\x01" + naive_mth(leaves[:k]) + naive_mth(leaves[k:]))


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    if len(leaves) == 1:
        return []
    k = split_point(len(leaves))
    if m < k:
        return naive_path(m, leaves[:k]) + [naive_mth(leaves[k:])]
    return naive_path(m - k, leaves[k:]) + [naive_mth(leaves[:k])]


def naive_subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    if m == len(leaves):
        return [] if b else [naive_mth(leaves)]
    k = split_point(len(leaves))
    if m <= k:
        return naive_subproof(m, leaves[:k], b) + [naive_mth(leaves[k:])]
    return naive_subproof(m - k, leaves[k:], False) + [naive_mth(leaves[:k])]


LEAVES = [f"leaf {i} 选票".encode() for i in range(70)]
LEAF_HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]

# The test data of the Certificate Transparency reference implementation (RFC 6962 trees,
# which RFC 9162 keeps): roots of the first n of these eight leaves.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_empty_tree_and_leaf_and_node_hashes():
    assert merkle.root([]) == merkle.EMPTY_ROOT == sha256(b"")
    assert merkle.leaf_hash(b"x") == sha256(b"\x00x")
    assert merkle.node_hash(b"l", b"r") == sha256(b"\x01lr")


@pytest.mark.parametrize("size", range(1, 9))
def test_known_answers_from_certificate_transparency(size):
    leaf_hashes = [merkle.leaf_hash(leaf) for leaf in CT_LEAVES[:size]]
    assert merkle.root(leaf_hashes).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize("size", range(0, 71))
def test_root_and_frontier_match_the_naive_tree_hash(size):
    expected = naive_mth(LEAVES[:size])
    assert merkle.root(LEAF_HASHES[:size]) == expected
    frontier = merkle.Frontier()
    for leaf_hash in LEAF_HASHES[:size]:
        frontier.append(leaf_hash)
    assert frontier.size == size
    assert frontier.root() == expected


def test_tree_gives_the_root_of_every_prefix():
    tree = merkle.Tree(LEAF_HASHES)
    assert tree.size == len(LEAF_HASHES)
    for size in range(len(LEAF_HASHES) + 1):
        assert tree.root(size) == naive_mth(LEAVES[:size])
    with pytest.raises(ValueError):
        tree.root(len(LEAF_HASHES) + 1)


def test_frontier_keeps_one_node_per_set_bit_and_survives_json():
    frontier = merkle.Frontier()
    for size, leaf_hash in enumerate(LEAF_HASHES, start=1):
        frontier.append(leaf_hash)
        stored = frontier.to_json()
        assert stored["size"] == size
        assert len(stored["nodes"]) == bin(size).count("1")
        restored = merkle.Frontier.from_json(stored)
        assert restored.root() == frontier.root()
    # A restored frontier keeps growing like the original.
    restored = merkle.Frontier.from_json(_frontier_of(LEAF_HASHES[:37]).to_json())
    for leaf_hash in LEAF_HASHES[37:]:
        restored.append(leaf_hash)
    assert restored.root() == naive_mth(LEAVES)


def _frontier_of(leaf_hashes: list[bytes]) -> merkle.Frontier:
    frontier = merkle.Frontier()
    for leaf_hash in leaf_hashes:
        frontier.append(leaf_hash)
    return frontier


@pytest.mark.parametrize(
    "stored",
    [
        {"size": 3, "nodes": []},  # needs two nodes
        {"size": 1, "nodes": ["AA", "AA"]},
        {"size": 1, "nodes": ["AAAA"]},  # not a SHA-256 hash
        {"size": -1, "nodes": []},
        {"size": 1, "nodes": ["not b64!"]},
    ],
)
def test_frontier_from_json_refuses_inconsistent_rows(stored):
    with pytest.raises(ValueError):
        merkle.Frontier.from_json(stored)


def _tampered(proof: list[bytes]):
    """Every way of spoiling a proof by one change: flip a byte, drop, add or swap nodes."""
    for index in range(len(proof)):
        node = bytearray(proof[index])
        node[0] ^= 1
        yield proof[:index] + [bytes(node)] + proof[index + 1 :]
        yield proof[:index] + proof[index + 1 :]
    yield proof + [sha256(b"extra")]
    if len(proof) > 1:
        yield proof[1:] + proof[:1]


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_every_inclusion_proof_verifies_and_tampering_fails(size):
    leaf_hashes = LEAF_HASHES[:size]
    root = merkle.root(leaf_hashes)
    for index in range(size):
        proof = merkle.inclusion_proof(leaf_hashes, index)
        assert proof == naive_path(index, LEAVES[:size])
        assert merkle.verify_inclusion(leaf_hashes[index], index, size, proof, root)
        assert not merkle.verify_inclusion(LEAF_HASHES[size], index, size, proof, root)
        assert not merkle.verify_inclusion(leaf_hashes[index], index, size, proof, sha256(b"other"))
        for wrong_index in {index - 1, index + 1} & set(range(size)):
            assert not merkle.verify_inclusion(leaf_hashes[index], wrong_index, size, proof, root)
        for bad in _tampered(proof):
            assert not merkle.verify_inclusion(leaf_hashes[index], index, size, bad, root)


@pytest.mark.parametrize("new_size", range(1, MAX_SIZE + 1))
def test_every_consistency_proof_verifies_and_tampering_fails(new_size):
    new_root = merkle.root(LEAF_HASHES[:new_size])
    for old_size in range(1, new_size):
        old_root = merkle.root(LEAF_HASHES[:old_size])
        proof = merkle.consistency_proof(LEAF_HASHES[:new_size], old_size)
        assert proof == naive_subproof(old_size, LEAVES[:new_size], True)
        assert merkle.verify_consistency(old_size, new_size, old_root, new_root, proof)
        assert not merkle.verify_consistency(old_size, new_size, new_root, new_root, proof)
        assert not merkle.verify_consistency(old_size, new_size, old_root, old_root, proof)
        for bad in _tampered(proof):
            assert not merkle.verify_consistency(old_size, new_size, old_root, new_root, bad)


def test_consistency_with_a_rewritten_history_fails():
    rewritten = LEAF_HASHES[:10] + [merkle.leaf_hash(b"forged")] + LEAF_HASHES[11:20]
    proof = merkle.consistency_proof(rewritten, 12)
    old_root = merkle.root(LEAF_HASHES[:12])
    assert not merkle.verify_consistency(12, 20, old_root, merkle.root(rewritten), proof)


def test_consistency_edge_cases_outside_the_rfc_range():
    root_5 = merkle.root(LEAF_HASHES[:5])
    assert merkle.consistency_proof(LEAF_HASHES[:5], 5) == []
    assert merkle.consistency_proof(LEAF_HASHES[:5], 0) == []
    assert merkle.verify_consistency(5, 5, root_5, root_5, [])
    assert not merkle.verify_consistency(5, 5, root_5, merkle.root(LEAF_HASHES[:4]), [])
    assert not merkle.verify_consistency(5, 5, root_5, root_5, [root_5])
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root_5, [])
    assert not merkle.verify_consistency(6, 5, root_5, root_5, [])
    assert not merkle.verify_consistency(3, 5, merkle.root(LEAF_HASHES[:3]), root_5, [])


def test_proof_generation_refuses_positions_outside_the_tree():
    with pytest.raises(ValueError):
        merkle.inclusion_proof(LEAF_HASHES[:5], 5)
    with pytest.raises(ValueError):
        merkle.inclusion_proof([], 0)
    with pytest.raises(ValueError):
        merkle.consistency_proof(LEAF_HASHES[:5], 6)


def test_inclusion_rejects_indexes_outside_the_tree():
    proof = merkle.inclusion_proof(LEAF_HASHES[:4], 3)
    root = merkle.root(LEAF_HASHES[:4])
    assert not merkle.verify_inclusion(LEAF_HASHES[3], 4, 4, proof, root)
    assert not merkle.verify_inclusion(LEAF_HASHES[3], -1, 4, proof, root)


def test_frontier_json_nodes_are_b64_hashes():
    stored = _frontier_of(LEAF_HASHES[:6]).to_json()
    assert [len(b64d(node)) for node in stored["nodes"]] == [32, 32]
