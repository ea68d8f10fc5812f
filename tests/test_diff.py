"""`argmap diff` on real git repositories made in a temp dir: commit, edit, commit, compare."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from argmap.cli import main

PREFIXES = """@prefix am: <https://w3id.org/argmap/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix claim: <https://w3id.org/argmap/id/claim/> .
@prefix view: <https://w3id.org/argmap/id/view/> .
@prefix response: <https://w3id.org/argmap/id/response/> .
@prefix evidence: <https://w3id.org/argmap/id/evidence/> .
@prefix source: <https://w3id.org/argmap/id/source/> .
"""

CLAIMS = (
    PREFIXES
    + """
claim:thesis a am:Thesis ; rdfs:label "Open source must go public" ; am:text "The thesis." .

view:market-works a am:OpposingView ; rdfs:label "The market is working" ; am:outlineId "V1" ;
    am:attacks claim:thesis .

response:access-is-not-governance a am:Response ; rdfs:label "Access is not governance" ; am:outlineId "R1a" ;
    am:respondsTo view:market-works ; am:attacks view:market-works ;
    am:citesAsEvidence source:report-2025 .
"""
)

EVIDENCE = (
    PREFIXES
    + """
source:report-2025 a am:Source ; rdfs:label "Report 2025" ; am:year "2025"^^xsd:gYear .
source:survey-2024 a am:Source ; rdfs:label "Survey 2024" ; am:year "2024"^^xsd:gYear .

evidence:downloads a am:Figure ; rdfs:label "6M monthly downloads" ; am:figureId "F1" ;
    am:value 6000000 ; am:unit "downloads per month" ; am:asOf "2026-01-29"^^xsd:date ;
    am:source source:report-2025 ; am:locator "p. 3" ;
    am:supports response:access-is-not-governance .
"""
)

NEW_FIGURE = """
evidence:gpu-hours a am:Figure ; rdfs:label "GPU hours of the run" ;
    am:value 1200000 ; am:unit "GPU hours" ; am:asOf "2026-01-01"^^xsd:date ;
    am:source source:survey-2024 ; am:locator "table 2" ;
    am:supports response:access-is-not-governance .
"""

NEW_RESPONSE = """
response:withdrawn-access a am:Response ; rdfs:label "Access can be withdrawn" ; am:outlineId "R1b" ;
    am:respondsTo view:market-works ; am:attacks view:market-works .
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True
    )
    return done.stdout


class Repo:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        (root / "data").mkdir()
        self.write("claims.ttl", CLAIMS)
        self.write("evidence.ttl", EVIDENCE)
        self.commit("base")

    def path(self, name: str) -> Path:
        return self.root / "data" / name

    def write(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        text = self.path(name).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        self.write(name, text.replace(old, new))

    def append(self, name: str, text: str) -> None:
        self.write(name, self.path(name).read_text(encoding="utf-8") + text)

    def commit(self, message: str) -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)
        return git(self.root, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    made = Repo(tmp_path / "debate")
    monkeypatch.chdir(made.root)
    return made


def run(*args: str):
    return CliRunner().invoke(main, ["diff", *args])


def run_json(*args: str) -> tuple[int, dict]:
    result = run(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def test_added_figure_is_described_in_argument_terms(repo: Repo):
    repo.append("evidence.ttl", NEW_FIGURE)
    repo.commit("add a figure")
    result = run("HEAD~1", "HEAD")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if "gpu-hours" in x)
    assert "Figure “GPU hours of the run” (evidence:gpu-hours)" in line
    assert "1,200,000 GPU hours, as of 2026-01-01" in line
    assert "supporting response R1a “Access is not governance”" in line
    assert "citing source “Survey 2024”" in line
    code, data = run_json("HEAD~1", "HEAD")
    assert [c["node"]["curie"] for c in data["added"]] == ["evidence:gpu-hours"]
    assert data["removed"] == data["changed"] == data["renamed"] == data["permalinks"] == []


def test_new_response_to_a_view_is_a_finding(repo: Repo):
    repo.append("claims.ttl", NEW_RESPONSE)
    repo.commit("answer the view again")
    code, data = run_json("HEAD~1", "HEAD")
    assert code == 0
    found = [(f["code"], f["subject"]["curie"], [r["curie"] for r in f["related"]]) for f in data["findings"]]
    assert ("new-response", "view:market-works", ["response:withdrawn-access"]) in found
    assert "Opposing view V1 “The market is working” (view:market-works) has a new response" in run("HEAD~1").stdout


def test_a_new_view_with_its_response_is_not_also_news_about_responses(repo: Repo):
    repo.append("claims.ttl", NEW_RESPONSE.replace("view:market-works", "view:states-cannot-build"))
    repo.append("claims.ttl", 'view:states-cannot-build a am:OpposingView ; rdfs:label "States cannot build AI" .\n')
    repo.commit("a new view, answered")
    code, data = run_json("HEAD~1", "HEAD")
    assert code == 0
    assert sorted(c["node"]["curie"] for c in data["added"]) == [
        "response:withdrawn-access",
        "view:states-cannot-build",
    ]
    assert data["findings"] == []


def test_removing_the_only_evidence_is_reported_and_refused(repo: Repo):
    text = repo.path("evidence.ttl").read_text(encoding="utf-8")
    repo.write("evidence.ttl", text.split("evidence:downloads a am:Figure")[0])
    repo.commit("drop the figure")
    result = run("HEAD~1", "HEAD")
    assert result.exit_code == 1
    assert (
        "Response R1a “Access is not governance” (response:access-is-not-governance) lost its only supporting evidence"
        in (result.stdout)
    )
    assert result.stderr.strip().splitlines() == [
        "Error: 1 IRI(s) removed or renamed without am:supersedes or am:retracts: evidence:downloads"
    ]
    code, data = run_json("HEAD~1", "HEAD")
    assert data["refused"] == ["https://w3id.org/argmap/id/evidence/downloads"]
    assert [c["node"]["curie"] for c in data["removed"]] == ["evidence:downloads"]
    assert {f["code"] for f in data["findings"]} == {"lost-evidence"}


def test_rename_is_one_rename_not_a_removal_plus_an_addition_and_is_refused(repo: Repo):
    repo.edit("evidence.ttl", "evidence:downloads a am:Figure", "evidence:monthly-downloads a am:Figure")
    repo.commit("rename")
    code, data = run_json("HEAD~1", "HEAD")
    assert code == 1
    assert [(r["old"]["curie"], r["new"]["curie"], r["how"]) for r in data["renamed"]] == [
        ("evidence:downloads", "evidence:monthly-downloads", "same content")
    ]
    assert data["added"] == data["removed"] == data["relations"] == data["findings"] == []
    assert [(p["change"], p["allowed"]) for p in data["permalinks"]] == [("renamed", False)]


def test_rename_with_an_edit_is_found_by_its_label(repo: Repo):
    repo.edit("evidence.ttl", "evidence:downloads a am:Figure", "evidence:monthly-downloads a am:Figure")
    repo.edit("evidence.ttl", 'am:locator "p. 3"', 'am:locator "p. 4"')
    repo.commit("rename and fix the page")
    code, data = run_json("HEAD~1", "HEAD")
    assert code == 1
    assert [r["how"] for r in data["renamed"]] == ["same label"]
    assert [(f["name"], f["old"], f["new"]) for c in data["changed"] for f in c["fields"]] == [
        ("locator", "p. 3", "p. 4")
    ]


def test_changed_value_is_shown_old_to_new(repo: Repo):
    repo.edit("evidence.ttl", "am:value 6000000", "am:value 6500000")
    repo.commit("correct the figure")
    result = run("HEAD~1", "HEAD")
    assert result.exit_code == 0
    assert "Figure F1 “6M monthly downloads” (evidence:downloads): value 6,000,000 → 6,500,000" in result.stdout


@pytest.mark.parametrize("predicate", ["am:supersedes", "am:retracts"])
def test_removal_is_allowed_when_superseded_or_retracted(repo: Repo, predicate: str):
    repo.edit(
        "evidence.ttl",
        "evidence:downloads a am:Figure",
        f"evidence:downloads-2026 a am:Figure ;\n    {predicate} evidence:downloads",
    )
    repo.edit("evidence.ttl", "am:value 6000000", "am:value 6100000")
    repo.commit("supersede")
    result = run("HEAD~1", "HEAD")
    assert result.exit_code == 0, result.output
    code, data = run_json("HEAD~1", "HEAD")
    [link] = data["permalinks"]
    assert link["allowed"] and link["how"] == predicate.split(":")[1]
    assert link["replaced_by"]["curie"] == "evidence:downloads-2026"
    assert data["refused"] == []


def test_source_now_cited_by_nothing(repo: Repo):
    repo.edit("claims.ttl", "\n    am:citesAsEvidence source:report-2025 .", " .")
    repo.edit("evidence.ttl", "am:source source:report-2025 ;", "am:source source:survey-2024 ;")
    repo.commit("cite the survey instead")
    code, data = run_json("HEAD~1", "HEAD")
    assert code == 0
    uncited = [(f["code"], f["subject"]["curie"]) for f in data["findings"]]
    assert uncited == [("source-uncited", "source:report-2025")]
    relations = {(r["change"], r["source"]["curie"], r["relation"], r["target"]["curie"]) for r in data["relations"]}
    assert relations == {
        ("removed", "response:access-is-not-governance", "cites", "source:report-2025"),
        ("removed", "evidence:downloads", "cites", "source:report-2025"),
        ("added", "evidence:downloads", "cites", "source:survey-2024"),
    }


def test_statements_outside_the_model_are_still_shown(repo: Repo):
    repo.edit("evidence.ttl", '"Survey 2024" ;', '"Survey 2024" ; rdfs:comment "Peer reviewed." ;')
    repo.edit("evidence.ttl", 'am:year "2025"^^xsd:gYear', 'am:year "2025"')  # a datatype the model does not show
    repo.commit("comment and a plain year")
    code, data = run_json("HEAD~1", "HEAD")
    assert code == 0
    assert data["added"] == data["changed"] == data["relations"] == []
    assert sorted((o["change"], o["subject"], o["predicate"], o["object"]) for o in data["other"]) == [
        ("added", "source:report-2025", "am:year", '"2025"'),
        ("added", "source:survey-2024", "rdfs:comment", '"Peer reviewed."'),
        ("removed", "source:report-2025", "am:year", '"2025"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
    ]
    text = run("HEAD~1", "HEAD").stdout
    assert '+ source:survey-2024 rdfs:comment "Peer reviewed."' in text


def test_a_reshuffle_of_blocks_and_files_is_no_change(repo: Repo):
    claims, evidence = CLAIMS.split("\n\n"), EVIDENCE.split("\n\n")
    repo.write("claims.ttl", "\n\n".join([claims[0], *reversed(evidence[1:])]))
    repo.write("evidence.ttl", "\n\n".join([evidence[0], *reversed(claims[1:])]))
    repo.commit("move every block")
    result = run("HEAD~1", "HEAD")
    assert result.exit_code == 0
    assert result.stdout.endswith("No change to the argument.\n")


def test_default_compares_the_merge_base_with_the_work_tree(repo: Repo):
    git(repo.root, "checkout", "-q", "-b", "contribution")
    repo.append("evidence.ttl", NEW_FIGURE)
    repo.commit("a figure on the branch")
    git(repo.root, "checkout", "-q", "main")
    repo.edit("claims.ttl", '"The thesis."', '"The thesis, on main."')
    main_commit = repo.commit("main moves on")
    git(repo.root, "checkout", "-q", "contribution")
    repo.edit("evidence.ttl", "am:value 6000000", "am:value 7000000")  # not committed
    before = git(repo.root, "status", "--porcelain"), git(repo.root, "rev-parse", "HEAD")
    code, data = run_json()
    assert code == 0
    assert data["base"].startswith("merge-base of main and HEAD")
    assert main_commit[:10] not in data["base"]  # the fork point, not main's tip: main's own change is not shown
    assert data["head"].startswith("work tree")
    assert [c["node"]["curie"] for c in data["added"]] == ["evidence:gpu-hours"]
    assert [c["node"]["curie"] for c in data["changed"]] == ["evidence:downloads"]
    assert (git(repo.root, "status", "--porcelain"), git(repo.root, "rev-parse", "HEAD")) == before


def test_origin_main_is_preferred_to_main(repo: Repo, tmp_path: Path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo.root), str(clone))
    (repo.root / "data" / "claims.ttl").write_text(CLAIMS + NEW_RESPONSE, encoding="utf-8")
    repo.commit("upstream adds a response")
    git(clone, "fetch", "-q")
    # the clone's own main is stale: still at the first commit
    git(clone, "checkout", "-q", "-b", "topic", "origin/main")
    os.chdir(clone)
    code, data = run_json()
    assert code == 0 and data["base"].startswith("merge-base of origin/main and HEAD")
    assert data["added"] == []  # the upstream response is in the base: nothing of the branch's own


def test_one_revision_is_compared_with_the_work_tree(repo: Repo):
    repo.edit("evidence.ttl", 'rdfs:label "Survey 2024"', 'rdfs:label "The 2024 survey"')
    code, data = run_json("HEAD")
    assert code == 0 and data["head"].startswith("work tree")
    assert [(f["name"], f["old"], f["new"]) for c in data["changed"] for f in c["fields"]] == [
        ("label", "Survey 2024", "The 2024 survey")
    ]


def test_file_against_file_and_folder_against_folder(repo: Repo, tmp_path: Path):
    old = tmp_path / "old.ttl"
    new = tmp_path / "new.ttl"
    old.write_text(EVIDENCE, encoding="utf-8")
    new.write_text(EVIDENCE.replace("am:value 6000000", "am:value 5000000"), encoding="utf-8")
    code, data = run_json(str(old), str(new))
    assert code == 0
    assert [(f["name"], f["old"], f["new"]) for c in data["changed"] for f in c["fields"]] == [
        ("value", "6,000,000", "5,000,000")
    ]
    other = tmp_path / "other"
    other.mkdir()
    (other / "claims.ttl").write_text(CLAIMS + NEW_RESPONSE, encoding="utf-8")
    (other / "evidence.ttl").write_text(EVIDENCE, encoding="utf-8")
    code, data = run_json("data", str(other))
    assert code == 0
    assert [c["node"]["curie"] for c in data["added"]] == ["response:withdrawn-access"]


def test_file_mode_needs_no_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.ttl").write_text(CLAIMS, encoding="utf-8")
    result = run("a.ttl", "a.ttl")
    assert result.exit_code == 0
    assert "No change to the argument." in result.stdout


@pytest.mark.parametrize("args", [("no-such-branch",), ("HEAD", "no-such-branch"), ("HEAD~5", "HEAD")])
def test_a_bad_revision_is_a_one_line_error(repo: Repo, args: tuple[str, ...]):
    result = run(*args)
    assert result.exit_code == 2
    bad = next(a for a in args if a != "HEAD")
    assert result.stderr.splitlines() == [f"Error: {bad!r} is not a revision in this repository (nor a file or folder)"]
    assert result.stdout == ""


def test_outside_a_repository_git_mode_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = run("main")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "not inside a git repository" in result.stderr


def test_bad_turtle_at_a_revision_names_the_revision_file_and_line(repo: Repo):
    repo.append("evidence.ttl", '\nevidence:broken a am:Figure ;\n    rdfs:label "no end"\n')
    repo.commit("broken")
    result = run("HEAD~1", "HEAD")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: HEAD:data/evidence.ttl:")
    assert "Turtle syntax error" in line
    assert "argmap-diff-" not in line  # the temporary folder is not shown


HOSTILE = "A [link](https://evil.example) ![img](https://evil.example/x.png) <b>bold</b> @someone\n# heading \x1b[31m"


def test_hostile_labels_stay_text_in_markdown_and_in_a_terminal(repo: Repo):
    repo.append("evidence.ttl", NEW_FIGURE.replace('"GPU hours of the run"', json.dumps(HOSTILE)))
    repo.commit("hostile label")
    markdown = run("HEAD~1", "HEAD", "--format", "markdown").stdout
    tokens = MarkdownIt("commonmark").parse(markdown)
    inline = [child for token in tokens if token.children for child in token.children]
    kinds = {t.type for t in inline}
    assert not kinds & {"link_open", "image", "html_inline"}, kinds
    assert not any(t.type == "html_block" for t in tokens)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert len(headings) == 2 and headings[1] == "Added (1)", headings  # the label made no heading of its own
    html = MarkdownIt("commonmark").render(markdown)
    assert "[link](https://evil.example)" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "@\u200bsomeone" in html
    text = run("HEAD~1", "HEAD").stdout
    assert "\x1b" not in text and "\\u001b[31m" in text
    assert "\\u000a# heading" in text  # the newline stays visible, the label stays on one line


def test_markdown_for_the_shipped_repository_is_empty_without_changes():
    root = Path(__file__).resolve().parent.parent
    result = CliRunner().invoke(main, ["diff", str(root / "data"), str(root / "data"), "--format", "markdown"])
    assert result.exit_code == 0
    assert result.stdout.endswith("No change to the argument.\n")
