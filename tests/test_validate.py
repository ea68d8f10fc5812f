"""`argmap validate` on real Turtle: the shipped data conforms; each bad fixture is caught and located."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from argmap.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base.ttl"
BAD = sorted((FIXTURES / "bad").glob("*.ttl"))


def expectations(path: Path) -> dict[str, str]:
    """The fixture's first line: `# expect: exit=1 line=12 node=claim:x rule=… message=…`."""
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# expect:"), f"{path.name} lacks its '# expect:' line"
    pairs = re.findall(r"(\w+)=(.*?)(?=\s+\w+=|$)", header.removeprefix("# expect:").strip())
    return dict(pairs)


def run(*args: str):
    return CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)


@pytest.mark.parametrize("fixture", BAD, ids=[p.stem for p in BAD])
def test_bad_fixture_is_caught_with_file_line_node_and_rule(fixture: Path):
    expect = expectations(fixture)
    result = run(str(BASE), str(fixture))
    assert result.exit_code == int(expect["exit"]), result.output
    assert "Traceback" not in result.output
    if expect["exit"] == "0":
        assert "conform" in result.output
        return
    lines = [line for line in result.output.splitlines() if line.startswith(str(fixture))]
    assert lines, f"no problem reported in {fixture}:\n{result.output}"
    first = lines[0]
    assert first.startswith(f"{fixture}:{expect['line']}:"), first
    if "node" in expect:
        assert f" {expect['node']} — " in first, first
    assert expect["rule"] in first, first
    if "message" in expect:
        assert expect["message"] in first, first


def test_base_fixture_conforms():
    result = run(str(BASE))
    assert result.exit_code == 0, result.output


def test_shipped_data_conforms(monkeypatch):
    monkeypatch.chdir(Path(__file__).parent.parent)  # the defaults are the data/ files of the repository
    result = run()
    assert result.exit_code == 0, result.output
    assert re.search(r"ok: 2 file\(s\), \d+ triples conform", result.output)


def test_json_report_lists_every_problem_with_location():
    result = run(str(BASE), str(FIXTURES / "bad" / "missing-label.ttl"), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False
    [problem] = report["problems"]
    assert problem["line"] == 12 and problem["node"] == "claim:no-label"
    assert problem["file"].endswith("missing-label.ttl")


def test_github_format_prints_annotations():
    result = run(str(BASE), str(FIXTURES / "bad" / "wrong-datatype-date.ttl"), "--format", "github")
    assert result.exit_code == 1
    assert re.search(
        r"^::error file=.*wrong-datatype-date\.ttl,line=12::evidence:figure-string-date — ", result.output, re.M
    )


def test_all_problems_are_collected_before_reporting():
    bad = FIXTURES / "bad"
    result = run(
        str(BASE), str(bad / "missing-label.ttl"), str(bad / "source-uncited.ttl"), str(bad / "dangling-reference.ttl")
    )
    assert result.exit_code == 1
    assert "3 problem(s)" in result.output
    # syntax errors of several files are all reported too
    result = run(str(bad / "syntax-error.ttl"), str(FIXTURES / "bad" / "syntax-error.ttl"))
    assert result.output.count("syntax —") == 2


def test_missing_file_exits_2_without_traceback(tmp_path):
    result = run(str(tmp_path / "nope.ttl"))
    assert result.exit_code == 2
    assert "no such file" in result.output and "Traceback" not in result.output


def test_not_utf8_is_a_problem_at_line_and_column(tmp_path):
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes(b"# caf\xe9\n")
    result = run(str(bad))
    assert result.exit_code == 1 and "not UTF-8" in result.output
    assert f"{bad}:1:6: encoding — " in result.output


def test_a_second_paper_joins_without_vocabulary_change(monkeypatch):
    monkeypatch.chdir(Path(__file__).parent.parent)
    result = run("data/claims.ttl", "data/evidence.ttl", str(FIXTURES / "second-paper.ttl"))
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------- hostile and careless input

HOSTILE = FIXTURES / "hostile"


def test_issue_example_misspelt_subject_appended_to_the_shipped_claims(tmp_path, monkeypatch):
    """Issue 7's example: the link to a misspelt claim used to validate "ok" and vanish from the site."""
    monkeypatch.chdir(Path(__file__).parent.parent)
    claims = tmp_path / "claims.ttl"
    text = Path("data/claims.ttl").read_text(encoding="utf-8")
    claims.write_text(
        text + "claim:open-weights-are-inret am:supports claim:open-source-ai-needs-public-ai .\n", encoding="utf-8"
    )
    line = text.count("\n") + 1
    result = run(str(claims), "data/evidence.ttl")
    assert result.exit_code == 1, result.output
    [problem] = [p for p in result.output.splitlines() if p.startswith(str(claims))]
    assert problem.startswith(f"{claims}:{line}: claim:open-weights-are-inret — undefined-subject — ")
    assert problem.endswith("did you mean claim:open-weights-are-inert?")


def test_utf8_byte_order_mark_is_accepted():
    result = run(str(HOSTILE / "bom.ttl"))
    assert result.exit_code == 0, result.output
    assert "conform" in result.output


@pytest.mark.parametrize(
    ("name", "line", "column"), [("rdf-star-annotation.ttl", 60, 53), ("rdf-star-quoted.ttl", 60, 1)]
)
def test_rdf_star_is_refused_at_its_line_and_column(name, line, column):
    path = HOSTILE / name
    result = run(str(path))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith(f"{path}:{line}:{column}: rdf-star — RDF-star quoted triples")


def test_rdf_star_refused_by_the_shared_loader_too():
    from argmap.errors import DataError
    from argmap.load import load_paths

    with pytest.raises(DataError, match=r"rdf-star-quoted\.ttl:60:1: rdf-star"):
        load_paths([HOSTILE / "rdf-star-quoted.ttl"])


def test_nul_character_is_a_problem_at_line_and_column():
    path = HOSTILE / "nul.ttl"
    result = run(str(path))
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"{path}:40:26: encoding — a NUL character (U+0000)")


def test_undecodable_byte_after_the_first_line_gives_line_and_character_column(tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_bytes('@prefix a: <http://a/> .\na:s a:p "café déjà '.encode() + b'\xff" .\n')
    result = run(str(bad))
    assert result.exit_code == 1, result.output
    # column counts characters (é is two bytes), not bytes
    assert result.output.startswith(f"{bad}:2:20: encoding — not UTF-8 text")


def test_file_over_the_size_limit_is_refused_naming_the_limit(tmp_path):
    from argmap.load import MAX_FILE_BYTES

    big = tmp_path / "big.ttl"
    big.write_text("#" * (MAX_FILE_BYTES + 1) + "\n", encoding="utf-8")
    result = run(str(big))
    assert result.exit_code == 2, result.output
    assert f"exceeds the file size limit of {MAX_FILE_BYTES // 1048576} MB" in result.output
    assert "Traceback" not in result.output


def test_files_over_the_total_limit_are_refused_naming_the_limit(tmp_path, monkeypatch):
    from argmap import load

    # the same rule at a smaller scale, so the test writes megabytes, not hundreds of them
    monkeypatch.setattr(load, "MAX_FILE_BYTES", MAX_FILE_BYTES := 1024 * 1024)
    monkeypatch.setattr(load, "MAX_TOTAL_BYTES", MAX_TOTAL_BYTES := 3 * 1024 * 1024)
    count = MAX_TOTAL_BYTES // MAX_FILE_BYTES + 1
    paths = []
    for i in range(count):
        path = tmp_path / f"part{i}.ttl"
        path.write_text("#" * (MAX_FILE_BYTES - 10) + "\n", encoding="utf-8")
        paths.append(str(path))
    result = run(*paths)
    assert result.exit_code == 2, result.output
    assert f"exceed the limit of {MAX_TOTAL_BYTES // 1048576} MB for one run" in result.output


def test_literal_over_the_parsers_16_mb_buffer_names_file_and_line(tmp_path, monkeypatch):
    """pyoxigraph refuses a literal over 16 MB with MemoryError; with the file limit raised, it is still located."""
    from argmap import load

    monkeypatch.setattr(load, "MAX_FILE_BYTES", 64 * 1024 * 1024)
    monkeypatch.setattr(load, "MAX_TOTAL_BYTES", 64 * 1024 * 1024)
    huge = tmp_path / "huge.ttl"
    huge.write_text('@prefix a: <http://a/> .\n\na:s a:p\n  "' + "x" * (17 * 1024 * 1024) + '" .\n', encoding="utf-8")
    result = run(str(huge))
    assert result.exit_code == 1, result.output[:500]
    assert result.output.startswith(f"{huge}:4:3: size — the parser ran out of memory here")


def test_two_megabyte_literal_is_validated_and_shown_shortened(tmp_path):
    """A 2 MB literal went through rdflib's quadratic N-Triples reader (80 s); the graph is now built term by term."""
    path = tmp_path / "long.ttl"
    path.write_text(
        BASE.read_text(encoding="utf-8")
        + '\nevidence:long-quote a am:Quote ;\n    rdfs:label "Long" ;\n    am:quote "'
        + "x" * (2 * 1024 * 1024)
        + '" ;\n    am:locator "p. 1" ;\n    am:source source:fixture-source ;\n'
        "    am:contributedBy org:fixture-contributors ;\n    am:supports claim:fixture-claim .\n",
        encoding="utf-8",
    )
    result = run(str(path))
    assert result.exit_code == 1
    [line] = result.output.splitlines()[:-1]
    assert line.startswith(f"{path}:59: evidence:long-quote — QuoteShape am:quote sh:maxLength") or (
        " am:quote sh:maxLength " in line and line.startswith(f"{path}:59: evidence:long-quote — ")
    )
    assert len(line) < 600


def test_rdflib_graph_is_the_same_as_through_n_triples():
    """The graph pySHACL gets, now built term by term, is the graph the N-Triples round trip gave, on every input."""
    import pyoxigraph as ox
    import rdflib
    from rdflib.compare import isomorphic

    from argmap import validate as v
    from argmap.load import load_paths

    def through_n_triples(store):
        supers = v._superclasses()
        rdf_type = ox.NamedNode(str(rdflib.RDF.type))
        triples = []
        for quad in store:
            triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
            if quad.predicate == rdf_type:
                triples += [
                    ox.Triple(quad.subject, rdf_type, ox.NamedNode(c)) for c in supers.get(quad.object.value, ())
                ]
        graph = rdflib.Graph(bind_namespaces="none")
        return graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")

    inputs = [[BASE, p] for p in BAD if "syntax" not in p.name and "undeclared" not in p.name]
    inputs += [[HOSTILE / "debate.ttl"], [FIXTURES / "second-paper.ttl"]]
    root = Path(__file__).parent.parent
    inputs.append([root / "data" / "claims.ttl", root / "data" / "evidence.ttl"])
    for paths in inputs:
        store = load_paths(paths).store
        assert isomorphic(v._rdflib_graph(store), through_n_triples(store)), paths


def test_github_annotations_escape_data_and_properties(tmp_path):
    """%, CR and LF escaped in the message; also : and , in properties such as the file name."""
    path = tmp_path / "odd,name:here.ttl"
    path.write_text(
        BASE.read_text(encoding="utf-8").replace('am:asOf "2026-01-29"^^xsd:date', "")
        + '\nevidence:percent a am:Figure ;\n    rdfs:label "Percent" ;\n    am:figureId "FP" ;\n'
        '    am:measures "Share" ;\n    am:value 5 ;\n    am:unit "%" ;\n    am:asOf """50% of\r\n2026""" ;\n'
        '    am:locator "p. 1" ;\n    am:source source:fixture-source ;\n'
        "    am:contributedBy org:fixture-contributors ;\n    am:supports claim:fixture-claim .\n",
        encoding="utf-8",
    )
    result = run(str(path), "--format", "github")
    assert result.exit_code == 1, result.output
    [annotation] = [line for line in result.output.splitlines() if line.startswith("::error ")]
    escaped = str(path).replace(",", "%2C").replace(":", "%3A")
    assert annotation.startswith(f"::error file={escaped},line=59::evidence:percent — FigureShape am:asOf ")
    assert '(found "50%25 of\\r\\n2026")' in annotation  # the value's line break stays on the one line
    assert result.output.count("\n") == 2


def test_an_internal_crash_is_exit_2_with_one_line_and_no_traceback(monkeypatch):
    """A bug is not 'problems found': exit 2, one line naming the exception, no traceback."""
    from argmap.cli import validate_cmd

    def crash(*args, **kwargs):
        raise RuntimeError("simulated fault inside the library")

    monkeypatch.setattr(validate_cmd, "validate_paths", crash)
    result = CliRunner().invoke(main, ["validate", str(BASE)])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("Error: validation crashed (RuntimeError: simulated fault inside the library)")


def test_blank_node_labels_are_scoped_to_their_file(tmp_path):
    """`_:n` in two files is two nodes (RDF's rule): each is reported in its own file, at its own line."""
    paths = []
    for name, padding in (("one.ttl", ""), ("two.ttl", "\n\n")):
        path = tmp_path / name
        path.write_text(
            "@prefix am: <https://w3id.org/argmap/vocab#> .\n"
            + padding
            + '_:n a am:Organisation ;\n    <http://www.w3.org/2000/01/rdf-schema#label> "Nameless" .\n',
            encoding="utf-8",
        )
        paths.append(path)
    result = run(*map(str, paths))
    assert result.exit_code == 1
    located = sorted(line.split(" — ")[0].rsplit(": ", 1)[0] for line in result.output.splitlines()[:-1])
    assert located == [f"{paths[0]}:2", f"{paths[1]}:4"], result.output


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_device_is_refused_at_the_size_limit_without_reading_it_all():
    result = run("/dev/zero")
    assert result.exit_code == 2, result.output
    from argmap import load

    mb = load.MAX_FILE_BYTES // 1048576
    assert f"/dev/zero: reads as more than {mb} MB: exceeds the file size limit of {mb} MB" in result.output


def test_dash_reads_the_data_from_standard_input():
    base = (FIXTURES / "base.ttl").read_text(encoding="utf-8")
    ok = CliRunner().invoke(main, ["validate", "-"], input=base)
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(
        main, ["validate", "-", "--format", "json"], input=(FIXTURES / "bad" / "missing-label.ttl").read_bytes()
    )
    assert bad.exit_code == 1
    assert {p["file"] for p in json.loads(bad.output)["problems"]} == {"-"}
