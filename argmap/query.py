"""SPARQL on the embedded pyoxigraph store, and the named queries that ship with the package."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .config import PREFIXES, QUERIES_DIR
from .errors import QueryError


@dataclass
class QueryResult:
    """A SPARQL result, whichever engine answered: SELECT/ASK as SPARQL 1.1 results JSON, graphs as triples."""

    kind: str  # "select" | "ask" | "graph"
    json: dict | None = None
    triples: list[ox.Triple] | None = None

    @property
    def variables(self) -> list[str]:
        return list((self.json or {}).get("head", {}).get("vars", []))

    @property
    def rows(self) -> list[dict]:
        """SELECT bindings as SPARQL JSON term dicts, keyed by variable."""
        return list((self.json or {}).get("results", {}).get("bindings", []))

    @property
    def boolean(self) -> bool | None:
        return (self.json or {}).get("boolean")

    def values(self) -> list[tuple[str | None, ...]]:
        """Rows as tuples of plain values (IRI or lexical form), in variable order; None for unbound."""
        return [tuple(row.get(v, {}).get("value") for v in self.variables) for row in self.rows]


@dataclass(frozen=True)
class NamedQuery:
    name: str
    question: str
    text: str
    path: Path


#: strings, IRIs and comments: what to blank out before looking for keywords or prefixed names in a query
STRINGS_IRIS_COMMENTS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_PREFIXED = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w.-]*)?:(?=[\w%\\-]|\s|[,;.)}\]])")
_DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_ERROR_AT = re.compile(r"^error at (\d+):(\d+): ")


def declared_prefixes(text: str) -> set[str]:
    """The prefixes a query declares with PREFIX."""
    return {m.group(1) or "" for m in _DECLARED.finditer(STRINGS_IRIS_COMMENTS.sub(" ", text))}


def used_prefixes(text: str) -> set[str]:
    """The prefixes a query's prefixed names use (strings, IRIs and comments aside)."""
    return {m.group(1) or "" for m in _PREFIXED.finditer(STRINGS_IRIS_COMMENTS.sub(" ", text))}


def with_prefixes(text: str, *, only_used: bool = False) -> str:
    """The query with a PREFIX declaration for each project prefix it does not declare itself.

    By default every missing project prefix, on ONE line above the query (so an endpoint's line numbers are
    off by exactly one): for remote endpoints, which do not know `claim:` etc.; the embedded store is given
    them directly. With `only_used`, just the prefixes the query uses, one per line: the query as a scholar
    can paste it into any SPARQL tool (the query console shows named queries so).
    """
    declared = declared_prefixes(text)
    wanted = used_prefixes(text) if only_used else set(PREFIXES)
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p in wanted and p not in declared]
    if not missing:
        return text
    return ("\n" if only_used else " ").join(missing) + "\n" + text


def select(
    store: ox.Store, query: str
) -> list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, ...]]:
    """The rows of a SELECT on the embedded store (project prefixes predeclared), each a tuple of terms in
    the order of the query's variables; None where a variable is unbound."""
    solutions = store.query(query, prefixes=PREFIXES)
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError("select() runs SELECT queries only")
    return [tuple(solution) for solution in solutions]


def unknown_prefixes(text: str) -> list[str]:
    """Prefixes the query uses without declaring them (and that are not project prefixes)."""
    return sorted(used_prefixes(text) - declared_prefixes(text) - set(PREFIXES))


def syntax_message(text: str, message: str) -> str:
    """The parser's message with its position as `line L, column C`; an unknown prefix is named."""
    match = _ERROR_AT.match(message)
    if not match:
        return " ".join(message.split())
    line, column = int(match.group(1)), int(match.group(2))
    rest = message[match.end() :]
    if "Prefix not found" in rest:
        unknown = unknown_prefixes(text)
        shown = ", ".join(f"{p}:" for p in unknown) or "a prefix"
        rest = f"unknown prefix {shown} (declare it with PREFIX NAME: <IRI>)"
    return f"line {line}, column {column}: {' '.join(rest.split())}"


def run_query(store: ox.Store, text: str) -> QueryResult:
    """Run a read-only SPARQL query on the embedded store; the project prefixes need no declaration.

    The query is read by the SPARQL parser of `protocol.check_query` first: one nested too deeply is refused
    there (pyoxigraph's own parser would overflow the stack and kill the process). A query that parser
    cannot read otherwise still goes to pyoxigraph, whose message is the clearer one. Line ends are
    normalised to LF for both, so they agree on where comments end.
    """
    from .errors import QueryTooDeep
    from .protocol import check_query, normalise

    text = normalise(text)
    try:
        check_query(text, allow_service=True)
    except QueryTooDeep as exc:
        raise QueryError(f"SPARQL query refused: {exc}") from None
    except QueryError:
        pass
    try:
        answer = store.query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        message = syntax_message(text, str(exc.msg if getattr(exc, "msg", None) else exc))
        raise QueryError(
            f"SPARQL syntax error at {message}" if message.startswith("line ") else f"SPARQL syntax error: {message}"
        ) from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"query failed: {exc}") from None
    return result_of(answer)


def result_of(answer) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", json={"head": {}, "boolean": bool(answer)})
    if isinstance(answer, ox.QuerySolutions):
        return QueryResult("select", json=json.loads(answer.serialize(format=ox.QueryResultsFormat.JSON) or b"{}"))
    return QueryResult("graph", triples=list(answer))


def named_queries(directory: Path = QUERIES_DIR) -> list[NamedQuery]:
    """The `*.rq` files shipped with the package; the first comment line of each states its question."""
    queries = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
        question = comments[0] if comments else ""
        queries.append(NamedQuery(path.stem, question, text, path))
    return queries


def named_query(name: str) -> NamedQuery:
    for query in named_queries():
        if query.name == name:
            return query
    known = ", ".join(q.name for q in named_queries())
    raise QueryError(f"no named query '{name}'; `argmap query --list` shows them ({known})")


_QUERY_START = re.compile(r"^\s*(PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE|#)", re.IGNORECASE)


def resolve_query(arg: str, stdin=None) -> str:
    """The query text for an argument: '-' (stdin), a path to a .rq file, a named query, or inline SPARQL."""
    if arg == "-":
        return (stdin or sys.stdin).read()
    if _QUERY_START.match(arg):
        return arg
    path = Path(arg)
    if path.suffix in (".rq", ".sparql") or path.exists():
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise QueryError(f"{path}: no such query file") from None
        except (IsADirectoryError, UnicodeDecodeError) as exc:
            raise QueryError(f"{path}: cannot read query file ({exc})") from None
    return named_query(arg).text
