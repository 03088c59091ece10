"""The audit log's Merkle tree, as RFC 9162 (section 2.1) defines it: hashes, inclusion and
consistency proofs, and their verification.

The log stores the hash of every perfect subtree, addressed ``(level, index)``: the leaves
``[index * 2**level, (index + 1) * 2**level)``, level 0 being the leaves' own hashes. A node never
changes once its last leaf is in, so one table of them answers proofs for every past tree size.
``append_nodes`` and ``appended`` say what to fetch and what to store as a leaf comes in;
``root_nodes``, ``inclusion_nodes`` and ``consistency_nodes`` name the stored nodes a root or a
proof needs, and ``tree_root``, ``inclusion_proof`` and ``consistency_proof`` assemble it from
them. A subtree on the right edge that is not perfect is hashed from its perfect parts, as
transparency-dev/merkle's ``proof`` package does.

``root``, ``inclusion_path`` and ``consistency_path`` are the RFC's recursive definitions over a
list of leaf hashes: the reference the rest is tested against.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

#: A perfect subtree: (level, index).
Node = tuple[int, int]
#: Leaves [begin, end): the span of a subtree the RFC's split makes, perfect or not.
Span = tuple[int, int]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class OutOfRange(ValueError):
    """A leaf index or tree size that the request cannot have: negative, past the end of the
    tree, or tree sizes in the wrong order."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


# The RFC's definitions.


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) (2.1.1) of the leaves with these hashes."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root(leaf_hashes[:k]), root(leaf_hashes[k:]))


def inclusion_path(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (2.1.3.1): the inclusion proof of leaf ``index``."""
    _check_index(index, len(leaf_hashes))
    return _path(index, leaf_hashes)


def _path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, d[:k]), root(d[k:])]
    return [*_path(m - k, d[k:]), root(d[:k])]


def consistency_path(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) (2.1.4.1): the consistency proof from the first ``old_size`` leaves
    (empty when they are all the leaves)."""
    _check_sizes(old_size, len(leaf_hashes))
    return _subproof(old_size, leaf_hashes, whole=True)


def _subproof(m: int, d: Sequence[bytes], *, whole: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if whole else [root(d)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, d[:k], whole=whole), root(d[k:])]
    return [*_subproof(m - k, d[k:], whole=False), root(d[:k])]


# The stored perfect subtrees.


def append_nodes(size_before: int) -> frozenset[Node]:
    """The stored nodes ``appended`` needs to append leaf number ``size_before``: the left
    siblings of the perfect subtrees that the new leaf completes."""
    _check_size(size_before)
    return frozenset(
        (level, (size_before >> level) - 1) for level in range(_trailing_ones(size_before))
    )


def appended(
    size_before: int, leaf: bytes, nodes: Mapping[Node, bytes]
) -> list[tuple[int, int, bytes]]:
    """The nodes to store, as (level, index, hash), when leaf number ``size_before`` with hash
    ``leaf`` is appended: the leaf itself, then each perfect subtree it completes, upwards.
    ``nodes`` holds at least ``append_nodes(size_before)``."""
    _check_size(size_before)
    if len(leaf) != HASH_SIZE:
        raise ValueError(f"A leaf hash is {HASH_SIZE} bytes, not {len(leaf)}.")
    new = [(0, size_before, leaf)]
    hashed = leaf
    for level in range(_trailing_ones(size_before)):
        # The node just made is a right child: hash it with its left sibling.
        index = size_before >> level
        hashed = node_hash(nodes[(level, index - 1)], hashed)
        new.append((level + 1, index >> 1, hashed))
    return new


class Accumulator:
    """The root of a list of leaves as it grows, in O(log n) memory: only the perfect subtrees
    a root needs (``root_nodes``) are kept."""

    def __init__(self) -> None:
        self.size = 0
        self._nodes: dict[Node, bytes] = {}

    def append(self, leaf: bytes) -> None:
        for level, index, hashed in appended(self.size, leaf, self._nodes):
            self._nodes[(level, index)] = hashed
        self.size += 1
        kept = root_nodes(self.size)
        self._nodes = {node: self._nodes[node] for node in kept}

    def root(self) -> bytes:
        return tree_root(self.size, self._nodes)


def root_nodes(size: int) -> frozenset[Node]:
    _check_size(size)
    return frozenset(_perfect((0, size)))


def tree_root(size: int, nodes: Mapping[Node, bytes]) -> bytes:
    """The root of the tree of ``size`` leaves, from (at least) ``root_nodes(size)``."""
    _check_size(size)
    return _span_hash((0, size), nodes) if size else EMPTY_ROOT


def inclusion_nodes(index: int, size: int) -> frozenset[Node]:
    return frozenset(node for span in _inclusion_spans(index, size) for node in _perfect(span))


def inclusion_proof(index: int, size: int, nodes: Mapping[Node, bytes]) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in the tree of ``size`` leaves, from (at least)
    ``inclusion_nodes(index, size)``."""
    return [_span_hash(span, nodes) for span in _inclusion_spans(index, size)]


def consistency_nodes(old_size: int, size: int) -> frozenset[Node]:
    return frozenset(node for span in _consistency_spans(old_size, size) for node in _perfect(span))


def consistency_proof(old_size: int, size: int, nodes: Mapping[Node, bytes]) -> list[bytes]:
    """The consistency proof from the tree of ``old_size`` leaves to the tree of ``size``, from
    (at least) ``consistency_nodes(old_size, size)``."""
    return [_span_hash(span, nodes) for span in _consistency_spans(old_size, size)]


def _inclusion_spans(index: int, size: int) -> list[Span]:
    """The subtrees whose hashes make PATH(index, D[size]), in the proof's order."""
    _check_index(index, size)
    spans = []
    begin, end = 0, size
    while end - begin > 1:
        mid = begin + _split(end - begin)
        if index < mid:
            spans.append((mid, end))
            end = mid
        else:
            spans.append((begin, mid))
            begin = mid
    return spans[::-1]


def _consistency_spans(old_size: int, size: int) -> list[Span]:
    """The subtrees whose hashes make PROOF(old_size, D[size]), in the proof's order."""
    _check_sizes(old_size, size)
    spans = []
    begin, end, whole = 0, size, True
    while old_size != end:
        mid = begin + _split(end - begin)
        if old_size <= mid:
            spans.append((mid, end))
            end = mid
        else:
            spans.append((begin, mid))
            begin, whole = mid, False
    if not whole:
        spans.append((begin, end))
    return spans[::-1]


def _perfect(span: Span) -> list[Node]:
    """The perfect subtrees that make up ``span``, largest first. Its start is a multiple of a
    power of two no smaller than its length, as for every subtree the RFC's split makes."""
    begin, end = span
    parts = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        parts.append((level, begin >> level))
        begin += 1 << level
    return parts


def _span_hash(span: Span, nodes: Mapping[Node, bytes]) -> bytes:
    """MTH of a non-empty span, from its perfect parts: each one's left of the rest."""
    parts = [nodes[node] for node in _perfect(span)]
    hashed = parts.pop()
    for part in reversed(parts):
        hashed = node_hash(part, hashed)
    return hashed


# Verification, for anyone holding a root.


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree of ``size``
    leaves whose root is ``root_hash`` (2.1.3.2). Never raises: an index outside the tree, a
    proof of the wrong length or a hash that is not 32 bytes fails the proof."""
    if not 0 <= index < size or any(len(h) != HASH_SIZE for h in (leaf, *proof)):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> bool:
    """Whether ``proof`` shows that the tree of ``size2`` leaves with root ``root2`` extends the
    tree of ``size1`` leaves with root ``root1`` (2.1.4.2). Equal sizes need an empty proof and
    equal roots. Never raises: ``size1`` of 0 (the RFC has no such proof), sizes in the wrong
    order, a proof of the wrong length or a proof hash that is not 32 bytes fails the proof."""
    if not 0 < size1 <= size2:
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if not proof or any(len(c) != HASH_SIZE for c in proof):
        return False
    path = [root1, *proof] if size1 & (size1 - 1) == 0 else list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == root1 and sr == root2


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (more than 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _trailing_ones(n: int) -> int:
    return (n ^ (n + 1)).bit_length() - 1


def _check_size(size: int) -> None:
    if size < 0:
        raise OutOfRange(f"A tree size is not negative: {size}.")


def _check_index(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise OutOfRange(f"Leaf {index} is not in a tree of size {size}.")


def _check_sizes(old_size: int, size: int) -> None:
    if not 0 < old_size <= size:
        raise OutOfRange(
            f"No consistency proof from tree size {old_size} to {size}: "
            "it needs 0 < first size <= second size."
        )
