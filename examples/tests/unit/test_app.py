# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import os

import httpx
import pytest

from my_integration.app import create_app

SETTINGS = {
    "FASTRAMQPI__CLIENT_ID": "my-integration",
    "FASTRAMQPI__CLIENT_SECRET": "not-a-secret",
    "FASTRAMQPI__DATABASE__URL": "sqlite+aiosqlite://",
}


def test_unit_tests_start_from_an_empty_environment() -> None:
    assert not [name for name in os.environ if name.startswith("FASTRAMQPI__")]


@pytest.mark.envvar(SETTINGS)
async def test_the_app_names_itself() -> None:
    # No lifespan: nothing connects to MO or the database.
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/")
    assert response.json() == {"name": "os2mo-example-integration"}


@pytest.mark.envvar(SETTINGS)
@pytest.mark.envvar({"NAMESPACE": "elsewhere"})
def test_settings_come_from_the_environment() -> None:
    app = create_app()
    settings = app.state.context["user_context"]["settings"]
    assert settings.namespace == "elsewhere"
    assert settings.fastramqpi.client_id == "my-integration"
