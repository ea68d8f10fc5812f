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
) -> PushResult:
    """Send every triple of `store` to the Graph Store at `endpoint`, then read the graph back and compare.

    Raises EndpointError when the store refuses, redirects, or does not hold what was sent afterwards.
    """
    dest = target(endpoint, user, password)  # the URL without user information, and the credentials
    url = graph_store_url(dest.url, graph)
    shown = dest.url
    body = turtle(store).encode("utf-8")
    method = "PUT" if replace else "POST"
    auth = {"timeout": timeout, "user": dest.user, "password": dest.password, "what": "the graph store"}
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
    sent = PushResult(url, graph, len(store), method, status)
    if not verify:
        return sent
    held = read_back(url, sent, **auth)
    missing = [t for t in _triples(store) if not _has_blank_node(t) and t not in held]
    blank_sent = sum(1 for t in _triples(store) if _has_blank_node(t))
    blank_held = sum(1 for t in held if _has_blank_node(t))
    wrong_size = len(held) != len(store) if replace else len(held) < len(store)
    if missing or wrong_size or blank_held < blank_sent:
        example = f" (for example {_short(str(missing[0]))} is missing)" if missing else ""
        expected = "exactly" if replace else "at least"
        raise EndpointError(
            f"{url}: the store answered HTTP {status}, but {sent.target} now holds {len(held)} triples, "
            f"not {expected} the {len(store)} sent{example}: the upload did not arrive as sent"
        )
    return PushResult(url, graph, len(store), method, status, held=len(held))


def read_back(url: str, sent: PushResult, **auth) -> set[ox.Triple]:
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


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pattern(graph: str | None) -> str:
    return f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"


def _triples(store: ox.Store) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store]


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
