"""Project hygiene: the README's commands are the ones CI runs, and every command is documented."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from argmap.cli import COMMANDS, main
from argmap.site.build import digest
from argmap.site.console import find_node_modules

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


def _copy_sources(target: Path) -> Path:
    """What a wheel is built from (pyproject.toml, README.md, argmap/), copied so the build leaves no build/ or
    egg-info in the checkout."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "argmap", target / "argmap", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return target


def _run(command: list[str], **options) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, **options)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


def test_a_wheel_installs_and_builds_the_same_site(tmp_path, built_site):
    """Build a wheel, install it into a fresh venv, run its `argmap build` on the shipped data: the site is
    the one a source checkout builds, byte for byte (the console too, once told where its npm packages are),
    so the wheel ships every template, script, style, query, shape and the vocabulary."""
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(_copy_sources(tmp_path / "src"))]
    )
    wheels = list(dist.glob("argmap-*.whl"))
    assert len(wheels) == 1, wheels

    # a fresh venv that sees the dependencies already installed here (a plain path in a .pth: the
    # editable argmap's own .pth there is not run), and gets argmap itself only from the wheel, offline
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site_packages = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    )
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "argmap-test-dependencies.pth").write_text("\n".join(sorted(here)) + "\n")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index", "--no-deps"]
    _run([*install, "--ignore-installed", str(wheels[0])])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ARGMAP_NODE_MODULES")}
    where = _run([str(python), "-c", "import argmap; print(argmap.__file__)"], cwd=tmp_path, env=env).stdout
    assert Path(where.strip()).is_relative_to(venv), where

    argmap = str(venv / "bin" / "argmap")
    data = [str(ROOT / "data" / "claims.ttl"), str(ROOT / "data" / "evidence.ttl")]
    # no node_modules anywhere near: the site without the console, and the summary says why and what to do
    alone = _run([argmap, "build", *data, "--out", "alone"], cwd=tmp_path, env=env).stdout
    assert "query console left out: " in alone and "ARGMAP_NODE_MODULES" in alone, alone
    assert not (tmp_path / "alone" / "query").exists()
    expected = sorted(
        p.relative_to(built_site).as_posix()
        for p in built_site.rglob("*")
        if p.is_file() and p.name != ".argmap-build.json" and "query" != p.relative_to(built_site).parts[0]
    )
    got = sorted(p.relative_to(tmp_path / "alone").as_posix() for p in (tmp_path / "alone").rglob("*") if p.is_file())
    assert [name for name in got if name != ".argmap-build.json"] == expected
    query_entry = re.compile(rb'\n *<li><a href="[./]*query/">Query</a></li>')  # only in the full site's nav
    for name in expected:
        if name in ("index.html", "data/index.html"):
            continue  # these two also point readers to the console in their text
        with_console = (built_site / name).read_bytes()
        if name.endswith(".html"):
            with_console = query_entry.sub(b"", with_console)
        assert (tmp_path / "alone" / name).read_bytes() == with_console, name

    node_modules = find_node_modules([ROOT])
    if node_modules is None:
        pytest.skip(
            "the console's npm packages are not installed here (run `npm ci`), so there is no full site to compare"
        )
    full = _run(
        [argmap, "build", *data, "--out", "full"], cwd=tmp_path, env={**env, "ARGMAP_NODE_MODULES": str(node_modules)}
    ).stdout
    assert "query console: oxigraph " in full and str(node_modules) in full, full
    assert digest(tmp_path / "full") == digest(built_site)


def test_help_lists_each_command_with_the_first_sentence_of_its_own_help():
    # `argmap --help` shows COMMANDS' lines without importing the command modules: they must not drift
    context = click.Context(main)
    for name, (_module, line) in COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=10_000) == line, f"COMMANDS[{name!r}] differs from its help"
