"""`argmap serve`: the built site as static files, and a read-only SPARQL 1.1 Protocol endpoint at /sparql.

Queries run in worker processes that hold their own copy of the graph. pyoxigraph releases the GIL while it
evaluates a query, so a thread would keep the server responsive, but a running query cannot be cancelled
from Python: a runaway query would burn a core until it finished. A worker process can be killed, so the
query timeout is real: past it, the worker is killed, a fresh one takes its place and the client gets 503.
A result-size cap stops a query that would produce more than `max_results` rows (or triples) and tells the
client to add a LIMIT.

The endpoint is read-only (updates get 403), refuses federated SERVICE calls (the server must not fetch other
hosts on a client's behalf), answers malformed queries with 400 and the parser's message, negotiates result
formats (SPARQL JSON/XML/CSV/TSV; Turtle, N-Triples, JSON-LD, RDF/XML for graphs) and sends CORS headers.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import posixpath
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from . import __version__
from .config import PREFIXES
from .errors import ArgmapError
from .export import turtle_of
from .query import STRINGS_IRIS_COMMENTS, syntax_message

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESULTS = 10_000
DEFAULT_WORKERS = 2
MAX_BODY = 1_000_000  # bytes of query a client may send
ENDPOINT_PATH = "/sparql"


class ServerError(ArgmapError):
    """The server could not start (port in use, bad directory, worker failed to load the data)."""


# ---------------------------------------------------------------------------------------------------------
# Content negotiation
# ---------------------------------------------------------------------------------------------------------

RESULTS_TYPES = {  # media type -> pyoxigraph results format
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: `format=` parameter values (as YASGUI, Virtuoso and Fuseki accept) -> media type.
FORMAT_PARAM = {
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
#: What a browser's plain Accept (text/html …) gets: results it can show as text.
_CHARSET = {"text/csv", "text/tab-separated-values", "text/turtle", "text/plain", "application/n-triples"}


def _parse_accept(accept: str) -> list[tuple[str, float]]:
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
    return [(media, q) for media, q, _ in ranges if q > 0]


def negotiate(kind: str, accept: str | None, format_param: str | None = None) -> str | None:
    """The media type to answer a `kind` ("select", "ask", "graph") query with; None when nothing fits (406).

    A `format=` parameter wins over the Accept header; `*/*`, `text/*`, `application/*` and an absent header
    get the default (SPARQL JSON for results, Turtle for graphs).
    """
    table = GRAPH_TYPES if kind == "graph" else RESULTS_TYPES
    default = DEFAULT_GRAPH_TYPE if kind == "graph" else DEFAULT_RESULTS_TYPE
    if format_param:
        media = FORMAT_PARAM.get(format_param.strip().lower(), format_param.strip().lower())
        return media if media in table else None
    if not accept or not accept.strip():
        return default
    for media, _ in _parse_accept(accept):
        if media in table:
            if kind == "ask" and media in ("text/csv", "text/tab-separated-values"):
                continue  # CSV/TSV have no boolean form
            return media
        if media == "*/*" or media in ("application/*", "text/*"):
            if media == "text/*" and kind == "graph":
                return "text/turtle"
            if media == "text/*":
                return "text/csv" if kind == "select" else None
            return default
        if media == "text/html" or media == "application/xhtml+xml":
            continue
    return None


def _content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media in _CHARSET or media.startswith("text/") else media


# ---------------------------------------------------------------------------------------------------------
# Reading a request's query
# ---------------------------------------------------------------------------------------------------------

_KEYWORD = r"(?<![\w:?$-])({})(?![\w:-])"
_FIRST_FORM = re.compile(
    _KEYWORD.format("SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH"),
    re.IGNORECASE,
)
_SERVICE = re.compile(_KEYWORD.format("SERVICE"), re.IGNORECASE)


def query_kind(text: str) -> str | None:
    """'select', 'ask', 'graph', 'update' or None (nothing recognisable), judged by the first keyword."""
    match = _FIRST_FORM.search(STRINGS_IRIS_COMMENTS.sub(" ", text))
    if not match:
        return None
    word = match.group(1).upper()
    return {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(word, "update")


def uses_service(text: str) -> bool:
    return bool(_SERVICE.search(STRINGS_IRIS_COMMENTS.sub(" ", text)))


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str, **headers: str) -> Answer:
        return cls(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"), headers)


# ---------------------------------------------------------------------------------------------------------
# Evaluation (runs inside a worker process)
# ---------------------------------------------------------------------------------------------------------


def _term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _too_many(max_results: int, what: str) -> Answer:
    return Answer.text(
        422,
        f"The result has more than {max_results} {what}, this endpoint's cap. "
        "Add a LIMIT (or an aggregate) to the query, or restart `argmap serve` with a larger --max-results.",
    )


def evaluate(
    store: ox.Store,
    text: str,
    accept: str | None,
    format_param: str | None,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    *,
    max_results: int = DEFAULT_MAX_RESULTS,
) -> Answer:
    """Run one read-only query and serialize its answer in the negotiated format."""
    options = {"prefixes": PREFIXES}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
    try:
        answer = store.query(text, **options)
        if isinstance(answer, ox.QueryBoolean):
            kind = "ask"
        elif isinstance(answer, ox.QuerySolutions):
            kind = "select"
        else:
            kind = "graph"
        media = negotiate(kind, accept, format_param)
        if media is None:
            offered = ", ".join(dict.fromkeys(GRAPH_TYPES if kind == "graph" else RESULTS_TYPES))
            return Answer.text(
                406, f"Cannot answer a {kind.upper()} query as {format_param or accept}; offered: {offered}"
            )
        if kind == "ask":
            body = answer.serialize(format=RESULTS_TYPES[media])
        elif kind == "select":
            variables = [v.value for v in answer.variables]
            rows = []
            for solution in answer:
                if len(rows) >= max_results:
                    return _too_many(max_results, "rows")
                row = {}
                for name in variables:
                    term = solution[name]
                    if term is not None:
                        row[name] = _term_json(term)
                rows.append(row)
            results = json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode("utf-8")
            fmt = RESULTS_TYPES[media]
            body = (
                results
                if fmt == ox.QueryResultsFormat.JSON
                else (ox.parse_query_results(results, ox.QueryResultsFormat.JSON).serialize(format=fmt))
            )
        else:
            triples = []
            for triple in answer:
                if len(triples) >= max_results:
                    return _too_many(max_results, "triples")
                triples.append(triple)
            fmt = GRAPH_TYPES[media]
            if fmt == ox.RdfFormat.TURTLE:
                body = turtle_of(triples).encode("utf-8")  # sorted, only the prefixes it uses
            elif fmt == ox.RdfFormat.JSON_LD and not triples:
                body = b"[]\n"
            else:
                prefixes = PREFIXES if fmt == ox.RdfFormat.RDF_XML else None
                body = ox.serialize(triples, format=fmt, prefixes=prefixes)
        return Answer(200, _content_type(media), body)
    except SyntaxError as exc:
        message = str(exc.msg if getattr(exc, "msg", None) else exc)
        return Answer.text(400, f"Malformed query: {syntax_message(text, message)}")
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        return Answer.text(500, f"The query failed: {exc}")


def _worker_main(conn, data: bytes, max_results: int) -> None:
    store = ox.Store()
    try:
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises ServerError
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", len(store)))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if request is None:
            return
        try:
            answer = evaluate(store, *request, max_results=max_results)
        except Exception as exc:  # noqa: BLE001 - the parent turns it into a 500
            answer = Answer.text(500, f"The query failed: {type(exc).__name__}: {exc}")
        try:
            conn.send((answer.status, answer.content_type, answer.body, answer.headers))
        except (OSError, ValueError):
            return


# ---------------------------------------------------------------------------------------------------------
# The worker pool (parent side)
# ---------------------------------------------------------------------------------------------------------


class _Worker:
    def __init__(self, context, data: bytes, max_results: int):
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, data, max_results), name="argmap-sparql-worker", daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if not self.conn.poll(timeout):
            self.kill()
            raise ServerError(f"a query worker did not load the graph within {timeout:g} s")
        try:
            message = self.conn.recv()
        except EOFError:
            raise ServerError(
                f"a query worker died while loading the graph (exit code {self.process.exitcode})"
            ) from None
        if message[0] != "ready":
            raise ServerError(f"a query worker could not load the graph: {message[1]}")
        self.ready = True

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.conn.close()


class QueryEngine:
    """A pool of worker processes, each holding the graph; a query past its timeout kills its worker."""

    def __init__(
        self,
        store: ox.Store,
        timeout: float = DEFAULT_TIMEOUT,
        max_results: int = DEFAULT_MAX_RESULTS,
        workers: int = DEFAULT_WORKERS,
        load_timeout: float = 60.0,
    ):
        if timeout <= 0:
            raise ServerError("the query timeout must be a positive number of seconds")
        if max_results < 1:
            raise ServerError("--max-results must be at least 1")
        if workers < 1:
            raise ServerError("there must be at least one query worker")
        self.timeout = timeout
        self.max_results = max_results
        self.load_timeout = load_timeout
        self.triples = len(store)
        self._data = ox.serialize(
            (ox.Triple(q.subject, q.predicate, q.object) for q in store), format=ox.RdfFormat.N_TRIPLES
        )
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._closed = False
        self.timeouts = 0
        started = [self._spawn() for _ in range(workers)]
        for worker in started:
            worker.wait_ready(load_timeout)
            self._idle.put(worker)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._data, self.max_results)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def answer(
        self,
        text: str,
        accept: str | None,
        format_param: str | None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Answer:
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer.text(
                503,
                f"Every query worker is busy; try again in {self.timeout:g} s.",
                **{"Retry-After": str(int(self.timeout) or 1)},
            )
        try:
            worker.wait_ready(self.load_timeout)
        except ServerError as exc:
            self._retire(worker)
            self._replace()
            return Answer.text(500, str(exc))
        try:
            worker.conn.send((text, accept, format_param, default_graphs, named_graphs))
            remaining = max(0.0, deadline - time.monotonic())
            if worker.conn.poll(remaining):
                status, content_type, body, headers = worker.conn.recv()
                self._idle.put(worker)
                return Answer(status, content_type, body, headers)
        except (EOFError, OSError, BrokenPipeError) as exc:
            self._retire(worker)
            self._replace()
            return Answer.text(
                500, f"The query worker stopped unexpectedly ({type(exc).__name__}); it has been replaced."
            )
        # Past the deadline: kill the worker, start a fresh one (it loads in the background).
        self.timeouts += 1
        self._retire(worker)
        self._replace()
        log.warning("query stopped after %.3g s", self.timeout)
        return Answer.text(
            503,
            f"The query ran longer than this endpoint's {self.timeout:g} s limit and was stopped. "
            "Narrow it (a LIMIT, fewer OPTIONALs, no cross products) "
            "or restart `argmap serve` with a larger --timeout.",
        )

    def _replace(self) -> None:
        if self._closed:
            return
        self._idle.put(self._spawn())

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


# ---------------------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------------------

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS, HEAD",
    "Access-Control-Allow-Headers": "Accept, Content-Type, Authorization",
    "Access-Control-Max-Age": "86400",
}
EXTRA_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".rdf": "application/rdf+xml",
    ".rq": "application/sparql-query",
    ".bib": "application/x-bibtex",
    ".svg": "image/svg+xml",
}

ENDPOINT_HELP = """This is the read-only SPARQL 1.1 endpoint of argmap serve ({triples} triples).

Send a query with GET {path}?query=... or POST (form field query=, or a body of type
application/sparql-query). Results: SPARQL JSON (default), XML, CSV or TSV; graphs: Turtle (default),
N-Triples, JSON-LD or RDF/XML, chosen by the Accept header or format=json|xml|csv|tsv|turtle|ntriples|jsonld.
The project prefixes (am:, claim:, view:, evidence: ...) are declared for you.
Limits: {timeout:g} s per query, {max_results} rows per result. Updates and SERVICE calls are refused.

Example:
  curl -H 'Accept: text/csv' \\
    --data-urlencode 'query=SELECT ?view ?label WHERE {{ ?view a am:OpposingView ; rdfs:label ?label }}' {url}
"""


class Handler(SimpleHTTPRequestHandler):
    server: ArgmapServer
    server_version = f"argmap/{__version__}"
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes; with Nagle's algorithm on, a keep-alive client's delayed ACK
    # held every answer back ~40 ms
    disable_nagle_algorithm = True

    def __init__(self, *args, **kwargs):
        site = self.server_site(args)
        super().__init__(*args, directory=str(site) if site else None, **kwargs)

    @staticmethod
    def server_site(args) -> Path | None:
        server = args[2] if len(args) > 2 else None
        return getattr(server, "site_dir", None)

    # -- plumbing --------------------------------------------------------------------------------------
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **EXTRA_TYPES}

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        log.info("%s %s", self.address_string(), format % args)

    def end_headers(self) -> None:
        for name, value in CORS_HEADERS.items():
            self.send_header(name, value)
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _send(self, answer: Answer, head_only: bool = False) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-store")
        if answer.status in (200, 406):
            self.send_header("Vary", "Accept")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(answer.body)

    def _is_endpoint(self) -> bool:
        path = urlsplit(self.path).path
        return path.rstrip("/") == ENDPOINT_PATH

    # -- methods ---------------------------------------------------------------------------------------
    def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        if self._is_endpoint():
            params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            self._endpoint(params)
        else:
            self._static(head_only=False)

    def do_HEAD(self) -> None:  # noqa: N802
        if self._is_endpoint():
            self._send(Answer.text(405, "Use GET or POST to query this endpoint.", Allow="GET, POST, OPTIONS"), True)
        else:
            self._static(head_only=True)

    def do_POST(self) -> None:  # noqa: N802
        if not self._is_endpoint():
            self._send(Answer.text(405, "This server only answers POST at /sparql.", Allow="GET, HEAD"))
            return
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked" or length is None:
            self._send(Answer.text(411, "Send the query with a Content-Length."))
            self.close_connection = True
            return
        try:
            size = int(length)
        except ValueError:
            self._send(Answer.text(400, "Bad Content-Length."))
            self.close_connection = True
            return
        if size > MAX_BODY:
            self._send(Answer.text(413, f"The request body is larger than {MAX_BODY} bytes."))
            self.close_connection = True
            return
        body = self.rfile.read(size)
        params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        media = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self._send(Answer.text(400, "The request body is not UTF-8."))
            return
        if media == "application/sparql-query":
            params.setdefault("query", []).append(text)
        elif media == "application/sparql-update":
            self._send(Answer.text(403, "This endpoint is read-only: SPARQL updates are refused."))
            return
        elif media == "application/x-www-form-urlencoded" or not media:
            for name, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(name, []).extend(values)
        else:
            self._send(
                Answer.text(
                    415,
                    f"Unsupported Content-Type {media!r}: send application/x-www-form-urlencoded (query=...) "
                    "or application/sparql-query.",
                )
            )
            return
        self._endpoint(params)

    # -- the endpoint ----------------------------------------------------------------------------------
    def _endpoint(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._send(Answer.text(403, "This endpoint is read-only: SPARQL updates are refused."))
            return
        queries = params.get("query", [])
        if not queries:
            self._send(self._help())
            return
        if len(queries) > 1:
            self._send(Answer.text(400, "Send exactly one query= parameter."))
            return
        text = queries[0]
        if not text.strip():
            self._send(Answer.text(400, "The query is empty."))
            return
        kind = query_kind(text)
        if kind == "update":
            self._send(
                Answer.text(
                    403, "This endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, …) are refused."
                )
            )
            return
        if uses_service(text):
            self._send(
                Answer.text(
                    403, "Federated queries (SERVICE) are not allowed here: this endpoint does not fetch other hosts."
                )
            )
            return
        formats = params.get("format") or params.get("output") or [None]
        answer = self.server.engine.answer(
            text,
            self.headers.get("Accept"),
            formats[0],
            params.get("default-graph-uri") or None,
            params.get("named-graph-uri") or None,
        )
        self._send(answer)

    def _help(self) -> Answer:
        engine = self.server.engine
        return Answer.text(
            200,
            ENDPOINT_HELP.format(
                triples=engine.triples,
                path=ENDPOINT_PATH,
                timeout=engine.timeout,
                max_results=engine.max_results,
                url=self.server.endpoint_url,
            ),
        )

    # -- static files ----------------------------------------------------------------------------------
    def _static(self, head_only: bool) -> None:
        site = self.server.site_dir
        if site is None:
            if urlsplit(self.path).path in ("", "/"):
                self._send(
                    Answer.text(
                        200,
                        "No site has been built, so only the SPARQL endpoint is served here: "
                        f"{self.server.endpoint_url}\nRun `argmap build` (or `argmap serve --build`) for the site.",
                    ),
                    head_only,
                )
            else:
                self._send(Answer.text(404, "Not found (no site has been built; run `argmap build`)."), head_only)
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                parts = urlsplit(self.path)
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", parts.path + "/" + ("?" + parts.query if parts.query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if not (path / "index.html").is_file():  # no directory listings
                self._send(Answer.text(404, "Not found."), head_only)
                return
        elif not path.is_file():
            self._send(Answer.text(404, "Not found."), head_only)
            return
        if head_only:
            file = self.send_head()
            if file:
                file.close()
        else:
            super().do_GET()

    def list_directory(self, path):  # never list a directory's files
        self._send(Answer.text(404, "Not found."))
        return None

    def guess_type(self, path) -> str:
        base, ext = posixpath.splitext(str(path))
        media = EXTRA_TYPES.get(ext.lower()) or super().guess_type(path)
        if media.startswith("text/") or media in ("application/json", "application/ld+json", "application/n-triples"):
            if "charset" not in media:
                media += "; charset=utf-8"
        return media


class ArgmapServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, engine: QueryEngine, site_dir: Path | None):
        self.engine = engine
        self.site_dir = site_dir
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{port}/"

    @property
    def endpoint_url(self) -> str:
        return self.url.rstrip("/") + ENDPOINT_PATH

    def server_close(self) -> None:
        super().server_close()
        self.engine.close()


def make_server(
    store: ox.Store,
    site_dir: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = DEFAULT_TIMEOUT,
    max_results: int = DEFAULT_MAX_RESULTS,
    workers: int = DEFAULT_WORKERS,
) -> ArgmapServer:
    """Bind the server (port 0 picks a free one) and start its query workers; call `serve_forever()` next."""
    if site_dir is not None:
        site_dir = Path(site_dir)
        if not site_dir.is_dir():
            raise ServerError(f"{site_dir}: no such directory to serve")
        site_dir = site_dir.resolve()
    engine = QueryEngine(store, timeout=timeout, max_results=max_results, workers=workers)
    try:
        return ArgmapServer((host, port), engine, site_dir)
    except OSError as exc:
        engine.close()
        reason = exc.strerror or str(exc)
        raise ServerError(f"cannot listen on {host}:{port}: {reason}") from None
