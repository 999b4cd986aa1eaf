# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""``retry`` and ``retrying`` as the README uses them, on a fake clock."""

import types

import pytest
import tenacity

from fastramqpi.pytest_util import retry
from fastramqpi.pytest_util import retrying


class FakeClock:
    """Stands in for tenacity's clock; sleeping advances it instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    # tenacity reads the time through its module-global ``time``; the event loop keeps the real one.
    monkeypatch.setattr(
        tenacity, "time", types.SimpleNamespace(monotonic=fake.monotonic)
    )
    return fake


async def test_retry_tries_again_every_two_seconds_until_it_passes(
    clock: FakeClock,
) -> None:
    attempts = 0

    @retry(sleep=clock.sleep)
    async def verify() -> str:
        nonlocal attempts
        attempts += 1
        assert attempts == 3, "not there yet"
        return "done"

    assert await verify() == "done"
    assert attempts == 3
    assert clock.sleeps == [2.0, 2.0]


async def test_retry_gives_up_after_twenty_seconds_with_the_assertions_own_error(
    clock: FakeClock,
) -> None:
    attempts = 0

    @retry(sleep=clock.sleep)
    async def verify() -> None:
        nonlocal attempts
        attempts += 1
        assert attempts < 0, "the employee was never created"

    with pytest.raises(AssertionError, match="the employee was never created"):
        await verify()
    # Tried at 0, 2, ..., 20 seconds.
    assert attempts == 11
    assert clock.now - 1000.0 == 20.0


def test_bare_retry_decorator_keeps_the_defaults() -> None:
    @retry
    async def verify() -> None:
        raise AssertionError("still wrong")

    retrying_ = verify.retry  # type: ignore[attr-defined]
    assert retrying_.stop.max_delay == 20
    assert retrying_.wait.wait_fixed == 2
    assert retrying_.reraise is True


async def test_retry_arguments_override_the_defaults(clock: FakeClock) -> None:
    attempts = 0

    @retry(sleep=clock.sleep, stop=tenacity.stop_after_attempt(2))
    async def verify() -> None:
        nonlocal attempts
        attempts += 1
        raise AssertionError("nope")

    with pytest.raises(AssertionError, match="nope"):
        await verify()
    assert attempts == 2


def test_retry_works_on_plain_functions() -> None:
    waited: list[float] = []
    attempts = 0

    @retry(sleep=waited.append)
    def verify() -> int:
        nonlocal attempts
        attempts += 1
        assert attempts == 2
        return attempts

    assert verify() == 2
    assert waited == [2.0]


async def test_retrying_block_form(clock: FakeClock) -> None:
    seen = []
    async for attempt in retrying(sleep=clock.sleep):
        with attempt:
            seen.append(attempt.retry_state.attempt_number)
            assert len(seen) == 4
    assert seen == [1, 2, 3, 4]
    assert clock.sleeps == [2.0, 2.0, 2.0]


async def test_retrying_reraises_the_last_failure(clock: FakeClock) -> None:
    async def verify() -> None:
        async for attempt in retrying(sleep=clock.sleep):
            with attempt:
                raise AssertionError("given_name was 'Bob'")

    with pytest.raises(AssertionError, match="given_name was 'Bob'"):
        await verify()
    assert clock.now - 1000.0 == 20.0
