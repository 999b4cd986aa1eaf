# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Reading and checking the plugin's markers; pure, so a mistake is reported before setup."""

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

INTEGRATION_TEST = "integration_test"
ENVVAR = "envvar"

DECLARATIONS = (
    f"{INTEGRATION_TEST}: runs the integration against MO (or the MO emulator) and "
    "PostgreSQL, with test isolation in both",
    f'{ENVVAR}(mapping): set environment variables for the test, e.g. {ENVVAR}({{"X": "1"}}); '
    "stackable, the marker nearest the test wins",
)
"""The markers as ``pytest --markers`` lists them."""

ENVVAR_USAGE = f'@pytest.mark.{ENVVAR}({{"NAME": "value", ...}}): one mapping of variable names to strings'


class MarkerError(ValueError):
    """A marker used in a way the plugin cannot honour; the message says how to fix it."""


def check_integration_test(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    if args or kwargs:
        raise MarkerError(
            f"@pytest.mark.{INTEGRATION_TEST} takes no arguments; "
            f"got {_call(args, kwargs)}"
        )


def envvars_of(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, str]:
    """The variables one ``envvar`` marker sets, or a ``MarkerError`` saying what is wrong."""
    if kwargs or len(args) != 1 or not isinstance(args[0], Mapping):
        raise MarkerError(f"{ENVVAR_USAGE}; got {ENVVAR}{_call(args, kwargs)}")
    mapping = args[0]
    for name, value in mapping.items():
        if not isinstance(name, str) or not name or "=" in name:
            raise MarkerError(f"{ENVVAR_USAGE}; {name!r} is not a variable name")
        if not isinstance(value, str):
            raise MarkerError(
                f"{ENVVAR_USAGE}; {name} is {value!r} ({type(value).__name__}), "
                f"write it as a string, e.g. {str(value)!r}"
            )
    return dict(mapping)


def merged_envvars(
    markers: Iterable[tuple[tuple[Any, ...], Mapping[str, Any]]],
) -> dict[str, str]:
    """Every ``envvar`` marker's variables; ``markers`` is nearest-first, and the nearest wins."""
    merged: dict[str, str] = {}
    for args, kwargs in reversed(list(markers)):
        merged.update(envvars_of(args, kwargs))
    return merged


def _call(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"({', '.join(parts)})"
