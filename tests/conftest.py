"""Shared fixtures: built sites, a static http server on 127.0.0.1, and headless Chromium (Playwright).

Browser tests are marked `browser`. Without a Chromium on the machine they skip with the reason; with the
environment variable CI set they fail instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import mimetypes
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = [ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl"]
HOSTILE = ROOT / "tests" / "fixtures" / "hostile" / "debate.ttl"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("application/n-triples", ".nt")
mimetypes.add_type("text/turtle", ".ttl")
mimetypes.add_type("application/ld+json", ".jsonld")


# ------------------------------------------------------------------------------------ built sites
@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real data (data/*.ttl) built once into a temporary folder, as `argmap build` does."""
    from argmap.site.build import build_site
    from argmap.validate import load_valid

    out = tmp_path_factory.mktemp("site")
    build_site(load_valid(DATA), out)
    return out


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory) -> Path:
    """The hostile fixture (HTML and script in labels, quotes, notes; a javascript: URL) built into a folder."""
    from argmap.site.build import build_site
    from argmap.validate import load_valid

    out = tmp_path_factory.mktemp("hostile-site")
    build_site(load_valid([HOSTILE]), out)
    return out


@pytest.fixture(scope="session")
def real_model():
    from argmap.load import load_paths
    from argmap.model import build_model

    return build_model(load_paths([str(p) for p in DATA]).store)


@pytest.fixture(scope="session")
def hostile_model():
    from argmap.load import load_paths
    from argmap.model import build_model

    return build_model(load_paths([str(HOSTILE)]).store)


# ------------------------------------------------------------------------------------ http server
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@dataclass
class StaticServer:
    url: str  # ends with /
    directory: Path
    _server: http.server.ThreadingHTTPServer = field(repr=False)

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def serve_directory(directory: Path) -> StaticServer:
    """Serve a folder on 127.0.0.1 (a free port) from a thread; stop() it when done."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="static-http").start()
    return StaticServer(f"http://127.0.0.1:{server.server_address[1]}/", directory, server)


@pytest.fixture(scope="session")
def site_server(built_site):
    server = serve_directory(built_site)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def hostile_server(hostile_site):
    server = serve_directory(hostile_site)
    yield server
    server.stop()


# ------------------------------------------------------------------------------------ Chromium
def find_chromium() -> str | None:
    explicit = os.environ.get("ARGMAP_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _no_browser(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so browser tests must run (install Debian's chromium)")
    pytest.skip(f"{reason}: install Debian's `chromium` package (or set ARGMAP_CHROMIUM) to run browser tests")


@pytest.fixture(scope="session")
def chromium_browser():
    """Headless Chromium from the system package, launched through Playwright (no browser download)."""
    executable = find_chromium()
    if executable is None:
        explicit = os.environ.get("ARGMAP_CHROMIUM")
        _no_browser(
            f"ARGMAP_CHROMIUM={explicit} is not a file"
            if explicit
            else "no Chromium found at /usr/bin/chromium or on PATH"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("the playwright Python package is not installed")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:  # a broken browser install: say so, don't crash every test
        playwright.stop()
        _no_browser(f"Chromium at {executable} did not start ({exc})")
    yield browser
    browser.close()
    playwright.stop()


@dataclass
class Browsing:
    """A browser context bound to one served site, recording what a test must check afterwards:
    console errors, uncaught page errors and every request to another origin (which is blocked)."""

    context: object
    server: StaticServer
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def open(self, path: str = ""):
        page = self.context.new_page()
        page.on("console", lambda m: self.console_errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(f"{page.url}: {e}"))
        page.goto(self.server.url + path, wait_until="load")
        return page


def _browsing(chromium_browser, server: StaticServer, **options) -> Browsing:
    context = chromium_browser.new_context(**options)
    browsing = Browsing(context, server)

    def route(route, request):
        url = request.url
        if url.startswith(("data:", "blob:")) or url.startswith(server.origin + "/"):
            route.continue_()
        else:
            browsing.foreign_requests.append(url)
            route.abort()

    context.route("**/*", route)
    context.set_default_timeout(15_000)
    return browsing


@pytest.fixture
def web(chromium_browser, site_server):
    """Browse the real site (desktop viewport)."""
    browsing = _browsing(chromium_browser, site_server, viewport={"width": 1400, "height": 900})
    yield browsing
    browsing.context.close()


@pytest.fixture
def hostile_web(chromium_browser, hostile_server):
    browsing = _browsing(chromium_browser, hostile_server, viewport={"width": 1280, "height": 900})
    yield browsing
    browsing.context.close()


@pytest.fixture
def make_browsing(chromium_browser):
    """Browse a server with any context options (viewport, javascript_enabled …)."""
    made = []

    def make(server: StaticServer, **options) -> Browsing:
        browsing = _browsing(chromium_browser, server, **options)
        made.append(browsing)
        return browsing

    yield make
    for browsing in made:
        browsing.context.close()


# ------------------------------------------------------------------------------------ Virtuoso
def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the OS picks it; other test runs on the machine get others)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def oxigraph_server():
    """A real Oxigraph server (PyPI `oxigraph`, in the [test] extra), in memory on a free 127.0.0.1 port.

    Yields its base URL: Graph Store at /store, queries at /query.
    """
    import subprocess
    import sys
    import time

    import httpx

    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        pytest.fail("the `oxigraph` command (PyPI package oxigraph, in the [test] extra) is not installed")
    port = free_port()
    process = subprocess.Popen(
        [found, "serve", "--bind", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise AssertionError(f"oxigraph serve did not start: {process.stdout.read()!r}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(10)


@dataclass(frozen=True)
class Virtuoso:
    base: str  # http://127.0.0.1:PORT
    user: str = "dba"
    password: str = field(default="dba", repr=False)

    @property
    def sparql(self) -> str:
        return f"{self.base}/sparql"

    @property
    def graph_store(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 4000
MaxDirtyBuffers = 3000
ThreadsPerQuery = 2
DirsAllowed = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 4
MaxClientConnections = 4

[SPARQL]
ResultSetMaxRows = 2000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A real Virtuoso 7 (Debian `virtuoso-opensource`) on a fresh database in a temporary folder.

    Its own ini: free ports for SQL and HTTP on 127.0.0.1, every database file in the folder; started with
    `virtuoso-t +foreground +configfile FILE`, ready when /sparql answers, stopped at the end of the session.
    ResultSetMaxRows is 2000 (Debian's default: 10000), below the data's size and above any named query's rows,
    so the tests meet the cap Virtuoso puts on a Graph Store GET, as users with bigger graphs will.
    Without virtuoso-t the tests skip, except under CI, where they fail.
    """
    import subprocess
    import time

    import httpx

    executable = shutil.which("virtuoso-t")
    if executable is None:
        reason = "no virtuoso-t on PATH (Debian package virtuoso-opensource)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the Virtuoso tests must run (.ci/run installs it)")
        pytest.skip(f"{reason}: install it to run the Virtuoso tests")
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=free_port(), http_port=http_port), encoding="utf-8")
    log = open(folder / "stdout.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [executable, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=log, stderr=subprocess.STDOUT
    )
    server = Virtuoso(f"http://127.0.0.1:{http_port}")
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "stdout.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"virtuoso-t did not start (exit {process.poll()}):\n{tail}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
