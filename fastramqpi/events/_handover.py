# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""When a fetcher handed an event delivers it: once the finder's next claim is on its way.

The fetcher whose claim found an event claims again at once, and a parked fetcher delivers
the event (:class:`~fastramqpi.events._steps.HandOver`). Waking the deliverer at once lets it
run first: asyncio runs ready tasks in turn, and a claim's request passes several yields
(httpcore's locks, the socket's checkpoints) before it is written, so an in-process delivery
(about a millisecond of CPU) ran before it and held the next event back by as much. Now the
deliverer wakes when the claim's request has been sent (httpcore's trace tells), when the
claim ends, or after :data:`GRACE` at the latest: a claim that waits for a connection, a token
or a free call to MO must not hold a found event back.
"""

import asyncio
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager

GRACE = 0.002
"""Seconds a deliverer waits at most for its finder's next claim to be sent."""


class HandOvers:
    """The deliverers of one listener waiting for their finder's next claim to be sent."""

    def __init__(self, wake: Callable[[int], None]) -> None:
        self._wake = wake
        self._waiting: dict[int, int] = {}

    def wait_for_claim(self, finder: int, deliverer: int) -> None:
        self._waiting[finder] = deliverer

    @contextmanager
    def claim(self, finder: int) -> Iterator[Callable[[], None] | None]:
        """Around ``finder``'s claim: what to call once its request is sent, if a deliverer
        waits for that. The deliverer wakes by the end of the claim all the same."""
        deliverer = self._waiting.pop(finder, None)
        if deliverer is None:
            yield None
            return
        woken = False

        def sent() -> None:
            nonlocal woken
            if not woken:
                woken = True
                timer.cancel()
                self._wake(deliverer)

        timer = asyncio.get_running_loop().call_later(GRACE, sent)
        try:
            yield sent
        finally:
            sent()
