"""Stage 1: read Turtle files into one store, remembering where each node is defined.

pyoxigraph parses (fast, and its syntax errors carry line and column), straight into the store: no Python list of
a file's triples is kept (`SourceFile.triples` parses again when asked). A light tokenizer over each file's text
(strings, comments and IRIs told apart, no grammar) records, when a problem must be located, where every statement
starts, where every IRI and blank node is written, and the prefix lines, so later stages can report `file:line`
for any node; it also tells which statements a change touched (`changed_statements`).

Limits (documented in the README): a file may hold at most MAX_FILE_BYTES bytes and all files together
MAX_TOTAL_BYTES; a file must be UTF-8 (a leading byte-order mark is accepted) without NUL characters; RDF-star
quoted triples (`<< s p o >>`, `{| … |}`) are refused. Each is reported with file, line and column.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
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


class SourceFile:
    """One parsed file: its path, text and prefixes, and what the loader noted while its triples went by.

    The loader streams the triples into the store and keeps none of them here: `triples` parses the text again on
    first use (fmt, new, and validation when it must locate a blank node or a dangling reference), naming each blank
    node as the store does. `release()` drops the text once nothing will be located in it any more."""

    def __init__(
        self,
        path: Path,
        text: str,
        prefixes: dict[str, str],
        count: int = 0,
        blank_ids: Sequence[str] = (),
        blank_labels: dict[str, str] | None = None,
        triples: list[ox.Triple] | None = None,
    ) -> None:
        self.path = path
        self._text: str | None = text
        self.prefixes = prefixes
        #: how many triples the parser read (repeats included)
        self.count = count
        #: the store's id of each of the file's blank nodes, in the order the parser first met them
        self.blank_ids = tuple(blank_ids)
        #: blank node id in the store -> the id the parser gave it (its `_:label` when it had one)
        self.blank_labels = blank_labels or {}
        #: where things are written (statements, mentions, prefixes); scanned from the text on first use
        self.scanned: Layout | None = None
        self._triples = triples
        #: the file's quads as loaded, when the loader was asked to keep them (`--changed-since` compares them)
        self.kept: list[ox.Quad] | None = None

    def __repr__(self) -> str:
        return f"SourceFile({str(self.path)!r}, {self.count} triples)"

    @property
    def text(self) -> str:
        if self._text is None:
            raise DataError(f"{self.path}: its text was released after validation and cannot be read here")
        return self._text

    @property
    def triples(self) -> list[ox.Triple]:
        """The file's triples in the parser's order (parsed again from the text on first use, then kept)."""
        if self._triples is None:
            self._triples = self.parse()
        return self._triples

    def parse(self) -> list[ox.Triple]:
        """The file's triples parsed again from its text, each blank node named as in the store (not kept)."""
        ids = iter(self.blank_ids)
        fresh: dict[str, ox.BlankNode] = {}
        blank, triple = ox.BlankNode, ox.Triple

        def scoped(term: ox.BlankNode) -> ox.BlankNode:
            found = fresh.get(term.value)
            if found is None:
                found = fresh[term.value] = blank(next(ids))
            return found

        triples = []
        for q in ox.parse(input=self.text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=None):
            s, o = q.subject, q.object
            if s.__class__ is blank:
                s = scoped(s)  # type: ignore[arg-type]
            if o.__class__ is blank:
                o = scoped(o)  # type: ignore[arg-type]
            triples.append(triple(s, q.predicate, o))
        return triples

    def release(self) -> None:
        """Forget the text and everything derived from it (the store keeps the triples)."""
        self._text = self._triples = self.scanned = self.kept = None
        for cached in ("subject_lines", "bnode_lines"):
            self.__dict__.pop(cached, None)

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
        """Blank node id (as the store names it) -> the line it is written at."""
        return _bnode_lines(self) if self.blank_ids else {}

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
    for t in source.parse():
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


class Typing:
    """Which files give each IRI a type (an rdf:type triple with it as subject), noted while the files load."""

    def __init__(self) -> None:
        #: IRI -> index of the first file typing it
        self.first: dict[str, int] = {}
        #: IRI typed by more than one rdf:type triple (in one file, repeats included, or in several) -> the indexes
        #: of the files typing it, in order: only these can have two typed blocks
        self.more: dict[str, list[int]] = {}

    def note(self, iri: str, index: int) -> None:
        found = self.first.get(iri)
        if found is None:
            self.first[iri] = index
            return
        files = self.more.get(iri)
        if files is None:
            self.more[iri] = [found] if found == index else [found, index]
        elif files[-1] != index:
            files.append(index)

    def files_of(self, iri: str) -> list[int]:
        found = self.more.get(iri)
        if found is not None:
            return found
        first = self.first.get(iri)
        return [] if first is None else [first]


@dataclass
class Loaded:
    """Every file's triples, merged in one pyoxigraph store, plus where each node is defined."""

    files: list[SourceFile]
    store: ox.Store
    #: which files type each IRI (noted by the loader; from the files' triples when a Loaded is made by hand)
    typing: Typing | None = field(default=None, repr=False)

    def _typing(self) -> Typing:
        if self.typing is None:
            typing = Typing()
            for index, source in enumerate(self.files):
                for t in source.triples:
                    if t.predicate == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
                        typing.note(t.subject.value, index)
            self.typing = typing
        return self.typing

    def typed_twice(self) -> Collection[str]:
        """IRIs that may have two typed blocks: typed in two files, or by two rdf:type triples in one (the parser
        yields every triple it reads, repeats included). Only these need the text scan that finds the blocks."""
        return self._typing().more.keys()

    def release(self) -> Loaded:
        """Drop every file's text and the loader's notes once nothing more will be located (build, serve, push
        need only the store and the paths); returns self."""
        for source in self.files:
            source.release()
        self.typing = Typing()
        return self

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
        for index in self._typing().files_of(iri):
            source = self.files[index]
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
        """Where a blank node (the store's id) is written: its label, its `[`, or the property holding it."""
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
    return _read_data(path)[0]


def _read_data(path: Path) -> tuple[str, bytes]:
    """The file's text and its bytes (each without a byte-order mark): what `_read` says."""
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
    return text.removeprefix("\ufeff"), data.removeprefix(b"\xef\xbb\xbf")


def parse_file(path: Path) -> SourceFile:
    """Parse one Turtle file; raise SyntaxProblemError naming file, line and column on bad syntax."""
    path = Path(path)
    return parse_text(path, _read(path))


def parse_text(path: Path, text: str) -> SourceFile:
    """Parse Turtle text as the content of `path` (which is not read), keeping its triples (fmt and new use them):
    what `parse_file` does after reading."""
    quads: list[ox.Quad] = []
    source = _load_text(path, text, quads.extend)
    source._triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return source


def _ignore(iri: str, index: int) -> None:
    pass


class _Quoted(Exception):
    """An RDF-star quoted triple went by (refused with the place the text scan finds)."""


def _load_text(
    path: Path,
    text: str,
    sink: Callable[[Iterable[ox.Quad]], object],
    index: int = 0,
    typing: Typing | None = None,
    keep: bool = False,
    data: bytes | None = None,
) -> SourceFile:
    """Stream one file's triples into `sink` (a store's bulk_extend) as pyoxigraph parses them, noting on the way
    what validation asks of a file: how many triples, its blank nodes (renamed: `_:x` in two files names two
    nodes), which IRIs it types (into `typing`, as file `index`). No Python list of the triples is made (unless
    `keep`). `data`: the text's UTF-8 bytes, when the caller has them. Raises TurtleSyntaxError with file, line
    and column."""
    data = text.encode("utf-8") if data is None else data
    parser = ox.parse(input=data, format=ox.RdfFormat.TURTLE, base_iri=None)
    total = [0]
    fresh: dict[str, ox.BlankNode] = {}
    kept: list[ox.Quad] | None = [] if keep else None

    def scoped(term: ox.BlankNode) -> ox.BlankNode:
        found = fresh.get(term.value)
        if found is None:
            found = fresh[term.value] = ox.BlankNode()
        return found

    def quads() -> Iterator[ox.Quad]:  # per triple, as little Python as can be: it runs 100,000s of times
        named, literal, blank, quad, quoted, rdf_type = (
            ox.NamedNode,
            ox.Literal,
            ox.BlankNode,
            ox.Quad,
            ox.Triple,
            RDF_TYPE,
        )
        note = typing.note if typing is not None else _ignore
        count = 0
        for count, q in enumerate(parser, 1):  # noqa: B007 - read after the loop: the triple count
            s, o = q.subject, q.object
            if s.__class__ is not named or (o.__class__ is not named and o.__class__ is not literal):
                if s.__class__ is quoted or o.__class__ is quoted:
                    raise _Quoted
                if s.__class__ is blank:
                    s = scoped(s)  # type: ignore[arg-type]
                if o.__class__ is blank:
                    o = scoped(o)  # type: ignore[arg-type]
                q = quad(s, q.predicate, o)
                if s.__class__ is named and q.predicate == rdf_type:
                    note(s.value, index)
            elif q.predicate == rdf_type:
                note(s.value, index)
            yield q
        total[0] = count

    def keeping(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        for q in quads:
            kept.append(q)  # type: ignore[union-attr]
            yield q

    try:
        sink(quads() if kept is None else keeping(quads()))
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
    except _Quoted:
        line, column = layout(text, dict(parser.prefixes)).quoted or (1, 1)
        raise TurtleSyntaxError(
            SyntaxProblem(
                Location(path, line, column),
                "RDF-star quoted triples (<< … >>, {| … |}) are not supported in argmap data: "
                "make the statement a node of its own (e.g. an am:Inference) and point at it",
                "rdf-star",
            )
        ) from None
    except (ValueError, OSError) as exc:  # pyoxigraph's other input errors
        raise TurtleSyntaxError(SyntaxProblem(Location(path, 1, 1), f"cannot be parsed: {exc}")) from None
    source = SourceFile(
        path,
        text,
        dict(parser.prefixes),
        total[0],
        [b.value for b in fresh.values()],
        {new.value: old for old, new in fresh.items()},
    )
    source.kept = kept
    return source


def _directive_lines(data: bytes, first: int) -> Iterator[int]:
    """The numbers (0-based) of the lines from line `first` on where a directive (`@prefix`, `@base`, `PREFIX`,
    `BASE`, in any case) may be written: each such word standing alone. The tokenizer decides on those lines."""
    folded = data.lower()  # ASCII case folding: what the grammar's case-insensitive keywords allow
    found: set[int] = set()
    for word in (b"prefix", b"base"):
        at, line, counted = folded.find(word), 0, 0
        while at != -1:
            end = at + len(word)
            if not (folded[at - 1 : at].isalnum() or folded[end : end + 1].isalnum()):  # a word, not part of one
                line += folded.count(b"\n", counted, at)
                counted = at
                if line >= first:
                    found.add(line)
            at = folded.find(word, end)
    return iter(sorted(found))


def _says_directive(line: bytes) -> bool:
    return any(t.kind == "directive" for t in _tokens(line.decode("utf-8", "replace")))


def _ends_statement(line: bytes) -> bool | None:
    """Whether a line's last token is the `.` ending a statement; None for a line without tokens (blank, or
    only a comment). Exact only where no token spans lines (no long string in the text)."""
    tokens = list(_tokens(line.decode("utf-8", "replace")))
    if not tokens:
        return None
    return tokens[-1].kind == "punct" and tokens[-1].text == "."


def _same_lines(before: list[bytes], after: list[bytes], i: int, j: int) -> int:
    """How many lines are the same from before[i] and after[j] on (slices compared: the loop is in C)."""
    limit = min(len(before) - i, len(after) - j)
    low, step = 0, 64
    while low < limit:
        high = min(low + step, limit)
        if before[i + low : i + high] == after[j + low : j + high]:
            low, step = high, step * 2
            continue
        while high - low > 1:  # the first difference is in [low, high)
            middle = (low + high) // 2
            if before[i + low : i + middle] == after[j + low : j + middle]:
                low = middle
            else:
                high = middle
        return low
    return low


def line_changes(
    before: list[bytes], after: list[bytes], window: int = 256, anchor: int = 3
) -> list[tuple[int, int, int, int]] | None:
    """The lines that differ between two texts (split at newlines), as (old start, old end, new start, new end),
    0-based and half-open, in order; the lines between are the same on both sides. After each difference the two
    sides meet again at the nearest `anchor` equal lines within `window` lines; None when they do not (a change
    too large to be worth telling line by line)."""
    hunks = []
    i = j = 0
    while True:
        same = _same_lines(before, after, i, j)
        i, j = i + same, j + same
        if i == len(before) or j == len(after):
            if i < len(before) or j < len(after):
                hunks.append((i, len(before), j, len(after)))
            return hunks
        places: dict[bytes, list[int]] = {}
        for b in range(min(window, len(after) - j)):
            places.setdefault(after[j + b], []).append(b)
        found: tuple[int, int] | None = None
        for a in range(min(window, len(before) - i)):
            if found is not None and a >= found[0] + found[1]:
                break
            for b in places.get(before[i + a], ()):
                if found is not None and a + b >= found[0] + found[1]:
                    break
                if before[i + a : i + a + anchor] == after[j + b : j + b + anchor]:
                    found = (a, b)
                    break
        if found is None:
            return None
        hunks.append((i, i + found[0], j, j + found[1]))
        i, j = i + found[0], j + found[1]


def changed_statements(old: bytes, new: bytes, prefixes: dict[str, str]) -> tuple[bytes, bytes] | None:
    """The statements around each changed line of a file, before and after, as two Turtle documents (with the
    prefixes): every triple added or removed is a triple of one of them, which is what `--changed-since` needs,
    without parsing the whole file at the revision.

    None when the texts do not allow it: a long string (a token spanning lines, so lines cannot be read one by
    one), a directive at or after the first change, changes too large for `line_changes`. Each changed stretch of
    lines is widened over unchanged lines to whole statements (from a line after a `.` to a line ending with one),
    so it parses alone with the prefixes as it does inside the file."""
    if b'"""' in old or b"'''" in old or b'"""' in new or b"'''" in new:
        return None
    before, after = old.split(b"\n"), new.split(b"\n")
    hunks = line_changes(before, after)
    if not hunks:
        return None
    o_at = n_at = 0
    for o_start, o_end, n_start, n_end in hunks:  # the lines between hunks must be the same on both sides
        if o_start < o_at or n_start - o_start != n_at - o_at or before[o_at:o_start] != after[n_at:n_start]:
            return None
        if any(_says_directive(line) for line in before[o_start:o_end]):  # a directive removed
            return None
        o_at, n_at = o_end, n_end
    if before[o_at:] != after[n_at:]:
        return None
    # unchanged lines are the same on both sides: the new text tells whether a directive follows the first change
    if any(_says_directive(after[number]) for number in _directive_lines(new, hunks[0][2])):
        return None

    def last_ends(lines: list[bytes], start: int, end: int) -> bool:
        for number in range(end - 1, start - 1, -1):
            ends = _ends_statement(lines[number])
            if ends is not None:
                return ends
        return True  # only blank lines and comments: the region starts at a statement boundary

    old_parts: list[bytes] = []
    new_parts: list[bytes] = []
    index = 0
    o_floor = 0
    while index < len(hunks):
        o_start, o_end, n_start, n_end = hunks[index]
        while o_start > o_floor and not last_ends(before, o_floor, o_start):  # back to a line after a `.`
            o_start -= 1
            n_start -= 1
        while not (last_ends(before, o_start, o_end) and last_ends(after, n_start, n_end)):
            if index + 1 < len(hunks) and hunks[index + 1][0] == o_end:
                index += 1
                _, o_end, _, n_end = hunks[index]
            elif o_end < len(before) and n_end < len(after):
                o_end += 1
                n_end += 1
            else:
                return None
        old_parts.append(b"\n".join(before[o_start:o_end]))
        new_parts.append(b"\n".join(after[n_start:n_end]))
        o_floor = o_end
        index += 1
    header = "".join(f"@prefix {name}: <{namespace}> .\n" for name, namespace in prefixes.items()).encode("utf-8")
    return header + b"\n".join(old_parts) + b"\n", header + b"\n".join(new_parts) + b"\n"


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


def load_sources(sources: Iterable[tuple[Path, str | None]], keep: bool = False) -> tuple[Loaded, list[SyntaxProblem]]:
    """Load (path, text) pairs into one store (a text of None: read the path), collecting every file's syntax
    problem instead of stopping at the first. `keep`: each file also keeps its quads (`SourceFile.kept`)."""
    store = ox.Store()
    typing = Typing()
    files: list[SourceFile] = []
    problems: list[SyntaxProblem] = []
    for path, text in sources:
        path = Path(path)
        try:
            data = None
            if text is None:
                text, data = _read_data(path)
            files.append(_load_text(path, text, store.bulk_extend, len(files), typing, keep, data))
        except TurtleSyntaxError as exc:
            problems.append(exc.problem)
    return Loaded(files, store, typing), problems


def load_all(paths: Iterable[Path], keep: bool = False) -> tuple[Loaded, list[SyntaxProblem]]:
    """Load every file (already resolved: `resolve_paths`), collecting all syntax problems."""
    return load_sources(((Path(path), None) for path in paths), keep)


def parse_all(paths: Iterable[Path]) -> tuple[list[SourceFile], list[SyntaxProblem]]:
    """Parse every file, collecting all syntax problems instead of stopping at the first."""
    loaded, problems = load_all(paths)
    return loaded.files, problems


def load_paths(paths: Sequence[str | Path] | None = None, keep: bool = False) -> Loaded:
    """Load Turtle files (default: the data/ files) into one store. Raises DataError on the first syntax error.
    `keep`: each file also keeps its quads as parsed, in order (`SourceFile.kept`)."""
    loaded, problems = load_all(resolve_paths(paths), keep)
    if problems:
        raise TurtleSyntaxError(problems[0])
    return loaded


def short(iri: str) -> str:
    """An IRI in its shortest prefixed form, for messages and tables; <iri> when no prefix fits."""
    found = compact(iri)
    if found and found[1] and "/" not in found[1] and "#" not in found[1]:
        return f"{found[0]}:{found[1]}"
    return f"<{iri}>"
