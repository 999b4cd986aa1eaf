# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What FastRAMQPI costs over a bare FastAPI app: requests/s, import time, time to ready.

Both apps serve the same trivial route under uvicorn, each in its own process on a loopback
socket, with uvicorn's access log on as in production (FastRAMQPI's through its JSON
pipeline). Load comes from a third process: a minimal keep-alive HTTP/1.1 client on asyncio,
cheaper per request than httpx, so the server and not the client is the bottleneck.
Rounds alternate which app goes first; the medians of the per-round ratios are printed.

    python bench/http_overhead.py [--rounds 10] [--seconds 3] [--connections 32]

Goal: FastRAMQPI / bare >= 0.9 requests/s. On a shared machine trust the figure implied by
the servers' CPU time per request (bare / fastramqpi): requests/s also moves with whatever
else takes the cores during a round, CPU per request much less. Both are printed with the
goal beside them. Runs in about two minutes.
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APPS = ("fastramqpi", "bare")
ROUTE = "/ping"
GOAL = 0.9


def _build(kind: str) -> Any:
    if kind == "bare":
        from fastapi import FastAPI

        app = FastAPI()
    else:
        from fastramqpi.config import Settings
        from fastramqpi.main import FastRAMQPI

        settings = Settings(
            client_id="bench", client_secret="bench", mo_url="http://127.0.0.1:9"
        )
        app = FastRAMQPI("bench", settings, graphql_version=25).get_app()

    @app.get(ROUTE)
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    return app


def _serve(kind: str, fd: int) -> None:
    """Child process: serve ``kind`` on the inherited listening socket."""
    import uvicorn

    sock = socket.socket(fileno=fd)
    access_log = os.environ.get("BENCH_ACCESS_LOG", "1") == "1"
    config = uvicorn.Config(_build(kind), log_level="info", access_log=access_log)
    uvicorn.Server(config).run(sockets=[sock])


async def _load(port: int, seconds: float, connections: int) -> tuple[int, int]:
    """Requests answered after the warm-up, and in all."""
    request = f"GET {ROUTE} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    counting = False
    done = 0
    total = 0

    async def connection(deadline: float) -> None:
        nonlocal done, total
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.decode(errors="replace"))
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            total += 1
            if counting:
                done += 1
        writer.close()

    warm_up = 0.5
    deadline = time.perf_counter() + warm_up + seconds
    tasks = [asyncio.create_task(connection(deadline)) for _ in range(connections)]
    await asyncio.sleep(warm_up)
    counting = True
    await asyncio.gather(*tasks)
    return done, total


def _child(args: list[str], fds: tuple[int, ...] = ()) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, __file__, *args],
        env=env,
        stdout=subprocess.PIPE if args[0] == "load" else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=fds,
    )


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(f"GET {ROUTE} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                if conn.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError(f"server on port {port} never became ready")


def _time_to_ready(kind: str) -> float:
    """Seconds from spawning the server process until it answers the route."""
    sock = _listening_socket()
    try:
        start = time.perf_counter()
        server = _child(["serve", kind, str(sock.fileno())], (sock.fileno(),))
        try:
            _wait_ready(sock.getsockname()[1])
            return time.perf_counter() - start
        finally:
            server.terminate()
            server.wait()
    finally:
        sock.close()


def _import_time(kind: str) -> float:
    module = "fastramqpi.main" if kind == "fastramqpi" else "fastapi"
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return float(out)


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _throughput(
    server: int, port: int, seconds: float, connections: int
) -> tuple[float, float]:
    """Requests/s, and the server's CPU microseconds per request (less sensitive to noise)."""
    cpu = _cpu_seconds(server)
    load = _child(["load", str(port), str(seconds), str(connections)])
    out, _ = load.communicate(timeout=seconds + 30)
    if load.returncode != 0:
        raise RuntimeError("load generator failed")
    counted, total = (int(n) for n in out.split())
    return counted / seconds, (_cpu_seconds(server) - cpu) / total * 1e6


def _interleaved(
    rounds: int, measure: Callable[[str], float]
) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {kind: [] for kind in APPS}
    for i in range(rounds):
        for kind in APPS if i % 2 == 0 else reversed(APPS):
            results[kind].append(measure(kind))
    return results


def _ratios(results: dict[str, list[float]]) -> list[float]:
    return [f / b for f, b in zip(results["fastramqpi"], results["bare"], strict=True)]


def _report(name: str, results: dict[str, list[float]], unit: str) -> float:
    ratio = statistics.median(_ratios(results))
    medians = {kind: statistics.median(values) for kind, values in results.items()}
    print(
        f"{name:>14}: fastramqpi {medians['fastramqpi']:9.3f} {unit:6}, "
        f"bare {medians['bare']:9.3f} {unit:6}, median ratio {ratio:.3f}"
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--no-access-log", action="store_true", help="serve without access logs"
    )
    args = parser.parse_args()
    if args.no_access_log:
        os.environ["BENCH_ACCESS_LOG"] = "0"

    sockets = {kind: _listening_socket() for kind in APPS}
    servers = {
        kind: _child(
            ["serve", kind, str(sockets[kind].fileno())], (sockets[kind].fileno(),)
        )
        for kind in APPS
    }
    cpu: dict[str, list[float]] = {kind: [] for kind in APPS}

    def requests_per_second(kind: str) -> float:
        pid, port = servers[kind].pid, sockets[kind].getsockname()[1]
        rate, cpu_per_request = _throughput(pid, port, args.seconds, args.connections)
        cpu[kind].append(cpu_per_request)
        return rate

    try:
        for sock in sockets.values():
            _wait_ready(sock.getsockname()[1])
        throughput = _interleaved(args.rounds, requests_per_second)
    finally:
        for server in servers.values():
            server.terminate()
            server.wait()
        for sock in sockets.values():
            sock.close()

    imports = _interleaved(5, _import_time)
    ready = _interleaved(5, _time_to_ready)

    rps_ratio = _report("requests/s", throughput, "req/s")
    cpu_ratio = _report("server CPU", cpu, "us/req")
    _report("import time", imports, "s")
    _report("time to ready", ready, "s")
    print(
        f"per-round requests/s ratios: {', '.join(f'{r:.3f}' for r in _ratios(throughput))}"
    )
    # A CPU-bound server's requests/s is the inverse of its CPU per request; this figure
    # holds still on a machine where other processes take the cores by turns.
    for name, ratio in (
        ("requests/s ratio", rps_ratio),
        ("requests/s ratio implied by server CPU", 1 / cpu_ratio),
    ):
        verdict = "met" if ratio >= GOAL else "NOT met"
        print(f"{name}: {ratio:.3f}  (goal >= {GOAL}: {verdict})")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "serve":
        _serve(sys.argv[2], int(sys.argv[3]))
    elif command == "load":
        seconds, connections = float(sys.argv[3]), int(sys.argv[4])
        print(*asyncio.run(_load(int(sys.argv[2]), seconds, connections)))
    else:
        main()
