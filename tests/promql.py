# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Which metrics and labels a PromQL expression names, checked against what ``/metrics`` serves.

The expression is parsed by promql-parser; each node's labels are worked out the way Prometheus
computes its result's labels, so a ``by (listener)`` over a metric without ``listener``, or an
alert annotation using ``$labels.listener`` of an expression that aggregated it away, is caught.
"""

from collections.abc import Mapping

import promql_parser as promql

TARGET_LABELS = frozenset({"job", "instance"})
"""Added by Prometheus to every scraped series; not on ``/metrics`` itself."""

_KEEP_LABELS = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})
_NO_LABELS = frozenset({"time", "vector", "scalar", "pi"})


class Expression:
    """One parsed expression: the problems found in it and the labels of its result."""

    def __init__(self, text: str, series: Mapping[str, frozenset[str]]) -> None:
        self._series = series
        self.problems: list[str] = []
        self.metrics: set[str] = set()
        try:
            tree = promql.parse(text)
        except ValueError as error:
            self.problems.append(f"not PromQL: {error}")
            self.labels: frozenset[str] = frozenset()
        else:
            self.labels = self._labels(tree)

    def _require(
        self, wanted: frozenset[str] | list[str], have: frozenset[str], where: str
    ) -> None:
        for label in sorted(set(wanted) - have):
            self.problems.append(f"label {label!r} in {where} is not on {sorted(have)}")

    def _labels(self, node: promql.Expr) -> frozenset[str]:
        match node:
            case promql.VectorSelector():
                return self._selector(node)
            case promql.MatrixSelector():
                return self._selector(node.vector_selector)
            case promql.ParenExpr() | promql.UnaryExpr() | promql.SubqueryExpr():
                return self._labels(node.expr)
            case promql.NumberLiteral() | promql.StringLiteral():
                return frozenset()
            case promql.AggregateExpr():
                return self._aggregate(node)
            case promql.Call():
                return self._call(node)
            case promql.BinaryExpr():
                return self._binary(node)
        raise TypeError(f"unexpected PromQL node {type(node).__name__}: {node}")

    def _selector(self, node: promql.VectorSelector) -> frozenset[str]:
        if node.name is None:
            self.problems.append(f"{node} names no metric")
            return TARGET_LABELS
        self.metrics.add(node.name)
        if node.name not in self._series:
            self.problems.append(f"metric {node.name!r} is not served on /metrics")
            return TARGET_LABELS
        have = self._series[node.name] | TARGET_LABELS
        self._require([m.name for m in node.matchers.matchers], have, str(node))
        return have

    def _aggregate(self, node: promql.AggregateExpr) -> frozenset[str]:
        inner = self._labels(node.expr)
        if node.param is not None:
            self._labels(node.param)
        if node.modifier is None:
            return inner if node.op in _KEEP_LABELS else frozenset()
        labels = frozenset(node.modifier.labels)
        self._require(labels, inner, f"{node.op} {node.modifier}")
        if node.modifier.type == promql.AggModifierType.By:
            return labels
        return inner - labels

    def _call(self, node: promql.Call) -> frozenset[str]:
        args = [self._labels(arg) for arg in node.args]
        name = node.func.name
        if name == "histogram_quantile":
            self._require(frozenset({"le"}), args[1], str(node))
            return args[1] - {"le"}
        if name == "label_replace":
            destination, source = node.args[1], node.args[3]
            assert isinstance(destination, promql.StringLiteral)
            assert isinstance(source, promql.StringLiteral)
            self._require(frozenset({source.val}), args[0], str(node))
            return args[0] | {destination.val}
        if name in _NO_LABELS or not args:
            return frozenset()
        return max(args, key=len)

    def _binary(self, node: promql.BinaryExpr) -> frozenset[str]:
        left, right = self._labels(node.lhs), self._labels(node.rhs)
        modifier = node.modifier
        if modifier is None or not (left and right):
            return left | right if str(node.op) == "or" else left or right
        if modifier.matching is not None:
            matching = frozenset(modifier.matching.labels)
            self._require(matching, left, f"the left side of {node.op} {modifier}")
            self._require(matching, right, f"the right side of {node.op} {modifier}")
        group = frozenset(modifier.group_labels or ())
        if modifier.card == promql.VectorMatchCardinality.OneToMany:
            self._require(group, left, f"{node.op} {modifier}")
            return right | group
        if modifier.card == promql.VectorMatchCardinality.ManyToOne:
            self._require(group, right, f"{node.op} {modifier}")
            return left | group
        return left | right if str(node.op) == "or" else left
