# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's testing API, as integration tests use it: snapshot/restore and quick retries.

Plain threads and synchronous httpx, so they work whatever event loop the tests run on.
"""

import threading
from types import TracebackType

import httpx

TIMEOUT = 60.0
"""Seconds a snapshot or restore may take; a real MO copies its whole database."""


class TestingAPIError(RuntimeError):
    pass


def call_testing_api(mo_url: str, path: str) -> None:
    """POST to MO's testing API; a clear error when it is unreachable or switched off."""
    url = f"{mo_url.rstrip('/')}/testing/{path}"
    try:
        response = httpx.post(url, timeout=TIMEOUT)
    except httpx.HTTPError as error:
        raise TestingAPIError(
            f"MO's testing API at {url} is unreachable ({type(error).__name__}: {error}). "
            "Is FASTRAMQPI__MO_URL right? Unset it to test against the MO emulator."
        ) from None
    if response.status_code >= 300:
        raise TestingAPIError(
            f"MO's testing API at {url} answered {response.status_code}: is MO running "
            "with its testing API enabled?"
        )


class QuickRetry:
    """Makes MO retry failed events at once, every ``interval`` seconds, until closed.

    MO waits at least three minutes before it hands out an event again; a test that lets
    its handler fail once would otherwise sit out that wait.
    """

    def __init__(self, mo_url: str, interval: float) -> None:
        self._url = f"{mo_url.rstrip('/')}/testing/events/reset-last-tried"
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="fastramqpi-quick-retry", daemon=True
        )
        self.resets = 0

    def __enter__(self) -> "QuickRetry":
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        with httpx.Client(timeout=self._interval * 5) as client:
            while not self._stop.wait(self._interval):
                try:
                    client.post(self._url).raise_for_status()
                    self.resets += 1
                except httpx.HTTPError:
                    # MO restarting or restoring a snapshot: the next round tries again.
                    continue
