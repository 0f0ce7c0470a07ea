"""The Merkle tree of RFC 9162 §2.1 over the ballot log, its proofs, and an incremental frontier."""

import hashlib

from voting.core.canonical import H, b64d, b64e

EMPTY_ROOT = H(b"")
_LEAF_PREFIXED = hashlib.sha256(b"\x00")


def leaf_hash(leaf: bytes) -> bytes:
    return H(b"\x00" + leaf)


def leaf_hash_of(*parts: bytes) -> bytes:
    """leaf_hash of the parts joined, without joining them (a verifier has an entry in pieces)."""
    hasher = _LEAF_PREFIXED.copy()
    for part in parts:
        hasher.update(part)
    return hasher.digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return H(b"\x01" + left + right)


def root(leaf_hashes: list[bytes]) -> bytes:
    """MTH over the given leaf hashes, level by level in O(n).

    Carrying an unpaired last node up unchanged builds the same left-balanced tree as the RFC's
    split at the largest power of two.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(leaf_hashes: list[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 §2.1.3.1, n = len(leaf_hashes)."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError("leaf index outside the tree")
    if len(leaf_hashes) == 1:
        return []
    split = _largest_power_of_two_below(len(leaf_hashes))
    if index < split:
        return inclusion_proof(leaf_hashes[:split], index) + [root(leaf_hashes[split:])]
    return inclusion_proof(leaf_hashes[split:], index - split) + [root(leaf_hashes[:split])]


def consistency_proof(leaf_hashes: list[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) of RFC 9162 §2.1.4.1, n = len(leaf_hashes).

    The RFC defines it for 0 < old_size < n; for old_size 0 or n the proof is empty.
    """
    if not 0 <= old_size <= len(leaf_hashes):
        raise ValueError("old size outside the tree")
    if old_size in (0, len(leaf_hashes)):
        return []
    return _subproof(leaf_hashes, old_size, True)


def _subproof(leaf_hashes: list[bytes], old_size: int, old_is_whole_subtree: bool) -> list[bytes]:
    if old_size == len(leaf_hashes):
        return [] if old_is_whole_subtree else [root(leaf_hashes)]
    split = _largest_power_of_two_below(len(leaf_hashes))
    if old_size <= split:
        return _subproof(leaf_hashes[:split], old_size, old_is_whole_subtree) + [root(leaf_hashes[split:])]
    return _subproof(leaf_hashes[split:], old_size - split, False) + [root(leaf_hashes[:split])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` place leaf hash ``leaf`` at ``index`` in the tree?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and result == expected_root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree (new_size, new_root) an append-only extension of the old?

    Outside the RFC's 0 < old_size < new_size: equal sizes need equal roots and an empty proof,
    and every tree extends the empty one.
    """
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old_result = new_result = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            old_result = node_hash(node, old_result)
            new_result = node_hash(node, new_result)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            new_result = node_hash(new_result, node)
        fn, sn = fn >> 1, sn >> 1
    return old_result == old_root and new_result == new_root and sn == 0


class Tree:
    """Every perfect, aligned subtree of a log's tree, level by level: O(n) hashes once, then the
    root of any prefix in O(log n) — for checking many heads and receipts against one log."""

    def __init__(self, leaf_hashes: list[bytes]):
        self._levels = [list(leaf_hashes)]  # level k: the roots of leaves [j·2^k, (j+1)·2^k)
        while len(self._levels[-1]) > 1:
            level = self._levels[-1]
            self._levels.append([node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)])

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def root(self, size: int) -> bytes:
        """MTH of the first ``size`` leaves: its perfect subtrees, largest first, folded from the
        right as Frontier.root does."""
        if not 0 <= size <= self.size:
            raise ValueError("size outside the tree")
        subtrees, start = [], 0
        for level in reversed(range(size.bit_length())):
            if size >> level & 1:
                subtrees.append(self._levels[level][start >> level])
                start += 1 << level
        if not subtrees:
            return EMPTY_ROOT
        result = subtrees[-1]
        for left in reversed(subtrees[:-1]):
            result = node_hash(left, result)
        return result


class Frontier:
    """The roots of the perfect subtrees that make up a log, largest first (a compact range).

    Enough to append a leaf and compute the root without the earlier leaves, so a server can
    keep it in one database row.
    """

    def __init__(self, size: int = 0, nodes: list[bytes] | None = None):
        nodes = list(nodes or [])
        if type(size) is not int or size < 0 or len(nodes) != size.bit_count():
            raise ValueError("a frontier holds one node per set bit of its size")
        self._size = size
        self._nodes = nodes

    @property
    def size(self) -> int:
        return self._size

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash; merges equal-sized subtrees, O(log n) at worst, O(1) amortised."""
        self._nodes.append(leaf)
        merged = self._size
        while merged & 1:
            right = self._nodes.pop()
            self._nodes[-1] = node_hash(self._nodes[-1], right)
            merged >>= 1
        self._size += 1

    def root(self) -> bytes:
        if not self._nodes:
            return EMPTY_ROOT
        result = self._nodes[-1]
        for left in reversed(self._nodes[:-1]):
            result = node_hash(left, result)
        return result

    def to_json(self) -> dict:
        return {"size": self._size, "nodes": [b64e(node) for node in self._nodes]}

    @classmethod
    def from_json(cls, data: dict) -> "Frontier":
        nodes = [b64d(node) for node in data["nodes"]]
        if any(len(node) != 32 for node in nodes):
            raise ValueError("frontier nodes are SHA-256 hashes")
        return cls(data["size"], nodes)


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k, for n > 1 (the RFC's split point)."""
    return 1 << ((n - 1).bit_length() - 1)
