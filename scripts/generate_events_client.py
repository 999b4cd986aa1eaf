# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Regenerate ``fastramqpi/_events_client`` with ariadne-codegen, or check it is current.

The events fetcher's GraphQL client is generated from the MO emulator's schema (our own SDL
of MO's event API) and ``fastramqpi/events/queries.graphql``, and committed, so ariadne-codegen
stays a development tool rather than a runtime dependency.

    python scripts/generate_events_client.py           # rewrite the committed package
    python scripts/generate_events_client.py --check   # exit 1 when it is stale
"""

import argparse
import contextlib
import filecmp
import io
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "_events_client"
TARGET = ROOT / "fastramqpi" / PACKAGE
SCHEMA = ROOT / "fastramqpi" / "emulator" / "schema.graphql"
QUERIES = ROOT / "fastramqpi" / "events" / "queries.graphql"


def _config(schema: Path, out_dir: Path) -> dict[str, object]:
    return {
        "tool": {
            "ariadne-codegen": {
                "schema_path": str(schema),
                "queries_path": str(QUERIES),
                "target_package_name": PACKAGE,
                "target_package_path": str(out_dir),
                "client_name": "EventsClient",
                "include_comments": "none",
                "include_all_inputs": False,
                "include_all_enums": False,
                "scalars": {
                    "UUID": {"type": "uuid.UUID"},
                    "EventToken": {"type": "str"},
                    "Cursor": {"type": "str"},
                    "int": {"type": "int"},
                },
            }
        }
    }


def generate(out_dir: Path, schema: Path = SCHEMA) -> Path:
    """Write the client package into ``out_dir``; return the package directory."""
    from ariadne_codegen.main import client

    with contextlib.redirect_stdout(io.StringIO()):
        client(_config(schema, out_dir))
    return out_dir / PACKAGE


def _differences(a: Path, b: Path) -> list[str]:
    names = sorted({p.name for p in a.glob("*.py")} | {p.name for p in b.glob("*.py")})
    return [
        n
        for n in names
        if not (a / n).exists()
        or not (b / n).exists()
        or not filecmp.cmp(a / n, b / n, shallow=False)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report whether the package is stale"
    )
    parser.add_argument("--schema", type=Path, default=SCHEMA)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp), args.schema)
        stale = _differences(fresh, TARGET)
        if args.check:
            if stale:
                print(
                    f"{TARGET.relative_to(ROOT)} is stale ({', '.join(stale)}): run {Path(__file__).relative_to(ROOT)}"
                )
                return 1
            return 0
        shutil.rmtree(TARGET, ignore_errors=True)
        shutil.copytree(fresh, TARGET, ignore=shutil.ignore_patterns("__pycache__"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
