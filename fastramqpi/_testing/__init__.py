# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The pytest plugin's internals, imported only by the fixtures that need them.

``fastramqpi.pytest_plugin`` is loaded in every project that installs FastRAMQPI, so it
imports nothing heavy itself; each fixture imports its helpers (and httpx, uvicorn, respx,
SQLAlchemy) when it runs.
"""
