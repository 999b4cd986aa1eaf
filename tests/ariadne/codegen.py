# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Run the real ariadne-codegen, as an integration's build does, and import what it made."""

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import fastramqpi

REPOSITORY = Path(fastramqpi.__file__).parent.parent

# The event-namespace part of MO's schema, as an integration would keep a copy of it.
SCHEMA = """
scalar UUID
scalar DateTime

type Namespace {
  name: String!
  owner: UUID!
  public: Boolean!
}

type NamespacePaged {
  objects: [Namespace!]!
}

input NamespaceCreateInput {
  name: String!
  public: Boolean! = false
}

input NamespaceFilter {
  names: [String!] = null
  owners: [UUID!] = null
  public: Boolean = null
}

input Window {
  from: DateTime
  userKey: String = "default"
}

type Stamp {
  at: DateTime!
}

type Query {
  event_namespaces(filter: NamespaceFilter = null, limit: Int = null): NamespacePaged!
  stamp: Stamp!
}

type Mutation {
  event_namespace_declare(input: NamespaceCreateInput!): Namespace!
}
"""

QUERIES = """
mutation DeclareNamespace($input: NamespaceCreateInput!) {
  event_namespace_declare(input: $input) {
    name
    public
  }
}

query Namespaces($filter: NamespaceFilter) {
  event_namespaces(filter: $filter) {
    objects {
      name
      public
    }
  }
}

query Stamp {
  stamp {
    at
  }
}

# Used only by tests; the name has a run of capitals (IT), as MO's do.
query _Testing_ITNamespaces($filter: NamespaceFilter) {
  event_namespaces(filter: $filter) {
    objects {
      name
    }
  }
}
"""

PLUGINS = [
    "fastramqpi.ariadne.UnsetInputTypesPlugin",
    "fastramqpi.ariadne.ForbidExtraBaseModelPlugin",
]


def _pyproject(package: str, plugins: list[str]) -> str:
    listed = ", ".join(f'"{p}"' for p in plugins)
    return f"""
[tool.ariadne-codegen]
schema_path = "schema.graphql"
queries_path = "queries.graphql"
target_package_name = "{package}"
client_name = "GraphQLClient"
plugins = [{listed}]

[tool.ariadne-codegen.scalars.DateTime]
type = "datetime.datetime"
parse = "fastramqpi.ariadne.parse_graphql_datetime"
"""


def generate(directory: Path, package: str, plugins: list[str]) -> ModuleType:
    """Generate ``package`` in ``directory`` and import it (``directory`` joins sys.path)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "schema.graphql").write_text(SCHEMA)
    (directory / "queries.graphql").write_text(QUERIES)
    (directory / "pyproject.toml").write_text(_pyproject(package, plugins))
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPOSITORY),
    }
    subprocess.run(
        [sys.executable, "-m", "ariadne_codegen"],
        cwd=directory,
        env=environment,
        check=True,
        capture_output=True,
    )
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    return importlib.import_module(package)
