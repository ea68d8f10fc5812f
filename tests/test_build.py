"""`argmap build` without a browser: what it writes, where, how it reports, that the links hold, that two
builds are byte-identical, that hostile text is escaped in the files, and that invalid data builds nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import rdflib
from click.testing import CliRunner
from conftest import DATA, HOSTILE, ROOT

from argmap.analyse import argument_graph, layered_layout, single_source_statements, view_members
from argmap.cli import main
from argmap.model import ARGUMENT_RELATIONS, CLASS_KINDS, LINK_PREDICATES, MAP_KINDS, RELATION_OF, curie
from argmap.site.build import BuildError, build_site, digest
from argmap.site.console import Console
from argmap.site.escape import safe_url
from argmap.site.words import (
    KIND_LABELS,
    KIND_STYLE,
    LINK_WORDS,
    RELATION_LABELS,
    RELATION_STYLE,
    RELATION_WORDS,
    page_folders,
    permalink,
    search_text,
)
from argmap.validate import load_valid

BAD = ROOT / "tests" / "fixtures" / "bad"


class Links(HTMLParser):
    """Every URL an HTML page refers to, with the tag and attribute it sits in."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "action", "srcset", "poster", "data"):
            if attrs.get(name) is not None:
                self.urls.append((tag, name, attrs[name]))
        if tag == "script":
            self._script, self._text = attrs, []

    def handle_data(self, data):
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def no_console(queries) -> Console:
    """A console maker that makes none: the site without its query console."""
    return Console({}, "")


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "query" not in p.relative_to(site).parts)


# ------------------------------------------------------------------------------------ the command
def test_build_command_writes_the_site_and_says_what_it_wrote(tmp_path, real_model):
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", *map(str, DATA), "--out", str(out)])
    assert result.exit_code == 0, result.output
    folders = page_folders(real_model)
    pages = len(folders) + 10  # home, map, tree, outline, views, evidence, health, sources, data, 404
    assert re.search(rf"\b{pages}(?: or \d+)? pages\b", result.output) or f"{pages + 1} pages" in result.output
    assert re.search(r"\d+ files, \d+(\.\d)? (MB|kB) in total", result.output)
    assert re.search(r"\(\d+ triples\) in \d+\.\d s", result.output)
    for path in (
        "index.html",
        "map/index.html",
        "outline/index.html",
        "tree/index.html",
        "health/index.html",
        "404.html",
        "views/index.html",
        "evidence/index.html",
        "sources/index.html",
        "data/index.html",
        "data/argmap.ttl",
        "data/argmap.nt",
        "data/argmap.jsonld",
        "data/void.ttl",
        "data/sources.bib",
        "static/vis-network.min.js",
        "static/graph.js",
        "static/graph-details.js",
        "claim/open-weights-are-inert/index.html",
    ):
        assert (out / path).is_file(), path
    for iri, folder in folders.items():
        assert (out / folder / "index.html").is_file(), iri


def test_every_node_page_sits_at_its_iri_path(real_model):
    folders = page_folders(real_model)
    assert len(folders) == sum(1 for n in real_model.nodes.values() if n.kind != "cell")
    for iri, folder in folders.items():
        if not folder.startswith("node/"):
            assert "https://w3id.org/argmap/id/" + folder.rstrip("/") == iri


@pytest.mark.parametrize("which", ["real_model", "hostile_model"])
def test_model_lookups_answer_as_a_scan_of_the_whole_model_would(which, request):
    """The model's indexes (by node and relation, by node and predicate, the sort rank) change no answer."""
    model = request.getfixturevalue(which)
    ordered = sorted(model.nodes.values(), key=lambda n: n.sort_key())
    relations = sorted({e.relation for e in model.edges})
    for iri in sorted({e.source for e in model.edges} | {e.target for e in model.edges})[::7]:  # a seventh: time
        for relation in relations:
            out = [e for e in model.edges if e.source == iri and e.relation == relation]
            inc = [e for e in model.edges if e.target == iri and e.relation == relation]
            assert model.outgoing(iri, relation) == out and model.incoming(iri, relation) == inc
            assert model.targets(iri, relation) == [n for n in ordered if n.iri in {e.target for e in out}]
            assert model.sources_of(iri, relation) == [n for n in ordered if n.iri in {e.source for e in inc}]
        assert model.incoming(iri, "supports", "attacks") == [
            e for e in model.edges if e.target == iri and e.relation in ("supports", "attacks")
        ]
    for iri in sorted({link.source for link in model.links} | {link.target for link in model.links})[::7]:
        for predicate in sorted(LINK_PREDICATES):
            assert model.links_from(iri, predicate) == [
                k for k in model.links if (k.source, k.predicate) == (iri, predicate)
            ]
            assert model.links_to(iri, predicate) == [
                k for k in model.links if (k.target, k.predicate) == (iri, predicate)
            ]
    named = {r.subject for r in model.readings} | {r.object for r in model.readings}
    for iri in sorted(named | {s.node for s in model.stakes} | {s.via for s in model.stakes} | {"urn:none"}):
        assert model.readings_for(iri) == [
            r for r in model.readings if iri == r.subject or (iri == r.object and not r.literal)
        ]
        assert model.stakes_for(iri) == [s for s in model.stakes if iri in (s.node, s.via)]
    for kinds in [(kind,) for kind in KIND_LABELS] + [tuple(MAP_KINDS), ("source", "paper"), ()]:
        assert model.of_kind(*kinds) == [n for n in ordered if n.kind in kinds]
        assert model.of_kind(*kinds) is not model.of_kind(*kinds)  # a fresh list each time: callers may change it


def test_the_site_has_words_for_everything_the_model_holds():
    assert set(LINK_WORDS) == LINK_PREDICATES
    relations = {relation for relation, _ in RELATION_OF.values()}
    assert relations == set(RELATION_WORDS) == set(RELATION_LABELS) == set(RELATION_STYLE)
    assert {kind for _, kind in CLASS_KINDS} == set(KIND_LABELS)
    assert set(MAP_KINDS) == set(KIND_STYLE)


def test_search_words_are_lower_case_without_accents_and_punctuation():
    assert search_text("Naïve CAFÉ – “Quoted”", None, "Ærøskøbing 北京 ﬁle") == "naive cafe quoted ærøskøbing 北京 file"
    assert search_text("Plain ASCII, text!") == "plain ascii text"


def test_permalinks_never_escape_the_site():
    base = "https://w3id.org/argmap/id/"
    assert permalink(base + "claim/x") == "claim/x/"
    assert permalink("https://example.org/claim/x") is None
    for hostile in (
        "claim/../../etc",
        "claim/..",
        "..",
        "claim/%2e%2e/x",
        "claim/a b",
        "claim//x",
        "",
        "static/map.js",
        "data/argmap.ttl",
        "claim/x/",
    ):
        page = permalink(base + hostile)
        assert page is not None and ".." not in page and " " not in page and "%" not in page, hostile
        assert not page.startswith(("static/", "data/", "map/", "views/", "sources/", "query/")), hostile


def test_invalid_data_builds_nothing_and_says_why(tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(BAD / "missing-label.ttl"), "--out", str(out)])
    assert result.exit_code == 1
    output = result.output  # Click 8.2+: stdout and stderr together
    assert "missing-label.ttl:" in output
    assert "the data does not validate, so no site was built" in output
    assert not out.exists()


def test_syntax_error_is_reported_with_file_and_line(tmp_path):
    result = CliRunner().invoke(main, ["build", str(BAD / "syntax-error.ttl"), "--out", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert re.search(r"syntax-error\.ttl:\d+:\d+", result.output)
    assert not (tmp_path / "s").exists()


def test_missing_file_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nope.ttl"), "--out", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "nope.ttl" in result.output and "Traceback" not in result.output


def test_bad_base_url_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["build", str(HOSTILE), "--out", str(tmp_path / "s"), "--base-url", "ftp://x"])
    assert result.exit_code == 2
    assert "--base-url must be an http(s) address" in result.output


def test_base_url_gives_canonical_links_sitemap_and_absolute_void(tmp_path):
    out = tmp_path / "s"
    build_site(load_valid([HOSTILE]), out, base_url="https://example.org/argmap")
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/argmap/">' in home
    page = (out / "claim" / "script-label" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/argmap/claim/script-label/"' in page
    assert "<loc>https://example.org/argmap/claim/script-label/</loc>" in (out / "sitemap.xml").read_text()
    void = rdflib.Graph().parse(out / "data" / "void.ttl", format="turtle")
    dumps = {str(o) for o in void.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert "https://example.org/argmap/data/argmap.nt" in dumps


# ------------------------------------------------------------------------------------ links
def test_links_are_relative_and_resolve(built_site):
    """No page points at another origin for anything it loads, no link starts with / (base-path safe),
    and every relative link leads to a file of the site."""
    checked = 0
    for page in html_files(built_site):
        for tag, attr, url in parse(page).urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https"):
                assert tag == "a", f"{page}: <{tag} {attr}={url}> loads from another origin"
                continue
            if parts.scheme == "data":
                assert tag == "link", f"{page}: data: URL in <{tag}>"
                continue
            assert not parts.scheme and not parts.netloc, f"{page}: {url}"
            assert not url.startswith("/"), f"{page}: absolute path {url}"
            if not parts.path:
                continue  # a fragment on the same page
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(built_site)} links to missing {url}"
            assert built_site.resolve() in target.parents, f"{page}: {url} leaves the site"
            checked += 1
    assert checked > 5000


def test_no_network_addresses_in_scripts_and_styles(built_site):
    for path in (built_site / "static").iterdir():
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.name == "vis-network.min.js":
            continue  # only licence comments and the SVG namespace: checked in the browser
        assert not re.search(r"(?<![\w.])(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text.split("*/", 1)[-1]), path.name
        assert "@import" not in text and "url(http" not in text


def test_every_page_has_csp_and_no_inline_script(built_site):
    for page in html_files(built_site):
        text = page.read_text(encoding="utf-8")
        if page.name == "404.html":  # served at any address: its one script and style are inline, allowed by hash
            assert "unsafe-inline" not in text
            for _attrs, body in parse(page).scripts:
                digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
                assert f"script-src 'sha256-{digest}'" in text
            continue
        assert "Content-Security-Policy" in text and "script-src 'self'" in text, page
        for attrs, _body in parse(page).scripts:
            assert attrs.get("src") or attrs.get("type") == "application/ld+json", f"{page}: inline script"
        assert not re.search(r"\son[a-z]+=", text), f"{page}: inline event handler"
        assert " style=" not in text, f"{page}: inline style (the CSP forbids it)"


# ------------------------------------------------------------------------------------ JSON-LD
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's JSON-LD parser, not ours
def test_node_pages_embed_their_own_json_ld(built_site, real_model):
    checked = 0
    from argmap.load import load_paths

    store = load_paths([str(p) for p in DATA]).store
    folders = page_folders(real_model)
    for node in list(real_model.nodes.values()):
        if node.iri not in folders:
            continue
        page = built_site / folders[node.iri] / "index.html"
        scripts = [body for attrs, body in parse(page).scripts if attrs.get("type") == "application/ld+json"]
        assert len(scripts) == 1, page
        assert "</" not in scripts[0] and "<" not in scripts[0]
        doc = json.loads(scripts[0])
        assert doc["@id"] == curie(node.iri)
        if checked < 40:  # a JSON-LD processor reads exactly the node's triples
            graph = rdflib.Graph().parse(data=scripts[0], format="json-ld")
            expected = {
                (str(q.subject.value), str(q.predicate.value), str(q.object.value))
                for q in store.quads_for_pattern(__import__("pyoxigraph").NamedNode(node.iri), None, None)
            }
            assert {(str(s), str(p), str(o)) for s, p, o in graph} == expected
        checked += 1
    assert checked > 300


# ------------------------------------------------------------------------------------ determinism
def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build_site(load_valid(DATA), first, console=no_console)
    env = dict(os.environ, PYTHONHASHSEED="12345")
    code = (
        "import sys; from argmap.site.build import build_site; from argmap.site.console import Console; "
        "from argmap.validate import load_valid; "
        "build_site(load_valid(sys.argv[1:-1]), sys.argv[-1], console=lambda q: Console({}, ''))"
    )
    subprocess.run([sys.executable, "-c", code, *map(str, DATA), str(second)], check=True, env=env, cwd=tmp_path)
    assert digest(first) == digest(second)
    # and a third build over the first changes nothing
    before = {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file()}
    build_site(load_valid(DATA), first, console=no_console)
    assert digest(first) == digest(second)
    assert {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file() and p.name != ".argmap-build.json"} == {
        p: t for p, t in before.items() if p.name != ".argmap-build.json"
    }


def test_the_snippet_cache_changes_no_byte(tmp_path, monkeypatch):
    """A node's link and badges are rendered once and reused (Snippets): the same site as with no cache at all."""
    from argmap.site.build import Snippets

    first, second = tmp_path / "a", tmp_path / "b"
    loaded = load_valid(DATA)
    build_site(loaded, first, console=no_console)
    monkeypatch.setattr(Snippets, "LIMIT", 0)
    build_site(loaded, second, console=no_console)
    assert digest(first) == digest(second)


def test_stale_files_of_an_earlier_build_are_removed(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "README.md").write_text("kept\n")
    build_site(load_valid([HOSTILE]), out, console=no_console)
    assert (out / "claim" / "script-label" / "index.html").is_file()
    result = build_site(load_valid(DATA), out, console=no_console)
    assert not (out / "claim" / "script-label").exists()
    assert "claim/script-label/index.html" in result.removed
    assert (out / "README.md").read_text() == "kept\n"  # never written by a build, never removed


# ------------------------------------------------------------------------------------ the console hook
def test_build_without_the_console_still_succeeds_and_says_why(tmp_path, monkeypatch):
    empty = tmp_path / "node_modules"
    empty.mkdir()
    monkeypatch.setenv("ARGMAP_NODE_MODULES", str(empty))
    out = tmp_path / "s"
    result = CliRunner().invoke(main, ["build", str(HOSTILE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "query console left out: " in result.output
    assert not (out / "query").exists()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="query/"' not in home


def test_console_files_are_linked_and_counted_when_written(tmp_path):
    def console(queries):
        return Console({"query/index.html": b"<!doctype html><title>q</title>\n"}, "a test's own console")

    result = build_site(load_valid([HOSTILE]), tmp_path / "s", queries=[], console=console)
    assert "query/index.html" in result.files
    assert (tmp_path / "s" / "query" / "index.html").read_bytes() == b"<!doctype html><title>q</title>\n"
    assert 'href="query/"' in (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert ", query)" in result.summary()
    assert "query console: a test's own console" in result.summary()


def test_console_files_stay_inside_the_output_folder(tmp_path):
    def console(queries):
        return Console({"query/../../escaped.html": b"x"}, "a hostile console")

    with pytest.raises(BuildError, match="outside"):
        build_site(load_valid([HOSTILE]), tmp_path / "s", console=console)
    assert not (tmp_path / "escaped.html").exists()
    assert not (tmp_path / "s").exists()  # refused before anything was written


@pytest.mark.parametrize("link", ["claim", "claim/open-weights-are-inert", "claim/open-weights-are-inert/index.html"])
def test_a_link_in_the_output_folder_that_leads_out_is_refused_before_anything_is_written(tmp_path, link):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("keep me", encoding="utf-8")
    out = tmp_path / "s"
    (out / link).parent.mkdir(parents=True, exist_ok=True)
    (out / link).symlink_to(outside / "index.html" if link.endswith(".html") else outside)
    with pytest.raises(BuildError, match="outside"):
        build_site(load_valid(DATA), out, console=no_console)
    assert sorted(p.name for p in outside.iterdir()) == ["index.html"]
    assert (outside / "index.html").read_text(encoding="utf-8") == "keep me"
    assert not (out / "index.html").exists()  # nothing written


def test_a_link_that_stays_inside_the_output_folder_is_followed(tmp_path):
    out = tmp_path / "s"
    (out / "elsewhere").mkdir(parents=True)
    (out / "claim").symlink_to(out / "elsewhere", target_is_directory=True)
    build_site(load_valid(DATA), out, console=no_console)
    assert (out / "elsewhere" / "open-weights-are-inert" / "index.html").is_file()


def test_the_console_may_not_overwrite_a_site_file(tmp_path):
    def console(queries):
        return Console({"index.html": b"x"}, "a clumsy console")

    with pytest.raises(BuildError, match="overwrite the site's index.html"):
        build_site(load_valid([HOSTILE]), tmp_path / "s", console=console)


# ------------------------------------------------------------------------------------ hostile text
def test_hostile_text_is_escaped_in_every_file(hostile_site):
    for page in html_files(hostile_site):
        text = page.read_text(encoding="utf-8")
        assert "<script>window" not in text, page
        assert "<img" not in text and "<marquee" not in text and "<b>" not in text, page
        assert 'href="javascript:' not in text.lower(), page
    for name in ("graph.js", "graph-details.js"):
        graph = (hostile_site / "static" / name).read_text(encoding="utf-8")
        assert "<" not in graph and ">" not in graph
    org = (hostile_site / "org" / "hostile-lab" / "index.html").read_text(encoding="utf-8")
    assert "javascript:window.__pwned=5" in org  # shown as text, not as a link
    assert 'href="javascript' not in org


def test_safe_url_only_lets_http_links_through():
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("  http://example.org/ ") == "http://example.org/"
    for bad in (
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "//example.org/",
        "/etc/passwd",
        'https://x.org/"onmouseover="x',
        None,
        "",
    ):
        assert safe_url(bad) is None, bad


# ------------------------------------------------------------------------------------ pages
def test_home_leads_with_the_thesis_and_the_debate(built_site, real_model):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    thesis = real_model.theses()[0]
    main_part = home[home.index("<main") :]
    assert main_part.index(thesis.label) < main_part.index("map-widget")
    for node in real_model.of_kind("challenge", "principle", "view"):
        assert node.label in home, node.label
    for view in real_model.of_kind("view"):
        for response in real_model.responses(view.iri):
            assert response.label.replace("'", "&#39;") in home or response.label in home


def test_views_page_holds_every_view_response_and_their_evidence(built_site, real_model):
    html = (built_site / "views" / "index.html").read_text(encoding="utf-8")
    import html as html_lib

    text = html_lib.unescape(html)
    for view in real_model.of_kind("view"):
        assert view.label in text
        for response in real_model.responses(view.iri):
            assert response.label in text
            for _, evidence in real_model.evidence_for(response.iri):
                assert evidence.label in text


def test_outline_reaches_every_statement(built_site, real_model):
    import html as html_lib

    text = html_lib.unescape((built_site / "outline" / "index.html").read_text(encoding="utf-8"))
    for node in real_model.of_kind("claim", "challenge", "principle", "example", "view", "response", "implication"):
        assert node.label in text, node.iri


def test_evidence_and_sources_pages_list_everything(built_site, real_model):
    evidence = (built_site / "evidence" / "index.html").read_text(encoding="utf-8")
    assert evidence.count("<tr>") == len(real_model.of_kind("evidence")) + 1
    sources = (built_site / "sources" / "index.html").read_text(encoding="utf-8")
    for source in real_model.of_kind("source"):
        assert f'href="../{page_folders(real_model)[source.iri]}"' in sources
    assert 'href="../data/sources.bib"' in sources


# ------------------------------------------------------------------------------------ analysis
def test_layout_reads_top_down_from_the_thesis(real_model):
    layout = layered_layout(real_model)
    thesis = real_model.theses()[0]
    assert layout.positions[thesis.iri][1] == min(y for _, y in layout.positions.values())
    assert len(layout.positions) == len(real_model.map_nodes())
    assert len(set(layout.positions.values())) == len(layout.positions)  # no two nodes on one spot
    graph = argument_graph(real_model)
    upward = total = 0
    for source, target, data in graph.edges(data=True):
        if any(r in ARGUMENT_RELATIONS for r in data["relations"]):
            total += 1
            upward += layout.layers[source] > layout.layers[target]
    assert upward == total  # every reason sits below what it bears on
    sources = [n.iri for n in real_model.of_kind("source")]
    assert min(layout.layers[s] for s in sources) == max(layout.layers.values())  # the bibliography at the bottom
    assert layered_layout(real_model) == layout


def test_view_filter_members_and_single_source_analysis(real_model):
    members = view_members(real_model)
    assert set(members) == {v.iri for v in real_model.of_kind("view")}
    for view, found in members.items():
        assert view in found
        assert {r.iri for r in real_model.responses(view)} <= set(found)
        assert all(real_model.node(i).kind in MAP_KINDS for i in found)
    for _statement, source in single_source_statements(real_model):
        assert real_model.node(source).kind == "source"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_that_cannot_be_written_is_a_one_line_error(tmp_path, monkeypatch, jobs):
    """Whether the page is written here or in a worker process: exit 2, the file named, no traceback."""
    import argmap.site.build as site_build

    monkeypatch.setattr(site_build, "PARALLEL_FROM", 0)
    out = tmp_path / "site"
    (out / "claim" / "open-weights-are-inert" / "index.html").mkdir(parents=True)  # a folder where the page goes
    result = CliRunner().invoke(main, ["build", *map(str, DATA), "--out", str(out), "--jobs", str(jobs)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "claim/open-weights-are-inert/index.html: cannot be written" in result.output


def test_pages_rendered_in_worker_processes_are_the_same_site(tmp_path, monkeypatch):
    import argmap.site.build as site_build

    loaded = load_valid(DATA)
    build_site(loaded, tmp_path / "one", console=no_console, jobs=1)
    monkeypatch.setattr(site_build, "PARALLEL_FROM", 0)
    result = build_site(loaded, tmp_path / "three", console=no_console, jobs=3)
    assert digest(tmp_path / "one") == digest(tmp_path / "three")
    on_disk = {p.relative_to(tmp_path / "three").as_posix() for p in (tmp_path / "three").rglob("*") if p.is_file()}
    assert on_disk == {*result.files, ".argmap-build.json"}  # every page a worker wrote is counted


def test_where_worker_processes_cannot_start_the_pages_render_in_this_one(tmp_path, monkeypatch):
    """A sandbox without POSIX semaphores refuses multiprocessing's pool (OSError): the build goes on in one
    process and makes the same site."""
    import multiprocessing

    import argmap.site.build as site_build

    class NoSemaphores:
        def Pool(self, jobs, initializer=None):  # noqa: N802 - multiprocessing's name
            raise OSError(38, "Function not implemented")

    loaded = load_valid(DATA)
    build_site(loaded, tmp_path / "one", console=no_console, jobs=1)
    monkeypatch.setattr(site_build, "PARALLEL_FROM", 0)
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: NoSemaphores())
    result = build_site(loaded, tmp_path / "two", console=no_console, jobs=2)
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
    assert result.pages > 500


def test_the_build_unfreezes_what_it_froze_and_leaves_a_callers_freeze_alone(tmp_path):
    import gc

    loaded = load_valid(DATA)
    build_site(loaded, tmp_path / "a", console=no_console)
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        build_site(loaded, tmp_path / "b", console=no_console)
        # the caller's objects still frozen (some may have been freed meanwhile), none of the build's added
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_the_build_help_states_the_job_limits():
    from argmap.site.build import MAX_JOBS, PARALLEL_FROM, PARALLEL_UNTIL

    words = " ".join(CliRunner().invoke(main, ["build", "--help"]).output.split())
    assert f"at most {MAX_JOBS}, for a site of {PARALLEL_FROM:,} to {PARALLEL_UNTIL:,} pages" in words
    assert f"fewer than {PARALLEL_FROM:,} pages is always rendered in one" in words


def test_build_refuses_an_output_path_that_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(BuildError, match="not a folder"):
        build_site(load_valid([HOSTILE]), target)


# ------------------------------------------------------------------------------------ who says what


def test_node_pages_mark_the_projects_readings_and_the_authors_stakes(built_site, real_model):
    import html as html_lib

    assert real_model.readings and real_model.stakes
    folders = page_folders(real_model)
    for iri in {r.subject for r in real_model.readings if real_model.node(r.subject)}:
        text = (built_site / folders[iri] / "index.html").read_text(encoding="utf-8")
        marks = text.count('class="mark-reading"')
        assert marks == len(real_model.readings_for(iri)), iri
    with_stakes = {s.node for s in real_model.stakes} | {s.via for s in real_model.stakes}
    for iri in with_stakes:
        text = html_lib.unescape((built_site / folders[iri] / "index.html").read_text(encoding="utf-8"))
        assert "an author of the paper" in text, iri
    # a source an author co-wrote says so; a node without readings or stakes has no such section
    tan = html_lib.unescape((built_site / "source" / "tan-2025" / "index.html").read_text(encoding="utf-8"))
    assert "An author of the paper co-wrote this source." in tan
    plain = (built_site / "claim" / "open-weights-are-inert" / "index.html").read_text(encoding="utf-8")
    assert 'class="provenance"' not in plain


def test_figure_pages_credit_the_papers_sentence_to_the_paper(built_site):
    import html as html_lib

    text = html_lib.unescape(
        (built_site / "evidence" / "f1-llama-3-1-8b-monthly-downloads" / "index.html").read_text(encoding="utf-8")
    )
    footer = text.split('<blockquote class="quote">', 1)[1].split("</blockquote>", 1)[0]
    assert footer.index("If open source is to win") < footer.index("citing") < footer.index("Hugging Face 2026")
    assert "<dt>Source the paper cites</dt>" in text and "<dt>Where in the paper</dt>" in text
