"""`argmap push`: upload to a real store, then check it holds what was sent; refuse what is not a store.

The real store is Oxigraph (PyPI `oxigraph`) on a free 127.0.0.1 port; Virtuoso is in test_virtuoso.py. The
stores that misbehave (one that redirects, a web page that answers 200 to anything, a store that forgets or
drops triples, one that needs Basic auth) are small real HTTP servers on 127.0.0.1 that record every request.
Every failure must be exit 2 with one line on stderr, never a traceback, and never show a password.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from conftest import free_port, oxigraph_server

from argmap.cli import main
from argmap.load import load_paths

pytestmark = pytest.mark.endpoint

ROOT = Path(__file__).resolve().parents[1]
DATA = [str(ROOT / "data" / "claims.ttl"), str(ROOT / "data" / "evidence.ttl")]
SMALL = [str(ROOT / "tests" / "fixtures" / "base.ttl")]  # valid and tiny: for the stores that misbehave
GRAPH = "https://w3id.org/argmap/graph/test"


@pytest.fixture(scope="module")
def oxigraph():
    with oxigraph_server() as base:
        yield base


@pytest.fixture(scope="module")
def sent() -> int:
    """How many triples the data holds: what push must report and the store must hold."""
    n = len(load_paths(DATA).store)
    assert n > 1000
    return n


@pytest.fixture(scope="module")
def small() -> int:
    n = len(load_paths(SMALL).store)
    assert n > 10
    return n


def push(*args: str, password: str | None = None) -> Result:
    return CliRunner().invoke(main, ["push", *args], env={"ARGMAP_PASSWORD": password}, catch_exceptions=False)


def one_line_error(result: Result, code: int = 2) -> str:
    """The single `Error: …` line of a failed command (exit `code`, nothing on stdout, no traceback)."""
    assert result.exit_code == code, result.output
    assert result.stdout == "" and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def count(base: str, graph: str | None) -> int:
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    answer = httpx.post(
        f"{base}/query",
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


# ------------------------------------------------------------------------------------------------ Oxigraph
def test_replace_then_merge_into_a_named_graph_is_verified(oxigraph, sent):
    url = f"{oxigraph}/store"
    first = push(*DATA, "--endpoint", url, "--graph", GRAPH, "--replace")
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        f"Replaced graph <{GRAPH}> of {url} with {sent} triples (HTTP 201); verified: the graph holds {sent} triples.\n"
    )
    assert count(oxigraph, GRAPH) == sent
    again = push(*DATA, "--endpoint", url, "--graph", GRAPH)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(f"Added {sent} triples to graph <{GRAPH}>")
    assert count(oxigraph, GRAPH) == sent  # a merge of the same triples adds nothing


def test_merge_keeps_what_the_graph_held_and_replace_drops_it(oxigraph, sent):
    graph = "https://w3id.org/argmap/graph/merge"
    extra = "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"
    turtle = {"Content-Type": "text/turtle"}
    put = httpx.put(f"{oxigraph}/store", params={"graph": graph}, content=extra, headers=turtle)
    assert put.status_code in (201, 204)
    merged = push(*DATA, "--endpoint", f"{oxigraph}/store", "--graph", graph)
    assert merged.exit_code == 0, merged.output
    assert f"verified: the graph holds {sent + 1} triples" in merged.stdout
    replaced = push(*DATA, "--endpoint", f"{oxigraph}/store", "--graph", graph, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert f"verified: the graph holds {sent} triples" in replaced.stdout
    assert count(oxigraph, graph) == sent


def test_verify_with_sparql_counts_on_the_query_endpoint(oxigraph, small):
    graph = "https://w3id.org/argmap/graph/counted"
    store, query = f"{oxigraph}/store", f"{oxigraph}/query"
    ok = push(*SMALL, "--endpoint", store, "--graph", graph, "--replace", "--query-endpoint", query)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.endswith(f"verified: the graph holds {small} triples.\n")
    no_graph = one_line_error(push(*SMALL, "--endpoint", store, "--query-endpoint", query))
    assert "--query-endpoint needs --graph" in no_graph
    not_sparql = one_line_error(push(*SMALL, "--endpoint", store, "--graph", graph, "--query-endpoint", store))
    assert f"uploaded (HTTP 204) but cannot verify: counting at {store} failed" in not_sparql


def test_a_store_that_forgets_is_caught_by_the_counts_too(oxigraph, small):
    """The Graph Store keeps nothing; the query endpoint (a real Oxigraph) finds the graph empty."""
    graph = "https://w3id.org/argmap/graph/forgotten"
    with FakeStore(_keeping(lambda triples: [])) as store:
        args = ["--endpoint", f"{store.url}/store", "--graph", graph, "--query-endpoint", f"{oxigraph}/query"]
        line = one_line_error(push(*SMALL, *args))
    assert f"counts 0 triples in graph <{graph}> where {small} (or more, merged with what it held) were sent" in line
    assert f"and {small} of the triples sent are not in it" in line


def test_push_refuses_invalid_data(oxigraph, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix am: <https://w3id.org/argmap/vocab#> .\n"
        "@prefix claim: <https://w3id.org/argmap/id/claim/> .\n\n"
        "claim:lonely a am:Claim .\n",
        encoding="utf-8",
    )
    graph = "https://w3id.org/argmap/graph/invalid"
    result = push(str(bad), "--endpoint", f"{oxigraph}/store", "--graph", graph)
    assert result.exit_code == 1
    assert "refusing to push invalid data" in result.stderr
    assert "bad.ttl:4" in result.stderr  # the validation report names file and line
    assert count(oxigraph, graph) == 0


def test_push_to_the_query_url_says_where_the_graph_store_is(oxigraph):
    line = one_line_error(push(*DATA, "--endpoint", f"{oxigraph}/query"))
    assert "Oxigraph: /store" in line


# ------------------------------------------------------------------------------------------------ fake stores
@dataclass
class FakeStore:
    """A real HTTP server on 127.0.0.1 whose answers `respond(handler, method, body)` decides; records requests."""

    respond: Callable[[BaseHTTPRequestHandler, str, bytes], tuple[int, dict, bytes]]
    hits: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, Authorization
    url: str = ""

    def __enter__(self) -> FakeStore:
        store = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                store.hits.append((self.command, self.path, self.headers.get("Authorization")))
                status, headers, payload = store.respond(self, self.command, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _any  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


HTML = {"Content-Type": "text/html; charset=utf-8"}
WELCOME = b"<!doctype html><html><body><h1>Welcome to our portal</h1></body></html>"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirecting_store_is_refused_and_not_followed(status):
    def respond(handler, method, body):
        if method == "GET" and handler.path == "/welcome":
            return 200, HTML, WELCOME  # a GET-only page: what a followed 301/302/303 would land on
        return status, {"Location": "/welcome", **HTML}, b"<a href='/welcome'>moved</a>"

    with FakeStore(respond) as store:
        line = one_line_error(push(*SMALL, "--endpoint", f"{store.url}/store"))
        query = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", f"{store.url}/sparql"])
    assert f"redirects (HTTP {status}) to {store.url}/welcome" in line
    assert "give the final URL" in line
    assert [(m, p) for m, p, _ in store.hits] == [("POST", "/store?default"), ("POST", "/sparql")]  # none followed
    assert query.exit_code != 0 and len(query.output.strip().splitlines()) == 1
    assert f"redirects (HTTP {status}) to {store.url}/welcome" in query.output


def test_a_307_to_a_real_store_is_not_followed_either(oxigraph):
    """Even a method-keeping redirect is refused: the body and credentials would go where the server points."""
    graph = "https://w3id.org/argmap/graph/redirected"

    def respond(handler, method, body):
        return 307, {"Location": f"{oxigraph}/store?graph={graph}"}, b""

    with FakeStore(respond) as store:
        line = one_line_error(push(*SMALL, "--endpoint", f"{store.url}/store", "--graph", graph, "--replace"))
    assert "redirects (HTTP 307)" in line and f"{oxigraph}/store" in line
    assert count(oxigraph, graph) == 0


def test_a_web_page_that_answers_200_to_anything_is_not_a_store():
    with FakeStore(lambda handler, method, body: (200, HTML, WELCOME)) as store:
        line = one_line_error(push(*SMALL, "--endpoint", f"{store.url}/store"))
        assert "uploaded (HTTP 200) but cannot verify" in line
        assert "got text/html, not RDF: is this a Graph Store?" in line
        assert "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }" in line and "--no-verify" in line
        unchecked = push(*SMALL, "--endpoint", f"{store.url}/store", "--no-verify")
    assert unchecked.exit_code == 0, unchecked.output
    assert unchecked.stderr.startswith("Warning: --no-verify")
    assert unchecked.stdout.endswith("(HTTP 200); not verified (--no-verify).\n")
    assert [m for m, _, _ in store.hits] == ["POST", "GET", "POST"]


def _keeping(transform: Callable[[list[ox.Triple]], list[ox.Triple]]):
    """A store that answers like a Graph Store but holds `transform(what it was small)`."""
    held: dict[str, bytes] = {}

    def respond(handler, method, body):
        if method in ("PUT", "POST"):
            triples = transform(list(ox.parse(body, ox.RdfFormat.TURTLE)))
            held[handler.path] = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            return 204, {}, b""
        return 200, {"Content-Type": "application/n-triples"}, held.get(handler.path, b"")

    return respond


def test_a_store_that_keeps_nothing_fails_the_check(small):
    with FakeStore(_keeping(lambda triples: [])) as store:
        line = one_line_error(push(*SMALL, "--endpoint", f"{store.url}/store", "--graph", GRAPH, "--replace"))
    assert f"the store answered HTTP 204, but graph <{GRAPH}> now holds 0 triples where {small} were sent" in line
    assert f"and {small} of the triples sent are not in it" in line and "ResultSetMaxRows" in line


def test_a_store_that_drops_one_triple_names_it(small):
    with FakeStore(_keeping(lambda triples: sorted(triples, key=str)[1:])) as store:
        line = one_line_error(push(*SMALL, "--endpoint", f"{store.url}/store"))
    dropped = min((ox.Triple(q.subject, q.predicate, q.object) for q in load_paths(SMALL).store), key=str)
    assert f"now holds {small - 1} triples where {small} (or more, merged with what it held) were sent" in line
    assert f"and 1 of the triples sent are not in it, for example {dropped}: the upload did not arrive" in line


def test_a_store_that_cannot_be_read_back(small):
    def respond(handler, method, body):
        return (204, {}, b"") if method == "PUT" else (405, {"Content-Type": "text/plain"}, b"GET not allowed")

    with FakeStore(respond) as store:
        line = one_line_error(push(*SMALL, "--endpoint", f"{store.url}/store", "--replace"))
    assert "uploaded (HTTP 204) but cannot verify: reading the default graph back got HTTP 405: GET not allowed" in line
    assert f"should give {small})" in line


# ------------------------------------------------------------------------------------------------ credentials
def _basic_store(user: str, password: str):
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    inner = _keeping(lambda triples: triples)

    def respond(handler, method, body):
        if handler.headers.get("Authorization") != expected:
            return 401, {"WWW-Authenticate": 'Basic realm="store"'}, b"Unauthorized"
        return inner(handler, method, body)

    return respond


def test_basic_auth_answers_the_challenge_with_the_password_from_the_environment(small):
    with FakeStore(_basic_store("scholar", "s3cret")) as store:
        url = f"{store.url}/store"
        ok = push(*SMALL, "--endpoint", url, "--user", "scholar", password="s3cret")
        assert ok.exit_code == 0, ok.output
        assert f"verified: the graph holds {small} triples" in ok.stdout
        # the first request of each exchange goes without credentials; the password only answers a challenge
        assert [(m, a is not None) for m, _, a in store.hits] == [
            ("POST", False),
            ("POST", True),
            ("GET", False),
            ("GET", True),
        ]
        in_url = push(*SMALL, "--endpoint", f"http://scholar@{url.removeprefix('http://')}", password="s3cret")
        assert in_url.exit_code == 0, in_url.output
        wrong = one_line_error(push(*SMALL, "--endpoint", url, "--user", "scholar", password="guess"))
        assert "refused the user name or password for 'scholar' (HTTP 401)" in wrong
        anonymous = one_line_error(push(*SMALL, "--endpoint", url))
        assert "needs a user name and password (HTTP 401); pass --user and set ARGMAP_PASSWORD" in anonymous
        before = len(store.hits)
        unset = one_line_error(push(*SMALL, "--endpoint", url, "--user", "scholar"))
        assert unset == "Error: --user 'scholar' is given but ARGMAP_PASSWORD is not set; set it to the password"
        assert len(store.hits) == before  # nothing sent


def test_a_store_that_asks_for_no_credentials_never_gets_them():
    with FakeStore(_keeping(lambda triples: triples)) as store:
        result = push(*SMALL, "--endpoint", f"{store.url}/store", "--user", "scholar", password="s3cret")
    assert result.exit_code == 0, result.output
    assert [a for _, _, a in store.hits] == [None, None]


def test_a_password_in_the_url_is_refused_and_never_shown():
    with FakeStore(_basic_store("scholar", "s3cret")) as store:
        url = f"http://scholar:s3cret@{store.url.removeprefix('http://')}/store"
        line = one_line_error(push(*SMALL, "--endpoint", url, password="s3cret"))
        assert store.hits == []
    assert "s3cret" not in line and "scholar" not in line
    assert f"http://***@{store.url.removeprefix('http://')}/store: the URL carries a password" in line
    query = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", url])
    assert query.exit_code != 0 and "s3cret" not in query.output and "Traceback" not in query.output


def test_credentials_in_a_redirect_target_are_not_shown():
    def respond(handler, method, body):
        return 301, {"Location": "http://admin:hunter2@127.0.0.1:9/store"}, b""

    with FakeStore(respond) as store:
        line = one_line_error(push(*SMALL, "--endpoint", f"{store.url}/store"))
    assert "hunter2" not in line and "admin" not in line and "to http://***@127.0.0.1:9/store" in line


# ------------------------------------------------------------------------------------------------ bad URLs
@pytest.mark.parametrize(
    "url",
    [
        "127.0.0.1:7878/store",
        "store.example.org/data",
        "ftp://127.0.0.1/store",
        "http://",
        "http:///store",
        "http://127.0.0.1:99999/store",
        "http://127.0.0.1:port/store",
        "http://[::1",
        "http://[::1/store",
        "http://store example.org/data",
        "http://127.0.0.1:7878/st ore",
        "http://127.0.0.1:7878/store\n",
    ],
)
def test_a_malformed_url_is_one_line(url):
    line = one_line_error(push(*SMALL, "--endpoint", url))
    assert "is not an http(s) URL of a SPARQL endpoint" in line
    query = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", url], catch_exceptions=False)
    assert query.exit_code != 0 and len(query.output.strip().splitlines()) == 1, query.output
    assert "is not an http(s) URL" in query.output


def test_what_a_store_says_reaches_the_terminal_without_control_characters():
    def respond(handler, method, body):
        if handler.path.startswith("/bad-location"):
            return 301, {"Location": "http://[::1/x"}, b""
        return 400, {"Content-Type": "text/plain"}, b"\x1b]0;owned\x07\x1b[2J\x1b[31mrejected\x1b[0m: line 1\r\nmore"

    with FakeStore(respond) as store:
        line = one_line_error(push(*SMALL, "--endpoint", f"{store.url}/store"))
        bad = one_line_error(push(*SMALL, "--endpoint", f"{store.url}/bad-location"))
    assert line.endswith("the store rejected the data (HTTP 400): ]0;owned[2J[31mrejected[0m: line 1")
    assert all(c.isprintable() for c in line)
    assert "Invalid URL in location header" in bad  # httpx refuses it before argmap sees the redirect


def test_a_malformed_query_endpoint_is_one_line_before_anything_is_sent():
    with FakeStore(_keeping(lambda triples: triples)) as store:
        args = ["--endpoint", f"{store.url}/store", "--graph", GRAPH, "--query-endpoint", "http://[::1/sparql"]
        line = one_line_error(push(*SMALL, *args))
    assert "'http://[::1/sparql' is not an http(s) URL of a SPARQL endpoint" in line
    assert store.hits == []


def test_unreachable_store_is_one_line():
    line = one_line_error(push(*SMALL, "--endpoint", f"http://127.0.0.1:{free_port()}/store"))
    assert "cannot connect" in line
