# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What the docs promise of ``/metrics``, and whether a scrape keeps the promise.

Reusable: a dashboard's queries can be checked against a scrape the same way.
"""

import re
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

_SERIES_SUFFIXES = ("", "_bucket", "_count", "_sum")
"""A histogram or summary is queried by its series; every other name must be a series."""
_OWN_LABELS = {"le", "quantile"}
_NAME = re.compile(r"`([a-z_][a-z0-9_]*)(?:\{([a-z_,]*)\})?`")


@dataclass(frozen=True)
class Documented:
    """A series name as a reader would query it, and the labels it is said to have."""

    name: str
    labels: frozenset[str]

    def __str__(self) -> str:
        return f"{self.name}{{{','.join(sorted(self.labels))}}}"


def documented_in_table(markdown: str, header: str = "| Metric |") -> list[Documented]:
    """Every code-quoted name in the first column of the table that starts with ``header``."""
    found: list[Documented] = []
    in_table = False
    for line in markdown.splitlines():
        if line.startswith(header):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if in_table:
            first_cell = line.split("|")[1]
            found.extend(_parse(first_cell))
    return found


def documented_with_prefix(markdown: str, prefix: str) -> list[Documented]:
    """Every code-quoted name starting with ``prefix`` anywhere in ``markdown``."""
    return [d for d in _parse(markdown) if d.name.startswith(prefix)]


def _parse(text: str) -> list[Documented]:
    return [
        Documented(name, frozenset(filter(None, (labels or "").split(","))))
        for name, labels in _NAME.findall(text)
    ]


def scrape(exposition: str) -> list[Sample]:
    """Every sample of a ``/metrics`` answer."""
    return [
        sample
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    ]


def missing(documented: list[Documented], samples: list[Sample]) -> list[str]:
    """Documented series that the scrape does not serve, or serves without a documented label.

    A name matches a served series exactly, or is a histogram's or summary's name: counters
    must be documented with ``_total``, info metrics with ``_info``, as they are queried.
    """
    labels_of: dict[str, set[str]] = {}
    for sample in samples:
        labels_of.setdefault(sample.name, set()).update(
            set(sample.labels) - _OWN_LABELS
        )
    problems = []
    for doc in documented:
        served = [
            labels_of[doc.name + suffix]
            for suffix in _SERIES_SUFFIXES
            if doc.name + suffix in labels_of
        ]
        if not served:
            problems.append(f"{doc}: no such series")
        elif not any(doc.labels <= labels for labels in served):
            problems.append(f"{doc}: served with labels {sorted(set().union(*served))}")
    return problems
