# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Why a listener starts no fetch for now, without I/O.

Either a dependency of its handlers is unhealthy, and the event would only fail, or an
acknowledgement waits for MO to answer again, and MO would only keep what it hands out
meanwhile in its retry wait of minutes.
"""


class ListenerGate:
    def __init__(self) -> None:
        self._unhealthy = False
        self.unsent_acks = 0
        """Acknowledgements kept for MO to answer again."""

    @property
    def closed(self) -> bool:
        return self._unhealthy or self.unsent_acks > 0

    def set_unhealthy(self, unhealthy: bool) -> bool:
        """A gating dependency turned unhealthy or healthy again; whether the gate opened."""
        was, self._unhealthy = self.closed, unhealthy
        return was and not self.closed

    def ack_kept(self) -> None:
        self.unsent_acks += 1

    def ack_ended(self) -> bool:
        """A kept acknowledgement was sent or given up; whether the gate opened."""
        was = self.closed
        self.unsent_acks -= 1
        return was and not self.closed
