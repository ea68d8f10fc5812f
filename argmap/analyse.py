"""Stage 3: the argument as a networkx graph — degrees, thin support, and a still, layered layout.

The layout is computed here, at build time, so the map in the browser is drawn once and never moves:
the thesis on top, every reason one layer below what it bears on (longest path, so an edge always points
up), sources in a band at the bottom, and the nodes of each layer ordered by the barycentre of their
neighbours (a few sweeps down and up) to keep lines short and crossings few.
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

    def sweep(sequence: list[int], direction: int) -> None:
        for k in sequence:

            def bary(node: str, k: int = k) -> tuple:
                near = [position[m] for m in undirected.neighbors(node) if (layer_of[m] - k) * direction < 0]
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


def _coordinates(rows: dict[int, list[str]]) -> dict[str, tuple[int, int]]:
    positions: dict[str, tuple[int, int]] = {}
    y = 0
    for k in sorted(rows):
        nodes = rows[k]
        count = math.ceil(len(nodes) / MAX_ROW)
        per_row = math.ceil(len(nodes) / count) if nodes else 0
        for r in range(count):
            chunk = nodes[r * per_row : (r + 1) * per_row]
            offset = (len(chunk) - 1) * X_STEP / 2
            stagger = (X_STEP // 2) if (r % 2 and count > 1) else 0
            for i, node in enumerate(chunk):
                positions[node] = (int(round(i * X_STEP - offset + stagger)), y)
            y += ROW_STEP
        y += LAYER_STEP - ROW_STEP
    return dict(sorted(positions.items()))


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
    "MAP_KINDS",
    "Layout",
    "argument_graph",
    "degrees",
    "evidence_sources",
    "layered_layout",
    "section_members",
    "single_source_statements",
    "view_members",
]
