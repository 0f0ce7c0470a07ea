"""Features stand on their own: no module of voting/ imports, directly or through others, a
module that imports it back. Imports inside functions count too, since moving an import into
a function only hides a cycle until the function runs; so does a package's __init__, which
every import of one of its modules runs; an import under ``if TYPE_CHECKING:`` never runs and
does not count. And the app never imports the simulators, the tests or the scripts."""

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT


def voting_modules(root: Path) -> dict[str, Path]:
    modules = {}
    for path in (root / "voting").rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def run_nodes(tree: ast.AST):
    """Every node of the module that can run: all but the bodies of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            yield from (inner for branch in node.orelse for inner in [branch, *run_nodes(branch)])
            continue
        yield node
        yield from run_nodes(node)


def imported_names(module: str, path: Path) -> set[str]:
    """Every dotted name this module imports, at its top or in a function, relative ones resolved:
    ``from package import name`` gives both ``package`` and ``package.name``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in run_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parent + ([node.module] if node.module else []))
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(root: Path) -> dict[str, set[str]]:
    """module -> the voting modules importing it runs: the module each name is found in, and the
    packages above it (their __init__ runs first), except the packages the importer is itself in,
    which have run before it."""
    modules = voting_modules(root)
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(module, path):
            parts = name.split(".")
            found = [
                prefix for prefix in (".".join(parts[:end]) for end in range(1, len(parts) + 1)) if prefix in modules
            ]
            if found:
                targets.add(found[-1])
                targets.update(above for above in found[:-1] if not module.startswith(above + "."))
        graph[module] = targets - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_in_voting():
    assert cycles(import_graph(REPO_ROOT)) == []


def test_the_app_imports_no_simulator_test_or_script():
    modules = voting_modules(REPO_ROOT)
    outside = {
        module: sorted(
            name for name in imported_names(module, path) if name.split(".")[0] in ("simulation", "tests", "scripts")
        )
        for module, path in modules.items()
    }
    assert {module: names for module, names in outside.items() if names} == {}


def test_a_cycle_through_a_function_local_import_is_found(tmp_path):
    package = tmp_path / "voting"
    (package / "a").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a" / "__init__.py").write_text("")
    (package / "a" / "one.py").write_text("from voting.two import helper\n")
    (package / "two.py").write_text("def helper():\n    from voting.a import one\n")
    assert cycles(import_graph(tmp_path)) == [["voting.a.one", "voting.two"]]
