# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Poison events: ``Listener(..., silence_after=N)``."""

from collections import defaultdict
from uuid import UUID
from uuid import uuid4

import pytest
from fastapi import APIRouter
from fastapi import Response

from fastramqpi.emulator import Emulator
from fastramqpi.events import Event
from fastramqpi.events import Listener
from fastramqpi.events._decisions import Delivered
from fastramqpi.events._decisions import Outcome
from fastramqpi.events._decisions import Unreachable
from fastramqpi.events._poison import Strikes
from fastramqpi.events._poison import is_rejection
from tests.events.conftest import Logs
from tests.events.conftest import integration
from tests.events.conftest import metric
from tests.events.conftest import quick_retry
from tests.events.conftest import running
from tests.events.conftest import unique
from tests.events.conftest import until

SILENCED = "Event silenced in MO after repeated rejections by its handler"
REJECTED = Delivered(422)


@pytest.mark.parametrize("status", [400, 404, 409, 410, 422])
def test_a_4xx_is_a_rejection(status: int) -> None:
    assert is_rejection(Delivered(status))


@pytest.mark.parametrize(
    "outcome",
    [
        Delivered(200),
        Delivered(204),
        Delivered(500),
        Delivered(503),
        Delivered(503, retry_after="30"),
        Delivered(422, retry_after="30"),
        Delivered(429),
        Delivered(408),
        Unreachable("ConnectError"),
    ],
)
def test_nothing_else_is(outcome: Outcome) -> None:
    assert not is_rejection(outcome)


def test_the_nth_consecutive_rejection_silences() -> None:
    strikes = Strikes(3)
    assert [strikes.record("a", REJECTED) for _ in range(3)] == [False, False, True]


def test_the_count_restarts_after_a_silence() -> None:
    strikes = Strikes(2)
    answers = [strikes.record("a", REJECTED) for _ in range(4)]
    assert answers == [False, True, False, True]


@pytest.mark.parametrize(
    "other",
    [Delivered(204), Delivered(500), Delivered(503, "5"), Unreachable("timeout")],
)
def test_any_other_answer_starts_a_subject_from_zero(other: Outcome) -> None:
    strikes = Strikes(3)
    strikes.record("a", REJECTED)
    strikes.record("a", REJECTED)
    assert strikes.record("a", other) is False
    assert strikes.count("a") == 0
    assert [strikes.record("a", REJECTED) for _ in range(3)] == [False, False, True]


def test_subjects_are_counted_apart() -> None:
    strikes = Strikes(2)
    assert strikes.record("a", REJECTED) is False
    assert strikes.record("b", REJECTED) is False
    assert strikes.record("b", Delivered(204)) is False
    assert strikes.record("a", REJECTED) is True
    assert strikes.count("b") == 0


def test_a_failed_silence_is_tried_again_at_the_next_rejection() -> None:
    strikes = Strikes(5)
    assert [strikes.record("a", REJECTED) for _ in range(5)][-1] is True
    strikes.silence_failed("a")
    assert strikes.record("a", REJECTED) is True


def test_memory_is_bounded_by_forgetting_the_oldest_subjects() -> None:
    strikes = Strikes(2, max_tracked=3)
    for subject in "abcd":
        strikes.record(subject, REJECTED)
    assert [strikes.count(s) for s in "abcd"] == [0, 1, 1, 1]


def _listener(path: str, silence_after: int | None) -> Listener:
    return Listener(
        namespace="mo",
        user_key=unique("person"),
        routing_key="person",
        path=path,
        silence_after=silence_after,
    )


async def test_a_subject_always_answered_422_is_silenced_in_mo(
    emu: Emulator, logs: Logs
) -> None:
    answers: dict[str, int] = defaultdict(int)
    rejected = str(uuid4())
    fine = str(uuid4())
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> Response:
        subject = str(event.subject)
        answers[subject] += 1
        if subject == rejected:
            return Response("no such person", status_code=422)
        return Response(status_code=204)

    listener = _listener("/events/person", silence_after=3)
    before = metric("fastramqpi_events_silenced_total", listener)
    async with running(integration(emu, router, [listener])), quick_retry(emu):
        emu.emit("person", rejected)
        emu.emit("person", fine)
        await until(lambda: any(e.silenced for e in emu.pending()))

    [held] = emu.pending()
    assert held.subject == rejected
    assert held.silenced
    assert answers[fine] >= 1
    assert answers[rejected] >= 3
    assert metric("fastramqpi_events_silenced_total", listener) >= before + 1
    [first, *_] = logs(SILENCED)
    assert first["level"] == "warning"
    assert first["listener"] == listener.user_key
    assert first["subject"] == rejected
    assert first["status"] == 422
    assert "no such person" in first["body"]
    assert first["rejections"] == 3


async def test_5xx_answers_never_silence(emu: Emulator, logs: Logs) -> None:
    answers: list[int] = []
    router = APIRouter()

    @router.post("/events/broken")
    async def handle(event: Event[UUID]) -> Response:
        answers.append(503 if len(answers) % 2 else 500)
        return Response(status_code=answers[-1])

    listener = _listener("/events/broken", silence_after=1)
    async with running(integration(emu, router, [listener])), quick_retry(emu):
        emu.emit("person", str(uuid4()))
        # Each answer is judged before the next fetch, so by the third delivery the first
        # two have been, and silence_after=1 would have silenced already.
        await until(lambda: len(answers) >= 3)

    assert not any(e.silenced for e in emu.pending())
    assert logs(SILENCED) == []
    assert metric("fastramqpi_events_silenced_total", listener) == 0
