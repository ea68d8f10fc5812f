"""Remote stores: `argmap query --endpoint` against a real Oxigraph server that `argmap push` filled.

The Oxigraph server (PyPI package `oxigraph`) is started by a fixture on a free 127.0.0.1 port, in memory.
After `argmap push`, every named query asked with `--endpoint` must give the same rows as the embedded store
(in the same order when the query has ORDER BY). Errors (no server, 401, a timeout, an answer that is not
SPARQL) must be one-line messages, never tracebacks. `argmap push` itself is tested in test_push.py.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from conftest import free_port, oxigraph_server

from argmap.cli import main
from argmap.query import named_queries

pytestmark = pytest.mark.endpoint

ROOT = Path(__file__).resolve().parents[1]
DATA = [str(ROOT / "data" / "claims.ttl"), str(ROOT / "data" / "evidence.ttl")]


@pytest.fixture(scope="module")
def oxigraph():
    """A real Oxigraph server in memory on 127.0.0.1; yields its base URL."""
    with oxigraph_server() as base:
        yield base


def cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def count(base: str, graph: str | None = None) -> int:
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    answer = httpx.post(
        f"{base}/query",
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def rows(output: str, query: str) -> list:
    """The rows of `argmap query --format json` output; GROUP_CONCAT parts sorted (their order is the engine's)."""
    body = json.loads(output)
    if "boolean" in body:
        return [body["boolean"]]
    variables = body["head"]["vars"]
    concat = "GROUP_CONCAT" in query.upper()
    out = []
    for binding in body["results"]["bindings"]:
        row = []
        for v in variables:
            term = binding.get(v)
            if term is None:
                row.append(None)
                continue
            value = term["value"]
            if concat and term["type"] == "literal":
                value = " ".join(sorted(re.split(r"\s*[;,|]\s*|\s+", value)))
            row.append((term["type"], value, term.get("datatype"), term.get("xml:lang")))
        out.append(row)
    return out


@pytest.fixture(scope="module")
def pushed(oxigraph):
    result = cli("push", *DATA, "--endpoint", f"{oxigraph}/store", "--replace")
    assert result.exit_code == 0, result.output
    return oxigraph, result.output


def test_push_uploads_every_triple(pushed):
    base, output = pushed
    embedded = json.loads(
        cli(
            "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-d", DATA[0], "-d", DATA[1], "--format", "json"
        ).output
    )
    expected = int(embedded["results"]["bindings"][0]["n"]["value"])
    assert count(base) == expected > 1000
    assert f"with {expected} triples" in output and "the default graph" in output


@pytest.mark.parametrize("named", named_queries(), ids=lambda q: q.name)
def test_every_named_query_gives_the_embedded_rows(pushed, named):
    base, _ = pushed
    local = cli("query", named.name, "-d", DATA[0], "-d", DATA[1], "--format", "json")
    remote = cli("query", named.name, "--endpoint", f"{base}/query", "--format", "json")
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    want, got = rows(local.output, named.text), rows(remote.output, named.text)
    if re.search(r"\bORDER\s+BY\b", named.text, re.IGNORECASE):
        assert got == want
    else:
        assert sorted(got, key=repr) == sorted(want, key=repr)


def test_remote_table_output_matches_embedded_for_ordered_queries(pushed):
    base, _ = pushed
    for named in named_queries():
        if "ORDER BY" not in named.text.upper() or "GROUP_CONCAT" in named.text.upper():
            continue
        for fmt in ("table", "csv"):
            local = cli("query", named.name, "-d", DATA[0], "-d", DATA[1], "--format", fmt).output
            remote = cli("query", named.name, "--endpoint", f"{base}/query", "--format", fmt).output
            assert remote == local, (named.name, fmt)


def test_construct_through_the_endpoint(pushed):
    base, _ = pushed
    query = "CONSTRUCT { ?v rdfs:label ?l } WHERE { ?v a am:OpposingView ; rdfs:label ?l }"
    local = cli("query", query, "-d", DATA[0], "-d", DATA[1], "--format", "ntriples").output
    remote = cli("query", query, "--endpoint", f"{base}/query", "--format", "ntriples").output
    assert sorted(remote.splitlines()) == sorted(local.splitlines()) and len(local.splitlines()) == 5


def test_query_endpoint_errors_are_one_line(oxigraph):
    closed = free_port()
    cases = [
        (["--endpoint", f"http://127.0.0.1:{closed}/query"], "cannot connect"),
        (["--endpoint", f"{oxigraph}/nothing-here"], "no SPARQL query service here (HTTP 404)"),
        (["--endpoint", "ftp://127.0.0.1/query"], "not an http(s) URL"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(main, ["query", "ASK { ?s ?p ?o }", *args])
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    bad = CliRunner().invoke(main, ["query", "SELECT ?x WHERE {", "--endpoint", f"{oxigraph}/query"])
    assert bad.exit_code == 2 and "rejected the query (HTTP 400)" in bad.output


# ------------------------------------------------------------------------------------------------------------
# A small store that needs Basic auth, answers slowly on request, or answers with HTML: a real HTTP server on
# 127.0.0.1, for the client's error paths that Oxigraph (no auth, always fast) cannot produce.


class _Store(BaseHTTPRequestHandler):
    expected = "Basic " + base64.b64encode(b"scholar:s3cret").decode()

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.path.startswith("/html"):
            self._reply(200, "text/html", b"<html><body>Welcome to our portal</body></html>")
        elif self.path.startswith("/slow"):
            time.sleep(3)
            self._reply(200, "application/sparql-results+json", b'{"head":{},"boolean":true}')
        elif self.headers.get("Authorization") != self.expected:
            self._reply(401, "text/plain", b"Unauthorized", {"WWW-Authenticate": 'Basic realm="store"'})
        elif self.path.startswith("/store"):
            self._reply(204, "text/plain", b"")
        elif "query=" in body:
            self._reply(200, "application/sparql-results+json", b'{"head":{},"boolean":true}')
        else:
            self._reply(400, "text/plain", b"no query")

    def _reply(self, status, media, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def guarded():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Store)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_basic_auth_user_and_password_from_the_environment(guarded):
    url = f"{guarded}/sparql"
    ok = CliRunner().invoke(
        main, ["query", "ASK {}", "--endpoint", url, "--user", "scholar"], env={"ARGMAP_PASSWORD": "s3cret"}
    )
    assert ok.exit_code == 0 and ok.output == "yes\n", ok.output
    missing = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", url], env={"ARGMAP_PASSWORD": None})
    assert missing.exit_code == 2 and "needs a user name and password (HTTP 401)" in missing.output
    wrong = CliRunner().invoke(
        main, ["query", "ASK {}", "--endpoint", url, "--user", "scholar"], env={"ARGMAP_PASSWORD": "guess"}
    )
    assert wrong.exit_code == 2 and "refused the user name or password for 'scholar' (HTTP 401)" in wrong.output
    for result in (missing, wrong):
        assert len(result.output.strip().splitlines()) == 1


def test_timeout_and_non_sparql_answers(guarded):
    slow = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", f"{guarded}/slow", "--timeout", "0.5"])
    assert slow.exit_code == 2 and "no answer within 0.5 s" in slow.output
    html = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", f"{guarded}/html"])
    assert html.exit_code == 2 and "answered with text/html, not SPARQL results" in html.output
    for result in (slow, html):
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
