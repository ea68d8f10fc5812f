"""argmap's SHACL engine against pySHACL (the oracle), and incremental validation against a full run.

- Every fixture: the whole report (every problem: file, line, node, rule, message) is the same with either engine.
- A seeded mutator makes a few hundred small variants of tests/fixtures/base.ttl (a triple deleted, a node
  retyped, a property added with a value from a pool of wrong ones, an object replaced, a value repeated); each
  variant's IRIs get their own suffix so that all of them can be checked in one pySHACL run, and the SHACL
  problems of both engines must be equal.
- `--changed-since`: seeded edits of five nodes of the shipped data and of a generated debate, committed base,
  edited work tree: the incremental report equals the full one.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from argmap import validate as v
from argmap.cli import main
from argmap.config import BASE_IRI, VOCAB_IRI
from argmap.load import load_paths, parse_all

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BASE = FIXTURES / "base.ttl"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def fixture_sets() -> list[list[Path]]:
    sets = [[BASE, p] for p in sorted((FIXTURES / "bad").glob("*.ttl"))]
    sets += [[p] for p in sorted((FIXTURES / "hostile").glob("*.ttl"))]
    sets += [[BASE], [FIXTURES / "second-paper.ttl"], [ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl"]]
    sets.append([ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl", FIXTURES / "second-paper.ttl"])
    sets += [[p] for p in sorted((FIXTURES / "new").glob("*.ttl"))]
    return [paths for paths in sets if not parse_all(paths)[1]]  # syntax errors never reach the shapes


@pytest.mark.parametrize("paths", fixture_sets(), ids=lambda paths: "+".join(p.stem for p in paths))
def test_every_fixture_gets_the_same_report_from_both_engines(paths):
    loaded = load_paths(paths)
    ours, oracle = v.validate(loaded, "argmap"), v.validate(loaded, "pyshacl")
    assert ours.problems == oracle.problems


# ---------------------------------------------------------------------------- the mutator

#: Values a mutation may put where another belongs: wrong datatypes, ill-typed literals, too short and too long
#: strings, language tags, numbers of each kind, IRIs of nodes of other classes, a blank node.
POOL: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
    ox.Literal("x"),
    ox.Literal(""),
    ox.Literal("A claim in words that runs to more than ten characters."),
    ox.Literal("y" * 130),
    ox.Literal("Eine Aussage", language="de"),
    ox.Literal("5", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("05", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("five", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("2.5", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("2.5e3", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("2026-01-29", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("2026-13-45", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("29 January 2026"),
    ox.Literal("2025", datatype=ox.NamedNode(XSD + "gYear")),
    ox.Literal("MMXXV", datatype=ox.NamedNode(XSD + "gYear")),
    ox.Literal("https://example.org/x", datatype=ox.NamedNode(XSD + "anyURI")),
    ox.Literal("ftp://example.org/x", datatype=ox.NamedNode(XSD + "anyURI")),
    ox.Literal("https://example.org/x"),
    ox.Literal("10.1038/s41586-024-08141-1"),
    ox.Literal("https://doi.org/10.1038/x"),
    ox.Literal("2507.09296"),
    ox.Literal("arXiv:2507.09296v2"),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.NamedNode("https://example.org/elsewhere"),
    ox.BlankNode("pooled"),
]
#: Classes a node may be retyped to (each has a shape): most of the vocabulary's.
CLASSES = [
    "Paper",
    "PaperVersion",
    "Section",
    "Claim",
    "Thesis",
    "Principle",
    "Example",
    "OpposingView",
    "Response",
    "Implication",
    "Inference",
    "Quote",
    "Figure",
    "Check",
    "Source",
    "Person",
    "Organisation",
    "ActorGroup",
    "Model",
    "Dataset",
    "Supercomputer",
    "ChallengeCategory",
    "ComparisonTable",
    "ComparedProject",
    "Dimension",
    "TableCell",
]


def shape_predicates() -> list[ox.NamedNode]:
    shapes = v.compiled_shapes()
    return [ox.NamedNode(p) for p in sorted(shapes.predicates)]


def mutate(triples: list[ox.Triple], rng: random.Random) -> list[ox.Triple]:
    """One variant: one to three mutations of the triples."""
    triples = list(triples)
    nodes = sorted({t.subject for t in triples if t.predicate == RDF_TYPE}, key=str)
    predicates = shape_predicates()
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["delete", "retype", "add", "replace", "repeat", "add", "figure"])
        if op == "delete" and triples:
            triples.pop(rng.randrange(len(triples)))
        elif op == "retype":
            node = rng.choice(nodes)
            triples = [t for t in triples if not (t.subject == node and t.predicate == RDF_TYPE)]
            triples.append(ox.Triple(node, RDF_TYPE, ox.NamedNode(VOCAB_IRI + rng.choice(CLASSES))))
        elif op == "add":
            value = rng.choice([*POOL, *nodes])
            triples.append(ox.Triple(rng.choice(nodes), rng.choice(predicates), value))
        elif op == "replace" and triples:
            i = rng.randrange(len(triples))
            t = triples[i]
            if t.predicate != RDF_TYPE:
                triples[i] = ox.Triple(t.subject, t.predicate, rng.choice([*POOL, *nodes]))
        elif op == "figure":  # a figure's value: sh:node and sh:or on numbers
            node = rng.choice(nodes)
            triples.append(ox.Triple(node, RDF_TYPE, ox.NamedNode(VOCAB_IRI + "Figure")))
            field = rng.choice(["value", "minValue", "maxValue"])
            triples.append(ox.Triple(node, ox.NamedNode(VOCAB_IRI + field), rng.choice(POOL)))
        elif op == "repeat" and triples:
            t = rng.choice(triples)
            triples.append(ox.Triple(t.subject, t.predicate, rng.choice(POOL)))
    return triples


def renamed(triples: list[ox.Triple], suffix: str) -> list[ox.Triple]:
    """The variant's own copy of every project IRI, so variants checked together cannot meet."""

    def term(node):
        if isinstance(node, ox.NamedNode) and node.value.startswith(BASE_IRI):
            return ox.NamedNode(node.value + suffix)
        if isinstance(node, ox.BlankNode):
            return ox.BlankNode(node.value + suffix.replace("-", "_"))
        return node

    return [ox.Triple(term(t.subject), t.predicate, term(t.object)) for t in triples]


VARIANTS = 240
GROUPS = 4


def test_a_few_hundred_mutated_files_get_the_same_shape_problems_from_both_engines(tmp_path):
    base = load_paths([BASE]).files[0].triples
    rng = random.Random(10)
    paths = []
    for group in range(GROUPS):
        triples: list[ox.Triple] = []
        for k in range(VARIANTS // GROUPS):
            triples += renamed(mutate(base, rng), f"--m{group}-{k}")
        path = tmp_path / f"variants-{group}.ttl"
        path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        paths.append(path)
    loaded = load_paths(paths)
    ours = set(v.check_shapes(loaded, engine="argmap"))
    oracle = set(v.check_shapes(loaded, engine="pyshacl"))
    assert ours == oracle, (
        sorted(p.format_text() for p in ours - oracle),
        sorted(p.format_text() for p in oracle - ours),
    )
    # the variants reach most of what the shapes say: many components, many shapes, most variants broken
    components = {p.rule.rsplit(" ", 1)[-1] for p in oracle}
    assert {"sh:minCount", "sh:maxCount", "sh:class", "sh:datatype", "sh:or", "sh:node", "sh:pattern"} <= components
    broken = {p.node.rsplit("--m", 1)[-1] for p in oracle if "--m" in p.node}
    assert len(broken) > VARIANTS / 2


# ---------------------------------------------------------------------------- refusing what is not implemented


def test_a_shapes_file_using_sparql_constraints_is_refused_by_name(tmp_path):
    from argmap.errors import ArgmapError
    from argmap.shacl import compile_shapes

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .\n",
        encoding="utf-8",
    )
    with pytest.raises(ArgmapError, match=r"ex:S uses sh:closed, which argmap's SHACL engine does not implement"):
        compile_shapes(shapes)


def test_the_shapes_reach_one_hop_beyond_the_focus_node():
    """sh:class on a value reads the value's types: a change to a node affects the nodes pointing at it."""
    assert v.compiled_shapes().reach == 1


def test_engine_option_chooses_pyshacl():
    bad = FIXTURES / "bad" / "wrong-datatype-date.ttl"
    ours = CliRunner().invoke(main, ["validate", str(BASE), str(bad)])
    oracle = CliRunner().invoke(main, ["validate", str(BASE), str(bad), "--engine", "pyshacl"])
    assert ours.exit_code == oracle.exit_code == 1
    assert ours.output == oracle.output


# ---------------------------------------------------------------------------- incremental validation


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=cwd, check=True, capture_output=True
    )


def edit(paths: list[Path], rng: random.Random, count: int = 5) -> None:
    """Mutate `count` nodes of the files (one file each) and write the files back as N-Triples."""
    files = load_paths(paths).files
    for _ in range(count):
        source = rng.choice(files)
        source.triples[:] = mutate(source.triples, rng)
    for source in files:
        source.path.write_bytes(ox.serialize(source.triples, format=ox.RdfFormat.N_TRIPLES))


def committed_copy(sources: list[Path], where: Path) -> list[Path]:
    where.mkdir()
    git(where, "init", "-q")
    paths = []
    for source in sources:
        target = where / source.name
        target.write_bytes(source.read_bytes())
        paths.append(target)
    git(where, "add", ".")
    git(where, "commit", "-q", "-m", "base")
    return paths


def agree(paths: list[Path], monkeypatch, where: Path) -> int:
    monkeypatch.chdir(where)
    full, _ = v.validate_paths(paths)
    incremental, _ = v.validate_paths(paths, changed_since="HEAD")
    assert incremental.problems == full.problems
    return len(full.problems)


@pytest.mark.parametrize("seed", range(6))
def test_incremental_run_agrees_with_a_full_run_on_edits_of_the_shipped_data(tmp_path, monkeypatch, seed):
    paths = committed_copy([ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl"], tmp_path / "repo")
    edit(paths, random.Random(seed))
    assert agree(paths, monkeypatch, tmp_path / "repo") > 0  # the edits broke something, and both runs say what


def edit_text(path: Path, rng: random.Random) -> None:
    """Edit the Turtle as a contributor would, keeping it parseable: a block repeated (defined again), a property
    line dropped, a letter of a value changed, a reference pointed elsewhere."""
    lines = path.read_text(encoding="utf-8").split("\n")
    while True:
        trial = list(lines)
        at = rng.randrange(40, len(trial) - 2)
        op = rng.choice(["repeat-block", "drop-line", "letter", "reference"])
        if op == "repeat-block":
            start = max(i for i in range(at + 1) if trial[i - 1] == "")
            end = next(i for i in range(at, len(trial)) if trial[i] == "")
            trial[rng.randrange(40, len(trial)) : 0] = trial[start : end + 1]
        elif op == "drop-line" and trial[at].rstrip().endswith(";"):
            del trial[at]
        elif op == "letter" and '"' in trial[at]:
            i = trial[at].index('"') + 1
            trial[at] = trial[at][:i] + trial[at][i].swapcase() + trial[at][i + 1 :]
        elif op == "reference" and trial[at].count(":") >= 2 and '"' not in trial[at]:
            trial[at] = trial[at].replace(" ;", "-gone ;", 1).replace(" .", "-gone .", 1)
        text = "\n".join(trial)
        try:
            list(ox.parse(input=text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
        except SyntaxError:
            continue
        if text != "\n".join(lines):
            path.write_text(text, encoding="utf-8")
            return


@pytest.mark.parametrize("seed", range(4))
def test_incremental_run_agrees_with_a_full_run_on_turtle_edits_of_the_shipped_data(tmp_path, monkeypatch, seed):
    """Edited as text (not rewritten as N-Triples): the changed statements are read around the changed lines."""
    paths = committed_copy([ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl"], tmp_path / "repo")
    rng = random.Random(200 + seed)
    for _ in range(4):
        edit_text(rng.choice(paths), rng)
    monkeypatch.chdir(tmp_path / "repo")
    touched = v.changed_nodes(load_paths(paths), "HEAD")
    assert touched is not None and len(touched) < 40  # told statement by statement, not a full run
    assert agree(paths, monkeypatch, tmp_path / "repo") > 0


def test_a_file_with_a_long_string_is_compared_whole_and_agrees(tmp_path, monkeypatch):
    """A long string (a token spanning lines) makes the changed statements unreadable line by line: the file then
    and now is parsed whole and compared, as before, with the same verdict."""
    source = tmp_path / "long.ttl"
    text = BASE.read_text(encoding="utf-8")
    source.write_text(text.replace('"A paper that exists only for the tests."', '"""A paper\n\nfor the tests."""'))
    paths = committed_copy([source], tmp_path / "repo")
    paths[0].write_text(paths[0].read_text(encoding="utf-8").replace('"Fixture paper v1"', '""'), encoding="utf-8")
    monkeypatch.chdir(tmp_path / "repo")
    touched = v.changed_nodes(load_paths(paths), "HEAD")
    assert touched is not None and len(touched) == 1
    assert agree(paths, monkeypatch, tmp_path / "repo") > 0


@pytest.fixture(scope="module")
def debate(tmp_path_factory) -> list[Path]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    return generate.write(1_000, 1, tmp_path_factory.mktemp("debate"))


@pytest.mark.parametrize("seed", range(3))
def test_incremental_run_agrees_with_a_full_run_on_edits_of_a_generated_debate(tmp_path, monkeypatch, debate, seed):
    paths = committed_copy(debate, tmp_path / "repo")
    edit(paths, random.Random(100 + seed))
    assert agree(paths, monkeypatch, tmp_path / "repo") > 0


def test_incremental_run_checks_only_the_affected_nodes(tmp_path, monkeypatch):
    """One label emptied: that node and the nodes pointing at it are checked, not the other five hundred."""
    paths = committed_copy([ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl"], tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    text = paths[0].read_text(encoding="utf-8")
    paths[0].write_text(
        text.replace('rdfs:label "', 'rdfs:label "', 1).replace('rdfs:label "', 'rdfs:label "" ; am:x "', 1)
    )
    loaded = load_paths(paths)
    touched = v.changed_nodes(loaded, "HEAD")
    assert touched is not None and 1 <= len(touched) <= 3
    affected = v.affected_nodes(loaded, touched)
    assert len(affected) < 60
    full, _ = v.validate_paths(paths)
    incremental, _ = v.validate_paths(paths, changed_since="HEAD")
    assert incremental.problems == full.problems and full.problems  # the empty label and the unknown am:x


def test_changed_since_cli_reports_like_a_full_run_and_refuses_a_bad_revision(tmp_path, monkeypatch):
    paths = committed_copy([BASE], tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    paths[0].write_text(
        paths[0].read_text(encoding="utf-8").replace('rdfs:label "A fixture claim" ;', ""), encoding="utf-8"
    )
    full = CliRunner().invoke(main, ["validate", str(paths[0])])
    incremental = CliRunner().invoke(main, ["validate", str(paths[0]), "--changed-since", "HEAD"])
    assert full.exit_code == incremental.exit_code == 1
    assert incremental.output == full.output and "claim:fixture-claim" in full.output
    bad = CliRunner().invoke(main, ["validate", str(paths[0]), "--changed-since", "no-such-rev"])
    assert bad.exit_code == 2 and "no-such-rev" in bad.output and "Traceback" not in bad.output


# ---------------------------------------------------------------------------- literals without rdflib

LEXICALS = {
    "integer": ["0", "5", "-5", "05", "-0", "+5", " 5", "five", "5.0", "123456789012345678901234567890", ""],
    "date": ["2026-01-29", "2026-13-45", "2026-02-30", "0000-01-01", "2026-1-29", "2026-01-29Z", "20260129", ""],
    "gYear": ["2025", "0000", "MMXXV", "-0044", "2025Z", ""],
    "anyURI": ["https://example.org/x", "ftp://e.org/a b", "not a uri", "urn:x", "<x>", ""],
    "decimal": ["2.5", "2.50", "1e3"],
    "boolean": ["true", "false", "1", "0", "TRUE", "yes", ""],
}


@pytest.mark.parametrize("datatype", sorted(LEXICALS))
def test_literals_read_without_rdflib_are_read_as_rdflib_reads_them(datatype):
    """The fast reading of common typed literals gives rdflib's answer, or none (then rdflib is asked)."""
    from argmap.shacl import _typed_by_rdflib, _typed_fast

    answered = 0
    for lexical in LEXICALS[datatype]:
        fast = _typed_fast(lexical, XSD + datatype)
        if fast is not None:
            answered += 1
            assert fast == _typed_by_rdflib(lexical, XSD + datatype), lexical
    assert answered or datatype == "decimal"


def test_a_clean_run_does_not_load_rdflib(tmp_path):
    """rdflib (0.2 s of start-up) is loaded only by pySHACL, problems, and literals the fast reading leaves."""
    script = (
        "import sys\nfrom argmap.validate import validate_paths\n"
        f"report, _ = validate_paths([{str(BASE)!r}])\n"
        "assert report.conforms, report.format_text()\n"
        "assert 'rdflib' not in sys.modules, 'rdflib was imported'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path)


def test_a_file_removed_from_a_folder_since_the_revision_makes_a_full_run(tmp_path, monkeypatch):
    """The claims file gone from data/: its nodes no longer exist, and what pointed at them dangles."""
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    committed = committed_copy([ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl"], tmp_path / "unused")
    for path in committed:
        (repo / "data" / path.name).write_bytes(path.read_bytes())
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "data" / "claims.ttl").unlink()
    monkeypatch.chdir(repo)
    full, _ = v.validate_paths(["data"])
    incremental, _ = v.validate_paths(["data"], changed_since="HEAD")
    assert full.problems and incremental.problems == full.problems
