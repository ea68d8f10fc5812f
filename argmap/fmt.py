"""The canonical layout of the data files (`argmap fmt`), and the one atomic way to write a data file.

Canonical form is `export.canonical_turtle_of`: a fixed prefix block, subjects sorted by IRI, predicates
in a fixed order, one object per line where there are several. It is lossless (the graph is the same),
idempotent and byte-stable. Comments are not part of the graph, so they are carried across by position:

- the comment lines at the top of a file (before the first directive or statement) stay at the top;
- a comment block directly before a subject's block (blank lines between them allowed) travels with
  that subject, written directly above it;
- comments inside a subject's block (whole-line or after a triple) move above that block;
- comment lines after the last statement stay at the end;
- any other comment (between prefix declarations, before a blank-node block) is not kept, and
  `FormatResult.dropped` lists it so the command can say so.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import DataError
from .export import canonical_turtle_of
from .load import SourceFile, parse_file


@dataclass(frozen=True)
class Comment:
    line: int
    text: str
    #: what happened to it: "kept", "moved above <subject>", or why it was not kept
    fate: str = "kept"


@dataclass
class FormatResult:
    path: Path
    original: str
    text: str
    #: comments that the canonical form does not keep (their line and why)
    dropped: list[Comment] = field(default_factory=list)
    #: comments kept but moved (from inside a block to above it)
    moved: list[Comment] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.text != self.original


# ------------------------------------------------------------------------------------ reading comments
def _scan(text: str) -> tuple[list[tuple[int, bool, str]], set[int]]:
    """Every comment as (line, whole_line, text), and the lines that begin inside a multi-line string.

    A small lexer that knows Turtle's strings ('…', "…", '''…''', \"\"\"…\"\"\" with escapes) and IRIs
    (<…>), so a `#` inside either is not taken for a comment.
    """
    comments: list[tuple[int, bool, str]] = []
    in_string_lines: set[int] = set()
    i, n, line, line_start = 0, len(text), 1, 0
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
            line_start = i + 1
            i += 1
        elif char == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            whole = text[line_start:i].strip() == ""
            comments.append((line, whole, text[i:end].rstrip()))
            i = end
        elif char == "<":
            end = i + 1
            while end < n and text[end] not in ">\n":
                end += 1
            i = end + 1 if end < n and text[end] == ">" else i + 1
        elif char in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
            j = i + len(quote)
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j):
                    break
                if text[j] == "\n":
                    if len(quote) == 1:
                        break  # an unterminated short string: the parser has already refused the file
                    line += 1
                    line_start = j + 1
                    in_string_lines.add(line)
                j += 1
            i = j + len(quote)
        else:
            i += 1
    return comments, in_string_lines


def _subject_forms(source: SourceFile) -> dict[str, str]:
    """How each named subject of the file may be written at the start of its block -> its IRI."""
    forms: dict[str, str] = {}
    for triple in source.triples:
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode) or subject.value in forms.values():
            continue
        iri = subject.value
        forms[f"<{iri}>"] = iri
        for prefix, ns in source.prefixes.items():
            if iri.startswith(ns):
                forms[f"{prefix}:{iri[len(ns) :]}"] = iri
    return forms


def _first_token(line: str) -> str:
    token = line.split(None, 1)[0] if line.strip() else ""
    return token.rstrip(";,.") if not token.startswith("<") else token[: token.find(">") + 1]


Placed = tuple[list[str], dict[str, list[str]], list[str], list[Comment], list[Comment]]


def _place_comments(source: SourceFile) -> Placed:
    """(header, comments by subject, trailer, dropped, moved) for one parsed file."""
    body = source.text.removeprefix("\ufeff")  # canonical text has no byte-order mark
    comments, in_string = _scan(body)
    by_line: dict[int, list[tuple[bool, str]]] = {}
    for number, whole, text in comments:
        by_line.setdefault(number, []).append((whole, text))
    forms = _subject_forms(source)
    header: list[str] = []
    attached: dict[str, list[str]] = {}
    dropped: list[Comment] = []
    moved: list[Comment] = []
    pending: list[tuple[int, str]] = []  # whole-line comments (and blank lines, as "") since the last content
    seen_content = False
    current: str | None = None  # the subject whose block we are in

    def flush_into(target: list[str]) -> None:
        block = [text for _, text in pending]
        while block and block[0] == "":
            block.pop(0)
        while block and block[-1] == "":
            block.pop()
        for text in block:
            if text == "" and target and target[-1] == "":
                continue
            target.append(text)
        pending.clear()

    for number, raw in enumerate(body.splitlines(), start=1):
        stripped = raw.strip()
        here = by_line.get(number, [])
        if number in in_string:
            for _, text in here:  # a comment after the string closes on this line
                if current:
                    attached.setdefault(current, []).append(text)
                    moved.append(Comment(number, text, f"moved above the block of <{current}>"))
            continue
        if not stripped:
            if pending:
                pending.append((number, ""))
            continue
        if stripped.startswith("#"):
            pending.append((number, here[0][1] if here else stripped))
            continue
        # a content line
        token = _first_token(raw) if raw[:1] not in " \t" else ""
        subject = forms.get(token)
        is_directive = stripped.lower().startswith(("@prefix", "@base", "prefix", "base"))
        if not seen_content:
            flush_into(header)
        elif subject is not None:
            flush_into(attached.setdefault(subject, []))
        elif current is not None and not is_directive and raw[:1] in " \t":
            lines = [(n, t) for n, t in pending if t]
            attached.setdefault(current, []).extend(t for _, t in lines)
            moved.extend(Comment(n, t, f"moved above the block of <{current}>") for n, t in lines)
            pending.clear()
        else:
            why = "between directives" if is_directive else "before a block the formatter cannot name"
            dropped.extend(Comment(n, t, f"not kept ({why})") for n, t in pending if t)
            pending.clear()
        seen_content = True
        if subject is not None:
            current = subject
        elif is_directive or raw[:1] not in " \t":
            current = None
        for _, text in (c for c in here if not c[0]):  # a comment after content on the same line
            if current:
                attached.setdefault(current, []).append(text)
                moved.append(Comment(number, text, f"moved above the block of <{current}>"))
            else:
                dropped.append(Comment(number, text, "not kept (after a directive)"))
    trailer: list[str] = []
    if seen_content:
        flush_into(trailer)
    else:
        flush_into(header)
    return header, attached, trailer, dropped, moved


# ------------------------------------------------------------------------------------ formatting
def canonical_text(source: SourceFile, extra_triples: Iterable[ox.Triple] = ()) -> FormatResult:
    """The canonical text of a parsed file (plus `extra_triples`, for `argmap new`)."""
    triples = [(t.subject, t.predicate, t.object) for t in [*source.triples, *extra_triples]]
    for s, _, o in triples:
        if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
            raise DataError(f"{source.path}: holds an RDF-star quoted triple (<< … >>), which the data may not use")
    header, attached, trailer, dropped, moved = _place_comments(source)
    text = canonical_turtle_of(triples, source.prefixes, header, attached, trailer)
    return FormatResult(source.path, source.text, text, dropped, moved)


def format_file(path: Path) -> FormatResult:
    """Parse a Turtle file and return its canonical text (nothing is written)."""
    return canonical_text(parse_file(path))


def format_paths(paths: Sequence[Path]) -> list[FormatResult]:
    """Every file parsed and formatted before anything is written; the first syntax error stops all."""
    return [format_file(Path(p)) for p in paths]


# ------------------------------------------------------------------------------------ atomic writes
def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a crash or Ctrl-C leaves either the old file or the new one.

    The text goes to a temporary file in the same folder, is flushed and fsynced, then `os.replace`d over
    the original (atomic on POSIX and Windows); the folder is fsynced so the rename survives a power cut.
    On any error, KeyboardInterrupt included, the temporary file is removed and the original is untouched.
    """
    path = Path(path)
    data = text.encode("utf-8")
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DataError(f"{path}: cannot write next to it ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


__all__ = ["Comment", "FormatResult", "canonical_text", "format_file", "format_paths", "write_atomic"]
