"""Rules of the code's shape that a reader relies on (docs/architecture.md), checked by
reading the source: the services import each other as a tree (no cycle, imports inside
functions included), schemas stay free of the database and the audit log, no ``assert`` in
the application (``python -O`` would drop it), and no module grows past 500 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import oversight

SRC = Path(oversight.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[str]:
    """Every module a file imports, anywhere in it (``from a import b`` yields a.b too, as b
    may be a module)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def graph(package: str) -> dict[str, set[str]]:
    files = {module_name(p): p for p in (SRC / package).rglob("*.py")}
    return {
        name: {m for m in imported(path) if m in files and m != name}
        for name, path in files.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_services_import_each_other_without_a_cycle() -> None:
    edges = graph("services")
    # A package's __init__ re-exports its own modules; that is not a cycle between services.
    for name in edges:
        edges[name] = {m for m in edges[name] if not name.startswith(m + ".")}
    assert "oversight.services.agenda" in edges
    assert cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_schemas_know_nothing_of_the_database_or_the_audit_log() -> None:
    forbidden = {"oversight.audit", "oversight.models", "oversight.db"}
    for path in (SRC / "schemas").rglob("*.py"):
        assert not set(imported(path)) & forbidden, path


def test_no_assert_in_the_application() -> None:
    for path in SRC.rglob("*.py"):
        asserts = [
            node.lineno
            for node in ast.walk(ast.parse(path.read_text(), str(path)))
            if isinstance(node, ast.Assert)
        ]
        assert asserts == [], f"{path}: assert on lines {asserts}"


def test_no_module_over_500_lines() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 500
    }
    assert long == {}
