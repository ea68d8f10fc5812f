"""Writing a built site: every file checked to stay inside the output folder before any is written."""

from __future__ import annotations

import filecmp
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import ArgmapError


class BuildError(ArgmapError):
    """The site could not be built (a missing package file, an output folder that cannot be written)."""


def check_paths(out_dir: Path, names: Iterable[str]) -> None:
    """Refuse (BuildError) if any of `names` would land outside `out_dir`; then create `out_dir` if missing.
    Call it with every name a build will write before writing the first (`write_file`)."""
    out_dir = Path(out_dir)
    root = out_dir.resolve()
    for name in names:
        if root not in (out_dir / name).resolve().parents:
            raise BuildError(f"refusing to write {name}: outside {out_dir}")
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
