"""Output formats for query results: one table, one function per format, shared by every command."""

from __future__ import annotations

import json
from collections.abc import Callable

import pyoxigraph as ox

from .errors import QueryError
from .export import Triple, jsonld_of, ntriples_of, turtle_of
from .load import short
from .query import QueryResult

TABLE_CELL_WIDTH = 60


def _readable(term: dict | None) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return short(term["value"])
    if term["type"] == "bnode":
        return "_:" + term["value"]
    return term["value"]


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TABLE_CELL_WIDTH else text[: TABLE_CELL_WIDTH - 1] + "…"


def as_table(result: QueryResult) -> str:
    if result.kind == "ask":
        return "yes\n" if result.boolean else "no\n"
    header = result.variables
    body = [[_clip(_readable(row.get(v))) for v in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in body]
    out.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(out) + "\n"


def _serialized(result: QueryResult, fmt: ox.QueryResultsFormat) -> str:
    """SELECT results in a SPARQL 1.1 results format, written by pyoxigraph (the same bytes Oxigraph serves)."""
    solutions = ox.parse_query_results(json.dumps(result.json).encode(), format=ox.QueryResultsFormat.JSON)
    return (solutions.serialize(format=fmt) or b"").decode()


def as_csv(result: QueryResult) -> str:
    if result.kind == "ask":  # SPARQL 1.1 CSV/TSV define no boolean; a one-column table says it
        return "boolean\r\n" + ("true" if result.boolean else "false") + "\r\n"
    return _serialized(result, ox.QueryResultsFormat.CSV)


def as_tsv(result: QueryResult) -> str:
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    return _serialized(result, ox.QueryResultsFormat.TSV)


def as_json(result: QueryResult) -> str:
    return json.dumps(result.json, indent=2, ensure_ascii=False) + "\n"


#: format name -> renderer for SELECT/ASK results
RESULT_FORMATS: dict[str, Callable[[QueryResult], str]] = {
    "table": as_table,
    "csv": as_csv,
    "tsv": as_tsv,
    "json": as_json,
}

#: format name -> serializer for CONSTRUCT/DESCRIBE results ("table" shows a graph as Turtle); the same
#: sorted writers as the site's downloads, so equal graphs print equal text
GRAPH_FORMATS: dict[str, Callable[[list[Triple]], str]] = {
    "table": turtle_of,
    "turtle": turtle_of,
    "ntriples": ntriples_of,
    "jsonld": jsonld_of,
    "json": jsonld_of,
}

FORMAT_NAMES = sorted(set(RESULT_FORMATS) | set(GRAPH_FORMATS))


def render(result: QueryResult, fmt: str) -> str:
    """Render a result in the named format; QueryError when the format does not fit the result kind."""
    if result.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"a CONSTRUCT/DESCRIBE result is a graph: choose one of {', '.join(sorted(GRAPH_FORMATS))}"
            )
        return GRAPH_FORMATS[fmt]([(t.subject, t.predicate, t.object) for t in result.triples or []])
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"a SELECT/ASK result is a table: choose one of {', '.join(RESULT_FORMATS)}")
    return RESULT_FORMATS[fmt](result)
