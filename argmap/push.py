"""Upload the graph to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol.

POST merges the graph into the target graph; `replace=True` sends PUT, which replaces the target graph's
contents. The target is the store's default graph (`?default`) or a named graph (`?graph=IRI`). The body is
the project's deterministic Turtle (`argmap.export.turtle`), which every Graph Store implementation reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from .errors import EndpointError
from .export import turtle
from .remote import check_url, first_line, send

GRAPH_STORE_HINT = (
    "give the store's Graph Store endpoint (Oxigraph: /store, Fuseki: /DATASET/data, "
    "GraphDB: /repositories/REPO/rdf-graphs/service, Virtuoso: /sparql-graph-crud-auth)"
)


@dataclass(frozen=True)
class PushResult:
    url: str  # the exact URL the graph went to
    graph: str | None  # the named graph's IRI, or None for the default graph
    triples: int
    method: str
    status: int

    @property
    def target(self) -> str:
        return f"graph <{self.graph}>" if self.graph else "the default graph"

    def summary(self) -> str:
        store = self.url.split("?", 1)[0]
        if self.method == "PUT":
            return f"Replaced {self.target} of {store} with {self.triples} triples (HTTP {self.status})."
        return f"Added {self.triples} triples to {self.target} of {store} (HTTP {self.status})."


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The endpoint with `?default` or `?graph=IRI` added (other query parameters are kept)."""
    check_url(endpoint)
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
) -> PushResult:
    """Send every triple of `store` to the Graph Store at `endpoint`; raise EndpointError when it refuses."""
    url = graph_store_url(endpoint, graph)
    body = turtle(store).encode("utf-8")
    method = "PUT" if replace else "POST"
    response = send(
        method,
        url,
        timeout=timeout,
        user=user,
        password=password,
        what="the graph store",
        content=body,
        headers={"Content-Type": "text/turtle; charset=utf-8"},
    )
    status = response.status_code
    if 200 <= status < 300:
        return PushResult(url, graph, len(store), method, status)
    detail = first_line(response.text)
    suffix = f": {detail}" if detail else ""
    if status in (404, 405):
        raise EndpointError(f"{endpoint}: no Graph Store here (HTTP {status}); {GRAPH_STORE_HINT}")
    if status == 415:
        raise EndpointError(
            f"{endpoint}: the store does not take a Turtle upload here (HTTP 415){suffix}; {GRAPH_STORE_HINT}"
        )
    if status == 400:
        raise EndpointError(f"{endpoint}: the store rejected the data (HTTP 400){suffix}")
    raise EndpointError(f"{endpoint}: HTTP {status}{suffix}")
