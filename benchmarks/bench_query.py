"""Query latency: embedded store vs the local `argmap serve` endpoint vs a real Oxigraph server.

For three named queries, two ways each:
  in-process     the query from a running Python process (the store already loaded; for endpoints, one
                 HTTP exchange through argmap.remote.run_remote_query, answer parsed)
  whole-process  a fresh `argmap query NAME [--endpoint URL]` process, as a user at a shell sees it
                 (Python start, imports, and for the embedded store: parsing the Turtle)

Usage: python benchmarks/bench_query.py [--repeat 30] [--process-repeat 5] [QUERY ...]
Prints medians (and min) in milliseconds. Starts both servers on free 127.0.0.1 ports and stops them.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from argmap.load import load_paths  # noqa: E402
from argmap.push import push_store  # noqa: E402
from argmap.query import named_query, run_query  # noqa: E402
from argmap.remote import run_remote_query  # noqa: E402

DEFAULT_QUERIES = ("views-and-responses", "evidence-per-response", "contested-items")
CLI = [sys.executable, "-c", "from argmap.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server at {url} did not start") from None
            time.sleep(0.05)


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), min(samples)


def run_cli(args: list[str]) -> None:
    result = subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"argmap {' '.join(args)} failed: {result.stderr.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queries", nargs="*", default=list(DEFAULT_QUERIES))
    parser.add_argument("--repeat", type=int, default=30, help="in-process runs per cell (median reported)")
    parser.add_argument("--process-repeat", type=int, default=5, help="whole-process runs per cell")
    args = parser.parse_args()

    loaded = load_paths()
    store = loaded.store
    texts = {name: named_query(name).text for name in args.queries}
    processes: list[subprocess.Popen] = []
    try:
        serve_port = free_port()
        serve = subprocess.Popen(
            [*CLI, "serve", "--port", str(serve_port), "--dir", str(ROOT / "no-site-here")],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(serve)
        oxigraph_bin = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        ox_port = free_port()
        oxigraph = subprocess.Popen(
            [oxigraph_bin, "serve", "--bind", f"127.0.0.1:{ox_port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(oxigraph)
        serve_url = f"http://127.0.0.1:{serve_port}/sparql"
        ox_url = f"http://127.0.0.1:{ox_port}/query"
        wait_for(serve_url, serve)
        wait_for(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D", oxigraph)
        push_store(store, f"http://127.0.0.1:{ox_port}/store", replace=True)

        print(
            f"{len(store)} triples; in-process: median (min) of {args.repeat} runs; "
            f"whole-process: median (min) of {args.process_repeat} runs; milliseconds\n"
        )
        header = f"{'query':<24} {'engine':<22} {'in-process':>16} {'whole-process':>16}"
        print(header)
        print("-" * len(header))
        for name, text in texts.items():
            rows = len(run_query(store, text).rows)
            cells = [
                (
                    "embedded (pyoxigraph)",
                    lambda text=text: run_query(store, text),
                    ["query", name, "--format", "json"],
                ),
                (
                    "argmap serve /sparql",
                    lambda text=text: run_remote_query(serve_url, text),
                    ["query", name, "--format", "json", "--endpoint", serve_url],
                ),
                (
                    "Oxigraph server",
                    lambda text=text: run_remote_query(ox_url, text),
                    ["query", name, "--format", "json", "--endpoint", ox_url],
                ),
            ]
            for index, (engine, in_process, cli_args) in enumerate(cells):
                med, low = timed(in_process, args.repeat)
                pmed, plow = timed(lambda cli_args=cli_args: run_cli(cli_args), args.process_repeat)
                label = f"{name} ({rows} rows)" if index == 0 else ""
                print(f"{label:<24} {engine:<22} {med:>8.2f} ({low:>5.2f}) {pmed:>8.0f} ({plow:>5.0f})")
        print(
            "\nwhole-process baseline: `argmap --version`:",
            "{:.0f} ms".format(timed(lambda: run_cli(["--version"]), args.process_repeat)[0]),
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
