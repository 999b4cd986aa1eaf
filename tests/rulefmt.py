# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Prometheus' rule-file format (``rulefmt``) as pydantic models, to check a rule file without
promtool: an unknown key, a rule both alert and record, a duration without a unit, a label
value that is not a string, or an expression that is not PromQL is an error."""

from typing import Annotated

import promql_parser
from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import model_validator


def _duration(value: str) -> str:
    """Prometheus' duration: units required (``5m``, ``1h30m``), ``0`` alone allowed."""
    if value != "0":
        if not value[-1:].isalpha():
            raise ValueError(f"{value!r} lacks a unit")
        promql_parser.parse_duration(value)
    return value


def _promql(value: str) -> str:
    promql_parser.parse(value)
    return value


Duration = Annotated[str, AfterValidator(_duration)]
LabelName = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class Rule(_Strict):
    alert: str | None = None
    record: (
        Annotated[str, StringConstraints(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")] | None
    ) = None
    expr: Annotated[str, AfterValidator(_promql)]
    for_: Duration | None = Field(None, alias="for")
    keep_firing_for: Duration | None = None
    labels: dict[LabelName, str] = {}
    annotations: dict[LabelName, str] = {}

    @model_validator(mode="after")
    def _alert_or_record(self) -> "Rule":
        if (self.alert is None) == (self.record is None):
            raise ValueError("a rule has either alert or record")
        if self.record is not None and (
            self.for_ or self.keep_firing_for or self.annotations
        ):
            raise ValueError(
                "a recording rule has no for, keep_firing_for, annotations"
            )
        return self


class Group(_Strict):
    name: Annotated[str, StringConstraints(min_length=1)]
    interval: Duration | None = None
    query_offset: Duration | None = None
    limit: int | None = None
    labels: dict[LabelName, str] = {}
    rules: list[Rule]


class RuleFile(_Strict):
    """A rule file: groups of alerting and recording rules."""

    groups: list[Group]

    @model_validator(mode="after")
    def _unique_group_names(self) -> "RuleFile":
        names = [group.name for group in self.groups]
        if len(set(names)) != len(names):
            raise ValueError(f"group names repeat: {names}")
        return self
