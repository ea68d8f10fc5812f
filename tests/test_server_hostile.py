"""`argmap serve` under hostile input: a real server subprocess on 127.0.0.1, attacked as issue 9 describes.

- No query may make the server fetch another host: a fake "internal" HTTP server on 127.0.0.1 records every
  request it gets, and each SERVICE smuggling variant (comment ending at CR, Unicode spaces, \\u escapes,
  prefixed IRIs, variable endpoints, SILENT, nested in sub-queries) must leave it untouched.
- The HTTP layer: negative and oversized Content-Length, bodies over 1 MB, unfinished requests, a listen
  queue for 200 clients, client disconnects (no traceback printed), symlinks out of the site, a bad
  default-graph-uri.
- Query resources: a CONCAT-doubling query hits the worker's memory ceiling and fails alone; one huge row
  is refused by the byte cap; 5,000 nested parentheses are a 400 (and `argmap query` does not segfault);
  cheap queries are answered while slow ones run.
"""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from test_server import CLI, DATA, SLOW, Served, start_serve, stop

from argmap.errors import QueryRefused, QueryTooDeep
from argmap.protocol import check_query

pytestmark = pytest.mark.endpoint

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 20.0  # generous: the machine running the tests may be busy; SLOW queries are stopped at it
CHEAP = "SELECT ?v WHERE { ?v a am:OpposingView }"
DEEP = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"


# ------------------------------------------------------------------------------------------------ fixtures


class Internal:
    """A fake internal HTTP service on 127.0.0.1 that records every request it receives."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                hits.append(f"{self.command} {self.path}")
                body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"SECRET"}}]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def internal():
    service = Internal()
    yield service
    service.close()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """A site folder with symlinks: one to a file outside it, one to a folder outside, one inside."""
    root = tmp_path_factory.mktemp("hostile")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP SECRET\n", encoding="utf-8")
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>home</p>\n", encoding="utf-8")
    (site / "docs").mkdir()
    (site / "docs" / "index.html").write_text("<p>docs</p>\n", encoding="utf-8")
    (site / "engine.wasm").write_bytes(b"\0asm\1\0\0\0")
    (site / "leak.txt").symlink_to(outside / "secret.txt")
    (site / "leakdir").symlink_to(outside, target_is_directory=True)
    (site / "same.html").symlink_to(site / "index.html")
    return site


@pytest.fixture(scope="module")
def endpoint(hostile_site, tmp_path_factory):
    served = start_serve(
        [
            *DATA,
            "--port",
            "0",
            "--dir",
            str(hostile_site),
            "--timeout",
            str(TIMEOUT),
            "--workers",
            "1",
            "--worker-memory",
            "300",
            "--max-bytes",
            "200000",
            "--max-results",
            "500",
        ],
        cwd=tmp_path_factory.mktemp("cwd"),
    )
    yield served
    stop(served)


def ask(served: Served, query: str, **kwargs) -> httpx.Response:
    return httpx.post(served.sparql, data={"query": query}, timeout=60, **kwargs)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def raw(served: Served, data: bytes, wait: float = 30.0) -> bytes:
    """Send raw bytes on a fresh connection; everything the server answers until it closes (or `wait` s)."""
    parts = urlsplit(served.site)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as conn:
        try:
            conn.sendall(data)
        except (BrokenPipeError, ConnectionResetError):  # the server answered and closed before the end
            pass
        received = b""
        try:
            while chunk := conn.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return received


# ------------------------------------------------------------------------------------------------ SERVICE


def smuggled(url: str) -> dict[str, str]:
    host = url.rsplit("/", 1)[0] + "/"
    escaped_url = url.replace("127", "\\u0031\\u0032\\u0037")
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "lowercase": f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "comment-ends-at-cr": f"SELECT * WHERE {{ # note\rSERVICE <{url}> {{ ?s ?p ?o }}\n}}",
        "comment-cr-then-silent": f"ASK {{ # x\rSERVICE SILENT <{url}> {{ }} }}",
        "unicode-spaces": f"SELECT * WHERE {{\u00a0SERVICE\u2003<{url}>\u3000{{ ?s ?p ?o }} }}",
        "escaped-keyword": f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        "escaped-iri": f"SELECT * WHERE {{ SERVICE <{escaped_url}> {{ ?s ?p ?o }} }}",
        "escape-ends-a-string": (
            f'SELECT * WHERE {{ BIND("a\\u0022 AS ?z) SERVICE <{url}> {{ ?s ?p ?o }} }} #" AS ?x) }}'
        ),
        "escape-hides-service-in-string": (
            f'SELECT * WHERE {{ BIND("\\u0022) SERVICE <{url}> {{ ?s ?p ?o }} BIND(\\u0022" AS ?x) }}'
        ),
        "prefixed-iri": f"PREFIX int: <{host}> SELECT * WHERE {{ SERVICE int:sparql {{ ?s ?p ?o }} }}",
        "variable-endpoint": f"SELECT * WHERE {{ VALUES ?x {{ <{url}> }} SERVICE ?x {{ ?s ?p ?o }} }}",
        "variable-bound-by-bind": f"SELECT * WHERE {{ BIND(<{url}> AS ?x) SERVICE ?x {{ ?s ?p ?o }} }}",
        "in-subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "in-exists": f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "in-optional-construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "in-union-describe": f"DESCRIBE ?s WHERE {{ {{ ?s a am:Claim }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "base-relative": f"BASE <{host}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    }


VARIANTS = list(smuggled("http://127.0.0.1:1/sparql"))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("how", ["form", "get", "body"])
def test_no_query_makes_the_server_fetch_another_host(endpoint, internal, variant, how):
    query = smuggled(internal.url)[variant]
    before = list(internal.hits)
    if how == "form":
        response = ask(endpoint, query)
    elif how == "get":
        response = httpx.get(endpoint.sparql, params={"query": query}, timeout=60)
    else:
        response = httpx.post(
            endpoint.sparql,
            content=query.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query"},
            timeout=60,
        )
    assert response.status_code in (400, 403), (response.status_code, response.text)
    assert response.text.startswith(("This endpoint is read-only", "Malformed query")), response.text
    assert "SECRET" not in response.text
    assert internal.hits == before, internal.hits


def test_the_parser_gate_finds_service_wherever_it_is():
    for name, query in smuggled("http://127.0.0.1:1/sparql").items():
        if name in ("unicode-spaces", "escaped-keyword", "escaped-iri", "escape-ends-a-string"):
            continue  # not SPARQL the gate can read: refused as malformed (the test above)
        if name == "escape-hides-service-in-string":
            continue
        with pytest.raises(QueryRefused):
            check_query(query)


def test_a_worker_cannot_open_a_network_socket(internal, tmp_path):
    """Below the parser: the sandbox the workers install stops pyoxigraph's own SERVICE client."""
    script = tmp_path / "sandboxed.py"
    script.write_text(
        "import sys, pyoxigraph as ox\n"
        "from argmap.server import forbid_network\n"
        "assert forbid_network(), 'no seccomp here'\n"
        "try:\n"
        f"    print(list(ox.Store().query('SELECT * WHERE {{ SERVICE <{internal.url}> {{ ?s ?p ?o }} }}')))\n"
        "except Exception as exc:\n"
        "    print('refused:', exc)\n"
        f"print(list(ox.Store().query('SELECT * WHERE {{ SERVICE SILENT <{internal.url}> {{ ?s ?p ?o }} }}')))\n",
        encoding="utf-8",
    )
    before = list(internal.hits)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "refused:" in result.stdout and "SECRET" not in result.stdout
    assert internal.hits == before
    # the same query without the sandbox does reach the internal host: the test can fail
    unsandboxed = subprocess.run(
        [sys.executable, "-c", script.read_text().replace("assert forbid_network(), 'no seccomp here'\n", "")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unsandboxed.returncode == 0 and len(internal.hits) > len(before)


# ------------------------------------------------------------------------------------------------ HTTP layer


def test_negative_content_length_is_refused_and_nothing_is_read(endpoint):
    rss = rss_kb(endpoint.process.pid)
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: -1\r\nConnection: close\r\n\r\n"
    )
    assert raw(endpoint, head).startswith(b"HTTP/1.1 400")  # refused on the head alone
    raw(endpoint, head + b"#" * 5_000_000)  # the body is never read: the server closes the connection
    assert rss_kb(endpoint.process.pid) < rss + 50_000


def test_oversized_content_length_is_413_before_any_body(endpoint):
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 300000000\r\nConnection: close\r\n\r\n"
    )
    answer = raw(endpoint, head)  # no body sent at all: the answer comes anyway
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_chunked_body_over_the_cap_is_413(endpoint):
    def chunks():
        for _ in range(40):
            yield b"#" * 100_000

    response = httpx.post(
        endpoint.sparql, content=chunks(), headers={"Content-Type": "application/sparql-query"}, timeout=60
    )
    assert response.status_code == 413


def test_unfinished_requests_are_released(endpoint):
    """A request head that never ends is dropped; a body that never arrives gets 408."""
    with ThreadPoolExecutor(2) as pool:
        head = pool.submit(raw, endpoint, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        body = pool.submit(
            raw,
            endpoint,
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nSELECT",
        )
        assert head.result() == b""  # closed by the server, before the 30 s the client would wait
        assert body.result().startswith(b"HTTP/1.1 408")


def test_listen_queue_is_deep_enough_for_200_clients(endpoint):
    port = urlsplit(endpoint.site).port
    listing = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True)
    backlog = int(listing.stdout.split()[2])  # Send-Q of a listening socket is its backlog
    assert backlog >= 200, listing.stdout

    def fetch(_):
        return httpx.get(endpoint.site, timeout=60).status_code

    with ThreadPoolExecutor(200) as pool:
        assert set(pool.map(fetch, range(200))) == {200}


def test_client_disconnects_print_no_traceback(endpoint):
    parts = urlsplit(endpoint.site)
    for _ in range(30):
        conn = socket.create_connection((parts.hostname, parts.port))
        body = f"query={SLOW}".encode()
        conn.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        conn.close()
        conn = socket.create_connection((parts.hostname, parts.port))
        conn.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
        conn.close()
        raw(endpoint, b"\x16\x03\x01 not http at all\r\n\r\n")
    time.sleep(1)
    after = ask(endpoint, CHEAP)
    assert after.status_code == 200, after.text
    output = "".join(endpoint.lines)
    assert "Traceback" not in output, output[-3000:]


def test_symlinks_out_of_the_site_are_not_followed(endpoint):
    assert httpx.get(endpoint.site + "leak.txt").status_code == 404
    assert httpx.get(endpoint.site + "leakdir/secret.txt").status_code == 404
    assert "TOP SECRET" not in httpx.get(endpoint.site + "leakdir/secret.txt").text
    assert httpx.get(endpoint.site + "same.html").text == "<p>home</p>\n"  # a link inside the site is fine
    assert httpx.get(endpoint.site + "docs/").text == "<p>docs</p>\n"
    assert httpx.get(endpoint.site + "engine.wasm").headers["content-type"] == "application/wasm"


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_invalid_graph_iri_is_400(endpoint, param):
    response = httpx.get(endpoint.sparql, params={"query": CHEAP, param: "not an iri"}, timeout=60)
    assert response.status_code == 400 and param in response.text
    fine = httpx.get(endpoint.sparql, params={"query": CHEAP, param: "urn:graph:none"}, timeout=60)
    assert fine.status_code == 200


# ------------------------------------------------------------------------------------------------ resources


def doubling(times: int) -> str:
    binds = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(times))
    return f'SELECT (STRLEN(?v{times}) AS ?n) WHERE {{ BIND("{"x" * 1000}" AS ?v0) {binds} }}'


def ask_patiently(served: Served, query: str) -> httpx.Response:
    """As a polite client does: retry while the answer is a busy 503 with Retry-After (at most 5 times)."""
    for _ in range(5):
        response = ask(served, query)
        if response.status_code != 503 or "retry-after" not in response.headers:
            return response
        time.sleep(float(response.headers["retry-after"]))
    return response


def test_a_query_that_eats_memory_fails_alone(endpoint):
    response = ask_patiently(endpoint, doubling(40))  # 1 KB doubled 40 times: a terabyte, were it allowed
    assert response.status_code == 503, response.text
    assert "memory" in response.text and "replaced" in response.text
    for _ in range(3):
        assert ask(endpoint, CHEAP).status_code == 200
    assert rss_kb(endpoint.process.pid) < 1_000_000


def test_one_huge_row_is_refused_by_the_byte_cap(endpoint):
    response = ask(endpoint, doubling(10).replace("STRLEN(?v10)", "?v10"))  # one row, ~1 MB
    assert response.status_code == 422 and "200000 bytes" in response.text
    small = ask(endpoint, doubling(3).replace("STRLEN(?v3)", "?v3"))
    assert small.status_code == 200 and len(small.json()["results"]["bindings"][0]["n"]["value"]) == 8000


def test_pathological_nesting_is_400_and_the_server_lives_on(endpoint):
    response = ask(endpoint, DEEP)
    assert response.status_code == 400 and "nested too deeply" in response.text
    assert ask(endpoint, CHEAP).status_code == 200


def test_long_operator_chains_are_refused_before_pyoxigraph_sees_them():
    """a + b + c … is nested ((a + b) + c) by pyoxigraph, which overflows its stack at a few thousand."""
    with pytest.raises(QueryTooDeep, match="chains more than"):
        check_query("SELECT * WHERE { FILTER(" + " + ".join(["1"] * 1200) + " > 0) }")
    assert check_query("SELECT * WHERE { FILTER(" + " + ".join(["1"] * 50) + " > 0) }").form == "select"


def test_argmap_query_refuses_pathological_nesting_without_crashing(tmp_path):
    query = tmp_path / "deep.rq"
    query.write_text(DEEP, encoding="utf-8")
    result = subprocess.run([*CLI, "query", str(query)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode in (1, 2), (result.returncode, result.stderr)  # not -11 (SIGSEGV)
    assert "nested too deeply" in result.stderr and "Traceback" not in result.stderr


def test_cheap_queries_answer_while_slow_ones_run(endpoint):
    """One general worker and the quick lane: two slow queries do not starve a cheap one."""
    with ThreadPoolExecutor(3) as pool:
        slow = [pool.submit(ask, endpoint, SLOW) for _ in range(2)]
        time.sleep(0.5)
        cheap = [ask(endpoint, CHEAP) for _ in range(3)]
        slow_answers = [future.result() for future in slow]
    assert [r.status_code for r in cheap] == [200, 200, 200], [r.text for r in cheap]
    assert sorted(r.status_code for r in slow_answers) == [503, 503]
    busy = [r for r in slow_answers if "quick lane" in r.text]
    assert busy and all(r.headers.get("retry-after") for r in busy)


def test_help_states_the_limits(endpoint):
    text = httpx.get(endpoint.sparql).text
    assert "200000 bytes per result" in text and "300 MB per query" in text


def test_results_come_from_pyoxigraphs_serializer_in_every_format(endpoint):
    """The rows survive the capped TSV stream unchanged: same bindings as the embedded store."""
    from argmap.load import load_paths

    store = load_paths(DATA).store
    query = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s LIMIT 50"
    expected = json.loads(
        store.query(query, prefixes={"rdfs": "http://www.w3.org/2000/01/rdf-schema#"}).serialize(
            format=ox.QueryResultsFormat.JSON
        )
    )
    assert ask(endpoint, query).json() == expected


def test_query_workers_do_not_outlive_a_killed_server(tmp_path):
    """A worker busy with a long query exits when the server process is killed (no orphan burning a core)."""
    served = start_serve([*DATA, "--port", "0", "--dir", str(tmp_path / "none"), "--timeout", "60"], cwd=tmp_path)
    pool = ThreadPoolExecutor(1)
    try:
        pool.submit(ask, served, SLOW)
        time.sleep(1.5)
        listed = subprocess.run(["pgrep", "-P", str(served.process.pid)], capture_output=True, text=True)
        children = [int(pid) for pid in listed.stdout.split()]
        assert len(children) >= 4  # two general workers, the quick lane, the standby (and a resource tracker)
    finally:
        served.process.kill()
        served.process.wait(10)
    alive = children
    for _ in range(20):
        alive = [pid for pid in alive if Path(f"/proc/{pid}").exists() and "(zombie)" not in _state(pid)]
        if not alive:
            break
        time.sleep(0.5)
    pool.shutdown(wait=False)
    assert alive == []


def _state(pid: int) -> str:
    try:
        return next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State"))
    except (OSError, StopIteration):
        return "(zombie)"
