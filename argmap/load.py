"""Stage 1: read Turtle files into one store, remembering where each node is defined.

pyoxigraph parses (fast, and its syntax errors carry line and column); a light scan of each file's text
records the line where every subject block starts, so later stages can report `file:line`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .config import compact
from .errors import DataError

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

_DIRECTIVE = re.compile(r"^\s*(@prefix|@base|prefix|base)\b", re.IGNORECASE)
_SUBJECT_TOKEN = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,]*|:[^\s;,]*)")


@dataclass(frozen=True)
class Location:
    path: Path
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class SyntaxProblem:
    """A file that could not be parsed: where, and the parser's own words."""

    location: Location
    message: str


@dataclass
class SourceFile:
    path: Path
    text: str
    prefixes: dict[str, str]
    triples: list[ox.Triple]
    #: subject IRI -> line of the first subject block that starts with it
    subject_lines: dict[str, int] = field(default_factory=dict)

    def line_of_token(self, iri: str, after_line: int = 1) -> int | None:
        """First line (from `after_line` on) mentioning `iri`, in full or with one of this file's prefixes."""
        forms = [f"<{iri}>"]
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and ns:
                forms.append(f"{prefix}:{iri[len(ns) :]}")
        for number, line in enumerate(self.text.splitlines(), start=1):
            if number < after_line or line.lstrip().startswith("#"):
                continue
            for form in forms:
                if re.search(rf"(?<![\w:/]){re.escape(form)}(?![\w/-])", line):
                    return number
        return None


@dataclass
class Loaded:
    """Every file's triples, merged in one pyoxigraph store, plus where each node is defined."""

    files: list[SourceFile]
    store: ox.Store
    #: subject IRI -> the files that give it a type (built once, on first use)
    _typed_in: dict[str, list[SourceFile]] | None = field(default=None, repr=False)

    def _typed(self) -> dict[str, list[SourceFile]]:
        if self._typed_in is None:
            index: dict[str, list[SourceFile]] = {}
            for source in self.files:
                for iri in {t.subject.value for t in source.triples if t.predicate == RDF_TYPE}:
                    index.setdefault(iri, []).append(source)
            self._typed_in = index
        return self._typed_in

    @property
    def paths(self) -> list[Path]:
        return [f.path for f in self.files]

    def triple_count(self) -> int:
        return len(self.store)

    def definition(self, iri: str) -> Location | None:
        """Where a node is defined: the file giving it a type (first such block), else its first subject block."""
        places = self.definitions(iri)
        if places:
            return places[0]
        for source in self.files:
            if iri in source.subject_lines:
                return Location(source.path, source.subject_lines[iri])
        return None

    def definitions(self, iri: str) -> list[Location]:
        """Every file's block that gives the node a type, in file order."""
        return [Location(f.path, f.subject_lines.get(iri, 1)) for f in self._typed().get(iri, [])]

    def mention(self, iri: str, in_file: Path | None = None, after_line: int = 1) -> Location | None:
        """Where an IRI is first mentioned (for dangling references: where the reference is written)."""
        for source in self.files:
            if in_file is not None and source.path != in_file:
                continue
            line = source.line_of_token(iri, after_line)
            if line is not None:
                return Location(source.path, line)
        return None


def _subject_lines(text: str, prefixes: dict[str, str]) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line or line[0] in " \t#" or _DIRECTIVE.match(line):
            continue
        match = _SUBJECT_TOKEN.match(line)
        if not match:
            continue
        token = match.group(1)
        if token.startswith("<"):
            iri = token[1:-1]
        else:
            prefix, _, local = token.partition(":")
            if prefix not in prefixes:
                continue
            iri = prefixes[prefix] + local.replace("\\", "")
        lines.setdefault(iri, number)
    return lines


def parse_file(path: Path) -> SourceFile:
    """Parse one Turtle file; raise SyntaxProblemError naming file, line and column on bad syntax."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, expected a Turtle file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    parser = ox.parse(input=text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=None)
    try:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in parser]
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = exc.offset or 1
        message = re.sub(r"^Parser error at line \d+ between columns \d+ and \d+: ", "", str(exc.msg))
        raise TurtleSyntaxError(SyntaxProblem(Location(path, line, column), message)) from None
    prefixes = dict(parser.prefixes)
    return SourceFile(path, text, prefixes, triples, _subject_lines(text, prefixes))


class TurtleSyntaxError(DataError):
    def __init__(self, problem: SyntaxProblem):
        self.problem = problem
        loc = problem.location
        super().__init__(f"{loc.path}:{loc.line}:{loc.column}: Turtle syntax error: {problem.message}")


def resolve_paths(paths: Sequence[str | Path] | None) -> list[Path]:
    """The given paths, or the default data files; a directory stands for the .ttl files in it."""
    from .config import DEFAULT_DATA

    chosen = list(paths) if paths else list(DEFAULT_DATA)
    result: list[Path] = []
    for item in chosen:
        path = Path(item)
        if path.is_dir():
            found = sorted(path.glob("*.ttl"))
            if not found:
                raise DataError(f"{path}: directory holds no .ttl files")
            result.extend(found)
        else:
            result.append(path)
    return result


def parse_all(paths: Iterable[Path]) -> tuple[list[SourceFile], list[SyntaxProblem]]:
    """Parse every file, collecting all syntax problems instead of stopping at the first."""
    files, problems = [], []
    for path in paths:
        try:
            files.append(parse_file(path))
        except TurtleSyntaxError as exc:
            problems.append(exc.problem)
    return files, problems


def store_of(files: Iterable[SourceFile]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for f in files for t in f.triples)
    return store


def load_paths(paths: Sequence[str | Path] | None = None) -> Loaded:
    """Load Turtle files (default: the data/ files) into one store. Raises DataError on the first syntax error."""
    files, problems = parse_all(resolve_paths(paths))
    if problems:
        raise TurtleSyntaxError(problems[0])
    return Loaded(files, store_of(files))


def short(iri: str) -> str:
    """An IRI in its shortest prefixed form, for messages and tables; <iri> when no prefix fits."""
    found = compact(iri)
    if found and found[1] and "/" not in found[1] and "#" not in found[1]:
        return f"{found[0]}:{found[1]}"
    return f"<{iri}>"
