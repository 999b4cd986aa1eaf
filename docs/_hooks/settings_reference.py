# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MkDocs hook: facts from the code, rendered into the docs.

Between ``<!-- fastramqpi:settings -->`` and ``<!-- /fastramqpi:settings -->`` a page holds a
table of every field of ``fastramqpi.config.Settings`` and ``DatabaseSettings``, with the
environment variable that sets it, its type and its default. The table is kept in the page's
source too, so it reads in the repository; ``python docs/_hooks/settings_reference.py``
rewrites it, a test fails when it is stale, and the build renders it afresh.
``<!-- fastramqpi:value module.NAME -->`` becomes the current value of that constant.
"""

import importlib
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

# The documented checkout, also when FastRAMQPI is not installed in the environment.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pydantic import AnyUrl
from pydantic import BaseModel
from pydantic import SecretStr
from pydantic.fields import FieldInfo

from fastramqpi.config import DatabaseSettings
from fastramqpi.config import Settings

PLACEHOLDER = "<!-- fastramqpi:settings -->"
END = "<!-- /fastramqpi:settings -->"
REGION = re.compile(re.escape(PLACEHOLDER) + r".*?" + re.escape(END), re.DOTALL)
PAGE = Path(__file__).resolve().parents[1] / "settings.md"
PREFIX = "FASTRAMQPI__"

PROSE: dict[str, str] = {
    "mo_url": "Base URL of OS2mo.",
    "client_id": "The integration's client id at the token server (Keycloak).",
    "client_secret": "The client's secret. Never logged or shown.",
    "auth_server": "Keycloak's base URL; the token endpoint is built from it and the realm.",
    "auth_realm": "Keycloak realm of the client.",
    "graphql_timeout": "Seconds a request to MO may take.",
    "commit_tag": "Version shown as the app's version and in `build_information_info`.",
    "commit_sha": "Commit hash shown in `build_information_info`.",
    "log_level": "Lowest level logged.",
    "json_logs": "One JSON object per line; false gives coloured console lines.",
    "dap": "Listen for a debugger on port 5678 (a plain `DAP=true` works too).",
    "enable_metrics": "Serve Prometheus metrics on `/metrics`.",
    "database.user": "Database user.",
    "database.password": "Database password. Never logged or shown.",
    "database.host": "Database host.",
    "database.port": "Database port.",
    "database.name": "Database name.",
    "database.url": "A full SQLAlchemy URL (e.g. `sqlite+aiosqlite:///local.db`); wins over the parts.",
}
"""Descriptions of fields whose model gives none (a field's own ``description`` wins)."""


def type_name(annotation: Any) -> str:
    """A reader's name for a field type: ``URL``, ``secret``, ``one of A, B``."""
    if annotation is None or annotation is type(None):
        return "none"
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(type_name(a) for a in parts)
    if isinstance(annotation, type):
        if issubclass(annotation, AnyUrl):
            return "URL"
        if issubclass(annotation, SecretStr):
            return "secret"
        if issubclass(annotation, BaseModel):
            return "group"
        return {
            "str": "text",
            "int": "integer",
            "float": "number",
            "bool": "boolean",
        }.get(annotation.__name__, annotation.__name__)
    return str(annotation)


def default_of(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    if field.default is None:
        return "unset"
    if isinstance(field.default, bool):
        return f"`{str(field.default).lower()}`"
    return f"`{str(field.default).rstrip('/')}`"


def rows(model: type[BaseModel], prefix: str, key_prefix: str = "") -> list[str]:
    lines = []
    for name, field in model.model_fields.items():
        if type_name(field.annotation) == "group":
            continue  # its fields get rows of their own
        key = f"{key_prefix}{name}"
        prose = field.description or PROSE.get(key)
        if prose is None:
            raise ValueError(f"The setting {key} has no description for the reference")
        variable = f"`{prefix}{name.upper()}`"
        lines.append(
            f"| {variable} | {type_name(field.annotation)} | {default_of(field)} | {prose} |"
        )
    return lines


def render() -> str:
    """The reference table of every FastRAMQPI setting."""
    return "\n".join(
        [
            "| Variable | Type | Default | What |",
            "| --- | --- | --- | --- |",
            *rows(Settings, PREFIX),
            *rows(DatabaseSettings, f"{PREFIX}DATABASE__", "database."),
        ]
    )


VALUE = re.compile(r"<!-- fastramqpi:value ([\w.]+)\.(\w+) -->")


def _value(match: re.Match[str]) -> str:
    return f"{getattr(importlib.import_module(match[1]), match[2]):g}"


def refreshed(markdown: str) -> str:
    """``markdown`` with its generated region rewritten from the code, markers kept."""
    region = f"{PLACEHOLDER}\n{render()}\n{END}"
    return REGION.sub(lambda _: region, markdown)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    markdown = VALUE.sub(_value, markdown)
    return REGION.sub(lambda _: render(), markdown)


if __name__ == "__main__":
    PAGE.write_text(refreshed(PAGE.read_text()))
