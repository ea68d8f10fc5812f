"""Upload the graph to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol, then check it arrived.

POST merges the graph into the target graph; `replace=True` sends PUT, which replaces the target graph's
contents. The target is the store's default graph (`?default`) or a named graph (`?graph=IRI`). The body is
the project's deterministic Turtle (`argmap.export.turtle`), which every Graph Store implementation reads.

A 2xx answer proves little (a redirect turned into a GET, a web page that answers 200 to anything), so after
the upload the graph is read back with the same protocol (GET on the same URL, same credentials) and compared
with what was sent: after PUT it must hold exactly the triples sent, after POST at least all of them. A store
that does not answer the GET with RDF cannot be verified, which is an error unless `verify=False`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from .errors import EndpointError
from .export import turtle
from .remote import _GRAPH_FORMATS, ACCEPT_GRAPH, _media_type, check_url, first_line, send, target

GRAPH_STORE_HINT = (
    "give the store's Graph Store endpoint (Oxigraph: /store, Fuseki: /DATASET/data, "
    "GraphDB: /repositories/REPO/rdf-graphs/service, Virtuoso: /sparql-graph-crud-auth)"
)


@dataclass(frozen=True)
class PushResult:
    url: str  # the exact URL the graph went to (never with user information)
    graph: str | None  # the named graph's IRI, or None for the default graph
    triples: int
    method: str
    status: int
    held: int | None = None  # triples the target graph holds after the upload; None when not verified

    @property
    def target(self) -> str:
        return f"graph <{self.graph}>" if self.graph else "the default graph"

    def summary(self) -> str:
        store = self.url.split("?", 1)[0]
        if self.method == "PUT":
            text = f"Replaced {self.target} of {store} with {self.triples} triples (HTTP {self.status})"
        else:
            text = f"Added {self.triples} triples to {self.target} of {store} (HTTP {self.status})"
        if self.held is None:
            return text + "; not verified (--no-verify)."
        return text + f"; verified: the graph holds {self.held} triples."


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The endpoint with `?default` or `?graph=IRI` added (other query parameters are kept)."""
    endpoint = check_url(endpoint)
    parts = urlsplit(endpoint)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    names = {k for k, _ in params}
    if names & {"graph", "default", "graph-uri"}:
        if graph is not None:
            raise EndpointError(f"{endpoint} already names a graph; drop --graph or the URL's graph parameter")
        return endpoint
    if graph is None:
        query = (parts.query + "&" if parts.query else "") + "default"
    else:
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise EndpointError(
                f"--graph {graph!r} is not an absolute IRI (for example https://example.org/graph/argmap)"
            ) from None
        if ":" not in graph:
            raise EndpointError(
                f"--graph {graph!r} is not an absolute IRI (for example https://example.org/graph/argmap)"
            )
        query = urlencode(params + [("graph", graph)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def push_store(
    store: ox.Store,
    endpoint: str,
    graph: str | None = None,
    replace: bool = False,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
    verify: bool = True,
    query_endpoint: str | None = None,
) -> PushResult:
    """Send every triple of `store` to the Graph Store at `endpoint`, then check the store holds them.

    The check reads the graph back (Graph Store GET), or, with `query_endpoint`, counts with SPARQL there: the
    graph's triples, and how many of the triples sent it holds. Raises EndpointError when the store refuses,
    redirects, or does not hold what was sent afterwards.
    """
    dest = target(endpoint, user, password)  # the URL without user information, and the credentials
    url = graph_store_url(dest.url, graph)
    if query_endpoint is not None:
        if graph is None:
            raise EndpointError(
                "--query-endpoint needs --graph: the default graph a query sees is the store's choice "
                "(Virtuoso's is the union of all its graphs)"
            )
        query_endpoint = check_url(query_endpoint)
    shown = dest.url
    body = turtle(store).encode("utf-8")
    method = "PUT" if replace else "POST"
    auth: dict[str, Any] = {"timeout": timeout, "user": dest.user, "password": dest.password, "what": "the graph store"}
    response = send(method, url, content=body, headers={"Content-Type": "text/turtle; charset=utf-8"}, **auth)
    status = response.status_code
    if not 200 <= status < 300:
        detail = first_line(response.text)
        suffix = f": {detail}" if detail else ""
        if status in (404, 405):
            raise EndpointError(f"{shown}: no Graph Store here (HTTP {status}); {GRAPH_STORE_HINT}")
        if status == 415:
            raise EndpointError(
                f"{shown}: the store does not take a Turtle upload here (HTTP 415){suffix}; {GRAPH_STORE_HINT}"
            )
        if status == 400:
            raise EndpointError(f"{shown}: the store rejected the data (HTTP 400){suffix}")
        raise EndpointError(f"{shown}: HTTP {status}{suffix}")
    sent = PushResult(url, graph, len(_triples(store)), method, status)
    if not verify:
        return sent
    triples = _triples(store)
    if query_endpoint is not None:
        same_origin = urlsplit(query_endpoint)[:2] == urlsplit(url)[:2]  # credentials never go to another host
        credentials = auth if same_origin else {**auth, "user": None, "password": None}
        held_count = count_by_query(query_endpoint, triples, sent, **credentials)
        return PushResult(url, graph, len(triples), method, status, held=held_count)
    held = read_back(url, sent, **auth)
    missing = sorted((t for t in triples if not _has_blank_node(t) and t not in held), key=str)
    blank_sent = sum(1 for t in triples if _has_blank_node(t))
    blank_held = sum(1 for t in held if _has_blank_node(t))
    wrong_size = len(held) != len(triples) if replace else len(held) < len(triples)
    if missing or wrong_size or blank_held < blank_sent:
        example = f", for example {_short(str(missing[0]))}" if missing else ""
        raise EndpointError(
            f"{url}: the store answered HTTP {status}, but {sent.target} now holds {len(held)} triples where "
            f"{_expected(sent)} were sent, and {len(missing)} of the triples sent are not in it{example}: "
            "the upload did not arrive as sent" + (CAPPED_GET_HINT if len(held) < len(triples) else "")
        )
    return PushResult(url, graph, len(triples), method, status, held=len(held))


def read_back(url: str, sent: PushResult, **auth: Any) -> set[ox.Triple]:
    """The triples the store's target graph holds: a Graph Store GET of `url`, parsed."""
    hand = (
        f"; check by hand (argmap query 'SELECT (COUNT(*) AS ?n) WHERE {{ {_pattern(sent.graph)} }}' "
        f"--endpoint QUERY-URL should give {sent.triples}{'' if sent.method == 'PUT' else ' or more'}), "
        "or pass --no-verify"
    )
    cannot = f"{url}: uploaded (HTTP {sent.status}) but cannot verify: reading {sent.target} back"
    try:
        response = send("GET", url, headers={"Accept": ACCEPT_GRAPH}, **auth)
    except EndpointError as exc:
        raise EndpointError(f"{cannot} failed ({exc}){hand}") from None
    media = _media_type(response)
    if response.status_code != 200:
        detail = first_line(response.text)
        raise EndpointError(f"{cannot} got HTTP {response.status_code}{': ' + detail if detail else ''}{hand}")
    if media not in _GRAPH_FORMATS:
        raise EndpointError(f"{cannot} got {media or 'no content type'}, not RDF: is this a Graph Store?{hand}")
    try:
        return {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(response.content, _GRAPH_FORMATS[media], base_iri=url)
        }
    except (SyntaxError, ValueError, OSError) as exc:
        raise EndpointError(f"{cannot} got {media} that does not parse ({first_line(str(exc), 200)}){hand}") from None


CAPPED_GET_HINT = (
    " (or the store caps how many triples a GET returns, as Virtuoso's ResultSetMaxRows does: "
    "then verify with --query-endpoint)"
)
VALUES_BATCH = 500  # triples per counting query (~90 KB of SPARQL)


def count_by_query(query_url: str, triples: set[ox.Triple], sent: PushResult, **auth: Any) -> int:
    """Verify with SPARQL at `query_url`: the graph holds exactly (PUT) or at least (POST) the triples sent, and
    every sent triple without a blank node is in it (counted with VALUES, in batches). Returns the graph's size."""
    from .remote import run_remote_query

    auth.pop("what", None)
    graph = f"GRAPH <{sent.graph}>"

    def count(query: str) -> int:
        try:
            result = run_remote_query(query_url, query, **auth)
            return int(result.rows[0]["n"]["value"])
        except EndpointError as exc:
            raise EndpointError(
                f"{sent.url}: uploaded (HTTP {sent.status}) but cannot verify: counting at {query_url} failed ({exc})"
                "; check by hand or pass --no-verify"
            ) from None
        except (IndexError, KeyError, ValueError):
            raise EndpointError(
                f"{sent.url}: uploaded (HTTP {sent.status}) but cannot verify: {query_url} did not answer a COUNT "
                "with a number; is it the store's SPARQL query endpoint? (or pass --no-verify)"
            ) from None

    total = count(f"SELECT (COUNT(*) AS ?n) WHERE {{ {graph} {{ ?s ?p ?o }} }}")
    plain = sorted((t for t in triples if not _has_blank_node(t)), key=str)
    present = 0
    for start in range(0, len(plain), VALUES_BATCH):
        rows = "\n".join(f"({t.subject} {t.predicate} {t.object})" for t in plain[start : start + VALUES_BATCH])
        present += count(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES (?s ?p ?o) {{\n{rows}\n}} {graph} {{ ?s ?p ?o }} }}")
    wrong_size = total != len(triples) if sent.method == "PUT" else total < len(triples)
    if present != len(plain) or wrong_size:
        raise EndpointError(
            f"{sent.url}: the store answered HTTP {sent.status}, but {query_url} counts {total} triples in "
            f"{sent.target} where {_expected(sent)} were sent, and {len(plain) - present} of the triples sent are "
            "not in it: the upload did not arrive as sent"
        )
    return total


def _expected(sent: PushResult) -> str:
    return f"{sent.triples}" if sent.method == "PUT" else f"{sent.triples} (or more, merged with what it held)"


def _short(text: str, limit: int = 200) -> str:
    """One line of at most `limit` characters, without control characters (the text may be contributed)."""
    text = "".join(c for c in " ".join(text.split()) if c.isprintable())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pattern(graph: str | None) -> str:
    return f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"


def _triples(store: ox.Store) -> set[ox.Triple]:
    """The store's triples, whichever graph holds them (the Turtle sent carries no graph names)."""
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store}


def _has_blank_node(triple: ox.Triple) -> bool:
    """A blank node (or a quoted triple) cannot be named in a query or matched across stores: count only."""
    return not isinstance(triple.subject, ox.NamedNode) or isinstance(triple.object, ox.BlankNode | ox.Triple)
