# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The pytest plugin's internals; ``fastramqpi.pytest_plugin`` gathers their fixtures.

The plugin is loaded in every pytest run of every project that installs FastRAMQPI, so what it
imports is cheap: the ``*_fixtures`` modules, ``markers`` and ``support``. The helpers that
need httpx, uvicorn, respx or SQLAlchemy (``server``, ``mo``, ``database``) and ``environment``
are imported by the fixtures that use them, when they run.
"""
