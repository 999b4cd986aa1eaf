# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What the MO client's token handling costs per request, over a bare httpx client.

Both clients send the same small GraphQL POST to an in-memory transport (no sockets), so only
the clients' own work is measured: the bare one carries a fixed ``Authorization`` header, the
MO client checks its token and looks for a rejection in each answer. Rounds alternate which
client goes first; the medians of the per-round ratios are printed.

    .venv/bin/python bench/mo_client.py [--rounds 9] [--requests 3000]

Goal: MO client / bare <= 1.1 (time per request).
"""

import argparse
import asyncio
import statistics
import time

import httpx

from fastramqpi.mo import AuthenticatedMOClient

ANSWER = {"data": {"version": {"mo_version": "25.1"}}}
TOKEN = {"access_token": "token", "token_type": "Bearer", "expires_in": 300}


def _mo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=TOKEN if request.url.path == "/token" else ANSWER)


def _bare() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url="http://mo",
        headers={"Authorization": "Bearer token"},
        transport=httpx.MockTransport(_mo),
    )


def _ours() -> httpx.AsyncClient:
    client = AuthenticatedMOClient(
        base_url="http://mo",
        client_id="bench",
        client_secret="secret",
        token_url="http://mo/token",
        timeout=5,
    )
    client._transport = httpx.MockTransport(_mo)
    return client


async def _microseconds_per_request(client: httpx.AsyncClient, requests: int) -> float:
    async with client:
        await client.post("/graphql/v25", json={"query": "{ version { mo_version } }"})
        start = time.perf_counter()
        for _ in range(requests):
            await client.post(
                "/graphql/v25", json={"query": "{ version { mo_version } }"}
            )
        return (time.perf_counter() - start) / requests * 1e6


async def main(rounds: int, requests: int) -> None:
    times: dict[str, list[float]] = {"bare": [], "ours": []}
    contenders = [("bare", _bare), ("ours", _ours)]
    for n in range(rounds):
        for name, make in contenders if n % 2 == 0 else contenders[::-1]:
            times[name].append(await _microseconds_per_request(make(), requests))
    ratio = statistics.median(
        o / b for o, b in zip(times["ours"], times["bare"], strict=True)
    )
    for name, values in times.items():
        print(f"{name:>5}: {statistics.median(values):7.1f} us per request")
    print(f"MO client / bare httpx: {ratio:.2f} (goal <= 1.1)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=3000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.requests))
