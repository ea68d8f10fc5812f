"""Exports: each round-trips to the same triples, is sorted and deterministic, and escapes what it must."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib
from conftest import DATA, HOSTILE

from argmap import export
from argmap.load import load_paths
from argmap.model import build_model

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's JSON-LD parser, not ours

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def real_store():
    return load_paths([str(p) for p in DATA]).store


@pytest.fixture(scope="module")
def hostile_store():
    return load_paths([str(HOSTILE)]).store


def triples_of(store: ox.Store) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store}


def parsed(text: str, fmt: ox.RdfFormat, base: str | None = None) -> set[tuple[str, str, str]]:
    return {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in ox.parse(input=text.encode("utf-8"), format=fmt, base_iri=base)
    }


def odd_store() -> ox.Store:
    """Literals that are hard to write: quotes, backslashes, newlines, control characters, non-ASCII,
    language tags, odd datatypes; IRIs that are no valid prefixed name; blank nodes."""
    store = ox.Store()
    s = ox.NamedNode("https://w3id.org/argmap/id/claim/odd")
    p = ox.NamedNode("https://w3id.org/argmap/vocab#text")
    values = [
        ox.Literal('quote " and backslash \\ and \n newline \r\t tab'),
        ox.Literal("control \x01\x1f\x7f end"),
        ox.Literal("ünïcödé — “curly” 中文 \u2028 sep"),
        ox.Literal("hello", language="en-GB"),
        ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("012", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("-1.50", datatype=ox.NamedNode(XSD + "decimal")),
        ox.Literal("1.5E3", datatype=ox.NamedNode(XSD + "double")),
        ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        ox.Literal("not a number", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("x", datatype=ox.NamedNode("https://example.org/dt#odd")),
        ox.NamedNode("https://example.org/path/with(parens)/and~tilde?q=1&r=2#frag"),
        ox.NamedNode("https://w3id.org/argmap/id/claim/has.dot."),
    ]
    for value in values:
        store.add(ox.Quad(s, p, value))
    b1, b2 = ox.BlankNode(), ox.BlankNode()
    store.add(ox.Quad(s, ox.NamedNode("https://w3id.org/argmap/vocab#note"), b1))
    store.add(ox.Quad(b1, p, ox.Literal("first blank")))
    store.add(ox.Quad(b1, p, b2))
    store.add(ox.Quad(b2, p, ox.Literal("second blank")))
    return store


def canonical(store_triples: set) -> set:
    """Triples with blank node labels erased (the round trips relabel them) and doubles compared by value
    (rdflib's JSON-LD reader rewrites "1500" as "1500.0")."""

    def term(text: str) -> str:
        text = re.sub(r"^_:\S+$", "_:", text)
        match = re.match(r'^"([^"]*)"\^\^<http://www.w3.org/2001/XMLSchema#double>$', text)
        return f"double:{float(match.group(1))!r}" if match else text

    return {tuple(term(t) for t in triple) for triple in store_triples}


# ------------------------------------------------------------------------------------ Turtle
@pytest.mark.parametrize("which", ["real", "hostile", "odd"])
def test_turtle_round_trips(which, real_store, hostile_store):
    store = {"real": real_store, "hostile": hostile_store, "odd": odd_store()}[which]
    text = export.turtle(store)
    assert canonical(parsed(text, ox.RdfFormat.TURTLE)) == canonical(triples_of(store))
    graph = rdflib.Graph().parse(data=text, format="turtle")  # a second, independent parser agrees
    assert len(graph) == len(store)


def test_turtle_subjects_are_sorted_with_one_block_each(real_store):
    text = export.turtle(real_store)
    subjects = re.findall(r"^(\S+)\n    ", text, flags=re.MULTILINE)
    prefixes = dict(re.findall(r"^@prefix (\S*): <([^>]*)> \.$", text, flags=re.MULTILINE))

    def expand(name: str) -> str:
        if name.startswith("<"):
            return name[1:-1]
        prefix, _, local = name.partition(":")
        return prefixes[prefix] + local

    iris = [expand(s) for s in subjects]
    assert iris == sorted(iris)
    assert len(iris) == len(set(iris)) == len({q.subject for q in real_store})
    first_predicates = re.findall(r"^\S+\n    (\S+) ", text, flags=re.MULTILINE)
    assert set(first_predicates) == {"a"}  # every node here is typed, and `a` comes first


def test_turtle_declares_only_the_prefixes_it_uses(hostile_store):
    text = export.turtle(hostile_store)
    declared = re.findall(r"^@prefix (\S*):", text, flags=re.MULTILINE)
    body = text.split("\n\n", 1)[1]
    for prefix in declared:
        assert re.search(rf"(?<![\w-]){re.escape(prefix)}:", body), prefix
    assert "schema" not in declared and "prov" not in declared


def test_turtle_of_one_node_is_that_node_only(hostile_store):
    iri = "https://w3id.org/argmap/id/evidence/zebra-downloads"
    text = export.turtle(hostile_store, [iri])
    triples = parsed(text, ox.RdfFormat.TURTLE)
    assert {t[0] for t in triples} == {f"<{iri}>"}
    assert len(triples) == len(list(hostile_store.quads_for_pattern(ox.NamedNode(iri), None, None)))
    assert re.search(r"am:value 6000000 [;.]", text)  # numbers stay numbers


# ------------------------------------------------------------------------------------ N-Triples
@pytest.mark.parametrize("which", ["real", "odd"])
def test_ntriples_round_trip_sorted(which, real_store):
    store = {"real": real_store, "odd": odd_store()}[which]
    text = export.ntriples(store)
    lines = text.split("\n")[:-1]
    assert text.splitlines() == lines  # no line separator hides inside a literal
    assert lines == sorted(lines)
    assert len(lines) == len(store)
    assert all(line.endswith(" .") for line in lines)
    assert canonical(parsed(text, ox.RdfFormat.N_TRIPLES)) == canonical(triples_of(store))


# ------------------------------------------------------------------------------------ JSON-LD
@pytest.mark.parametrize("which", ["real", "hostile", "odd"])
def test_jsonld_round_trips_through_a_json_ld_processor(which, real_store, hostile_store):
    store = {"real": real_store, "hostile": hostile_store, "odd": odd_store()}[which]
    text = export.jsonld(store)
    doc = json.loads(text)
    assert "@context" in doc and "@graph" in doc
    ids = [node["@id"] for node in doc["@graph"]]
    assert len(ids) == len(set(ids))
    graph = rdflib.Graph().parse(data=text, format="json-ld")
    nt = graph.serialize(format="nt")
    assert canonical(parsed(nt, ox.RdfFormat.N_TRIPLES)) == canonical(triples_of(store))


def test_jsonld_of_one_node_is_a_single_object(hostile_store):
    iri = "https://w3id.org/argmap/id/claim/script-label"
    doc = json.loads(export.jsonld(hostile_store, [iri]))
    assert doc["@id"] == "claim:script-label"
    assert doc["@type"] == ["am:Claim"]
    assert doc["rdfs:label"][0].startswith("Weights <script>")
    assert doc["am:supports"] == [{"@id": "claim:hostile-thesis"}]


# ------------------------------------------------------------------------------------ VoID
def test_void_describes_the_dataset(real_store):
    model = build_model(real_store)
    dumps = {"text/turtle": "data/argmap.ttl", "application/n-triples": "data/argmap.nt"}
    text = export.void(real_store, model, dumps)
    graph = rdflib.Graph().parse(data=text, format="turtle", publicID="https://example.org/site/data/void.ttl")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    datasets = list(graph.subjects(rdflib.RDF.type, VOID.Dataset))
    assert datasets == [rdflib.URIRef("https://example.org/site/data/void.ttl#dataset")]
    dataset = datasets[0]
    assert int(graph.value(dataset, VOID.triples)) == len(real_store)
    assert {str(o) for o in graph.objects(dataset, VOID.dataDump)} == {
        "https://example.org/site/data/argmap.ttl",
        "https://example.org/site/data/argmap.nt",
    }
    assert str(graph.value(dataset, VOID.uriSpace)) == "https://w3id.org/argmap/id/"
    partitions = {
        str(graph.value(p, VOID["class"])): int(graph.value(p, VOID.entities))
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert partitions["https://w3id.org/argmap/vocab#OpposingView"] == len(model.of_kind("view"))
    props = {
        str(graph.value(p, VOID.property)): int(graph.value(p, VOID.triples))
        for p in graph.objects(dataset, VOID.propertyPartition)
    }
    assert sum(props.values()) == len(real_store)


# ------------------------------------------------------------------------------------ BibTeX
def _entries(text: str) -> list[str]:
    return [e for e in re.split(r"\n(?=@)", text.strip()) if e]


def test_bibtex_has_an_entry_per_source_and_balanced_braces(real_store):
    model = build_model(real_store)
    text = export.bibtex(model)
    entries = _entries(text)
    assert len(entries) == len(model.of_kind("source")) + len(model.papers())
    keys = [re.match(r"@misc\{([^,]+),", e).group(1) for e in entries]
    assert len(keys) == len(set(keys)) and keys == sorted(keys)
    for entry in entries:
        depth = 0
        for i, char in enumerate(entry):
            if char == "{" and (i == 0 or entry[i - 1] != "\\"):
                depth += 1
            elif char == "}" and (i == 0 or entry[i - 1] != "\\"):
                depth -= 1
            assert depth >= 0, entry
        assert depth == 0, entry
        assert re.search(r"^  title = \{\{.+\}\},$", entry, flags=re.MULTILINE), entry
    paper = model.papers()[0]
    assert f"eprint = {{{paper.arxiv_id}}}" in text


def test_bibtex_escapes_latex_specials(hostile_store):
    text = export.bibtex(build_model(hostile_store))
    assert r"\{braces\}" in text
    assert r"window.\_\_pwned" in text
    assert "Hacker, H. and Co, C." in text
    assert (
        export.bib_escape("50% of R&D costs $5 #1 a_b ~ ^ \\")
        == r"50\% of R\&D costs \$5 \#1 a\_b \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )


# ------------------------------------------------------------------------------------ determinism
def test_exports_are_deterministic_across_processes(real_store, tmp_path):
    code = """
import sys
from argmap import export
from argmap.load import load_paths
from argmap.model import build_model
store = load_paths(sys.argv[1:]).store
model = build_model(store)
out = export.turtle(store) + export.ntriples(store) + export.jsonld(store) + export.bibtex(model)
out += export.void(store, model, {"text/turtle": "data/argmap.ttl"})
sys.stdout.write(out)
"""
    outputs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-c", code, *map(str, DATA)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 100_000


def test_blank_nodes_get_labels_from_their_content():
    first, second = odd_store(), odd_store()  # same content, different internal blank node ids
    assert export.turtle(first) == export.turtle(second)
    assert export.ntriples(first) == export.ntriples(second)
    assert export.jsonld(first) == export.jsonld(second)
