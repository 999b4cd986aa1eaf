# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The plugin depends on the framework, never the other way round."""

import ast
from pathlib import Path

import fastramqpi

PACKAGE = Path(fastramqpi.__file__).parent
PLUGIN = ("fastramqpi.pytest_plugin", "fastramqpi._testing")


def _imports(path: Path) -> set[str]:
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    return _imported_by(path.read_text(), package)


def _imported_by(source: str, package: str) -> set[str]:
    """What ``source``, a module of ``package``, imports: each name, fully qualified."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module) if p)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_the_framework_and_the_emulator_import_nothing_of_the_plugin() -> None:
    core = [
        path
        for path in PACKAGE.rglob("*.py")
        if path.name != "pytest_plugin.py" and "_testing" not in path.parts
    ]
    assert len(core) > 20

    offenders = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in core
        for name in _imports(path)
        if name.startswith(PLUGIN)
    }
    assert offenders == set()


def test_the_check_sees_imports_absolute_and_relative() -> None:
    source = "import fastramqpi.pytest_plugin\nfrom .._testing import markers\n"

    assert _imported_by(source, "fastramqpi.events") == {
        "fastramqpi.pytest_plugin",
        "fastramqpi._testing.markers",
    }
