"""`argmap query` on the embedded store: inline, file, named, stdin; every output format; clear errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from argmap.cli import main
from argmap.query import named_queries

BASE = str(Path(__file__).parent / "fixtures" / "base.ttl")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["query", *args], input=input, catch_exceptions=False)


def test_inline_select_as_table_uses_prefixed_names():
    result = run("SELECT ?c ?label WHERE { ?c a am:Claim ; rdfs:label ?label }", "-d", BASE)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["c", "label"]
    assert "claim:fixture-claim" in result.output and "A fixture claim" in result.output
    assert lines[-1] == "(1 row)"


def test_json_is_sparql_results_json():
    result = run("SELECT ?c WHERE { ?c a am:Claim }", "-d", BASE, "--format", "json")
    body = json.loads(result.output)
    assert body["head"]["vars"] == ["c"]
    assert body["results"]["bindings"][0]["c"] == {
        "type": "uri",
        "value": "https://w3id.org/argmap/id/claim/fixture-claim",
    }


def test_csv_and_tsv():
    q = "SELECT ?label ?year WHERE { ?s a am:Source ; rdfs:label ?label ; am:year ?year }"
    rows = list(csv.reader(io.StringIO(run(q, "-d", BASE, "--format", "csv").output)))
    assert rows == [["label", "year"], ["Tester 2026", "2026"]]
    tsv = run(q, "-d", BASE, "--format", "tsv").output.splitlines()
    assert tsv == ["?label\t?year", '"Tester 2026"\t"2026"^^<http://www.w3.org/2001/XMLSchema#gYear>']


def test_ask_and_construct():
    assert run("ASK { ?s a am:Claim }", "-d", BASE).output == "yes\n"
    assert run("ASK { ?s a am:View }", "-d", BASE).output == "no\n"
    out = run("CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a am:Claim ; rdfs:label ?l }", "-d", BASE).output
    assert "@prefix claim: <https://w3id.org/argmap/id/claim/>" in out
    assert 'claim:fixture-claim\n    rdfs:label "A fixture claim" .' in out
    nt = run("DESCRIBE claim:fixture-claim", "-d", BASE, "--format", "ntriples").output
    assert "<https://w3id.org/argmap/id/claim/fixture-claim> <http://www.w3.org/2000/01/rdf-schema#label>" in nt


def test_query_from_file_and_stdin(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a am:Claim }")
    assert run(str(path), "-d", BASE, "--format", "csv").output.splitlines() == ["n", "1"]
    assert run("-", "-d", BASE, "--format", "csv", input=path.read_text()).output.splitlines() == ["n", "1"]


def test_bad_query_gives_one_line_error_with_position():
    result = run("SELECT ?x WHERE { ?x ?y }", "-d", BASE)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: SPARQL syntax error at line 1, column")


def test_error_position_counts_the_users_lines():
    result = run("SELECT ?x\nWHERE {\n ?x ?y }", "-d", BASE)
    assert "line 3, column" in result.output


def test_unknown_named_query_and_missing_file():
    result = run("no-such-query", "-d", BASE)
    assert result.exit_code == 2 and "no named query 'no-such-query'" in result.output
    result = run("missing.rq", "-d", BASE)
    assert result.exit_code == 2 and "missing.rq: no such query file" in result.output


def test_graph_result_rejects_table_only_format():
    result = run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "-d", BASE, "--format", "csv")
    assert result.exit_code == 2 and "is a graph" in result.output


def test_list_shows_every_named_query_with_its_question():
    result = run("--list")
    queries = named_queries()
    assert len(queries) >= 12
    for named in queries:
        assert named.question.endswith(("?", ".")), named.name
        assert f"{named.name} " in result.output and named.question in result.output


def test_every_named_query_parses_and_runs():
    for named in named_queries():
        result = run(named.name, "-d", BASE)
        assert result.exit_code == 0, (named.name, result.output)
