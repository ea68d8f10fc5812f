"""The debate tree: the argument from the thesis down, each statement's case for and case against.

The argument graph is not a tree: a response both attacks its view and supports the thesis, a piece of
evidence bears on several statements, and contributed data may hold cycles. The tree writes every node out
once, at its *home*: under the statement it attacks if it attacks one (a response sits under the view it
answers), else under the one it responds to, qualifies, supports, … (`HOME_RANK`). Everywhere else, and
wherever following an edge would come back to a node on the current path, the tree shows a reference ("see
above" / "see below") to the home position instead, so a cycle ends after one step. A node whose home is not
reachable (its preferred parent is itself only referenced, as in a cycle away from the thesis) is written
out where the walk first meets it. Work is linear in nodes and edges.

Nothing here renders: `debate_tree` returns `Position`s; the template draws them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Model, Node, curie

#: The relations a position's children are grouped by: the case for, the case against, qualifications.
FOR = ("supports", "instantiates", "in-category", "concludes")
AGAINST = ("attacks", "undercuts", "responds-to")
QUALIFY = ("qualifies",)

#: Which parent is a node's home, best first (the relation of the edge from the node to that parent).
HOME_RANK = {r: i for i, r in enumerate(("attacks", "undercuts", "responds-to", "qualifies", *FOR))}

#: Deeper than this the tree refers to node pages instead of nesting further (bounds the page and the recursion).
MAX_DEPTH = 40

#: The order children are listed in within a side.
_CHILD_RANK = {r: i for i, r in enumerate((*FOR, *QUALIFY, *AGAINST))}


@dataclass
class Position:
    """One entry of the tree: `node` reached from its parent by `relation` (None at the thesis)."""

    node: Node
    relation: str | None
    anchor: str  # the fragment of the position's URL: the node's CURIE
    path: list[Node] = field(default_factory=list)  # the ancestors, thesis first
    case_for: list[Position] = field(default_factory=list)
    case_against: list[Position] = field(default_factory=list)
    qualified_by: list[Position] = field(default_factory=list)
    ref: bool = False  # a reference to the node's home position, not the node written out
    ref_above: bool = False  # for a reference: whether the home comes earlier on the page
    ref_home: bool = True  # for a reference: whether the node is written out somewhere in the tree
    beneath: int = 0  # entries below this one when all is expanded (references count one each)
    order: int = 0  # document order of written-out positions

    @property
    def children(self) -> list[Position]:
        return [*self.case_for, *self.case_against, *self.qualified_by]


def _children(model: Model, iri: str) -> list[tuple[str, Node]]:
    """(relation, node) for every argument edge into `iri` the tree follows, in reading order."""
    found: dict[str, tuple[str, Node]] = {}
    for edge in model.incoming(iri, *FOR, *AGAINST, *QUALIFY):
        node = model.node(edge.source)
        if node is None or not node.on_map or edge.source == iri:
            continue
        best = found.get(edge.source)
        if best is None or HOME_RANK[edge.relation] < HOME_RANK[best[0]]:
            found[edge.source] = (edge.relation, node)
    return sorted(found.values(), key=lambda rn: (_CHILD_RANK[rn[0]], rn[1].sort_key()))


def debate_tree(model: Model) -> list[Position]:
    """The tree below each thesis (usually one), every reachable node written out exactly once."""
    roots = model.theses()
    children = {}
    reachable: set[str] = set()
    stack = [t.iri for t in roots]
    while stack:
        iri = stack.pop()
        if iri in reachable:
            continue
        reachable.add(iri)
        children[iri] = _children(model, iri)
        stack.extend(n.iri for _, n in children[iri] if n.iri not in reachable)

    # each node's home: the reachable parent it bears on by the best-ranked relation
    home: dict[str, str] = {}
    current_key: dict[str, tuple] = {}
    for parent in sorted(reachable):
        for relation, node in children[parent]:
            key = (HOME_RANK[relation], model.nodes[parent].sort_key(), parent)
            if node.iri not in current_key or key < current_key[node.iri]:
                home[node.iri] = parent
                current_key[node.iri] = key
    root_iris = {t.iri for t in roots}

    written: set[str] = set()
    orphans: set[str] = set()

    def grow(node: Node, relation: str | None, path: list[Node]) -> Position:
        position = Position(node, relation, curie(node.iri), path=path)
        written.add(node.iri)
        on_path = {n.iri for n in path} | {node.iri}
        inner = [*path, node]
        for rel, child in children.get(node.iri, []):
            expand = (
                len(path) < MAX_DEPTH
                and child.iri not in written
                and child.iri not in on_path
                and child.iri not in root_iris
                and (home.get(child.iri) == node.iri or child.iri in orphans)
            )
            entry = grow(child, rel, inner) if expand else Position(child, rel, curie(child.iri), path=inner, ref=True)
            side = (
                position.case_for if rel in FOR else position.qualified_by if rel in QUALIFY else position.case_against
            )
            side.append(entry)
        return position

    while True:
        written.clear()
        trees = [grow(t, None, []) for t in roots]
        missing = reachable - written
        if not missing or missing <= orphans:
            break
        orphans |= missing

    # document order, reference directions and counts
    counter = 0
    where: dict[str, int] = {}

    def number(position: Position) -> int:
        nonlocal counter
        if not position.ref:
            counter += 1
            position.order = counter
            where.setdefault(position.node.iri, counter)
        total = 0
        for child in position.children:
            total += 1 + number(child)
        position.beneath = total
        return total

    def direction(position: Position, before: int) -> None:
        for child in position.children:
            if child.ref:
                child.ref_home = child.node.iri in where
                child.ref_above = where.get(child.node.iri, 0) <= position.order
            else:
                direction(child, child.order)

    for tree in trees:
        number(tree)
    for tree in trees:
        direction(tree, tree.order)
    return trees
