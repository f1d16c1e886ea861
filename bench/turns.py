"""Turns per second and latency of a `hjelp` turn through POST /api/messages.

Compares, in the same run and against the same minimal connector stand-in (bench/standin.py):
the bare aiohttp baseline, stock botbuilder 4.17.1, and Kontraktsvakt. Each server runs in its
own process; this process generates the load. Prints each figure as a share of the baseline.

Run: .venv/bin/python -m bench.turns [--seconds 4] [--concurrency 1 8 64] [--skip-stock]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Result:
    server: str
    concurrency: int
    turns: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    connections: int
    replies: int

    @property
    def rate(self) -> float:
        return self.turns / self.seconds


def activity(service_url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": str(uuid.uuid4()),
        "timestamp": "2026-11-20T09:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {
            "id": "29:bench-user",
            "name": "Bench User",
            "aadObjectId": "5c0f1c1e-0000-4000-8000-000000000001",
        },
        "conversation": {
            "id": "a:bench-conversation",
            "conversationType": "personal",
            "tenantId": "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042",
        },
        "recipient": {"id": "28:bench-bot", "name": "Kontraktsvakt"},
        "channelData": {"tenant": {"id": "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"}},
        "locale": "nb-NO",
        "text": "hjelp",
    }


def start(module: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def wait_up(session: aiohttp.ClientSession, url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server exited: {err[-2000:]}")
        try:
            async with session.get(url) as r:
                await r.read()
                return
        except aiohttp.ClientError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


async def load(
    session: aiohttp.ClientSession, url: str, service_url: str, concurrency: int, seconds: float
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            body = activity(service_url)
            t0 = time.perf_counter()
            async with session.post(url, json=body) as r:
                await r.read()
                ok = r.status in (200, 201)
            latencies.append(time.perf_counter() - t0)
            errors += 0 if ok else 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


async def run_server(
    name: str, standin_url: str, concurrencies: list[int], seconds: float, data_dir: Path
) -> list[Result]:
    port = free_port()
    proc = start("bench.servers", name, str(port), str(data_dir / name))
    results = []
    url = f"http://127.0.0.1:{port}/api/messages"
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512)) as session:
            await wait_up(session, f"http://127.0.0.1:{port}/healthz", proc)
            await load(session, url, standin_url, 4, min(1.5, seconds))  # warm-up
            for concurrency in concurrencies:
                async with session.post(standin_url + "_reset") as r:
                    await r.read()
                latencies, errors, elapsed = await load(
                    session, url, standin_url, concurrency, seconds
                )
                async with session.get(standin_url + "_stats") as r:
                    stats = await r.json()
                ordered = sorted(latencies)
                results.append(
                    Result(
                        server=name,
                        concurrency=concurrency,
                        turns=len(latencies),
                        seconds=elapsed,
                        p50_ms=statistics.median(ordered) * 1000,
                        p99_ms=ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
                        errors=errors,
                        connections=int(stats["connections"]),
                        replies=int(stats["activities"]),
                    )
                )
    finally:
        proc.terminate()
        proc.wait(10)
    return results


async def main_async(args: argparse.Namespace) -> None:
    standin_port = free_port()
    standin = start("bench.standin", str(standin_port))
    standin_url = f"http://127.0.0.1:{standin_port}/"
    servers = ["baseline", "kontraktsvakt"] + ([] if args.skip_stock else ["stock"])
    all_results: dict[str, list[Result]] = {}
    try:
        async with aiohttp.ClientSession() as session:
            await wait_up(session, standin_url + "_stats", standin)
        with tempfile.TemporaryDirectory() as tmp:
            for name in servers:
                all_results[name] = await run_server(
                    name, standin_url, args.concurrency, args.seconds, Path(tmp)
                )
    finally:
        standin.terminate()
        standin.wait(10)

    base = {r.concurrency: r for r in all_results["baseline"]}
    print(
        f"hjelp turns through POST /api/messages, {args.seconds:.0f} s a point, "
        f"cpus={os.cpu_count()}"
    )
    print(
        f"{'server':<14}{'conc':>5}{'turns/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'of base':>9}"
        f"{'errors':>8}{'conns/100 replies':>19}"
    )
    for name in servers:
        for r in all_results[name]:
            share = r.rate / base[r.concurrency].rate
            conns = 100 * r.connections / max(1, r.replies)
            print(
                f"{name:<14}{r.concurrency:>5}{r.rate:>10.0f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
                f"{share:>8.1%}{r.errors:>8}{conns:>19.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--skip-stock", action="store_true")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
