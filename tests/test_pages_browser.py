"""The reader's pages (issue 13): the debate tree, status badges against `argmap analyse`, the evidence-health
page, search from every page, the 404 page, meta descriptions, the evidence table on a phone, print and dark
mode, and axe-core's verdict — in real headless Chromium over the real built site where a browser is needed."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT, StaticServer

from argmap.cli import main
from argmap.load import load_paths
from argmap.model import build_model, curie
from argmap.site.tree import debate_tree
from argmap.site.words import page_folders, search_text

browser = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CYCLES = ROOT / "tests" / "fixtures" / "tree" / "cycles.ttl"


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith("query/"))


class _Tags(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(path: Path) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


# ------------------------------------------------------------------------------------ the tree, without a browser
def test_tree_over_cycles_ends_and_writes_every_node_once():
    model = build_model(load_paths([str(CYCLES)]).store)
    (tree,) = debate_tree(model)
    written, refs = [], []
    stack = [tree]
    while stack:
        position = stack.pop()
        (refs if position.ref else written).append(position)
        stack.extend(position.children)
    names = sorted(p.node.label for p in written)
    assert names == sorted(n.label for n in model.nodes.values())  # every node once, the cycle members too
    assert len(names) == len(set(names))
    # the support cycle a -> b -> a and the mutual attack x <-> y end in a reference back up the path
    b = next(p for p in written if p.node.label == "B")
    back = next(c for c in b.children if c.node.label == "A")
    assert back.ref and back.ref_above and back.ref_home
    # the response is written out under the view it attacks, and only referred to under the thesis it supports
    view = next(p for p in tree.case_against if p.node.label == "The view")
    assert [c.node.label for c in view.case_against if not c.ref] == ["The response"]
    assert any(c.ref and c.node.label == "The response" for c in tree.case_for)
    assert tree.beneath == len(written) - 1 + len(refs)


def test_every_page_has_a_meta_description(built_site, real_model):
    folders = page_folders(real_model)
    seen = 0
    console = [built_site / "query" / "index.html"] if (built_site / "query" / "index.html").is_file() else []
    for page in html_pages(built_site) + console:
        found = [a.get("content", "") for t, a in tags(page) if t == "meta" and a.get("name") == "description"]
        assert len(found) == 1 and len(found[0]) > 30, page
        seen += 1
    assert seen >= len(folders) + 9
    thesis = real_model.theses()[0]
    page = built_site / folders[thesis.iri] / "index.html"
    (description,) = [a["content"] for t, a in tags(page) if t == "meta" and a.get("name") == "description"]
    assert description.startswith(f"Thesis: {thesis.label}.")


def _analyse_json(as_of: str) -> dict:
    result = CliRunner().invoke(
        main, ["analyse", "--format", "json", "--as-of", as_of, *sum((["-d", str(p)] for p in DATA), [])]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["status"]


def test_status_badges_match_argmap_analyse(built_site, real_model):
    """Every badge on the tree, the health page and every node page says what `argmap analyse` says, run on
    the same data with the date the site states on its health page."""
    health = (built_site / "health" / "index.html").read_text(encoding="utf-8")
    as_of = re.search(r"months before (\d{4}-\d{2}-\d{2})", health).group(1)
    expected = _analyse_json(as_of)
    by_curie = {curie(iri): iri for iri in expected}
    checked = 0
    folders = page_folders(real_model)
    pages = [built_site / "tree" / "index.html", built_site / "health" / "index.html"]
    pages += [built_site / folder / "index.html" for iri, folder in folders.items() if iri in expected]
    for page in pages:
        found = [a for t, a in tags(page) if t == "span" and "data-status" in a]
        if page.parent.parent.parent == built_site:  # a node page: its own badge comes first
            iri = next(i for i, f in folders.items() if built_site / f / "index.html" == page)
            assert found, f"{page}: no status badge"
            assert found[0]["data-status"] == expected[iri]["value"], page
            assert found[0]["data-flags"].split() == expected[iri]["flags"], page
            checked += 1
    tree = built_site / "tree" / "index.html"
    parser = _Tags()
    parser.feed(tree.read_text(encoding="utf-8"))
    current = None
    for tag, attrs in parser.tags:
        if tag == "details" and "pos" in attrs.get("class", ""):
            current = by_curie[attrs["id"]]
        elif tag == "span" and "data-status" in attrs and current is not None:
            assert attrs["data-status"] == expected[current]["value"], current
            assert attrs["data-flags"].split() == expected[current]["flags"], current
            current = None
            checked += 1
    assert checked > 400
    # the health page lists exactly the statements analyse flags paper-only
    section = health[health.index('<section id="paper-only"') : health.index('<section id="single-source"')]
    iri_of = {folder: iri for iri, folder in folders.items()}
    listed = {iri_of[m + "/"] for m in re.findall(r'<li><span class="badge[^"]*">.*?<a href="\.\./([^"]+)/"', section)}
    paper_only = {iri for iri, s in expected.items() if "paper-only" in s["flags"]}
    assert listed == paper_only and paper_only


# ------------------------------------------------------------------------------------ in the browser
@browser
def test_tree_expands_collapses_and_its_urls_open_the_right_node(web, make_browsing, site_server, real_model):
    page = web.open("tree/")
    thesis = real_model.theses()[0]
    root = page.locator(f"details[id='{curie(thesis.iri)}']")
    assert root.get_attribute("open") is not None
    view = real_model.of_kind("view")[0]
    entry = page.locator(f"details[id='{curie(view.iri)}']")
    assert entry.get_attribute("open") is None
    responses = real_model.responses(view.iri)
    first = page.locator(f"details[id='{curie(responses[0].iri)}'] > summary")
    assert not first.is_visible()
    entry.locator("> summary").click()
    assert entry.get_attribute("open") is not None
    assert first.is_visible()
    # opening an entry puts its position in the address
    assert page.url.endswith("#" + curie(view.iri))
    # case for and case against side by side at desktop width
    sides = root.locator("> .pos-body > .sides > .side")
    boxes = [sides.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[1]["x"] > boxes[0]["x"] + 100
    entry.locator("> summary").click()
    assert entry.get_attribute("open") is None and not first.is_visible()

    # a position's URL opens every entry around it, scrolls to it, and its breadcrumb leads back to the thesis
    target = responses[-1]
    page = web.open(f"tree/#{curie(target.iri)}")
    details = page.locator(f"details[id='{curie(target.iri)}']")
    assert details.get_attribute("open") is not None
    assert details.locator("> summary .pos-label").inner_text() == target.label
    assert page.evaluate(
        """id => { const r = document.getElementById(id).getBoundingClientRect();
                   return r.top >= -1 && r.top < innerHeight; }""",
        curie(target.iri),
    )
    crumbs = details.locator("> .pos-body .crumbs a")
    assert crumbs.first.inner_text() == thesis.label
    crumbs.first.click()
    assert page.url.endswith("#" + curie(thesis.iri))
    # a reference jumps to the position the node is written out at
    ref = page.locator(".pos-ref a.see >> visible=true").first
    href = ref.get_attribute("href")
    ref.click()
    assert page.locator(f"details[id='{href[1:]}']").get_attribute("open") is not None
    assert web.console_errors == [] and web.page_errors == [] and web.foreign_requests == []

    # without JavaScript: details still open and close; on a phone the two sides stack
    nojs = make_browsing(site_server, java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = nojs.open("tree/")
    entry = page.locator(f"details[id='{curie(view.iri)}']")
    entry.locator("> summary").click()
    assert entry.get_attribute("open") is not None
    sides = entry.locator("> .pos-body > .sides > .side")
    boxes = [sides.nth(i).bounding_box() for i in range(2)]
    assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1


@browser
def test_node_page_shows_status_map_and_tree_links_and_retraction(web, real_model):
    response = real_model.of_kind("response")[0]
    page = web.open(page_folders(real_model)[response.iri])
    badge = page.locator(".node-status .status")
    assert badge.get_attribute("data-status") in ("accepted", "rejected", "undecided")
    assert page.locator(".node-status .sbadge").first.inner_text() in ("Accepted", "Rejected", "Undecided")
    assert (
        page.locator("a", has_text="Show on the map").get_attribute("href") == f"../../map/#node={curie(response.iri)}"
    )
    page.locator("a", has_text="Find it in the debate tree").click()
    page.wait_for_url(f"**/tree/#{curie(response.iri)}")
    assert page.locator(f"details[id='{curie(response.iri)}']").get_attribute("open") is not None
    evidence = next(e for _, e in real_model.evidence_for(response.iri))
    page = web.open(page_folders(real_model)[evidence.iri])
    assert page.get_by_role("heading", name="If this were retracted").count() == 1
    assert web.console_errors == [] and web.page_errors == []


def _search(page, text: str):
    page.locator("#site-search").fill(text)
    page.locator("#site-search-results li").first.wait_for()


@browser
def test_search_from_every_page_finds_and_ranks_by_relevance(web, built_site, real_model):
    folders = page_folders(real_model)
    # a word that is in one node's label and in the text (not the label) of several others
    word, best = None, None
    for node in real_model.map_nodes():
        for w in sorted(set(search_text(node.label).split()), key=len, reverse=True):
            if len(w) < 6:
                continue
            in_labels = [n for n in real_model.nodes.values() if w in search_text(n.label).split()]
            in_texts = [
                n for n in real_model.nodes.values() if w in search_text(n.text, n.quote).split() and n not in in_labels
            ]
            if (
                len(in_labels) == 1
                and len(in_texts) >= 2
                and sorted(in_texts, key=lambda n: n.label)[0].label < node.label
            ):
                word, best = w, node
                break
        if word:
            break
    assert word, "the data has no word to test the ranking with"
    for path in ("tree/", "evidence/", folders[real_model.theses()[0].iri]):
        page = web.open(path)
        _search(page, word)
        results = page.locator("#site-search-results li a")
        assert results.count() >= 3
        assert results.first.inner_text().endswith(best.label)
        # the results sit below the header: they cover neither the search box nor the navigation
        header = page.locator(".site-header").bounding_box()
        box = page.locator("#site-search-results-box").bounding_box()
        assert box["y"] >= header["y"] + header["height"] - 1
        page.locator("#site-search").press("Escape")
        assert page.locator("#site-search-results-box").is_hidden()
        _search(page, word)
        page.locator("#site-search").press("Enter")
        page.wait_for_url("**/" + folders[best.iri])
        assert page.locator("h1").inner_text() == best.label
        assert page.locator("#site-search-results-box").is_hidden()
    page = web.open("")
    page.locator("#site-search").fill("zzzqqqxxnotaword")
    page.locator("#site-search-count", has_text="No page matches").wait_for()
    assert web.console_errors == [] and web.page_errors == [] and web.foreign_requests == []


class _NotFoundHandler(http.server.SimpleHTTPRequestHandler):
    """A static host that answers a missing file with the site's 404.html, as GitHub Pages does."""

    prefix = "/deep/site/"
    site: Path

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (self.site / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@browser
def test_404_page_is_served_and_leads_home_from_any_depth_and_subpath(make_browsing, built_site, tmp_path):
    from playwright.sync_api import expect

    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "site").symlink_to(built_site, target_is_directory=True)
    handler = type("H", (_NotFoundHandler,), {"site": built_site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        static = StaticServer(f"http://127.0.0.1:{server.server_address[1]}/", tmp_path, server)
        browsing = make_browsing(static)
        for missing in ("deep/site/no-such-page", "deep/site/claim/no/such/thing/"):
            page = browsing.context.new_page()
            answer = page.goto(static.url + missing)
            assert answer.status == 404
            assert page.locator("h1").inner_text() == "There is no page here"
            home = page.locator("a[data-path='']")
            expect(home).to_have_attribute("href", "/deep/site/")  # found by the page's script
            home.click()
            page.wait_for_url(static.url + "deep/site/")
            assert page.locator("h1").count() == 1 and "There is no page" not in page.locator("h1").inner_text()
            page.close()
        assert browsing.console_errors == [] and browsing.page_errors == [] and browsing.foreign_requests == []
    finally:
        server.shutdown()
        server.server_close()


@browser
def test_evidence_page_on_a_phone_is_cards_not_a_wide_table(make_browsing, site_server, real_model):
    desktop = make_browsing(site_server, viewport={"width": 1366, "height": 900}).open("evidence/")
    phone_browsing = make_browsing(site_server, viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    phone = phone_browsing.open("evidence/")
    tall = "document.documentElement.scrollHeight"
    assert phone.evaluate(tall) <= 3 * desktop.evaluate(tall), (phone.evaluate(tall), desktop.evaluate(tall))
    assert phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    row = phone.locator("#evidence-table tbody tr").first
    assert phone.evaluate("r => getComputedStyle(r).display", row.element_handle()) == "block"
    # no word broken letter by letter: the body no longer wraps anywhere
    assert phone.evaluate("getComputedStyle(document.body).overflowWrap") != "anywhere"
    assert phone_browsing.console_errors == []


@browser
def test_print_opens_the_tree_and_shows_link_targets_and_dark_mode_follows_the_system(make_browsing, site_server):
    browsing = make_browsing(site_server, viewport={"width": 1000, "height": 800})
    page = browsing.open("tree/")
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("Array.from(document.querySelectorAll('details.pos')).every(d => d.open)")
    after = page.evaluate(
        "getComputedStyle(document.querySelector('.pos-links a, main a[href]:not([href^=\"#\"])'), '::after').content"
    )
    assert "../" in after or "http" in after
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert not page.evaluate("Array.from(document.querySelectorAll('details.pos')).every(d => d.open)")
    dark = make_browsing(site_server, color_scheme="dark").open("tree/")
    light = make_browsing(site_server, color_scheme="light").open("tree/")
    luminance = """(() => {
        const m = getComputedStyle(document.documentElement).backgroundColor.match(/\\d+/g).map(Number);
        return m[0] + m[1] + m[2]; })()"""
    assert dark.evaluate(luminance) < 150 < light.evaluate(luminance)


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.0 and 2.1 A and AA rules (the best-practice rules add time and only moderate findings)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    page.evaluate("window.WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']")
    return page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: WCAG}})
            .then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))"""
    )


@browser
def test_axe_finds_no_serious_or_critical_violation(web, make_browsing, site_server, built_site, real_model):
    if not AXE.is_file():
        pytest.fail("axe-core is not installed: run `npm ci` (it is pinned in package.json)")
    folders = page_folders(real_model)
    # the pages the issue names (the outline, views, health, sources and data pages were checked the same way
    # by hand; each axe run over a large page costs seconds)
    paths = ["", "map/", "tree/", "evidence/", folders[real_model.of_kind("response")[0].iri]]
    if (built_site / "query" / "index.html").is_file():
        paths.append("query/")
    found = {}
    for path in paths:
        page = web.open(path)
        if path == "query/":
            page.wait_for_selector(".CodeMirror")
        if path == "map/":
            page.wait_for_selector("#map[data-ready='true']")
        violations = run_axe(page)
        found[path or "home"] = [v for v in violations if v["impact"] in ("serious", "critical")]
        page.close()
    # dark mode has colours of its own: the tree uses most of them
    dark = make_browsing(site_server, color_scheme="dark", viewport={"width": 1366, "height": 900})
    found["tree/ (dark)"] = [v for v in run_axe(dark.open("tree/")) if v["impact"] in ("serious", "critical")]
    assert {p: v for p, v in found.items() if v} == {}
