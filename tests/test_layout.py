# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The package's shape: imports flow one way, and the core stands without its test tools."""

import ast
from graphlib import CycleError
from graphlib import TopologicalSorter
from pathlib import Path

import fastramqpi

ROOT = Path(fastramqpi.__file__).parent
GENERATED = ROOT / "_events_client"
TEST_TOOLS = ("fastramqpi.emulator", "fastramqpi.pytest_plugin", "fastramqpi._testing")


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _paths() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if GENERATED not in p.parents]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import that runs, at any depth (functions too); not those for type checkers."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports; ``from p import m`` names submodule m."""
    paths = _paths()
    modules = {_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        found: set[str] = set()
        for node in _run_time_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif node.module and not node.level:
                for alias in node.names:
                    name = f"{node.module}.{alias.name}"
                    found.add(name if name in modules else node.module)
        graph[_name(path)] = (found & modules) - {_name(path)}
    return graph


def test_no_import_cycle_anywhere_in_the_package() -> None:
    graph = _graph()
    assert graph["fastramqpi.main"], "the graph missed main's imports"
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


def test_the_core_imports_neither_the_emulator_nor_the_pytest_plugin() -> None:
    core = {
        module: imports
        for module, imports in _graph().items()
        if not module.startswith(TEST_TOOLS)
    }
    leaks = {
        module: sorted(i for i in imports if i.startswith(TEST_TOOLS))
        for module, imports in core.items()
    }
    assert {m: i for m, i in leaks.items() if i} == {}


def test_no_module_does_two_jobs_by_size() -> None:
    """About 300 lines is where a module starts holding two ideas; split it by concern."""
    long = {
        _name(p): n for p in _paths() if (n := len(p.read_text().splitlines())) > 320
    }
    assert long == {}
