"""The map's levels of detail in real headless Chromium: the first view draws the argument's skeleton with
readable labels and nothing jumps, a focus draws a node's neighbourhood and dims the rest, an opened cluster
shows its evidence, the state lives in the address, the wheel over the home page scrolls the page, and the
home page's static preview needs no script and stays text with hostile labels."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from argmap.analyse import compact_layout, layered_layout, map_levels
from argmap.model import curie

pytestmark = pytest.mark.browser

READY = "#map[data-ready='true']"
#: What the brief calls the argument's skeleton: the kinds the first view draws beside the thesis and conclusions.
SKELETON_KINDS = {"challenge", "principle", "view", "response"}


def skeleton(model) -> set[str]:
    return {curie(n.iri) for n in model.map_nodes() if n.kind in SKELETON_KINDS or n.is_thesis or n.is_conclusion}


def drawn(page) -> list[str]:
    return sorted(page.evaluate("window.argmap.network.body.nodeIndices"))


def until(page, expression: str, tries: int = 200) -> None:
    """Wait until a JavaScript expression is true in the page (the site's CSP forbids wait_for_function's eval)."""
    for _ in range(tries):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(25)
    raise AssertionError(f"never true: {expression}")


def settle(page) -> None:
    """Wait for a (smooth) scroll to end: the same scroll position twice in a row."""
    last = None
    for _ in range(100):
        now = page.evaluate("window.scrollY")
        if now == last:
            return
        last = now
        page.wait_for_timeout(50)


def svg_texts(svg) -> list[str]:
    """The text of each <text> of an SVG (its tspans joined)."""
    return svg.evaluate("svg => Array.from(svg.querySelectorAll('text')).map(t => t.textContent)")


def open_map(browsing, path="map/"):
    page = browsing.open(path)
    page.wait_for_selector(READY, state="attached")
    page.wait_for_selector("#map[data-details='true']", state="attached")
    return page


def labels_on_screen(page) -> dict[str, dict]:
    """For every drawn node: its label's size on screen (px), whether vis-network draws the label, its opacity."""
    return page.evaluate("""() => {
        const net = window.argmap.network, scale = net.getScale(), out = {};
        for (const id of net.body.nodeIndices) {
            const node = net.body.nodes[id];
            out[id] = {px: node.labelModule.fontOptions.size * scale, drawn: node.labelModule.visible(),
                       opacity: node.options.opacity === undefined ? 1 : node.options.opacity};
        }
        return out;
    }""")


def neighbours(model, iri: str) -> set[str]:
    """What the focus on `iri` must draw: the node, every map node it links to or from, and the sources of the
    evidence bearing on it."""
    on_map = {n.iri for n in model.map_nodes()}
    found = {iri}
    for edge in model.outgoing(iri):
        if edge.target in on_map:
            found.add(edge.target)
    for edge in model.incoming(iri):
        if edge.source in on_map:
            found.add(edge.source)
            if model.nodes[edge.source].kind == "evidence":
                found |= {e.target for e in model.outgoing(edge.source, "cites") if e.target in on_map}
    return {curie(i) for i in found}


# ------------------------------------------------------------------------------------------ the first view
@pytest.mark.parametrize("size", [(1366, 900), (375, 800)], ids=["desktop", "phone"])
def test_first_view_is_the_skeleton_with_readable_labels_and_no_jump(make_browsing, site_server, real_model, size):
    width, height = size
    browsing = make_browsing(
        site_server, viewport={"width": width, "height": height}, is_mobile=width < 500, has_touch=width < 500
    )
    page = browsing.open("map/")
    page.evaluate("""() => { window.__shift = 0; new PerformanceObserver(list => {
        for (const e of list.getEntries()) { if (!e.hadRecentInput) window.__shift += e.value; } })
        .observe({type: 'layout-shift', buffered: true}); }""")
    page.wait_for_selector(READY, state="attached")
    ids = drawn(page)
    assert 0 < len(ids) <= 60
    assert set(ids) == skeleton(real_model)  # thesis, conclusion, challenges, principles, views, responses
    kinds = {real_model.node(i).kind for i in real_model.nodes if curie(i) in ids}
    assert not kinds & {"evidence", "source", "inference"}
    labels = labels_on_screen(page)
    small = {i: v for i, v in labels.items() if v["px"] < 10 or not v["drawn"]}
    assert small == {}, f"labels under 10 px or not drawn in the first view: {small}"
    # the thesis is on screen, and the map's box starts above the fold
    thesis = curie(real_model.theses()[0].iri)
    inside = page.evaluate(
        """id => { const net = window.argmap.network, c = document.getElementById('map');
        const p = net.canvasToDOM(net.getPositions([id])[id]);
        return p.x > 0 && p.y > 0 && p.x < c.clientWidth && p.y < c.clientHeight; }""",
        thesis,
    )
    assert inside
    top = page.evaluate("document.getElementById('map').getBoundingClientRect().top")
    assert top < height * 0.5
    # evidence and sources are folded into counts on the drawn nodes
    status = page.locator("#map-status").inner_text()
    assert status.startswith(f"{len(ids)} of {len(real_model.map_nodes())} nodes drawn")
    assert "evidence" in page.evaluate(f"window.argmap.nodes.get({thesis!r}).label")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__shift") < 0.01
    assert browsing.console_errors == [] and browsing.page_errors == [] and browsing.foreign_requests == []


def test_first_view_positions_follow_the_build_time_layout(web, real_model):
    """The browser reflows the drawn set by the rule of argmap.analyse.compact_layout, from the layers and
    order the build computed: the same positions, and still (no physics)."""
    page = open_map(web)
    per_row = page.evaluate("window.argmap.perRow()")
    layout = layered_layout(real_model)
    levels = map_levels(real_model, layout)
    expected = compact_layout(layout, levels.first_view, per_row=per_row)
    ids = [curie(i) for i in expected]
    first = page.evaluate("ids => window.argmap.network.getPositions(ids)", ids)
    for iri, (x, y) in expected.items():
        got = first[curie(iri)]
        assert (round(got["x"]), round(got["y"])) == (x, y), iri
    page.wait_for_timeout(500)
    assert page.evaluate("ids => window.argmap.network.getPositions(ids)", ids) == first
    assert page.evaluate("window.argmap.network.physics.options.enabled") is False


# ------------------------------------------------------------------------------------------ focus and clusters
def test_focus_draws_the_neighbourhood_and_dims_the_rest(web, real_model):
    page = open_map(web)
    node = real_model.node("https://w3id.org/argmap/id/response/popular-open-models-privately-pretrained")
    assert node is not None and real_model.evidence_for(node.iri)
    before = set(drawn(page))
    page.evaluate("id => window.argmap.select(id, false)", curie(node.iri))
    now = set(drawn(page))
    hood = neighbours(real_model, node.iri)
    assert hood <= now
    assert any(real_model.node(i).kind == "evidence" for i in real_model.nodes if curie(i) in now - before)
    labels = labels_on_screen(page)
    assert all(labels[i]["opacity"] == 1 for i in hood)
    rest = now - hood - {curie(a) for a in _ancestors(real_model, node.iri)}
    assert rest and all(labels[i]["opacity"] < 0.5 for i in rest)
    assert labels[curie(node.iri)]["px"] >= 10 and labels[curie(node.iri)]["drawn"]
    assert page.locator("#map-panel-title").inner_text() == node.label
    assert "node=" + curie(node.iri) in unquote(page.url)
    # Escape in the map goes back to the skeleton
    page.locator("#map .vis-network").focus()
    page.keyboard.press("Escape")
    assert set(drawn(page)) == before
    assert page.locator("#map-panel").is_hidden()
    assert web.console_errors == [] and web.page_errors == [] and web.foreign_requests == []


def _ancestors(model, iri):
    layout = layered_layout(model)
    parents = map_levels(model, layout).parents
    found = []
    parent = parents[iri]
    while parent:
        found.append(parent)
        parent = parents[parent]
    return found


def test_opening_a_cluster_shows_its_evidence_until_folded_again(web, real_model):
    page = open_map(web)
    response = real_model.node("https://w3id.org/argmap/id/response/popular-open-models-privately-pretrained")
    evidence = {curie(e.iri) for _, e in real_model.evidence_for(response.iri)}
    assert evidence and not evidence & set(drawn(page))
    page.evaluate("id => window.argmap.select(id, false)", curie(response.iri))
    toggle = page.locator("#map-open-cluster")
    assert toggle.inner_text() == "Show them on the map"
    toggle.click()
    page.locator("#map-panel-close").click()  # the focus goes; the opened cluster stays
    assert page.locator("#map-panel").is_hidden()
    shown = set(drawn(page))
    folded_here = {
        curie(i) for i, p in map_levels(real_model, layered_layout(real_model)).parents.items() if p == response.iri
    }
    assert folded_here and folded_here <= shown
    assert evidence & shown
    labels = labels_on_screen(page)
    assert all(labels[i]["opacity"] == 1 for i in shown)  # no focus: nothing dimmed
    assert "open=" + curie(response.iri) in unquote(page.url)
    page.evaluate("id => window.argmap.select(id, false)", curie(response.iri))
    page.locator("#map-open-cluster", has_text="Fold them again").click()
    page.locator("#map-panel-close").click()
    assert not folded_here & set(drawn(page))
    assert web.console_errors == [] and web.page_errors == []


def test_a_view_filter_draws_its_sub_argument_under_the_thesis(web, real_model):
    page = open_map(web)
    view = real_model.of_kind("view")[1]
    page.locator("#map-view").select_option(curie(view.iri))
    shown = set(drawn(page))
    assert curie(real_model.theses()[0].iri) in shown  # the thesis stays (it used to vanish)
    assert {curie(view.iri)} | {curie(r.iri) for r in real_model.responses(view.iri)} <= shown
    assert len(shown) <= 60
    other = real_model.of_kind("view")[0]
    assert curie(other.iri) not in shown
    assert "view=" + curie(view.iri) in unquote(page.url)


# ------------------------------------------------------------------------------------------ the address
def test_url_state_round_trips_through_history_and_a_shared_link(web, real_model):
    page = open_map(web)
    skeleton_ids = drawn(page)
    view = real_model.of_kind("view")[0]
    response = real_model.responses(view.iri)[0]
    page.locator("#map-view").select_option(curie(view.iri))
    filtered = drawn(page)
    page.evaluate("id => window.argmap.select(id, false)", curie(response.iri))
    focused = drawn(page)
    url = page.url
    assert "view=" in url and "node=" in url
    page.go_back()
    until(page, "!location.hash.includes('node=')")
    assert drawn(page) == filtered and page.locator("#map-view").input_value() == curie(view.iri)
    assert page.locator("#map-panel").is_hidden()
    page.go_back()
    until(page, "!location.hash.includes('view=')")
    assert drawn(page) == skeleton_ids and page.locator("#map-view").input_value() == ""
    page.go_forward()
    page.go_forward()
    until(page, "location.hash.includes('node=')")
    assert drawn(page) == focused
    assert page.locator("#map-panel-title").inner_text() == response.label
    shared = web.open("map/" + url.split("/map/", 1)[1])
    shared.wait_for_selector(READY, state="attached")
    assert drawn(shared) == focused
    assert shared.evaluate("window.argmap.network.getSelectedNodes()") == [curie(response.iri)]
    assert web.console_errors == [] and web.page_errors == []


# ------------------------------------------------------------------------------------------ the home page
def test_home_shows_a_static_preview_and_loads_the_map_only_on_request(web, real_model):
    page = web.open("")
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in loaded if u.endswith(("vis-network.min.js", "graph.js", "graph-details.js", "map.js"))]
    preview = page.locator(".map-preview-svg.wide")
    assert preview.is_visible()
    texts = svg_texts(preview)
    for node in real_model.theses() + real_model.of_kind("view"):  # lines are wrapped: compare without spaces
        assert any("".join(node.label.split()[:3]) in t.replace(" ", "") for t in texts), node.label
    links = preview.locator("a").count()
    assert links >= 1 + len(real_model.of_kind("view"))
    page.locator("#map-load").click()
    page.wait_for_selector(READY, state="attached")
    assert page.locator("#map-widget").is_hidden()
    assert 0 < len(drawn(page)) <= 60
    assert web.console_errors == [] and web.page_errors == [] and web.foreign_requests == []


def test_wheel_over_the_home_page_scrolls_the_page_until_the_map_is_clicked(web):
    page = web.open("")
    page.locator("#map-widget").scroll_into_view_if_needed()
    box = page.locator(".map-preview").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
    y0 = page.evaluate("window.scrollY")
    page.mouse.wheel(0, 300)
    until(page, f"window.scrollY > {y0}")
    # the interactive map in place: the wheel over it still scrolls the page, and says how to zoom
    page.locator("#map-load").click()
    page.wait_for_selector(READY, state="attached")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(200, box["height"] / 2))
    scale = page.evaluate("window.argmap.network.getScale()")
    y0 = page.evaluate("window.scrollY")
    page.mouse.wheel(0, 200)
    until(page, f"window.scrollY > {y0}")
    assert page.evaluate("window.argmap.network.getScale()") == scale
    assert page.locator("#map-wheel-hint").is_visible()
    # after a click on the map, the wheel zooms it and the page stays put
    settle(page)
    page.locator("#map").scroll_into_view_if_needed()
    settle(page)
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 12)
    y1 = page.evaluate("window.scrollY")
    page.mouse.wheel(0, -200)
    until(page, f"window.argmap.network.getScale() !== {scale}")
    assert page.evaluate("window.scrollY") == y1
    assert web.console_errors == [] and web.page_errors == []


def test_hostile_labels_stay_text_in_the_preview_and_the_first_view(hostile_web, hostile_model):
    page = hostile_web.open("")
    view = hostile_model.node("https://w3id.org/argmap/id/view/market-is-fine")
    texts = " ".join(svg_texts(page.locator(".map-preview-svg.wide")))
    assert "The market <marquee>is fine</marquee>".replace(" ", "") in texts.replace(" ", "")  # wrapped lines
    assert page.locator("svg marquee, svg script, svg img").count() == 0
    page.locator("#map-load").click()
    page.wait_for_selector(READY, state="attached")
    label = page.evaluate(f"window.argmap.nodes.get({curie(view.iri)!r}).label")
    assert label.startswith(view.label)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('marquee, img, [onerror]').length") == 0
    assert hostile_web.console_errors == [] and hostile_web.page_errors == [] and hostile_web.foreign_requests == []
