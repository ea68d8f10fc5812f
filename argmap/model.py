"""Stage 2: the typed model of the debate, read from the store with SPARQL SELECTs (pyoxigraph).

Every later stage (analysis, map, pages) works from this model, never from raw triples: a `Node` per typed
IRI (statements, evidence, sources, inferences and the things they name), argument `Edge`s between them
and plain `Link`s (who holds a view, what an example involves, which section a statement is in).
Everything is sorted, so two models of the same data are equal and render to the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Literal

import pyoxigraph as ox
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .config import BASE_IRI, PREFIXES, VOCAB_IRI, compact

AM = VOCAB_IRI
RDFS_LABEL = PREFIXES["rdfs"] + "label"

# ------------------------------------------------------------------------------------------- kinds
#: am: class -> the kind a reader sees; the first matching class (most specific first) wins.
CLASS_KINDS: tuple[tuple[str, str], ...] = (
    ("Thesis", "claim"),
    ("Conclusion", "claim"),
    ("Claim", "claim"),
    ("ChallengeCategory", "challenge"),
    ("Principle", "principle"),
    ("Example", "example"),
    ("OpposingView", "view"),
    ("Response", "response"),
    ("Implication", "implication"),
    ("Statement", "claim"),
    ("Quote", "evidence"),
    ("Figure", "evidence"),
    ("Check", "evidence"),
    ("Evidence", "evidence"),
    ("Source", "source"),
    ("Inference", "inference"),
    ("Paper", "paper"),
    ("Document", "paper"),
    ("PaperVersion", "version"),
    ("Section", "section"),
    ("Person", "person"),
    ("Organisation", "organisation"),
    ("ActorGroup", "group"),
    ("Model", "model"),
    ("Dataset", "dataset"),
    ("Supercomputer", "supercomputer"),
    ("ComparisonTable", "table"),
    ("ComparedProject", "project"),
    ("Dimension", "dimension"),
    ("TableCell", "cell"),
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
            "table",
            "project",
            "dimension",
            "cell",
        )
    )
}

KIND_LABELS = {
    "claim": ("Claim", "Claims"),
    "challenge": ("Challenge category", "Challenge categories"),
    "principle": ("Principle", "Principles"),
    "example": ("Example", "Examples"),
    "view": ("Opposing view", "Opposing views"),
    "response": ("Response", "Responses"),
    "implication": ("Implication", "Implications"),
    "evidence": ("Evidence", "Evidence"),
    "inference": ("Inference", "Inferences"),
    "source": ("Source", "Sources"),
    "paper": ("Paper", "Papers"),
    "version": ("Paper version", "Paper versions"),
    "section": ("Section", "Sections"),
    "person": ("Person", "People"),
    "organisation": ("Organisation", "Organisations"),
    "group": ("Actor group", "Actor groups"),
    "model": ("Model", "Models"),
    "dataset": ("Dataset", "Datasets"),
    "supercomputer": ("Supercomputer", "Supercomputers"),
    "table": ("Comparison table", "Comparison tables"),
    "project": ("Compared project", "Compared projects"),
    "dimension": ("Dimension", "Dimensions"),
    "cell": ("Table cell", "Table cells"),
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
RELATION_OF: dict[str, tuple[str, bool]] = {
    AM + "supports": ("supports", False),
    AM + "attacks": ("attacks", False),
    AM + "undercuts": ("undercuts", False),
    AM + "qualifies": ("qualifies", False),
    AM + "respondsTo": ("responds-to", False),
    AM + "instantiates": ("instantiates", False),
    AM + "inCategory": ("in-category", False),
    AM + "premise": ("premise", True),
    AM + "conclusion": ("concludes", False),
    AM + "citesAsEvidence": ("cites", False),
    AM + "source": ("cites", False),
    AM + "retracts": ("retracts", False),
    AM + "supersedes": ("supersedes", False),
}

#: relation -> (how the subject reads it, how the object reads it), for pages and panels.
RELATION_WORDS: dict[str, tuple[str, str]] = {
    "supports": ("Supports", "Supported by"),
    "attacks": ("Attacks", "Attacked by"),
    "undercuts": ("Undercuts", "Undercut by"),
    "qualifies": ("Qualifies", "Qualified by"),
    "responds-to": ("Responds to", "Responses"),
    "instantiates": ("Is an instance of", "Instances"),
    "in-category": ("In challenge category", "Claims in this category"),
    "premise": ("Is the premise of", "Premise"),
    "concludes": ("Concludes", "Inferences concluding it"),
    "cites": ("Cites", "Cited by"),
    "retracts": ("Retracts", "Retracted by"),
    "supersedes": ("Supersedes", "Superseded by"),
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

#: Non-argument links a page shows: predicate -> (outgoing words, incoming words).
LINK_WORDS: dict[str, tuple[str, str]] = {
    AM + "heldBy": ("Held by", "Holds the view"),
    AM + "assignsRoleTo": ("Assigns a role to", "Given a role by"),
    AM + "addresses": ("Addresses", "Addressed by"),
    AM + "involves": ("Involves", "Involved in"),
    AM + "concerns": ("Concerns", "Concerned by"),
    AM + "usesInfrastructure": ("Uses infrastructure", "Used by"),
    AM + "developedBy": ("Developed by", "Developed"),
    AM + "operatedBy": ("Operated by", "Operates"),
    AM + "affiliation": ("Affiliation", "Members"),
    AM + "author": ("Author", "Author of"),
    AM + "contributedBy": ("Contributed by", "Contributed"),
    AM + "statedIn": ("Stated in", "Statements"),
    AM + "inSection": ("Section", "In this section"),
    AM + "partOf": ("Part of", "Parts"),
    AM + "hasVersion": ("Versions", "Version of"),
    AM + "modelledVersion": ("Modelled version", "Modelled version of"),
    AM + "inTable": ("In table", "Rows and columns"),
    AM + "project": ("Row", "Cells"),
    AM + "dimension": ("Column", "Cells"),
}

#: Literal properties read into fields: predicate -> field name.
LITERAL_FIELDS: dict[str, str] = {
    RDFS_LABEL: "label",
    AM + "text": "text",
    AM + "outlineId": "outline_id",
    AM + "order": "order",
    AM + "quote": "quote",
    AM + "locator": "locator",
    AM + "note": "note",
    AM + "measures": "measures",
    AM + "value": "value",
    AM + "minValue": "min_value",
    AM + "maxValue": "max_value",
    AM + "unit": "unit",
    AM + "asOf": "as_of",
    AM + "asOfNote": "as_of_note",
    AM + "figureId": "figure_id",
    AM + "authors": "authors",
    AM + "year": "year",
    AM + "url": "url",
    AM + "doi": "doi",
    AM + "arxivId": "arxiv_id",
    AM + "venue": "venue",
    AM + "accessed": "accessed",
    AM + "refNumber": "ref_number",
    AM + "sectionNumber": "section_number",
    AM + "caption": "caption",
    AM + "cellText": "cell_text",
    AM + "country": "country",
    AM + "role": "role",
    AM + "versionLabel": "version_label",
    AM + "issued": "issued",
    AM + "openReviewId": "openreview_id",
}
#: Fields that may hold several values (joined with a blank line); the rest keep their first value.
MULTI_FIELDS = frozenset({"note", "role"})
#: Field labels for the generic property list of a page, in display order.
FIELD_LABELS: tuple[tuple[str, str], ...] = (
    ("section_number", "Section number"),
    ("version_label", "Version"),
    ("issued", "Issued"),
    ("authors", "Authors"),
    ("year", "Year"),
    ("venue", "Venue"),
    ("arxiv_id", "arXiv"),
    ("openreview_id", "OpenReview"),
    ("doi", "DOI"),
    ("url", "Web address"),
    ("accessed", "Accessed"),
    ("ref_number", "Reference number in the paper"),
    ("country", "Country"),
    ("role", "Role"),
    ("caption", "Caption"),
    ("cell_text", "Cell"),
)


class Node(BaseModel):
    """Any typed IRI in the data."""

    model_config = ConfigDict(frozen=True)

    iri: str
    kind: str
    types: tuple[str, ...] = ()  # am: class local names, sorted
    label: str
    page: str | None = None  # the permalink directory below the site root, e.g. "claim/open-weights-are-inert/"
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
        return "Thesis" in self.types

    @property
    def is_conclusion(self) -> bool:
        return "Conclusion" in self.types

    @property
    def kind_label(self) -> str:
        if self.is_thesis:
            return "Thesis"
        if self.is_conclusion:
            return "Conclusion"
        if self.kind == "evidence":
            for name in ("Figure", "Quote", "Check"):
                if name in self.types:
                    return name
        return KIND_LABELS.get(self.kind, (self.kind.title(),))[0]

    @property
    def evidence_kind(self) -> str | None:
        """quote / figure / check for evidence, else None."""
        if self.kind != "evidence":
            return None
        for name in ("Figure", "Check", "Quote"):
            if name in self.types:
                return name.lower()
        return "evidence"

    @property
    def on_map(self) -> bool:
        return self.kind in MAP_KINDS

    @property
    def curie(self) -> str:
        return curie(self.iri)

    def figure_text(self) -> str | None:
        """The figure as a reader says it: '6,000,000 downloads per month', '1,000,000–2,000,000 …', 'more than …'."""
        if self.value is None and self.min_value is None:
            return None
        unit = f" {self.unit}" if self.unit else ""
        if self.value is not None:
            return f"{format_number(self.value)}{unit}"
        if self.max_value is not None:
            return f"{format_number(self.min_value)}–{format_number(self.max_value)}{unit}"
        return f"at least {format_number(self.min_value)}{unit}"

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


class Edge(BaseModel):
    """An argument relation drawn on the map, from `source` to `target`."""

    model_config = ConfigDict(frozen=True)

    source: str
    target: str
    relation: Relation


class Link(BaseModel):
    """A plain (non-argument) link between two IRIs: held by, involves, in section …"""

    model_config = ConfigDict(frozen=True)

    source: str
    predicate: str
    target: str


class Model(BaseModel):
    """The whole debate: nodes by IRI, argument edges, plain links, all sorted."""

    model_config = ConfigDict(frozen=True)

    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    links: tuple[Link, ...]
    unknown: dict[str, str] = Field(default_factory=dict)  # IRIs referred to but not typed: IRI -> label

    _out: dict = PrivateAttr(default_factory=dict)
    _in: dict = PrivateAttr(default_factory=dict)
    _links_out: dict = PrivateAttr(default_factory=dict)
    _links_in: dict = PrivateAttr(default_factory=dict)

    # ----------------------------------------------------------------------------- lookups
    def node(self, iri: str) -> Node | None:
        return self.nodes.get(iri)

    def label(self, iri: str) -> str:
        node = self.nodes.get(iri)
        if node is not None:
            return node.label
        return self.unknown.get(iri) or curie(iri)

    def of_kind(self, *kinds: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.kind in kinds), key=Node.sort_key)

    def map_nodes(self) -> list[Node]:
        return self.of_kind(*MAP_KINDS)

    def theses(self) -> list[Node]:
        return [n for n in self.of_kind("claim") if n.is_thesis]

    def conclusions(self) -> list[Node]:
        return [n for n in self.of_kind("claim") if n.is_conclusion]

    def sections(self) -> list[Node]:
        return sorted(
            self.of_kind("section"),
            key=lambda n: (n.order if n.order is not None else 10**6, natural_key(n.section_number or ""), n.iri),
        )

    def papers(self) -> list[Node]:
        return self.of_kind("paper")

    def outgoing(self, iri: str, *relations: str) -> list[Edge]:
        return [e for e in self._out.get(iri, ()) if not relations or e.relation in relations]

    def incoming(self, iri: str, *relations: str) -> list[Edge]:
        return [e for e in self._in.get(iri, ()) if not relations or e.relation in relations]

    def targets(self, iri: str, *relations: str) -> list[Node]:
        return self._sorted_nodes(e.target for e in self.outgoing(iri, *relations))

    def sources_of(self, iri: str, *relations: str) -> list[Node]:
        """Nodes with an edge of one of `relations` into `iri` (e.g. the responses to a view)."""
        return self._sorted_nodes(e.source for e in self.incoming(iri, *relations))

    def links_from(self, iri: str, predicate: str | None = None) -> list[Link]:
        return [link for link in self._links_out.get(iri, ()) if predicate is None or link.predicate == predicate]

    def links_to(self, iri: str, predicate: str | None = None) -> list[Link]:
        return [link for link in self._links_in.get(iri, ()) if predicate is None or link.predicate == predicate]

    def linked(self, iri: str, predicate: str) -> list[Node]:
        return self._sorted_nodes(link.target for link in self.links_from(iri, AM + predicate))

    def linking(self, iri: str, predicate: str) -> list[Node]:
        return self._sorted_nodes(link.source for link in self.links_to(iri, AM + predicate))

    def evidence_for(self, iri: str) -> list[tuple[str, Node]]:
        """(relation, evidence) for every piece of evidence bearing on `iri`, supports first."""
        result = []
        for relation in ("supports", "qualifies", "attacks", "undercuts"):
            for node in self.sources_of(iri, relation):
                if node.kind == "evidence":
                    result.append((relation, node))
        return result

    def inferences_to(self, iri: str) -> list[Node]:
        return [n for n in self.sources_of(iri, "concludes") if n.kind == "inference"]

    def responses(self, view_iri: str) -> list[Node]:
        return [n for n in self.sources_of(view_iri, "responds-to") if n.kind == "response"]

    def _sorted_nodes(self, iris: Iterable[str]) -> list[Node]:
        seen = {i: self.nodes[i] for i in iris if i in self.nodes}
        return sorted(seen.values(), key=Node.sort_key)

    def model_post_init(self, __context) -> None:
        out, inc = defaultdict(list), defaultdict(list)
        for edge in self.edges:
            out[edge.source].append(edge)
            inc[edge.target].append(edge)
        lout, lin = defaultdict(list), defaultdict(list)
        for link in self.links:
            lout[link.source].append(link)
            lin[link.target].append(link)
        self._out, self._in = dict(out), dict(inc)
        self._links_out, self._links_in = dict(lout), dict(lin)


# ----------------------------------------------------------------------------------- helpers
def curie(iri: str) -> str:
    """`claim:open-weights-are-inert` for a project IRI; the IRI itself otherwise."""
    found = compact(iri)
    return f"{found[0]}:{found[1]}" if found else iri


def natural_key(text: str) -> tuple:
    """'R10' after 'R9': digits compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", text) if part
    )


def format_number(lexical: str | None) -> str:
    if lexical is None:
        return ""
    try:
        number = Decimal(lexical)
    except InvalidOperation:
        return lexical
    if number == number.to_integral_value() and "e" not in lexical.lower():
        return f"{int(number):,}"
    return f"{number:,}"


_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.~-]*$")
#: First path segments the site's own pages use; a node IRI starting with one goes under node/.
RESERVED_TOP = frozenset({"static", "data", "map", "outline", "views", "sources", "query", "node", "index.html"})


def permalink(iri: str) -> str | None:
    """The page directory of an IRI below the base (`claim/x/`), or None for IRIs outside the base.

    Segments that could escape the site or confuse a web server ('..', '%2e', spaces) are replaced by a
    stable hash, so a hostile IRI can neither write outside the output folder nor overwrite a site page.
    """
    if not iri.startswith(BASE_IRI):
        return None
    rest = iri[len(BASE_IRI) :]
    segments = rest.split("/")
    if not rest or not all(segments):
        return _hashed(iri)
    clean = []
    for segment in segments:
        if _SEGMENT.match(segment) and not segment.endswith("."):
            clean.append(segment)
        else:
            return _hashed(iri)
    if clean[0] in RESERVED_TOP or len(clean) == 1:
        clean.insert(0, "node")
    return "/".join(clean) + "/"


def _hashed(iri: str) -> str:
    return "node/x-" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16] + "/"


def search_text(*parts: str | None) -> str:
    """Lower-case words without accents, for the map's search box."""
    text = " ".join(p for p in parts if p)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text.casefold()))


# ------------------------------------------------------------------------------------ build
Q_TYPES = """
SELECT ?s ?type WHERE {
  ?s a ?type .
  FILTER(isIRI(?s) && STRSTARTS(STR(?type), STR(am:)))
}"""

Q_LITERALS = """
SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ {} }}
  ?s ?p ?o .
  FILTER(isIRI(?s) && isLITERAL(?o))
}}""".format(" ".join(f"<{p}>" for p in sorted(LITERAL_FIELDS)))

Q_RELATIONS = """
SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ {} }}
  ?s ?p ?o .
  FILTER(isIRI(?s) && isIRI(?o))
}}""".format(" ".join(f"<{p}>" for p in sorted(set(RELATION_OF) | set(LINK_WORDS))))

Q_UNTYPED_LABELS = """
SELECT ?s ?label WHERE {
  ?s rdfs:label ?label .
  FILTER(isIRI(?s))
  FILTER NOT EXISTS { ?s a ?type . FILTER(STRSTARTS(STR(?type), STR(am:))) }
}"""


def _select(store: ox.Store, query: str) -> list[tuple]:
    solutions = store.query(query, prefixes=PREFIXES)
    variables = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        rows.append(tuple(solution[v] for v in variables))
    return rows


def _kind(types: set[str]) -> str | None:
    for name, kind in CLASS_KINDS:
        if name in types:
            return kind
    return None


def _lexical(term) -> str:
    return term.value


def build_model(store: ox.Store) -> Model:
    """Read the typed model from a store holding the debate in its default graph."""
    types: dict[str, set[str]] = defaultdict(set)
    for s, t in _select(store, Q_TYPES):
        types[s.value].add(t.value[len(AM) :])

    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in _select(store, Q_LITERALS):
        values[s.value][LITERAL_FIELDS[p.value]].append(_lexical(o))

    relations = sorted((s.value, p.value, o.value) for s, p, o in _select(store, Q_RELATIONS))

    section_of: dict[str, str] = {}
    contributors: dict[str, set[str]] = defaultdict(set)
    evidence_source: dict[str, str] = {}
    for s, p, o in relations:
        if p == AM + "inSection":
            section_of.setdefault(s, o)
        elif p == AM + "contributedBy":
            contributors[s].add(o)
        elif p == AM + "source":
            evidence_source.setdefault(s, o)

    section_orders: dict[str, int] = {}
    for iri, kinds in types.items():
        if "Section" in kinds:
            try:
                section_orders[iri] = int(sorted(values.get(iri, {}).get("order", []))[0])
            except (IndexError, ValueError):
                pass

    used_pages: dict[str, str] = {}
    nodes: dict[str, Node] = {}
    for iri in sorted(types):
        kind = _kind(types[iri])
        if kind is None:
            continue
        fields: dict[str, object] = {}
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
        page = permalink(iri) if kind != "cell" else None
        if page is not None:
            if page in used_pages:  # two IRIs sanitised to the same folder: keep both, apart
                page = _hashed(iri)
            used_pages[page] = iri
        nodes[iri] = Node(
            iri=iri,
            kind=kind,
            types=tuple(sorted(types[iri])),
            label=label,
            page=page,
            section=section_of.get(iri),
            section_order=section_orders.get(section_of.get(iri, "")),
            source=evidence_source.get(iri) if kind == "evidence" else None,
            contributed_by=tuple(sorted(contributors.get(iri, ()))),
            **fields,
        )

    edges: set[Edge] = set()
    links: set[Link] = set()
    for s, p, o in relations:
        if p in RELATION_OF:
            relation, flipped = RELATION_OF[p]
            if p == AM + "source" and nodes.get(s) is not None and nodes[s].kind != "evidence":
                continue
            source, target = (o, s) if flipped else (s, o)
            edges.add(Edge(source=source, target=target, relation=relation))
        if p in LINK_WORDS:
            links.add(Link(source=s, predicate=p, target=o))

    unknown = {}
    for s, label in _select(store, Q_UNTYPED_LABELS):
        unknown.setdefault(s.value, label.value)

    return Model(
        nodes=dict(sorted(nodes.items())),
        edges=tuple(sorted(edges, key=lambda e: (e.source, e.target, e.relation))),
        links=tuple(sorted(links, key=lambda link: (link.source, link.predicate, link.target))),
        unknown=dict(sorted(unknown.items())),
    )
