"""Writing a built site: every file checked to stay inside the output folder before any is written."""

from __future__ import annotations

import filecmp
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import ArgmapError


class BuildError(ArgmapError):
    """The site could not be built (a missing package file, an output folder that cannot be written)."""


def check_paths(out_dir: Path, names: Iterable[str]) -> None:
    """Refuse (BuildError) if any of `names` would land outside `out_dir`; then create `out_dir` if missing.
    Call it with every name a build will write before writing the first (`write_file`).

    A name must be a relative path of plain segments (no `..`, `.` or empty segment, not absolute); and
    wherever a folder or file it passes through already exists as a symbolic link, the link must lead
    inside `out_dir`. Each folder is looked at once however many names pass through it, and a folder that
    does not exist yet has no link below it to follow: a build into an empty folder costs a few checks."""
    out_dir = Path(out_dir)
    root = out_dir.resolve()
    known: dict[str, bool] = {}  # relative path -> exists (its links, if any, checked)

    def inside(path: Path) -> bool:
        real = path.resolve()
        return real == root or root in real.parents

    def exists(relative: str) -> bool:
        """Whether out_dir/relative exists; BuildError if it is a link leading out."""
        found = known.get(relative)
        if found is None:
            parent = relative.rpartition("/")[0]
            if parent and not exists(parent):
                found = False  # nothing exists below a folder that does not
            else:
                path = out_dir / relative
                try:
                    mode = os.lstat(path).st_mode
                except FileNotFoundError:
                    mode = None
                except OSError as exc:
                    raise BuildError(f"{path}: cannot be read ({exc.strerror})") from None
                if mode is not None and stat.S_ISLNK(mode) and not inside(path):
                    raise BuildError(f"refusing to write below {relative}: a link leading outside {out_dir}")
                found = mode is not None
            known[relative] = found
        return found

    for name in names:
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or any(part in ("", ".", "..") for part in parts):
            raise BuildError(f"refusing to write {name}: outside {out_dir} (not a plain path inside it)")
        exists(name)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"{out_dir}: cannot create the output folder ({exc.strerror})") from None


def write_file(out_dir: Path, name: str, data: bytes) -> None:
    """Write one file below `out_dir` (a name `check_paths` has passed); a file whose bytes are already there
    is left alone (its modification time too)."""
    target = Path(out_dir) / name
    try:
        try:
            same = target.stat().st_size == len(data) and target.read_bytes() == data
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            same = False
        except (NotADirectoryError, IsADirectoryError):
            same = False
        if not same:
            target.write_bytes(data)
    except OSError as exc:
        raise BuildError(f"{target}: cannot be written ({exc.strerror or exc})") from None


def write_chunks(out_dir: Path, name: str, chunks: Iterable[str]) -> int:
    """Write text made in pieces (a large download) below `out_dir` as UTF-8, never holding it whole: into a
    temporary file beside the target, which then replaces it, or is dropped when the target already holds
    the same bytes (its modification time kept, as `write_file` does). Returns the bytes written."""
    target = Path(out_dir) / name
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(chunks)
        size = partial.stat().st_size
        if target.is_file() and target.stat().st_size == size and filecmp.cmp(partial, target, shallow=False):
            partial.unlink()
        else:
            os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BuildError(f"{target}: cannot be written ({exc.strerror or exc})") from None
    return size


def write_files(out_dir: Path, files: Mapping[str, bytes]) -> None:
    """Write every file below `out_dir` (created if missing), refusing any path that would land outside it
    before writing anything; a file whose bytes are already there is left alone (its modification time too)."""
    check_paths(out_dir, files)
    for name in sorted(files):
        write_file(out_dir, name, files[name])
