"""The Merkle tree against transparency-dev/merkle's RFC 6962 vectors (vectors/merkle.json says
where each part comes from), and the proofs from stored nodes against the RFC's definitions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oversight.audit import merkle
from oversight.audit.merkle import Node, OutOfRange

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "vectors" / "merkle.json").read_text()
)
LEAVES = [merkle.leaf_hash(bytes.fromhex(data)) for data in VECTORS["leaves"]]
ROOTS = [bytes.fromhex(root) for root in VECTORS["roots"]]


def unhex(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


def stored(leaves: Sequence[bytes]) -> dict[Node, bytes]:
    """The nodes the log keeps, appended leaf by leaf from only the nodes asked for."""
    nodes: dict[Node, bytes] = {}
    for size, leaf in enumerate(leaves):
        given_nodes = {node: nodes[node] for node in merkle.append_nodes(size)}
        new = merkle.appended(size, leaf, given_nodes)
        assert len(new) <= (size + 1).bit_length()
        for level, index, hashed in new:
            assert (level, index) not in nodes
            nodes[(level, index)] = hashed
    return nodes


def only(nodes: dict[Node, bytes], wanted: frozenset[Node]) -> dict[Node, bytes]:
    return {node: nodes[node] for node in wanted}


def generated(count: int, seed: bytes = b"") -> list[bytes]:
    return [merkle.leaf_hash(seed + i.to_bytes(4, "big")) for i in range(count)]


GOLDEN_NODES = stored(LEAVES)


def test_hashes_match_the_vectors() -> None:
    cases = VECTORS["hasher"]
    assert merkle.EMPTY_ROOT.hex() == cases[0]["hash"]
    for case in cases[1:3]:
        assert merkle.leaf_hash(bytes.fromhex(case["data"])).hex() == case["hash"]
    left, right = bytes.fromhex(cases[3]["left"]), bytes.fromhex(cases[3]["right"])
    assert merkle.node_hash(left, right).hex() == cases[3]["hash"]


def test_appending_stores_exactly_the_perfect_subtrees() -> None:
    want = {
        (level, index): bytes.fromhex(hashed)
        for level, hashes in enumerate(VECTORS["node_hashes"])
        for index, hashed in enumerate(hashes)
    }
    assert want == GOLDEN_NODES


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_vectors(size: int) -> None:
    assert merkle.root(LEAVES[:size]) == ROOTS[size]
    assert merkle.tree_root(size, only(GOLDEN_NODES, merkle.root_nodes(size))) == ROOTS[size]


@pytest.mark.parametrize("probe", VECTORS["inclusion"], ids=lambda probe: probe["file"])
def test_inclusion_probes(probe: dict[str, Any]) -> None:
    verified = merkle.verify_inclusion(
        bytes.fromhex(probe["leafHash"]),
        probe["leafIdx"],
        probe["treeSize"],
        unhex(probe["proof"]),
        bytes.fromhex(probe["root"]),
    )
    assert verified is not probe["wantErr"]


@pytest.mark.parametrize("probe", VECTORS["consistency"], ids=lambda probe: probe["file"])
def test_consistency_probes(probe: dict[str, Any]) -> None:
    verified = merkle.verify_consistency(
        probe["size1"],
        probe["size2"],
        unhex(probe["proof"]),
        bytes.fromhex(probe["root1"]),
        bytes.fromhex(probe["root2"]),
    )
    assert verified is not probe["wantErr"]


def test_proofs_are_the_vectors_happy_paths() -> None:
    """The happy-path probes over the golden tree are the proofs both ways make."""
    inclusion = [
        probe
        for probe in VECTORS["inclusion"]
        if not probe["wantErr"]
        and bytes.fromhex(probe["root"]) == ROOTS[probe["treeSize"]]
        and bytes.fromhex(probe["leafHash"]) == LEAVES[probe["leafIdx"]]
    ]
    consistency = [
        probe
        for probe in VECTORS["consistency"]
        if not probe["wantErr"] and bytes.fromhex(probe["root2"]) == ROOTS[probe["size2"]]
    ]
    assert len(inclusion) == 5
    assert len(consistency) == 5
    for probe in inclusion:
        index, size, want = probe["leafIdx"], probe["treeSize"], unhex(probe["proof"])
        assert merkle.inclusion_path(index, LEAVES[:size]) == want
        assert merkle.inclusion_proof(index, size, GOLDEN_NODES) == want
    for probe in consistency:
        old, size, want = probe["size1"], probe["size2"], unhex(probe["proof"])
        assert merkle.consistency_path(old, LEAVES[:size]) == want
        assert merkle.consistency_proof(old, size, GOLDEN_NODES) == want


@pytest.mark.parametrize("case", VECTORS["inclusion_nodes"], ids=str)
def test_inclusion_needs_the_same_nodes_as_transparency_dev(case: dict[str, Any]) -> None:
    if case.get("error"):
        with pytest.raises(OutOfRange):
            merkle.inclusion_nodes(case["index"], case["size"])
    else:
        want = {(level, index) for level, index in case["nodes"]}
        assert merkle.inclusion_nodes(case["index"], case["size"]) == want


@pytest.mark.parametrize("case", VECTORS["consistency_nodes"], ids=str)
def test_consistency_needs_the_same_nodes_as_transparency_dev(case: dict[str, Any]) -> None:
    if case.get("error"):
        with pytest.raises(OutOfRange):
            merkle.consistency_nodes(case["size1"], case["size2"])
    else:
        want = {(level, index) for level, index in case["nodes"]}
        assert merkle.consistency_nodes(case["size1"], case["size2"]) == want


def test_every_proof_of_small_trees() -> None:
    """Every proof of every tree up to 40 leaves, cut from one stored tree of 40."""
    leaves = generated(40)
    nodes = stored(leaves)
    for size in range(1, 41):
        root = merkle.root(leaves[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(
                index, size, only(nodes, merkle.inclusion_nodes(index, size))
            )
            assert proof == merkle.inclusion_path(index, leaves[:size])
            assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
        for old in range(1, size + 1):
            wanted = merkle.consistency_nodes(old, size)
            proof = merkle.consistency_proof(old, size, only(nodes, wanted))
            assert proof == merkle.consistency_path(old, leaves[:size])
            assert merkle.verify_consistency(old, size, proof, merkle.root(leaves[:old]), root)


def test_appending_gives_every_root() -> None:
    leaves = generated(300)
    nodes: dict[Node, bytes] = {}
    for size, leaf in enumerate(leaves):
        for level, index, hashed in merkle.appended(size, leaf, nodes):
            nodes[(level, index)] = hashed
        assert merkle.tree_root(size + 1, nodes) == merkle.root(leaves[: size + 1])


def test_the_accumulator_gives_every_root_from_few_nodes() -> None:
    leaves = generated(300)
    tree = merkle.Accumulator()
    assert tree.root() == merkle.EMPTY_ROOT
    for size, leaf in enumerate(leaves, start=1):
        tree.append(leaf)
        assert tree.size == size and tree.root() == merkle.root(leaves[:size])
        assert len(tree._nodes) == size.bit_count()  # one perfect subtree per bit of the size


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[bytes], int, int, int]:
    """Leaves of a stored tree, a past size of it, a leaf of that size and an older size."""
    count = draw(st.integers(1, 300))
    leaves = generated(count, draw(st.binary(max_size=8)))
    size = draw(st.integers(1, count))
    return leaves, size, draw(st.integers(0, size - 1)), draw(st.integers(1, size))


def inside(node: Node, size: int) -> bool:
    level, index = node
    return (index + 1) << level <= size


@settings(max_examples=200, deadline=None)
@given(trees())
def test_stored_proofs_are_the_rfc_proofs(tree: tuple[list[bytes], int, int, int]) -> None:
    leaves, size, index, old = tree
    nodes = stored(leaves)
    root = merkle.root(leaves[:size])
    bound = 2 * size.bit_length()

    wanted = merkle.root_nodes(size)
    assert all(inside(node, size) for node in wanted) and len(wanted) <= size.bit_length()
    # A batch of appends can start from the nodes of the root: they hold what appending needs.
    assert merkle.append_nodes(size) <= wanted
    assert merkle.tree_root(size, only(nodes, wanted)) == root

    wanted = merkle.inclusion_nodes(index, size)
    assert all(inside(node, size) for node in wanted) and len(wanted) <= bound
    proof = merkle.inclusion_proof(index, size, only(nodes, wanted))
    assert proof == merkle.inclusion_path(index, leaves[:size])
    assert merkle.verify_inclusion(leaves[index], index, size, proof, root)

    wanted = merkle.consistency_nodes(old, size)
    assert all(inside(node, size) for node in wanted) and len(wanted) <= bound
    proof = merkle.consistency_proof(old, size, only(nodes, wanted))
    assert proof == merkle.consistency_path(old, leaves[:size])
    assert merkle.verify_consistency(old, size, proof, merkle.root(leaves[:old]), root)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=300), st.data())
def test_appending_random_leaves_gives_the_reference_root(
    data: list[bytes], draw: st.DataObject
) -> None:
    leaves = [merkle.leaf_hash(entry) for entry in data]
    nodes = stored(leaves)
    assert merkle.tree_root(len(leaves), nodes) == merkle.root(leaves)
    size = draw.draw(st.integers(0, len(leaves)))
    assert merkle.tree_root(size, nodes) == merkle.root(leaves[:size])


def flipped(value: bytes, bit: int) -> bytes:
    bit %= 8 * len(value)
    changed = bytearray(value)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


@settings(max_examples=300, deadline=None)
@given(trees(), st.integers(0, 10**6), st.integers(0, 255))
def test_a_flipped_bit_fails_inclusion(
    tree: tuple[list[bytes], int, int, int], bit: int, where: int
) -> None:
    leaves, size, index, _ = tree
    leaf, root = leaves[index], merkle.root(leaves[:size])
    proof = merkle.inclusion_path(index, leaves[:size])
    target = where % (len(proof) + 2)
    if target < len(proof):
        proof[target] = flipped(proof[target], bit)
    elif target == len(proof):
        root = flipped(root, bit)
    else:
        leaf = flipped(leaf, bit)
    assert not merkle.verify_inclusion(leaf, index, size, proof, root)


@settings(max_examples=300, deadline=None)
@given(trees(), st.integers(0, 10**6), st.integers(0, 255))
def test_a_flipped_bit_fails_consistency(
    tree: tuple[list[bytes], int, int, int], bit: int, where: int
) -> None:
    leaves, size, _, old = tree
    root1, root2 = merkle.root(leaves[:old]), merkle.root(leaves[:size])
    proof = merkle.consistency_path(old, leaves[:size])
    target = where % (len(proof) + 2)
    if target < len(proof):
        proof[target] = flipped(proof[target], bit)
    elif target == len(proof):
        root1 = flipped(root1, bit)
    else:
        root2 = flipped(root2, bit)
    assert not merkle.verify_consistency(old, size, proof, root1, root2)


@settings(max_examples=300)
@given(
    st.integers(-(2**70), 2**70),
    st.integers(-(2**70), 2**70),
    st.lists(st.binary(min_size=31, max_size=33), max_size=80),
    st.binary(min_size=31, max_size=33),
    st.binary(min_size=31, max_size=33),
)
def test_verifiers_answer_anything_with_a_bool(
    a: int, b: int, proof: list[bytes], one: bytes, two: bytes
) -> None:
    assert merkle.verify_inclusion(one, a, b, proof, two) in (True, False)
    assert merkle.verify_consistency(a, b, proof, one, two) in (True, False)


def test_verifiers_fail_the_rfcs_edge_cases() -> None:
    leaves = generated(6)
    root = merkle.root(leaves)
    proof = merkle.inclusion_path(2, leaves)
    assert merkle.verify_inclusion(leaves[2], 2, 6, proof, root)
    assert not merkle.verify_inclusion(leaves[2], 6, 6, proof, root)
    assert not merkle.verify_inclusion(leaves[2], -1, 6, proof, root)
    assert not merkle.verify_inclusion(leaves[2], 2, 6, proof[:-1], root)
    assert not merkle.verify_inclusion(leaves[2], 2, 6, [*proof, proof[0]], root)
    assert not merkle.verify_inclusion(leaves[2], 2, 6, [proof[0][:31], *proof[1:]], root)
    assert not merkle.verify_inclusion(leaves[2], 2, 6, proof, root[:31])

    old_root = merkle.root(leaves[:3])
    proof = merkle.consistency_path(3, leaves)
    assert merkle.verify_consistency(3, 6, proof, old_root, root)
    assert not merkle.verify_consistency(6, 3, proof, root, old_root)
    assert not merkle.verify_consistency(3, 6, [], old_root, root)
    assert not merkle.verify_consistency(3, 6, proof[:-1], old_root, root)
    assert not merkle.verify_consistency(3, 6, [*proof, proof[0]], old_root, root)
    assert not merkle.verify_consistency(3, 6, [*proof[:-1], proof[-1] + b"\0"], old_root, root)
    assert merkle.verify_consistency(6, 6, [], root, root)
    assert not merkle.verify_consistency(6, 6, [root], root, root)
    assert not merkle.verify_consistency(6, 6, [], old_root, root)
    assert not merkle.verify_consistency(0, 0, [], merkle.EMPTY_ROOT, merkle.EMPTY_ROOT)
    assert not merkle.verify_consistency(0, 6, [], merkle.EMPTY_ROOT, root)


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 1), (7, 7), (-1, 3), (0, -1)], ids=str)
def test_inclusion_outside_the_tree_is_refused(index: int, size: int) -> None:
    with pytest.raises(OutOfRange, match="not in a tree"):
        merkle.inclusion_nodes(index, size)
    with pytest.raises(OutOfRange):
        merkle.inclusion_proof(index, size, GOLDEN_NODES)
    with pytest.raises(OutOfRange):
        merkle.inclusion_path(index, LEAVES[: max(size, 0)])


@pytest.mark.parametrize(("old", "size"), [(0, 0), (0, 5), (6, 5), (-1, 5), (9, 8)], ids=str)
def test_consistency_between_impossible_sizes_is_refused(old: int, size: int) -> None:
    with pytest.raises(OutOfRange, match="0 < first size <= second size"):
        merkle.consistency_nodes(old, size)
    with pytest.raises(OutOfRange):
        merkle.consistency_proof(old, size, GOLDEN_NODES)
    with pytest.raises(OutOfRange):
        merkle.consistency_path(old, LEAVES[:size])


def test_a_negative_size_is_refused() -> None:
    assert issubclass(OutOfRange, ValueError)
    for call in (
        lambda: merkle.root_nodes(-1),
        lambda: merkle.tree_root(-1, GOLDEN_NODES),
        lambda: merkle.append_nodes(-1),
        lambda: merkle.appended(-1, LEAVES[0], GOLDEN_NODES),
    ):
        with pytest.raises(OutOfRange, match="not negative"):
            call()


def test_a_leaf_hash_is_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        merkle.appended(0, b"entry", {})
