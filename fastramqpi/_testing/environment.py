# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What the plugin reads from the environment: which MO and database the tests use."""

import functools
import socket
from collections.abc import Callable
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

PREFIX = "FASTRAMQPI__"

ESSENTIALS = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "TMPDIR",
        "TEMP",
        "TMP",
        "LANG",
        "LANGUAGE",
        "TZ",
        "SYSTEMROOT",
        "COMSPEC",
        "PATHEXT",
    }
)
"""Kept by ``empty_environment``: what the operating system and subprocesses need to work.
Everything a unit test could read as configuration goes."""

DEFAULT_MO_URL = "http://mo-service:5000"
DEFAULT_AUTH_SERVER = "http://keycloak-service:8080/auth"
DEFAULT_AUTH_REALM = "mo"


def essentials(environ: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in environ.items() if k in ESSENTIALS or k.startswith("LC_")}


@dataclass(frozen=True)
class MOEnvironment:
    """The MO and token server the settings in the environment point at."""

    url: str
    token_url: str
    client_id: str | None
    client_secret: str | None
    auth_server: str
    delivery_url: str | None

    @property
    def hosts(self) -> list[str]:
        urls = [self.url, self.token_url, self.auth_server, self.delivery_url]
        return sorted({h for u in urls if u and (h := urlsplit(u).hostname)})


def _get(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(f"{PREFIX}{name}") or None


def mo_environment(environ: Mapping[str, str]) -> MOEnvironment:
    """Read as ``FastRAMQPISettings`` nested under ``fastramqpi`` would (plus the unprefixed
    ``CLIENT_ID``/``CLIENT_SECRET`` older test suites set)."""
    url = (_get(environ, "MO_URL") or DEFAULT_MO_URL).rstrip("/")
    auth_server = (_get(environ, "AUTH_SERVER") or DEFAULT_AUTH_SERVER).rstrip("/")
    realm = _get(environ, "AUTH_REALM") or DEFAULT_AUTH_REALM
    token_url = (
        _get(environ, "AUTH_TOKEN_URL")
        or f"{auth_server}/realms/{realm}/protocol/openid-connect/token"
    )
    return MOEnvironment(
        url=url,
        token_url=token_url,
        client_id=_get(environ, "CLIENT_ID") or environ.get("CLIENT_ID"),
        client_secret=_get(environ, "CLIENT_SECRET") or environ.get("CLIENT_SECRET"),
        auth_server=auth_server,
        delivery_url=_get(environ, "EVENT_DELIVERY_URL"),
    )


RESOLVE_TIMEOUT = 2.0
"""Seconds to wait for a DNS answer about MO's default host before deciding it is absent."""


def lookup_failure(host: str, timeout: float = RESOLVE_TIMEOUT) -> str | None:
    """Why ``host`` has no address, in a few words; None when it has one.

    Waits at most ``timeout`` for the resolver.
    """
    pool = ThreadPoolExecutor(1, thread_name_prefix="fastramqpi-resolve")
    try:
        pool.submit(socket.getaddrinfo, host, None).result(timeout)
    except TimeoutError:
        return f"{host} had no DNS answer within {timeout:g} s"
    except Exception as error:
        return f"{host} does not resolve ({type(error).__name__}: {error})"
    finally:
        pool.shutdown(wait=False)
    return None


_lookup_once = functools.cache(lookup_failure)


def emulator_reason(
    environ: Mapping[str, str], lookup: Callable[[str], str | None] = _lookup_once
) -> str | None:
    """Why integration tests use the emulator; None when they have a real MO.

    A real MO is one ``FASTRAMQPI__MO_URL`` names, or one at the default URL when its host
    resolves: OS2mo's CI template runs MO as ``mo-service`` and integrations rely on that.
    """
    if _get(environ, "MO_URL") is not None:
        return None
    failure = lookup(urlsplit(DEFAULT_MO_URL).hostname or "")
    if failure is None:
        return None
    return f"{PREFIX}MO_URL is unset and {failure}"


def database_configured(environ: Mapping[str, str]) -> bool:
    return any(_get(environ, f"DATABASE__{f}") for f in ("HOST", "URL"))
