# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Access to OS2mo: an HTTP client that looks after its own OAuth2 token, the readiness check
that asks MO afresh at every probe, and the wrapper that lends the client to a generated
GraphQL client."""

from fastramqpi.mo._client import AuthenticatedMOClient
from fastramqpi.mo._client import TokenRefused
from fastramqpi.mo._client import build_mo_client
from fastramqpi.mo._graphql_client import GraphQLClientClass
from fastramqpi.mo._graphql_client import SharedMOClient
from fastramqpi.mo._readiness import MOReadiness

__all__ = [
    "AuthenticatedMOClient",
    "GraphQLClientClass",
    "MOReadiness",
    "SharedMOClient",
    "TokenRefused",
    "build_mo_client",
]
