"""Seeded mutation fuzzing of `argmap validate` (issue 9, item 8).

The shipped data and the fixtures are mutated (byte flips, truncation, token swaps, prefix changes, duplicated
blocks, huge / NUL / BOM / RDF-star inserts) and validated through the real CLI. Whatever the input:
the exit code is 0, 1 or 2; nothing prints a traceback or "crashed"; every problem names one of the given files
and a line inside it. Hypothesis runs derandomized (the same cases on every run, in CI too) with no example
database; `pytest tests/test_fuzz.py --hypothesis-show-statistics` shows the exit-code distribution.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from argmap.cli import main
from argmap.config import PREFIXES
from argmap.load import MAX_FILE_BYTES

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base.ttl"
SEEDS = sorted((FIXTURES / "bad").glob("*.ttl")) + [FIXTURES / "hostile" / "debate.ttl", FIXTURES / "second-paper.ttl"]
SHIPPED = [ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl"]

BOM = b"\xef\xbb\xbf"
RDF_STAR = b'<< claim:fixture-claim am:supports claim:fixture-claim >> am:note "quoted" .\n'
INSERTS = [
    b"\x00",
    BOM,
    b"\xff\xfe",
    b"\xc3",
    RDF_STAR,
    b' {| am:note "annotated" |} ',
    b'"""',
    b"@prefix claim: <https://w3id.org/argmap/id/claims/> .\n",
    b'[] a am:Claim ; rdfs:label "anonymous" .\n',
    b"claim:open-weights-are-inret am:supports claim:open-source-ai-needs-public-ai .\n",
    b'"line one\\nline two\\r\\n%0A, : % "',
    b"\n",
    b"\r",
    b"\\",
    "\u2028 \u202e é 😀".encode(),
]
HUGE_SIZES = [64 * 1024, 2 * 1024 * 1024, MAX_FILE_BYTES + 1]
TOKEN = re.compile(rb"[^\s]+")


def _mutate(data: bytes, op: str, a: int, b: int) -> bytes:
    """One mutation; `a` and `b` pick positions, lengths or variants."""
    n = max(len(data), 1)
    if op == "flip":
        i = a % n
        return data[:i] + bytes([data[i] ^ (1 << (b % 8))]) + data[i + 1 :] if data else data
    if op == "truncate":
        return data[: a % n]
    if op == "delete":
        i = a % n
        return data[:i] + data[i + 1 + b % 64 :]
    if op == "insert":
        i = a % (len(data) + 1)
        return data[:i] + INSERTS[b % len(INSERTS)] + data[i:]
    if op == "insert-statement":  # at a statement boundary, where an insert parses and reaches the later stages
        ends = [0] + [m.end() for m in re.finditer(rb"\.[ \t]*\r?\n", data)]
        i = ends[-1 - a % len(ends)]  # a=0: the end of the file
        return data[:i] + b"\n" + INSERTS[b % len(INSERTS)] + b"\n" + data[i:]
    if op == "huge":
        i = a % (len(data) + 1)
        size = HUGE_SIZES[b % len(HUGE_SIZES)]
        ends = [0] + [m.end() for m in re.finditer(rb"\.[ \t]*\r?\n", data)]
        i = ends[a % len(ends)] if b % 2 else i
        return data[:i] + b'\nclaim:fixture-claim am:note "' + b"x" * size + b'" .\n' + data[i:]
    tokens = list(TOKEN.finditer(data))
    if not tokens:
        return data
    if op == "swap":
        x, y = sorted((tokens[a % len(tokens)], tokens[b % len(tokens)]), key=lambda m: m.start())
        if x.start() == y.start():
            return data
        return data[: x.start()] + y.group() + data[x.end() : y.start()] + x.group() + data[y.end() :]
    if op == "prefix":
        names = [p.encode() for p in PREFIXES] + [b"clam", b"evidense", b"", b"am2"]
        found = [m for m in tokens if re.match(rb"^[A-Za-z]*:", m.group())]
        if not found:
            return data
        m = found[a % len(found)]
        prefix, _, rest = m.group().partition(b":")
        return data[: m.start()] + names[b % len(names)] + b":" + rest + data[m.end() :]
    if op == "duplicate":
        blocks = [m for m in re.finditer(rb"(?ms)^\S.*?\.\s*$", data)]
        if not blocks:
            return data
        block = blocks[a % len(blocks)].group()
        i = blocks[b % len(blocks)].end()
        return data[:i] + b"\n" + block + b"\n" + data[i:]
    raise AssertionError(op)


OPERATIONS = ["flip", "truncate", "delete", "insert", "insert-statement", "huge", "swap", "prefix", "duplicate"]
OPS = st.sampled_from(OPERATIONS)
MUTATIONS = st.lists(
    st.tuples(OPS, st.integers(0, 2**31), st.integers(0, 2**31)),
    min_size=1,
    max_size=3,
)
FUZZ = dict(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check(paths: list[Path]) -> None:
    """Validate through the CLI and assert the invariants; record the exit code for the statistics."""
    result = CliRunner().invoke(main, ["validate", "--format", "json", *map(str, paths)])
    event(f"exit {result.exit_code}")
    output = result.output
    assert result.exit_code in (0, 1, 2), output[-2000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output and "crashed" not in output, output[-2000:]
    if result.exit_code == 2:
        [line] = output.splitlines()
        assert line.startswith("Error: "), line
        return
    report = json.loads(output)
    assert report["conforms"] is (result.exit_code == 0)
    # a line ends at LF, CRLF or a lone CR (Turtle and pyoxigraph count all three)
    lines = {str(p): len(re.split(rb"\r\n|\r|\n", p.read_bytes())) for p in paths}
    for problem in report["problems"]:
        assert problem["file"] in lines, problem
        assert 1 <= problem["line"] <= lines[problem["file"]], problem
        assert problem["message"] and problem["rule"], problem


def _write(tmp: Path, original: Path, data: bytes) -> Path:
    path = tmp / original.name
    path.write_bytes(data)
    return path


@settings(max_examples=300, **FUZZ)
@given(seed=st.sampled_from(SEEDS), mutations=MUTATIONS)
@example(seed=SEEDS[0], mutations=[("insert-statement", 0, INSERTS.index(RDF_STAR))])  # rdflib raised here
@example(seed=SEEDS[0], mutations=[("insert", 0, INSERTS.index(BOM))])  # refused as a syntax error
@example(seed=SEEDS[0], mutations=[("huge", 0, 3)])  # a 2 MB literal at the end: quadratic before
def test_mutated_fixtures_never_crash_and_every_problem_is_located(seed: Path, mutations):
    data = seed.read_bytes()
    for op, a, b in mutations:
        data = _mutate(data, op, a, b)
    with tempfile.TemporaryDirectory() as tmp:
        _check([BASE, _write(Path(tmp), seed, data)])


@settings(max_examples=30, **FUZZ)
@given(index=st.integers(0, 1), mutations=MUTATIONS)
def test_mutated_shipped_data_never_crashes_and_every_problem_is_located(index: int, mutations):
    original = SHIPPED[index]
    data = original.read_bytes()
    for op, a, b in mutations:
        data = _mutate(data, op, a, b)
    with tempfile.TemporaryDirectory() as tmp:
        mutated = _write(Path(tmp), original, data)
        _check([mutated if i == index else p for i, p in enumerate(SHIPPED)])


@pytest.mark.parametrize("op", OPERATIONS)
def test_each_mutation_changes_the_input(op):
    """The fuzzer is not vacuous: every operation really changes a file."""
    data = BASE.read_bytes()
    assert any(_mutate(data, op, a, b) != data for a in range(5, 400, 37) for b in range(1, 9))
