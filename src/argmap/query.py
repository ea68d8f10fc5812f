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


_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([\w.-]*):", re.IGNORECASE | re.MULTILINE)
_ERROR_POS = re.compile(r"error at (\d+):(\d+)")


def with_prefixes(text: str) -> str:
    """Prepend, on ONE line, a PREFIX declaration for each project prefix the query does not declare itself.

    The same text goes to the embedded store and to remote endpoints, so both understand `claim:` etc.
    """
    declared = {m.group(1) for m in _PREFIX_DECL.finditer(text)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p not in declared]
    return (" ".join(missing) + "\n" + text) if missing else text


def _syntax_message(exc: SyntaxError, shifted: bool) -> str:
    message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
    if shifted:
        message = _ERROR_POS.sub(lambda m: f"line {int(m.group(1)) - 1}, column {m.group(2)}", message)
    else:
        message = _ERROR_POS.sub(lambda m: f"line {m.group(1)}, column {m.group(2)}", message)
    return f"SPARQL syntax error at {message}" if message.startswith("line") else f"SPARQL syntax error: {message}"


def run_query(store: ox.Store, text: str) -> QueryResult:
    """Run a read-only SPARQL query on the embedded store."""
    full = with_prefixes(text)
    try:
        answer = store.query(full)
    except SyntaxError as exc:
        raise QueryError(_syntax_message(exc, full is not text)) from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"query failed: {exc}") from None
    return result_of(answer)


def result_of(answer) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", json={"head": {}, "boolean": bool(answer)})
    if isinstance(answer, ox.QuerySolutions):
        return QueryResult("select", json=json.loads(answer.serialize(format=ox.QueryResultsFormat.JSON)))
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
