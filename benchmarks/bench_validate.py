"""Time `argmap validate` and a named query on the shipped data and on a synthetic ~100k-triple graph.

Usage: python benchmarks/bench_validate.py [--claims N]   (prints figures; asserts nothing)
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

from argmap import validate as v  # noqa: E402
from argmap.load import Loaded, parse_all, resolve_paths, store_of  # noqa: E402
from argmap.query import named_query, run_query  # noqa: E402

HEADER = (ROOT / "tests" / "fixtures" / "base.ttl").read_text()


def synthetic(claims: int) -> str:
    """The base fixture plus `claims` claims, each with one source and two pieces of evidence (~31 triples each)."""
    parts = [HEADER]
    for i in range(claims):
        parts.append(f"""
claim:c{i} a am:Claim ;
    rdfs:label "Synthetic claim {i}" ;
    am:text "A synthetic claim number {i}, for timing." ;
    am:statedIn paper:fixture ;
    am:inSection sec:fixture-s1 ;
    am:supports claim:c{i // 2} .

source:s{i} a am:Source ;
    rdfs:label "Author {i} 2025" ;
    am:text "A synthetic source" ;
    am:year "2025"^^xsd:gYear ;
    am:url "https://example.org/{i}"^^xsd:anyURI .

evidence:q{i} a am:Quote ;
    rdfs:label "Quote {i}" ;
    am:quote "Synthetic words number {i}." ;
    am:locator "p. {i}" ;
    am:source source:s{i} ;
    am:contributedBy org:fixture-contributors ;
    am:supports claim:c{i} .

evidence:f{i} a am:Figure ;
    rdfs:label "Figure {i}" ;
    am:figureId "F{i}" ;
    am:measures "A count" ;
    am:value {i} ;
    am:unit "items" ;
    am:asOf "2026-01-29"^^xsd:date ;
    am:locator "table {i}" ;
    am:source source:s{i} ;
    am:contributedBy org:fixture-contributors ;
    am:supports claim:c{i} .
""")
    return "".join(parts)


def timed(fn, repeat: int = 3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def process(args: list[str], repeat: int = 3) -> float:
    exe = [str(Path(sys.executable).parent / "argmap")]
    return timed(lambda: subprocess.run(exe + args, cwd=ROOT, capture_output=True), repeat)[0]


def stages(paths: list[Path]) -> None:
    parse_s, (files, _) = timed(lambda: parse_all(paths), 1)
    loaded = Loaded(files, store_of(files))
    shacl_s, _ = timed(lambda: v.check_shapes(loaded), 1)
    refs_s, _ = timed(lambda: v.check_references(loaded), 1)
    query_s, _ = timed(lambda: run_query(loaded.store, named_query("single-source-claims").text))
    print(
        f"  triples {len(loaded.store):>7}   parse {parse_s:6.2f} s   SHACL (pySHACL) {shacl_s:6.2f} s   "
        f"references {refs_s:6.2f} s   named query single-source-claims {query_s * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=3200, help="synthetic claims (~31 triples each)")
    args = parser.parse_args()

    print("shipped data (data/claims.ttl + data/evidence.ttl):")
    stages(resolve_paths(None))
    print(
        f"  whole process: argmap validate {process(['validate']):.2f} s; "
        f"argmap query figures-by-date {process(['query', 'figures-by-date']):.2f} s; "
        f"argmap --help {process(['--help']):.2f} s (start-up)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.ttl"
        path.write_text(synthetic(args.claims))
        print(f"synthetic graph ({args.claims} claims):")
        stages([path])
        print(f"  whole process: argmap validate {process(['validate', str(path)], 1):.2f} s")


if __name__ == "__main__":
    main()
