"""`argmap export`: each format is written by the real CLI and read back by its real consumer — the Argdown CLI
from npm, json, rdflib and pyoxigraph, networkx, Python's csv module — with the same items, relations and texts
as the model, for the shipped data and for a fixture whose every text is hostile to some format."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from conftest import DATA, ROOT

from argmap.cli import main
from argmap.load import load_paths
from argmap.model import STATEMENT_KINDS, Model, build_model

HOSTILE_EXPORT = ROOT / "tests" / "fixtures" / "export" / "hostile-labels.ttl"
INVALID = ROOT / "tests" / "fixtures" / "bad" / "missing-label.ttl"
ARGDOWN = ROOT / "node_modules" / ".bin" / "argdown"
AIF = "http://www.arg.dundee.ac.uk/aif#"
DATASETS = {"shipped": [str(p) for p in DATA], "hostile": [str(HOSTILE_EXPORT)]}


def export(tmp_path: Path, fmt: str, paths: list[str], name: str = "out") -> Path:
    """`argmap export --format FMT -o tmp_path/NAME -d …`, as a user runs it."""
    target = tmp_path / name
    result = CliRunner().invoke(
        main, ["export", "--format", fmt, "-o", str(target), *[a for p in paths for a in ("-d", p)]]
    )
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, tuple[Model, dict[str, Path]]]:
    """Every format of both datasets, written by the functions `argmap export` calls (make_export, then
    write_export), validating each dataset once; the CLI's own path is tested on the small fixture below."""
    from argmap.interchange import FORMATS, make_export, write_export
    from argmap.validate import load_valid

    found = {}
    for name, paths in DATASETS.items():
        folder = tmp_path_factory.mktemp(name)
        loaded = load_valid(paths)
        model = build_model(loaded.store)
        files = {}
        for fmt, spec in FORMATS.items():
            files[fmt] = folder / (fmt if spec.several_files else f"{fmt}{spec.suffix}")
            write_export(make_export(fmt, loaded, model), files[fmt], None)
        found[name] = (model, files)
    return found


@pytest.fixture(scope="module", params=sorted(DATASETS))
def dataset(request, exported) -> tuple[Model, dict[str, Path]]:
    return exported[request.param]


# ------------------------------------------------------------------------------------ what the model says
def one_line(text: str) -> str:
    return " ".join(text.split())


def statements(model: Model) -> dict[str, str]:
    """IRI -> the text every argument format must carry (am:text, else the label)."""
    return {n.iri: (n.text or n.label) for n in model.of_kind(*STATEMENT_KINDS, "evidence")}


def inferences(model: Model) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    return {
        n.iri: (
            frozenset(e.source for e in model.incoming(n.iri, "premise")),
            frozenset(e.target for e in model.outgoing(n.iri, "concludes")),
        )
        for n in model.of_kind("inference")
    }


def argument_relations(model: Model) -> set[tuple[str, str, str]]:
    items = set(statements(model))
    found = {(e.source, e.relation, e.target) for e in model.edges if e.relation in ("supports", "attacks")}
    found |= {(e.source, e.relation, e.target) for e in model.edges if e.relation == "undercuts"}
    return {(s, r, t) for s, r, t in found if s in items and (t in items or t in inferences(model))}


def test_the_fixtures_exercise_every_relation(dataset):
    model, _ = dataset
    kinds = {r for _, r, _ in argument_relations(model)}
    assert kinds == {"supports", "attacks", "undercuts"}
    assert inferences(model)


# ------------------------------------------------------------------------------------ Argdown
def test_argdown_is_read_back_by_the_argdown_cli(dataset, tmp_path):
    if not (ARGDOWN.is_file() and shutil.which("node")):
        reason = "the Argdown CLI is not installed (run `npm ci`)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the Argdown round trip must run")
        pytest.skip(reason)
    model, files = dataset
    run = subprocess.run(
        [str(ARGDOWN), "json", str(files["argdown"]), str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "error" not in (run.stdout + run.stderr).lower(), run.stdout + run.stderr
    parsed = json.loads((tmp_path / f"{files['argdown'].stem}.json").read_text(encoding="utf-8"))

    iri_of = {title: s["data"]["iri"] for title, s in parsed["statements"].items()}
    iri_of.update({title: a["data"]["iri"] for title, a in parsed["arguments"].items()})
    texts = {}
    for title, statement in parsed["statements"].items():
        defined = [m["text"] for m in statement["members"] if not m.get("isReference")]
        assert len(defined) == 1, (title, defined)
        texts[iri_of[title]] = defined[0]
    assert texts == {iri: one_line(text) for iri, text in statements(model).items()}

    words = {"support": "supports", "attack": "attacks", "undercut": "undercuts"}
    relations = {(iri_of[r["from"]], words[r["relationType"]], iri_of[r["to"]]) for r in parsed["relations"]}
    assert relations == argument_relations(model)

    arguments = {}
    for title, argument in parsed["arguments"].items():
        premises = frozenset(iri_of[s["title"]] for s in argument["pcs"] if s["role"] == "premise")
        conclusions = frozenset(iri_of[s["title"]] for s in argument["pcs"] if s["role"] == "main-conclusion")
        arguments[iri_of[title]] = (premises, conclusions)
    assert arguments == inferences(model)


# ------------------------------------------------------------------------------------ AIF JSON
def test_aif_json_has_the_aifdb_structure_and_round_trips(dataset):
    model, files = dataset
    document = json.loads(files["aif-json"].read_text(encoding="utf-8"))
    assert set(document) == {"nodes", "edges", "locutions"} and document["locutions"] == []
    nodes = {n["nodeID"]: n for n in document["nodes"]}
    assert len(nodes) == len(document["nodes"])
    assert all(isinstance(i, str) and set(n) == {"nodeID", "text", "type"} for i, n in nodes.items())
    assert {n["type"] for n in nodes.values()} == {"I", "RA", "CA"}
    into: dict[str, list[str]] = {i: [] for i in nodes}
    out_of: dict[str, list[str]] = {i: [] for i in nodes}
    assert len({e["edgeID"] for e in document["edges"]}) == len(document["edges"])
    for edge in document["edges"]:
        assert set(edge) == {"edgeID", "fromID", "toID", "formEdgeID"} and edge["formEdgeID"] is None
        into[edge["toID"]].append(edge["fromID"])
        out_of[edge["fromID"]].append(edge["toID"])

    expected = statements(model)
    by_text = {text: iri for iri, text in expected.items()}
    assert len(by_text) == len(expected), "the round trip maps I-nodes back by their text, so texts must differ"
    iri = {i: by_text[n["text"]] for i, n in nodes.items() if n["type"] == "I"}
    assert sorted(iri.values()) == sorted(expected)
    for i, node in nodes.items():
        if node["type"] != "I":  # AIF: a scheme node has premises and exactly one conclusion; I-nodes never meet
            assert into[i] and len(out_of[i]) == 1, node
            assert node["text"] == {"RA": "Default Inference", "CA": "Default Conflict"}[node["type"]]
        else:
            assert all(nodes[j]["type"] != "I" for j in into[i] + out_of[i])

    premises = {i: [p for p in into[i] if nodes[p]["type"] == "I"] for i in nodes}  # a CA may flow into an RA
    ra_of = {}  # an RA-node stands for the named inference with its premises and conclusion, if there is one
    named = {v: k for k, v in inferences(model).items()}
    for i, node in nodes.items():
        if node["type"] == "RA":
            key = (frozenset(iri[p] for p in premises[i]), frozenset(iri[c] for c in out_of[i]))
            ra_of[i] = named.get(key)
    relations = set()
    for i, node in nodes.items():
        if node["type"] == "RA":
            relations |= {(iri[p], "supports", iri[out_of[i][0]]) for p in premises[i]}
        elif node["type"] == "CA":
            (target,) = out_of[i]
            if nodes[target]["type"] == "I":
                relations |= {(iri[p], "attacks", iri[target]) for p in into[i]}
            else:
                relations |= {(iri[p], "undercuts", ra_of[target]) for p in into[i]}
    assert relations == argument_relations(model)
    assert sorted(i for i in ra_of.values() if i) == sorted(inferences(model))


# ------------------------------------------------------------------------------------ AIF-RDF
def test_aif_rdf_is_read_by_rdflib_and_pyoxigraph(dataset):
    model, files = dataset
    path = files["aif-rdf"]
    assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) > 0
    graph = rdflib.Graph().parse(path, format="turtle")
    aif = rdflib.Namespace(AIF)
    texts = {str(s): str(o) for s, o in graph.subject_objects(aif.claimText)}
    assert texts == statements(model)
    assert set(map(str, graph.subjects(rdflib.RDF.type, aif["I-node"]))) == set(statements(model))

    def ends(node):
        return (
            frozenset(str(p) for p in graph.objects(node, aif.Premise)),
            frozenset(str(c) for c in graph.objects(node, aif.Conclusion)),
        )

    named = {str(s): ends(s) for s in graph.subjects(rdflib.RDF.type, aif["RA-node"]) if str(s) in inferences(model)}
    assert named == inferences(model)
    relations = set()
    for node in graph.subjects(rdflib.RDF.type, aif["RA-node"]):
        premises, (conclusion,) = ends(node)
        relations |= {(p, "supports", conclusion) for p in premises}
    for node in graph.subjects(rdflib.RDF.type, aif["CA-node"]):
        premises, (target,) = ends(node)
        relation = "undercuts" if (rdflib.URIRef(target), rdflib.RDF.type, aif["RA-node"]) in graph else "attacks"
        relations |= {(p, relation, target) for p in premises}
    assert relations == argument_relations(model)


# ------------------------------------------------------------------------------------ GraphML and CSV
def map_expected(model: Model) -> tuple[dict[str, tuple[str, str, str]], set[tuple[str, str, str]]]:
    nodes = {n.iri: (n.kind, n.label, n.text or "") for n in model.map_nodes()}
    edges = {(e.source, e.target, e.relation) for e in model.edges if e.source in nodes and e.target in nodes}
    return nodes, edges


def test_graphml_is_read_back_by_networkx(dataset):
    model, files = dataset
    graph = nx.read_graphml(files["graphml"])
    nodes, edges = map_expected(model)
    assert {n: (d["kind"], d["label"], d.get("text", "")) for n, d in graph.nodes(data=True)} == nodes
    assert {(u, v, d["relation"]) for u, v, d in graph.edges(data=True)} == edges
    assert graph.number_of_edges() == len(edges)  # one edge per relation, none twice
    assert all(isinstance(d["x"], int) and isinstance(d["y"], int) for _, d in graph.nodes(data=True))


def test_csv_is_read_back_by_the_csv_module(dataset):
    model, files = dataset
    folder = files["csv"]
    assert sorted(p.name for p in folder.iterdir()) == ["edges.csv", "nodes.csv"]
    with open(folder / "nodes.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with open(folder / "edges.csv", newline="", encoding="utf-8") as handle:
        edge_rows = list(csv.DictReader(handle))
    nodes, edges = map_expected(model)
    assert {r["id"]: (r["kind"], r["label"], r["text"]) for r in rows} == nodes and len(rows) == len(nodes)
    assert {(r["source"], r["target"], r["relation"]) for r in edge_rows} == edges and len(edge_rows) == len(edges)


def test_the_hostile_fixture_is_hostile():
    """It holds the values that break naive writers (the round trips above compare every value)."""
    model = build_model(load_paths([str(HOSTILE_EXPORT)]).store)
    labels = {n.label for n in model.map_nodes()}
    assert '=HYPERLINK("http://example.org","click")' in labels
    assert "</data></node></graph></graphml> ]]> <![CDATA[ x ]]> &amp; &lt;" in labels
    texts = {n.text for n in model.map_nodes() if n.text}
    assert any("\n" in t for t in texts) and any("\t" in t for t in texts)


# ------------------------------------------------------------------------------------ RDF dumps, determinism
@pytest.mark.parametrize(
    "fmt, download",
    [("turtle", "argmap.ttl"), ("ntriples", "argmap.nt"), ("jsonld", "argmap.jsonld"), ("bibtex", "sources.bib")],
)
def test_the_rdf_dumps_and_bibtex_are_the_sites_downloads_byte_for_byte(fmt, download, built_site, exported):
    _, files = exported["shipped"]
    assert files[fmt].read_bytes() == (built_site / "data" / download).read_bytes()


def test_every_format_is_deterministic_and_goes_to_standard_output(tmp_path):
    from argmap.interchange import FORMATS

    runner = CliRunner()
    for fmt in FORMATS:
        if FORMATS[fmt].several_files:
            first = export(tmp_path, fmt, DATASETS["hostile"], "a")
            second = export(tmp_path, fmt, DATASETS["hostile"], "b")
            assert [p.read_bytes() for p in sorted(first.iterdir())] == [
                p.read_bytes() for p in sorted(second.iterdir())
            ]
            continue
        runs = [runner.invoke(main, ["export", "--format", fmt, "-d", str(HOSTILE_EXPORT)]) for _ in range(2)]
        assert all(r.exit_code == 0 for r in runs), runs[0].output
        assert runs[0].stdout_bytes == runs[1].stdout_bytes and runs[0].stdout_bytes
        assert export(tmp_path, fmt, DATASETS["hostile"], fmt).read_bytes() == runs[0].stdout_bytes


def test_standard_input_is_read_with_dash():
    text = HOSTILE_EXPORT.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--format", "argdown", "-d", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert "[claim:export-thesis]: " in result.stdout


# ------------------------------------------------------------------------------------ bad input
def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_an_unknown_format_is_a_usage_error():
    result = CliRunner().invoke(main, ["export", "--format", "pdf"])
    assert "'pdf' is not one of" in one_line_error(result, 2)


def test_an_unwritable_output_is_refused_and_nothing_is_left(tmp_path):
    target = tmp_path / "missing-folder" / "debate.argdown"
    result = CliRunner().invoke(main, ["export", "--format", "argdown", "-d", str(HOSTILE_EXPORT), "-o", str(target)])
    assert "cannot write" in one_line_error(result, 2)
    assert not (tmp_path / "missing-folder").exists()


def test_a_folder_is_not_a_file_to_write(tmp_path):
    result = CliRunner().invoke(main, ["export", "--format", "graphml", "-d", str(HOSTILE_EXPORT), "-o", str(tmp_path)])
    assert "is a folder" in one_line_error(result, 2)
    assert list(tmp_path.iterdir()) == []


def test_csv_needs_a_folder(tmp_path):
    result = CliRunner().invoke(main, ["export", "--format", "csv", "-d", str(HOSTILE_EXPORT)])
    assert "give a folder" in one_line_error(result, 2)
    taken = tmp_path / "taken.csv"
    taken.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--format", "csv", "-d", str(HOSTILE_EXPORT), "-o", str(taken)])
    assert "is not a folder" in one_line_error(result, 2)
    assert taken.read_text(encoding="utf-8") == "keep me"


def test_invalid_data_exports_nothing_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "debate.argdown"
    target.write_text("the previous export", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--format", "argdown", "-d", str(INVALID), "-o", str(target)])
    assert "nothing was exported" in one_line_error(result, 1)
    assert "rdfs:label" in result.stderr  # the validation report says what to fix
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["debate.argdown"]  # no temporary file left behind


def test_the_argument_and_map_exports_of_the_shipped_data_are_deterministic(exported):
    from argmap import interchange

    _, files = exported["shipped"]
    again = build_model(load_paths(DATASETS["shipped"]).store)  # a second load: new blank nodes, same bytes
    for fmt, make in (
        ("argdown", interchange.argdown),
        ("aif-json", interchange.aif_json),
        ("aif-rdf", interchange.aif_rdf),
        ("graphml", interchange.graphml),
    ):
        assert make(again).encode("utf-8") == files[fmt].read_bytes(), fmt
    for name, text in interchange.csv_files(again).items():
        assert text.encode("utf-8") == (files["csv"] / name).read_bytes(), name
