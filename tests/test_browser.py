"""The built site in real headless Chromium, served on 127.0.0.1: the map draws and stays still, a click
opens the panel, search focuses a node, filters work, permalink pages show their evidence, text pages work
without JavaScript and at phone width, nothing is requested from another origin, no console errors, and
hostile text stays text. The map's levels of detail, its address and the home page's preview:
tests/test_map_browser.py."""

from __future__ import annotations

import json
import re

import pytest

from argmap.model import curie
from argmap.site.words import figure_text, node_search_text, page_folders, search_text

pytestmark = pytest.mark.browser

READY = "#map[data-ready='true']"


def page_of(model, node) -> str:
    """The folder of a node's page below the site root, as the site build places it."""
    return page_folders(model)[node.iri]


def graph_of(site) -> dict:
    """The map's data: static/graph.js, with each node's texts from static/graph-details.js."""

    def read(name):
        text = (site / "static" / name).read_text(encoding="utf-8")
        return json.loads(text[text.index("=") + 1 :].strip().rstrip(";"))

    graph, details = read("graph.js"), read("graph-details.js")
    for node in graph["nodes"]:
        node.update(details[node["id"]])
    return graph


def open_map(browsing, path="map/"):
    """A page with the map drawn and the nodes' texts (loaded after the drawing) in."""
    page = browsing.open(path)
    page.wait_for_selector(READY, state="attached")
    page.wait_for_selector("#map[data-details='true']", state="attached")
    return page


def click_node(page, node_id: str) -> None:
    """Bring a node into view at a readable scale and click it where the canvas draws it."""
    page.evaluate(
        """id => {
        const net = window.argmap.network;
        const pos = net.getPositions([id])[id];
        net.moveTo({position: pos, scale: 1.0, animation: false});
    }""",
        node_id,
    )
    point = page.evaluate(
        """id => {
        const net = window.argmap.network;
        const dom = net.canvasToDOM(net.getPositions([id])[id]);
        const box = document.getElementById('map').getBoundingClientRect();
        return {x: box.left + dom.x, y: box.top + dom.y};
    }""",
        node_id,
    )
    page.mouse.click(point["x"], point["y"])


# ---------------------------------------------------------------------------------------- the map
def test_map_draws_a_first_view_and_its_lines(web, built_site, real_model):
    page = open_map(web)
    drawn = page.evaluate("window.argmap.network.body.nodeIndices")
    assert 0 < len(drawn) <= 60 < len(real_model.map_nodes())  # the rest is folded (test_map_browser.py)
    assert page.evaluate("window.argmap.nodes.length") == len(drawn)
    ends = page.evaluate("""() => window.argmap.network.body.edgeIndices.map(id => {
        const e = window.argmap.network.body.edges[id]; return [e.fromId, e.toId]; })""")
    assert ends and all(a in drawn and b in drawn for a, b in ends)
    edges = {(e["from"], e["to"]) for e in graph_of(built_site)["edges"]}
    between = {pair for pair in edges if pair[0] in drawn and pair[1] in drawn}
    assert between <= {tuple(pair) for pair in ends}  # every link between drawn nodes is drawn
    assert page.locator("#map canvas").count() == 1
    # the canvas really has something painted on it
    painted = page.evaluate("""() => {
        const c = document.querySelector('#map canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; }
        return n;
    }""")
    assert painted > 1000
    assert web.console_errors == [] and web.page_errors == []


def test_home_opens_on_the_thesis(web, real_model):
    page = web.open("")
    thesis = real_model.theses()[0]
    assert page.locator("h1").first.inner_text().strip() == thesis.label
    page.locator("#map-load").click()
    page.wait_for_selector(READY, state="attached")
    # the map opens on the top of the argument: the thesis is inside the canvas at a readable scale
    inside = page.evaluate(
        """id => {
        const net = window.argmap.network;
        const dom = net.canvasToDOM(net.getPositions([id])[id]);
        const c = document.getElementById('map');
        return dom.x > 0 && dom.y > 0 && dom.x < c.clientWidth && dom.y < c.clientHeight && net.getScale() >= 0.5;
    }""",
        curie(thesis.iri),
    )
    assert inside
    assert web.console_errors == [] and web.page_errors == [] and web.foreign_requests == []


def test_click_on_a_node_opens_its_panel(web, real_model):
    page = open_map(web)
    node = real_model.node("https://w3id.org/argmap/id/view/open-source-will-win") or real_model.of_kind("view")[0]
    click_node(page, curie(node.iri))
    panel = page.locator("#map-panel")
    panel.wait_for(state="visible")
    assert page.locator("#map-panel-title").inner_text() == node.label
    link = page.locator("#map-panel-link")
    assert link.get_attribute("href") == "../" + page_of(real_model, node)
    # the panel lists the responses (relations) and every one of them can be followed
    responses = real_model.responses(node.iri)
    panel_text = panel.inner_text()
    for response in responses:
        assert response.label in panel_text
    link.click()
    page.wait_for_url("**/" + page_of(real_model, node))
    assert page.locator("h1").inner_text() == node.label
    assert web.console_errors == [] and web.page_errors == []


def test_panel_shows_evidence_with_figures(web, real_model):
    page = open_map(web)
    target = next(n for n in real_model.map_nodes() if any(figure_text(e) for _, e in real_model.evidence_for(n.iri)))
    page.evaluate("id => window.argmap.select(id, false)", curie(target.iri))
    text = page.locator("#map-panel").inner_text()
    figures = [e for _, e in real_model.evidence_for(target.iri) if figure_text(e)]
    for evidence in figures:
        assert evidence.label in text
        assert figure_text(evidence) in text


def _unique_label_word(model):
    """A word of some label that no other map node mentions anywhere in its searchable text."""
    nodes = model.map_nodes()
    texts = {n.iri: set(node_search_text(n).split()) for n in nodes}
    for node in nodes:
        for word in search_text(node.label).split():
            if (
                len(word) >= 5
                and not word.isdigit()
                and all(word not in " ".join(t) for i, t in texts.items() if i != node.iri)
            ):
                return node, word
    raise AssertionError("no label word unique to one node")


def test_search_by_a_word_of_a_label_focuses_that_node(web, real_model):
    page = open_map(web)
    node, word = _unique_label_word(real_model)
    search = page.locator("#map-search")
    search.fill(word.upper())  # case does not matter
    results = page.locator("#map-search-results button.result")
    assert results.count() == 1
    assert node.label in results.first.inner_text()
    search.press("Enter")
    assert page.evaluate("window.argmap.network.getSelectedNodes()") == [curie(node.iri)]
    assert page.locator("#map-panel-title").inner_text() == node.label
    # focused: the view is centred on the node
    centred = page.evaluate(
        """id => {
        const net = window.argmap.network;
        const p = net.getPositions([id])[id], v = net.getViewPosition();
        return Math.abs(p.x - v.x) < 2 && Math.abs(p.y - v.y) < 2;
    }""",
        curie(node.iri),
    )
    assert centred


def test_search_matches_any_word_of_the_text_and_results_are_buttons(web, built_site, real_model):
    page = open_map(web)
    graph = graph_of(built_site)
    node, word = None, None
    for candidate in real_model.of_kind("claim"):  # a long word of a claim's text that few nodes share
        for w in sorted(search_text(candidate.text).split(), key=len, reverse=True)[:5]:
            if 1 <= sum(w in n["search"] for n in graph["nodes"]) <= 5:
                node, word = candidate, w
                break
        if node:
            break
    assert node is not None
    page.locator("#map-search").fill(word)
    button = page.locator(f"#map-search-results button[data-node='{curie(node.iri)}']")
    assert button.count() == 1
    button.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("window.argmap.network.getSelectedNodes()") == [curie(node.iri)]
    # keyboard users land in the panel
    assert page.evaluate("document.activeElement.id") == "map-panel"


def test_filters_by_kind_section_and_view(web, built_site, real_model):
    page = open_map(web)
    graph = graph_of(built_site)
    total = len(graph["nodes"])
    target = next(n for n in real_model.of_kind("response") if real_model.evidence_for(n.iri))
    page.evaluate("id => window.argmap.select(id, false)", curie(target.iri))
    kinds = {n["id"]: n["kind"] for n in graph["nodes"]}
    focused = page.evaluate("window.argmap.network.body.nodeIndices")
    evidence = [i for i in focused if kinds[i] == "evidence"]
    assert evidence
    page.locator("input.kind-filter[value='evidence']").uncheck()
    assert sorted(page.evaluate("window.argmap.network.body.nodeIndices")) == sorted(
        i for i in focused if kinds[i] != "evidence"
    )
    page.locator("input.kind-filter[value='evidence']").check()
    assert sorted(page.evaluate("window.argmap.network.body.nodeIndices")) == sorted(focused)

    page.locator("#map-overview").click()
    view = graph["views"][1]
    page.locator("#map-view").select_option(view["id"])
    shown = page.evaluate("window.argmap.network.body.nodeIndices")
    statements = {n["id"] for n in graph["nodes"] if view["id"] in n["views"]} - {
        i for i, k in kinds.items() if k in ("evidence", "source", "inference")
    }
    assert statements <= set(shown)
    responses = {
        curie(r.iri)
        for r in real_model.responses(real_model.node(next(i for i in real_model.nodes if curie(i) == view["id"])).iri)
    }
    assert responses and responses <= set(shown)
    assert curie(real_model.theses()[0].iri) in shown

    page.locator("#map-overview").click()
    section = graph["sections"][0]
    page.locator("#map-section").select_option(section["id"])
    shown = page.evaluate("window.argmap.network.body.nodeIndices")
    in_section = {n["id"] for n in graph["nodes"] if section["id"] in n["sections"]} - {
        i for i, k in kinds.items() if k in ("evidence", "source", "inference")
    }
    assert in_section <= set(shown)
    assert page.locator("#map-status").inner_text().startswith(f"{len(shown)} of {total}")


def test_controls_are_reachable_by_keyboard(web):
    page = open_map(web)
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if "map-search" in reached and "map-section" in reached and "map-view" in reached:
            break
    assert {"map-search", "map-section", "map-view"} <= set(reached)
    # the skip link comes first
    page.goto(page.url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"


# ---------------------------------------------------------------------------------------- text pages
def test_permalink_page_shows_its_evidence(web, real_model):
    node = real_model.node("https://w3id.org/argmap/id/response/popular-open-models-privately-pretrained")
    if node is None:
        node = next(n for n in real_model.map_nodes() if real_model.evidence_for(n.iri))
    page = web.open(page_of(real_model, node))
    assert page.locator("h1").inner_text() == node.label
    cards = page.locator("section.evidence .evidence-card")
    evidence = real_model.evidence_for(node.iri)
    assert cards.count() == len(evidence) > 0
    text = page.locator("section.evidence").inner_text()
    for _, e in evidence:
        assert e.label in text
        if figure_text(e):
            assert figure_text(e) in text
        if e.as_of:
            assert e.as_of in text
    ld = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert ld["@id"] == curie(node.iri)
    assert web.console_errors == [] and web.foreign_requests == []


def test_every_site_page_loads_without_errors_or_foreign_requests(web, real_model):
    paths = ["", "map/", "outline/", "views/", "evidence/", "sources/", "data/"]
    paths += [
        page_of(real_model, n)
        for n in (
            real_model.theses()
            + real_model.of_kind("view")[:2]
            + real_model.of_kind("evidence")[:3]
            + real_model.of_kind("source")[:2]
            + real_model.of_kind("table")
        )
    ]
    for path in paths:
        page = web.open(path)
        if path == "map/":
            page.wait_for_selector(READY, state="attached")
        page.close()
    assert web.console_errors == []
    assert web.page_errors == []
    assert web.foreign_requests == []


def test_evidence_table_sorts_and_reads_without_js(web, make_browsing, site_server, real_model):
    page = web.open("evidence/")
    rows = page.locator("#evidence-table tbody tr")
    assert rows.count() == len(real_model.of_kind("evidence"))

    def column(index):
        return page.evaluate(f"""() => Array.from(document.querySelectorAll('#evidence-table tbody tr'))
            .map(r => (r.children[{index}].getAttribute('data-value') || '').trim())""")

    page.locator("th button.sort", has_text="Source").click()
    values = [v for v in column(4) if v]
    assert values == sorted(values, key=lambda v: v.casefold()) or values == sorted(values, key=str.lower)
    assert page.locator("th[aria-sort='ascending']").inner_text().startswith("Source")
    page.locator("th button.sort", has_text="Source").click()
    assert page.locator("th[aria-sort='descending']").inner_text().startswith("Source")
    page.locator("th button.sort", has_text="Kind").click()
    kinds = column(1)
    assert kinds == sorted(kinds)
    page.locator("th button.sort", has_text="As of").click()
    dates = [v for v in column(3) if v]
    assert dates == sorted(dates)
    assert column(3)[: len(dates)] == dates  # undated rows last
    page.locator("th button.sort", has_text="As of").click()
    assert [v for v in column(3) if v] == sorted(dates, reverse=True)

    nojs = make_browsing(site_server, java_script_enabled=False)
    page = nojs.open("evidence/")
    assert page.locator("#evidence-table tbody tr").count() == len(real_model.of_kind("evidence"))
    assert page.locator("th button.sort").count() == 0


def test_text_pages_work_without_javascript(make_browsing, site_server, real_model):
    browsing = make_browsing(site_server, java_script_enabled=False, viewport={"width": 1200, "height": 900})
    page = browsing.open("")
    assert real_model.theses()[0].label in page.locator("h1").inner_text()
    assert page.locator(".map-preview-svg.wide").is_visible()  # the map's first view, drawn without a script
    assert "outline" in page.locator(".map-teaser").inner_text().lower()
    page = browsing.open("outline/")
    items = page.locator(".outline-item")
    assert items.count() > 50
    page = browsing.open("views/")
    for view in real_model.of_kind("view"):
        assert page.get_by_role("heading", name=view.label).count() == 1


@pytest.mark.parametrize(
    "path", ["", "outline/", "views/", "evidence/", "sources/", "response/popular-open-models-privately-pretrained/"]
)
def test_readable_at_phone_width(make_browsing, site_server, path):
    browsing = make_browsing(site_server, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = browsing.open(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path or 'home'} scrolls sideways by {overflow}px at 375px"
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p, main li')).fontSize)")
    assert size >= 14
    assert browsing.console_errors == [] and browsing.page_errors == []


# ---------------------------------------------------------------------------------------- hostile text
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    "</script><script>window.__pwned=3</script>",
    "<marquee>is fine</marquee>",
]


def _assert_inert(page):
    assert page.evaluate("typeof window.__pwned") == "undefined"
    injected = page.evaluate("""() => ({
        scripts: Array.from(document.scripts).filter(s => !s.src && s.type !== 'application/ld+json').length,
        imgs: document.querySelectorAll('img').length,
        marquee: document.querySelectorAll('marquee, b, i, u, em').length,
        js: document.querySelectorAll('a[href^="javascript:" i], [onerror], [onclick]').length,
    })""")
    assert injected == {"scripts": 0, "imgs": 0, "marquee": 0, "js": 0}


def test_hostile_text_renders_as_text_everywhere(hostile_web, hostile_model):
    claim = hostile_model.node("https://w3id.org/argmap/id/claim/script-label")
    pages = [
        "",
        "map/",
        "outline/",
        "views/",
        "evidence/",
        "sources/",
        "data/",
        page_of(hostile_model, claim),
        "evidence/hostile-quote/",
        "org/hostile-lab/",
        "table/comparison/",
        "source/hostile-source/",
        "view/market-is-fine/",
        "evidence/check-zebra-variant/",
    ]
    for path in pages:
        page = hostile_web.open(path)
        if path == "map/":
            page.wait_for_selector(READY, state="attached")
        _assert_inert(page)
        page.close()
    page = hostile_web.open(page_of(hostile_model, claim))
    body = page.locator("main").inner_text()
    assert claim.label in body  # the label, tags and quotes included, is shown as the text it is
    assert "</script><script>window.__pwned=3</script>" in body
    assert page.title().startswith(claim.label)
    page = hostile_web.open("evidence/hostile-quote/")
    assert (
        'They said "weights are inert" </script><script>window.__pwned=7</script>' in page.locator("main").inner_text()
    )
    page = hostile_web.open("org/hostile-lab/")
    assert "javascript:window.__pwned=5" in page.locator("main").inner_text()
    assert page.locator("a", has_text="javascript:").count() == 0
    assert hostile_web.console_errors == [] and hostile_web.page_errors == [] and hostile_web.foreign_requests == []


def test_hostile_text_stays_text_in_map_panel_search_and_tooltip(hostile_web, hostile_model):
    claim = hostile_model.node("https://w3id.org/argmap/id/claim/script-label")
    page = open_map(hostile_web)
    page.locator("#map-search").fill("pwned")
    results = page.locator("#map-search-results button.result")
    assert results.count() >= 2
    assert "<script>" in page.locator("#map-search-results").inner_text()
    page.evaluate("id => window.argmap.select(id, false)", curie(claim.iri))
    assert page.locator("#map-panel-title").inner_text() == claim.label
    assert claim.text in page.locator("#map-panel").inner_text()
    _assert_inert(page)
    # hovering shows the tooltip: plain text, no markup
    page.evaluate("window.argmap.network.unselectAll()")
    point = page.evaluate(
        """id => {
        const net = window.argmap.network;
        net.moveTo({position: net.getPositions([id])[id], scale: 1.2, animation: false});
        const dom = net.canvasToDOM(net.getPositions([id])[id]);
        const box = document.getElementById('map').getBoundingClientRect();
        return {x: box.left + dom.x, y: box.top + dom.y};
    }""",
        curie(claim.iri),
    )
    page.mouse.move(point["x"] - 3, point["y"] - 3)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    assert "<script>window.__pwned=1</script>" in tooltip.inner_text()
    # vis-network sets the tooltip with innerText: line breaks become <br>, nothing else is an element
    tags = page.evaluate("Array.from(document.querySelectorAll('div.vis-tooltip *')).map(e => e.tagName)")
    assert tags and set(tags) == {"BR"}
    _assert_inert(page)
    assert hostile_web.console_errors == [] and hostile_web.page_errors == []


def test_no_request_leaves_the_origin_even_from_the_query_console(web, built_site):
    if not (built_site / "query" / "index.html").is_file():
        pytest.skip("this build has no query console (its npm packages are not installed)")
    page = web.open("query/")
    page.wait_for_timeout(1500)
    assert web.foreign_requests == []
    assert re.search(r"query/?$", page.url)
