"""SPARQL 1.1 Protocol client: run a query on any remote endpoint (Oxigraph, Fuseki, Virtuoso, QLever, GraphDB …).

The answer comes back as the same `QueryResult` the embedded store gives, so every output format and every
comparison works the same whichever engine answered. Every failure (unreachable host, 401/403, timeout,
an answer that is not SPARQL) is an `EndpointError` with a one-line message.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox

from . import __version__
from .errors import EndpointError
from .query import QueryResult, result_of, with_prefixes

USER_AGENT = f"argmap/{__version__} (+https://w3id.org/argmap)"

#: Accept headers by query form. Plain, widely understood media types first (Virtuoso and older stores
#: mis-handle long Accept lists).
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"

_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # N-Triples' old media type (Virtuoso, old Fuseki)
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}

_COMMENTS_STRINGS_IRIS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^>\s]*>|#[^\n]*')
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(sparql: str) -> str:
    """'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE), from the first query keyword outside strings and IRIs."""
    match = _FORM.search(_COMMENTS_STRINGS_IRIS.sub(" ", sparql))
    if not match:
        return "select"  # let the endpoint say what is wrong with it
    word = match.group(1).upper()
    return {"SELECT": "select", "ASK": "ask"}.get(word, "graph")


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{url!r} is not an http(s) URL of a SPARQL endpoint")
    return url


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def first_line(text: str, limit: int = 300) -> str:
    """The most telling line of an error body (HTML tags dropped), cut to `limit` characters."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


@functools.lru_cache(maxsize=1)
def _client() -> httpx.Client:
    """One shared client: building one loads the TLS trust store (~25 ms), and it keeps connections alive."""
    return httpx.Client(follow_redirects=True)


def _auth(user: str | None, password: str | None):
    if user is None:
        return None
    return httpx.BasicAuth(user, password or "")


def send(
    method: str,
    url: str,
    *,
    timeout: float,
    user: str | None = None,
    password: str | None = None,
    what: str = "the endpoint",
    **kwargs,
) -> httpx.Response:
    """One HTTP exchange with a store; network trouble and 401/403 become one-line EndpointErrors.

    Basic auth is sent when a user is given; a Digest challenge (Virtuoso's /sparql-auth) is answered with Digest.
    """
    check_url(url)
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    client = _client()
    try:
        response = client.request(method, url, headers=headers, auth=_auth(user, password), timeout=timeout, **kwargs)
        challenge = response.headers.get("www-authenticate", "").lower()
        if response.status_code == 401 and user is not None and challenge.startswith("digest"):
            response = client.request(
                method, url, headers=headers, auth=httpx.DigestAuth(user, password or ""), timeout=timeout, **kwargs
            )
    except httpx.TimeoutException:
        raise EndpointError(f"{url}: no answer within {timeout:g} s (timed out; try --timeout)") from None
    except httpx.ConnectError as exc:
        raise EndpointError(f"{url}: cannot connect ({_reason(exc)})") from None
    except httpx.HTTPError as exc:
        raise EndpointError(f"{url}: {type(exc).__name__}: {_reason(exc)}") from None
    if response.status_code == 401:
        if user is None:
            raise EndpointError(
                f"{url}: {what} needs a user name and password (HTTP 401); pass --user and set ARGMAP_PASSWORD"
            )
        raise EndpointError(f"{url}: {what} refused the user name or password for {user!r} (HTTP 401)")
    if response.status_code == 403:
        detail = first_line(response.text)
        raise EndpointError(f"{url}: {what} forbids this (HTTP 403){': ' + detail if detail else ''}")
    return response


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    match = re.search(r"\[Errno -?\d+\] ([^\]']+)", text)
    return (match.group(1) if match else text).strip().rstrip(".")


def run_remote_query(
    url: str,
    sparql: str,
    timeout: float = 30.0,
    user: str | None = None,
    password: str | None = None,
) -> QueryResult:
    """Run a query on a SPARQL 1.1 Protocol endpoint (POST, `query=` form) and parse its answer.

    The project prefixes are declared for the endpoint, as for the embedded store. SELECT and ASK answers
    (JSON, XML or TSV) become SPARQL results JSON; CONSTRUCT and DESCRIBE answers become pyoxigraph Triples.
    """
    full = with_prefixes(sparql)
    form = query_form(full)
    accept = ACCEPT_GRAPH if form == "graph" else ACCEPT_RESULTS
    response = send(
        "POST",
        url,
        timeout=timeout,
        user=user,
        password=password,
        data={"query": full},
        headers={"Accept": accept},
    )
    if response.status_code >= 400:
        detail = first_line(response.text)
        if response.status_code == 400:
            raise EndpointError(f"{url}: the endpoint rejected the query (HTTP 400){': ' + detail if detail else ''}")
        if response.status_code in (404, 405):
            raise EndpointError(
                f"{url}: no SPARQL query service here (HTTP {response.status_code}); "
                "give the query endpoint's URL (Oxigraph: /query, Fuseki: /DATASET/sparql, Virtuoso: /sparql)"
            )
        raise EndpointError(f"{url}: HTTP {response.status_code}{': ' + detail if detail else ''}")
    return parse_answer(url, response, form)


def parse_answer(url: str, response: httpx.Response, form: str) -> QueryResult:
    media = _media_type(response)
    body = response.content
    try:
        if media in _RESULTS_FORMATS:
            answer = ox.parse_query_results(body, _RESULTS_FORMATS[media])
            return result_of(answer)
        if media in _GRAPH_FORMATS:
            fmt = _GRAPH_FORMATS[media]
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, fmt, base_iri=url)]
            return QueryResult("graph", triples=triples)
    except (SyntaxError, ValueError, OSError) as exc:
        raise EndpointError(f"{url}: the answer is not valid {media} ({first_line(str(exc), 200)})") from None
    shown = media or "no content type"
    hint = "is this the URL of a SPARQL query endpoint?"
    raise EndpointError(f"{url}: answered with {shown}, not SPARQL {'RDF' if form == 'graph' else 'results'}; {hint}")
