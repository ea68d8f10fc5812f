"""The site's query console (/query/) in headless Chromium: SPARQL in the browser, nothing leaves the origin.

The real site is built from the shipped data (with the console, from the npm packages `npm ci` installs) by
conftest's `built_site`, served as plain static files (conftest's `site_server`: no SPARQL server behind it,
as on any static host) and driven by Playwright with Debian's Chromium (conftest's `web`, which blocks and
records every request to another origin).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from argmap.load import load_paths
from argmap.query import NamedQuery, named_queries, run_query, with_prefixes
from argmap.site.console import ConsoleUnavailable, find_node_modules, write_console

ROOT = Path(__file__).resolve().parents[1]
DATA = [str(ROOT / "data" / "claims.ttl"), str(ROOT / "data" / "evidence.ttl")]


@pytest.fixture(scope="module")
def store():
    return load_paths(DATA).store


@pytest.fixture
def console(web, built_site):
    """The `web` browsing session, once the site is known to hold the console; records every request too."""
    if not (built_site / "query" / "index.html").is_file():
        reason = "the site was built without the query console: its npm packages are missing (run `npm ci`)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must install them")
        pytest.skip(reason)
    web.requests = []
    web.dialogs = []
    web.context.on("request", lambda request: web.requests.append(request.url))
    return web


def open_console(browsing, path: str = "query/"):
    page = browsing.open(path)
    page.on("dialog", lambda dialog: (browsing.dialogs.append(dialog.message), dialog.dismiss()))
    page.wait_for_selector("body[data-ready]", timeout=30_000)
    assert page.get_attribute("body", "data-ready") == "true", page.inner_text("#status")
    return page


def clean(browsing) -> bool:
    return browsing.foreign_requests == [] and browsing.console_errors == [] and browsing.page_errors == []


def result_table(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#results tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.textContent))"
    )


@pytest.mark.browser
def test_named_query_runs_in_the_browser_with_the_embedded_rows(console, store, site_server):
    named = {q.name: q for q in named_queries()}["views-and-responses"]
    expected = run_query(store, named.text)
    page = open_console(console)
    assert "triples" in page.inner_text("#status")
    page.select_option("#named-query", named.name)
    assert page.inner_text("#question") == named.question
    page.wait_for_selector("#results tbody tr")
    got = result_table(page)
    assert got == [[value or "" for value in row] for row in expected.values()]
    assert page.eval_on_selector_all("#results thead th", "ths => ths.map(t => t.textContent)") == expected.variables
    assert f"{len(got)} rows" in page.inner_text("#status")
    assert clean(console), (console.foreign_requests, console.console_errors, console.page_errors)
    origin = site_server.origin + "/"
    assert all(url.startswith(origin) for url in console.requests if not url.startswith(("data:", "blob:")))
    assert any(url.endswith("/query/vendor/oxigraph/web_bg.wasm") for url in console.requests)
    assert not any("/sparql" in url for url in console.requests)  # no endpoint: the query ran in the page
    assert page.evaluate("localStorage.length") == 0  # YASQE's persistence is off


@pytest.mark.browser
def test_every_named_query_gives_as_many_rows_as_embedded(console, store):
    page = open_console(console)
    for named in named_queries():
        expected = run_query(store, named.text)
        if expected.kind != "select":
            continue
        page.select_option("#named-query", named.name)
        page.wait_for_function("() => /rows? in \\d+ ms|failed/.test(document.getElementById('status').textContent)")
        status = page.inner_text("#status")
        assert status.startswith(f"{len(expected.rows)} row"), (named.name, status)
    assert clean(console)


@pytest.mark.browser
def test_run_button_shareable_link_and_iri_links(console, site_server):
    page = open_console(console)
    query = "SELECT ?view ?label WHERE { ?view a am:OpposingView ; rdfs:label ?label } ORDER BY ?label"
    page.goto(site_server.url + "query/#query=" + quote(query, safe=""))
    page.wait_for_selector("#results tbody tr")
    rows = result_table(page)
    assert len(rows) == 5 and rows == sorted(rows, key=lambda r: r[1])
    assert page.input_value("#named-query") == ""
    share = page.get_attribute("#share", "href")
    assert share.startswith("/query/#query=") and "OpposingView" in share
    # an IRI of the graph links to that node's page on this site, which exists
    link = page.get_attribute("#results tbody tr td a", "href")
    assert link.startswith("../view/") and link.endswith("/")
    page.click("#results tbody tr td a")
    page.wait_for_load_state()
    assert "/view/" in page.url and page.title()
    # a named query's link carries its name
    page = open_console(console, "query/#name=views-and-responses")
    page.wait_for_selector("#results tbody tr")
    assert page.input_value("#named-query") == "views-and-responses"
    page.click("#run")
    page.wait_for_selector("#results tbody tr")
    assert clean(console)


@pytest.mark.browser
def test_errors_updates_and_hostile_results_stay_text(console, site_server):
    page = open_console(console, "query/#query=" + quote("SELECT ?x WHERE { ?x a am:Claim ", safe=""))
    page.wait_for_selector("#status.error")
    assert "The query failed" in page.inner_text("#status")
    page.goto(site_server.url + "query/#query=" + quote("INSERT DATA { <urn:a> <urn:b> <urn:c> }", safe=""))
    page.wait_for_function("() => document.getElementById('status').textContent.includes('read-only')")
    assert page.get_attribute("#status", "role") == "alert"
    tricky = "PREFIX copy: <urn:x:> SELECT ?load WHERE { BIND(copy:add AS ?load) }"  # update words, not updates
    page.goto(site_server.url + "query/#query=" + quote(tricky, safe=""))
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('1 row')")
    assert result_table(page) == [["<urn:x:add>"]]
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    query = f'SELECT ?x WHERE {{ BIND("{hostile.replace(chr(34), chr(92) + chr(34))}" AS ?x) }}'
    page.goto(site_server.url + "query/#query=" + quote(query, safe=""))
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('1 row')")
    assert result_table(page) == [[hostile]]
    assert page.eval_on_selector_all("#results img, #results script", "els => els.length") == 0
    assert console.dialogs == []
    assert clean(console)


# ------------------------------------------------------------------------------------------------ no browser


def test_console_is_left_out_with_a_reason_when_npm_packages_are_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGMAP_NODE_MODULES", str(tmp_path / "node_modules"))
    with pytest.raises(ConsoleUnavailable, match=r"oxigraph is not installed .*run `npm ci`"):
        write_console(tmp_path / "site", named_queries())
    assert not (tmp_path / "site" / "query").exists()


def test_console_files_are_deterministic_and_escape_query_text(tmp_path):
    if find_node_modules() is None:
        pytest.skip("the console's npm packages are not installed (run `npm ci`)")
    hostile = NamedQuery(
        "hostile",
        "Does </script><script>alert(1)</script> stay text?",
        "# </script>\nSELECT ?x WHERE { ?x a am:Claim }",
        Path("hostile.rq"),
    )
    queries = [*named_queries(), hostile]
    first = write_console(tmp_path / "a", queries)
    second = write_console(tmp_path / "b", queries)
    assert first == second and "query/index.html" in first and "query/vendor/oxigraph/web_bg.wasm" in first
    for name in first:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    page = (tmp_path / "a" / "query" / "index.html").read_text(encoding="utf-8")
    assert page.count("</script>") == page.count("<script")  # only the page's own script elements close
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page
    loaded = re.findall(r'<script[^>]* src="([^"]*)"', page) + re.findall(r'<link[^>]* href="([^"]*)"', page)
    assert loaded and all(not url.startswith(("http:", "https:", "//")) for url in loaded), loaded


def test_named_queries_get_the_prefixes_they_use():
    text = with_prefixes(
        'PREFIX am: <https://w3id.org/argmap/vocab#>\nSELECT ?v WHERE { ?v a am:OpposingView ; rdfs:label "x:y" }',
        only_used=True,
    )
    assert text.splitlines()[0] == "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
    assert "PREFIX view:" not in text and text.count("PREFIX am:") == 1
