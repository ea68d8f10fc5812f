"""The SPARQL 1.1 Protocol's shared parts: the media-type tables, content negotiation and reading a query.

One home for what the endpoint (`server.py`) and the client (`remote.py`) both need:

- `RESULTS_TYPES` / `GRAPH_TYPES`: media type -> pyoxigraph format, for SELECT/ASK results and for graphs
  (CONSTRUCT/DESCRIBE); `FORMAT_PARAM`: the `format=` values YASGUI, Virtuoso and Fuseki send.
- `negotiate(form, accept, format_param)`: the media type to answer with, or None (406).
- `check_query(text)`: read a query with a real SPARQL parser (rdflib's grammar) and return a `CheckedQuery`
  (its form and the exact text to evaluate), or raise: `QueryRefused` for an update or a federated
  `SERVICE` call, `QueryError` for a query the parser cannot read or that nests too deeply.

Why rdflib's grammar, and the text it hands back. pyoxigraph evaluates the query; it has no parse-only call
and no switch to turn `SERVICE` off, so the decision is taken on rdflib's parse tree. Two parsers can read
one text differently, and the differences that matter were measured (tests/test_server_hostile.py):

- comments: SPARQL ends a comment at CR or LF and pyoxigraph does; rdflib's grammar runs to LF only, so
  `# x<CR>SERVICE <…> {…}<LF>` is a comment to rdflib and a SERVICE call to pyoxigraph. `check_query`
  turns every CR into LF and returns that text: both engines then see the same comments.
- `\\u` escapes: rdflib's `parseQuery` expands them over the whole text before parsing (as the SPARQL spec
  says), pyoxigraph only inside strings and IRIs, so `"a\\u0022 …"` ends a string for one and not the
  other. `check_query` runs the grammar without that expansion: rdflib's tokens then allow no backslash-u
  anywhere (not in keywords, strings or IRIs), so a query that uses one is refused as malformed, and what
  passes has no escape for the two parsers to read differently. (Write the character itself.)
- whitespace: both take only space, tab, CR and LF; a Unicode space is not a separator for either.

Deep nesting: rdflib's recursive-descent parser raises RecursionError after about 70 nested brackets (or a
few hundred triple patterns in one block), long before pyoxigraph's parser, which overflows the stack and
kills the process at a few thousand. Long operator chains (`1 + 1 + …`, UNIONs, OPTIONALs, path steps)
parse flat in rdflib but nest in pyoxigraph, so the parse tree's nesting plus chain lengths is bounded too
(`MAX_QUERY_DEPTH`). A pathological query is refused here, before evaluation. (rdflib's parser is slow on
very long chains, seconds per thousand links: in the server that runs under the query's timeout.)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from .errors import QueryError, QueryRefused, QueryTooDeep

Form = Literal["select", "ask", "graph"]

# ---------------------------------------------------------------------------------------------------------
# Media types
# ---------------------------------------------------------------------------------------------------------

#: SELECT and ASK results: media type -> pyoxigraph results format.
RESULTS_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: CONSTRUCT and DESCRIBE results: media type -> pyoxigraph RDF format.
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # N-Triples' old media type (Virtuoso, old Fuseki)
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: `format=` parameter values (as YASGUI, Virtuoso and Fuseki accept) -> media type.
FORMAT_PARAM: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
DEFAULT_RESULTS_TYPE = "application/sparql-results+json"
DEFAULT_GRAPH_TYPE = "text/turtle"


def _parse_accept(accept: str) -> list[str]:
    """The media ranges of an Accept header, best first (by q, then by order); q=0 ranges dropped."""
    ranges = []
    for index, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media, q, -index))
    ranges.sort(key=lambda r: (r[1], r[2]), reverse=True)
    return [media for media, q, _ in ranges if q > 0]


def negotiate(form: str, accept: str | None, format_param: str | None = None) -> str | None:
    """The media type to answer a `form` ("select", "ask", "graph") query with; None when nothing fits (406).

    A `format=` parameter wins over the Accept header; `*/*`, `application/*` and an absent header get the
    default (SPARQL JSON for results, Turtle for graphs); `text/*` gets CSV for SELECT, Turtle for graphs.
    """
    table: dict = GRAPH_TYPES if form == "graph" else RESULTS_TYPES
    default = DEFAULT_GRAPH_TYPE if form == "graph" else DEFAULT_RESULTS_TYPE
    if format_param:
        media = FORMAT_PARAM.get(format_param.strip().lower(), format_param.strip().lower())
        return media if media in table else None
    if not accept or not accept.strip():
        return default
    for media in _parse_accept(accept):
        if media in table:
            if form == "ask" and media in ("text/csv", "text/tab-separated-values"):
                continue  # CSV/TSV have no boolean form
            return media
        if media == "text/*":
            if form == "graph":
                return "text/turtle"
            return "text/csv" if form == "select" else None
        if media in ("*/*", "application/*"):
            return default
    return None


def content_type(media: str) -> str:
    """The Content-Type header for a media type: text types and N-Triples say charset=utf-8."""
    return f"{media}; charset=utf-8" if media.startswith("text/") or media == "application/n-triples" else media


# ---------------------------------------------------------------------------------------------------------
# Reading a query
# ---------------------------------------------------------------------------------------------------------

_FORMS: dict[str, Form] = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "graph",
    "DescribeQuery": "graph",
}
#: Python frames the parser may use; rdflib's grammar needs ~40 per nesting level, so this allows a few
#: dozen levels of brackets (far beyond any real query) and refuses thousands cleanly.
PARSER_RECURSION_LIMIT = 3000


@dataclass(frozen=True)
class CheckedQuery:
    """A query the parser read: its form, and the text to evaluate (line ends normalised to LF)."""

    text: str
    form: Form
    uses_service: bool


def normalise(text: str) -> str:
    """CR LF and lone CR become LF, so every parser ends comments at the same place."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _walk_has(tree: object, name: str) -> bool:
    """Whether any node of an rdflib parse tree (CompValue / ParseResults / lists) is named `name`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if getattr(node, "name", None) == name:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif hasattr(node, "as_list") and not isinstance(node, str):  # pyparsing ParseResults
            stack.extend(list(node))  # type: ignore[call-overload]
    return False


#: rdflib parse-tree nodes whose list becomes a chain of nested binary nodes in pyoxigraph (a + b + c is
#: ((a + b) + c)); pyoxigraph recurses along such chains and overflows its stack at a few thousand.
_CHAINS = {
    "ConditionalOrExpression": "other",
    "ConditionalAndExpression": "other",
    "AdditiveExpression": "other",
    "MultiplicativeExpression": "other",
    "GroupOrUnionGraphPattern": "graph",
    "GroupGraphPatternSub": "part",
    "PathAlternative": "part",
    "PathSequence": "part",
}
#: The deepest nesting plus chaining a query may have; pyoxigraph crashed at ~3,000 (measured, 8 MB stack).
MAX_QUERY_DEPTH = 1000


def _depth(node: object) -> int:
    """How deeply pyoxigraph will nest the query's algebra: brackets, groups and operator chains."""
    if isinstance(node, str | bytes) or node is None:
        return 0
    if isinstance(node, dict):
        chain = 0
        name = getattr(node, "name", None)
        if name in _CHAINS:
            links = dict.get(node, _CHAINS[name])
            chain = len(links) if isinstance(links, list) else 0
        return 1 + chain + max((_depth(child) for child in dict.values(node)), default=0)
    if isinstance(node, list | tuple) or (hasattr(node, "as_list") and not isinstance(node, str)):
        return max((_depth(child) for child in list(node)), default=0)  # type: ignore[call-overload,unused-ignore]
    return 0


def _parse(grammar, text: str):
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, PARSER_RECURSION_LIMIT))
    try:
        return grammar.parse_string(text, parse_all=True)
    finally:
        sys.setrecursionlimit(limit)


def check_query(text: str, *, allow_service: bool = False) -> CheckedQuery:
    """Read a SPARQL query with rdflib's grammar; return its form and the text to evaluate.

    Raises `QueryRefused` for an update (INSERT, DELETE, LOAD, …) and, unless `allow_service`, for any
    `SERVICE` pattern (with an IRI, a prefixed name or a variable, SILENT or not); `QueryTooDeep` for one
    nested too deeply to read; `QueryError` for a query the parser cannot read (with its line and column).
    Prefixes are not resolved here (pyoxigraph resolves them, and names an unknown one).
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import QueryUnit, UpdateUnit

    normal = normalise(text)
    if not normal.strip():
        raise QueryError("the query is empty")
    try:
        tree = _parse(QueryUnit, normal)
    except RecursionError:
        raise QueryTooDeep("the query is nested too deeply to read (brackets or groups inside one another)") from None
    except ParseBaseException as exc:
        try:
            _parse(UpdateUnit, normal)
        except (ParseBaseException, RecursionError):
            pass
        else:
            raise QueryRefused("SPARQL updates (INSERT, DELETE, LOAD, CLEAR, …) are refused") from None
        raise QueryError(f"line {exc.lineno}, column {exc.col}: {' '.join(exc.msg.split())}") from None
    if _depth(tree) > MAX_QUERY_DEPTH:
        raise QueryTooDeep(
            f"the query nests or chains more than {MAX_QUERY_DEPTH} operations (brackets, groups, UNIONs, "
            "+ or && chains); split it"
        )
    form = next((_FORMS[node.name] for node in tree if getattr(node, "name", None) in _FORMS), None)
    if form is None:  # cannot happen with rdflib's grammar; refuse rather than guess
        raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    service = _walk_has(tree, "ServiceGraphPattern")
    if service and not allow_service:
        raise QueryRefused("federated queries (SERVICE) are not allowed: this endpoint does not fetch other hosts")
    return CheckedQuery(normal, form, service)


def query_form(text: str) -> Form | None:
    """'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE) as the parser reads the query; None if it cannot."""
    try:
        return check_query(text, allow_service=True).form
    except QueryError:
        return None
