# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What a listener's state tells its fetchers: the steps a fetcher carries out (:class:`Fetch`,
:class:`Deliver`, :class:`Wait`, :class:`Stop`) and the effects on the other fetchers
(:class:`Wake`, :class:`HandOver`, :class:`Acknowledge`, :class:`Cancel`), answered together as
:class:`Then`."""

from dataclasses import dataclass
from typing import Generic
from typing import TypeVar

E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class Fetch:
    """Claim one event of the listener from MO, then report ``fetched``, ``empty`` or
    ``fetch_failed``."""


@dataclass(frozen=True, slots=True)
class Deliver(Generic[E]):
    """Hand ``event`` to its handler, then report ``delivered``."""

    event: E


@dataclass(frozen=True, slots=True)
class Wait:
    """Do nothing until ``until`` (or, if ``wakeable``, until a :class:`Wake`), then ask
    ``next`` again: time passing is a transition too."""

    until: float
    wakeable: bool = False


@dataclass(frozen=True, slots=True)
class Stop:
    """The fetcher ends."""


Step = Fetch | Deliver[E] | Wait | Stop


@dataclass(frozen=True, slots=True)
class Wake:
    """End the wakeable waits of these fetchers now (an event was found, there may be more):
    only they, as waking a fetcher that would wait again costs CPU for every event."""

    slots: frozenset[int]


@dataclass(frozen=True, slots=True)
class HandOver:
    """Wake ``deliverer`` to deliver the event ``finder`` found, once ``finder``'s next claim
    (its next step) is on its way to MO: the claim is what the next event waits for, and a
    delivery run first would hold it back."""

    finder: int
    deliverer: int


@dataclass(frozen=True, slots=True)
class Acknowledge(Generic[E]):
    """Acknowledge ``event`` in MO (through the listener's one acknowledgement queue)."""

    event: E


@dataclass(frozen=True, slots=True)
class Cancel:
    """Cancel what these fetchers are doing: shutdown does not wait for a fetch or a wait."""

    slots: frozenset[int]


Effect = Wake | HandOver | Acknowledge[E] | Cancel


@dataclass(frozen=True, slots=True)
class Then(Generic[E]):
    """The answer to a report: the reporter's next step, and effects on the rest."""

    step: Step[E]
    effects: tuple[Effect[E], ...] = ()
