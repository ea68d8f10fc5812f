"""SPARQL 1.1 Protocol client: run a query on any remote endpoint (Oxigraph, Fuseki, Virtuoso, QLever, GraphDB …).

The answer comes back as the same `QueryResult` the embedded store gives, so every output format and every
comparison works the same whichever engine answered. Every failure (unreachable host, 401/403, timeout,
an answer that is not SPARQL) is an `EndpointError` with a one-line message.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from . import __version__
from .errors import EndpointError
from .protocol import GRAPH_TYPES, RESULTS_TYPES
from .protocol import query_form as protocol_query_form
from .query import QueryResult, result_of, with_prefixes

USER_AGENT = f"argmap/{__version__} (+https://w3id.org/argmap)"

#: Accept headers by query form. Plain, widely understood media types first (Virtuoso and older stores
#: mis-handle long Accept lists).
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"

#: What this client reads back, by media type: the protocol's tables (argmap.protocol), less CSV results (which
#: lose every term's type) and plus the quad formats a store may answer a graph query with.
_RESULTS_FORMATS = {media: fmt for media, fmt in RESULTS_TYPES.items() if fmt != ox.QueryResultsFormat.CSV}
_GRAPH_FORMATS = {**GRAPH_TYPES, "application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG}


def query_form(sparql: str) -> str:
    """'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE) as the SPARQL parser reads the query (argmap.protocol);
    'select' when it cannot read it, so that the endpoint says what is wrong with it."""
    return protocol_query_form(sparql) or "select"


PASSWORD_ENV = "ARGMAP_PASSWORD"  # the one place a store's password is read from


def redact(url: str) -> str:
    """`url` with any user name and password (`http://user:pass@host/…`) replaced by `***`, for messages.

    Works on malformed URLs too: the authority is what follows `//` up to the first `/`, `?` or `#` (RFC 3986),
    and its user information is everything before its last `@`.
    """
    scheme, sep, rest = url.partition("//")
    if not sep:
        return url
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority = rest[:end]
    if "@" not in authority:
        return url
    return scheme + sep + "***@" + authority.rpartition("@")[2] + rest[end:]


@dataclass(frozen=True)
class Target:
    """A store's URL, checked and without user information, and the credentials to send to it."""

    url: str  # safe to show: never carries a user name or password
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def auth(self) -> httpx.Auth | None:
        return AnyAuth(self.user, self.password or "") if self.user is not None else None


def target(url: str, user: str | None = None, password: str | None = None) -> Target:
    """Check `url` (http or https, a host, a valid port, no spaces) and settle the credentials.

    The user is `user` or the URL's own (`http://scholar@host/…`); the password is `password` or, when a user
    is given, the environment variable ARGMAP_PASSWORD. A password inside the URL is refused: it would show in
    shell history and process lists. Raises EndpointError with a one-line message (the URL redacted).
    """
    shown = redact(url)
    bad = f"{shown!r} is not an http(s) URL of a SPARQL endpoint"
    if any(c.isspace() or not c.isprintable() for c in url):
        raise EndpointError(f"{bad} (it contains a space or a control character; percent-encode it as %20)")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port that is not a number in 0-65535
        host = parts.hostname
    except ValueError as exc:
        raise EndpointError(f"{bad} ({exc})") from None
    if parts.scheme not in ("http", "https") or not host or port == 0:
        raise EndpointError(f"{bad} (give one such as http://127.0.0.1:7878/query)")
    if parts.password is not None:
        raise EndpointError(
            f"{shown}: the URL carries a password; give the user with --user and the password in {PASSWORD_ENV} "
            "(a password on the command line shows in shell history and process lists)"
        )
    url_user = unquote(parts.username) if parts.username is not None else None
    if user is not None and url_user is not None and user != url_user:
        raise EndpointError(f"{shown}: the URL names user {url_user!r} but --user is {user!r}; give one")
    user = user if user is not None else url_user
    netloc = parts.netloc.rpartition("@")[2]
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    try:
        httpx.URL(clean)
    except (httpx.InvalidURL, ValueError) as exc:
        raise EndpointError(f"{bad} ({exc})") from None
    if user is not None and password is None:
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            raise EndpointError(f"--user {user!r} is given but {PASSWORD_ENV} is not set; set it to the password")
    return Target(clean, user, password)


def check_url(url: str) -> str:
    """The URL without user information, once it is a valid http(s) URL (see `target`)."""
    return target(url, password="").url


class AnyAuth(httpx.Auth):
    """Answer whichever challenge the store sends, Digest or Basic (curl's --anyauth).

    The first request goes without credentials; a 401 with `WWW-Authenticate: Digest …` is answered with Digest
    (Virtuoso's /sparql-graph-crud-auth: it answers a Basic Authorization header with a bare 401, so sending
    Basic first cannot work there), one with `Basic …` with Basic. The password is never sent in a form the
    store did not ask for, nor to a store that asked for none.
    """

    requires_request_body = True  # the body is sent again with the credentials

    def __init__(self, user: str, password: str) -> None:
        self._user = user
        self._password = password

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code != 401:
            return
        schemes = {value.split(" ", 1)[0].lower() for value in response.headers.get_list("www-authenticate")}
        if "digest" in schemes:
            digest = httpx.DigestAuth(self._user, self._password).auth_flow(request)
            next(digest)  # Digest's own first, unauthenticated request: it has been sent, here is its answer
            try:
                yield digest.send(response)
            except StopIteration:
                return
        elif "basic" in schemes:
            yield from httpx.BasicAuth(self._user, self._password).auth_flow(request)


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def first_line(text: str, limit: int = 300) -> str:
    """The most telling line of an error body (HTML tags dropped), cut to `limit` characters.

    The body is the server's text: control characters (a terminal's escape sequences) are dropped.
    """
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    for line in text.splitlines():
        line = "".join(c for c in " ".join(line.split()) if c.isprintable())
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


@functools.lru_cache(maxsize=1)
def _client() -> httpx.Client:
    """One shared client: building one loads the TLS trust store (~25 ms), and it keeps connections alive."""
    return httpx.Client(follow_redirects=False)  # a redirect is reported, never followed: see `send`


def send(
    method: str,
    url: str,
    *,
    timeout: float,
    user: str | None = None,
    password: str | None = None,
    what: str = "the endpoint",
    **kwargs: Any,
) -> httpx.Response:
    """One HTTP exchange with a store; network trouble, redirects and 401/403 become one-line EndpointErrors.

    Credentials are settled by `target` (password from ARGMAP_PASSWORD) and sent as the store asks (`AnyAuth`).
    Redirects are not followed: on a 301/302/303 an HTTP client re-sends a POST or PUT as a GET without its
    body, and the GET's 200 would look like success while the store holds nothing; a 307/308 would re-send the
    body and credentials to wherever the store points. The message names the URL to use instead.
    """
    dest = target(url, user, password)
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    try:
        response = _client().request(method, dest.url, headers=headers, auth=dest.auth, timeout=timeout, **kwargs)
    except httpx.TimeoutException:
        raise EndpointError(f"{dest.url}: no answer within {timeout:g} s (timed out; try --timeout)") from None
    except httpx.ConnectError as exc:
        raise EndpointError(f"{dest.url}: cannot connect ({_reason(exc)})") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise EndpointError(f"{dest.url}: {type(exc).__name__}: {redact(_reason(exc))}") from None
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("location")
        try:
            where = f" to {redact(str(response.url.join(location)))}" if location else ""
        except (httpx.InvalidURL, ValueError):
            where = f" to {first_line(redact(location), 200)!r}"
        raise EndpointError(
            f"{dest.url}: {what} redirects (HTTP {status}){where}; argmap does not follow redirects "
            "(they can turn an upload into a GET that uploads nothing): give the final URL"
        )
    if status == 401:
        if dest.user is None:
            raise EndpointError(
                f"{dest.url}: {what} needs a user name and password (HTTP 401); pass --user and set {PASSWORD_ENV}"
            )
        raise EndpointError(f"{dest.url}: {what} refused the user name or password for {dest.user!r} (HTTP 401)")
    if status == 403:
        detail = first_line(response.text)
        raise EndpointError(f"{dest.url}: {what} forbids this (HTTP 403){': ' + detail if detail else ''}")
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
    shown = str(response.url)  # the URL as sent: no user information
    if response.status_code >= 400:
        detail = first_line(response.text)
        if response.status_code == 400:
            raise EndpointError(f"{shown}: the endpoint rejected the query (HTTP 400){': ' + detail if detail else ''}")
        if response.status_code in (404, 405):
            raise EndpointError(
                f"{shown}: no SPARQL query service here (HTTP {response.status_code}); "
                "give the query endpoint's URL (Oxigraph: /query, Fuseki: /DATASET/sparql, Virtuoso: /sparql)"
            )
        raise EndpointError(f"{shown}: HTTP {response.status_code}{': ' + detail if detail else ''}")
    result = parse_answer(shown, response, form)
    return _virtuoso_ask(result) if form == "ask" else result


def _virtuoso_ask(result: QueryResult) -> QueryResult:
    """Virtuoso 7 answers ASK as a table with one variable, __ASK_RETVAL: one row holding 1 for yes, no row
    for no (openlink/virtuoso-opensource#464, #1016). Turn that into the boolean answer the protocol specifies."""
    if result.kind != "select" or result.variables != ["__ASK_RETVAL"]:
        return result
    yes = any(row.get("__ASK_RETVAL", {}).get("value") not in (None, "0") for row in result.rows)
    return QueryResult("ask", json={"head": {}, "boolean": yes})


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
