"""Project hygiene: the README's commands are the ones CI runs, and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from argmap.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    section = README.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_one():
    main_job, tests = readme_commands()
    assert "argmap validate" in main_job and "argmap serve --build" in main_job
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines(), "the test command in .ci/run differs from the README's"


def test_every_command_has_an_example_and_appears_in_the_readme():
    runner = CliRunner()
    for name in main.list_commands(click.Context(main)):
        help_text = runner.invoke(main, [name, "--help"]).output
        assert "Example" in help_text, f"`argmap {name} --help` shows no example"
        assert f"argmap {name}" in README, f"README does not show `argmap {name}`"


def test_help_lists_each_command_with_the_first_sentence_of_its_own_help():
    # `argmap --help` shows COMMANDS' lines without importing the command modules: they must not drift
    context = click.Context(main)
    for name, (_module, line) in COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=10_000) == line, f"COMMANDS[{name!r}] differs from its help"


def test_package_data_ships_vocabulary_shapes_and_queries():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for pattern in ("resources/*.ttl", "resources/queries/*.rq"):
        assert pattern in pyproject
