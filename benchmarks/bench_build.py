"""Time `argmap build` on the shipped data: the whole command in a fresh process (what a user waits for)
and the stages inside (load + validate, model, layout, render and write), with pages and bytes written.

Usage: python benchmarks/bench_build.py [--runs N] [--out DIR]   (prints figures; asserts nothing)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from argmap.analyse import layered_layout  # noqa: E402
from argmap.model import build_model  # noqa: E402
from argmap.site.build import build_site, digest  # noqa: E402
from argmap.validate import load_valid  # noqa: E402

DATA = [str(ROOT / "data" / "claims.ttl"), str(ROOT / "data" / "evidence.ttl")]


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="whole-command runs to time (default 3)")
    parser.add_argument("--out", type=Path, help="build into this folder (default: a temporary one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "site"
        wall = []
        for _i in range(args.runs):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", "from argmap.cli import main; main()", "build", *DATA, "--out", str(out)],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            wall.append(time.perf_counter() - started)
        first = digest(out)

        loaded, t_load = timed(load_valid, DATA)
        model, t_model = timed(build_model, loaded.store)
        _, t_layout = timed(layered_layout, model)
        result, t_build = timed(build_site, loaded, out)
        same = digest(out) == first

    print(f"data:    {len(loaded.store)} triples, {len(model.nodes)} nodes, {len(model.map_nodes())} on the map")
    print(
        f"command: argmap build, {args.runs} run(s) in a fresh process: "
        f"median {statistics.median(wall):.2f} s (min {min(wall):.2f}, max {max(wall):.2f})"
    )
    print(
        f"stages:  load + validate {t_load:.2f} s, model {t_model:.2f} s, layout {t_layout:.2f} s, "
        f"build_site (model, layout, render, write) {t_build:.2f} s"
    )
    print(
        f"output:  {result.pages} pages, {len(result.files)} files, {result.total_bytes:,} bytes "
        f"({result.total_bytes / 1_000_000:.1f} MB)"
    )
    pages = sum(v for k, v in result.files.items() if k.endswith(".html") and not k.startswith("query/"))
    print(
        f"         HTML {pages:,} bytes; largest files: "
        + ", ".join(f"{k} {v / 1000:.0f} kB" for k, v in sorted(result.files.items(), key=lambda kv: -kv[1])[:4])
    )
    print(f"rebuild: byte-identical to the command's build: {same}")


if __name__ == "__main__":
    main()
