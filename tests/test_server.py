"""`argmap serve` as a real subprocess on 127.0.0.1, queried by real clients (SPARQLWrapper, httpx).

The endpoint must give the same answers as the embedded store in every negotiated format, refuse updates and
federated SERVICE calls, answer malformed queries with 400 and the parser's message, stop a slow query at the
timeout (and keep serving), refuse an oversized result, send CORS headers, and serve the site's files.
"""

from __future__ import annotations

import csv
import io
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from argmap.errors import QueryError, QueryRefused
from argmap.load import load_paths
from argmap.protocol import check_query, negotiate
from argmap.query import named_queries, run_query, unknown_prefixes

pytestmark = pytest.mark.endpoint  # starts real servers on 127.0.0.1

ROOT = Path(__file__).resolve().parents[1]
DATA = [str(ROOT / "data" / "claims.ttl"), str(ROOT / "data" / "evidence.ttl")]
TIMEOUT = 1.5  # the server's query timeout in these tests
CAP = 200  # the server's result-size cap in these tests
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^11 rows: never finishes
VIEWS = "SELECT ?v ?label WHERE { ?v a am:OpposingView ; rdfs:label ?label } ORDER BY ?v"
CLI = [sys.executable, "-c", "from argmap.cli import main; main()"]


class Served:
    def __init__(self, process: subprocess.Popen, lines: list[str], site: str, sparql: str):
        self.process, self.lines, self.site, self.sparql = process, lines, site, sparql


def start_serve(args: list[str], cwd: Path, wait: float = 60.0) -> Served:
    """Start `argmap serve ARGS` and wait for the line that prints the endpoint's URL."""
    process = subprocess.Popen(
        [*CLI, "serve", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def pump():  # everything the server prints, for as long as it runs, lands in `seen`
        for line in process.stdout:
            seen.append(line)
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    site = sparql = None
    deadline = time.monotonic() + wait
    while sparql is None:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            raise AssertionError(f"argmap serve printed no URL within {wait} s: {seen}") from None
        if line == "":
            raise AssertionError(f"argmap serve exited ({process.wait()}): {''.join(seen)}")
        if line.strip().startswith("Site:"):
            site = line.split()[-1]
        if line.strip().startswith("SPARQL:"):
            sparql = line.split()[-1]
    return Served(process, seen, site, sparql)


def stop(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(10)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait(5)


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    """A small stand-in site folder (the real build is tested in the site's own tests)."""
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text("<!doctype html><title>home</title><p>home page</p>\n", encoding="utf-8")
    (site / "map").mkdir()
    (site / "map" / "index.html").write_text("<p>map</p>\n", encoding="utf-8")
    (site / "empty").mkdir()
    (site / "query").mkdir()
    (site / "query" / "engine.wasm").write_bytes(b"\0asm\1\0\0\0")
    return site


@pytest.fixture(scope="module")
def server(site_dir, tmp_path_factory):
    served = start_serve(
        [*DATA, "--port", "0", "--dir", str(site_dir), "--timeout", str(TIMEOUT), "--max-results", str(CAP)],
        cwd=tmp_path_factory.mktemp("cwd"),
    )
    yield served
    stop(served)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_paths(DATA).store


def values(json_result: dict, query: str = "") -> list[tuple]:
    """Rows as tuples of (type, value, datatype/lang) in variable order.

    GROUP_CONCAT joins its values in whatever order the engine meets them (SPARQL leaves it open, and it
    follows the order the data was loaded in), so for such queries each literal's parts are sorted.
    """
    variables = json_result["head"]["vars"]
    concat = "GROUP_CONCAT" in query.upper()
    out = []
    for row in json_result["results"]["bindings"]:
        cells = []
        for v in variables:
            if v not in row:
                cells.append(None)
                continue
            term = row[v]
            value = term["value"]
            if concat and term["type"] != "uri":
                value = " ".join(sorted(re.split(r"\s*[;,|]\s*|\s+", value)))
            cells.append(
                (
                    term["type"].replace("typed-literal", "literal"),
                    value,
                    term.get("datatype", "") + term.get("xml:lang", ""),
                )
            )
        out.append(tuple(cells))
    return out


def post(server: Served, query: str, accept: str | None = None, **kwargs) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    headers.update(kwargs.pop("headers", {}))
    return httpx.post(server.sparql, data={"query": query}, headers=headers, timeout=30, **kwargs)


# ------------------------------------------------------------------------------------------------ startup


def test_prints_urls_and_binds_loopback_only(server):
    assert server.site.startswith("http://127.0.0.1:") and server.sparql == server.site + "sparql"
    port = int(server.site.rsplit(":", 1)[1].strip("/"))
    # /proc/net/tcp lists listening sockets (state 0A) as hex local_address:port; 0100007F is 127.0.0.1.
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":
                listening.append(address)
    assert listening == ["0100007F"], listening


# ------------------------------------------------------------------------------------------------ answers


def test_sparqlwrapper_gets_the_embedded_rows_for_every_named_query(server, store):
    client = SPARQLWrapper(server.sparql)
    client.setReturnFormat(JSON)
    checked = 0
    for named in named_queries():
        expected = run_query(store, named.text)
        if expected.kind != "select" or len(expected.rows) > CAP:
            continue
        client.setQuery(named.text)
        answer = client.query().convert()
        got, want = values(answer, named.text), values(expected.json, named.text)
        if "ORDER BY" in named.text.upper():
            assert got == want, named.name
        else:
            assert sorted(got, key=repr) == sorted(want, key=repr), named.name
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "application/json",
        "*/*",
    ],
)
def test_select_in_every_results_format(server, store, accept):
    expected = run_query(store, VIEWS)
    response = post(server, VIEWS, accept)
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    if accept == "*/*":
        assert media == "application/sparql-results+json"
    elif accept == "application/json":
        assert media == "application/json"
    else:
        assert media == accept
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["v", "label"]
        assert rows[1:] == [[r[0], r[1]] for r in expected.values()]
        return
    formats = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }
    parsed = ox.parse_query_results(response.content, formats[media])
    got = [tuple(solution[v].value for v in ("v", "label")) for solution in parsed]
    assert got == expected.values()
    assert len(got) == 5


@pytest.mark.parametrize(
    "accept, fmt",
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_and_describe_in_every_graph_format(server, store, accept, fmt):
    for query in (
        "CONSTRUCT { ?v rdfs:label ?l ; am:order ?o } WHERE { ?v a am:OpposingView ; rdfs:label ?l ; am:order ?o }",
        "DESCRIBE view:market-is-working",
    ):
        expected = set(run_query(store, query).triples)
        response = post(server, query, accept)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == accept
        got = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, fmt)}
        assert got == expected and len(got) >= 10


def test_ask_true_and_false(server):
    assert post(server, "ASK { view:market-is-working a am:OpposingView }").json() == {"head": {}, "boolean": True}
    assert post(server, "ASK { view:market-is-working a am:Response }").json()["boolean"] is False
    xml = post(server, "ASK { ?s a am:OpposingView }", "application/sparql-results+xml")
    assert "<boolean>true</boolean>" in xml.text


def test_get_post_form_and_sparql_query_body_agree(server):
    by_get = httpx.get(server.sparql, params={"query": VIEWS}, timeout=30)
    by_form = post(server, VIEWS)
    by_body = httpx.post(
        server.sparql,
        content=VIEWS.encode(),
        timeout=30,
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.json() == by_form.json() == by_body.json()
    assert len(by_get.json()["results"]["bindings"]) == 5


def test_format_parameter_overrides_accept(server):
    response = httpx.get(
        server.sparql, params={"query": VIEWS, "format": "csv"}, headers={"Accept": "application/json"}
    )
    assert response.headers["content-type"].startswith("text/csv") and response.text.startswith("v,label")


def test_unacceptable_format_is_406(server):
    response = post(server, VIEWS, "image/png")
    assert response.status_code == 406 and "text/csv" in response.text


def test_endpoint_help_without_a_query(server):
    response = httpx.get(server.sparql)
    assert response.status_code == 200 and "read-only SPARQL 1.1 endpoint" in response.text


# ------------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize("how", ["update-param", "sparql-update-body", "update-as-query", "load-as-query"])
def test_updates_are_refused_and_change_nothing(server, how):
    update = "INSERT DATA { <urn:x> a <urn:Intruder> }"
    if how == "update-param":
        response = httpx.post(server.sparql, data={"update": update})
    elif how == "sparql-update-body":
        response = httpx.post(
            server.sparql, content=update.encode(), headers={"Content-Type": "application/sparql-update"}
        )
    elif how == "update-as-query":
        response = post(server, "PREFIX x: <urn:> " + update)
    else:
        response = post(server, "LOAD <http://127.0.0.1:9/nothing.ttl>")
    assert response.status_code == 403
    assert "read-only" in response.text
    assert post(server, "ASK { ?s a <urn:Intruder> }").json()["boolean"] is False


def test_federated_service_is_refused(server):
    response = post(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert response.status_code == 403 and "SERVICE" in response.text


def test_malformed_query_is_400_with_the_parsers_message(server):
    response = post(server, "SELECT ?x WHERE {\n  ?x a am:Claim \n")
    assert response.status_code == 400
    assert response.text.startswith("Malformed query: line 3, column 1: expected one of")
    unknown = post(server, "SELECT ?x WHERE { ?x a nope:Claim }")
    assert unknown.status_code == 400 and "unknown prefix nope:" in unknown.text


def test_slow_query_is_cut_at_the_timeout_and_the_server_recovers(server):
    started = time.monotonic()
    response = post(server, SLOW)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert "limit and was stopped" in response.text
    assert TIMEOUT * 0.9 <= elapsed < TIMEOUT + 10
    # the killed worker is replaced: queries keep working, repeatedly, on both workers
    for _ in range(4):
        assert post(server, VIEWS).status_code == 200


def test_result_size_cap(server):
    response = post(server, "SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 422 and f"more than {CAP} rows" in response.text and "LIMIT" in response.text
    assert post(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 10").status_code == 200
    graph = post(server, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert graph.status_code == 422 and "triples" in graph.text


def test_oversized_request_body_is_413(server):
    response = httpx.post(server.sparql, content=b"#" * 1_000_001, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


# ------------------------------------------------------------------------------------------------ CORS


def test_cors_on_answers_and_preflight(server):
    response = httpx.get(server.sparql, params={"query": VIEWS}, headers={"Origin": "http://localhost:3000"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(
        server.sparql,
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200  # Starlette's CORSMiddleware answers a preflight 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    error = post(server, "SELECT ?x WHERE {", headers={"Origin": "http://localhost:3000"})
    assert error.status_code == 400 and error.headers["access-control-allow-origin"] == "*"


# ------------------------------------------------------------------------------------------------ static files


def test_serves_the_site(server):
    home = httpx.get(server.site)
    assert home.status_code == 200 and "home page" in home.text
    assert home.headers["content-type"].startswith("text/html")
    assert httpx.get(server.site + "map/").text == "<p>map</p>\n"
    assert httpx.get(server.site + "map", follow_redirects=False).status_code == 301
    wasm = httpx.get(server.site + "query/engine.wasm")
    assert wasm.headers["content-type"] == "application/wasm"
    head = httpx.head(server.site + "index.html")
    assert head.status_code == 200 and head.content == b""


def test_no_listing_no_traversal(server):
    assert httpx.get(server.site + "empty/").status_code == 404
    assert httpx.get(server.site + "missing.html").status_code == 404
    for path in ("../pyproject.toml", "%2e%2e/%2e%2e/etc/passwd", "..%2f..%2fetc%2fpasswd"):
        response = httpx.get(server.site + path)
        assert response.status_code == 404, path
        assert "root:" not in response.text
    assert httpx.post(server.site + "index.html", data={"a": "b"}).status_code == 405


def test_endpoint_only_when_no_site(tmp_path):
    served = start_serve([*DATA, "--port", "0", "--dir", str(tmp_path / "nothing")], cwd=tmp_path)
    try:
        assert "serving only the SPARQL endpoint" in "".join(served.lines)
        assert httpx.get(served.site + "anything.html").status_code == 404
        assert post(served, "ASK { ?s a am:OpposingView }").json()["boolean"] is True
    finally:
        stop(served)


def test_port_in_use_is_a_one_line_error(server, tmp_path):
    port = server.site.rsplit(":", 1)[1].strip("/")
    result = subprocess.run(
        [*CLI, "serve", *DATA, "--port", port], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2  # could not run
    assert f"Error: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------------------------------------ the docs


def doc_queries() -> list[str]:
    text = (ROOT / "docs" / "sparql.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sparql\n(.*?)```", text, re.DOTALL)
    return [b for b in blocks if not b.lstrip().upper().startswith("PREFIX")]


def test_docs_have_ten_worked_queries_that_answer_the_same_here_and_embedded(server, store):
    queries = doc_queries()
    assert len(queries) == 10
    for number, query in enumerate(queries, start=1):
        expected = run_query(store, query)
        if expected.kind == "graph":
            response = post(server, query, "application/n-triples")
            assert response.status_code == 200, (number, response.text)
            got = {
                ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)
            }
            assert got == set(expected.triples) and got, number
        else:
            response = post(server, query)
            assert response.status_code == 200, (number, response.text)
            assert values(response.json(), query) == values(expected.json, query), number
            assert expected.rows, f"worked query {number} returns no rows"


# ------------------------------------------------------------------------------------------------ pure parts


def test_negotiate():
    assert negotiate("select", None) == "application/sparql-results+json"
    assert negotiate("select", "text/csv;q=0.5, application/sparql-results+xml") == "application/sparql-results+xml"
    assert negotiate("select", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") == "application/xml"
    assert negotiate("ask", "text/csv, */*;q=0.1") == "application/sparql-results+json"
    assert negotiate("graph", "application/sparql-results+json") is None
    assert negotiate("graph", "*/*") == "text/turtle"
    assert negotiate("graph", None, "jsonld") == "application/ld+json"
    assert negotiate("select", "text/csv", "xml") == "application/sparql-results+xml"
    assert negotiate("select", "text/turtle;q=0") is None


def test_check_query_reads_the_form_and_refuses_updates_and_service():
    assert check_query('PREFIX insert: <urn:> SELECT ?delete WHERE { ?s insert:drop "DELETE" }').form == "select"
    assert check_query("# DELETE everything\nASK {}").form == "ask"
    assert check_query("DESCRIBE <urn:x>").form == "graph"
    with pytest.raises(QueryRefused, match="updates"):
        check_query("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="empty"):
        check_query("  ")
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query("SELECT * { SERVICE <urn:s> { ?s ?p ?o } }")
    assert not check_query('SELECT ?service WHERE { ?x am:service "SERVICE" } # SERVICE').uses_service
    assert unknown_prefixes('SELECT * { ?x a nope:C ; am:p "a:b" ; <urn:x> ?y }') == ["nope"]
