# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""A found event is delivered once the finder's next claim is on its way to MO."""

import pytest

from fastramqpi.emulator import Emulator
from fastramqpi.events._client import MOEvents
from fastramqpi.events._handover import HandOvers
from fastramqpi.mo import build_mo_client
from tests.events.conftest import settings
from tests.events.conftest import unique
from tests.waiting import until


def _hand_overs() -> tuple[HandOvers, list[int]]:
    woken: list[int] = []
    return HandOvers(woken.append), woken


async def test_the_deliverer_wakes_once_the_finders_next_claim_is_sent() -> None:
    hand_overs, woken = _hand_overs()
    hand_overs.wait_for_claim(finder=0, deliverer=1)

    with hand_overs.claim(0) as sent:
        assert sent is not None
        assert woken == []
        sent()
        assert woken == [1]
        sent()
    assert woken == [1]


async def test_without_word_of_the_send_the_deliverer_wakes_when_the_claim_ends() -> (
    None
):
    hand_overs, woken = _hand_overs()
    hand_overs.wait_for_claim(finder=0, deliverer=1)
    hand_overs.wait_for_claim(finder=2, deliverer=3)

    with hand_overs.claim(0):
        pass
    with pytest.raises(ConnectionError), hand_overs.claim(2):
        raise ConnectionError("MO went away")

    assert woken == [1, 3]


async def test_a_claim_that_cannot_be_sent_holds_its_deliverer_back_only_briefly() -> (
    None
):
    """A claim waiting for a connection, a token or a free MO call."""
    hand_overs, woken = _hand_overs()
    hand_overs.wait_for_claim(finder=0, deliverer=1)

    with hand_overs.claim(0):
        await until(lambda: woken == [1])


async def test_a_claim_with_no_deliverer_waiting_has_nothing_to_tell() -> None:
    hand_overs, woken = _hand_overs()
    hand_overs.wait_for_claim(finder=0, deliverer=1)

    with hand_overs.claim(2) as sent:
        assert sent is None
    assert woken == []


async def test_the_events_client_tells_when_a_claim_is_on_its_way(
    emu: Emulator,
) -> None:
    """httpcore's trace, through the MO client: before MO answers, and once."""
    told: list[str] = []
    async with build_mo_client(settings(emu)) as mo_client:
        mo = MOEvents(url=f"{emu.url}/graphql/v25", http_client=mo_client)  # type: ignore[arg-type]
        declared = await mo.declare_listener("mo", unique("handover"), "person")
        listener = declared.event_listener_declare.uuid

        answer = await mo.fetch_event(listener, on_sent=lambda: told.append("sent"))
        told.append("answered")

    assert answer.event_fetch is None
    assert told == ["sent", "answered"]
