"""Stage 2: is the data well-formed? Turtle syntax, SHACL shapes (pySHACL) and graph-wide references.

Every problem is collected before anything is reported, and each names file, line, node and rule.
Per-node rules live in SHACL core (resources/shapes.ttl); graph-wide checks are SPARQL on pyoxigraph here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib

from .config import PREFIXES, SHAPES_PATH, VOCAB_IRI, VOCAB_PATH
from .errors import InvalidData
from .load import Loaded, Location, parse_all, resolve_paths, short, store_of

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located and explained."""

    file: str
    line: int
    node: str  # prefixed name of the focus node ('' for syntax errors)
    rule: str  # which check: 'syntax', a SHACL constraint ('am:asOf datatype'), or a reference rule
    message: str  # what is wrong and how to fix it
    column: int | None = None
    value: str = ""  # the offending value, prefixed, when there is one

    def format_text(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        node = f"{self.node} — " if self.node else ""
        return f"{where}: {node}{self.rule} — {self.message}"

    def format_github(self) -> str:
        text = f"{self.node} — {self.rule} — {self.message}" if self.node else f"{self.rule} — {self.message}"
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        col = f",col={self.column}" if self.column else ""
        return f"::error file={self.file},line={self.line}{col}::{text}"


@dataclass
class Report:
    files: list[str]
    problems: list[Problem]
    triples: int = 0
    checked: tuple[str, ...] = ()  # which stages ran: syntax, shacl, references

    @property
    def conforms(self) -> bool:
        return not self.problems

    def format_text(self) -> str:
        lines = [p.format_text() for p in self.problems]
        stages = ", ".join(self.checked)
        if self.conforms:
            lines.append(f"ok: {len(self.files)} file(s), {self.triples} triples conform ({stages})")
        else:
            skipped = (
                "" if "shacl" in self.checked else " (shapes and references not checked until the syntax is fixed)"
            )
            lines.append(f"{len(self.problems)} problem(s) in {len(self.files)} file(s){skipped}")
        return "\n".join(lines) + "\n"

    def format_json(self) -> str:
        body = {
            "conforms": self.conforms,
            "files": self.files,
            "triples": self.triples,
            "checked": list(self.checked),
            "problems": [asdict(p) for p in self.problems],
        }
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"

    def format_github(self) -> str:
        return "".join(p.format_github() + "\n" for p in self.problems) + self.format_text().splitlines()[-1] + "\n"


REPORT_FORMATS = {"text": Report.format_text, "json": Report.format_json, "github": Report.format_github}


# ---------------------------------------------------------------------------- shapes and vocabulary


@lru_cache(maxsize=1)
def _shapes_graph() -> rdflib.Graph:
    return rdflib.Graph(bind_namespaces="none").parse(SHAPES_PATH, format="turtle")


@lru_cache(maxsize=1)
def _vocab_graph() -> rdflib.Graph:
    return rdflib.Graph(bind_namespaces="none").parse(VOCAB_PATH, format="turtle")


@lru_cache(maxsize=1)
def vocabulary() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """(all am: terms, class -> its am: superclasses including itself)."""
    graph = _vocab_graph()
    terms = frozenset(str(s) for s in graph.subjects() if str(s).startswith(VOCAB_IRI) and str(s) != VOCAB_IRI)
    subclass = rdflib.RDFS.subClassOf
    supers: dict[str, frozenset[str]] = {}
    for cls in terms:
        if cls[len(VOCAB_IRI)].isupper():
            found = {str(c) for c in graph.transitive_objects(rdflib.URIRef(cls), subclass)}
            supers[cls] = frozenset(c for c in found if c.startswith(VOCAB_IRI))
    return terms, supers


# ---------------------------------------------------------------------------- locating nodes


def _locate(loaded: Loaded, iri: str) -> Location:
    return loaded.definition(iri) or loaded.mention(iri) or Location(loaded.paths[0], 1)


def _problem(loc: Location, node: str, rule: str, message: str, value: str = "") -> Problem:
    return Problem(str(loc.path), loc.line, node, rule, message, value=value)


# ---------------------------------------------------------------------------- SHACL


def _component_name(iri: str) -> str:
    name = iri.rsplit("#", 1)[-1]
    name = name.removesuffix("ConstraintComponent")
    return name[:1].lower() + name[1:]


@lru_cache(maxsize=1)
def _superclasses() -> dict[str, tuple[str, ...]]:
    """Every class of the vocabulary -> all its superclasses (ours and the standards'), itself excluded."""
    graph = _vocab_graph()
    result = {}
    for cls in set(graph.subjects(rdflib.RDFS.subClassOf, None)):
        found = {str(c) for c in graph.transitive_objects(cls, rdflib.RDFS.subClassOf)} - {str(cls)}
        result[str(cls)] = tuple(sorted(found))
    return result


def _rdflib_graph(store: ox.Store) -> rdflib.Graph:
    """The store as pySHACL's input, with every node's superclass types added.

    With the types entailed up front, sh:targetClass and sh:class are plain lookups, and pySHACL need not
    merge the vocabulary into (a copy of) the data graph: 5x faster than ont_graph + subclass walks here.
    N-Triples, because rdflib parses it far faster than Turtle.
    """
    supers = _superclasses()
    rdf_type = ox.NamedNode(str(rdflib.RDF.type))

    def triples():
        for quad in store:
            yield ox.Triple(quad.subject, quad.predicate, quad.object)
            if quad.predicate == rdf_type:
                for cls in supers.get(quad.object.value, ()):
                    yield ox.Triple(quad.subject, rdf_type, ox.NamedNode(cls))

    graph = rdflib.Graph(bind_namespaces="none")
    graph.parse(data=ox.serialize(triples(), format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


@lru_cache(maxsize=1)
def _shape_names() -> dict[rdflib.term.Node, str]:
    """Each shape (property shapes included) -> the name of the named shape it belongs to, e.g. 'FigureShape'."""
    graph = _shapes_graph()
    names: dict[rdflib.term.Node, str] = {}
    for shape in set(graph.subjects(rdflib.RDF.type, SH.NodeShape)) | set(
        graph.subjects(rdflib.RDF.type, SH.PropertyShape)
    ):
        if isinstance(shape, rdflib.URIRef):
            name = str(shape).rsplit("#", 1)[-1]
            names[shape] = name
            for prop in graph.objects(shape, SH.property):
                names.setdefault(prop, name)
    return names


def _shown(value: rdflib.term.Node) -> str:
    if not isinstance(value, rdflib.Literal):
        return short(str(value))
    text = '"' + str(value).replace('"', '\\"') + '"'
    if value.language:
        return f"{text}@{value.language}"
    if value.datatype and str(value.datatype) != str(rdflib.XSD.string):
        return f"{text}^^{short(str(value.datatype))}"
    return text


def check_shapes(loaded: Loaded, skip: frozenset[str] = frozenset()) -> list[Problem]:
    """SHACL problems; `skip` holds IRIs already reported as dangling (their class checks would only repeat it)."""
    from pyshacl import validate as shacl_validate  # heavy import; only validation needs it

    data = _rdflib_graph(loaded.store)
    conforms, results, _ = shacl_validate(
        data,
        shacl_graph=_shapes_graph(),
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
    )
    if conforms:
        return []
    problems = []
    names = _shape_names()
    for result in results.objects(None, SH.result):  # top-level results only, not nested sh:detail
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        if str(focus) in skip or (value is not None and str(value) in skip):
            continue
        component = results.value(result, SH.sourceConstraintComponent)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        parts = [names.get(results.value(result, SH.sourceShape), "shape")]
        if isinstance(path, rdflib.URIRef):
            parts.append(short(str(path)))
        parts.append("sh:" + _component_name(str(component)) if component is not None else "")
        rule = " ".join(p for p in parts if p)
        message = messages[0] if messages else "does not conform to its shape"
        shown = ""
        if value is not None and not isinstance(value, rdflib.BNode) and value != focus:
            shown = _shown(value)
            if len(shown) > 80:
                shown = shown[:77] + "…"
            message += f" (found {shown})"
        node = short(str(focus)) if isinstance(focus, rdflib.URIRef) else f"_:{focus}"
        loc = _locate(loaded, str(focus)) if isinstance(focus, rdflib.URIRef) else Location(loaded.paths[0], 1)
        problems.append(_problem(loc, node, rule, message, shown))
    return problems


# ---------------------------------------------------------------------------- graph-wide references

_DANGLING = """
SELECT DISTINCT ?s ?p ?o WHERE {
  ?s ?p ?o .
  FILTER(isIRI(?o) && STRSTARTS(STR(?p), STR(am:)) && ?p != rdf:type)
  FILTER NOT EXISTS { ?o rdf:type ?anyType }
}"""

_EVIDENCE = """
SELECT ?e ?type WHERE {
  ?e rdf:type ?type .
  FILTER NOT EXISTS { ?e am:supports|am:attacks|am:qualifies|am:undercuts|am:retracts|am:supersedes ?target }
  FILTER NOT EXISTS { ?inference am:premise ?e }
}"""

_SOURCES = """
SELECT ?s WHERE {
  ?s rdf:type am:Source .
  FILTER NOT EXISTS { ?user am:source|am:citesAsEvidence ?s }
}"""

_TYPES = "SELECT ?s ?type WHERE { ?s rdf:type ?type }"

_TERMS = """
SELECT ?term (MIN(STR(?s)) AS ?user) WHERE {
  { ?s ?term ?o } UNION { ?s rdf:type ?term }
  FILTER(isIRI(?term) && STRSTARTS(STR(?term), STR(am:)))
} GROUP BY ?term"""


def _rows(store: ox.Store, query: str):
    return list(store.query(query, prefixes=PREFIXES))


def check_references(loaded: Loaded) -> list[Problem]:
    store = loaded.store
    terms, supers = vocabulary()
    problems: list[Problem] = []

    for term, user in _rows(store, _TERMS):
        iri = term.value
        if iri not in terms:
            block = loaded.definition(user.value)
            loc = (
                loaded.mention(iri, block.path if block else None, block.line if block else 1)
                or loaded.mention(iri)
                or Location(loaded.paths[0], 1)
            )
            near = _nearest(iri[len(VOCAB_IRI) :], [t[len(VOCAB_IRI) :] for t in terms])
            hint = f"; did you mean am:{near}?" if near else "; see argmap/resources/vocab.ttl"
            problems.append(
                _problem(
                    loc,
                    short(user.value),
                    "unknown-term",
                    f"{short(iri)} is not in the argmap vocabulary{hint}",
                    short(iri),
                )
            )

    dangling = [(s, p, o) for s, p, o in _rows(store, _DANGLING) if o.value not in terms]
    file_triples = [(f.path, set(f.triples)) for f in loaded.files] if dangling else []
    for s, p, o in dangling:
        in_file = next((path for path, triples in file_triples if ox.Triple(s, p, o) in triples), None)
        block = next((f.subject_lines.get(s.value, 1) for f in loaded.files if f.path == in_file), 1)
        loc = loaded.mention(o.value, in_file, after_line=block) or _locate(loaded, s.value)
        problems.append(
            _problem(
                loc,
                short(s.value),
                "dangling-reference",
                f"{short(p.value)} points at {short(o.value)}, which is defined nowhere; "
                f"fix the IRI or add a `{short(o.value)} a am:…` block",
                short(o.value),
            )
        )

    evidence_classes = {c for c, sup in supers.items() if f"{VOCAB_IRI}Evidence" in sup}
    seen: set[str] = set()
    for e, cls in _rows(store, _EVIDENCE):
        if cls.value in evidence_classes and e.value not in seen:
            seen.add(e.value)
            problems.append(
                _problem(
                    _locate(loaded, e.value),
                    short(e.value),
                    "evidence-unused",
                    "evidence that supports nothing: add am:supports (or am:attacks, am:qualifies, am:undercuts) "
                    "pointing at the statement it bears on",
                )
            )

    types: dict[str, set[str]] = {}
    for s, cls in _rows(store, _TYPES):
        if isinstance(s, ox.BlankNode):
            if cls.value.startswith(VOCAB_IRI):
                problems.append(
                    Problem(
                        str(loaded.paths[0]),
                        1,
                        f"_:{s.value}",
                        "blank-node",
                        f"a blank node typed {short(cls.value)}: give it an IRI so readers can link to it",
                    )
                )
            continue
        if cls.value in supers:
            types.setdefault(s.value, set()).add(cls.value)
    doubly_defined: set[str] = set()
    for iri, classes in sorted(types.items()):
        # two kinds are compatible when one is a subclass of the other
        disjoint = sorted(c for c in classes if not any(c != d and c in supers[d] for d in classes))
        places = loaded.definitions(iri)
        where = " and ".join(str(p) for p in places)
        if len(disjoint) > 1:
            doubly_defined.add(iri)
            problems.append(
                _problem(
                    places[-1],
                    short(iri),
                    "duplicate-definition",
                    f"defined as {len(disjoint)} kinds of thing ({', '.join(short(c) for c in disjoint)}) at {where}; "
                    "one IRI names one thing: rename one of them",
                )
            )
        elif len(places) > 1:
            doubly_defined.add(iri)
            problems.append(
                _problem(
                    places[-1],
                    short(iri),
                    "duplicate-definition",
                    f"defined in more than one file ({where}); keep one definition",
                )
            )

    for (s,) in _rows(store, _SOURCES):
        if s.value not in doubly_defined:
            problems.append(
                _problem(
                    _locate(loaded, s.value),
                    short(s.value),
                    "source-uncited",
                    "a source nothing cites: point evidence at it with am:source, or a statement with "
                    "am:citesAsEvidence, or remove it",
                )
            )
    return problems


def _expand(name: str) -> str:
    from .config import PREFIXES

    if name.startswith("<"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    return PREFIXES.get(prefix, "") + local


def _nearest(word: str, candidates: list[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return match[0] if match else None


# ---------------------------------------------------------------------------- entry points


def validate(loaded: Loaded) -> Report:
    """SHACL and reference checks on data that parsed."""
    references = check_references(loaded)
    # a dangling or doubly defined node also breaks shape rules; its own message says it better
    skip = frozenset(_expand(p.value) for p in references if p.rule == "dangling-reference") | frozenset(
        _expand(p.node) for p in references if p.rule == "duplicate-definition"
    )
    problems = sorted(
        set(check_shapes(loaded, skip) + references), key=lambda p: (p.file, p.line, p.node, p.rule, p.message)
    )
    return Report([str(p) for p in loaded.paths], problems, len(loaded.store), ("syntax", "shacl", "references"))


def validate_paths(paths: Sequence[str | Path] | None = None) -> tuple[Report, Loaded | None]:
    """Every check on the given files (default: the data files); syntax errors of all files are collected."""
    resolved = resolve_paths(paths)
    files, syntax = parse_all(resolved)
    if syntax:
        problems = [
            Problem(str(s.location.path), s.location.line, "", "syntax", s.message, s.location.column) for s in syntax
        ]
        return Report([str(p) for p in resolved], problems, sum(len(f.triples) for f in files), ("syntax",)), None
    loaded = Loaded(files, store_of(files))
    return validate(loaded), loaded


def load_valid(paths: Sequence[str | Path] | None = None) -> Loaded:
    """Load the data and insist it is valid: the entry point for build, serve and push."""
    report, loaded = validate_paths(paths)
    if not report.conforms or loaded is None:
        raise InvalidData(report)
    return loaded
