"""Stage 3: the argument as a networkx graph — degrees, thin support, and a still, layered layout.

The layout is computed here, at build time, so the map in the browser never runs physics:
the thesis on top, every reason one layer below what it bears on (longest path, so an edge always points
up), sources in a band at the bottom, and the nodes of each layer ordered by the barycentre of their
neighbours (a few sweeps down and up) to keep lines short and crossings few.

The map draws this layout in levels of detail (`map_levels`): every map node has a tier (the argument's
skeleton first: thesis and conclusions, then challenges, principles and views, then responses, then the
other statements, evidence and inferences, sources) and a fold parent (what it bears on, one step up the
layers, so the fold links form a forest). The first view draws the top tiers that fit a budget; every other
node is folded into its nearest drawn ancestor and counted there until the reader opens it. A drawn set is
laid out by `compact_layout`: the global layer is the row, the global order within the layer is the order,
empty layers are dropped and long rows wrap (the browser runs the same rule for the sets it draws later).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from .model import ARGUMENT_RELATIONS, MAP_KINDS, STATEMENT_KINDS, Model, Node

#: Horizontal distance between neighbours, vertical distance between layers and between wrapped rows.
X_STEP = 210
LAYER_STEP = 190
ROW_STEP = 95
#: A layer wider than this is wrapped onto several rows.
MAX_ROW = 24
#: Vertical steps of the map's reflowed views (`compact_layout`): few nodes, wrapped labels with a count line.
COMPACT_ROW_STEP = 140
COMPACT_LAYER_STEP = 190


def argument_graph(model: Model, include_cites: bool = True) -> nx.DiGraph:
    """Map nodes and the edges between them; an edge keeps every relation it stands for, sorted."""
    graph = nx.DiGraph()
    for node in model.map_nodes():
        graph.add_node(node.iri, kind=node.kind)
    for edge in model.edges:
        if edge.source not in graph or edge.target not in graph:
            continue
        if edge.relation == "cites" and not include_cites:
            continue
        if graph.has_edge(edge.source, edge.target):
            relations = graph.edges[edge.source, edge.target]["relations"]
            graph.edges[edge.source, edge.target]["relations"] = tuple(sorted(set(relations) | {edge.relation}))
        else:
            graph.add_edge(edge.source, edge.target, relations=(edge.relation,))
    return graph


def degrees(graph: nx.DiGraph) -> dict[str, tuple[int, int]]:
    """(in-degree, out-degree) of every node."""
    return {n: (graph.in_degree(n), graph.out_degree(n)) for n in sorted(graph.nodes)}


def evidence_sources(model: Model, iri: str) -> list[str]:
    """Every source a statement rests on: what it cites, and the sources of the evidence bearing on it
    (supporting or qualifying it), in IRI order."""
    found = {e.target for e in model.outgoing(iri, "cites")}
    for edge in model.incoming(iri, "supports", "qualifies"):  # as model.evidence_for, without sorting twice
        evidence = model.nodes.get(edge.source)
        if evidence is not None and evidence.kind == "evidence" and evidence.source:
            found.add(evidence.source)
    return sorted(found)


def single_source_statements(model: Model, outside_only: bool = True) -> list[tuple[Node, str]]:
    """Statements whose evidence all comes from one source: (statement, that source).

    With `outside_only`, the paper itself (an am:Document, not an am:Source) does not count, so the list
    shows the claims that rest on exactly one outside source.
    """
    result = []
    for node in model.of_kind(*STATEMENT_KINDS):
        sources = evidence_sources(model, node.iri)
        if outside_only:
            sources = [s for s in sources if (found := model.node(s)) is not None and found.kind == "source"]
        if len(sources) == 1:
            result.append((node, sources[0]))
    return result


@dataclass(frozen=True)
class Layout:
    positions: dict[str, tuple[int, int]]
    layers: dict[str, int]


def _longest_to_sink(graph: nx.DiGraph) -> dict[str, int]:
    """For each node, the length of the longest path to a node without outgoing edges (cycles collapsed)."""
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]  # node -> component
    depth: dict[int, int] = {}
    for component in reversed(list(nx.topological_sort(condensed))):
        successors = list(condensed.successors(component))
        depth[component] = 0 if not successors else 1 + max(depth[s] for s in successors)
    return {node: depth[component] for node, component in members.items()}


def layered_layout(model: Model) -> Layout:
    """Positions (integer x, y) for every map node: deterministic, with the thesis at the top."""
    graph = argument_graph(model)
    order_key = {n.iri: i for i, n in enumerate(model.map_nodes())}
    is_source = {n: model.nodes[n].kind == "source" for n in graph.nodes}
    argument = nx.DiGraph()
    argument.add_nodes_from(n for n in graph.nodes if not is_source[n])
    argument.add_edges_from(
        (u, v)
        for u, v, d in graph.edges(data=True)
        if u in argument and v in argument and any(r in ARGUMENT_RELATIONS for r in d["relations"])
    )

    theses = [n.iri for n in model.theses() if n.iri in argument]
    layers: dict[str, int] = {}
    loose: list[str] = []
    if theses:
        # only paths that end at a thesis count for placing the nodes that reach it
        reaching = set(theses)
        for thesis in theses:
            reaching |= nx.ancestors(argument, thesis)
        sub = argument.subgraph(reaching).copy()
        sub.remove_edges_from([(u, v) for u, v in list(sub.edges) if u in theses])
        layers.update(_longest_to_sink(sub))
    rest = argument.subgraph([n for n in argument.nodes if n not in layers]).copy()
    for component in sorted(nx.weakly_connected_components(rest), key=lambda c: min(order_key[n] for n in c)):
        if len(component) == 1 and argument.degree(next(iter(component))) == 0:
            loose.extend(component)
            continue
        depth = _longest_to_sink(rest.subgraph(component).copy())
        # an island hangs below what it points at in the placed graph, else one layer below the thesis
        base = 1
        for node in component:
            for target in argument.successors(node):
                if target in layers:
                    base = max(base, layers[target] + 1 - depth[node])
        for node, d in depth.items():
            layers[node] = base + d
    lowest = max(layers.values(), default=-1)
    for node in loose:  # statements or evidence linked to nothing: a band of their own
        layers[node] = lowest + 1
    lowest = max(layers.values(), default=-1)
    for node in graph.nodes:  # the bibliography: one band at the bottom
        if is_source[node]:
            layers[node] = lowest + 1

    rows: dict[int, list[str]] = defaultdict(list)
    for node in sorted(graph.nodes, key=lambda n: order_key[n]):
        rows[layers[node]].append(node)
    ordered = _order_layers(graph, rows, order_key)
    return Layout(positions=_coordinates(ordered), layers=dict(sorted(layers.items())))


def _order_layers(graph: nx.DiGraph, rows: dict[int, list[str]], order_key: dict[str, int]) -> dict[int, list[str]]:
    """Barycentre ordering: each layer sorted by the mean position of its neighbours in the adjacent layer."""
    undirected = graph.to_undirected(as_view=True)
    layer_of = {n: k for k, nodes in rows.items() for n in nodes}
    keys = sorted(rows)
    position = {n: i / max(1, len(rows[k]) - 1) for k in keys for i, n in enumerate(rows[k])}
    # each node's neighbours in the layers above and below it, in the graph's order: found once, not per sweep
    above: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    for node, k in layer_of.items():
        neighbours = list(undirected.neighbors(node))
        above[node] = [m for m in neighbours if layer_of[m] < k]
        below[node] = [m for m in neighbours if layer_of[m] > k]

    def sweep(sequence: list[int], direction: int) -> None:
        toward = above if direction > 0 else below
        for k in sequence:

            def bary(node: str) -> tuple:
                near = [position[m] for m in toward[node]]
                mean = sum(near) / len(near) if near else position[node]
                return (round(mean, 9), order_key[node])

            rows[k] = sorted(rows[k], key=bary)
            for i, n in enumerate(rows[k]):
                position[n] = i / max(1, len(rows[k]) - 1)

    for _ in range(4):
        sweep(keys[1:], +1)
        sweep(list(reversed(keys[:-1])), -1)
    sweep(keys[1:], +1)
    return rows


def _coordinates(
    rows: dict[int, list[str]],
    per_row: int = MAX_ROW,
    x_step: int = X_STEP,
    row_step: int = ROW_STEP,
    layer_step: int = LAYER_STEP,
) -> dict[str, tuple[int, int]]:
    """Each layer's nodes on rows of at most `per_row`, centred on x = 0; a wrapped layer's odd rows staggered."""
    positions: dict[str, tuple[int, int]] = {}
    y = 0
    for k in sorted(rows):
        nodes = rows[k]
        count = math.ceil(len(nodes) / per_row)
        size = math.ceil(len(nodes) / count) if nodes else 0
        for r in range(count):
            chunk = nodes[r * size : (r + 1) * size]
            offset = (len(chunk) - 1) * x_step / 2
            stagger = (x_step // 2) if (r % 2 and count > 1) else 0
            for i, node in enumerate(chunk):
                positions[node] = (int(round(i * x_step - offset + stagger)), y)
            y += row_step
        y += layer_step - row_step
    return dict(sorted(positions.items()))


#: The map's levels of detail: tier -> kinds (tier 0, the thesis and conclusions, is told apart in `node_tier`).
MAP_TIERS: tuple[tuple[str, ...], ...] = (
    (),  # the thesis and the conclusions
    ("challenge", "principle", "view"),
    ("response",),
    ("claim", "example", "implication"),
    ("evidence", "inference"),
    ("source",),
)
#: The most nodes the map's first view draws (whole tiers only; the thesis tier always).
FIRST_VIEW_BUDGET = 60
#: Which outgoing relation names a node's fold parent first (what the node is chiefly about).
FOLD_PREFERENCE = (
    "responds-to",
    "attacks",
    "undercuts",
    "instantiates",
    "in-category",
    "supports",
    "qualifies",
    "concludes",
    "premise",
)


def node_tier(node: Node) -> int:
    """The map tier of a node: 0 for the thesis and conclusions, else its kind's tier (`MAP_TIERS`)."""
    if node.is_thesis or node.is_conclusion:
        return 0
    for tier, kinds in enumerate(MAP_TIERS):
        if node.kind in kinds:
            return tier
    return len(MAP_TIERS)


@dataclass(frozen=True)
class MapLevels:
    """The map's levels of detail: each node's tier and fold parent, and the tiers the first view draws."""

    tiers: dict[str, int]
    parents: dict[str, str | None]
    first_tiers: int  # the first view draws the nodes of tier < first_tiers

    @property
    def first_view(self) -> list[str]:
        return sorted(n for n, t in self.tiers.items() if t < self.first_tiers)


def map_levels(model: Model, layout: Layout, budget: int = FIRST_VIEW_BUDGET) -> MapLevels:
    """Tiers and fold parents of every map node (deterministic; a forest, since a parent is always on a
    higher layer than its child, or is a source's citer).

    A statement's, evidence item's or inference's parent is what it bears on, by `FOLD_PREFERENCE`, among
    the targets on a higher layer; the thesis tier has none. A source's parent is what cites it, the one of
    the highest tier (then the first in the model's order). The first view takes whole tiers while they fit
    `budget` nodes, and always the thesis tier.
    """
    nodes = model.map_nodes()
    order = {n.iri: i for i, n in enumerate(nodes)}
    tiers = {n.iri: node_tier(n) for n in nodes}
    layers = layout.layers
    rank = {r: i for i, r in enumerate(FOLD_PREFERENCE)}
    parents: dict[str, str | None] = {}
    for node in nodes:
        parent: str | None = None
        if tiers[node.iri] == 0:
            pass
        elif node.kind == "source":
            citers = [e.source for e in model.incoming(node.iri, "cites") if e.source in tiers]
            if citers:
                parent = min(citers, key=lambda c: (tiers[c], order[c]))
        else:
            candidates = [
                e
                for e in model.outgoing(node.iri, *FOLD_PREFERENCE)
                if e.target in tiers and layers[e.target] < layers[node.iri]
            ]
            if candidates:
                best = min(candidates, key=lambda e: (rank[e.relation], tiers[e.target], order[e.target]))
                parent = best.target
        parents[node.iri] = parent
    by_tier: dict[int, int] = defaultdict(int)
    for tier in tiers.values():
        by_tier[tier] += 1
    first, total = 1, by_tier[0]
    for tier in range(1, len(MAP_TIERS) + 1):
        if total + by_tier[tier] > budget:
            break
        total += by_tier[tier]
        first = tier + 1
    return MapLevels(tiers=dict(sorted(tiers.items())), parents=dict(sorted(parents.items())), first_tiers=first)


def compact_layout(
    layout: Layout, members: list[str], per_row: int = MAX_ROW, x_step: int = X_STEP
) -> dict[str, tuple[int, int]]:
    """Positions for drawing only `members`: one row per global layer that has members (top to bottom), the
    members in their global left-to-right order, rows longer than `per_row` wrapped and staggered; centred
    on x = 0. static/map.js's `compact` is the same rule."""
    rows: dict[int, list[str]] = defaultdict(list)
    for iri in sorted(members, key=lambda n: (layout.layers[n], layout.positions[n][0], n)):
        rows[layout.layers[iri]].append(iri)
    return _coordinates(rows, per_row, x_step, COMPACT_ROW_STEP, COMPACT_LAYER_STEP)


def _with_bearing_evidence(model: Model, found: set[str], statements: list[str]) -> set[str]:
    """Add to `found` the evidence and inferences bearing (transitively) on `statements`, and the sources
    of everything found that the map shows."""
    frontier = list(statements)
    while frontier:
        iri = frontier.pop()
        for edge in model.incoming(iri, "supports", "attacks", "qualifies", "undercuts", "concludes", "premise"):
            node = model.node(edge.source)
            if node is not None and node.kind in ("evidence", "inference") and edge.source not in found:
                found.add(edge.source)
                frontier.append(edge.source)
    for iri in list(found):
        for edge in model.outgoing(iri, "cites"):
            if (target := model.node(edge.target)) is not None and target.on_map:
                found.add(edge.target)
    return found


def view_members(model: Model) -> dict[str, list[str]]:
    """For each opposing view: the view, its responses, the evidence and inferences bearing on them and
    the sources of that evidence — what the map's view filter shows."""
    members: dict[str, list[str]] = {}
    for view in model.of_kind("view"):
        statements = [view.iri] + [r.iri for r in model.responses(view.iri)]
        members[view.iri] = sorted(_with_bearing_evidence(model, set(statements), statements))
    return members


def section_members(model: Model) -> dict[str, list[str]]:
    """For each section: its statements, the evidence and inferences bearing on them, and their sources."""
    members: dict[str, set[str]] = defaultdict(set)
    for node in model.map_nodes():
        if node.section:
            members[node.section].add(node.iri)
    for found in members.values():
        _with_bearing_evidence(model, found, [n for n in found if model.nodes[n].kind in STATEMENT_KINDS])
    return {s: sorted(found) for s, found in sorted(members.items())}


__all__ = [
    "COMPACT_LAYER_STEP",
    "COMPACT_ROW_STEP",
    "FIRST_VIEW_BUDGET",
    "MAP_KINDS",
    "MAP_TIERS",
    "Layout",
    "MapLevels",
    "argument_graph",
    "degrees",
    "evidence_sources",
    "compact_layout",
    "layered_layout",
    "map_levels",
    "node_tier",
    "section_members",
    "single_source_statements",
    "view_members",
]
