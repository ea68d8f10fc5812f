"""Stage 2: the typed model of the debate, read from the store with SPARQL SELECTs (pyoxigraph).

Every later stage (analysis, map, pages) works from this model, never from raw triples: a `Node` per typed
IRI (statements, evidence, sources, inferences and the things they name), argument `Edge`s between them
and plain `Link`s (who holds a view, what an example involves, which section a statement is in).
Everything is sorted, so two models of the same data are equal and render to the same bytes.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pyoxigraph as ox

from .config import PREFIXES, RDF_TYPE, VOCAB_IRI, compact
from .query import named_query, select
from .vocab import AM

RDFS_LABEL = PREFIXES["rdfs"] + "label"


# ------------------------------------------------------------------------------------------- kinds
def local_name(term: str) -> str:
    """`Thesis` for am:Thesis: the name a vocabulary term has in `Node.types`."""
    return str(term)[len(VOCAB_IRI) :]


#: am: class (local name) -> the kind of node; the first matching class (most specific first) wins.
CLASS_KINDS: tuple[tuple[str, str], ...] = tuple(
    (local_name(term), kind)
    for term, kind in (
        (AM.Thesis, "claim"),
        (AM.Conclusion, "claim"),
        (AM.Claim, "claim"),
        (AM.ChallengeCategory, "challenge"),
        (AM.Principle, "principle"),
        (AM.Example, "example"),
        (AM.OpposingView, "view"),
        (AM.Response, "response"),
        (AM.Implication, "implication"),
        (AM.Statement, "claim"),
        (AM.EventReport, "evidence"),
        (AM.Quote, "evidence"),
        (AM.Figure, "evidence"),
        (AM.Check, "evidence"),
        (AM.Evidence, "evidence"),
        (AM.Source, "source"),
        (AM.Inference, "inference"),
        (AM.Paper, "paper"),
        (AM.Document, "paper"),
        (AM.PaperVersion, "version"),
        (AM.Section, "section"),
        (AM.Person, "person"),
        (AM.Organisation, "organisation"),
        (AM.ActorGroup, "group"),
        (AM.Model, "model"),
        (AM.Dataset, "dataset"),
        (AM.Supercomputer, "supercomputer"),
        (AM.Grant, "grant"),
        (AM.ComparisonTable, "table"),
        (AM.ComparedProject, "project"),
        (AM.Dimension, "dimension"),
        (AM.TableCell, "cell"),
    )
)

#: Kinds drawn on the map, in legend order.
MAP_KINDS: tuple[str, ...] = (
    "claim",
    "challenge",
    "principle",
    "example",
    "view",
    "response",
    "implication",
    "evidence",
    "inference",
    "source",
)
STATEMENT_KINDS = frozenset({"claim", "challenge", "principle", "example", "view", "response", "implication"})
KIND_ORDER = {
    kind: i
    for i, kind in enumerate(
        MAP_KINDS
        + (
            "paper",
            "version",
            "section",
            "person",
            "organisation",
            "group",
            "model",
            "dataset",
            "supercomputer",
            "grant",
            "table",
            "project",
            "dimension",
            "cell",
        )
    )
}

# --------------------------------------------------------------------------------------- relations
Relation = Literal[
    "supports",
    "attacks",
    "undercuts",
    "qualifies",
    "responds-to",
    "instantiates",
    "in-category",
    "premise",
    "concludes",
    "cites",
    "retracts",
    "supersedes",
]

#: predicate -> (relation, reversed?): `premise` is written inference -> premise but drawn premise -> inference.
RELATION_OF: dict[str, tuple[Relation, bool]] = {
    str(AM.supports): ("supports", False),
    str(AM.attacks): ("attacks", False),
    str(AM.undercuts): ("undercuts", False),
    str(AM.qualifies): ("qualifies", False),
    str(AM.respondsTo): ("responds-to", False),
    str(AM.instantiates): ("instantiates", False),
    str(AM.inCategory): ("in-category", False),
    str(AM.premise): ("premise", True),
    str(AM.conclusion): ("concludes", False),
    str(AM.citesAsEvidence): ("cites", False),
    str(AM.source): ("cites", False),
    str(AM.retracts): ("retracts", False),
    str(AM.supersedes): ("supersedes", False),
}

#: Relations that carry the argument (the outline and the layout follow these; `cites` does not).
ARGUMENT_RELATIONS = (
    "supports",
    "attacks",
    "undercuts",
    "qualifies",
    "responds-to",
    "instantiates",
    "in-category",
    "premise",
    "concludes",
)

#: Plain (non-argument) links read into `Link`s; the site has words for each (argmap.site.words.LINK_WORDS).
LINK_PREDICATES: frozenset[str] = frozenset(
    str(term)
    for term in (
        AM.heldBy,
        AM.assignsRoleTo,
        AM.addresses,
        AM.involves,
        AM.concerns,
        AM.usesInfrastructure,
        AM.developedBy,
        AM.operatedBy,
        AM.affiliation,
        AM.fundedBy,
        AM.funder,
        AM.fundedItem,
        AM.disclosedIn,
        AM.author,
        AM.contributedBy,
        AM.quotedFrom,
        AM.statedIn,
        AM.inSection,
        AM.partOf,
        AM.hasVersion,
        AM.modelledVersion,
        AM.inTable,
        AM.project,
        AM.dimension,
    )
)

#: Literal properties read into fields: predicate -> field name.
LITERAL_FIELDS: dict[str, str] = {
    RDFS_LABEL: "label",
    str(AM.text): "text",
    str(AM.outlineId): "outline_id",
    str(AM.order): "order",
    str(AM.quote): "quote",
    str(AM.locator): "locator",
    str(AM.note): "note",
    str(AM.measures): "measures",
    str(AM.value): "value",
    str(AM.minValue): "min_value",
    str(AM.maxValue): "max_value",
    str(AM.unit): "unit",
    str(AM.asOf): "as_of",
    str(AM.asOfNote): "as_of_note",
    str(AM.figureId): "figure_id",
    str(AM.authors): "authors",
    str(AM.year): "year",
    str(AM.url): "url",
    str(AM.doi): "doi",
    str(AM.arxivId): "arxiv_id",
    str(AM.venue): "venue",
    str(AM.accessed): "accessed",
    str(AM.refNumber): "ref_number",
    str(AM.sectionNumber): "section_number",
    str(AM.caption): "caption",
    str(AM.cellText): "cell_text",
    str(AM.country): "country",
    str(AM.role): "role",
    str(AM.versionLabel): "version_label",
    str(AM.issued): "issued",
    str(AM.openReviewId): "openreview_id",
}
#: Fields that may hold several values (joined with a blank line); the rest keep their first value.
MULTI_FIELDS = frozenset({"note", "role"})

_THESIS, _CONCLUSION = local_name(AM.Thesis), local_name(AM.Conclusion)
_EVIDENCE_KINDS = tuple(
    (local_name(term), name)
    for term, name in ((AM.Figure, "figure"), (AM.Check, "check"), (AM.EventReport, "event"), (AM.Quote, "quote"))
)


@dataclass(frozen=True, slots=True)
class Node:
    """Any typed IRI in the data: what it is (kind, am: classes) and the literal values it has."""

    iri: str
    kind: str
    label: str
    types: tuple[str, ...] = ()  # am: class local names, sorted
    text: str | None = None
    outline_id: str | None = None
    order: int | None = None
    section: str | None = None
    section_order: int | None = None  # the am:order of its section: reading order across the paper
    note: str | None = None
    # evidence
    quote: str | None = None
    locator: str | None = None
    source: str | None = None
    contributed_by: tuple[str, ...] = ()
    measures: str | None = None
    value: str | None = None
    min_value: str | None = None
    max_value: str | None = None
    unit: str | None = None
    as_of: str | None = None
    as_of_note: str | None = None
    figure_id: str | None = None
    # sources and documents
    authors: str | None = None
    year: str | None = None
    url: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    venue: str | None = None
    accessed: str | None = None
    ref_number: int | None = None
    openreview_id: str | None = None
    version_label: str | None = None
    issued: str | None = None
    # sections, tables and named things
    section_number: str | None = None
    caption: str | None = None
    cell_text: str | None = None
    country: str | None = None
    role: str | None = None

    @property
    def is_thesis(self) -> bool:
        return _THESIS in self.types

    @property
    def is_conclusion(self) -> bool:
        return _CONCLUSION in self.types

    @property
    def evidence_kind(self) -> str | None:
        """quote / figure / check for evidence, else None."""
        if self.kind != "evidence":
            return None
        for local, name in _EVIDENCE_KINDS:
            if local in self.types:
                return name
        return "evidence"

    @property
    def on_map(self) -> bool:
        return self.kind in MAP_KINDS

    @property
    def curie(self) -> str:
        return curie(self.iri)

    def sort_key(self) -> tuple:
        """Kind, then the paper's reading order (section, then order among siblings, then outline id)."""
        return (
            KIND_ORDER.get(self.kind, 99),
            0 if self.is_thesis else 1,
            self.section_order if self.section_order is not None else 10**6,
            self.order if self.order is not None else 10**6,
            0 if self.outline_id else 1,
            natural_key(self.outline_id or ""),
            self.label.casefold(),
            self.iri,
        )


@dataclass(frozen=True, slots=True)
class Edge:
    """An argument relation, from `source` to `target` (the map draws it so)."""

    source: str
    target: str
    relation: Relation


@dataclass(frozen=True, slots=True)
class Link:
    """A plain (non-argument) link between two IRIs: held by, involves, in section …"""

    source: str
    predicate: str
    target: str


@dataclass(frozen=True, slots=True)
class Reading:
    """A link (or fact) that is the project's reading of the paper, not the paper's words (am:ProjectReading)."""

    iri: str
    subject: str
    predicate: str
    object: str  # an IRI, or a literal's lexical form when `literal`
    literal: bool
    note: str
    read_by: tuple[str, ...] = ()

    @property
    def predicate_name(self) -> str:
        """`instantiates` for am:instantiates: the local name of the property."""
        return local_name(self.predicate) if self.predicate.startswith(VOCAB_IRI) else curie(self.predicate)


@dataclass(frozen=True, slots=True)
class Stake:
    """One row of the named query author-stakes: an author's stake in what a node cites or names."""

    person: str
    stake: str  # in words, as the query gives it ("co-wrote the source it cites")
    via: str  # what the stake runs through: the source, the organisation or the grant
    node: str  # the node that cites the source or names the organisation


@dataclass(frozen=True)
class Model:
    """The whole debate: nodes by IRI, argument edges, plain links, all sorted."""

    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    links: tuple[Link, ...]
    unknown: dict[str, str] = field(default_factory=dict)  # IRIs referred to but not typed: IRI -> label
    readings: tuple[Reading, ...] = ()  # the project's readings, sorted by subject, predicate, object
    stakes: tuple[Stake, ...] = ()  # the rows of the named query author-stakes

    # indexes, built once in __post_init__, so that every lookup below costs what it returns, not the model's size
    _out: dict[str, list[Edge]] = field(init=False, repr=False, compare=False)
    _in: dict[str, list[Edge]] = field(init=False, repr=False, compare=False)
    _out_by: dict[tuple[str, str], list[Edge]] = field(init=False, repr=False, compare=False)  # (iri, relation)
    _in_by: dict[tuple[str, str], list[Edge]] = field(init=False, repr=False, compare=False)
    _links_out: dict[str, list[Link]] = field(init=False, repr=False, compare=False)
    _links_in: dict[str, list[Link]] = field(init=False, repr=False, compare=False)
    _links_out_by: dict[tuple[str, str], list[Link]] = field(init=False, repr=False, compare=False)  # (iri, pred.)
    _readings_of: dict[str, list[Reading]] = field(init=False, repr=False, compare=False)  # subject or object IRI
    _stakes_of: dict[str, list[Stake]] = field(init=False, repr=False, compare=False)  # node or via IRI
    _links_in_by: dict[tuple[str, str], list[Link]] = field(init=False, repr=False, compare=False)
    _rank: dict[str, int] = field(init=False, repr=False, compare=False)  # IRI -> place in Node.sort_key order
    _ordered: tuple[Node, ...] = field(init=False, repr=False, compare=False)  # every node, in that order
    _kinds: dict[tuple[str, ...], tuple[Node, ...]] = field(init=False, repr=False, compare=False)  # of_kind's

    # ----------------------------------------------------------------------------- lookups
    def node(self, iri: str) -> Node | None:
        return self.nodes.get(iri)

    def label(self, iri: str) -> str:
        node = self.nodes.get(iri)
        if node is not None:
            return node.label
        return self.unknown.get(iri) or curie(iri)

    def of_kind(self, *kinds: str) -> list[Node]:
        found = self._kinds.get(kinds)
        if found is None:  # each distinct question is answered once, from the nodes in Node.sort_key order
            wanted = set(kinds)
            found = self._kinds[kinds] = tuple(n for n in self._ordered if n.kind in wanted)
        return list(found)

    def map_nodes(self) -> list[Node]:
        return self.of_kind(*MAP_KINDS)

    def theses(self) -> list[Node]:
        return [n for n in self.of_kind("claim") if n.is_thesis]

    def conclusions(self) -> list[Node]:
        return [n for n in self.of_kind("claim") if n.is_conclusion]

    def sections(self) -> list[Node]:
        """The sections in the paper's reading order (a subsection after its parent, before the next section)."""
        return sorted(
            self.of_kind("section"),
            key=lambda n: (
                n.section_order if n.section_order is not None else 10**6,
                natural_key(n.section_number or ""),
                n.iri,
            ),
        )

    def papers(self) -> list[Node]:
        return self.of_kind("paper")

    def outgoing(self, iri: str, *relations: str) -> list[Edge]:
        if len(relations) == 1:
            return list(self._out_by.get((iri, relations[0]), ()))
        return [e for e in self._out.get(iri, ()) if not relations or e.relation in relations]

    def incoming(self, iri: str, *relations: str) -> list[Edge]:
        if len(relations) == 1:
            return list(self._in_by.get((iri, relations[0]), ()))
        return [e for e in self._in.get(iri, ()) if not relations or e.relation in relations]

    def targets(self, iri: str, *relations: str) -> list[Node]:
        return self._sorted_nodes(e.target for e in self.outgoing(iri, *relations))

    def sources_of(self, iri: str, *relations: str) -> list[Node]:
        """Nodes with an edge of one of `relations` into `iri` (e.g. the responses to a view)."""
        return self._sorted_nodes(e.source for e in self.incoming(iri, *relations))

    def links_from(self, iri: str, predicate: str | None = None) -> list[Link]:
        if predicate is None:
            return list(self._links_out.get(iri, ()))
        return list(self._links_out_by.get((iri, str(predicate)), ()))

    def links_to(self, iri: str, predicate: str | None = None) -> list[Link]:
        if predicate is None:
            return list(self._links_in.get(iri, ()))
        return list(self._links_in_by.get((iri, str(predicate)), ()))

    def linked(self, iri: str, predicate: str) -> list[Node]:
        """The nodes `iri` links to with `predicate` (an IRI: `AM.heldBy`)."""
        return self._sorted_nodes(link.target for link in self.links_from(iri, predicate))

    def linking(self, iri: str, predicate: str) -> list[Node]:
        """The nodes linking to `iri` with `predicate` (an IRI: `AM.inTable`)."""
        return self._sorted_nodes(link.source for link in self.links_to(iri, predicate))

    def evidence_for(self, iri: str) -> list[tuple[str, Node]]:
        """(relation, evidence) for every piece of evidence bearing on `iri`, supports first."""
        result = []
        for relation in ("supports", "qualifies", "attacks", "undercuts"):
            for node in self.sources_of(iri, relation):
                if node.kind == "evidence":
                    result.append((relation, node))
        return result

    def readings_for(self, iri: str) -> list[Reading]:
        """The project's readings of links from or to `iri` (links the paper itself does not state)."""
        return list(self._readings_of.get(iri, ()))

    def stakes_for(self, iri: str) -> list[Stake]:
        """The authors' stakes in what `iri` cites or names, or that run through `iri` (a source they co-wrote)."""
        return list(self._stakes_of.get(iri, ()))

    def inferences_to(self, iri: str) -> list[Node]:
        return [n for n in self.sources_of(iri, "concludes") if n.kind == "inference"]

    def responses(self, view_iri: str) -> list[Node]:
        return [n for n in self.sources_of(view_iri, "responds-to") if n.kind == "response"]

    def _sorted_nodes(self, iris: Iterable[str]) -> list[Node]:
        """The nodes among `iris`, once each, in Node.sort_key order (a total order: the key ends in the IRI)."""
        rank = self._rank
        found = sorted({i for i in iris if i in rank}, key=rank.__getitem__)
        return [self.nodes[i] for i in found]

    def __post_init__(self) -> None:
        out: defaultdict[str, list[Edge]] = defaultdict(list)
        inc: defaultdict[str, list[Edge]] = defaultdict(list)
        out_by: defaultdict[tuple[str, str], list[Edge]] = defaultdict(list)
        in_by: defaultdict[tuple[str, str], list[Edge]] = defaultdict(list)
        for edge in self.edges:  # each list keeps the order of self.edges
            out[edge.source].append(edge)
            inc[edge.target].append(edge)
            out_by[(edge.source, edge.relation)].append(edge)
            in_by[(edge.target, edge.relation)].append(edge)
        lout: defaultdict[str, list[Link]] = defaultdict(list)
        lin: defaultdict[str, list[Link]] = defaultdict(list)
        lout_by: defaultdict[tuple[str, str], list[Link]] = defaultdict(list)
        lin_by: defaultdict[tuple[str, str], list[Link]] = defaultdict(list)
        for link in self.links:
            lout[link.source].append(link)
            lin[link.target].append(link)
            lout_by[(link.source, link.predicate)].append(link)
            lin_by[(link.target, link.predicate)].append(link)
        readings_of: defaultdict[str, list[Reading]] = defaultdict(list)
        for r in self.readings:  # each list keeps the order of self.readings; a literal object is no node
            for iri in {r.subject} if r.literal else {r.subject, r.object}:
                readings_of[iri].append(r)
        stakes_of: defaultdict[str, list[Stake]] = defaultdict(list)
        for stake in self.stakes:
            for iri in {stake.node, stake.via}:
                stakes_of[iri].append(stake)
        ordered = tuple(sorted(self.nodes.values(), key=Node.sort_key))
        set_ = object.__setattr__  # a frozen dataclass sets its indexes once, here
        set_(self, "_out", dict(out))
        set_(self, "_in", dict(inc))
        set_(self, "_out_by", dict(out_by))
        set_(self, "_in_by", dict(in_by))
        set_(self, "_links_out", dict(lout))
        set_(self, "_links_in", dict(lin))
        set_(self, "_links_out_by", dict(lout_by))
        set_(self, "_links_in_by", dict(lin_by))
        set_(self, "_rank", {n.iri: i for i, n in enumerate(ordered)})
        set_(self, "_ordered", ordered)
        set_(self, "_kinds", {})
        set_(self, "_readings_of", dict(readings_of))
        set_(self, "_stakes_of", dict(stakes_of))


# ----------------------------------------------------------------------------------- helpers
@functools.lru_cache(maxsize=1 << 16)  # a site names each node many times (map data, pages, JSON)
def curie(iri: str) -> str:
    """`claim:open-weights-are-inert` for a project IRI; the IRI itself otherwise."""
    found = compact(iri)
    return f"{found[0]}:{found[1]}" if found else iri


def natural_key(text: str) -> tuple:
    """'R10' after 'R9': digits compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", text) if part
    )


# ------------------------------------------------------------------------------------ build
Q_READINGS = """
SELECT ?r ?s ?p ?o ?note ?by WHERE {
  ?r a am:ProjectReading ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  ?s ?p ?o .
  OPTIONAL { ?r am:note ?note }
  OPTIONAL { ?r prov:wasAttributedTo ?by }
  FILTER(isIRI(?r) && isIRI(?s) && isIRI(?p))
}"""

Q_LITERAL_READINGS = """
SELECT ?r WHERE { ?r a am:ProjectReading ; rdf:object ?o . FILTER(isIRI(?r) && isLITERAL(?o)) }"""


def _statements(store: ox.Store, predicates: Iterable[str], objects: type) -> list[tuple[str, str, str]]:
    """(subject, predicate, object) as IRIs and lexical forms for every triple of the default graph with one of
    `predicates`, an IRI subject and an object of class `objects` (ox.NamedNode or ox.Literal). Read by
    pattern, not by SPARQL: the same triples, without a query's per-row cost (these are most of the store)."""
    found = []
    named, default = ox.NamedNode, ox.DefaultGraph()
    for predicate in sorted(predicates):
        for quad in store.quads_for_pattern(None, named(predicate), None, default):
            subject, obj = quad.subject, quad.object
            if subject.__class__ is named and obj.__class__ is objects:
                found.append((subject.value, predicate, obj.value))  # type: ignore[union-attr]
    return found


Q_UNTYPED_LABELS = """
SELECT ?s ?label WHERE {
  ?s rdfs:label ?label .
  FILTER(isIRI(?s))
  FILTER NOT EXISTS { ?s a ?type . FILTER(STRSTARTS(STR(?type), STR(am:))) }
}"""


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    """The rows of one of the SELECTs above as IRIs and lexical forms (each of their variables is bound to
    an IRI or a literal)."""
    return [
        tuple(term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else "" for term in row)
        for row in select(store, query)
    ]


def _kind(types: set[str]) -> str | None:
    for name, kind in CLASS_KINDS:
        if name in types:
            return kind
    return None


def build_model(store: ox.Store) -> Model:
    """Read the typed model from a store holding the debate in its default graph."""
    types: dict[str, set[str]] = defaultdict(set)
    for s, _, t in _statements(store, [RDF_TYPE], ox.NamedNode):
        if t.startswith(VOCAB_IRI):
            types[s].add(local_name(t))

    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in _statements(store, LITERAL_FIELDS, ox.Literal):
        values[s][LITERAL_FIELDS[p]].append(o)

    relations = sorted(_statements(store, set(RELATION_OF) | LINK_PREDICATES, ox.NamedNode))

    in_section, contributed_by, source, part_of = (
        str(p) for p in (AM.inSection, AM.contributedBy, AM.source, AM.partOf)
    )
    section_kind = local_name(AM.Section)
    section_of: dict[str, str] = {}
    contributors: dict[str, set[str]] = defaultdict(set)
    evidence_source: dict[str, str] = {}
    for s, p, o in relations:
        if p == in_section:
            section_of.setdefault(s, o)
        elif p == contributed_by:
            contributors[s].add(o)
        elif p == source:
            evidence_source.setdefault(s, o)

    # a section's am:order counts among its siblings (3.1 has order 1, like section 1): its place in the
    # paper is the chain of orders from the top section down (am:partOf), and section_order its rank in that
    own_order: dict[str, int] = {}
    parent_of: dict[str, str] = {}
    sections = [iri for iri, kinds in types.items() if section_kind in kinds]
    for iri in sections:
        try:
            own_order[iri] = int(sorted(values.get(iri, {}).get("order", []))[0])
        except (IndexError, ValueError):
            pass
    for s, p, o in relations:
        if p == part_of and s in own_order and o in types and section_kind in types[o]:
            parent_of.setdefault(s, o)

    def reading_place(iri: str) -> tuple[int, ...]:
        chain: list[int] = []
        seen: set[str] = set()
        while iri in own_order and iri not in seen:  # a partOf cycle in bad data ends here
            seen.add(iri)
            chain.append(own_order[iri])
            iri = parent_of.get(iri, "")
        return tuple(reversed(chain))

    ranked = sorted(own_order, key=lambda iri: (reading_place(iri), iri))
    section_orders: dict[str, int] = {iri: rank for rank, iri in enumerate(ranked)}

    nodes: dict[str, Node] = {}
    for iri in sorted(types):
        kind = _kind(types[iri])
        if kind is None:
            continue
        fields: dict[str, Any] = {}
        for name, items in values.get(iri, {}).items():
            items = sorted(items)
            if name in MULTI_FIELDS:
                fields[name] = "\n\n".join(items)
            elif name in ("order", "ref_number"):
                try:
                    fields[name] = int(items[0])
                except ValueError:
                    continue
            else:
                fields[name] = items[0]
        label = str(fields.pop("label", "") or "") or curie(iri)
        nodes[iri] = Node(
            iri=iri,
            kind=kind,
            types=tuple(sorted(types[iri])),
            label=label,
            section=section_of.get(iri),
            section_order=section_orders.get(iri, section_orders.get(section_of.get(iri, ""))),
            source=evidence_source.get(iri) if kind == "evidence" else None,
            contributed_by=tuple(sorted(contributors.get(iri, ()))),
            **fields,
        )

    edges: set[Edge] = set()
    links: set[Link] = set()
    for s, p, o in relations:
        if p in RELATION_OF:
            relation, flipped = RELATION_OF[p]
            if p == source and nodes.get(s) is not None and nodes[s].kind != "evidence":
                continue
            source, target = (o, s) if flipped else (s, o)
            edges.add(Edge(source=source, target=target, relation=relation))
        if p in LINK_PREDICATES:
            links.add(Link(source=s, predicate=p, target=o))

    unknown: dict[str, str] = {}
    for s, label in _rows(store, Q_UNTYPED_LABELS):
        unknown.setdefault(s, label)

    readings: dict[str, Reading] = {}
    read_by: dict[str, set[str]] = defaultdict(set)
    for r, subject, predicate, obj, note, by in _rows(store, Q_READINGS):
        if by:
            read_by[r].add(by)
        if r not in readings:
            readings[r] = Reading(r, subject, predicate, obj, literal=False, note=note)
    literal_objects = {r for (r,) in _rows(store, Q_LITERAL_READINGS)}
    found = [
        replace(x, literal=x.iri in literal_objects, read_by=tuple(sorted(read_by[x.iri]))) for x in readings.values()
    ]

    return Model(
        nodes=dict(sorted(nodes.items())),
        edges=tuple(sorted(edges, key=lambda e: (e.source, e.target, e.relation))),
        links=tuple(sorted(links, key=lambda link: (link.source, link.predicate, link.target))),
        unknown=dict(sorted(unknown.items())),
        readings=tuple(sorted(found, key=lambda x: (x.subject, x.predicate, x.object, x.iri))),
        stakes=_stakes(store),
    )


def _stakes(store: ox.Store) -> tuple[Stake, ...]:
    """The rows of the named query author-stakes (its definition of a stake is the one the site shows)."""
    rows = {
        Stake(person=person, stake=stake, via=via, node=node)
        for _, stake, _, _, person, via, node in _rows(store, named_query("author-stakes").text)
    }
    return tuple(sorted(rows, key=lambda x: (x.node, x.person, x.stake, x.via)))
