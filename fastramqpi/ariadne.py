# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Helpers for clients generated with ariadne-codegen.

Use them from an integration's ``pyproject.toml``::

    [tool.ariadne-codegen]
    plugins = [
        "fastramqpi.ariadne.UnsetInputTypesPlugin",
        "fastramqpi.ariadne.ForbidExtraBaseModelPlugin",
    ]

    [tool.ariadne-codegen.scalars.DateTime]
    type = "datetime.datetime"
    parse = "fastramqpi.ariadne.parse_graphql_datetime"

Generated clients import this module at run time, where ariadne-codegen is usually not
installed; the plugins, which need it, are imported only when ariadne-codegen asks for them.
"""

from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from pydantic import ValidationError

if TYPE_CHECKING:
    from fastramqpi._codegen_plugins import ForbidExtraBaseModelPlugin
    from fastramqpi._codegen_plugins import UnsetInputTypesPlugin

__all__ = [
    "ForbidExtraBaseModelPlugin",
    "UnsetInputTypesPlugin",
    "parse_graphql_datetime",
]

_COPENHAGEN = ZoneInfo("Europe/Copenhagen")
_DATETIME = TypeAdapter(datetime)


def parse_graphql_datetime(value: Any) -> datetime:
    """Parse a GraphQL ``DateTime``, naming Copenhagen's zone where the offset says so.

    MO sends fixed offsets (``+01:00``). Arithmetic across a DST change and comparisons with
    local dates only come out right with the real zone, so a value whose offset is
    Copenhagen's at that instant gets ``ZoneInfo("Europe/Copenhagen")``; the instant and the
    wall-clock time stay the same. Other offsets and naive values are kept as they are.

    Python's own rules (PEP 495) apply to the result: a time in the repeated autumn hour
    (``fold=1``) compares unequal to any datetime in another zone, and subtracting two times
    in the same zone uses wall-clock time. Compare ``.timestamp()`` where that matters.
    """
    if isinstance(value, datetime):
        return value
    try:
        parsed = _DATETIME.validate_python(value)
    except ValidationError as error:
        raise ValueError(f"not a GraphQL DateTime: {value!r}") from error
    offset = parsed.utcoffset()
    if offset is None:
        return parsed
    try:
        in_copenhagen = parsed.astimezone(_COPENHAGEN)
    except OverflowError:  # the first or last days representable
        return parsed
    if in_copenhagen.utcoffset() == offset:
        return in_copenhagen
    return parsed


_PLUGINS = frozenset({"ForbidExtraBaseModelPlugin", "UnsetInputTypesPlugin"})


def __getattr__(name: str) -> Any:
    """The ariadne-codegen plugins, imported on first use (PEP 562)."""
    if name in _PLUGINS:
        from fastramqpi import _codegen_plugins

        return getattr(_codegen_plugins, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
