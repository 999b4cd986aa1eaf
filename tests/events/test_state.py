# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The listener state's rules (idle rota, pause, failure streak, shutdown), without a loop."""

import math
from collections.abc import Iterable

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule

from fastramqpi.events._decisions import Decision
from fastramqpi.events._races import CLAIMS_AT_ONCE
from fastramqpi.events._recheck import RECHECK_PERIODS
from fastramqpi.events._retry import ACK_ATTEMPTS
from fastramqpi.events._retry import ACK_RETRY_CAP
from fastramqpi.events._retry import FETCH_RETRY_CAP
from fastramqpi.events._state import Acknowledge
from fastramqpi.events._state import Cancel
from fastramqpi.events._state import Deliver
from fastramqpi.events._state import Fetch
from fastramqpi.events._state import HandOver
from fastramqpi.events._state import ListenerState
from fastramqpi.events._state import Step
from fastramqpi.events._state import Stop
from fastramqpi.events._state import Then
from fastramqpi.events._state import Wait
from fastramqpi.events._state import Wake

IDLE = 1.75
HANDLED = Decision(ack=True)
FAILED = Decision(ack=False)
UNREACHABLE = Decision(ack=False, back_off=True)


def listener(fetchers: int) -> ListenerState[str]:
    """A listener whose back-off jitter is always the top of its range."""
    return ListenerState(
        fetchers, idle_interval=lambda: IDLE, rng=lambda: 1.0, redeliveries=2
    )


PARKED = Wait(math.inf, wakeable=True)


def wake(*slots: int) -> Wake:
    return Wake(frozenset(slots))


def started(fetchers: int, now: float = 0.0) -> ListenerState[str]:
    """Every fetcher asked what to do: two claim, the rest queue for a claim."""
    state = listener(fetchers)
    claiming = min(fetchers, CLAIMS_AT_ONCE)
    assert [state.next(slot, now) for slot in range(fetchers)] == [
        Fetch()
    ] * claiming + [PARKED] * (fetchers - claiming)
    return state


def idle(state: ListenerState[str], now: float = 0.0) -> ListenerState[str]:
    """MO answers every claim with null until the listener idles."""
    while fetching := [n for n in range(state.fetchers) if state.step(n) == Fetch()]:
        for effect in state.empty(fetching[0], now).effects:
            assert isinstance(effect, Wake)
            for slot in effect.slots:
                state.next(slot, now)
    assert state.idle
    return state


# --- Idle rota ---------------------------------------------------------------------------


def test_two_fetchers_claim_at_start_and_the_others_queue() -> None:
    started(4)


def test_the_first_empty_fetch_polls_again_after_the_idle_interval() -> None:
    state = started(1)
    assert state.empty(0, now=10.0) == Then(Wait(10.0 + IDLE, wakeable=True))
    assert state.next(0, now=11.0) == Wait(10.0 + IDLE, wakeable=True)
    assert state.next(0, now=10.0 + IDLE) == Fetch()


def test_only_one_idle_fetcher_polls_the_others_park() -> None:
    state = started(3)
    assert state.empty(0, now=1.0) == Then(PARKED, (wake(2),))
    assert state.next(2, now=1.0) == Fetch()
    assert state.empty(1, now=1.0) == Then(PARKED)
    assert state.empty(2, now=1.0).step == Wait(1.0 + IDLE, wakeable=True)
    assert state.poller == 2
    assert state.idle


def test_a_fetcher_woken_to_claim_keeps_the_listener_from_idling_until_it_has() -> None:
    """The integration's idle poll lists only idle listeners: one declared idle while a
    claim was still to come would be fetched after its listing."""
    state = started(3)
    assert state.empty(0, now=0.0) == Then(PARKED, (wake(2),))
    assert state.empty(1, now=0.0) == Then(PARKED)
    assert not state.idle
    assert state.next(2, now=0.0) == Fetch()
    assert state.empty(2, now=0.0).step == Wait(IDLE, wakeable=True)
    assert state.idle


def test_the_idle_interval_is_read_at_every_idle_wait() -> None:
    interval = [1.0]
    state = ListenerState[str](1, idle_interval=lambda: interval[0], rng=lambda: 1.0)
    state.next(0, 0.0)
    assert state.empty(0, now=0.0).step == Wait(1.0, wakeable=True)
    interval[0] = 0.2
    assert state.next(0, now=1.0) == Fetch()
    assert state.empty(0, now=1.0).step == Wait(1.2, wakeable=True)


def test_the_poller_keeps_polling_while_the_others_stay_parked() -> None:
    state = started(2)
    state.empty(0, now=0.0)
    state.empty(1, now=0.0)
    assert state.next(1, now=IDLE) == Fetch()
    assert state.next(0, now=IDLE) == Wait(math.inf, wakeable=True)
    assert state.empty(1, now=IDLE).step == Wait(2 * IDLE, wakeable=True)


def test_an_event_wakes_the_idle_fetchers_one_to_deliver_it_one_to_claim() -> None:
    state = idle(started(3))
    assert state.poller == 2
    assert state.next(2, now=IDLE) == Fetch()
    assert state.fetched(2, "event", now=IDLE) == Then(
        Fetch(), (wake(1), HandOver(finder=2, deliverer=0))
    )
    assert state.next(0, now=IDLE) == Deliver("event")
    assert state.next(1, now=IDLE) == Fetch()
    assert state.poller is None
    assert not state.idle


# --- Contention ----------------------------------------------------------------------------


def test_at_most_two_claims_are_in_flight_and_the_rest_deliver_meanwhile() -> None:
    """Claims beside two others mostly come back null from MO (mo-events.md)."""
    state = started(4)
    assert state.fetched(0, "a", now=0.0) == Then(Fetch(), (HandOver(0, 2),))
    assert state.next(2, now=0.0) == Deliver("a")
    assert state.fetched(1, "b", now=0.0) == Then(Fetch(), (HandOver(1, 3),))
    assert state.next(3, now=0.0) == Deliver("b")
    assert state.fetched(0, "c", now=0.0) == Then(Deliver("c"))
    assert state.fetched(1, "d", now=0.0) == Then(Deliver("d"))


def test_the_fetcher_that_found_an_event_claims_again_and_a_parked_one_delivers() -> (
    None
):
    """MO's claim is most of an event's time: the next claim does not wait for a delivery."""
    state = started(3)
    state.empty(0, now=0.0)
    state.next(2, now=0.0)
    assert state.fetched(1, "a", now=0.1) == Then(Fetch(), (HandOver(1, 0),))
    assert state.next(0, now=0.1) == Deliver("a")
    assert state.delivered(0, HANDLED, now=0.2) == Then(PARKED, (Acknowledge("a"),))


def test_a_fetcher_that_may_not_claim_again_delivers_what_it_found() -> None:
    state = started(4)
    state.fetched(0, "a", now=0.0)
    state.next(2, now=0.0)
    assert state.delivered(2, Decision(ack=True, pause=5.0), now=0.2).step == Wait(5.2)
    assert state.fetched(1, "b", now=0.3) == Then(Deliver("b"), (wake(3),))
    assert state.next(3, now=0.3) == Wait(5.2)


def test_a_queued_fetcher_claims_when_a_claim_ends_without_an_event() -> None:
    state = started(3)
    assert state.fetch_failed(0, now=0.0).effects == (wake(2),)
    assert state.next(2, now=0.0) == Fetch()


def test_a_null_while_another_fetcher_delivers_is_not_idle() -> None:
    state = started(2)
    state.fetched(0, "a", now=0.0)
    assert state.empty(1, now=0.0) == Then(PARKED)
    assert state.poller is None
    assert not state.idle


def test_an_event_found_wakes_only_as_many_fetchers_as_may_claim() -> None:
    """Waking every parked fetcher at each event would have most of them park again."""
    state = idle(started(5))
    poller = state.poller
    assert poller is not None
    assert state.next(poller, now=IDLE) == Fetch()
    then = state.fetched(poller, "a", now=IDLE)
    assert then.step == Fetch()
    woken, handed = then.effects
    assert isinstance(woken, Wake)
    assert isinstance(handed, HandOver)
    assert handed.finder == poller
    assert poller not in woken.slots | {handed.deliverer}
    assert state.next(handed.deliverer, now=IDLE) == Deliver("a")
    steps = [state.next(slot, now=IDLE) for slot in woken.slots]
    assert steps == [Fetch()] * (CLAIMS_AT_ONCE - 1)
    rest = set(range(5)) - woken.slots - {poller, handed.deliverer}
    assert [state.next(slot, now=IDLE) for slot in rest] == [PARKED] * len(rest)


def test_a_fetcher_whose_last_claim_won_claims_again_after_a_race() -> None:
    """Two claims side by side sometimes both come back null; one null is no idle listener."""
    state = started(2)
    state.fetched(0, "a", now=0.0)
    assert state.delivered(0, HANDLED, now=0.1).step == Fetch()
    state.fetched(1, "b", now=0.2)
    assert state.empty(0, now=0.3) == Then(Fetch())
    assert state.empty(0, now=0.4) == Then(PARKED)


def test_a_null_that_raced_no_claim_parks_the_fetcher_until_an_event_is_found() -> None:
    """MO had nothing for it while the other delivers: claiming again would only find that."""
    state = started(2)
    state.fetched(1, "a", now=0.0)
    state.fetched(0, "b", now=0.0)
    assert state.delivered(0, HANDLED, now=0.1).step == Fetch()
    assert state.empty(0, now=0.2) == Then(PARKED)
    assert state.delivered(1, HANDLED, now=0.3).step == Fetch()
    assert state.fetched(1, "c", now=0.4) == Then(Fetch(), (HandOver(1, 0),))
    assert state.next(0, now=0.4) == Deliver("c")


def test_after_the_burst_every_fetcher_works_again() -> None:
    state = started(2)
    state.fetched(0, "a", now=0.0)
    state.empty(1, now=0.0)
    state.delivered(0, HANDLED, now=0.1)
    assert state.empty(0, now=0.2).step == Wait(0.2 + IDLE, wakeable=True)
    assert state.next(0, now=0.2 + IDLE) == Fetch()
    assert state.fetched(0, "b", now=2.0) == Then(Fetch(), (HandOver(0, 1),))
    assert state.next(1, now=2.0) == Deliver("b")


def test_an_event_found_while_nobody_idles_wakes_nobody() -> None:
    state = started(2)
    assert state.fetched(0, "event", now=0.0) == Then(Deliver("event"))


def test_a_handled_event_is_acknowledged_and_the_fetcher_fetches_again() -> None:
    state = started(1)
    state.fetched(0, "event", now=0.0)
    assert state.delivered(0, HANDLED, now=0.1) == Then(
        Fetch(), (Acknowledge("event"),)
    )


def test_a_failed_event_is_not_acknowledged() -> None:
    state = started(1)
    state.fetched(0, "event", now=0.0)
    assert state.delivered(0, FAILED, now=0.1) == Then(Fetch())


# --- Shared idle poll ---------------------------------------------------------------------

RECHECK = RECHECK_PERIODS * IDLE


def idle_shared(fetchers: int) -> ListenerState[str]:
    state = started(fetchers)
    state.share_idle_poll(True)
    return idle(state)


def test_with_a_shared_idle_poll_every_fetcher_parks() -> None:
    state = idle_shared(3)
    assert state.poller is None
    assert [state.next(slot, now=100.0) for slot in range(3)] == [
        Wait(math.inf, wakeable=True)
    ] * 3


def test_a_listing_with_nothing_pending_wakes_nobody() -> None:
    assert idle_shared(2).listed(frozenset(), now=1.0) == ()


def test_a_listed_event_wakes_one_fetcher_and_the_rest_when_it_finds_it() -> None:
    """Waking all would race them for what may be a single event."""
    state = idle_shared(3)
    assert state.listed(frozenset({"a"}), now=1.0) == (wake(0),)
    assert [state.next(slot, now=1.0) for slot in range(3)] == [Fetch(), PARKED, PARKED]
    assert not state.idle
    assert state.fetched(0, "a", now=1.0) == Then(Fetch(), (wake(2), HandOver(0, 1)))
    assert [state.next(slot, now=1.0) for slot in (1, 2)] == [Deliver("a"), Fetch()]


def test_a_listing_while_fetching_changes_nothing() -> None:
    state = started(1)
    state.share_idle_poll(True)
    assert state.listed(frozenset({"a"}), now=0.0) == ()


def test_listed_events_a_fetch_did_not_find_are_fetched_once_per_recheck() -> None:
    """Events in MO's retry wait: listed pending at every poll, never fetchable before."""
    state = idle_shared(1)
    state.listed(frozenset({"a"}), now=1.0)
    state.next(0, now=1.0)
    state.empty(0, now=1.0)
    assert state.listed(frozenset({"a"}), now=1.0 + IDLE) == ()
    assert state.listed(frozenset({"a"}), now=1.0 + RECHECK - 0.1) == ()
    assert state.listed(frozenset({"a"}), now=1.0 + RECHECK) == (wake(0),)


def test_a_new_subject_beside_waiting_ones_wakes_at_once() -> None:
    state = idle_shared(1)
    state.listed(frozenset({"a"}), now=1.0)
    state.next(0, now=1.0)
    state.empty(0, now=1.0)
    assert state.listed(frozenset({"a", "b"}), now=1.0 + IDLE) == (wake(0),)


def test_a_subject_that_left_the_listing_is_new_when_it_comes_back() -> None:
    state = idle_shared(1)
    state.listed(frozenset({"a"}), now=1.0)
    state.next(0, now=1.0)
    state.empty(0, now=1.0)
    assert state.listed(frozenset(), now=2.0) == ()
    assert state.listed(frozenset({"a"}), now=3.0) == (wake(0),)


def test_a_cut_listing_wakes_at_most_once_per_recheck() -> None:
    """A backlog beyond the listing's page can hide any listener's new events."""
    state = idle_shared(1)
    assert state.listed(None, now=1.0) == (wake(0),)
    state.next(0, now=1.0)
    state.empty(0, now=1.0)
    assert state.listed(None, now=1.0 + RECHECK - 0.1) == ()
    assert state.listed(None, now=1.0 + RECHECK) == (wake(0),)


def test_leaving_the_shared_poll_starts_the_idle_rota() -> None:
    state = idle_shared(2)
    assert state.share_idle_poll(False) == (wake(0, 1),)
    assert state.next(0, now=1.0) == Fetch()
    assert state.next(1, now=1.0) == Fetch()
    state.empty(0, now=1.0)
    assert state.empty(1, now=1.0).step == Wait(1.0 + IDLE, wakeable=True)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=10.0),
            st.one_of(st.none(), st.frozensets(st.sampled_from("abc"))),
        ),
        max_size=60,
    )
)
def test_listed_events_never_fetched_cost_a_bounded_number_of_fetches(
    listings: list[tuple[float, frozenset[str] | None]],
) -> None:
    """However MO's listing looks, while no fetch finds an event a listener is fetched at
    most once per recheck, plus once each time a subject shows up anew."""
    state = idle_shared(1)
    now, wakes, arrivals, seen = 1.0, 0, 0, frozenset[str]()
    for pause, subjects in listings:
        now += pause
        if subjects is not None:
            arrivals += len(subjects - seen)
            seen = subjects
        if state.listed(subjects, now):
            wakes += 1
            assert state.next(0, now) == Fetch()
            state.empty(0, now)
    assert wakes <= 1 + (now - 1.0) / RECHECK + arrivals


# --- Pause ---------------------------------------------------------------------------------


def test_retry_after_holds_back_every_fetcher_of_the_listener() -> None:
    state = started(2)
    state.fetched(0, "a", now=0.0)
    state.fetched(1, "b", now=0.0)
    then = state.delivered(0, Decision(ack=False, pause=5.0), now=1.0)
    assert then == Then(Wait(6.0))
    assert state.delivered(1, HANDLED, now=1.0) == Then(Wait(6.0), (Acknowledge("b"),))
    assert state.next(0, now=6.0) == Fetch()
    assert state.next(1, now=6.0) == Fetch()


def test_a_fetched_event_is_delivered_during_a_pause() -> None:
    """It was claimed already: holding it would only delay it."""
    state = started(2)
    state.fetched(0, "a", now=0.0)
    state.delivered(0, Decision(ack=False, pause=5.0), now=0.0)
    assert state.fetched(1, "b", now=0.1).step == Deliver("b")


def test_a_shorter_pause_does_not_shorten_a_longer_one() -> None:
    state = started(2)
    state.fetched(0, "a", now=0.0)
    state.fetched(1, "b", now=0.0)
    state.delivered(0, Decision(ack=False, pause=60.0), now=0.0)
    assert state.delivered(1, Decision(ack=True, pause=1.0), now=0.0) == Then(
        Wait(60.0), (Acknowledge("b"),)
    )
    assert state.paused_until == 60.0


def test_a_pause_that_grows_during_a_wait_is_waited_out() -> None:
    state = started(2)
    state.fetched(0, "a", now=0.0)
    state.fetched(1, "b", now=0.0)
    assert state.delivered(0, Decision(ack=False, pause=2.0), now=0.0).step == Wait(2.0)
    state.delivered(1, Decision(ack=False, pause=10.0), now=1.0)
    assert state.next(0, now=2.0) == Wait(11.0)


# --- Failure streak ------------------------------------------------------------------------


def test_a_failing_fetch_backs_off_doubling() -> None:
    state = started(1)
    waits = []
    now = 0.0
    for _ in range(4):
        step = state.fetch_failed(0, now).step
        assert isinstance(step, Wait)
        assert not step.wakeable
        waits.append(step.until - now)
        now = step.until
        assert state.next(0, now) == Fetch()
    assert waits == [min(w, FETCH_RETRY_CAP) for w in (0.5, 1.0, 2.0, 4.0)]


def test_while_mo_fails_one_fetcher_retries_it_and_the_others_wait_for_its_answer() -> (
    None
):
    """A down MO gets one call at a time from a listener, and all of it resumes at once."""
    state = started(3)
    retry = state.fetch_failed(0, now=0.0).step
    assert isinstance(retry, Wait)
    assert not retry.wakeable
    assert state.next(2, now=0.0) == Fetch()
    assert state.fetch_failed(1, now=0.1) == Then(Wait(math.inf, wakeable=True))
    assert state.fetch_failed(2, now=0.2) == Then(Wait(math.inf, wakeable=True))
    assert state.next(0, now=retry.until) == Fetch()
    assert state.fetch_failed(0, now=retry.until).step != Wait(math.inf, wakeable=True)
    assert state.fetched(0, "e", now=9.0) == Then(Fetch(), (wake(2), HandOver(0, 1)))
    assert [state.next(slot, now=9.0) for slot in (1, 2)] == [Deliver("e"), Fetch()]


def test_the_fetcher_retrying_mo_crashing_hands_the_retrying_on() -> None:
    state = started(2)
    state.fetch_failed(0, now=0.0)
    state.next(0, now=5.0)
    state.crashed(0, now=5.0)
    retry = state.fetch_failed(1, now=5.0).step
    assert isinstance(retry, Wait)
    assert retry.until < math.inf


def test_an_answered_fetch_ends_the_back_off() -> None:
    state = started(1)
    for now in (0.0, 1.0, 2.0):
        state.fetch_failed(0, now)
        state.next(0, now + 10)
    state.empty(0, now=20.0)
    assert state.next(0, now=20.0 + IDLE) == Fetch()
    assert state.fetch_failed(0, now=30.0).step == Wait(30.5)


def test_an_unreachable_handler_backs_off_the_fetcher() -> None:
    state = started(1)
    state.fetched(0, "a", now=0.0)
    assert state.delivered(0, UNREACHABLE, now=0.0) == Then(Wait(0.5))


def test_mo_unreachable_counts_from_the_first_failure_until_a_fetch_is_answered() -> (
    None
):
    state = started(2)
    assert state.unreachable_for(now=5.0) == 0.0
    state.fetch_failed(0, now=5.0)
    state.fetch_failed(1, now=6.0)
    assert state.ack_failed(1, now=7.0) is not None
    assert state.unreachable_for(now=65.0) == 60.0
    state.next(0, now=70.0)
    state.empty(0, now=70.0)
    assert state.unreachable_for(now=71.0) == 0.0


def test_an_acknowledgement_is_retried_then_left_to_mo() -> None:
    state = started(1)
    assert state.ack_failed(1, now=0.0) == Wait(0.5)
    assert state.ack_failed(2, now=1.0) == Wait(2.0)
    assert state.ack_failed(ACK_ATTEMPTS, now=2.0) is None


def test_a_crashed_fetcher_restarts_after_a_growing_back_off() -> None:
    state = started(1)
    assert state.crashed(0, now=0.0) == Then(Wait(0.5))
    assert state.next(0, now=0.5) == Fetch()
    assert state.crashed(0, now=1.0) == Then(Wait(2.0))


def test_a_crashed_poller_hands_the_rota_on() -> None:
    state = started(2)
    state.empty(0, now=0.0)
    state.next(0, now=IDLE)
    state.crashed(0, now=IDLE)
    assert state.empty(1, now=IDLE).step == Wait(2 * IDLE, wakeable=True)


# --- Shutdown ------------------------------------------------------------------------------


def test_stop_cancels_every_fetcher_but_those_delivering() -> None:
    state = started(4)
    state.fetched(0, "a", now=0.0)
    assert state.next(2, now=0.0) == Deliver("a")
    state.empty(1, now=0.0)
    assert state.stop() == (Cancel(frozenset({0, 1, 3})),)


def test_an_event_handed_over_before_stop_is_delivered_and_acknowledged() -> None:
    """Its deliverer may wake only after the stop: the event is under way all the same."""
    state = started(3)
    state.empty(0, now=0.0)
    state.next(2, now=0.0)
    assert state.fetched(1, "a", now=0.1).effects == (HandOver(1, 0),)
    assert state.stop() == (Cancel(frozenset({1, 2})),)
    assert state.next(0, now=0.2) == Deliver("a")
    assert state.delivered(0, HANDLED, now=0.3) == Then(Stop(), (Acknowledge("a"),))


def test_a_delivery_under_way_at_stop_is_acknowledged_and_its_fetcher_ends() -> None:
    state = started(1)
    state.fetched(0, "a", now=0.0)
    state.stop()
    assert state.delivered(0, HANDLED, now=1.0) == Then(Stop(), (Acknowledge("a"),))


def test_no_back_off_after_stop() -> None:
    state = started(1)
    state.fetched(0, "a", now=0.0)
    state.stop()
    assert state.delivered(0, UNREACHABLE, now=1.0) == Then(Stop())


# --- Properties ----------------------------------------------------------------------------


# --- Gate and hold ----------------------------------------------------------------------


def test_a_closed_gate_starts_no_fetch_and_opening_it_wakes_every_fetcher() -> None:
    state = started(2)
    assert state.set_gated(True) == ()
    # Fetcher 1 still fetches: fetcher 0's null is no idle listener, and it parks.
    assert state.empty(0, now=1.0).step == Wait(math.inf, wakeable=True)
    assert state.next(0, now=1.0 + IDLE) == Wait(math.inf, wakeable=True)
    assert state.fetched(1, "e", now=2.0) == Then(Deliver("e"), (wake(0),))
    assert state.next(0, now=2.0) == Wait(math.inf, wakeable=True)
    assert state.delivered(1, HANDLED, now=2.0).step == Wait(math.inf, wakeable=True)
    assert state.set_gated(False) == (wake(0, 1),)
    assert [state.next(slot, now=3.0) for slot in (0, 1)] == [Fetch(), Fetch()]


HOLD = Decision(ack=False, pause=5.0, hold=True)


def test_a_held_event_is_delivered_again_after_the_pause() -> None:
    state = started(1)
    state.fetched(0, "e", now=0.0)
    assert state.delivered(0, HOLD, now=1.0) == Then(Wait(6.0))
    assert state.held(0) == "e"
    assert state.next(0, now=6.0) == Deliver("e")
    assert state.delivered(0, HANDLED, now=6.5).effects == (Acknowledge("e"),)
    assert state.held(0) is None


def test_a_held_event_waits_for_the_gate_too() -> None:
    state = started(1)
    state.fetched(0, "e", now=0.0)
    state.delivered(0, HOLD, now=0.0)
    state.set_gated(True)
    assert state.next(0, now=5.0) == Wait(math.inf, wakeable=True)
    assert state.set_gated(False) == (wake(0),)
    assert state.next(0, now=9.0) == Deliver("e")


def test_a_held_event_is_left_to_mo_after_the_redeliveries_allowed() -> None:
    state = started(1)  # redeliveries=2
    state.fetched(0, "e", now=0.0)
    assert state.delivered(0, HOLD, now=0.0).step == Wait(5.0)
    assert state.next(0, now=5.0) == Deliver("e")
    assert state.delivered(0, HOLD, now=5.0).step == Wait(10.0)
    assert state.next(0, now=10.0) == Deliver("e")
    assert state.delivered(0, HOLD, now=10.0) == Then(Wait(15.0))
    assert state.held(0) is None
    assert state.next(0, now=15.0) == Fetch()


def test_shutdown_leaves_held_events_to_mo() -> None:
    state = started(1)
    state.fetched(0, "e", now=0.0)
    state.delivered(0, HOLD, now=0.0)
    assert state.stop() == (Cancel(frozenset({0})),)
    assert state.held(0) is None
    assert state.next(0, now=9.0) == Stop()


def test_an_acknowledgement_waiting_for_mo_is_retried_until_sent_and_gates_fetches() -> (
    None
):
    state = started(1)
    state.ack_kept()
    for attempt in range(1, 10):
        retry = state.ack_failed(attempt, now=float(attempt), outage=True)
        assert retry is not None
        assert retry.until <= attempt + ACK_RETRY_CAP
    assert state.empty(0, now=10.0).step == Wait(10.0 + IDLE, wakeable=True)
    assert state.next(0, now=10.0 + IDLE) == Wait(math.inf, wakeable=True)
    assert state.ack_done(kept=True) == (wake(0),)
    assert state.next(0, now=13.0) == Fetch()


def test_a_fetch_failing_while_an_acknowledgement_waits_parks_until_it_is_sent() -> (
    None
):
    state = started(1)
    state.ack_kept()
    assert state.fetch_failed(0, now=1.0).step == Wait(math.inf, wakeable=True)
    assert state.ack_done(kept=True) == (wake(0),)
    assert state.next(0, now=2.0) == Fetch()


def test_at_shutdown_a_waiting_acknowledgement_is_tried_once_more() -> None:
    state = started(1)
    state.ack_kept()
    state.stop()
    assert state.ack_failed(7, now=1.0, outage=True) is None


class Listener(RuleBasedStateMachine):
    """Any sequence of what MO, the handler and time can do to one listener's fetchers."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.state = listener(1)
        self.steps: dict[int, Step[str]] = {}
        self.fetching: set[int] = set()
        self.events = 0
        self.shared = False

    @initialize(fetchers=st.integers(min_value=1, max_value=5), shared=st.booleans())
    def start(self, fetchers: int, shared: bool) -> None:
        self.state = listener(fetchers)
        self.shared = shared
        assert self.state.share_idle_poll(shared) == ()
        for slot in range(fetchers):
            self.take(slot, self.state.next(slot, self.now))

    def take(self, slot: int, step: Step[str]) -> None:
        if isinstance(step, Fetch):
            assert not self.state.stopping, "a fetch started after stop"
            assert self.now >= self.state.paused_until, "a fetch started while paused"
            assert not self.state.gated, "a fetch started while gated"
            self.fetching.add(slot)
        if isinstance(step, Deliver) and self.state.held(slot) is not None:
            assert not self.state.gated, "a redelivery started while gated"
            assert self.now >= self.state.paused_until, "a redelivery during the pause"
        self.steps[slot] = step

    def answer(self, slot: int, then: Then[str]) -> None:
        self.fetching.discard(slot)
        self.take(slot, then.step)
        self.wake(then.effects)

    def wake(self, effects: tuple[object, ...]) -> None:
        """Only the fetchers a :class:`Wake` or :class:`HandOver` names wake up, as in the
        fetcher: the state must name every fetcher it unparks. A hand-over's finder claims
        next (the fetcher wakes the deliverer once that claim is sent)."""
        for effect in effects:
            slots: Iterable[int] = ()
            if isinstance(effect, Wake):
                slots = effect.slots
            elif isinstance(effect, HandOver):
                assert self.steps[effect.finder] == Fetch(), "handed over by no claim"
                slots = (effect.deliverer,)
            for slot in slots:
                step = self.steps[slot]
                assert isinstance(step, Wait), "woke a busy fetcher"
                assert step.wakeable, "cut a back-off or pause short"
                self.take(slot, self.state.next(slot, self.now))

    def slots(self, kind: type) -> list[int]:
        return sorted(s for s, step in self.steps.items() if isinstance(step, kind))

    @precondition(lambda self: self.slots(Fetch))
    @rule(data=st.data(), found=st.booleans(), failed=st.booleans())
    def fetch_answered(self, data: st.DataObject, found: bool, failed: bool) -> None:
        slot = data.draw(st.sampled_from(self.slots(Fetch)))
        if failed:
            self.answer(slot, self.state.fetch_failed(slot, self.now))
        elif found:
            self.events += 1
            self.answer(slot, self.state.fetched(slot, f"e{self.events}", self.now))
        else:
            self.answer(slot, self.state.empty(slot, self.now))

    @precondition(lambda self: self.slots(Deliver))
    @rule(
        data=st.data(),
        ack=st.booleans(),
        pause=st.sampled_from([0.0, 0.5, 3.0, 60.0]),
        back_off=st.booleans(),
        hold=st.booleans(),
    )
    def delivered(
        self, data: st.DataObject, ack: bool, pause: float, back_off: bool, hold: bool
    ) -> None:
        slot = data.draw(st.sampled_from(self.slots(Deliver)))
        before = self.state.paused_until
        hold = hold and not back_off
        decision = Decision(
            ack=ack and not back_off and not hold,
            pause=pause,
            back_off=back_off,
            hold=hold,
        )
        then = self.state.delivered(slot, decision, self.now)
        if not hold:
            assert self.state.held(slot) is None, "an event held without a 503"
        assert self.state.paused_until >= before, "a pause was shortened"
        if pause:
            assert self.state.paused_until >= self.now + pause
        assert (Acknowledge(self.steps[slot].event) in then.effects) == decision.ack  # type: ignore[union-attr]
        self.answer(slot, then)

    @precondition(lambda self: self.slots(Fetch) or self.slots(Deliver))
    @rule(data=st.data())
    def crash(self, data: st.DataObject) -> None:
        slot = data.draw(st.sampled_from(self.slots(Fetch) + self.slots(Deliver)))
        self.answer(slot, self.state.crashed(slot, self.now))

    @rule(closed=st.booleans())
    def gate(self, closed: bool) -> None:
        self.wake(self.state.set_gated(closed))

    @rule(outage=st.booleans())
    def acknowledgement_waits_then_goes(self, outage: bool) -> None:
        """An acknowledgement kept for an MO outage gates the listener until it is sent."""
        if outage:
            self.state.ack_kept()
            assert self.state.gated
        self.wake(self.state.ack_done(outage))

    @rule(seconds=st.sampled_from([0.1, 0.5, 1.0, IDLE, 10.0, 100.0]))
    def time_passes(self, seconds: float) -> None:
        """Every wait that has ended asks what next: time passing is a transition."""
        before = self.state.paused_until
        self.now += seconds
        for slot in self.slots(Wait):
            if self.now >= self.steps[slot].until:  # type: ignore[union-attr]
                self.take(slot, self.state.next(slot, self.now))
        assert self.state.paused_until == before, "time shortened a pause"

    @precondition(lambda self: self.shared)
    @rule(subjects=st.one_of(st.none(), st.frozensets(st.sampled_from("ab"))))
    def listed(self, subjects: frozenset[str] | None) -> None:
        self.wake(self.state.listed(subjects, self.now))

    @rule()
    def stop(self) -> None:
        [cancel] = self.state.stop()
        assert isinstance(cancel, Cancel)
        assert cancel.slots == set(self.steps) - set(self.slots(Deliver))
        for slot in cancel.slots:
            self.fetching.discard(slot)
            self.steps[slot] = Stop()

    @invariant()
    def never_two_pollers(self) -> None:
        polling = [
            step
            for step in self.steps.values()
            if isinstance(step, Wait) and step.wakeable and step.until < math.inf
        ]
        assert len(polling) <= 1

    @invariant()
    def never_asleep_for_good(self) -> None:
        """Unless stopping, gated (opening the gate wakes them), or idle under a shared idle
        poll (which wakes it), some fetcher is busy or will look again at a finite time."""
        if self.state.stopping or self.state.gated or not self.steps:
            return
        if self.shared and self.state.idle:
            return
        assert any(
            not isinstance(step, Wait) or step.until < math.inf
            for step in self.steps.values()
        )

    @invariant()
    def at_most_two_claims_in_flight(self) -> None:
        assert len(self.slots(Fetch)) <= CLAIMS_AT_ONCE

    @invariant()
    def the_state_agrees(self) -> None:
        for slot, step in self.steps.items():
            assert self.state.step(slot) == step


TestListener = Listener.TestCase
TestListener.settings = settings(
    max_examples=300, stateful_step_count=40, deadline=None
)
