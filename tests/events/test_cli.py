# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""``python -m fastramqpi.events`` against the MO emulator, as an operator runs it."""

import asyncio
import io
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import uuid4

import pytest

from fastramqpi.config import Settings
from fastramqpi.emulator import Emulator
from fastramqpi.emulator import serve_emulator
from fastramqpi.events._cli import main
from fastramqpi.mo import TokenRefused
from fastramqpi.mo import build_mo_client
from tests.emulator.client import DECLARE_LISTENER
from tests.emulator.client import FETCH
from tests.emulator.client import MO

CLIENT = "my-integration"
PROG = "python -m fastramqpi.events"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def error(self) -> str:
        """The command's one error line."""
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        return lines[0]


class CLI:
    """Runs the command in this process with the integration's environment."""

    def __init__(
        self,
        emu: Emulator,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        self.env(
            FASTRAMQPI__MO_URL=emu.url,
            FASTRAMQPI__AUTH_TOKEN_URL=emu.token_url,
            FASTRAMQPI__CLIENT_ID=CLIENT,
            FASTRAMQPI__CLIENT_SECRET="secret",
        )

    def env(self, **values: str | None) -> None:
        for name, value in values.items():
            if value is None:
                self._monkeypatch.delenv(name, raising=False)
            else:
                self._monkeypatch.setenv(name, value)

    def __call__(self, *argv: str, answer: str = "") -> Result:
        self._capsys.readouterr()
        self._monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
        code = main(list(argv))
        captured = self._capsys.readouterr()
        return Result(code, captured.out, captured.err)


@pytest.fixture
def cli(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> CLI:
    return CLI(emu, monkeypatch, capsys)


@pytest.fixture
def ours(emu: Emulator) -> Iterator[MO]:
    """The integration's own client, as it declares its listeners at start-up."""
    with MO(emu, CLIENT, version=25) as mo:
        yield mo


def declare(mo: MO, user_key: str, routing_key: str, namespace: str = "mo") -> str:
    answer = mo.execute(
        DECLARE_LISTENER,
        namespace=namespace,
        user_key=user_key,
        routing_key=routing_key,
    )
    uuid: str = answer["data"]["event_listener_declare"]["uuid"]
    return uuid


def events(emu: Emulator, listener: str) -> dict[str, bool]:
    """Subject -> silenced, of the events MO holds for ``listener``."""
    return {e.subject: e.silenced for e in emu.pending() if str(e.listener) == listener}


def table(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines()]


@pytest.fixture
def queue(emu: Emulator, ours: MO) -> dict[str, str]:
    """Two listeners of ours with events (one silenced), and another client's listener."""
    persons = declare(ours, "person-sync", "person")
    units = declare(ours, "unit-sync", "org_unit")
    with MO(emu, "someone-else") as theirs:
        declare(theirs, "their-listener", "person")
    for subject in ("p1", "p2", "p3"):
        emu.emit("person", subject)
    emu.emit("org_unit", "u1", priority=100)
    silence = 'mutation($l: UUID!) { event_silence(input: {listeners: {uuids: [$l]}, subjects: ["p2"]}) }'
    assert ours.execute(silence, l=persons)["data"]["event_silence"] is True
    return {"person-sync": persons, "unit-sync": units}


def test_status_lists_our_listeners_with_pending_and_silenced_counts(
    cli: CLI, queue: dict[str, str]
) -> None:
    result = cli("status")

    assert result.code == 0
    assert table(result.out) == [
        ["NAMESPACE", "USER_KEY", "ROUTING_KEY", "UUID", "PENDING", "SILENCED"],
        ["mo", "person-sync", "person", queue["person-sync"], "3", "1"],
        ["mo", "unit-sync", "org_unit", queue["unit-sync"], "1", "0"],
    ]


def test_status_json_is_for_scripts(cli: CLI, queue: dict[str, str]) -> None:
    result = cli("status", "--json")

    assert result.code == 0
    assert json.loads(result.out) == [
        {
            "namespace": "mo",
            "user_key": "person-sync",
            "routing_key": "person",
            "uuid": queue["person-sync"],
            "pending": 3,
            "silenced": 1,
        },
        {
            "namespace": "mo",
            "user_key": "unit-sync",
            "routing_key": "org_unit",
            "uuid": queue["unit-sync"],
            "pending": 1,
            "silenced": 0,
        },
    ]


def test_status_of_a_client_without_listeners(cli: CLI) -> None:
    assert cli("status").out == "This client owns no listeners in MO.\n"
    assert json.loads(cli("status", "--json").out) == []


def test_pending_lists_every_event_of_our_listeners(
    cli: CLI, queue: dict[str, str]
) -> None:
    result = cli("pending")

    assert result.code == 0
    rows = table(result.out)
    assert rows[0] == ["NAMESPACE", "LISTENER", "SUBJECT", "PRIORITY", "SILENCED"]
    assert sorted(rows[1:]) == [
        ["mo", "person-sync", "p1", "10000", "no"],
        ["mo", "person-sync", "p2", "10000", "yes"],
        ["mo", "person-sync", "p3", "10000", "no"],
        ["mo", "unit-sync", "u1", "100", "no"],
    ]


def test_pending_of_one_listener_limited(cli: CLI, queue: dict[str, str]) -> None:
    result = cli("pending", "--listener", "person-sync", "--limit", "2", "--json")

    assert result.code == 0
    rows = json.loads(result.out)
    assert len(rows) == 2
    assert {row["listener"] for row in rows} == {"person-sync"}
    assert {row["subject"] for row in rows} < {"p1", "p2", "p3"}
    assert set(rows[0]) == {"namespace", "listener", "subject", "priority", "silenced"}
    assert "--limit" in result.err


def test_silence_asks_first_and_reports_the_number_silenced(
    emu: Emulator, cli: CLI, queue: dict[str, str]
) -> None:
    result = cli("silence", "--subject", "p1", "--subject", "p2", answer="y\n")

    assert result.code == 0
    assert "Silence 1 event of listener person-sync? [y/N]" in result.out
    assert result.out.endswith("Silenced 1 event of listener person-sync.\n")
    assert events(emu, queue["person-sync"]) == {"p1": True, "p2": True, "p3": False}


def test_nothing_changes_unless_confirmed(
    emu: Emulator, cli: CLI, queue: dict[str, str]
) -> None:
    before = events(emu, queue["person-sync"])

    declined = cli("silence", "--listener", "person-sync", answer="n\n")
    no_terminal = cli("rerun", "--listener", "person-sync")

    assert declined.code == no_terminal.code == 1
    assert "Nothing changed." in declined.err
    assert events(emu, queue["person-sync"]) == before


def test_silence_a_whole_listener_leaves_other_listeners_alone(
    emu: Emulator, cli: CLI, queue: dict[str, str]
) -> None:
    result = cli("silence", "--listener", "person-sync", "--yes")

    assert result.code == 0
    assert result.out == "Silenced 2 events of listener person-sync.\n"
    assert events(emu, queue["person-sync"]) == {"p1": True, "p2": True, "p3": True}
    assert events(emu, queue["unit-sync"]) == {"u1": False}
    others = [e for e in emu.pending() if str(e.listener) not in queue.values()]
    assert others
    assert not any(e.silenced for e in others)


def test_unsilence_counts_only_the_silenced(
    emu: Emulator, cli: CLI, queue: dict[str, str]
) -> None:
    result = cli("unsilence", "--listener", "person-sync", "--yes")

    assert result.code == 0
    assert result.out == "Unsilenced 1 event of listener person-sync.\n"
    assert not any(events(emu, queue["person-sync"]).values())


def test_rerun_makes_a_fetched_event_due_at_once(
    emu: Emulator, cli: CLI, ours: MO, queue: dict[str, str]
) -> None:
    fetched = ours.execute(FETCH, listener=queue["unit-sync"])["data"]["event_fetch"]
    assert fetched["subject"] == "u1"
    assert (
        ours.execute(FETCH, listener=queue["unit-sync"])["data"]["event_fetch"] is None
    )

    result = cli("rerun", "--listener", "unit-sync", "--subject", "u1", "--yes")

    assert result.code == 0
    assert result.out == "Reran 1 event of listener unit-sync.\n"
    again = ours.execute(FETCH, listener=queue["unit-sync"])["data"]["event_fetch"]
    assert again["subject"] == "u1"


def test_nothing_to_do(cli: CLI, queue: dict[str, str]) -> None:
    result = cli("unsilence", "--listener", "unit-sync")

    assert result.code == 0
    assert result.out == "No events to unsilence.\n"


def test_a_change_needs_subjects_or_a_listener(
    cli: CLI, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["rerun", "--yes"])
    assert exit.value.code == 2
    assert "give --subject or --listener" in capsys.readouterr().err


def test_an_unknown_listener_names_ours(cli: CLI, queue: dict[str, str]) -> None:
    result = cli("pending", "--listener", "persons")

    assert result.code == 1
    assert result.error == (
        f"{PROG}: error: Client '{CLIENT}' has no listener with user_key 'persons' in MO"
        " (its listeners: person-sync, unit-sync)"
    )


def test_mo_unreachable_names_the_url(cli: CLI) -> None:
    # A bound socket that never listens: connections are refused, and no one else gets the port.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        cli.env(FASTRAMQPI__MO_URL=url)
        result = cli("status")

    assert result.code == 1
    assert result.error.startswith(f"{PROG}: error: Cannot reach {url}/graphql/v25: ")


def test_a_refused_token_gets_the_apps_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_emulator(Emulator(clients={CLIENT: "the-right-one"})) as emu:
        cli = CLI(emu, monkeypatch, capsys)
        result = cli("status")
        settings = Settings(
            client_id=CLIENT,
            client_secret="secret",
            mo_url=emu.url,
            auth_token_url=emu.token_url,
        )
        with pytest.raises(TokenRefused) as app:
            asyncio.run(_log_in(settings))

    assert result.code == 1
    assert result.error == f"{PROG}: error: {app.value}"


async def _log_in(settings: Settings) -> None:
    async with build_mo_client(settings) as client:
        await client.access_token()


def test_mos_graphql_error_is_shown(cli: CLI, emu: Emulator) -> None:
    emu.faults.refuse_next(1, "Missing permission: read_event_listener")

    result = cli("status")

    assert result.code == 1
    assert result.error == (
        f"{PROG}: error: MO refused: Missing permission: read_event_listener"
    )


def test_settings_are_read_with_the_integrations_prefix(cli: CLI) -> None:
    cli.env(FASTRAMQPI__CLIENT_ID=None, CLIENT_ID=CLIENT)

    result = cli("status")

    assert result.code == 1
    assert (
        result.error
        == f"{PROG}: error: bad settings: FASTRAMQPI__CLIENT_ID must be set"
    )


def test_help_shows_an_example_of_every_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in ("status", "pending", "silence", "unsilence", "rerun"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert f"\n  {PROG} {command}" in capsys.readouterr().out


def test_runs_as_a_module_and_keeps_the_package_import_light() -> None:
    """``-m`` works without noise on stderr, and ``import fastramqpi.events`` (every
    integration) does not load the command."""
    shown = subprocess.run(
        [sys.executable, "-m", "fastramqpi.events", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{PROG} status --json" in shown.stdout
    assert shown.stderr == ""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, fastramqpi.events; print(sorted(m for m in sys.modules if m in ('fastramqpi.events._cli', 'fastramqpi.events._queue')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"


def test_subjects_are_any_string(emu: Emulator, cli: CLI, ours: MO) -> None:
    listener = declare(ours, "json-sync", "person")
    subject = json.dumps({"uuid": str(uuid4()), "note": "a space, a comma"})
    emu.emit("person", subject)

    result = cli("silence", "--subject", subject, "--yes")

    assert result.code == 0
    assert events(emu, listener) == {subject: True}
