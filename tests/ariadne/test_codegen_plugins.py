# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Our plugins and DateTime parser inside a client ariadne-codegen 0.19 really generated."""

import inspect
import subprocess
import sys
from collections.abc import AsyncIterator
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import serve_emulator
from fastramqpi.mo import AuthenticatedMOClient
from tests.ariadne.codegen import PLUGINS
from tests.ariadne.codegen import REPOSITORY
from tests.ariadne.codegen import generate


@pytest.fixture(scope="module")
def codegen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("codegen")


@pytest.fixture(scope="module")
def with_plugins(codegen_dir: Path) -> ModuleType:
    return generate(codegen_dir / "with", "client_with_our_plugins", PLUGINS)


@pytest.fixture(scope="module")
def without_plugins(codegen_dir: Path) -> ModuleType:
    return generate(codegen_dir / "without", "client_without_plugins", [])


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with serve_emulator(Emulator()) as emu:
        yield emu


@pytest.fixture
async def client(with_plugins: ModuleType, emulator: Emulator) -> AsyncIterator[Any]:
    mo_client = AuthenticatedMOClient(
        base_url=emulator.url,
        client_id="codegen-test",
        client_secret="secret",
        token_url=emulator.token_url,
        timeout=10,
    )
    async with (
        mo_client,
        with_plugins.GraphQLClient(
            url=f"{emulator.url}/graphql/v30", http_client=mo_client
        ) as graphql_client,
    ):
        yield graphql_client


async def test_round_trip_through_the_authenticated_mo_client(
    with_plugins: ModuleType, client: Any
) -> None:
    declared = await client.declare_namespace(
        with_plugins.NamespaceCreateInput(name="roundtrip")
    )

    listed = await client.namespaces(
        filter_=with_plugins.NamespaceFilter(names=["roundtrip"])
    )

    assert (
        declared.event_namespace_declare.name,
        declared.event_namespace_declare.public,
    ) == (
        "roundtrip",
        False,
    )
    assert [n.name for n in listed.event_namespaces.objects] == ["roundtrip"]


async def test_an_explicit_unset_is_accepted_and_left_out_of_the_request(
    with_plugins: ModuleType, client: Any
) -> None:
    UNSET = with_plugins.base_model.UNSET
    await client.declare_namespace(
        with_plugins.NamespaceCreateInput(name="unset-a", public=True)
    )
    await client.declare_namespace(
        with_plugins.NamespaceCreateInput(name="unset-b", public=UNSET)
    )

    # Sent as something, UNSET would not even serialise; MO applies its defaults instead.
    listed = await client.namespaces(
        filter_=with_plugins.NamespaceFilter(
            names=["unset-a", "unset-b"], owners=UNSET, public=UNSET
        )
    )

    assert {(n.name, n.public) for n in listed.event_namespaces.objects} == {
        ("unset-a", True),
        ("unset-b", False),
    }


async def test_unset_assigned_later_is_left_out_too(
    with_plugins: ModuleType, client: Any
) -> None:
    UNSET = with_plugins.base_model.UNSET
    await client.declare_namespace(
        with_plugins.NamespaceCreateInput(name="assigned", public=True)
    )
    namespace_filter = with_plugins.NamespaceFilter(names=["assigned"], public=False)

    namespace_filter.public = UNSET
    listed = await client.namespaces(filter_=namespace_filter)

    assert [n.name for n in listed.event_namespaces.objects] == ["assigned"]


def test_optional_input_fields_default_to_unset_and_none_is_kept(
    with_plugins: ModuleType,
) -> None:
    UNSET = with_plugins.base_model.UNSET

    namespace_filter = with_plugins.NamespaceFilter(public=None)

    assert namespace_filter.names is UNSET
    assert namespace_filter.model_dump(exclude_unset=True) == {"public": None}


def test_aliased_optional_fields_take_unset_too(with_plugins: ModuleType) -> None:
    UNSET = with_plugins.base_model.UNSET

    window = with_plugins.Window(from_=UNSET, user_key="k")

    assert (window.from_, window.user_key) == (UNSET, "k")
    assert window.model_dump(by_alias=True, exclude_unset=True) == {"userKey": "k"}


def test_without_the_plugin_an_explicit_unset_is_rejected(
    without_plugins: ModuleType,
) -> None:
    """Why integrations written for older clients need UnsetInputTypesPlugin on 0.19."""
    with pytest.raises(ValidationError):
        without_plugins.NamespaceFilter(names=without_plugins.base_model.UNSET)


def test_required_input_fields_stay_required(with_plugins: ModuleType) -> None:
    with pytest.raises(ValidationError):
        with_plugins.NamespaceCreateInput()


def test_a_typo_in_a_field_raises_with_forbid_extra(with_plugins: ModuleType) -> None:
    with pytest.raises(ValidationError, match="pubic"):
        with_plugins.NamespaceCreateInput(name="typo", pubic=True)
    with pytest.raises(ValidationError, match="nmae"):
        with_plugins.Namespaces.model_validate(
            {
                "event_namespaces": {
                    "objects": [{"name": "a", "public": True, "nmae": "a"}]
                }
            }
        )


def test_without_forbid_extra_a_typo_is_silently_dropped(
    without_plugins: ModuleType,
) -> None:
    created = without_plugins.NamespaceCreateInput(name="typo", pubic=True)

    assert created.model_dump() == {"name": "typo", "public": False}


def test_generated_datetime_fields_use_our_parser(with_plugins: ModuleType) -> None:
    stamp = with_plugins.Stamp.model_validate(
        {"stamp": {"at": "2024-06-01T12:00:00+02:00"}}
    )

    assert stamp.stamp.at.tzinfo == ZoneInfo("Europe/Copenhagen")


def test_a_generated_client_class_type_checks_as_graphql_client_cls(
    with_plugins: ModuleType, codegen_dir: Path
) -> None:
    """Integrations pass their generated class without ``type: ignore`` and get it back
    typed from the context; a wrong class fails, and so does misusing the client."""
    integration = codegen_dir / "with" / "integration.py"
    integration.write_text(
        "from fastramqpi.config import Settings\n"
        "from fastramqpi.context import Context\n"
        "from fastramqpi.main import FastRAMQPI\n"
        "from client_with_our_plugins import GraphQLClient\n"
        "\n"
        "\n"
        "async def ready(context: Context) -> bool:\n"
        "    return bool(context['user_context'])\n"
        "\n"
        "\n"
        "def build(settings: Settings) -> FastRAMQPI[GraphQLClient]:\n"
        "    return FastRAMQPI('x', settings, 30, graphql_client_cls=GraphQLClient)\n"
        "\n"
        "\n"
        "class NotAClient:\n"
        "    def __init__(self, url: str) -> None: ...\n"
        "\n"
        "\n"
        "def wrong(settings: Settings) -> FastRAMQPI:\n"
        "    return FastRAMQPI('x', settings, 30, graphql_client_cls=NotAClient)\n"
        "\n"
        "\n"
        # Last: mypy 2.4 accepts a wrong class after a call that inferred the client type.
        "def misused(settings: Settings) -> int:\n"
        "    fastramqpi = FastRAMQPI('x', settings, 30, graphql_client_cls=GraphQLClient)\n"
        "    fastramqpi.add_healthcheck('Ready', ready)\n"
        "    return fastramqpi.get_context()['graphql_client']\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(codegen_dir / "mypy-cache"),
            str(integration),
        ],
        cwd=integration.parent,
        env={"MYPYPATH": str(REPOSITORY), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        check=False,
    )

    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, result.stdout
    assert "integration.py:20:" in errors[0]
    assert 'incompatible type "type[NotAClient]"' in errors[0]
    assert "integration.py:26:" in errors[1]
    assert '(got "GraphQLClient", expected "int")' in errors[1]


def test_the_plugins_resolve_by_the_dotted_paths_users_configure() -> None:
    from ariadne_codegen.plugins.base import Plugin
    from ariadne_codegen.plugins.explorer import get_plugins_types

    import fastramqpi.ariadne

    resolved = get_plugins_types(PLUGINS)

    assert [p.__name__ for p in resolved] == [
        "UnsetInputTypesPlugin",
        "ForbidExtraBaseModelPlugin",
    ]
    assert all(issubclass(p, Plugin) for p in resolved)
    assert resolved[0] is fastramqpi.ariadne.UnsetInputTypesPlugin
    with pytest.raises(AttributeError, match="NoSuchPlugin"):
        fastramqpi.ariadne.NoSuchPlugin  # noqa: B018


def test_method_and_argument_names_as_the_migration_guide_gives_them(
    without_plugins: ModuleType,
) -> None:
    """`_Testing_ITNamespaces` is ``testing_it_namespaces``; ``$filter`` is ``filter_``."""
    method = without_plugins.GraphQLClient.testing_it_namespaces
    assert "filter_" in inspect.signature(method).parameters
    assert "filter" not in inspect.signature(method).parameters
