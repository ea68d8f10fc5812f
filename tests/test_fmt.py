"""`argmap fmt`: one canonical layout, lossless, idempotent, byte-stable; comments kept or named; atomic writes."""

from __future__ import annotations

import difflib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from argmap import fmt
from argmap.cli import main
from argmap.errors import DataError
from argmap.load import TurtleSyntaxError, parse_file

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "data").glob("*.ttl"))
FIXTURES = sorted((ROOT / "tests" / "fixtures").rglob("*.ttl"))


def meant_not_to_parse(path: Path) -> bool:
    """A fixture the loader refuses (bad syntax, NUL, RDF-star: tests/test_validate.py checks each reason) is
    not Turtle for fmt to round-trip either."""
    try:
        parse_file(path)
    except TurtleSyntaxError:
        return True
    return False


def run(*args: str):
    return CliRunner().invoke(main, ["fmt", *args], catch_exceptions=False)


def graph(path: Path) -> rdflib.Graph:
    return rdflib.Graph(bind_namespaces="none").parse(path, format="turtle")


@pytest.mark.parametrize("path", SHIPPED + FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_round_trip_is_lossless_idempotent_and_byte_stable(path: Path, tmp_path: Path):
    if meant_not_to_parse(path):
        pytest.skip("refused by the loader on purpose")
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    first = fmt.format_file(copy).text
    assert first == fmt.format_file(copy).text  # byte-stable: the same input gives the same bytes
    copy.write_text(first, encoding="utf-8")
    assert isomorphic(graph(path), graph(copy)), "the graph changed"
    assert fmt.format_file(copy).text == first  # idempotent: canonical text is a fixed point
    # no comment silently lost: every comment line of the original is in the output or named as dropped
    result = fmt.format_file(path)
    kept = {line.strip() for line in first.splitlines() if line.lstrip().startswith("#")}
    named = {c.text for c in result.dropped}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            assert line.strip() in kept or line.strip() in named, line


def test_shipped_data_is_canonical():
    result = run("--check", *map(str, SHIPPED))
    assert result.exit_code == 0, result.output
    assert "already canonical" in result.output


LAYOUT = textwrap.dedent(
    """\
    # header line one
    # header line two
    @prefix ex: <http://example.org/ns#> .
    @prefix am: <https://w3id.org/argmap/vocab#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix claim: <https://w3id.org/argmap/id/claim/> .

    # about zebra
    claim:zebra am:text "Z text" ; ex:other 1 ; rdfs:label "Zebra" ; a am:Claim ;
        am:supports claim:beta, claim:alpha .
    claim:alpha a am:Claim ;   # trailing remark
        rdfs:label "Alpha" .
    """
)


def test_layout_sorts_subjects_orders_predicates_and_splits_objects(tmp_path: Path):
    path = tmp_path / "layout.ttl"
    path.write_text(LAYOUT, encoding="utf-8")
    result = fmt.format_file(path)
    lines = result.text.splitlines()
    assert lines[:2] == ["# header line one", "# header line two"]
    assert lines[3].startswith("@prefix am:")  # the fixed block comes first, in its fixed order
    assert any(line.startswith("@prefix ex:") for line in lines)  # the file's own prefix, still used, is kept
    body = result.text[result.text.index("claim:alpha a am:Claim") :]
    assert body.index("claim:alpha") < body.index("claim:zebra")  # sorted by IRI, not by file order
    zebra = body[body.index("# about zebra") :]
    assert zebra.splitlines()[1] == "claim:zebra a am:Claim ;"  # the comment travelled with its subject
    order = [zebra.index(s) for s in ("rdfs:label", "am:text", "am:supports", "ex:other")]
    assert order == sorted(order)
    assert "am:supports\n        claim:alpha ,\n        claim:beta ;" in zebra
    assert [c.text for c in result.moved] == ["# trailing remark"]
    assert result.text.index("# trailing remark") < result.text.index("claim:alpha a am:Claim")


def test_comment_that_cannot_be_kept_is_named(tmp_path: Path):
    path = tmp_path / "c.ttl"
    path.write_text(
        "@prefix am: <https://w3id.org/argmap/vocab#> .\n# between prefixes\n@prefix rdfs: "
        '<http://www.w3.org/2000/01/rdf-schema#> .\n[] rdfs:label "x" .\n',
        encoding="utf-8",
    )
    result = run(str(path))
    assert result.exit_code == 0
    assert f"{path}:2: comment not kept (between directives): # between prefixes" in result.stderr


def test_hash_inside_strings_and_iris_is_not_a_comment(tmp_path: Path):
    path = tmp_path / "h.ttl"
    path.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<http://example.org/a#b> rdfs:label "not # a comment" ;\n'
        '    rdfs:comment """two\n# still a string\nlines""" .\n',
        encoding="utf-8",
    )
    result = fmt.format_file(path)
    assert not result.dropped and not result.moved
    path.write_text(result.text, encoding="utf-8")
    assert isomorphic(graph(path), graph(path))
    assert "# still a string" not in [line for line in result.text.splitlines() if line.startswith("#")]


def test_one_new_triple_changes_only_nearby_lines(tmp_path: Path):
    copy = tmp_path / "evidence.ttl"
    shutil.copyfile(SHIPPED[-1], copy)
    before = fmt.format_file(copy).text
    # a statement appended at the end of the file joins its subject's block, in its sorted place
    copy.write_text(before + "evidence:f1-llama-3-1-8b-monthly-downloads am:maxValue 7000000 .\n", encoding="utf-8")
    after = fmt.format_file(copy).text
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == ["+    am:maxValue 7000000 ;"], changed


def test_check_lists_files_that_would_change_and_writes_nothing(tmp_path: Path):
    messy = tmp_path / "messy.ttl"
    messy.write_text(LAYOUT, encoding="utf-8")
    tidy = tmp_path / "tidy.ttl"
    tidy.write_text(fmt.format_file(messy).text, encoding="utf-8")
    result = run("--check", str(messy), str(tidy))
    assert result.exit_code == 1
    assert f"would reformat {messy}" in result.output
    assert str(tidy) not in result.output.replace(f"would reformat {messy}", "")
    assert messy.read_text(encoding="utf-8") == LAYOUT
    assert run(str(messy)).exit_code == 0
    assert run("--check", str(messy), str(tidy)).exit_code == 0


def test_syntax_error_in_any_file_writes_nothing(tmp_path: Path):
    good = tmp_path / "a.ttl"
    good.write_text(LAYOUT, encoding="utf-8")
    bad = tmp_path / "b.ttl"
    bad.write_text("@prefix am: <https://w3id.org/argmap/vocab#> .\nam:x am:y .\n", encoding="utf-8")
    result = run(str(good), str(bad))
    assert result.exit_code == 2
    assert f"{bad}:2" in result.output and "Traceback" not in result.output
    assert good.read_text(encoding="utf-8") == LAYOUT


def test_rdf_star_is_refused_cleanly(tmp_path: Path):
    path = tmp_path / "star.ttl"
    path.write_text("<http://e/a> <http://e/b> << <http://e/c> <http://e/d> <http://e/e> >> .\n", encoding="utf-8")
    with pytest.raises(DataError, match="RDF-star"):
        fmt.format_file(path)


# ------------------------------------------------------------------------------------ crashes
def test_interrupt_during_write_leaves_the_original_and_no_temp_file(tmp_path: Path, monkeypatch):
    path = tmp_path / "data.ttl"
    path.write_text(LAYOUT, encoding="utf-8")
    real_fsync = os.fsync

    def interrupted(fd: int) -> None:  # the temp file is written but not yet in place: Ctrl-C now
        assert os.fstat(fd).st_size > 0
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fmt.write_atomic(path, fmt.format_file(path).text)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert path.read_text(encoding="utf-8") == LAYOUT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.ttl"]


def test_killed_process_mid_write_leaves_the_original(tmp_path: Path):
    path = tmp_path / "data.ttl"
    path.write_text(LAYOUT, encoding="utf-8")
    # a real `argmap fmt` process that is killed (SIGKILL: no cleanup runs) after writing the temp file
    code = textwrap.dedent(
        """
        import os, signal, sys
        os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
        from argmap.cli import main
        main(["fmt", sys.argv[1]])
        """
    )
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL
    assert path.read_text(encoding="utf-8") == LAYOUT
    leftovers = [p for p in tmp_path.iterdir() if p.name != "data.ttl"]
    assert leftovers and parse_file(leftovers[0]).triples  # the temp file was complete, yet never replaced


def test_blank_nodes_get_the_same_labels_on_every_parse(tmp_path: Path):
    # the parser names blank nodes at random; two nodes alike at the first level differ one level down
    path = tmp_path / "blank.ttl"
    path.write_text(
        "@prefix ex: <http://example.org/> .\nex:a ex:p [ ex:q [ ex:r 1 ] ] , [ ex:q [ ex:r 2 ] ] .\n", encoding="utf-8"
    )
    outputs = {fmt.format_file(path).text for _ in range(12)}
    assert len(outputs) == 1
    text = outputs.pop()
    path.write_text(text, encoding="utf-8")
    assert fmt.format_file(path).text == text
