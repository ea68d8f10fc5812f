"""`argmap analyse` through the real CLI (click's CliRunner) on the shipped data and on small Turtle fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from argmap.cli import main
from argmap.config import PREFIXES

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REASONING = FIXTURES / "reasoning"
DATA = ["-d", str(ROOT / "data" / "claims.ttl"), "-d", str(ROOT / "data" / "evidence.ttl")]
AS_OF = ["--as-of", "2026-12-03"]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["analyse", *args], input=input, catch_exceptions=False)


def as_json(*args: str) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def shipped() -> dict:
    return as_json(*DATA, *AS_OF)


def test_json_on_the_shipped_data(shipped: dict):
    status = shipped["status"]
    thesis = PREFIXES["claim"] + "open-source-ai-needs-public-ai"
    assert status[thesis]["value"] == "accepted"
    views = [iri for iri in status if iri.startswith(PREFIXES["view"])]
    assert len(views) == 5 and all(status[v]["value"] == "rejected" for v in views)
    assert sum(shipped["counts"].values()) == len(status)
    assert shipped["semantics"] == "grounded" and shipped["labellings"] == 1
    responses = [iri for iri in status if iri.startswith(PREFIXES["response"])]
    assert sum(1 for r in responses if "paper-only" in status[r]["flags"]) == 20
    assert len(responses) == 23


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_each_format_is_deterministic(fmt: str):
    one = run(*DATA, *AS_OF, "--format", fmt, "--retract", "R2b")
    two = run(*DATA, *AS_OF, "--format", fmt, "--retract", "R2b")
    assert one.exit_code == 0, one.output
    assert one.stdout == two.stdout
    assert one.stdout.endswith("\n")


def test_table_names_the_thesis_views_and_the_thin_evidence():
    result = run(*DATA, *AS_OF)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("argmap analyse: grounded semantics, ")
    assert "  accepted: C-ABS-2 “Open source AI must be complemented by public AI”: every attacker rejected" in out
    assert "  rejected: V4 “Regulation is a better tool than public investment”: defeated by accepted R4a, R4b" in out
    assert "20 of 23 responses" in out
    assert "challenged by an outside check (9)" in out


def test_what_if_by_outline_id_and_by_prefixed_name():
    # R2b supports R2a, which has other supports, and V2 has four other accepted responses: nothing else changes
    result = run(*DATA, *AS_OF, "--retract", "R2b")
    assert result.exit_code == 0, result.output
    assert "As if retracted: R2b." in result.stdout
    assert "  rejected: R2b “" in result.stdout and "”: retracted (what-if)" in result.stdout
    assert "beyond the retracted items (0)\n  nothing else: every other status stays as it is" in result.stdout
    # R2b rests on one quote of the paper: without it R2b loses all evidence and is undecided; V2 stays rejected
    result = run(*DATA, *AS_OF, "--retract", "evidence:quote-llama-as-component")
    changes = result.stdout.split("beyond the retracted items (2)\n")[1].split("\n\n")[0].splitlines()
    assert [line.split("”")[0].split(" “")[0] for line in changes] == ["  R2b", "  R2b"]
    assert [line.split("” ")[1] for line in changes] == ["loses all evidence", "accepted → undecided"]


def test_what_if_through_the_cli_makes_v4_and_the_thesis_undecided():
    # the four quotes behind R4a and R4b (tests/test_reasoning.py explains why this unseats V4 and the thesis)
    quotes = [
        "evidence:quote-regulation-little-access",
        "evidence:quote-regulation-not-sufficient",
        "evidence:quote-complements-regulation",
        "evidence:quote-public-ai-proactive",
    ]
    args = [a for q in quotes for a in ("--retract", q)]
    data = as_json(*DATA, *AS_OF, *args)
    changes = [(c["iri"].rsplit("/", 1)[1], c["what"]) for c in data["changes"]]
    assert changes[-2:] == [
        ("regulation-beats-investment", "rejected → undecided"),
        ("open-source-ai-needs-public-ai", "accepted → undecided"),
    ]
    assert sorted(data["retracted"]) == sorted(PREFIXES["evidence"] + q.split(":")[1] for q in quotes)
    table = run(*DATA, *AS_OF, *args).stdout
    assert "  V4 “Regulation is a better tool than public investment” rejected → undecided" in table
    assert "  R4b “" in table and "loses all evidence" in table


def test_a_figure_id_names_every_figure_that_has_it():
    data = as_json(*DATA, *AS_OF, "--retract", "F6")
    assert len(data["retracted"]) == 3
    assert all(i.startswith(PREFIXES["evidence"] + "f6-") for i in data["retracted"])


def test_unknown_id_is_one_line_with_close_matches_and_exit_2():
    result = run(*DATA, "--retract", "R3x")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: --retract 'R3x' names no statement, evidence, inference or source; did you mean R3d, R3c, R3b?"
    ]
    result = run(*DATA, "--retract", "view:market-is-workin")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "did you mean view:market-is-working?" in result.stderr
    result = run(*DATA, "--retract", "qwen")
    assert result.exit_code == 2
    assert "matches 8 items" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--as-of", "yesterday"], "--as-of 'yesterday' is not a date (YYYY-MM-DD)"),
        (["--retract", "paper:open-source-must-go-public-v1"], "is not an am:Statement or am:Evidence"),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], message: str):
    result = run(*DATA, *args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr


def test_data_without_items_is_refused():
    only_a_source = (
        "@prefix am: <https://w3id.org/argmap/vocab#> .\n<https://w3id.org/argmap/id/source/s> a am:Source .\n"
    )
    result = run("-d", "-", input=only_a_source)
    assert result.exit_code == 2
    assert result.stderr == "Error: the data holds no statement, evidence or inference to analyse\n"


def test_bad_turtle_is_one_line_with_file_and_line():
    bad = FIXTURES / "bad" / "syntax-error.ttl"
    result = run("-d", str(bad))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {bad}:")


def test_stdin_and_the_semantics_option():
    text = (REASONING / "even-cycle.ttl").read_text(encoding="utf-8")
    grounded = json.loads(run("-d", "-", "--format", "json", *AS_OF, input=text).stdout)
    preferred = json.loads(run("-d", "-", "--format", "json", "--semantics", "preferred", *AS_OF, input=text).stdout)
    stable = json.loads(run("-d", "-", "--format", "json", "--semantics", "stable", *AS_OF, input=text).stdout)
    d = PREFIXES["claim"] + "d"
    assert grounded["status"][d]["value"] == "undecided"
    assert preferred["status"][d]["value"] == stable["status"][d]["value"] == "accepted"
    assert preferred["labellings"] == stable["labellings"] == 2
    odd = (REASONING / "odd-cycle.ttl").read_text(encoding="utf-8")
    result = run("-d", "-", "--semantics", "stable", *AS_OF, input=odd)
    assert result.exit_code == 0
    assert "0 stable labelling(s)" in result.stdout and "no stable labelling exists" in result.stdout


def test_markdown_neutralises_contributed_text():
    result = run("-d", str(FIXTURES / "hostile" / "debate.ttl"), "--format", "markdown", *AS_OF)
    assert result.exit_code == 0, result.output
    html = MarkdownIt("commonmark").render(result.stdout)
    for tag in ("<script", "<img", "<marquee", "<em>", "<u>"):
        assert tag not in html
    assert "&lt;marquee&gt;is fine&lt;/marquee&gt;" in html  # shown as text
    table = run("-d", str(FIXTURES / "hostile" / "debate.ttl"), *AS_OF).stdout
    assert "\x1b" not in table


def test_diff_reports_status_changes():
    result = CliRunner().invoke(
        main,
        ["diff", str(REASONING / "support-chain.ttl"), str(REASONING / "support-chain-attacked.ttl")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "  Claim C1 “c1” (claim:c1) becomes rejected (was accepted)" in lines
    assert "  Claim C2 “c2” (claim:c2) becomes undecided (was accepted)" in lines
    assert "  Thesis T “t” (claim:t) becomes undecided (was accepted)" in lines
    args = ["diff", str(REASONING / "support-chain.ttl"), str(REASONING / "support-chain-attacked.ttl")]
    data = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    found = sorted(f["subject"]["curie"] for f in data["findings"] if f["code"] == "status-changed")
    assert found == ["claim:c1", "claim:c2", "claim:t"]  # x is new: listed as added, not as a status change


def test_analyse_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "argmap analyse" in readme
    docs = (ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
    for word in ("grounded", "preferred", "stable", "--retract", "paper-only", "undecided"):
        assert word in docs
