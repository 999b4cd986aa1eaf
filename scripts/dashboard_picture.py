# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Draw the Grafana dashboard's layout as SVG, or check the committed picture is current.

There is no Grafana to screenshot in CI, so docs/observability.md shows the grid drawn from the
dashboard JSON itself: each row, and each panel at its ``gridPos`` with its title and kind.

    python scripts/dashboard_picture.py           # rewrite docs/grafana/fastramqpi.svg
    python scripts/dashboard_picture.py --check   # exit 1 when it is stale
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "docs" / "grafana" / "fastramqpi.json"
PICTURE = ROOT / "docs" / "grafana" / "fastramqpi.svg"

COLUMN = 40
"""Pixels per grid column; Grafana's grid is 24 columns wide."""
ROW = 20
"""Pixels per grid unit of height (Grafana draws 30: the picture is kept short)."""
GAP = 4
CHARACTER = 7.0
"""Width of one character at the font sizes below, to shorten titles that do not fit."""


def _fit(text: str, width: float) -> str:
    room = int(width / CHARACTER)
    return text if len(text) <= room else text[: max(room - 1, 0)] + "…"


def _panel(panel: dict[str, Any]) -> str:
    grid = panel["gridPos"]
    x, y = grid["x"] * COLUMN + GAP / 2, grid["y"] * ROW + GAP / 2
    w, h = grid["w"] * COLUMN - GAP, grid["h"] * ROW - GAP
    title = escape(_fit(panel["title"], w - 16))
    if panel["type"] == "row":
        return (
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#dde3ea"/>'
            f'<text x="{x + 8}" y="{y + h / 2 + 5}" font-weight="bold">{title}</text>'
        )
    kind = escape(_fit(panel["type"], w - 16))
    return (
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="#f7f8fa" '
        f'stroke="#9aa5b1"/>'
        f'<text x="{x + 8}" y="{y + 20}">{title}</text>'
        f'<text x="{x + 8}" y="{y + 38}" fill="#6b7785" font-size="11">{kind}</text>'
    )


def render(dashboard: dict[str, Any]) -> str:
    """The SVG text of ``dashboard``'s layout."""
    panels = dashboard["panels"]
    width = 24 * COLUMN
    height = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels) * ROW
    shapes = "\n".join(f"  {_panel(panel)}" for panel in panels)
    title = escape(dashboard["title"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13" '
        f'fill="#1f2933">\n'
        f"  <title>Layout of the {title} Grafana dashboard</title>\n"
        f'  <rect width="{width}" height="{height}" fill="#ffffff"/>\n'
        f"{shapes}\n"
        f"</svg>\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if stale")
    parser.add_argument("--dashboard", type=Path, default=DASHBOARD)
    args = parser.parse_args()
    picture = render(json.loads(args.dashboard.read_text()))
    if args.check:
        if not PICTURE.exists() or PICTURE.read_text() != picture:
            print(f"{PICTURE.relative_to(ROOT)} is stale: run {sys.argv[0]}")
            return 1
        return 0
    PICTURE.write_text(picture)
    return 0


if __name__ == "__main__":
    sys.exit(main())
