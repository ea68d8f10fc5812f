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
