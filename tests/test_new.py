"""`argmap new`: flags and prompts, pick lists, reuse of sources and contributors, minted IRIs, validation
before saving, --dry-run, atomic writes, and one interactive run in a real terminal (pty)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pexpect
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from argmap.cli import main
from argmap.config import PREFIXES
from argmap.load import load_paths

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "new"
AM = PREFIXES["am"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(MINI, folder)
    return folder


def run(data: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["new", *args, "--data", str(data)], input=input, catch_exceptions=False)


def triples(folder: Path) -> set:
    loaded = load_paths([folder / "claims.ttl", folder / "evidence.ttl"])
    return {(q.subject, q.predicate, q.object) for q in loaded.store}


def added(before: set, folder: Path) -> dict[str, dict[str, list[str]]]:
    """The triples that are new since `before`: {subject: {predicate: [objects]}}."""
    new: dict[str, dict[str, list[str]]] = {}
    for s, p, o in triples(folder) - before:
        new.setdefault(s.value, {}).setdefault(p.value.rsplit("#", 1)[-1], []).append(o.value)
    return new


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


FIGURE = [
    "evidence",
    "--kind",
    "figure",
    "--label",
    "Weights downloaded 2M times a month",
    "--supports",
    "claim:weights-are-downloaded",
    "--value",
    "2000000",
    "--unit",
    "downloads per month",
    "--measures",
    "Monthly downloads of the model on Hugging Face",
    "--as-of",
    "2026-02",
    "--locator",
    "model page, Downloads last month",
    "--source-url",
    "https://huggingface.co/EleutherAI/pythia-70m-deduped/",
    "--contributor",
    "Grace Hopper",
    "--orcid",
    "0000-0002-1825-0097",
    "--no-input",
]


# ------------------------------------------------------------------------------------ flags
def test_figure_from_flags_is_saved_canonical_and_valid(data: Path):
    before = triples(data)
    result = run(data, *FIGURE)
    assert result.exit_code == 0, result.output
    assert "source:hf-pythia is already in the data (same URL)" in result.output
    new = added(before, data)
    figure = new[PREFIXES["evidence"] + "weights-downloaded-2m-times-a-month"]
    assert figure["type"] == [AM + "Figure"]
    assert figure["asOf"] == ["2026-02-28"] and "month only" in figure["asOfNote"][0]
    assert figure["source"] == [PREFIXES["source"] + "hf-pythia"]  # reused, not a new source
    assert figure["figureId"] == ["F2"]
    person = PREFIXES["person"] + "grace-hopper"
    assert figure["contributedBy"] == [person]
    assert new[person]["url"] == ["https://orcid.org/0000-0002-1825-0097"]
    assert set(new) == {figure_iri for figure_iri in new if figure_iri.startswith(PREFIXES["evidence"])} | {person}
    fmt = CliRunner().invoke(main, ["fmt", "--check", str(data)])
    assert fmt.exit_code == 0, fmt.output
    validate = CliRunner().invoke(main, ["validate", str(data)])
    assert validate.exit_code == 0, validate.output


def test_contributor_is_added_once_and_a_taken_iri_is_never_reused(data: Path):
    assert run(data, *FIGURE).exit_code == 0
    before = triples(data)
    again = run(data, *[a if a != "2000000" else "2100000" for a in FIGURE])
    assert again.exit_code == 0, again.output
    new = added(before, data)
    assert list(new) == [PREFIXES["evidence"] + "weights-downloaded-2m-times-a-month-2"]  # no second person
    text = (data / "evidence.ttl").read_text(encoding="utf-8")
    assert text.count("person:grace-hopper a am:Person") == 1


@pytest.mark.parametrize(
    ("flag", "value", "expected", "matched"),
    [
        ("--source-doi", "https://doi.org/10.1126/science.adp1848", "bommasani-2024", "DOI"),
        ("--source-arxiv", "arXiv:2304.01373v2", "biderman-2023", "arXiv id"),
        ("--source-url", "https://arxiv.org/abs/2304.01373", "biderman-2023", "arXiv id"),
        ("--source-url", "HTTPS://HuggingFace.co/EleutherAI/pythia-70m-deduped", "hf-pythia", "URL"),
        # as validate's duplicate-source rule sees it: scheme, www. and a trailing slash do not make a new source
        ("--source-url", "http://www.huggingface.co/EleutherAI/pythia-70m-deduped/", "hf-pythia", "URL"),
    ],
)
def test_existing_source_is_found_and_reused(data: Path, flag: str, value: str, expected: str, matched: str):
    before = triples(data)
    result = run(data, *QUOTE_WITHOUT_SOURCE, flag, value)
    assert result.exit_code == 0, result.output
    assert f"source:{expected} is already in the data (same {matched})" in result.output
    kinds = {o.value for s, p, o in triples(data) - before if p.value.endswith("#type")}
    assert kinds == {AM + "Quote"}  # no new am:Source (and the contributor already existed)


def test_source_found_by_title(data: Path):
    result = run(
        data, *QUOTE_WITHOUT_SOURCE, "--source-url", "https://example.org/p", "--source-title",
        "  considerations for GOVERNING open foundation models ",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "source:bommasani-2024 is already in the data (same title)" in result.output


QUOTE_WITHOUT_SOURCE = [
    "evidence",
    "--kind",
    "quote",
    "--label",
    "Weights need tooling",
    "--quote",
    "Weights alone are inert.",
    "--locator",
    "p. 2",
    "--supports",
    "C-2",
    "--contributor",
    "person:ada-tester",
    "--no-input",
]


def test_new_source_is_minted_with_a_readable_iri(data: Path):
    before = triples(data)
    result = run(
        data, *QUOTE_WITHOUT_SOURCE, "--source-doi", "10.1000/xyz123", "--source-title", "A study of open weights",
        "--source-authors", "Jane Roe, John Doe", "--source-year", "2025",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    source = added(before, data)[PREFIXES["source"] + "roe-2025"]
    assert source["label"] == ["Roe et al. 2025"] and source["doi"] == ["10.1000/xyz123"]


def test_missing_flags_are_named_and_nothing_is_written(data: Path):
    was = snapshot(data)
    result = run(data, "evidence", "--kind", "figure", "--label", "x", "--no-input")
    assert result.exit_code == 2
    for flag in ("--supports", "--measures", "--value", "--unit", "--as-of", "--locator"):
        assert flag in result.output
    assert "Traceback" not in result.output
    assert snapshot(data) == was


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--supports", "weights"], "matches 2 items (claim:weights-are-downloaded, claim:weights-are-inert"),
        (["--supports", "claim:weights-are-inret"], "did you mean claim:weights-are-inert?"),
        (["--supports", "C-2", "--id", "downloads"], "evidence:downloads is taken; an IRI is never reused"),
        (["--supports", "C-2", "--orcid", "0000-0002-1825-0098"], "check digit is wrong"),
        (["--supports", "C-2", "--source-year", "last year"], "four digits"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(data: Path, args: list[str], message: str):
    was = snapshot(data)
    base = [a for a in QUOTE_WITHOUT_SOURCE if a not in ("--supports", "C-2")]
    source = ["--source-doi", "10.1000/new", "--source-title", "Some new title here", "--source-year", "2025"]
    if "--source-year" in args:
        source = source[:-2]
    result = run(data, *base, *source, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert snapshot(data) == was


def test_what_does_not_validate_is_refused_with_the_report(data: Path):
    was = snapshot(data)
    result = run(
        data, "evidence", "--kind", "check", "--label", "Checked against the paper", "--text",
        "I re-read the paper itself.", "--supports", "C-2", "--locator", "p. 1", "--source", "paper:mini",
        "--contributor", "Grace Hopper", "--no-input",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "a check is outside evidence" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(data) == was


def test_dry_run_prints_the_turtle_and_writes_nothing(data: Path):
    was = snapshot(data)
    result = run(data, *FIGURE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(data) == was
    turtle = result.output.split("# would add to", 1)[1].split("\n", 1)[1].split("# the data validates")[0]
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    parsed = list(ox.parse(input=(header + turtle).encode(), format=ox.RdfFormat.TURTLE))
    subjects = {t.subject.value for t in parsed}
    figure = PREFIXES["evidence"] + "weights-downloaded-2m-times-a-month"
    assert subjects == {figure, PREFIXES["person"] + "grace-hopper"}


def test_a_file_not_in_canonical_form_is_not_rewritten(data: Path):
    path = data / "evidence.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    was = snapshot(data)
    result = run(data, *FIGURE)
    assert result.exit_code == 2
    assert "is not in canonical form; run `argmap fmt" in result.output
    assert snapshot(data) == was


# ------------------------------------------------------------------------------------ prompts
def test_prompts_with_a_pick_list(data: Path):
    answers = [
        "check",  # kind
        "Inert weights checked",  # label
        "supports",  # relation
        "weights",  # search word: two claims match
        "2",  # pick claim:weights-are-inert (the list is sorted by IRI)
        "n",  # no other relation
        "I ran the released weights without tooling and got nothing usable.",  # what was checked
        "§2",  # locator
        "https://example.org/report",  # source: new
        "Running bare weights",  # title
        "",  # authors: skipped
        "2026",  # year
        "Grace Hopper",  # name
        "",  # ORCID: skipped
    ]
    before = triples(data)
    result = run(data, "evidence", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "1) claim:weights-are-downloaded (Claim): Open weights are downloaded widely" in result.output
    new = added(before, data)
    check = new[PREFIXES["evidence"] + "inert-weights-checked"]
    assert check["supports"] == [PREFIXES["claim"] + "weights-are-inert"]
    source = new[check["source"][0]]
    assert source["text"] == ["Running bare weights"] and source["url"] == ["https://example.org/report"]


def test_interactive_run_in_a_real_terminal(data: Path):
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
    argmap = str(Path(sys.executable).parent / "argmap")
    child = pexpect.spawn(argmap, ["new", "evidence", "--data", str(data)], env=env, encoding="utf-8", timeout=60)
    steps = [
        ("Kind", "quote"),
        ("Label", "Releases can stop (quote)"),
        ("Relation", ""),
        ("Which item does it support", "R1b"),
        ("Another relation", "n"),
        ("Quote", "What a firm releases today it may withhold tomorrow."),
        ("A note", ""),
        ("Locator", "§6"),
        ("Source", "2507.09296"),
        ("Your name", "Ada Tester"),
    ]
    for question, answer in steps:
        child.expect(question)
        child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    text = (data / "evidence.ttl").read_text(encoding="utf-8")
    assert "evidence:releases-can-stop-quote a am:Quote ;" in text
    assert "am:source paper:mini ;" in text  # the arXiv id is the paper's own: reused
    assert "am:contributedBy person:ada-tester ;" in text  # the author is found by name, not added again


# ------------------------------------------------------------------------------------ source and claim
def test_new_source_cited_by_a_statement(data: Path):
    before = triples(data)
    result = run(
        data, "source", "--source-arxiv", "2401.00001", "--source-title", "A new preprint on compute",
        "--source-authors", "Jane Roe", "--cited-by", "C-3", "--no-input",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    new = added(before, data)
    assert new[PREFIXES["source"] + "roe-2024"]["year"] == ["2024"]  # from the arXiv id
    assert new[PREFIXES["claim"] + "weights-are-downloaded"]["citesAsEvidence"] == [PREFIXES["source"] + "roe-2024"]
    again = run(data, "source", "--source-arxiv", "2401.00001", "--no-input")
    assert again.exit_code == 0 and "already in the data (same arXiv id)" in again.output


def test_new_source_that_nothing_cites_is_refused(data: Path):
    result = run(data, "source", "--source-url", "https://example.org/x", "--source-title", "Uncited thing here",
                 "--source-year", "2025", "--no-input")  # fmt: skip
    assert result.exit_code == 1
    assert "source-uncited" in result.stderr


def test_new_response_gets_the_next_order(data: Path):
    before = triples(data)
    result = run(
        data, "claim", "--kind", "response", "--responds-to", "view:market-works", "--section", "6",
        "--label", "Firms answer to shareholders", "--text", "A firm's openness lasts as long as it pays.",
        "--attacks", "view:market-works", "--no-input",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    response = added(before, data)[PREFIXES["response"] + "firms-answer-to-shareholders"]
    assert response["order"] == ["3"] and response["inSection"] == [PREFIXES["sec"] + "s6"]
    assert response["statedIn"] == [PREFIXES["paper"] + "mini"]


# ------------------------------------------------------------------------------------ crash
def test_killed_mid_write_leaves_the_data_as_it_was(data: Path):
    was = snapshot(data)
    code = textwrap.dedent(
        """
        import os, signal, sys
        from argmap import fmt
        real_fsync = os.fsync
        def die(fd):  # the temp file holds the new text, the original is not replaced yet
            real_fsync(fd)
            os.kill(os.getpid(), signal.SIGKILL)
        os.fsync = die
        from argmap.cli import main
        main(sys.argv[1:])
        """
    )
    proc = subprocess.run([sys.executable, "-c", code, "new", *FIGURE, "--data", str(data)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert {k: v for k, v in snapshot(data).items() if not k.startswith(".")} == was
    assert any(k.startswith(".evidence.ttl.") for k in snapshot(data))  # it did die mid-write


def test_a_retraction_is_new_evidence_and_the_old_iri_stays(data: Path):
    before = triples(data)
    result = run(
        data, "evidence", "--kind", "check", "--label", "The 900k figure was misread", "--text",
        "Re-reading the model page: the 900k was all-time, not monthly, downloads.", "--retracts", "F1",
        "--locator", "model page", "--source", "source:hf-pythia", "--contributor", "Grace Hopper", "--no-input",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    check = added(before, data)[PREFIXES["evidence"] + "the-900k-figure-was-misread"]
    assert check["retracts"] == [PREFIXES["evidence"] + "downloads"]
    assert before <= triples(data)  # the retracted figure is still there, unchanged: its IRI keeps working


def test_flags_and_prompts_write_the_same_bytes(data: Path, tmp_path: Path):
    other = tmp_path / "other"
    shutil.copytree(data, other)
    flags = run(
        data, "evidence", "--kind", "quote", "--label", "Releases can stop (quote)", "--supports", "R1b", "--quote",
        "What a firm releases today it may withhold tomorrow.", "--locator", "§6", "--source-arxiv", "2507.09296",
        "--contributor", "Ada Tester", "--no-input",
    )  # fmt: skip
    answers = ["quote", "Releases can stop (quote)", "supports", "R1b", "n"]
    answers += ["What a firm releases today it may withhold tomorrow.", "", "§6", "2507.09296", "Ada Tester"]
    prompts = run(other, "evidence", input="\n".join(answers) + "\n")
    assert flags.exit_code == 0 and prompts.exit_code == 0, prompts.output
    assert (data / "evidence.ttl").read_bytes() == (other / "evidence.ttl").read_bytes()
    assert (data / "evidence.ttl").read_bytes() != (MINI / "evidence.ttl").read_bytes()


def test_hostile_label_in_a_pick_list_is_shown_inert(data: Path):
    claims = data / "claims.ttl"
    hostile = (
        'claim:weights-hostile a am:Claim ;\n    rdfs:label "Weights \\u001B[2J\\u001B]0;pwned\\u0007 \\u202Egnp" ;\n'
        '    am:text "A label with terminal escapes and a bidi override." ;\n    am:inSection sec:s1 ;\n'
        "    am:statedIn paper:mini .\n"
    )
    claims.write_text(claims.read_text(encoding="utf-8") + "\n" + hostile, encoding="utf-8")
    assert CliRunner().invoke(main, ["fmt", str(claims)]).exit_code == 0
    result = run(data, "evidence", "--kind", "check", "--label", "x", "--supports", "weights", input="1\n")
    assert "claim:weights-hostile (Claim): Weights ?[2J?]0;pwned? ?gnp" in result.output
    assert not any(ch in result.output for ch in "\x1b\x07\u202e")


def test_a_file_changed_while_answering_is_not_overwritten(data: Path):
    from argmap import new

    ds = new.Dataset.load(data)
    given = new.EvidenceInput(
        kind="quote", label="Releases can stop", relations=[("supports", PREFIXES["response"] + "releases-can-stop")],
        source=PREFIXES["paper"] + "mini", new_source=None, contributor="person:ada-tester", locator="§6",
        quote="What a firm releases today it may withhold tomorrow.",
    )  # fmt: skip
    prepared = new.prepare(ds, new.build_evidence(ds, given))
    path = data / "evidence.ttl"
    edited = path.read_text(encoding="utf-8").replace("argmap project", "argmap project (edited)")
    path.write_text(edited, encoding="utf-8")  # someone saves the file meanwhile
    with pytest.raises(new.ContributionError, match="changed while this ran"):
        new.save(prepared)
    assert path.read_text(encoding="utf-8") == edited
