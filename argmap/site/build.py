"""Stage 4: render the model into a static website (MkDocs-style: gather every page, then write).

The site has no server-side code and asks nothing of any other origin: the map's script (vis-network
9.1.2, copied from the installed pyvis package), its data, the styles and every page come from the
output folder, and every link is relative, so the folder works under any base path. All text from the
data goes through Jinja's autoescaping (HTML and attributes), through `script_json` (the map's data and
the JSON-LD, where `<`, `>` and `&` become \\u escapes) or through DOM `textContent` in the browser.
External addresses become links only when they are http(s). Two builds of the same data are identical.

`build_site` takes data the caller has validated (the CLI validates, then builds). The words, styles and
page folders come from `words.py`, the escapers from `escape.py`, the query console from `console.py`. The
name of every file, the console's too, is known and checked to stay inside the output folder
(`output.check_paths`) before the first is written; then each file is made and written in turn
(`output.write_file`), so a build holds one page in memory at a time, not the whole site.
"""

from __future__ import annotations

import base64
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import re
import signal
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, get_args

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .. import __version__, export
from ..analyse import (
    COMPACT_LAYER_STEP,
    COMPACT_ROW_STEP,
    MAX_ROW,
    X_STEP,
    compact_layout,
    layered_layout,
    map_levels,
    section_members,
    single_source_statements,
    view_members,
)
from ..config import BASE_IRI
from ..load import Loaded
from ..model import (
    ARGUMENT_RELATIONS,
    KIND_ORDER,
    MAP_KINDS,
    STATEMENT_KINDS,
    Model,
    Node,
    Relation,
    build_model,
    curie,
    natural_key,
)
from ..query import NamedQuery, named_queries
from ..reasoning import Analysis, Change, Framework, analyse, parse_date, retraction_effects
from ..vocab import AM
from .console import Console, ConsoleMaker, ConsoleUnavailable, make_console
from .escape import arxiv_url, doi_url, safe_url, script_json
from .output import BuildError, check_paths, write_chunks, write_file
from .tree import Position, debate_tree
from .words import (
    CONSOLE_NAV,
    FIELD_LABELS,
    FLAG_WORDS,
    KIND_LABELS,
    KIND_STYLE,
    LINK_WORDS,
    NAV,
    RELATION_LABELS,
    RELATION_STYLE,
    RELATION_WORDS,
    STATUS_WORDS,
    figure_text,
    kind_label,
    node_search_text,
    page_folders,
    search_text,
)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
VIS_PACKAGE_PATH = ("lib", "vis-9.1.2", "vis-network.min.js")
MANIFEST = ".argmap-build.json"

HOME_DESCRIPTION = (
    "The Public AI debate as an argument map: the thesis of 'If open source is to win, it must go public', "
    "its challenges, principles, the opposing views and every response, with the evidence behind each."
)
MAP_DESCRIPTION = "The argument map: every statement, piece of evidence and source of the debate, and how they connect."
TREE_DESCRIPTION = (
    "The debate as a tree: from the thesis down, each statement's case for and case against side by side, "
    "with its status and the evidence beneath it."
)

#: The 404 page stands alone: a static host serves it at whatever address was missing, so it cannot link its
#: stylesheet relatively. Its style and script are inline, allowed by their hashes in its CSP; the script finds
#: the site's root (the nearest folder above the address that holds static/argmap.css) and points the links
#: there. With --base-url the links are absolute and no script is needed.
NOT_FOUND_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;"
    "color:#111827;background:#fff}a{color:#1d4ed8}li{margin:.4rem 0}"
    "@media (prefers-color-scheme:dark){body{color:#e5e7eb;background:#111827}a{color:#93c5fd}}"
)
NOT_FOUND_SCRIPT = (
    "(function(){var p=location.pathname.split('/');p.pop();var t=[];while(p.length){t.push(p.join('/')+'/');p.pop();}"
    "function go(i){if(i>=t.length){return;}fetch(t[i]+'static/argmap.css',{method:'HEAD'}).then(function(r){"
    "if(!r.ok){go(i+1);return;}Array.prototype.forEach.call(document.querySelectorAll('a[data-path]'),"
    "function(a){a.href=t[i]+a.getAttribute('data-path');});},function(){go(i+1);});}go(0);}());"
)


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


#: The downloads on the data page: key -> (path below the site root, media type, label).
DATA_FILES = {
    "turtle": ("data/argmap.ttl", "text/turtle", "Turtle"),
    "ntriples": ("data/argmap.nt", "application/n-triples", "N-Triples"),
    "jsonld": ("data/argmap.jsonld", "application/ld+json", "JSON-LD"),
    "void": ("data/void.ttl", "text/turtle", "VoID description"),
    "bibtex": ("data/sources.bib", "application/x-bibtex", "BibTeX"),
}


@dataclass
class BuildResult:
    """What a build wrote: every file (relative to `out_dir`, sorted) and its size."""

    out_dir: Path
    files: dict[str, int]
    pages: int
    counts: dict[str, int]
    triples: int = 0
    sources: list[str] = field(default_factory=list)
    console_files: list[str] = field(default_factory=list)
    console_origin: str | None = None  # where the console's third-party code came from
    console_note: str | None = None  # why the console was left out
    removed: list[str] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())

    def summary(self, seconds: float | None = None) -> str:
        """What was written, for people: pages by kind, files, size, the console, stale files removed."""

        def size(n: int) -> str:
            return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"

        source = f" from {', '.join(self.sources)}" if self.sources else ""
        timing = f" in {seconds:.1f} s" if seconds is not None else ""
        lines = [f"Built {self.out_dir}/{source} ({self.triples} triples){timing}:"]
        kinds = sorted(
            ((k, n) for k, n in self.counts.items() if k not in ("pages", "site")),
            key=lambda kn: KIND_ORDER.get(kn[0], 99),
        )
        by_kind = ", ".join(f"{n} {KIND_LABELS.get(k, (k, k))[1 if n != 1 else 0].lower()}" for k, n in kinds)
        site_pages = self.counts.get("site", 0) + (1 if self.console_files else 0)
        lines.append(
            f"  {self.pages} pages: {site_pages} site pages (home, map, tree, outline, views, evidence, health, "
            f"sources, data, 404{', query' if self.console_files else ''}) and one per node: {by_kind}"
        )
        data = sum(v for k, v in self.files.items() if k.startswith("data/") and not k.endswith(".html"))
        static = sum(v for k, v in self.files.items() if k.startswith("static/"))
        html = sum(v for k, v in self.files.items() if k.endswith(".html") and not k.startswith("query/"))
        console = sum(v for k, v in self.files.items() if k.startswith("query/"))
        parts = [f"pages {size(html)}", f"data downloads {size(data)}", f"scripts and styles {size(static)}"]
        if console:
            parts.append(f"query console {size(console)}")
        lines.append(f"  {len(self.files)} files, {size(self.total_bytes)} in total ({', '.join(parts)})")
        if self.console_origin:
            lines.append(f"  query console: {self.console_origin}")
        if self.console_note:
            lines.append(f"  query console left out: {self.console_note}")
        if self.removed:
            lines.append(f"  removed {len(self.removed)} file(s) an earlier build wrote and this one did not")
        return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------- pages
@dataclass
class Page:
    path: str  # file below the site root, e.g. "claim/x/index.html"
    template: str
    title: str
    context: dict = field(default_factory=dict)
    nav: str | None = None  # which nav entry is current
    description: str = ""  # the meta description of a site page (node pages describe their node)

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")


class Site:
    """Everything the templates need, computed once from the model."""

    def __init__(self, model: Model, store: ox.Store, base_url: str | None, console: bool):
        self.model = model
        self.store = store
        self.base_url = base_url
        self.console = console
        self.pages = page_folders(model)
        self.layout = layered_layout(model)
        self.levels = map_levels(model, self.layout)
        self.views = view_members(model)
        self.sections = section_members(model)
        self.single_source = single_source_statements(model)
        self.triple_count = len(store)
        papers = model.papers()
        self.paper = papers[0] if papers else None
        self._node_triples: tuple[str, list] | None = None  # the last node's triples: its Turtle and JSON-LD

    # ------------------------------------------------------------------------ template helpers
    def page(self, node: Node | None) -> str | None:
        """The folder of a node's page below the site root (`claim/x/`); None when it has none."""
        return None if node is None else self.pages.get(node.iri)

    def node(self, iri: str | None) -> Node | None:
        return self.model.node(iri) if iri else None

    def label(self, iri: str) -> str:
        return self.model.label(iri)

    def section_title(self, iri: str | None) -> str | None:
        section = self.node(iri)
        if section is None:
            return None
        number = section.section_number
        if number and number not in ("0", "") and number.casefold() != section.label.casefold():
            mark = "§" if number[0].isdigit() else ""
            return f"{mark}{number} {section.label}"
        return section.label

    def theses(self) -> list[Node]:
        return self.model.theses()

    def outline(self) -> tuple[list[dict[str, Any]], list[tuple[Node | None, list[Node]]]]:
        """The argument as a tree below the thesis (children: what bears on a node), and the statements the
        tree does not reach, by section."""
        model = self.model
        seen: set[str] = set()

        rank = {
            r: i
            for i, r in enumerate(
                (
                    "supports",
                    "instantiates",
                    "in-category",
                    "qualifies",
                    "attacks",
                    "responds-to",
                    "undercuts",
                    "concludes",
                )
            )
        }

        def children(iri: str) -> list[tuple[str, Node]]:
            found = []
            attackers = {e.source for e in model.incoming(iri, "attacks")}
            for edge in model.incoming(iri, *ARGUMENT_RELATIONS):
                node = model.node(edge.source)
                if node is None or not node.on_map:
                    continue
                if edge.relation == "responds-to" and edge.source in attackers:
                    continue
                if edge.relation == "premise":
                    continue
                found.append((edge.relation, node))
            return sorted(found, key=lambda rn: (rank.get(rn[0], 99), rn[1].sort_key()))

        def grow(relation: str | None, node: Node, depth: int) -> dict[str, Any]:
            item: dict[str, Any] = {"relation": relation, "node": node, "children": [], "repeat": node.iri in seen}
            if item["repeat"] or depth > 40:
                return item
            seen.add(node.iri)
            item["children"] = [grow(r, n, depth + 1) for r, n in children(node.iri)]
            return item

        trees = [grow(None, thesis, 0) for thesis in self.theses()]
        rest: dict[str, list[Node]] = {}
        for node in model.of_kind(*STATEMENT_KINDS):
            if node.iri not in seen:
                rest.setdefault(node.section or "", []).append(node)
        by_section: list[tuple[Node | None, list[Node]]] = []
        for section in model.sections():
            if section.iri in rest:
                by_section.append((section, rest.pop(section.iri)))
        for key in sorted(rest):
            by_section.append((self.node(key), rest[key]))
        return trees, by_section

    def relation_groups(self, iri: str) -> tuple[list[tuple[str, str, list[Node]]], list[tuple[str, str, list[Node]]]]:
        """(outgoing, incoming) argument relations of a node: (relation, heading, nodes) in a fixed order."""
        order = get_args(Relation)  # the model's relations, in the order it declares them
        outgoing, incoming = [], []
        attackers = {n.iri for n in self.model.sources_of(iri, "attacks")}
        attacked = {n.iri for n in self.model.targets(iri, "attacks")}
        present_out = {e.relation for e in self.model.outgoing(iri)}  # only these are looked up
        present_in = {e.relation for e in self.model.incoming(iri)}
        for relation in order:
            targets = self.model.targets(iri, relation) if relation in present_out else []
            if relation == "responds-to":  # a response that attacks what it answers is listed once, as attacking
                targets = [n for n in targets if n.iri not in attacked]
            if targets:
                outgoing.append((relation, RELATION_WORDS[relation][0], targets))
            sources = self.model.sources_of(iri, relation) if relation in present_in else []
            if relation == "responds-to":
                sources = [n for n in sources if n.iri not in attackers]
            if sources:
                incoming.append((relation, RELATION_WORDS[relation][1], sources))
        return outgoing, incoming

    def link_groups(self, iri: str) -> tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]:
        """Plain links (held by, involves, …) out of and into a node, as (heading, IRIs)."""
        outgoing, incoming = [], []
        skip_out = _LINKS_SHOWN_ELSEWHERE
        present_out = {link.predicate for link in self.model.links_from(iri)}  # only these are looked up
        present_in = {link.predicate for link in self.model.links_to(iri)}
        for predicate, (out_words, in_words) in LINK_WORDS.items():
            if predicate in present_out and predicate not in skip_out:
                targets = [link.target for link in self.model.links_from(iri, predicate)]
                outgoing.append((out_words, self._sorted_iris(targets)))
            if predicate in present_in:
                sources = [link.source for link in self.model.links_to(iri, predicate)]
                incoming.append((in_words, self._sorted_iris(sources)))
        return outgoing, incoming

    def _sorted_iris(self, iris: Iterable[str]) -> list[str]:
        def key(iri: str) -> tuple:
            node = self.node(iri)
            return node.sort_key() if node is not None else (999, iri)

        return sorted(set(iris), key=key)

    def facts(self, node: Node) -> list[tuple[str, str, str | None]]:
        """(label, text, link URL) rows of a node's literal properties, for the generic fact list."""
        rows = []
        for name, label in FIELD_LABELS:
            value = getattr(node, name)
            if value is None or value == "":
                continue
            value = str(value)
            href = None
            if name == "url":
                href = safe_url(value)
            elif name == "doi":
                href = doi_url(value)
            elif name == "arxiv_id":
                href = arxiv_url(value)
            rows.append((label, value, href))
        return rows

    def table_grid(self, table_iri: str) -> dict:
        model = self.model
        projects = [n for n in model.linking(table_iri, AM.inTable) if n.kind == "project"]
        dimensions = [n for n in model.linking(table_iri, AM.inTable) if n.kind == "dimension"]
        cells = {}
        for node in model.linking(table_iri, AM.inTable):  # the table's cells, in Node.sort_key order
            if node.kind == "cell":
                project = next((link.target for link in model.links_from(node.iri, AM.project)), None)
                dimension = next((link.target for link in model.links_from(node.iri, AM.dimension)), None)
                cells[(project, dimension)] = node.cell_text or ""
        return {"projects": projects, "dimensions": dimensions, "cells": cells}

    def _triples_of(self, iri: str) -> list:
        """The triples with `iri` as subject; the last node's are kept, as its page asks twice (JSON-LD, Turtle)."""
        if self._node_triples is None or self._node_triples[0] != iri:
            pattern = self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
            self._node_triples = (iri, [(q.subject, q.predicate, q.object) for q in pattern])
        return self._node_triples[1]

    def node_turtle(self, iri: str) -> str:
        return export.turtle_of(self._triples_of(iri))

    def node_jsonld(self, iri: str) -> Markup:
        return script_json(export.jsonld_document(self._triples_of(iri)))

    def evidence_rows(self) -> list[Node]:
        return sorted(
            self.model.of_kind("evidence"),
            key=lambda n: (n.as_of is None, n.as_of or "", natural_key(n.figure_id or ""), n.label.casefold()),
        )

    def cited_by(self, iri: str) -> list[Node]:
        return self.model.sources_of(iri, "cites")

    def prepare(self) -> None:
        """Compute now what the pages compute on first use (every cached property: tree, analysis, retraction
        effects, …), so that processes forked after this share it instead of each computing it again."""
        for name, member in vars(type(self)).items():
            if isinstance(member, functools.cached_property):
                getattr(self, name)

    # ------------------------------------------------------------------------ the debate tree and status
    @functools.cached_property
    def tree(self) -> list[Position]:
        return debate_tree(self.model)

    @functools.cached_property
    def _tree_nodes(self) -> frozenset[str]:
        found: set[str] = set()
        stack = list(self.tree)
        while stack:
            position = stack.pop()
            if not position.ref:
                found.add(position.node.iri)
                stack.extend(position.children)
        return frozenset(found)

    def in_tree(self, iri: str) -> bool:
        """Whether the debate tree writes the node out (so tree/#curie opens it)."""
        return iri in self._tree_nodes

    @functools.cached_property
    def as_of(self) -> str:
        """The date the site judges figures' freshness against: the newest date the data itself holds (an
        as-of, accessed or issued date), so the same data always builds the same site. Today when it has none."""
        dates = [
            parse_date(value)
            for node in self.model.nodes.values()
            for value in (node.as_of, node.accessed, node.issued)
            if value
        ]
        known = [d for d in dates if d is not None]
        return max(known).isoformat() if known else ""

    @functools.cached_property
    def _framework(self) -> Framework:
        return Framework(self.model)

    @functools.cached_property
    def analysis(self) -> Analysis:
        """`argmap.reasoning.analyse` under grounded semantics, as of `as_of`: what the badges say."""
        return analyse(self.model, as_of=self.as_of or None, framework=self._framework, load_bearing=False)

    @functools.cached_property
    def retractions(self) -> dict[str, list[Change]]:
        return retraction_effects(self.model, framework=self._framework)

    @functools.cached_property
    def map_statuses(self) -> dict[str, str]:
        """IRI -> "accepted" | "rejected" | "undecided" for every map node that has a status: the map draws it
        as the node's border (the same grounded analysis as the badges)."""
        found = self.analysis.status
        nodes = self.model.nodes
        return {iri: found[iri].value for iri in sorted(found) if iri in nodes and nodes[iri].on_map}

    def status(self, iri: str) -> dict[str, Any] | None:
        """What a node's badges say: {value, label, title, flags: [(flag, words)]}; None for nodes without a
        status (sources, people, …)."""
        found = self.analysis.status.get(iri)
        if found is None:
            return None
        label, title = STATUS_WORDS[found.value]
        flags = [(flag, FLAG_WORDS[flag][0]) for flag in self.analysis.flags(iri) if flag in FLAG_WORDS]
        return {"value": found.value, "label": label, "title": title, "flags": flags, "reason": found.reason}

    def health(self) -> list[tuple[str, str, list[Node]]]:
        """(flag, heading, nodes) for every evidence-health flag, then the statements not accepted."""
        groups: list[tuple[str, str, list[Node]]] = []
        nodes = [n for n in self.model.nodes.values() if n.iri in self.analysis.status]
        nodes.sort(key=Node.sort_key)
        for flag, (_, heading) in FLAG_WORDS.items():
            groups.append((flag, heading, [n for n in nodes if flag in self.analysis.flags(n.iri)]))
        for value, heading in (
            ("rejected", "Rejected statements: something that stands attacks them"),
            ("undecided", "Undecided statements: an attack on them is in dispute, or their support is gone"),
        ):
            groups.append(
                (
                    value,
                    heading,
                    [n for n in nodes if n.kind in STATEMENT_KINDS and self.analysis.status[n.iri].value == value],
                )
            )
        return groups

    def retraction(self, iri: str) -> list[tuple[Node | None, str, str]]:
        """What would change if the evidence `iri` were retracted: (node, its label, what happens)."""
        return [(self.node(c.iri), self.label(c.iri), c.what) for c in self.retractions.get(iri, [])]

    @functools.cached_property
    def _by_curie(self) -> dict[str, Node]:
        return {curie(iri): node for iri, node in self.model.nodes.items() if iri in self.pages}

    def prose(self, text: str | None, root: str) -> Markup:
        """Text from the data for reading: a CURIE of a node that has a page (`evidence:check-…`, a note's way of
        pointing at another item) becomes a link to that page, named by the node's label; the rest is escaped."""
        if not text:
            return Markup("")
        parts: list[str] = []
        last = 0
        for match in _CURIE_IN_TEXT.finditer(text):
            node = self._by_curie.get(match.group(0))
            if node is None:
                continue
            parts.append(str(escape(text[last : match.start()])))
            href = escape(root + self.pages[node.iri])
            parts.append(f'<a href="{href}">{escape(node.label)}</a>')
            last = match.end()
        parts.append(str(escape(text[last:])))
        return Markup("".join(parts))

    def preview(self, node: Node, limit: int = 180) -> str:
        """A one-line preview of a node: its text, quote, figure or note, cut at a word near `limit`."""
        text = node.text or node.quote or figure_text(node) or node.note or ""
        text = " ".join(text.split())
        if len(text) <= limit:
            return text
        cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
        return cut + "…"

    def search_index(self, pages: Sequence[Page]) -> list[list[str]]:
        """[url, title, kind, title words, other words] for every page a search may find, site pages first."""
        entries = []
        for page in pages:
            if page.path == "404.html":
                continue
            url = page.path[: -len("index.html")]
            node = page.context.get("node")
            if node is None:
                entries.append(
                    [url, page.title, "Page", search_text(page.title), _unique(search_text(page.description))]
                )
                continue
            text = search_text(node.text, node.quote, node.note, node.measures, figure_text(node), node.authors)
            entries.append([url, node.label, kind_label(node), search_text(node.label, node.outline_id), _unique(text)])
        return entries

    def description(self, page: Page) -> str:
        """The page's meta description: the node's own words, or the site page's summary."""
        node = page.context.get("node")
        if node is None:
            return page.description
        what = kind_label(node)
        body = self.preview(node, 150)
        if not body or body == node.label:
            body = "Its place in the argument map of the debate, what bears on it and the data behind it."
        return f"{what}: {node.label}. {body}"

    # ------------------------------------------------------------------------ the map's data
    def graph_data(self) -> dict:
        model = self.model
        nodes = []
        view_of: dict[str, list[str]] = {}
        for view, members in self.views.items():
            for member in members:
                view_of.setdefault(member, []).append(curie(view))
        section_of: dict[str, list[str]] = {}
        for section, members in self.sections.items():
            for member in members:
                section_of.setdefault(member, []).append(curie(section))
        counts: dict[str, int] = {}
        for node in model.map_nodes():
            x, y = self.layout.positions[node.iri]
            counts[node.kind] = counts.get(node.kind, 0) + 1
            item = {
                "id": curie(node.iri),
                "label": node.label,
                "kind": node.kind,
                "kindLabel": kind_label(node),
                "x": x,
                "y": y,
                "layer": self.layout.layers[node.iri],
                "tier": self.levels.tiers[node.iri],
                "page": self.page(node),
                "search": node_search_text(node),
                "sections": sorted(section_of.get(node.iri, [])),
                "views": sorted(view_of.get(node.iri, [])),
            }
            for key, value in (
                ("text", node.text or node.note),
                ("quote", node.quote),
                ("section", self.section_title(node.section)),
                ("figure", figure_text(node)),
                ("asOf", node.as_of),
                ("outline", node.outline_id or node.figure_id),
                ("locator", node.locator),
            ):
                if value:
                    item[key] = value
            if node.is_thesis:
                item["thesis"] = True
            parent = self.levels.parents[node.iri]
            if parent:
                item["parent"] = curie(parent)
            if node.iri in self.map_statuses:
                item["status"] = self.map_statuses[node.iri]
            if node.source:
                item["source"] = self.label(node.source)
            nodes.append(item)
        on_map = {n.iri for n in model.map_nodes()}
        pairs: dict[tuple[str, str], set[str]] = {}
        for edge in model.edges:
            if edge.source in on_map and edge.target in on_map:
                pairs.setdefault((edge.source, edge.target), set()).add(edge.relation)
        rank = {r: i for i, r in enumerate(RELATION_STYLE)}
        edges: list[dict[str, Any]] = []
        for (source, target), relations in sorted(pairs.items()):
            ordered = sorted(relations, key=lambda r: rank.get(r, 99))
            edges.append({"from": curie(source), "to": curie(target), "relation": ordered[0], "relations": ordered})
        kinds = [
            {
                "id": k,
                "label": KIND_LABELS[k][0],
                "plural": KIND_LABELS[k][1],
                "count": counts.get(k, 0),
                **KIND_STYLE[k],
            }
            for k in MAP_KINDS
        ]
        relations_used: list[str] = sorted({e["relation"] for e in edges}, key=lambda r: rank.get(r, 99))
        legend = [{"id": r, "label": RELATION_LABELS[r], **RELATION_STYLE[r]} for r in relations_used]
        sections = [
            {"id": curie(s.iri), "label": self.section_title(s.iri)} for s in model.sections() if s.iri in self.sections
        ]
        views = [{"id": curie(v.iri), "label": v.label} for v in model.of_kind("view")]
        statuses_used = sorted(set(self.map_statuses.values()), key=lambda v: list(STATUS_STYLE).index(v))
        return {
            "nodes": nodes,
            "edges": edges,
            "kinds": kinds,
            "relations": legend,
            "sections": sections,
            "views": views,
            "statuses": [{"id": v, **STATUS_STYLE[v]} for v in statuses_used],
            "levels": {
                "firstTiers": self.levels.first_tiers,
                "xStep": X_STEP,
                "rowStep": COMPACT_ROW_STEP,
                "layerStep": COMPACT_LAYER_STEP,
                "perRow": MAX_ROW,
            },
        }

    # ------------------------------------------------------------------------ the map's static preview
    def map_preview(self, per_row: int, max_tier: int | None = None) -> dict[str, Any]:
        """The first view of the map as data for an inline SVG (no script): boxes at `compact_layout`
        positions with wrapped labels, and lines for the argument edges between them (or to the nearest
        drawn ancestor, through what is folded). Deterministic; the size is bounded by the first view's budget."""
        levels = self.levels
        limit = levels.first_tiers if max_tier is None else min(max_tier, levels.first_tiers)
        members = [iri for iri in levels.first_view if levels.tiers[iri] < limit]
        drawn = set(members)
        positions = compact_layout(self.layout, members, per_row=per_row)
        width, line_height, pad = X_STEP - 24, 17, 8
        boxes = []
        for iri in sorted(members, key=lambda i: (positions[i][1], positions[i][0])):
            node = self.model.nodes[iri]
            lines = textwrap.wrap(node.label, 21 if node.is_thesis else 24, max_lines=3, placeholder=" …") or [""]
            height = (len(lines) + 1) * line_height + 2 * pad
            x, y = positions[iri]
            style = KIND_STYLE[node.kind]
            boxes.append(
                {
                    "node": node,
                    "x": x - width // 2,
                    "y": y - height // 2,
                    "cx": x,
                    "cy": y,
                    "width": width,
                    "height": height,
                    "lines": [
                        (y - height // 2 + pad + line_height * (i + 1) - 4, text) for i, text in enumerate(lines)
                    ],
                    "fill": style["color"],
                    "stroke": style["border"],
                    "thesis": node.is_thesis,
                }
            )

        def ancestor(iri: str) -> str | None:
            parent = levels.parents.get(iri)
            while parent is not None and parent not in drawn:
                parent = levels.parents.get(parent)
            return parent

        folded: dict[str, dict[str, int]] = {}
        for iri in levels.tiers:
            if iri not in drawn and (owner := ancestor(iri)) is not None:
                kind = self.model.nodes[iri].kind
                folded.setdefault(owner, {}).setdefault(kind, 0)
                folded[owner][kind] += 1
        for box in boxes:
            counts = folded.get(box["node"].iri, {})
            words = " · ".join(
                f"{counts[k]} {KIND_LABELS[k][0 if counts[k] == 1 else 1].lower()}" for k in MAP_KINDS if counts.get(k)
            )
            wrapped = textwrap.wrap("+ " + words, 27, max_lines=2, placeholder=" …") if words else []
            bottom = box["y"] + box["height"]
            box["height"] += line_height * max(0, len(wrapped) - 1)
            box["folded"] = [(bottom - 9 + line_height * i, text) for i, text in enumerate(wrapped)]
        box_of = {b["node"].iri: b for b in boxes}

        lines_drawn: dict[tuple[str, str], str] = {}
        for edge in self.model.edges:
            if edge.source in drawn and edge.target in drawn and edge.relation in RELATION_STYLE:
                lines_drawn.setdefault((edge.source, edge.target), edge.relation)
        for iri in members:
            up = ancestor(iri)
            if up is not None and (iri, up) not in lines_drawn:
                lines_drawn[(iri, up)] = "folded"
        edges = []
        for (source, target), relation in sorted(lines_drawn.items()):
            y1, y2 = positions[source][1], positions[target][1]
            if y1 == y2:
                continue
            low, high = (box_of[source], box_of[target]) if y1 > y2 else (box_of[target], box_of[source])
            style = RELATION_STYLE.get(relation, {"color": "#9ca3af", "dashes": [4, 4]})
            dashes = style.get("dashes")
            edges.append(
                {
                    "x1": low["cx"],
                    "y1": low["y"],
                    "x2": high["cx"],
                    "y2": high["y"] + high["height"],
                    "color": style["color"],
                    "dash": " ".join(str(d) for d in dashes) if dashes else None,
                }
            )
        xs = [b["x"] for b in boxes] + [b["x"] + b["width"] for b in boxes]
        ys = [b["y"] for b in boxes] + [b["y"] + b["height"] for b in boxes]
        left, top = (min(xs) - 10, min(ys) - 10) if boxes else (0, 0)
        right, bottom = (max(xs) + 10, max(ys) + 10) if boxes else (10, 10)
        return {
            "boxes": boxes,
            "edges": edges,
            "view_box": f"{left} {top} {right - left} {bottom - top}",
            "width": right - left,
            "height": bottom - top,
            "count": len(boxes),
            "folded": len(self.levels.tiers) - len(boxes),
        }


#: How the map marks a statement's argument status (its border), as `Site.map_statuses` gives it.
STATUS_STYLE: dict[str, dict[str, str]] = {
    "accepted": {"label": "accepted", "color": "#15803d"},
    "undecided": {"label": "undecided", "color": "#a16207"},
    "rejected": {"label": "rejected", "color": "#b91c1c"},
}


#: What the map's panel and search read of a node, loaded after the first drawing (static/graph-details.js):
#: the drawing needs only the rest (static/graph.js), so it does not wait for the longest texts.
DETAIL_KEYS = ("search", "text", "quote", "source", "locator", "section", "figure", "asOf")


def split_graph(graph: dict) -> tuple[dict, dict[str, dict]]:
    """The map's data in two: everything but the nodes' `DETAIL_KEYS`, and those by node id."""
    nodes, details = [], {}
    for node in graph["nodes"]:
        nodes.append({k: v for k, v in node.items() if k not in DETAIL_KEYS})
        details[node["id"]] = {k: node[k] for k in DETAIL_KEYS if k in node}
    return {**graph, "nodes": nodes}, details


_CURIE_IN_TEXT = re.compile(r"(?<![\w/.:-])[a-z][a-z0-9-]*:[A-Za-z0-9_][A-Za-z0-9_.~-]*[A-Za-z0-9_]")


def _unique(words: str) -> str:
    """The words of a search text, each once, in order of first use (a smaller index, the same matches)."""
    return " ".join(dict.fromkeys(words.split()))


def _environment(site: Site) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one build: each template is read once, not checked against its file for every page
    )
    env.filters["script_json"] = script_json
    env.filters["page"] = site.page
    env.globals.update(
        site=site,
        model=site.model,
        safe_url=safe_url,
        doi_url=doi_url,
        arxiv_url=arxiv_url,
        curie=curie,
        kind_style=KIND_STYLE,
        relation_style=RELATION_STYLE,
        relation_labels=RELATION_LABELS,
        relation_words=RELATION_WORDS,
        kind_labels=KIND_LABELS,
        map_kinds=MAP_KINDS,
        version=__version__,
        data_files=DATA_FILES,
        base_iri=BASE_IRI,
        kind_label=kind_label,
        figure_text=figure_text,
        am=AM,
    )
    return env


# ------------------------------------------------------------------------------------- the build
def _vis_network() -> bytes:
    try:
        path = resources.files("pyvis").joinpath(*VIS_PACKAGE_PATH)
        return path.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        raise BuildError(
            "vis-network 9.1.2 not found: the map's script is copied from the pyvis package "
            "(pyvis/lib/vis-9.1.2/vis-network.min.js); install it with `pip install pyvis`"
        ) from None


def _normal_base_url(base_url: str | None) -> str | None:
    if base_url is None or base_url == "":
        return None
    if not re.match(r"^https?://[^\s<>\"']+$", base_url):
        raise BuildError(f"--base-url must be an http(s) address, got {base_url!r}")
    return base_url if base_url.endswith("/") else base_url + "/"


def gather_pages(site: Site) -> list[Page]:
    """Every HTML page of the site, before anything is written."""
    model = site.model
    pages = [
        Page("index.html", "home.html", "The debate at a glance", nav="index.html", description=HOME_DESCRIPTION),
        Page("map/index.html", "map.html", "The argument map", nav="map/index.html", description=MAP_DESCRIPTION),
        Page("tree/index.html", "tree.html", "The debate tree", nav="tree/index.html", description=TREE_DESCRIPTION),
        Page(
            "outline/index.html",
            "outline.html",
            "The argument as an outline",
            nav="outline/index.html",
            description="The whole argument as nested text: the thesis, then what supports, attacks or answers "
            "each item, down to the evidence.",
        ),
        Page(
            "views/index.html",
            "views.html",
            "Opposing views and the paper's responses",
            nav="views/index.html",
            description="Each view that opposes the paper, who holds it, and every response with its evidence.",
        ),
        Page(
            "evidence/index.html",
            "evidence.html",
            "All evidence",
            nav="evidence/index.html",
            description="Every quote, figure and check in the debate: what it says, what it bears on, its source.",
        ),
        Page(
            "health/index.html",
            "health.html",
            "Evidence health",
            nav="health/index.html",
            description="Where the argument is thin: statements with no evidence, only the paper's own words, "
            "a single source, an outside check against them, or stale figures.",
        ),
        Page(
            "sources/index.html",
            "sources.html",
            "Sources",
            nav="sources/index.html",
            description="The bibliography of the debate: every source its evidence and statements cite.",
        ),
        Page(
            "data/index.html",
            "data.html",
            "Download the data",
            nav="data/index.html",
            description="The argument graph as Turtle, N-Triples and JSON-LD, with a VoID description and BibTeX.",
        ),
        Page("404.html", "404.html", "Page not found", description="There is no page at this address."),
    ]
    for iri, folder in sorted(site.pages.items(), key=lambda item: item[1]):
        node = model.nodes[iri]
        pages.append(Page(folder + "index.html", "node.html", node.label, {"node": node}))
    return pages


def _clean_stale(out_dir: Path, written: Iterable[str]) -> list[str]:
    """Remove files an earlier build wrote that this one did not (the manifest lists them), and empty folders."""
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        return []
    try:
        previous = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError):
        return []
    keep = set(written)
    removed = []
    root = out_dir.resolve()
    for name in previous:
        if not isinstance(name, str) or name in keep:
            continue
        path = (out_dir / name).resolve()
        if root not in path.parents or not path.is_file():
            continue
        path.unlink()
        removed.append(name)
        parent = path.parent
        while parent != root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return sorted(removed)


#: Links out of a node that its page shows in its header and facts, not under "Named in it".
_LINKS_SHOWN_ELSEWHERE = frozenset({str(AM.inSection), str(AM.statedIn), str(AM.contributedBy)})


class Snippets:
    """The macros that print one node wherever it is named (kind_badge, link, node_link, status_badges in
    _macros.html), rendered once per node for pages at one depth (`root`) and then reused: a node is named on many
    pages, and a Jinja macro call costs far more than a dict lookup. The markup stays in the template's
    render_* macros; this only remembers what they returned. At most LIMIT entries are kept (the cache starts
    afresh when full; 0 caches nothing), so that memory stays bounded at 100k nodes; what a page says never
    depends on it."""

    LIMIT = 60_000

    def __init__(self, env: Environment, root: str):
        self._env = env
        self.root = root
        self._macros: Any = None
        self._cache: dict[tuple[str, str, bool], Markup] = {}

    def _render(self, macro: str, iri: str, *args: Any, badge: bool = False) -> Markup:
        key = (macro, iri, badge)
        found = self._cache.get(key)
        if found is None:
            if self._macros is None:
                self._macros = self._env.get_template("_macros.html").make_module({"root": self.root, "snip": self})
            found = getattr(self._macros, "render_" + macro)(*args)
            if len(self._cache) >= self.LIMIT:
                self._cache.clear()
            if self.LIMIT:
                self._cache[key] = found
        return found

    def kind_badge(self, node: Node) -> Markup:
        return self._render("kind_badge", node.iri, node)

    def link(self, iri: str) -> Markup:
        return self._render("link", iri, iri)

    def node_link(self, node: Node, badge: bool = True) -> Markup:
        return self._render("node_link", node.iri, node, bool(badge), badge=bool(badge))

    def status_badges(self, node: Node) -> Markup:
        return self._render("status_badges", node.iri, node)


def _render_pages(
    env: Environment,
    site: Site,
    pages: list[Page],
    graph: dict,
    sizes: dict[str, int],
    put: Callable[[str, bytes], None],
) -> None:
    """Render each page and hand it to `put` (which writes it) before rendering the next."""
    base_url = site.base_url
    nav = [*NAV, CONSOLE_NAV] if site.console else list(NAV)
    not_found = {
        "base": base_url or "./",
        "style": Markup(NOT_FOUND_STYLE),  # our constant: no '<', so it cannot end the element
        "style_hash": _csp_hash(NOT_FOUND_STYLE),
        "script": None if base_url else Markup(NOT_FOUND_SCRIPT),
        "script_hash": "none" if base_url else _csp_hash(NOT_FOUND_SCRIPT),
    }
    snippets: dict[str, Snippets] = {}
    for page in pages:
        template = env.get_template(page.template)  # Jinja's cache: each template is loaded once per build
        snip = snippets.get(page.root) or snippets.setdefault(page.root, Snippets(env, page.root))
        canonical = (
            (base_url + page.path[: -len("index.html")]) if base_url and page.path.endswith("index.html") else None
        )
        html = template.render(
            page=page,
            root=page.root,
            nav=nav,
            canonical=canonical,
            graph=graph,
            sizes=sizes,
            not_found=not_found,
            snip=snip,
            **page.context,
        )
        put(page.path, html.encode("utf-8"))


#: A build renders its pages in this many processes at most (`jobs`), and by default in one when it has fewer than
#: PARALLEL_FROM pages (starting the workers costs more than a small site takes to render) or PARALLEL_UNTIL or
#: more: each worker comes to hold its own copy of much of the shared model (Python's reference counts write to
#: the objects a worker reads), which at 100k nodes (79k pages) took two workers and their parent from 1.4 to
#: 2.4 GB (benchmarks/README.md). `--jobs` overrides the default either way.
MAX_JOBS = 4
PARALLEL_FROM = 2_000
PARALLEL_UNTIL = 40_000

#: What the worker processes of a parallel build render: set before they are forked, read by `_render_share`.
_SHARED: tuple | None = None


def default_jobs() -> int:
    """One rendering process per CPU this process may run on, at most MAX_JOBS; 1 where processes cannot be
    forked (they inherit the built model instead of rebuilding it)."""
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "darwin":
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_JOBS))


def _quiet_on_interrupt() -> None:
    """In a worker: Ctrl-C is the parent's to handle (it stops the workers); a worker printing a traceback
    of its own for it would be noise."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _render_share(share: int) -> dict[str, int]:
    """In a worker: render every `jobs`-th page from `share` on, write each, return {name: bytes written}."""
    assert _SHARED is not None
    env, site, pages, graph, sizes, out_dir, jobs = _SHARED
    written: dict[str, int] = {}

    def put(name: str, data: bytes) -> None:
        write_file(out_dir, name, data)
        written[name] = len(data)

    _render_pages(env, site, pages[share::jobs], graph, sizes, put)
    return written


def _render_in_workers(
    env: Environment, site: Site, pages: list[Page], graph: dict, sizes: dict[str, int], out_dir: Path, jobs: int
) -> dict[str, int] | None:
    """Render the pages in `jobs` forked processes, each a share of them (every jobs-th page, so that each
    share holds every kind); return {name: bytes written}, or None when the processes cannot be started (no
    semaphores in a sandbox, no processes left): then nothing was rendered. A page's bytes do not depend on
    which process rendered it: the workers share the model, the analysis and the layout computed here."""
    global _SHARED
    site.prepare()  # computed once, here, not once per worker
    _SHARED = (env, site, pages, graph, sizes, out_dir, jobs)
    try:
        try:
            pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_quiet_on_interrupt)
        except OSError:
            return None
        with pool:
            shares = pool.map(_render_share, range(jobs), chunksize=1)
    finally:
        _SHARED = None
    return {name: size for share in shares for name, size in share.items()}


def build_site(
    loaded: Loaded,
    out_dir: str | Path = "site",
    *,
    base_url: str | None = None,
    queries: Sequence[NamedQuery] | None = None,
    console: ConsoleMaker = make_console,
    jobs: int | None = None,
) -> BuildResult:
    """Render the debate in `loaded` (data the caller has validated) into `out_dir`; never prints.

    First the name of every file (data downloads, scripts, the query console, every page) is known and checked
    to stay inside `out_dir`; then each file is made and written in turn, leaving unchanged files alone, and
    the files an earlier build wrote that this one did not are removed. `queries` (default: the named
    queries) go to the query console that `console` makes; when it cannot be made (`ConsoleUnavailable`) the
    site is built without it and `BuildResult.console_note` says why. `jobs`: how many processes render the
    pages (default `default_jobs()` for a site of PARALLEL_FROM to PARALLEL_UNTIL pages, else one; a site of
    fewer than PARALLEL_FROM pages is always rendered in this process). Returns what was written.
    """
    # Python's cyclic collector walks every live object at each full collection: at 10k nodes 13 of them took
    # 1.4 s, mostly walking the model and the site, which live until the end. Frozen, they are left alone (and
    # stay shared with forked page workers). Unless a caller has frozen objects of its own, left as they are.
    freeze = gc.get_freeze_count() == 0
    try:
        return _build_site(loaded, out_dir, base_url, queries, console, jobs, freeze)
    finally:
        if freeze:
            gc.unfreeze()


def _build_site(
    loaded: Loaded,
    out_dir: str | Path,
    base_url: str | None,
    queries: Sequence[NamedQuery] | None,
    console: ConsoleMaker,
    jobs: int | None,
    freeze: bool,
) -> BuildResult:
    """`build_site`'s work; `freeze`: move what is built before the pages into the collector's permanent
    generation (the caller unfreezes it)."""
    out_dir = Path(out_dir)
    base_url = _normal_base_url(base_url)
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"{out_dir}: exists and is not a folder")
    store = loaded.store
    vis = _vis_network()
    model = build_model(store)

    # the console first, since the navigation links to query/ only when there is one
    console_note = None
    try:
        made: Console | None = console(named_queries() if queries is None else queries)
    except ConsoleUnavailable as exc:
        made, console_note = None, str(exc)
    console_files = made.files if made is not None else {}

    site = Site(model, store, base_url, console=bool(console_files))
    env = _environment(site)
    pages = gather_pages(site)
    if freeze:  # the model and the site live to the end of the build: the collector need not walk them again
        gc.freeze()

    # every name this build writes, checked before the first file is written
    statics = {"static/" + path.name: path for path in sorted(STATIC.iterdir()) if path.is_file()}
    names = [path for path, _, _ in DATA_FILES.values()]
    names += [*statics, "static/vis-network.min.js", "static/graph.js", "static/graph-details.js"]
    names += ["static/search-index.js", *(page.path for page in pages)]
    if base_url:
        names.append("sitemap.xml")
    site_names = set(names)
    for name in console_files:
        if name in site_names:
            raise BuildError(f"the query console would overwrite the site's {name}")
    check_paths(out_dir, [*names, *console_files])
    sizes: dict[str, int] = {}

    def put(name: str, data: bytes) -> None:
        write_file(out_dir, name, data)
        sizes[name] = len(data)

    def put_chunks(name: str, chunks: Iterable[str]) -> None:  # a download too large to hold twice
        sizes[name] = write_chunks(out_dir, name, chunks)

    # data downloads: the store's triples read once for the three dumps and the VoID file
    dumps = {media: path for key, (path, media, _) in DATA_FILES.items() if key in ("turtle", "ntriples", "jsonld")}
    triples = [(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)]
    put_chunks(DATA_FILES["turtle"][0], export.turtle_chunks(triples, header=export.DUMP_HEADER))
    put_chunks(DATA_FILES["ntriples"][0], export.ntriples_lines(triples))
    put_chunks(DATA_FILES["jsonld"][0], export.jsonld_chunks(triples))
    put(DATA_FILES["void"][0], export.void(store, model, dumps, base_url, DATA_FILES["void"][0], triples).encode())
    del triples
    put(DATA_FILES["bibtex"][0], export.bibtex(model).encode())

    # static assets and the map's data (structure first; texts in a file loaded after the first drawing)
    for name, path in statics.items():
        put(name, path.read_bytes())
    put("static/vis-network.min.js", vis)
    graph = site.graph_data()
    structure, details = split_graph(graph)
    put("static/graph.js", ("window.ARGMAP_GRAPH = " + script_json(structure) + ";\n").encode())
    put("static/graph-details.js", ("window.ARGMAP_DETAILS = " + script_json(details) + ";\n").encode())

    # the pages, one at a time (the sizes they show are those of the files above)
    page_sizes = dict(sizes)
    put("static/search-index.js", ("window.ARGMAP_SEARCH = " + script_json(site.search_index(pages)) + ";\n").encode())
    if jobs is None:
        jobs = default_jobs() if PARALLEL_FROM <= len(pages) < PARALLEL_UNTIL else 1
    rendered = None
    if jobs > 1 and len(pages) >= PARALLEL_FROM:
        rendered = _render_in_workers(env, site, pages, graph, page_sizes, out_dir, jobs)
    if rendered is None:
        _render_pages(env, site, pages, graph, page_sizes, put)
    else:
        sizes.update(rendered)
    if base_url:
        urls = "".join(
            f"  <url><loc>{base_url}{p.path[: -len('index.html')]}</loc></url>\n"
            for p in sorted(pages, key=lambda p: p.path)
            if p.path.endswith("index.html")
        )
        put(
            "sitemap.xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n"
            ).encode(),
        )
    for name, data in sorted(console_files.items()):
        put(name, data)

    written = sorted(sizes)
    removed = _clean_stale(out_dir, [*written, MANIFEST])
    manifest = json.dumps({"generator": f"argmap {__version__}", "files": written}, indent=1, sort_keys=True) + "\n"
    (out_dir / MANIFEST).write_text(manifest, encoding="utf-8", newline="\n")

    counts: dict[str, int] = {"pages": len(pages)}
    for page in pages:
        kind = page.context["node"].kind if "node" in page.context else "site"
        counts[kind] = counts.get(kind, 0) + 1
    return BuildResult(
        out_dir=out_dir,
        files={name: sizes[name] for name in written},
        pages=len(pages) + (1 if site.console else 0),
        counts=counts,
        triples=len(store),
        sources=[str(p) for p in loaded.paths],
        console_files=sorted(console_files),
        console_origin=made.origin if made is not None and console_files else None,
        console_note=console_note,
        removed=removed,
    )


def digest(out_dir: str | Path) -> str:
    """SHA-256 over every file of a built site (names and bytes): equal digests, identical sites."""
    out_dir = Path(out_dir)
    h = hashlib.sha256()
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        h.update(path.relative_to(out_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


__all__ = ["BuildError", "BuildResult", "DATA_FILES", "build_site", "digest"]
