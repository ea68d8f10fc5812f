"""Writing a built site: every file checked to stay inside the output folder before any is written."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import ArgmapError


class BuildError(ArgmapError):
    """The site could not be built (a missing package file, an output folder that cannot be written)."""


def write_files(out_dir: Path, files: Mapping[str, bytes]) -> None:
    """Write every file below `out_dir` (created if missing), refusing any path that would land outside it
    before writing anything; a file whose bytes are already there is left alone (its modification time too)."""
    out_dir = Path(out_dir)
    root = out_dir.resolve()
    for name in files:
        if root not in (out_dir / name).resolve().parents:
            raise BuildError(f"refusing to write {name}: outside {out_dir}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"{out_dir}: cannot create the output folder ({exc.strerror})") from None
    for name in sorted(files):
        target, data = out_dir / name, files[name]
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
