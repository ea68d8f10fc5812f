"""Stage 1: read Turtle files into one store, remembering where each node is defined.

pyoxigraph parses (fast, and its syntax errors carry line and column); a light tokenizer over each file's text
(strings, comments and IRIs told apart, no grammar) records where every statement starts, where every IRI and
blank node is written, and the prefix lines, so later stages can report `file:line` for any node.

Limits (documented in the README): a file may hold at most MAX_FILE_BYTES bytes and all files together
MAX_TOTAL_BYTES; a file must be UTF-8 (a leading byte-order mark is accepted) without NUL characters; RDF-star
quoted triples (`<< s p o >>`, `{| … |}`) are refused. Each is reported with file, line and column.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from .config import compact
from .errors import DataError

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDF_TYPE_IRI = RDF_TYPE.value

#: The largest data file argmap reads (bytes), and the most all files given at once may hold together.
MAX_FILE_BYTES = 32 * 1024 * 1024  # sized for the 100k-node benchmark debate (18 and 24 MB files)
MAX_TOTAL_BYTES = 128 * 1024 * 1024

#: One Turtle token per match; grammar-free, for locating things only (pyoxigraph decides what is valid).
_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:[^"\\]++|\\.|"(?!""))*+(?:\"\"\"|\Z)
             | '''(?:[^'\\]++|\\.|'(?!''))*+(?:'''|\Z)
             | "(?:[^"\\\r\n]++|\\.)*+"?
             | '(?:[^'\\\r\n]++|\\.)*+'?)
  | (?P<star><<|>>|\{\||\|\})
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<bnode>_:[\w-](?:[\w.-]*[\w-])?)
  | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:(?:[\w:%-]|\\.)(?:(?:[\w.:%-]|\\.)*(?:[\w:%-]|\\.))?)?)
  | (?P<directive>@prefix\b|@base\b|(?i:prefix|base)\b)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[+-]?(?:\d*\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][\w-]*)
  | (?P<punct>\^\^|[.;,\[\]()])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


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
    rule: str = "syntax"


@dataclass
class _Token:
    kind: str
    text: str
    line: int
    column: int


@dataclass
class Layout:
    """Where things are written in one file's text (from the tokenizer)."""

    #: subject key (IRI, or '_:label') -> (line, gives a type) of every statement starting with it, in order
    blocks: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)
    #: IRI or '_:label' -> every (line, column) it is written at, in order
    mentions: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    #: prefix name -> (namespace, line of its declaration)
    prefix_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: lines of the statements whose subject is an anonymous `[ … ]`, in order
    anonymous_subjects: list[int] = field(default_factory=list)
    #: first RDF-star token (`<<`, `{|`): (line, column)
    quoted: tuple[int, int] | None = None
    #: the longest string literal: (characters, line, column)
    longest_literal: tuple[int, int, int] = (0, 1, 1)


def _tokens(text: str) -> Iterator[_Token]:
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", text)]
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        pos = match.start()
        line = bisect_right(starts, pos)
        yield _Token(kind, match.group(), line, pos - starts[line - 1] + 1)


def _unescape_local(local: str) -> str:
    return re.sub(r"\\(.)", r"\1", local)


def layout(text: str, prefixes: dict[str, str] | None = None) -> Layout:
    """Scan the text once: statement starts, IRI and blank-node mentions, prefix lines, RDF-star tokens."""
    result = Layout()
    known = dict(prefixes or {})
    declared: dict[str, str] = {}
    depth = 0
    expect_subject = True
    expect_predicate = False
    directive: list[_Token] | None = None
    subject_key: str | None = None
    block_index = -1

    def resolve(tok: _Token) -> str | None:
        if tok.kind == "iri":
            return tok.text[1:-1]
        if tok.kind == "bnode":
            return tok.text
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            ns = declared.get(prefix, known.get(prefix))
            return None if ns is None else ns + _unescape_local(local)
        return None

    for tok in _tokens(text):
        if tok.kind == "string":
            if len(tok.text) > result.longest_literal[0]:
                result.longest_literal = (len(tok.text), tok.line, tok.column)
            expect_predicate = False
            continue
        if directive is not None:
            directive.append(tok)
            sparql_style = not directive[0].text.startswith("@")
            if tok.kind == "iri" and len(directive) >= 2 and directive[0].text.lower().endswith("prefix"):
                name = directive[1].text.rstrip(":") if directive[1].kind == "pname" else ""
                declared[name] = tok.text[1:-1]
                result.prefix_lines.setdefault(name, (tok.text[1:-1], directive[0].line))
            if (sparql_style and tok.kind == "iri") or tok.text == "." or len(directive) > 4:
                directive = None
                expect_subject = True
            continue
        if tok.kind == "star":
            if tok.text in ("<<", "{|") and result.quoted is None:
                result.quoted = (tok.line, tok.column)
            depth += 1 if tok.text in ("<<", "{|") else -1
            depth = max(depth, 0)
            continue
        key = resolve(tok)
        if key is not None:
            result.mentions.setdefault(key, []).append((tok.line, tok.column))
        if depth == 0 and expect_subject:
            expect_subject = False
            if tok.kind == "directive":
                directive = [tok]
                expect_subject = False
                continue
            if tok.text == "[":
                result.anonymous_subjects.append(tok.line)
                subject_key = None
                depth += 1
                continue
            subject_key = key
            if key is not None:
                result.blocks.setdefault(key, []).append((tok.line, False))
                block_index = len(result.blocks[key]) - 1
            expect_predicate = True
            continue
        if tok.text in ("[", "("):
            depth += 1
            expect_predicate = False
            continue
        if tok.text in ("]", ")"):
            depth = max(depth - 1, 0)
            if depth == 0 and subject_key is None and not expect_subject:
                expect_predicate = True
            continue
        if depth == 0 and tok.text == ";":
            expect_predicate = True
            continue
        if depth == 0 and tok.text == ".":
            expect_subject = True
            expect_predicate = False
            subject_key = None
            continue
        if depth == 0 and expect_predicate:
            expect_predicate = False
            is_type = (tok.kind == "word" and tok.text == "a") or key == _RDF_TYPE_IRI
            if is_type and subject_key is not None and block_index >= 0:
                line, _ = result.blocks[subject_key][block_index]
                result.blocks[subject_key][block_index] = (line, True)
    return result


@dataclass
class SourceFile:
    path: Path
    text: str
    prefixes: dict[str, str]
    triples: list[ox.Triple]
    #: where things are written (statements, mentions, prefixes); scanned from the text on first use
    scanned: Layout | None = field(default=None, repr=False)
    #: blank node id in `triples` -> the id the parser gave it (its `_:label` when it had one)
    blank_labels: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def layout(self) -> Layout:
        if self.scanned is None:
            self.scanned = layout(self.text, self.prefixes)
        return self.scanned

    @cached_property
    def subject_lines(self) -> dict[str, int]:
        """Subject IRI -> line of the first statement that starts with it."""
        return {key: lines[0][0] for key, lines in self.layout.blocks.items() if not key.startswith("_:")}

    @cached_property
    def bnode_lines(self) -> dict[str, int]:
        """Blank node id (as pyoxigraph named it) -> the line it is written at."""
        return _bnode_lines(self)

    def line_of_token(self, iri: str, after_line: int = 1) -> int | None:
        """First line (from `after_line` on) where `iri` is written, in full or with a prefix (never in a comment)."""
        for line, _ in self.layout.mentions.get(iri, ()):
            if line >= after_line:
                return line
        return None

    def typed_blocks(self, iri: str) -> list[int]:
        """Lines of the statements that start with `iri` and give it a type (`a …`)."""
        return [line for line, typed in self.layout.blocks.get(iri, ()) if typed]


def _bnode_lines(source: SourceFile) -> dict[str, int]:
    """Each blank node -> the line where it is written: its label, its `[` statement, or its parent's property."""
    lay = source.layout
    parents: dict[str, tuple[ox.NamedNode | ox.BlankNode, str]] = {}
    order: list[str] = []
    seen: set[str] = set()
    for t in source.triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.BlankNode) and term.value not in seen:
                seen.add(term.value)
                order.append(term.value)
        if isinstance(t.object, ox.BlankNode) and isinstance(t.subject, ox.NamedNode | ox.BlankNode):
            parents.setdefault(t.object.value, (t.subject, t.predicate.value))
    lines: dict[str, int] = {}
    labels = source.blank_labels
    roots = [b for b in order if b not in parents and f"_:{labels.get(b, b)}" not in lay.mentions]
    for bnode, line in zip(roots, lay.anonymous_subjects, strict=False):
        lines[bnode] = line

    def line_of(term: ox.NamedNode | ox.BlankNode, hops: int = 0) -> int | None:
        if isinstance(term, ox.NamedNode):
            blocks = lay.blocks.get(term.value)
            return blocks[0][0] if blocks else source.line_of_token(term.value)
        label = f"_:{labels.get(term.value, term.value)}"
        if label in lay.mentions:
            return lay.mentions[label][0][0]
        if term.value in lines:
            return lines[term.value]
        if term.value not in parents or hops > 64:
            return None
        parent, predicate = parents[term.value]
        start = line_of(parent, hops + 1)
        if start is None:
            return None
        found = source.line_of_token(predicate, start) or start
        lines[term.value] = found
        return found

    for bnode in order:
        found = line_of(ox.BlankNode(bnode))
        if found is not None:
            lines[bnode] = found
    return lines


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
                typed = {t.subject for t in source.triples if t.predicate == RDF_TYPE}
                for iri in {s.value for s in typed if isinstance(s, ox.NamedNode | ox.BlankNode)}:
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
        """Every block that gives the node a type (`iri a …`), in file order; a file that types it only in a
        nested position counts once, at its first subject block."""
        places: list[Location] = []
        for source in self._typed().get(iri, []):
            lines = source.typed_blocks(iri) or [source.subject_lines.get(iri) or source.line_of_token(iri) or 1]
            places.extend(Location(source.path, line) for line in lines)
        return places

    def mention(self, iri: str, in_file: Path | None = None, after_line: int = 1) -> Location | None:
        """Where an IRI is first mentioned (for dangling references: where the reference is written)."""
        for source in self.files:
            if in_file is not None and source.path != in_file:
                continue
            line = source.line_of_token(iri, after_line)
            if line is not None:
                return Location(source.path, line)
        return None

    def blank_node(self, bnode: str) -> Location | None:
        """Where a blank node (pyoxigraph's id) is written: its label, its `[`, or the property holding it."""
        for source in self.files:
            if bnode in source.bnode_lines:
                return Location(source.path, source.bnode_lines[bnode])
        return None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """(line, column in characters) of a byte offset, both 1-based."""
    line_start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


#: The path that stands for standard input (`argmap validate -`, `argmap query -d - …`).
STDIN = Path("-")


def _read(path: Path) -> str:
    """The file's text; DataError for what cannot be read at all, TurtleSyntaxError for what is not UTF-8 text."""
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            size = path.stat().st_size
            if path.is_dir():
                raise DataError(f"{path}: is a directory, expected a Turtle file")
            if size > MAX_FILE_BYTES:
                raise DataError(
                    f"{path}: {size / 1048576:.1f} MB exceeds the file size limit of {MAX_FILE_BYTES // 1048576} MB "
                    "(see the README, Limits); split the file"
                )
            with path.open("rb") as handle:  # read no more than the limit, even from a device or a pipe
                data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise DataError(
                f"{path}: reads as more than {MAX_FILE_BYTES // 1048576} MB: exceeds the file size limit of "
                f"{MAX_FILE_BYTES // 1048576} MB (see the README, Limits)"
            )
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, expected a Turtle file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise TurtleSyntaxError(
            SyntaxProblem(
                Location(path, line, column),
                f"not UTF-8 text ({exc.reason}, byte 0x{data[exc.start]:02x}): save the file as UTF-8",
                "encoding",
            )
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _position(data, len(text[:nul].encode("utf-8")))
        raise TurtleSyntaxError(
            SyntaxProblem(Location(path, line, column), "a NUL character (U+0000): remove it", "encoding")
        )
    return text.removeprefix("\ufeff")


def parse_file(path: Path) -> SourceFile:
    """Parse one Turtle file; raise SyntaxProblemError naming file, line and column on bad syntax."""
    path = Path(path)
    return parse_text(path, _read(path))


def parse_text(path: Path, text: str) -> SourceFile:
    """Parse Turtle text as the content of `path` (which is not read): what `parse_file` does after reading."""
    parser = ox.parse(input=text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=None)
    try:
        triples, plain = _triples(parser)
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = exc.offset or 1
        message = re.sub(r"^Parser error at line \d+ between columns \d+ and \d+: ", "", str(exc.msg))
        raise TurtleSyntaxError(SyntaxProblem(Location(path, line, column), _hint(message))) from None
    except MemoryError:
        _, line, column = layout(text).longest_literal
        raise TurtleSyntaxError(
            SyntaxProblem(
                Location(path, line, column),
                "the parser ran out of memory here (a literal over 16 MB?): shorten the text",
                "size",
            )
        ) from None
    except (ValueError, OSError) as exc:  # pyoxigraph's other input errors
        raise TurtleSyntaxError(SyntaxProblem(Location(path, 1, 1), f"cannot be parsed: {exc}")) from None
    prefixes = dict(parser.prefixes)
    if plain:  # IRIs and literals only: no blank node to scope, no quoted triple to refuse
        return SourceFile(path, text, prefixes, triples)
    triples, labels = _file_scoped_blank_nodes(triples)
    if any(isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple) for t in triples):
        line, column = layout(text, prefixes).quoted or (1, 1)
        raise TurtleSyntaxError(
            SyntaxProblem(
                Location(path, line, column),
                "RDF-star quoted triples (<< … >>, {| … |}) are not supported in argmap data: "
                "make the statement a node of its own (e.g. an am:Inference) and point at it",
                "rdf-star",
            )
        )
    return SourceFile(path, text, prefixes, triples, blank_labels=labels)


def _triples(parser: Iterable[ox.Quad]) -> tuple[list[ox.Triple], bool]:
    """The parsed triples, and whether they are plain (every subject an IRI, every object an IRI or a literal):
    one pass, so that the common case needs no second look at each triple."""
    triples: list[ox.Triple] = []
    append = triples.append
    named, literal, triple = ox.NamedNode, ox.Literal, ox.Triple
    plain = True
    for q in parser:
        s, o = q.subject, q.object
        if plain and (s.__class__ is not named or (o.__class__ is not named and o.__class__ is not literal)):
            plain = False
        append(triple(s, q.predicate, o))
    return triples, plain


def _file_scoped_blank_nodes(triples: list[ox.Triple]) -> tuple[list[ox.Triple], dict[str, str]]:
    """Blank nodes get ids unique to this file: `_:x` in two files names two nodes (pyoxigraph keeps the label,
    so merged files would otherwise share it). Returns the triples and new id -> the id the parser gave."""
    if not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        return triples, {}
    fresh: dict[str, ox.BlankNode] = {}

    def scoped(term):
        if isinstance(term, ox.BlankNode):
            found = fresh.get(term.value)
            if found is None:
                found = fresh[term.value] = ox.BlankNode()
            return found
        return term

    renamed = [ox.Triple(scoped(t.subject), t.predicate, scoped(t.object)) for t in triples]
    return renamed, {new.value: old for old, new in fresh.items()}


def _hint(message: str) -> str:
    """The parser's message, plus the fix for the commonest case: a prefix used but not declared."""
    from .config import PREFIXES

    found = re.search(r"The prefix (\S*): has not been declared", message)
    if not found:
        return message
    name = found.group(1)
    if name in PREFIXES:
        return f"{message}; add `@prefix {name}: <{PREFIXES[name]}> .` at the top"
    import difflib

    near = difflib.get_close_matches(name, list(PREFIXES), n=1, cutoff=0.6)
    if near:
        return f"{message}; did you mean {near[0]}: (`@prefix {near[0]}: <{PREFIXES[near[0]]}> .`)?"
    return f"{message}; declare it with `@prefix {name}: <…> .`"


class TurtleSyntaxError(DataError):
    def __init__(self, problem: SyntaxProblem):
        self.problem = problem
        loc = problem.location
        what = "Turtle syntax error" if problem.rule == "syntax" else problem.rule
        super().__init__(f"{loc.path}:{loc.line}:{loc.column}: {what}: {problem.message}")


def resolve_paths(paths: Sequence[str | Path] | None) -> list[Path]:
    """The given paths, or the default data files; a directory stands for the .ttl files in it."""
    from .config import DEFAULT_DATA

    chosen = list(paths) if paths else list(DEFAULT_DATA)
    result: list[Path] = []
    for item in chosen:
        path = Path(item)
        if path != STDIN and path.is_dir():
            found = sorted(path.glob("*.ttl"))
            if not found:
                raise DataError(f"{path}: directory holds no .ttl files")
            result.extend(found)
        else:
            result.append(path)
    total = 0
    for path in result:
        try:
            total += path.stat().st_size if path != STDIN and path.is_file() else 0
        except OSError:
            continue
    if total > MAX_TOTAL_BYTES:
        raise DataError(
            f"{len(result)} files of {total / 1048576:.1f} MB together exceed the limit of "
            f"{MAX_TOTAL_BYTES // 1048576} MB for one run (see the README, Limits)"
        )
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
