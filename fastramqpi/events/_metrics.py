# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Prometheus metrics of the events fetchers, labelled by listener.

Module-level, so several apps in one process (tests) share them instead of registering twice.
"""

from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram

_LABELS = ["namespace", "listener"]

fetched = Counter("fastramqpi_events_fetched", "Events fetched from MO", _LABELS)
delivered = Counter(
    "fastramqpi_events_delivered",
    "Deliveries to the handler, by response status class (or 'unreachable')",
    [*_LABELS, "status"],
)
acknowledged = Counter(
    "fastramqpi_events_acknowledged", "Events acknowledged in MO", _LABELS
)
failed = Counter(
    "fastramqpi_events_failed",
    "Failures, by stage: fetch or acknowledge (MO), deliver (handler not 2xx or unreachable)",
    [*_LABELS, "stage"],
)
retry_after_pauses = Counter(
    "fastramqpi_events_retry_after_pauses",
    "Pauses of a listener asked for with Retry-After",
    _LABELS,
)
silenced = Counter(
    "fastramqpi_events_silenced",
    "Events silenced in MO after silence_after consecutive 4xx answers",
    _LABELS,
)
fetcher_restarts = Counter(
    "fastramqpi_events_fetcher_restarts",
    "Fetchers restarted after an unexpected error",
    _LABELS,
)
acks_waiting = Gauge(
    "fastramqpi_events_acknowledgements_waiting",
    "Acknowledgements of handled events kept until MO answers again (the listener fetches "
    "nothing meanwhile)",
    _LABELS,
)
unexpected_errors = Counter(
    "fastramqpi_events_unexpected_errors",
    "Failures that are no outage of MO or the network, most likely a bug, by stage: "
    "declare, fetch or acknowledge",
    ["stage"],
)
handler_seconds = Histogram(
    "fastramqpi_events_handler_duration_seconds",
    "Time from delivering an event to the handler's response",
    _LABELS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
fetch_seconds = Histogram(
    "fastramqpi_events_fetch_duration_seconds",
    "Time of one event_fetch call to MO",
    _LABELS,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class ListenerMetrics:
    """One listener's series, looked up once rather than for every event."""

    def __init__(self, namespace: str, listener: str) -> None:
        labels = {"namespace": namespace, "listener": listener}
        self._labels = labels
        self.fetched = fetched.labels(**labels)
        self.acknowledged = acknowledged.labels(**labels)
        self.retry_after_pauses = retry_after_pauses.labels(**labels)
        self.fetcher_restarts = fetcher_restarts.labels(**labels)
        self.handler_seconds = handler_seconds.labels(**labels)
        self.fetch_seconds = fetch_seconds.labels(**labels)
        self.acks_waiting = acks_waiting.labels(**labels)
        self._delivered: dict[str, Counter] = {}
        self._failed = {
            stage: failed.labels(**labels, stage=stage)
            for stage in ("fetch", "deliver", "acknowledge")
        }

    def delivered(self, status: str) -> Counter:
        child = self._delivered.get(status)
        if child is None:
            child = self._delivered[status] = delivered.labels(
                **self._labels, status=status
            )
        return child

    def failed(self, stage: str) -> Counter:
        return self._failed[stage]
