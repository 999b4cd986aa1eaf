# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The modules of ``fastramqpi.events`` import each other one way only."""

import ast
from graphlib import CycleError
from graphlib import TopologicalSorter
from pathlib import Path

import pytest

import fastramqpi.events

PACKAGE = "fastramqpi.events"
ROOT = Path(fastramqpi.events.__file__).parent


def _module(path: Path) -> str:
    return PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}"


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules ``path`` imports, at any level (functions included).

    ``from fastramqpi.events import NAME`` imports the submodule NAME if there is one,
    else the package itself (for one of its attributes).
    """
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in modules else node.module)
    return found & modules


def test_the_events_package_has_no_import_cycle() -> None:
    paths = sorted(ROOT.glob("*.py"))
    modules = {_module(path) for path in paths}
    graph = {_module(path): _imports(path, modules) for path in paths}
    assert graph[PACKAGE], "the graph missed the package's own imports"
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


@pytest.mark.parametrize(
    "name",
    ["Handlers", "InProcess", "OverHTTP", "MOEventsAPI", "EventsClient", "join_url"],
)
def test_internals_exported_before_warn_and_still_work(name: str) -> None:
    import fastramqpi.events
    from fastramqpi import FastRAMQPIDeprecationWarning

    with pytest.warns(FastRAMQPIDeprecationWarning, match=f"fastramqpi.events.{name}"):
        value = getattr(fastramqpi.events, name)

    assert value is not None
    assert name not in fastramqpi.events.__all__


def test_the_public_names_do_not_warn() -> None:
    import fastramqpi.events

    for name in fastramqpi.events.__all__:
        getattr(fastramqpi.events, name)
