# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Telling an outage from a bug, so a bug is not logged, and retried, as if MO were down.

An outage (MO or the network away, MO answering 5xx, the token endpoint refusing us) is
expected now and then and says all in one line. Anything else is most likely a bug, e.g. the
generated client rejecting MO's answer: its traceback is what a person needs to fix it.
"""

import httpx
import structlog

from fastramqpi._events_client import GraphQLClientGraphQLMultiError
from fastramqpi._events_client import GraphQLClientHttpError
from fastramqpi.events import _metrics as metrics


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` is MO or the network being away rather than a bug."""
    # Here, not at the top: importing the events package must not pull in authlib.
    from fastramqpi.mo import TokenRefused

    if isinstance(error, httpx.TransportError | TokenRefused):
        return True
    return isinstance(error, GraphQLClientHttpError) and error.status_code >= 500


def graphql_messages(error: Exception) -> str | None:
    """MO's error messages when ``error`` is a GraphQL error answer, else None."""
    if not isinstance(error, GraphQLClientGraphQLMultiError):
        return None
    return "; ".join(e.message for e in error.errors)


def describe(error: BaseException) -> str:
    """A one-line description of an error, for logs without a traceback."""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class FailureLog:
    """How one retrying loop logs its failures.

    An outage is one warning line each time. A bug is counted in
    ``fastramqpi_events_unexpected_errors_total`` and logged as an error with its traceback
    (no local variables: they may hold secrets) the first time and whenever it changes; a
    bug that merely recurs is one warning line, so a loop retrying it does not flood the log.
    """

    def __init__(self, stage: str) -> None:
        self._unexpected = metrics.unexpected_errors.labels(stage=stage)
        self._last_bug: tuple[type[BaseException], str] | None = None

    def failed(
        self,
        log: structlog.stdlib.BoundLogger,
        message: str,
        error: BaseException,
        **fields: object,
    ) -> None:
        if is_outage(error):
            log.warning(message, error=describe(error), **fields)
            return
        self._unexpected.inc()
        bug = (type(error), str(error))
        if bug == self._last_bug:
            log.warning(message, error=describe(error), unexpected=True, **fields)
            return
        self._last_bug = bug
        log.error(
            message, error=describe(error), unexpected=True, exc_info=error, **fields
        )
