"""Time validation of one long literal (issue 9, item 7) and of the shipped data.

Usage: python benchmarks/bench_long_literal.py [--mb 2] [--compare-n-triples]   (prints figures; asserts nothing)

`--compare-n-triples` also times building pySHACL's input the old way (store -> N-Triples text -> rdflib's
N-Triples reader), which is quadratic in a literal's length, against the term-by-term build used now.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from argmap import validate as v  # noqa: E402
from argmap.load import load_paths  # noqa: E402

BASE = (ROOT / "tests" / "fixtures" / "base.ttl").read_text(encoding="utf-8")


def long_literal_file(folder: Path, megabytes: float) -> Path:
    path = folder / "long-literal.ttl"
    text = "x" * int(megabytes * 1024 * 1024)
    path.write_text(
        BASE + f'\nevidence:long a am:Quote ;\n    rdfs:label "Long" ;\n    am:quote "{text}" ;\n'
        '    am:locator "p. 1" ;\n    am:source source:fixture-source ;\n'
        "    am:contributedBy org:fixture-contributors ;\n    am:supports claim:fixture-claim .\n",
        encoding="utf-8",
    )
    return path


def process(args: list[str]) -> tuple[float, float, str]:
    """(wall s, user+sys CPU s of the child, first line of output) of one `argmap` run."""
    exe = str(Path(sys.executable).parent / "argmap")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, (done.stdout or done.stderr).splitlines()[0][:100]


def n_triples_graph(store):
    import pyoxigraph as ox
    import rdflib

    graph = rdflib.Graph(bind_namespaces="none")
    return graph.parse(data=ox.serialize(store, format=ox.RdfFormat.N_TRIPLES), format="nt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=2.0, help="length of the literal in MB")
    parser.add_argument("--compare-n-triples", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = long_literal_file(Path(tmp), args.mb)
        wall, cpu, line = process(["validate", str(path)])
        print(f"argmap validate, one {args.mb:g} MB literal: {wall:.2f} s wall, {cpu:.2f} s CPU\n  {line}")
        store = load_paths([path]).store
        start = time.perf_counter()
        v._rdflib_graph(store)
        print(f"  pySHACL input built term by term: {time.perf_counter() - start:.3f} s")
        if args.compare_n_triples:
            start = time.perf_counter()
            n_triples_graph(store)
            print(f"  the same through N-Triples (the old way): {time.perf_counter() - start:.3f} s")
    for _ in range(3):
        wall, cpu, line = process(["validate"])
        print(f"argmap validate, shipped data: {wall:.2f} s wall, {cpu:.2f} s CPU  ({line})")


if __name__ == "__main__":
    main()
