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


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise GitError(f"{path}: not inside the repository at {root}") from None


def file_at(revision: str, path: Path, cwd: Path, root: Path | None = None) -> bytes | None:
    """A file's bytes at a revision (a commit id from `resolve_revision`); None when the file was not there.
    `root`: the repository's top (`repository_root(cwd)`), when the caller has it."""
    root = root or repository_root(cwd)
    done = subprocess.run(
        ["git", "cat-file", "blob", f"{revision}:{_relative(path, root)}"], cwd=root, capture_output=True
    )
    return done.stdout if done.returncode == 0 else None


def files_at(revision: str, paths: Sequence[Path], root: Path) -> list[bytes | None]:
    """Several files' bytes at a revision (as `file_at`), read by one git process."""
    names = [_relative(path, root) for path in paths]
    if any("\n" in name for name in names):  # one name per line: such a name cannot be asked for
        return [file_at(revision, path, root, root) for path in paths]
    asked = "".join(f"{revision}:{name}\n" for name in names).encode("utf-8")
    done = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=asked, capture_output=True)
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or "git cat-file failed")
    found: list[bytes | None] = []
    out, at = done.stdout, 0
    for _ in names:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3 or not header[2].isdigit():  # "<name> missing"
            found.append(None)
            at = end + 1
            continue
        size = int(header[2])  # "<id> <type> <size>", the object, a newline
        found.append(out[end + 1 : end + 1 + size] if header[1] == b"blob" else None)
        at = end + 1 + size + 1
    return found
