"""No import cycle inside voting/: a feature stands on its own, and the modules it shares with
others are ones it imports, never ones that import it back. An import inside a function counts
(deferring an import hides a cycle, it does not remove it); one under `if TYPE_CHECKING:` does not."""

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package at root, by its dotted name (a package by its own name)."""
    names = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of the package that this module imports: for `from a.b import c`, a.b.c when
    that is a module, else a.b."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in walk_outside_type_checking(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in modules and target != name)
    return found


def walk_outside_type_checking(tree: ast.AST):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            yield from walk_outside_type_checking(ast.Module(body=node.orelse, type_ignores=[]))
            continue
        yield node
        yield from walk_outside_type_checking(node)


def import_cycles(root: Path) -> list[list[str]]:
    """The strongly connected parts of the import graph (Tarjan) with more than one module."""
    modules = module_names(root)
    graph = {name: sorted(imported_modules(name, path, modules)) for name, path in modules.items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for imported in graph[name]:
            if imported not in index:
                visit(imported)
                low[name] = min(low[name], low[imported])
            elif imported in on_stack:
                low[name] = min(low[name], index[imported])
        if low[name] == index[name]:
            part = []
            while not part or part[-1] != name:
                part.append(stack.pop())
                on_stack.discard(part[-1])
            if len(part) > 1:
                cycles.append(sorted(part))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(cycles)


def test_a_cycle_is_found_however_its_imports_are_written(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def late():\n    from ..c import thing\n")
    (package / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n")
    (package / "e.py").write_text("from pkg import a, d\n")
    assert import_cycles(package) == [["pkg.a", "pkg.c", "pkg.sub.b"]]


@pytest.mark.xfail(strict=True, reason=(
    "the cycles issue 13 breaks: ballots/operations.py ↔ elections/operations.py (tree heads); app.py → paper → "
    "app.py (MAX_ID, http_error); roster/operations.py → prep/operations.py → roster (personal_data); "
    "jobs.py → voting.create_app → app.py → board, notices views → jobs.py"))
def test_voting_has_no_import_cycle():
    assert import_cycles(REPO_ROOT / "voting") == []
