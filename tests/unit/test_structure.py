"""Rules of the code's shape that a reader relies on (docs/architecture.md), checked by
reading the source of the whole package:

- no import cycle anywhere (imports inside functions included);
- ``core`` imports no area; an area imports only the modules another area's ``interface``
  names;
- an area's pure rules (enums, machine, policy, rules) import nothing that does I/O;
- schemas know nothing of the database or the audit log;
- every area's ``handlers`` module is wired in (``oversight.wiring``);
- no ``assert`` in the application (``python -O`` would drop it), no module over 400 lines.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import oversight

SRC = Path(oversight.__file__).parent
AREAS = frozenset(
    p.name
    for p in SRC.iterdir()
    if (p / "__init__.py").is_file() and p.name not in {"core", "demo"}
)
#: Modules that assemble the application from its areas: they may import any of them.
ASSEMBLY = (
    "oversight.main",
    "oversight.cli",
    "oversight.tables",
    "oversight.wiring",
    "oversight.demo",
)
#: An area's pure rules: what it decides with no database, network or clock of its own.
PURE = frozenset({"enums", "machine", "policy", "rules", "voting", "search", "suppression"})
#: The shared pure modules a rule may build on.
CORE_PURE = frozenset(
    {
        "oversight.core.roles",
        "oversight.core.events",
        "oversight.core.machine",
        "oversight.core.policy",
        "oversight.core.periods",
        "oversight.core.rfc3339",
        "oversight.core.csvfile",
        "oversight.core.similarity",
    }
)
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {module_name(p): p for p in SRC.rglob("*.py")}


def imported(path: Path) -> Iterator[str]:
    """Every module a file imports when it runs, anywhere in it (not under ``if
    TYPE_CHECKING``): ``from a import b`` is a.b when b is a module of the package, else a."""
    tree = ast.parse(path.read_text(), str(path))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield full if full in FILES else node.module


def graph() -> dict[str, set[str]]:
    return {
        name: {m for m in imported(path) if m in FILES and m != name}
        for name, path in FILES.items()
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


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in AREAS | {"core"} else None


def test_the_areas_are_the_documented_ones() -> None:
    expected = {"accounts", "concerns", "meetings", "resolutions", "voice", "budget"}
    expected |= {"notifications", "open311", "reports", "audit"}
    expected |= {"officers", "intervention", "evidence", "site"}
    assert expected <= AREAS


def test_the_site_has_no_sql_of_its_own() -> None:
    """The public site is an edge over the services: no query, no table of its own."""
    checked = 0
    for name, path in FILES.items():
        if not name.startswith("oversight.site."):
            continue
        checked += 1
        for m in imported(path):
            assert not m.startswith("sqlalchemy"), (name, m)
            assert not m.endswith(".models") and m != "oversight.tables", (name, m)
    assert checked >= 5


def test_no_import_cycle_anywhere() -> None:
    assert "oversight.cli" in graph()
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_core_imports_no_area() -> None:
    wrong = {
        (name, m)
        for name, targets in graph().items()
        if area_of(name) == "core"
        for m in targets
        if area_of(m) not in {None, "core"}
    }
    assert wrong == set()


def public_modules(area: str) -> frozenset[str]:
    interface = importlib.import_module(f"oversight.{area}.interface")
    return frozenset(f"oversight.{area}.{name}" for name in interface.PUBLIC)


def test_areas_reach_each_other_only_through_their_interface() -> None:
    wrong = {
        (name, m)
        for name, targets in graph().items()
        if (mine := area_of(name)) not in {None, "core"}
        for m in targets
        if (theirs := area_of(m)) not in {None, "core", mine} and m not in public_modules(theirs)
    }
    assert wrong == set()


def test_every_interface_names_modules_that_exist_and_are_used() -> None:
    used = {
        m
        for name, targets in graph().items()
        if (mine := area_of(name)) not in {None, "core"}
        for m in targets
        if area_of(m) not in {None, "core", mine}
    }
    for area in AREAS:
        assert public_modules(area) <= set(FILES), area
        assert public_modules(area) <= used, f"{area}: {sorted(public_modules(area) - used)}"


def test_no_private_name_crosses_a_module() -> None:
    crossing = [
        (name, node.module, alias.name)
        for name, path in FILES.items()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("oversight")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert crossing == []


def test_pure_rules_import_nothing_that_does_io() -> None:
    stdlib = sys.stdlib_module_names - {"sqlite3", "socket", "asyncio", "subprocess", "http"}
    wrong = []
    for name, path in FILES.items():
        if area_of(name) in {None, "core"} or name.rsplit(".", 1)[1] not in PURE:
            continue
        for m in imported(path):
            top = m.split(".")[0]
            pure = m in CORE_PURE or (m.startswith("oversight.") and m.rsplit(".", 1)[1] in PURE)
            if not (pure or top in stdlib or m == "__future__"):
                wrong.append((name, m))
    assert wrong == []


def test_schemas_know_nothing_of_the_database_or_the_audit_log() -> None:
    forbidden = {"oversight.core.audit", "oversight.core.db", "oversight.tables"}
    for name, path in FILES.items():
        if "schemas" not in name.rsplit(".", 1)[-1]:
            continue
        for m in imported(path):
            assert m not in forbidden and not m.endswith(".models"), (name, m)


def test_every_handlers_module_is_wired() -> None:
    handlers = {name for name in FILES if name.endswith(".handlers")}
    wiring = set(imported(FILES["oversight.wiring"]))
    assert handlers, "no area registers a handler"
    assert handlers <= wiring


def test_no_assert_in_the_application() -> None:
    for path in SRC.rglob("*.py"):
        asserts = [
            node.lineno
            for node in ast.walk(ast.parse(path.read_text(), str(path)))
            if isinstance(node, ast.Assert)
        ]
        assert asserts == [], f"{path}: assert on lines {asserts}"


def test_no_module_over_400_lines() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
