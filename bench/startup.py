# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What FastRAMQPI costs at start-up over a bare FastAPI app, and its pytest plugin over
pytest-asyncio's: import wall time, time to the first 200, memory when ready.

The integration is the README's example without listeners (no database either); the bare app
serves the same route with the same fastapi, starlette, pydantic and uvicorn. Every figure is
a fresh process; rounds alternate which contender goes first, and the median of the
per-round ratios is printed beside its goal.

    python bench/startup.py [--rounds 7]
"""

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUTE = "/ping"
ENV = {
    **os.environ,
    "PYTHONPATH": str(ROOT),
    "FASTRAMQPI__CLIENT_ID": "bench",
    "FASTRAMQPI__CLIENT_SECRET": "bench",
    "FASTRAMQPI__MO_URL": "http://127.0.0.1:9",
}


def _integration() -> Any:
    """The README's example, without listeners."""
    from fastapi import APIRouter
    from pydantic_settings import BaseSettings
    from pydantic_settings import SettingsConfigDict

    from fastramqpi.config import Settings as FastRAMQPISettings
    from fastramqpi.main import FastRAMQPI

    class Settings(BaseSettings):
        model_config = SettingsConfigDict(frozen=True, env_nested_delimiter="__")

        fastramqpi: FastRAMQPISettings

    router = APIRouter()

    @router.get(ROUTE)
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    settings = Settings()  # type: ignore[call-arg]
    fastramqpi = FastRAMQPI(
        application_name="os2mo-example-integration",
        settings=settings.fastramqpi,
        graphql_version=25,
    )
    fastramqpi.get_app().include_router(router)
    return fastramqpi.get_app()


def _bare() -> Any:
    from fastapi import APIRouter
    from fastapi import FastAPI

    router = APIRouter()

    @router.get(ROUTE)
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    app = FastAPI()
    app.include_router(router)
    return app


def _serve(kind: str, fd: int) -> None:
    """Child process: serve ``kind`` on the inherited listening socket."""
    import uvicorn

    app = _integration() if kind == "fastramqpi" else _bare()
    sock = socket.socket(fileno=fd)
    uvicorn.Server(uvicorn.Config(app, log_level="info")).run(sockets=[sock])


def _import(module: str) -> dict[str, float]:
    """Wall and CPU seconds of ``python -c 'import module'``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], env=ENV, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"import s": wall, "import CPU s": cpu}


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux): steadier than wall time on a
    busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _answers_200(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(f"GET {ROUTE} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            return conn.recv(12).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def _start(kind: str) -> tuple[float, float, float]:
    """Seconds from spawning the server until its first 200, its CPU seconds and RSS (MiB)
    then."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        sock.set_inheritable(True)
        port = sock.getsockname()[1]
        start = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, __file__, "serve", kind, str(sock.fileno())],
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(sock.fileno(),),
        )
        try:
            deadline = start + 60
            while not _answers_200(port):
                if time.perf_counter() > deadline or server.poll() is not None:
                    raise RuntimeError(f"{kind} never answered 200")
                time.sleep(0.002)
            ready = time.perf_counter() - start
            return ready, _cpu_seconds(server.pid), _rss_kib(server.pid) / 1024
        finally:
            server.terminate()
            server.wait()


Measure = Callable[[str], dict[str, float]]


def _rounds(rounds: int, kinds: tuple[str, str], measure: Measure) -> dict[str, Any]:
    """Per figure, per kind, the values of every round; kinds alternate going first."""
    results: dict[str, dict[str, list[float]]] = {}
    for i in range(rounds):
        for kind in kinds if i % 2 == 0 else tuple(reversed(kinds)):
            for figure, value in measure(kind).items():
                results.setdefault(figure, {k: [] for k in kinds}).setdefault(
                    kind, []
                ).append(value)
    return results


def _report(
    figure: str, values: dict[str, list[float]], kinds: tuple[str, str], goal: float
) -> None:
    ours, base = kinds
    ratio = statistics.median(
        o / b for o, b in zip(values[ours], values[base], strict=True)
    )
    print(
        f"{figure:>26}: {ours} {statistics.median(values[ours]):8.3f}, "
        f"{base} {statistics.median(values[base]):8.3f}, median ratio {ratio:.3f} "
        f"(goal <= {goal}: {'met' if ratio <= goal else 'NOT met'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    app = ("fastramqpi", "bare")
    modules = {"fastramqpi": "fastramqpi.main", "bare": "fastapi"}
    imports = _rounds(args.rounds, app, lambda kind: _import(modules[kind]))

    def start(kind: str) -> dict[str, float]:
        ready, cpu, rss = _start(kind)
        return {"first 200 s": ready, "first 200 CPU s": cpu, "RSS when ready MiB": rss}

    started = _rounds(args.rounds, app, start)

    plugin = ("fastramqpi.pytest_plugin", "pytest_asyncio")
    plugins = _rounds(args.rounds, plugin, _import)

    print(f"minimal integration vs bare FastAPI, {args.rounds} interleaved rounds:")
    for figure in ("import s", "import CPU s"):
        _report(figure, imports[figure], app, 1.5)
    for figure in ("first 200 s", "first 200 CPU s", "RSS when ready MiB"):
        _report(figure, started[figure], app, 1.5)
    print("pytest plugin vs pytest-asyncio:")
    for figure in ("import s", "import CPU s"):
        _report(figure, plugins[figure], plugin, 1.2)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        _serve(sys.argv[2], int(sys.argv[3]))
    else:
        main()
