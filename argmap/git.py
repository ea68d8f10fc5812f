"""Reading a git repository without checking anything out: `argmap diff` and `argmap validate --changed-since`."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from .errors import GitError


def git_output(args: Sequence[str], cwd: Path) -> bytes:
    """What `git ARGS` prints in `cwd`; GitError with git's last line of complaint when it fails."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed; give two files or folders to compare instead") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {' '.join(args)} failed")
    return done.stdout


def repository_root(cwd: Path) -> Path:
    """The top of the git work tree `cwd` is in; GitError when it is in none."""
    try:
        out = git_output(["rev-parse", "--show-toplevel"], cwd)
    except GitError:
        raise GitError(f"{cwd}: not inside a git repository; give two files or folders to compare instead") from None
    return Path(out.decode("utf-8").strip())


def resolve_revision(revision: str, cwd: Path) -> str:
    """The commit id a revision names; GitError with one line when it names none."""
    if not revision or revision.startswith("-"):
        raise GitError(f"{revision!r} is not a revision")
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd=cwd, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise GitError(f"{revision!r} is not a revision in this repository (nor a file or folder)")
    return done.stdout.decode("ascii").strip()


def file_at(revision: str, path: Path, cwd: Path) -> bytes | None:
    """A file's bytes at a revision (a commit id from `resolve_revision`); None when the file was not there."""
    root = repository_root(cwd)
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise GitError(f"{path}: not inside the repository at {root}") from None
    done = subprocess.run(["git", "cat-file", "blob", f"{revision}:{relative}"], cwd=root, capture_output=True)
    return done.stdout if done.returncode == 0 else None
