# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""One log pipeline for structlog, the standard library and uvicorn.

Every line, whoever logs it, leaves through a single handler on the root logger, so JSON logs
stay parseable and the request id bound by the middleware reaches uvicorn's lines too.
Tracebacks are rendered without local variables: locals hold tokens and passwords.
"""

import functools
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import Processor

_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class _StderrHandler(logging.Handler):
    """Write to whatever ``sys.stderr`` is now, so replaced streams (pytest's) are honoured."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _probe_or_scrape(path: str) -> bool:
    path = path.partition("?")[0]
    return path == "/metrics" or path.startswith("/health/")


class _ProbesAtDebug(logging.Filter):
    """uvicorn's access lines of Kubernetes' probes and Prometheus' scrapes, at DEBUG.

    They come every few seconds all day and say nothing an operator looks for at INFO.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.name != "uvicorn.access"
            or record.levelno != logging.INFO
            or not isinstance(record.args, tuple)
            or len(record.args) < 3
            or not _probe_or_scrape(str(record.args[2]))
        ):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


class _Formatter(structlog.stdlib.ProcessorFormatter):
    """structlog's ``ProcessorFormatter``, minus two copies on the line every request logs.

    For a plain standard-library record (uvicorn's access line is one per request) it runs
    the same processors on an event dict built from the record, but skips the copy of the
    record and the second pass through ``logging.Formatter``: with a JSON renderer last
    they only cost time. Records from structlog or with a traceback or stack take the
    general path.
    """

    def format(self, record: logging.LogRecord) -> str:
        if (
            record.exc_info
            or record.stack_info
            or isinstance(record.msg, dict)
            or hasattr(record, "_logger")
        ):
            return super().format(record)
        method = record.levelname.lower()
        event: Any = {
            "event": record.getMessage(),
            "_record": record,
            "_from_structlog": False,
        }
        for processor in self._pipeline:
            event = processor(self.logger, method, event)
        return str(event)

    @functools.cached_property
    def _pipeline(self) -> list[Processor]:
        """The processors, less those that only render a traceback or stack."""
        return [
            p
            for p in (*(self.foreign_pre_chain or ()), *self.processors)
            if not isinstance(p, _TRACEBACK_RENDERERS)
        ]


_TRACEBACK_RENDERERS = (
    structlog.processors.StackInfoRenderer,
    structlog.processors.ExceptionRenderer,
)


@functools.cache
def _json_encoder(default: Callable[[Any], Any]) -> json.JSONEncoder:
    return json.JSONEncoder(default=default)


def _json_dumps(obj: Any, default: Callable[[Any], Any]) -> str:
    """``json.dumps`` with one encoder for every line rather than a new one per line."""
    return _json_encoder(default).encode(obj)


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def _renderers(json_logs: bool) -> list[Processor]:
    if json_logs:
        return [
            structlog.processors.StackInfoRenderer(),
            structlog.processors.ExceptionRenderer(
                ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(serializer=_json_dumps),
        ]
    return [
        structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),
            exception_formatter=structlog.dev.plain_traceback,
        )
    ]


def configure(log_level: str = "INFO", json_logs: bool = True) -> None:
    """Route every logger through structlog's renderer at ``log_level``.

    Calling it again replaces the previous configuration, so several apps in one process
    (a test suite) do not stack handlers.
    """
    shared = _shared_processors()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Caching would pin module-level loggers to this configuration and break
        # ``structlog.testing.capture_logs`` in test suites.
        cache_logger_on_first_use=False,
    )

    handler = _StderrHandler()
    handler.addFilter(_ProbesAtDebug())
    handler.setFormatter(
        _Formatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *_renderers(json_logs),
            ],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(log_level)

    for name in _UVICORN_LOGGERS:
        _reroute(logging.getLogger(name))
    # Every access line comes from the same line of uvicorn, and no renderer of ours shows
    # a call site; finding it walked the stack (in Python, with structlog's logger class) on
    # every request, about 2% of a trivial request's CPU.
    logging.getLogger("uvicorn.access").findCaller = _no_call_site  # type: ignore[method-assign]
    # httpx logs every request at INFO: for an integration polling MO that is noise, and
    # rendering it costs more than the request. Shown at DEBUG.
    logging.getLogger("httpx").setLevel(
        logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING
    )


def _no_call_site(
    stack_info: bool = False, stacklevel: int = 1
) -> tuple[str, int, str, str | None]:
    """What ``logging`` records as the call site when it does not look for one."""
    return "(unknown file)", 0, "(unknown function)", None


def _reroute(logger: logging.Logger) -> None:
    """Hand a logger's lines to the root handler instead of its own.

    A logger without handlers that does not propagate was silenced on purpose
    (``uvicorn --no-access-log``) and stays silent.
    """
    if logger.handlers:
        logger.handlers.clear()
        logger.propagate = True
    logger.setLevel(logging.NOTSET)
