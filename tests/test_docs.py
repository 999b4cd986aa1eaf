# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The settings reference in the docs is generated from the settings models, completely."""

import importlib.util
from pathlib import Path
from types import ModuleType

from fastramqpi.config import DatabaseSettings
from fastramqpi.config import Settings

DOCS = Path(__file__).parents[1] / "docs"


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "settings_reference", DOCS / "_hooks" / "settings_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_setting_has_a_row_with_its_variable() -> None:
    table = _hook().render()
    variables = [
        f"`FASTRAMQPI__{name.upper()}`"
        for name in Settings.model_fields
        if name != "database"
    ]
    variables += [
        f"`FASTRAMQPI__DATABASE__{name.upper()}`"
        for name in DatabaseSettings.model_fields
    ]
    rows = [line for line in table.splitlines() if line.startswith("| `FASTRAMQPI__")]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == variables


def test_required_settings_and_secrets_say_so() -> None:
    table = _hook().render()
    [client_secret] = [
        r for r in table.splitlines() if "`FASTRAMQPI__CLIENT_SECRET`" in r
    ]
    assert "secret" in client_secret
    assert "**required**" in client_secret
    [mo_url] = [r for r in table.splitlines() if "`FASTRAMQPI__MO_URL`" in r]
    assert "`http://mo-service:5000`" in mo_url


def test_no_description_is_kept_for_a_setting_that_is_gone() -> None:
    names = set(Settings.model_fields) | {
        f"database.{n}" for n in DatabaseSettings.model_fields
    }
    assert set(_hook().PROSE) <= names


def test_the_settings_page_asks_for_the_table() -> None:
    page = (DOCS / "settings.md").read_text()
    rendered = _hook().on_page_markdown(page)
    assert "`FASTRAMQPI__CLIENT_ID`" in rendered
    assert "fastramqpi:settings" not in rendered


def test_the_table_in_the_settings_pages_source_is_current() -> None:
    """Readers of the repository see the table too; regenerate it with
    ``python docs/_hooks/settings_reference.py``."""
    page = (DOCS / "settings.md").read_text()
    assert _hook().render() in page
    assert _hook().refreshed(page) == page


def test_a_stale_table_is_rewritten_between_its_markers() -> None:
    hook = _hook()
    stale = f"Intro\n{hook.PLACEHOLDER}\n| `FASTRAMQPI__GONE` |\n{hook.END}\nOutro\n"
    assert hook.refreshed(stale) == (
        f"Intro\n{hook.PLACEHOLDER}\n{hook.render()}\n{hook.END}\nOutro\n"
    )
    assert hook.on_page_markdown(stale) == f"Intro\n{hook.render()}\nOutro\n"


def test_constants_quoted_in_the_docs_are_the_codes() -> None:
    import fastramqpi.events

    page = "every <!-- fastramqpi:value fastramqpi.events.NO_EVENT_SLEEP_DURATION --> s"
    expected = f"every {fastramqpi.events.NO_EVENT_SLEEP_DURATION:g} s"
    assert _hook().on_page_markdown(page) == expected
