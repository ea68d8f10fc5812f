"""`argmap serve` under many concurrent clients: requests, errors, worst latency, peak RSS.

Starts `argmap serve` on a free 127.0.0.1 port (from this checkout, or from `--repo DIR`, e.g. an older
commit checked out with `git worktree add /tmp/before COMMIT`), then runs CLIENTS concurrent clients for
SECONDS seconds. Each client loops over a mix: a static page, a static data file, a cheap SPARQL query
and a named query (POST, SPARQL JSON). Every request has a 30 s client timeout.

Counted as an error: a transport failure (refused, reset, timeout) or any status other than 200.
Peak RSS is the largest sum of resident memory of the server process and its children (the query workers),
sampled every 0.2 s from /proc.

Usage: python benchmarks/endpoint_load.py [--clients 200] [--seconds 30] [--repo DIR]
Loopback only; bounded: at most 500 clients and 120 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = [str(ROOT / "data" / "claims.ttl"), str(ROOT / "data" / "evidence.ttl")]
CHEAP = "SELECT ?v ?label WHERE { ?v a am:OpposingView ; rdfs:label ?label } ORDER BY ?v"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        this = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(this)
        rss[this] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def named_query_text(repo: Path) -> str:
    return (repo / "argmap" / "resources" / "queries" / "views-and-responses.rq").read_text(encoding="utf-8")


async def client(http: httpx.AsyncClient, base: str, deadline: float, stats: dict, named: str) -> None:
    requests = [
        ("GET", base, None),
        ("GET", base + "data.json", None),
        ("POST", base + "sparql", CHEAP),
        ("POST", base + "sparql", named),
    ]
    turn = 0
    while time.monotonic() < deadline:
        method, url, query = requests[turn % len(requests)]
        turn += 1
        started = time.monotonic()
        try:
            if method == "GET":
                response = await http.get(url)
            else:
                response = await http.post(url, data={"query": query})
            ok = response.status_code == 200
            if not ok:
                stats["statuses"][response.status_code] = stats["statuses"].get(response.status_code, 0) + 1
        except httpx.HTTPError as exc:
            ok = False
            name = type(exc).__name__
            stats["failures"][name] = stats["failures"].get(name, 0) + 1
        elapsed = time.monotonic() - started
        stats["requests"] += 1
        stats["errors"] += 0 if ok else 1
        stats["worst"] = max(stats["worst"], elapsed)
        stats["latencies"].append(elapsed)


async def load(base: str, clients: int, seconds: float, named: str) -> dict:
    stats: dict = {"requests": 0, "errors": 0, "worst": 0.0, "latencies": [], "statuses": {}, "failures": {}}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(client(http, base, deadline, stats, named) for _ in range(clients)))
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout whose `argmap serve` to measure")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 1 <= args.seconds <= 120:
        raise SystemExit("--clients must be 1..500 and --seconds 1..120")
    repo = args.repo.resolve()

    site = Path(tempfile.mkdtemp(prefix="argmap-load-site-"))
    (site / "index.html").write_text("<!doctype html><title>home</title><p>home</p>\n" * 50, encoding="utf-8")
    (site / "data.json").write_text('{"nodes": [' + ",".join(['{"id": "x"}'] * 5000) + "]}\n", encoding="utf-8")
    port = free_port()
    code = f"import sys; sys.path.insert(0, {str(repo)!r}); from argmap.cli import main; main()"
    server = subprocess.Popen(
        [sys.executable, "-c", code, "serve", *DATA, "--port", str(port), "--dir", str(site)],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(server.stdout), daemon=True).start()
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(base + "sparql", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"argmap serve did not start: {''.join(output)}")
        time.sleep(0.1)

    peak = [tree_rss_kb(server.pid)]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.2):
            peak[0] = max(peak[0], tree_rss_kb(server.pid))

    threading.Thread(target=sample, daemon=True).start()
    try:
        stats = asyncio.run(load(base, args.clients, args.seconds, named_query_text(repo)))
    finally:
        sampling.set()
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
    latencies = sorted(stats["latencies"])
    p50 = latencies[len(latencies) // 2] if latencies else 0.0
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0.0
    tracebacks = "".join(output).count("Traceback")
    print(f"server: {repo} ({os.path.basename(sys.executable)}), {args.clients} clients for {args.seconds:g} s")
    print(f"requests: {stats['requests']}  ({stats['requests'] / args.seconds:.0f}/s)")
    print(f"errors:   {stats['errors']}  statuses {stats['statuses']}  transport {stats['failures']}")
    print(f"latency:  median {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, worst {stats['worst'] * 1000:.0f} ms")
    print(f"peak RSS: {peak[0] / 1024:.0f} MB (server and its query workers)")
    print(f"tracebacks printed by the server: {tracebacks}")


if __name__ == "__main__":
    main()
