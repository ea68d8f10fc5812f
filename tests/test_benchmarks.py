"""The benchmark cannot rot: the generator makes valid data in the shipped proportions, the benchmark runs at the
smallest size, and the named queries rewritten for speed answer exactly as the texts they replaced.

No timing is asserted here: speed is measured (and recorded) by benchmarks/run.py.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from argmap.cli import main
from argmap.query import named_query

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402

BEFORE = ROOT / "benchmarks" / "queries-before"


@pytest.fixture(scope="module")
def debate_1k(tmp_path_factory) -> list[Path]:
    return generate.write(1_000, 1, tmp_path_factory.mktemp("debate-1k"))


def test_generated_debate_at_1k_validates_cleanly(debate_1k):
    result = CliRunner().invoke(main, ["validate", *map(str, debate_1k)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 2 file(s)")


def test_generated_debate_has_the_requested_nodes_in_the_shipped_proportions(debate_1k):
    shipped = generate.profile(generate.store_of(generate.SHIPPED))
    made = generate.profile(generate.store_of(debate_1k))
    assert made.nodes == 1_000
    assert set(made.classes) == set(shipped.classes)
    for cls in shipped.classes:
        assert made.class_share(cls) == pytest.approx(shipped.class_share(cls), abs=0.01), cls
    assert set(made.edges) == set(shipped.edges)
    for relation in shipped.edges:
        assert made.edges_per_node(relation) == pytest.approx(shipped.edges_per_node(relation), abs=0.02), relation
    assert made.triples / made.nodes == pytest.approx(shipped.triples / shipped.nodes, rel=0.05)


def test_generator_is_deterministic_for_a_seed_and_varies_with_it():
    first, again, other = generate.generate(700, 3), generate.generate(700, 3), generate.generate(700, 4)
    assert first == again
    assert first != other


def test_generator_refuses_fewer_nodes_than_one_copy_of_the_shipped_data():
    with pytest.raises(SystemExit, match="at least"):
        generate.generate(100)


def test_benchmark_runs_at_the_smallest_size_and_writes_its_figures(tmp_path):
    steps = ["parse", "validate", "incremental", "shacl-peer", "query", "build", "build-1", "build-site", "analyse"]
    steps += ["help"]
    if Path("/usr/bin/chromium").exists():
        steps += ["map", "home"]
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "1k", "--runs", "1", "--warmup", "0"]
        + ["--steps", ",".join(steps), "--queries", "views-and-responses,statements-without-evidence"]
        + ["--data-dir", str(tmp_path / "data"), "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    body = json.loads(out.read_text())
    figures = {f["step"]: f for f in body["figures"]}
    expected = {"parse", "validate", "incremental", "shacl-peer", "build", "build-1", "build-site", "help", "python"}
    expected |= {"analyse", "analyse-floor", "analyse:grounded", "analyse:preferred", "analyse:stable"}
    expected |= {"query:views-and-responses", "bare:views-and-responses"}
    expected |= {"query:statements-without-evidence", "bare:statements-without-evidence"}
    expected |= {s for s in ("map", "home") if s in steps}
    assert set(figures) == expected
    for step in ("validate", "incremental", "build", "build-site", "help", "parse"):
        assert figures[step]["wall"] > 0 and figures[step]["rss_mb"] > 0, step
    if Path("/proc/self/smaps_rollup").exists():  # the process tree's memory is sampled from /proc
        assert figures["build"]["tree_mb"] > 0 and figures["build-1"]["tree_mb"] > 0
    assert figures["query:views-and-responses"]["extra"]["rows"] == 8  # views at 1k nodes, in the shipped proportions
    assert figures["analyse"]["wall"] > 0 and figures["analyse"]["in_process"] > 0
    assert figures["analyse:stable"]["extra"]["labellings"] == 1 and figures["analyse:stable"]["extra"]["items"] > 0
    assert figures["build-site"]["in_process"] > 0  # the build alone, on data loaded once
    assert figures["build-site"]["extra"]["site_files"] == figures["build"]["extra"]["site_files"]
    assert figures["build-1"]["extra"]["site_files"] == figures["build"]["extra"]["site_files"]
    for step in {"map", "home"} & set(figures):
        assert figures[step]["extra"]["page_bytes"] > 0 and figures[step]["extra"]["drawn"] > 0
    assert body["machine"]["nproc"] and body["machine"]["python"]
    assert "argmap validate" in result.stdout and "views-and-responses" in result.stdout
    # --report prints the saved run again, measuring nothing
    again = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--report", str(out)], capture_output=True, text=True
    )
    assert again.returncode == 0 and "argmap validate" in again.stdout and body["command"] in again.stdout


# --------------------------------------------------------------------- rewritten queries answer as before
def _stores(debate: list[Path]) -> list[tuple[str, ox.Store]]:
    """The shipped data, the 1k debate, and 1k debates with a tenth of their argument edges cut at random."""
    stores = [("shipped", generate.store_of(generate.SHIPPED)), ("1k", generate.store_of(debate))]
    edges = [ox.NamedNode(generate.AM + p) for p in ("supports", "citesAsEvidence", "respondsTo", "heldBy")]
    for seed in range(3):
        store = generate.store_of(debate)
        quads = sorted((q for e in edges for q in store.quads_for_pattern(None, e, None)), key=str)
        for quad in random.Random(seed).sample(quads, len(quads) // 10):
            store.remove(quad)
        stores.append((f"1k cut {seed}", store))
    return stores


@pytest.mark.parametrize("name", sorted(p.stem for p in BEFORE.glob("*.rq")))
def test_rewritten_query_returns_the_rows_of_the_text_it_replaced(name, debate_1k):
    before = (BEFORE / f"{name}.rq").read_text(encoding="utf-8")
    after = named_query(name).text
    assert before != after
    answered = 0
    for label, store in _stores(debate_1k):
        old = [tuple(map(str, row)) for row in store.query(before)]
        new = [tuple(map(str, row)) for row in store.query(after)]
        # the same rows; rows that tie on the ORDER BY keys (copies share am:order) may come in either order
        assert sorted(new) == sorted(old), f"{name} answers differently on {label}"
        answered += len(old)
    assert answered > 0  # the comparison saw rows, not only empty answers
