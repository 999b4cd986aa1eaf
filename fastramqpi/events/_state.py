# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""One listener's fetch policy without I/O: which fetcher fetches, delivers, waits or stops.

The fetchers of a listener are slots ``0..N-1``. Each asks :meth:`ListenerState.
next` what to do, carries the step out (:class:`Fetch`, :class:`Deliver`, :class:`Wait`) and
reports what happened (:meth:`~ListenerState.fetched`, :meth:`~ListenerState.empty`, ...);
every report answers with the reporter's next step and any effects on the rest
(:class:`Wake`, :class:`Acknowledge`, :class:`Cancel`). Time is the caller's monotonic clock,
passed in, so every rule here is tested without an event loop. The policy:

- Idle rota: when MO has nothing, one fetcher polls every idle interval and the others park
  until an event is found. With a shared idle poll (:meth:`~ListenerState.share_idle_poll`)
  every fetcher parks instead, and the integration's one listing of pending events wakes the
  listener (:meth:`~ListenerState.listed`).
- Contention: at most two claims on MO in flight; the fetcher that found an event claims
  again at once and a parked one delivers the event; a null fetch while another fetcher is
  busy is no sign of an idle listener: it claims again or parks (see :mod:`._races`).
- Pause: a ``Retry-After`` holds back every fetch of the listener; a pause only ever grows.
- Failure streak (timed): one fetcher retries MO, backing off; the others wait for its answer.
- Shutdown: no fetch starts after :meth:`~ListenerState.stop`; deliveries under way finish.
- Gate: while a dependency of the handlers is unhealthy (:meth:`~ListenerState.set_gated`) or
  an acknowledgement waits for MO to answer again, no fetch starts (see :mod:`._gate`).
- Hold: an event answered 503 with ``Retry-After`` is delivered again after the pause, once
  the gate is open (see :mod:`._holds`).

A null fetch is judged in :meth:`~ListenerState._idle` alone, what holds back a fetch in
:meth:`~ListenerState.next` alone, and a fetched event is a fetcher's :class:`Deliver` step
until ``delivered`` moves it on: a policy change is a change here, tested here.
"""

import math
from collections.abc import Callable
from collections.abc import Iterable
from typing import Generic

from fastramqpi.events._decisions import Decision
from fastramqpi.events._gate import ListenerGate
from fastramqpi.events._holds import Holds
from fastramqpi.events._races import Races
from fastramqpi.events._recheck import Recheck
from fastramqpi.events._retry import Retries
from fastramqpi.events._steps import Acknowledge as Acknowledge
from fastramqpi.events._steps import Cancel as Cancel
from fastramqpi.events._steps import Deliver as Deliver
from fastramqpi.events._steps import E
from fastramqpi.events._steps import Effect as Effect
from fastramqpi.events._steps import Fetch as Fetch
from fastramqpi.events._steps import HandOver as HandOver
from fastramqpi.events._steps import Step as Step
from fastramqpi.events._steps import Stop as Stop
from fastramqpi.events._steps import Then as Then
from fastramqpi.events._steps import Wait as Wait
from fastramqpi.events._steps import Wake as Wake

_FETCH = Fetch()
_STOP = Stop()
_PARK = Wait(math.inf, wakeable=True)


def _wake(slots: frozenset[int]) -> tuple[Wake, ...]:
    return (Wake(slots),) if slots else ()


class ListenerState(Generic[E]):
    """The state of one listener's fetchers; ``E`` is the event type MO's client returns."""

    def __init__(
        self,
        fetchers: int,
        *,
        idle_interval: Callable[[], float],
        rng: Callable[[], float],
        redeliveries: int = 0,
    ) -> None:
        self._idle_interval = idle_interval
        self._steps: list[Step[E] | None] = [None] * fetchers
        """What each fetcher is doing; None: nothing yet, it asks ``next``."""
        self._retries = Retries(fetchers, rng)
        self._poller: int | None = None
        self._paused_until = -math.inf
        self.stopping = False
        self._holds: Holds[E] = Holds(fetchers, redeliveries)
        self._gate = ListenerGate()
        self._shared_poll = False
        self._races = Races(fetchers)
        self._all_idle = False
        """Every fetcher found nothing: only a poll (or a listing) starts fetching again."""
        self._recheck = Recheck(idle_interval)

    @property
    def fetchers(self) -> int:
        return len(self._steps)

    @property
    def paused_until(self) -> float:
        """No fetch starts before this time (``-inf``: never paused)."""
        return self._paused_until

    @property
    def poller(self) -> int | None:
        """The fetcher whose idle wait ends in a poll, if any; the others park."""
        return self._poller

    @property
    def gated(self) -> bool:
        """Whether fetches and redeliveries wait for a dependency (or MO) to be back."""
        return self._gate.closed

    def held(self, slot: int) -> E | None:
        """The event ``slot`` holds for redelivery, if any."""
        return self._holds.get(slot)

    @property
    def idle(self) -> bool:
        """Every fetcher found nothing and parks or polls; a listing may wake them."""
        return self._all_idle and not self.stopping

    def step(self, slot: int) -> Step[E] | None:
        """What ``slot`` was last told to do."""
        return self._steps[slot]

    def unreachable_for(self, now: float) -> float:
        """Seconds MO has failed this listener's calls without a fetch answered in between."""
        return self._retries.unreachable_for(now)

    # --- Transitions -------------------------------------------------------------------------

    def next(self, slot: int, now: float) -> Step[E]:
        """What ``slot`` does now: at start, and whenever a :class:`Wait` has ended."""
        step = self._steps[slot]
        if isinstance(step, Deliver):
            return step
        if self.stopping:
            return self._set(slot, _STOP)
        if isinstance(step, Wait) and now < step.until:
            return step
        if self._poller == slot:
            self._poller = None
        if now < self._paused_until:
            return self._set(slot, Wait(self._paused_until))
        if self.gated:
            return self._set(slot, _PARK)
        if (held := self._holds.get(slot)) is not None:
            return self._set(slot, Deliver(held))
        if not self._races.may_claim(slot, self._steps.count(_FETCH)):
            return self._set(slot, _PARK)
        return self._set(slot, _FETCH)

    def fetched(self, slot: int, event: E, now: float) -> Then[E]:
        """MO handed ``slot`` an event: a parked fetcher delivers it, if any, and ``slot``
        claims again at once, as MO's claim is most of an event's time. Other parked fetchers
        (idle, or waiting for MO) wake to claim beside it, as many as may: there may be more."""
        self._retries.answered(slot)
        self._races.won(slot)
        claiming = self._steps.count(_FETCH) - 1
        parked = self._parked(range(self.fetchers))
        step: Step[E] = Deliver(event)
        deliverer = slot
        if parked and self._may_fetch(now) and self._races.may_claim(slot, claiming):
            step, deliverer = self._set(slot, _FETCH), parked[0]
        self._steps[deliverer] = Deliver(event)
        woken = self._wake_all(most=self._races.free(self._steps.count(_FETCH)))
        hand_over = (HandOver(slot, deliverer),) if deliverer != slot else ()
        return Then(step, (*_wake(woken), *hand_over))

    def empty(self, slot: int, now: float) -> Then[E]:
        """MO had no event for ``slot``."""
        self._retries.answered(slot)
        step = self._idle(slot, now)
        return Then(step, () if isinstance(step, Fetch) else self._claim_ended())

    def fetch_failed(self, slot: int, now: float) -> Then[E]:
        """The fetch of ``slot`` failed: the first to fail retries MO, backing off, the others
        wait for its answer (all wait, at the gate, while an acknowledgement waits for MO)."""
        self._retries.mo_failed(now)
        effects = self._claim_ended()
        waits = self._gate.unsent_acks or not self._retries.probes(slot)
        if waits and not self.stopping:
            return Then(self._set(slot, _PARK), effects)
        return Then(self._back_off(slot, now), effects)

    def delivered(self, slot: int, decision: Decision, now: float) -> Then[E]:
        """The delivery of ``slot`` ended with ``decision`` (see :func:`decisions.decide`)."""
        step = self._steps[slot]
        assert isinstance(step, Deliver), f"fetcher {slot} delivers nothing"
        if decision.pause > 0:
            self._paused_until = max(self._paused_until, now + decision.pause)
        if self._hold(slot, step.event, decision):
            return Then(self.next(slot, now))
        effects: tuple[Effect[E], ...] = (
            (Acknowledge(step.event),) if decision.ack else ()
        )
        if decision.back_off:
            return Then(self._back_off(slot, now), effects)
        self._steps[slot] = None
        return Then(self.next(slot, now), effects)

    def ack_failed(self, attempt: int, now: float, outage: bool = False) -> Wait | None:
        """When to retry the ``attempt``-th failed acknowledgement; None leaves it to MO."""
        until = self._retries.ack_retry_at(attempt, now, outage, self.stopping)
        return None if until is None else Wait(until)

    def ack_kept(self) -> None:
        """An acknowledgement waits for MO to answer again: no fetch starts meanwhile."""
        self._gate.ack_kept()

    def ack_done(self, kept: bool) -> tuple[Effect[E], ...]:
        """An acknowledgement ended, sent or given up; ``kept`` if :meth:`ack_kept` was
        called for it. The fetchers at the gate wake if it opened."""
        return _wake(self._wake_all()) if kept and self._gate.ack_ended() else ()

    def set_gated(self, gated: bool) -> tuple[Effect[E], ...]:
        """A gating dependency turned unhealthy (``True``) or healthy again."""
        return _wake(self._wake_all()) if self._gate.set_unhealthy(gated) else ()

    def listed(
        self, subjects: frozenset[str] | None, now: float
    ) -> tuple[Effect[E], ...]:
        """The integration's idle poll lists ``subjects`` pending for this listener (None: the
        listing was cut at a page and may not show them all); see :class:`Recheck`. It wakes
        one fetcher, as a poll does: the rest follow if that one finds an event."""
        if not self.idle or not self._recheck.wakes(subjects, now):
            return ()
        return _wake(self._wake_all(most=1))

    def share_idle_poll(self, shared: bool) -> tuple[Effect[E], ...]:
        """Whether the integration's listing of pending events replaces this listener's own
        idle polls; going back to its own polls wakes an idle listener to start them."""
        self._shared_poll = shared
        if shared or not self.idle:
            return ()
        return _wake(self._wake_all())

    def crashed(self, slot: int, now: float) -> Then[E]:
        """``slot`` failed unexpectedly: it drops what it held and restarts after a back-off."""
        self._retries.crashed(slot)
        self._holds.drop(slot)
        if self._poller == slot:
            self._poller = None
        if self.stopping:
            return Then(self._set(slot, _STOP))
        step = self._set(slot, Wait(now + self._retries.crash_delay(slot)))
        return Then(step, self._claim_ended())

    def stop(self) -> tuple[Effect[E], ...]:
        """Shutdown: no fetch starts from now on; every fetcher not delivering is cancelled,
        those delivering finish (and their events are acknowledged)."""
        self.stopping = True
        self._poller = None
        self._holds.release_all()
        idle = frozenset(
            slot
            for slot, step in enumerate(self._steps)
            if not isinstance(step, Deliver)
        )
        for slot in idle:
            self._steps[slot] = _STOP
        return (Cancel(idle),)

    # --- The policy's parts ------------------------------------------------------------------

    def _hold(self, slot: int, event: E, decision: Decision) -> bool:
        """Whether ``slot`` keeps ``event`` to deliver it again; counts its redeliveries."""
        if self._holds.keep(slot, event, decision.hold and not self.stopping):
            self._steps[slot] = None
            return True
        return False

    def _idle(self, slot: int, now: float) -> Step[E]:
        """A null fetch. While another fetcher fetches, delivers or was woken to ask what
        next, it claims again or parks (see :class:`Races`). Otherwise the listener is idle:
        one fetcher polls again after the idle interval and the rest park, or all park."""
        if self.stopping:
            return self._set(slot, _STOP)
        others = [step for other, step in enumerate(self._steps) if other != slot]
        if any(step is None or isinstance(step, Fetch | Deliver) for step in others):
            if self._races.claims_again(slot, rival_claiming=_FETCH in others):
                self._steps[slot] = None
                return self.next(slot, now)
            return self._set(slot, _PARK)
        self._all_idle = True
        self._recheck.found_nothing(now)
        if self._shared_poll:
            return self._set(slot, _PARK)
        if self._poller is None:
            self._poller = slot
            return self._set(slot, Wait(now + self._idle_interval(), wakeable=True))
        return self._set(slot, _PARK)

    def _may_fetch(self, now: float) -> bool:
        return not self.stopping and now >= self._paused_until and not self.gated

    def _wake_all(self, most: int | None = None) -> frozenset[int]:
        """Wake the parked fetchers (the first ``most`` of them)."""
        self._all_idle = False
        self._poller = None
        return self._unpark(range(self.fetchers), most)

    def _claim_ended(self) -> tuple[Effect[E], ...]:
        """A claim ended without an event: the fetchers queued for one ask again."""
        return _wake(self._unpark(self._races.queued()))

    def _parked(self, of: Iterable[int]) -> list[int]:
        return [n for n in of if isinstance(s := self._steps[n], Wait) and s.wakeable]

    def _unpark(self, slots: Iterable[int], most: int | None = None) -> frozenset[int]:
        parked = self._parked(slots)[:most]
        for n in parked:
            self._steps[n] = None
        return frozenset(parked)

    def _back_off(self, slot: int, now: float) -> Step[E]:
        if self.stopping:
            return self._set(slot, _STOP)
        return self._set(slot, Wait(now + self._retries.fetch_delay(slot)))

    def _set(self, slot: int, step: Step[E]) -> Step[E]:
        self._steps[slot] = step
        return step
