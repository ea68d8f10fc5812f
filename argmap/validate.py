"""Stage 2: is the data well-formed? Turtle syntax, SHACL shapes (pySHACL) and graph-wide references.

Every problem is collected before anything is reported, and each names file, line, node and rule.
Per-node rules live in SHACL core (resources/shapes.ttl); graph-wide checks are SPARQL on pyoxigraph here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .config import BASE_IRI, PREFIXES, SHAPES_PATH, VOCAB_IRI, VOCAB_PATH, compact
from .errors import DataError, InvalidData
from .load import STDIN, Loaded, Location, SourceFile, changed_statements, load_all, resolve_paths, short

if TYPE_CHECKING:
    import rdflib

#: rdflib is imported only where it is needed (pySHACL, and turning a found problem's value into text): a clean
#: run on argmap's engine never loads it, unless a typed literal needs its reading (argmap.shacl._typed).
SH_IRI = "http://www.w3.org/ns/shacl#"
_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


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
        where = f"{_one_line(self.file)}:{self.line}" + (f":{self.column}" if self.column else "")
        node = f"{_one_line(self.node)} — " if self.node else ""
        return f"{where}: {node}{_one_line(self.rule)} — {_one_line(self.message)}"

    def format_github(self) -> str:
        """A GitHub Actions `::error` workflow command: data escaped (%, CR, LF), properties also (: and ,)."""
        text = f"{self.node} — {self.rule} — {self.message}" if self.node else f"{self.rule} — {self.message}"
        col = f",col={self.column}" if self.column else ""
        return f"::error file={_github_property(self.file)},line={self.line}{col}::{_github_data(_one_line(text))}"


def _one_line(text: str) -> str:
    """Control characters (a newline in a value, a carriage return, a tab) shown escaped, so one problem is one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _escape_char(ch) for ch in text)


def _escape_char(ch: str) -> str:
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return named.get(ch, f"\\u{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08X}")


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


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
    import rdflib

    return rdflib.Graph(bind_namespaces="none").parse(SHAPES_PATH, format="turtle")


@lru_cache(maxsize=1)
def _vocab_triples() -> tuple[ox.Triple, ...]:
    return tuple(
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=VOCAB_PATH, format=ox.RdfFormat.TURTLE)
    )


def _transitive_objects(start: str, edges: dict[str, list[str]]) -> set[str]:
    """`start` and every node reached from it along `edges` (rdflib's Graph.transitive_objects)."""
    found, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in found:
                found.add(nxt)
                todo.append(nxt)
    return found


@lru_cache(maxsize=1)
def _subclass_edges() -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for t in _vocab_triples():
        if t.predicate.value == _SUBCLASS_OF and isinstance(t.subject, ox.NamedNode):
            edges.setdefault(t.subject.value, []).append(t.object.value)  # type: ignore[union-attr]
    return edges


@lru_cache(maxsize=1)
def vocabulary() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """(all am: terms, class -> its am: superclasses including itself)."""
    terms = frozenset(
        t.subject.value
        for t in _vocab_triples()
        if isinstance(t.subject, ox.NamedNode)
        and t.subject.value.startswith(VOCAB_IRI)
        and t.subject.value != VOCAB_IRI
    )
    edges = _subclass_edges()
    supers: dict[str, frozenset[str]] = {}
    for cls in terms:
        if cls[len(VOCAB_IRI)].isupper():
            supers[cls] = frozenset(c for c in _transitive_objects(cls, edges) if c.startswith(VOCAB_IRI))
    return terms, supers


# ---------------------------------------------------------------------------- locating nodes


def _locate(loaded: Loaded, iri: str) -> Location:
    return loaded.definition(iri) or loaded.mention(iri) or Location(loaded.paths[0], 1)


def _locate_blank(loaded: Loaded, bnode: str) -> Location:
    return loaded.blank_node(bnode) or Location(loaded.paths[0], 1)


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
    edges = _subclass_edges()
    return {cls: tuple(sorted(_transitive_objects(cls, edges) - {cls})) for cls in edges}


def _rdflib_graph(store: ox.Store) -> rdflib.Graph:
    """The store as pySHACL's input, with every node's superclass types added.

    With the types entailed up front, sh:targetClass and sh:class are plain lookups, and pySHACL need not
    merge the vocabulary into (a copy of) the data graph: 5x faster than ont_graph + subclass walks here.
    Built term by term from the store: no round trip through N-Triples text, whose rdflib reader is quadratic
    in a literal's length (a 2 MB literal took 80 s).
    """
    import rdflib

    supers = _superclasses()
    rdf_type = ox.NamedNode(str(rdflib.RDF.type))
    rdflib_type = rdflib.RDF.type
    convert = _TermConverter()
    graph = rdflib.Graph(bind_namespaces="none")
    add = graph.add
    for quad in store:
        s, p, o = convert(quad.subject), convert(quad.predicate), convert(quad.object)
        add((s, p, o))
        if quad.predicate == rdf_type:
            for cls in supers.get(quad.object.value, ()):
                add((s, rdflib_type, convert.iri(cls)))
    return graph


class _TermConverter:
    """pyoxigraph terms -> the rdflib terms rdflib's own N-Triples reader would make of them (IRIs cached)."""

    def __init__(self) -> None:
        self._iris: dict[str, rdflib.URIRef] = {}

    def iri(self, value: str) -> rdflib.URIRef:
        import rdflib

        found = self._iris.get(value)
        if found is None:
            found = self._iris[value] = rdflib.URIRef(value)
        return found

    def __call__(self, term) -> rdflib.term.Node:
        import rdflib

        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            return rdflib.BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return rdflib.Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return rdflib.Literal(term.value)
            from .shacl import quiet_rdflib

            with quiet_rdflib():
                return rdflib.Literal(term.value, datatype=self.iri(datatype))
        # the loader refuses RDF-star with file and line first; this is only the guard behind it
        raise DataError(f"{term!r} cannot be validated (RDF-star quoted triples are not supported)")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@lru_cache(maxsize=1)
def _shape_names() -> dict[rdflib.term.Node, str]:
    """Each shape (property shapes included) -> the name of the named shape it belongs to, e.g. 'FigureShape'."""
    import rdflib

    graph = _shapes_graph()
    SH = rdflib.Namespace(SH_IRI)
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
    import rdflib

    if not isinstance(value, rdflib.Literal):
        return short(str(value))
    text = '"' + str(value).replace('"', '\\"') + '"'
    if value.language:
        return f"{text}@{value.language}"
    if value.datatype and str(value.datatype) != str(rdflib.XSD.string):
        return f"{text}^^{short(str(value.datatype))}"
    return text


#: The SHACL engines: argmap's own (argmap/shacl.py, on the pyoxigraph store) and pySHACL (the oracle it is
#: tested against, on an rdflib copy of the store; opt-in, 10-30x slower).
ENGINES = ("argmap", "pyshacl")


@lru_cache(maxsize=1)
def compiled_shapes():
    """resources/shapes.ttl compiled for argmap's engine (ShapesError when it uses SHACL the engine lacks)."""
    from .shacl import compile_shapes

    return compile_shapes(SHAPES_PATH)


#: One SHACL result, engine-neutral, in rdflib terms: (focus, path, value, component, shape name, messages).
_ShapeResult = tuple["rdflib.term.Node", "rdflib.term.Node | None", "rdflib.term.Node | None", str, str, list[str]]


def _argmap_results(store: ox.Store, only: frozenset[str] | None) -> list[_ShapeResult]:
    from .shacl import run

    focus_filter = None
    if only is not None:
        focus_filter = frozenset(ox.BlankNode(n[2:]) if n.startswith("_:") else ox.NamedNode(n) for n in only)
    convert = _TermConverter()
    found: list[_ShapeResult] = []
    for r in run(store, compiled_shapes(), _superclasses(), focus_filter):
        path = convert.iri(r.path) if r.path is not None else None
        value = convert(r.value) if r.value is not None else None
        found.append((convert(r.focus), path, value, r.component, r.shape.name, list(r.messages)))
    return found


def _pyshacl_results(store: ox.Store) -> list[_ShapeResult]:
    import rdflib
    from pyshacl import validate as shacl_validate  # heavy import; only the opt-in engine needs it

    SH = rdflib.Namespace(SH_IRI)

    conforms, results, _ = shacl_validate(
        _rdflib_graph(store),
        shacl_graph=_shapes_graph(),
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
    )
    if conforms:
        return []
    names = _shape_names()
    found: list[_ShapeResult] = []
    for result in results.objects(None, SH.result):  # top-level results only, not nested sh:detail
        component = results.value(result, SH.sourceConstraintComponent)
        found.append(
            (
                results.value(result, SH.focusNode),
                results.value(result, SH.resultPath),
                results.value(result, SH.value),
                str(component) if component is not None else "",
                names.get(results.value(result, SH.sourceShape), "shape"),
                [str(m) for m in results.objects(result, SH.resultMessage)],
            )
        )
    return found


def shape_results(loaded: Loaded, engine: str = "argmap", only: frozenset[str] | None = None) -> list[_ShapeResult]:
    """The SHACL results of the data, from either engine (`only`: focus nodes to check, argmap's engine)."""
    if engine == "pyshacl":
        return _pyshacl_results(loaded.store)
    if engine != "argmap":
        raise DataError(f"unknown SHACL engine {engine!r}: one of {', '.join(ENGINES)}")
    return _argmap_results(loaded.store, only)


def check_shapes(
    loaded: Loaded,
    skip: frozenset[str] = frozenset(),
    blank: frozenset[str] = frozenset(),
    engine: str = "argmap",
    only: frozenset[str] | None = None,
) -> list[Problem]:
    """SHACL problems; `skip` holds IRIs already reported as dangling (their class checks would only repeat it),
    `blank` the blank nodes already reported as such (their sh:nodeKind sh:IRI result would only repeat it);
    `only`, when given, the nodes (IRIs, `_:id` for blank nodes) whose shapes are checked."""
    problems: list[Problem] = []
    results = shape_results(loaded, engine, only)
    if not results:
        return problems
    import rdflib

    node_kind = SH_IRI + "NodeKindConstraintComponent"
    for focus, path, value, component, shape_name, messages in results:
        if str(focus) in skip or (value is not None and str(value) in skip):
            continue
        if str(focus) in blank and component == node_kind:
            continue
        parts = [shape_name]
        if isinstance(path, rdflib.URIRef):
            parts.append(short(str(path)))
        parts.append("sh:" + _component_name(component) if component else "")
        rule = " ".join(p for p in parts if p)
        ordered = sorted(messages)
        message = ordered[0] if ordered else "does not conform to its shape"
        shown = ""
        if value is not None and not isinstance(value, rdflib.BNode) and value != focus:
            shown = _shown(value)
            if len(shown) > 80:
                shown = shown[:77] + "…"
            message += f" (found {shown})"
        node = short(str(focus)) if isinstance(focus, rdflib.URIRef) else f"_:{focus}"
        loc = _locate(loaded, str(focus)) if isinstance(focus, rdflib.URIRef) else _locate_blank(loaded, str(focus))
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

_BLANK_TYPES = "SELECT ?s ?type WHERE { ?s rdf:type ?type FILTER(isBlank(?s)) }"

_TERMS = """
SELECT ?term (MIN(STR(?s)) AS ?user) WHERE {
  { ?s ?term ?o } UNION { ?s rdf:type ?term }
  FILTER(isIRI(?term) && STRSTARTS(STR(?term), STR(am:)))
} GROUP BY ?term"""


def _rows(store: ox.Store, query: str, only: frozenset[str] | None = None, var: str = "s") -> list[ox.QuerySolution]:
    """The query's rows; with `only`, the query is limited to those IRIs in `?var` (a VALUES block)."""
    if only is not None:
        values = " ".join(f"<{iri}>" for iri in sorted(only) if not iri.startswith("_:"))
        head, brace, body = query.partition("WHERE {")
        query = f"{head}{brace}\n  VALUES ?{var} {{ {values} }}{body}"
    solutions = store.query(query, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)  # every query here is a SELECT
    return list(solutions)


def check_references(
    loaded: Loaded, project_iris: list[str] | None = None, only: frozenset[str] | None = None
) -> list[Problem]:
    """The graph-wide rules; `project_iris` is `_project_iris(loaded.store, only)` when the caller has it already.

    `only` (an incremental run): the per-node rules (unknown term, dangling reference, undefined subject, unused
    evidence, uncited source, unknown namespace) look at those nodes only; the rules between nodes (duplicate
    definitions and sources, prefixes, typed blank nodes) are cheap and always look at everything."""
    store = loaded.store
    if project_iris is None:
        project_iris = _project_iris(store, only)
    terms, supers = vocabulary()
    problems: list[Problem] = []

    for term, user in _rows(store, _TERMS, only):
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

    problems += check_namespaces(loaded, project_iris)
    foreign = {iri for iri in project_iris if not _in_project_namespace(iri)}

    @lru_cache(maxsize=1)
    def typed() -> list[str]:
        """Every IRI with a type of ours: the candidates of a did-you-mean hint (asked only when one is needed)."""
        rows = _rows(store, _TYPES)
        return sorted({s.value for s, t in rows if isinstance(s, ox.NamedNode) and t.value.startswith(VOCAB_IRI)})

    dangling = [
        (s, p, o) for s, p, o in _rows(store, _DANGLING, only) if o.value not in terms and o.value not in foreign
    ]
    file_triples = [(f.path, set(f.parse())) for f in loaded.files] if dangling else []
    for s, p, o in dangling:
        in_file = next((path for path, triples in file_triples if ox.Triple(s, p, o) in triples), None)
        source = next((f for f in loaded.files if f.path == in_file), None)
        if source is None:
            start = 1
        elif isinstance(s, ox.BlankNode):
            start = source.bnode_lines.get(s.value, 1)
        else:
            start = source.subject_lines.get(s.value, 1)
        loc = loaded.mention(o.value, in_file, after_line=start) or _locate(loaded, s.value)
        problems.append(
            _problem(
                loc,
                _node_name(s),
                "dangling-reference",
                f"{short(p.value)} points at {short(o.value)}, which is defined nowhere; "
                + _did_you_mean(o.value, typed(), f"fix the IRI or add a `{short(o.value)} a am:…` block"),
                short(o.value),
            )
        )

    for (s,) in _rows(store, _UNDEFINED_SUBJECTS, only):
        if s.value in foreign:
            continue
        problems.append(
            _problem(
                _locate(loaded, s.value),
                short(s.value),
                "undefined-subject",
                f"{short(s.value)} is described here but defined nowhere (no `{short(s.value)} a am:…` block), "
                "so what is said of it reaches nothing; "
                + _did_you_mean(s.value, typed(), f"fix the IRI, or add the `{short(s.value)} a am:…` block"),
            )
        )

    evidence_classes = {c for c, sup in supers.items() if f"{VOCAB_IRI}Evidence" in sup}
    seen: set[str] = set()
    for e, cls in _rows(store, _EVIDENCE, only, "e"):
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

    for s, cls in _rows(store, _BLANK_TYPES) if any(f.blank_ids for f in loaded.files) else ():
        if cls.value.startswith(VOCAB_IRI):
            loc = _locate_blank(loaded, s.value)
            problems.append(
                Problem(
                    str(loc.path),
                    loc.line,
                    f"_:{s.value}",
                    "blank-node",
                    f"a blank node typed {short(cls.value)}: give it an IRI so readers can link to it",
                )
            )
    # one rdf:type triple in one file is one typed block, so one definition: only an IRI typed by two rdf:type
    # triples (two classes, two files or a repeat, as the loader noted) can be defined twice
    typed_twice = loaded.typed_twice()
    types: dict[str, set[str]] = {}
    for s, cls in _rows(store, _TYPES, frozenset(typed_twice)) if typed_twice else ():
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
            for place in places[1:] or places[-1:]:
                problems.append(
                    _problem(
                        place,
                        short(iri),
                        "duplicate-definition",
                        f"defined as {len(disjoint)} kinds of thing ({', '.join(short(c) for c in disjoint)}) "
                        f"at {where}; one IRI names one thing: rename one of them",
                    )
                )
        elif len(places) > 1:
            doubly_defined.add(iri)
            for place in places[1:]:
                problems.append(
                    _problem(
                        place,
                        short(iri),
                        "duplicate-definition",
                        f"defined again here (first at {places[0]}); keep one definition: "
                        "merge this block into the first, or give this node its own IRI",
                    )
                )

    problems += _duplicate_sources(loaded, doubly_defined, only)
    problems += _unasserted_readings(loaded, only)

    for (s,) in _rows(store, _SOURCES, only):
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


_READINGS = """
SELECT ?r ?s ?p ?o WHERE {
  ?r rdf:type am:ProjectReading ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  FILTER NOT EXISTS { ?s ?p ?o }
}"""


def _term_shown(term) -> str:
    """A term as a reader writes it in Turtle: prefixed name, _:label or a quoted literal (cut at 60)."""
    if isinstance(term, ox.Literal):
        value = term.value if len(term.value) <= 60 else term.value[:59] + "…"
        return json.dumps(value, ensure_ascii=False)
    return _node_name(term)


def _unasserted_readings(loaded: Loaded, only: frozenset[str] | None = None) -> list[Problem]:
    """A project reading (reified rdf:subject/predicate/object) whose triple the data does not contain: the
    reading would mark a link that is not there (a typo, or a link edited without its reading). `only`: the
    readings among those nodes, and those of their links (a removed link touched its subject)."""
    problems = []
    asked = [(None, "r")] if only is None else [(only, "r"), (only, "s")]
    rows = dict.fromkeys(tuple(row) for nodes, var in asked for row in _rows(loaded.store, _READINGS, nodes, var))
    for r, s, p, o in rows:
        triple = f"{_term_shown(s)} {_term_shown(p)} {_term_shown(o)}"
        problems.append(
            _problem(
                _locate(loaded, r.value) if isinstance(r, ox.NamedNode) else _locate_blank(loaded, r.value),
                _node_name(r),
                "reading-not-in-data",
                f"reads the link {triple}, which the data does not contain; fix rdf:subject, rdf:predicate or "
                "rdf:object so they name a link in the data, or remove the reading with the link",
                triple,
            )
        )
    return problems


_UNDEFINED_SUBJECTS = f"""
SELECT DISTINCT ?s WHERE {{
  ?s ?p ?o .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE_IRI}"))
  FILTER NOT EXISTS {{ ?s rdf:type ?type FILTER(STRSTARTS(STR(?type), STR(am:))) }}
}}"""

_PROJECT_IRIS = f"""
SELECT DISTINCT ?x WHERE {{
  {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }}
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE_IRI}"))
}}"""

_IDENTIFIERS = """
SELECT ?s ?p ?v ?type WHERE {
  VALUES ?p { am:doi am:arxivId am:url }
  ?s ?p ?v ; rdf:type ?type .
}"""

#: the project's own namespaces (prefix -> namespace), those under BASE_IRI
_PROJECT_NAMESPACES = {p: ns for p, ns in PREFIXES.items() if ns.startswith(BASE_IRI) and ns != BASE_IRI}


def _node_name(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else short(term.value)


def _project_iris(store: ox.Store, only: frozenset[str] | None = None) -> list[str]:
    return [x.value for (x,) in _rows(store, _PROJECT_IRIS, only, "x")]


_NAMESPACE_SET = frozenset(_PROJECT_NAMESPACES.values())


def _in_project_namespace(iri: str) -> bool:
    """Under one of the project's namespaces, with a local name (each namespace is BASE_IRI + a path ending '/')."""
    if not iri.startswith(BASE_IRI):
        return False
    slash = iri.find("/", len(BASE_IRI))
    while slash != -1:
        if iri[: slash + 1] in _NAMESPACE_SET:
            return len(iri) > slash + 1
        slash = iri.find("/", slash + 1)
    return False


def _did_you_mean(iri: str, candidates: list[str], otherwise: str) -> str:
    """'did you mean claim:x?' for the nearest defined IRI (same namespace first), else the given fix."""
    candidates = [c for c in candidates if c != iri]
    found = compact(iri)
    if found:
        prefix, local = found
        namespace = PREFIXES[prefix]
        same = [c[len(namespace) :] for c in candidates if c.startswith(namespace)]
        near = _nearest(local, same)
        if near:
            return f"did you mean {short(namespace + near)}?"
        # the same local name under another prefix (claim:x written evidence:x)
        elsewhere = {c.rsplit("/", 1)[-1]: c for c in candidates if not c.startswith(namespace)}
        near = _nearest(local, list(elsewhere))
        if near:
            return f"did you mean {short(elsewhere[near])}?"
    return otherwise


def check_namespaces(loaded: Loaded, project_iris: list[str] | None = None) -> list[Problem]:
    """A project prefix bound to another namespace, and IRIs under the project's base in no known namespace."""
    problems: list[Problem] = []
    misbound: list[str] = []
    for source in loaded.files:
        for name, namespace in sorted(source.prefixes.items()):  # as the parser read them; the scan gives the line
            expected = PREFIXES.get(name)
            if expected is not None and namespace != expected:
                line = source.layout.prefix_lines.get(name, (namespace, 1))[1]
                misbound.append(namespace)
                problems.append(
                    Problem(
                        str(source.path),
                        line,
                        f"{name}:",
                        "prefix-mismatch",
                        f"@prefix {name}: is bound to <{namespace}>, but argmap's {name}: is <{expected}>; "
                        f"write `@prefix {name}: <{expected}> .`",
                        value=f"<{namespace}>",
                    )
                )
    for iri in _project_iris(loaded.store) if project_iris is None else project_iris:
        if _in_project_namespace(iri) or any(iri.startswith(ns) for ns in misbound if ns):
            continue
        loc = loaded.definition(iri) or loaded.mention(iri) or Location(loaded.paths[0], 1)
        spaces = ", ".join(f"{p}:" for p in _PROJECT_NAMESPACES)
        problems.append(
            _problem(
                loc,
                short(iri),
                "unknown-namespace",
                f"<{iri}> is under argmap's base <{BASE_IRI}> but in none of its namespaces ({spaces}); "
                "use one of the project prefixes",
                f"<{iri}>",
            )
        )
    return problems


def source_identifier(predicate: str, value: str) -> tuple[str, str] | None:
    """A normalised (kind, id) for a DOI, an arXiv id or a URL, so that two spellings of one source meet.

    The one rule of source identity: the duplicate-source check and `argmap new`'s search for a source to reuse."""
    from urllib.parse import urlsplit

    value = value.strip()
    kind = predicate.rsplit("#", 1)[-1]
    if kind == "doi":
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", value, flags=re.IGNORECASE)
        return ("DOI", doi.lower()) if doi else None
    if kind == "arxivId":
        found = re.sub(r"^arxiv:", "", value, flags=re.IGNORECASE)
        return ("arXiv id", re.sub(r"v\d+$", "", found).lower()) if found else None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    if host == "arxiv.org":
        page = re.match(r"^/(?:abs|pdf)/([0-9]{4}\.[0-9]{4,5})(?:v\d+)?(?:\.pdf)?$", path)
        if page:
            return ("arXiv id", page.group(1))
    if host in ("doi.org", "dx.doi.org") and path.startswith("/10."):
        return ("DOI", path[1:].lower())
    if not host:
        return None
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return ("URL", f"{host}{path}{query}{fragment}")


def _duplicate_sources(loaded: Loaded, skip: set[str], only: frozenset[str] | None = None) -> list[Problem]:
    """Two am:Source nodes naming one work (same DOI, arXiv id or URL): report each one after the first.

    URLs meet whatever their scheme, `www.` or trailing slash; a fragment keeps them apart (the data cites
    entries of one bibliography page by fragment). `only` (an incremental run): the works that those nodes name,
    with every node naming one of them, wherever it is (a new duplicate changed at least one of its nodes)."""
    order = {path: index for index, path in enumerate(loaded.paths)}
    owners: dict[tuple[str, str], set[str]] = {}
    _, supers = vocabulary()
    source_classes = {c for c, sup in supers.items() if f"{VOCAB_IRI}Source" in sup}
    rows = _rows(loaded.store, _IDENTIFIERS)
    if only is not None:
        keys = {source_identifier(p.value, v.value) for s, p, v, _ in rows if s.value in only}
        pieces = [_folded(_key_piece(key)) for key in keys if key is not None]
        rows = [row for row in rows if any(piece in _folded(row[2].value) for piece in pieces)]
    for s, p, v, cls in rows:
        if isinstance(s, ox.NamedNode) and s.value not in skip and cls.value in source_classes:
            key = source_identifier(p.value, v.value)
            if key is not None:
                owners.setdefault(key, set()).add(s.value)
    problems: list[Problem] = []
    reported: set[str] = set()

    def place(iri: str) -> tuple[int, int, str]:
        loc = _locate(loaded, iri)
        return (order.get(loc.path, len(order)), loc.line, iri)

    for (kind, ident), nodes in sorted(owners.items()):
        if len(nodes) < 2:
            continue
        first, *others = sorted(nodes, key=place)
        for iri in others:
            if iri in reported:
                continue
            reported.add(iri)
            problems.append(
                _problem(
                    _locate(loaded, iri),
                    short(iri),
                    "duplicate-source",
                    f"same {kind} ({ident}) as {short(first)} at {_locate(loaded, first)}: "
                    f"cite {short(first)} (am:source {short(first)}) and remove this block",
                    short(first),
                )
            )
    return problems


def _key_piece(key: tuple[str, str]) -> str:
    """Text that every identifier with this key holds (case and tab or line breaks aside): a DOI or an arXiv id
    itself; of a URL, what follows the host (written as it is), else the host."""
    kind, ident = key
    if kind != "URL":
        return ident
    cut = min((at for at in (ident.find("/"), ident.find("?"), ident.find("#")) if at != -1), default=-1)
    return ident if cut == -1 else ident[cut:]


def _folded(text: str) -> str:
    """For `_key_piece`: case folded, and without the tab and line breaks that URL parsing drops."""
    return text.replace("\t", "").replace("\r", "").replace("\n", "").casefold()


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


# ---------------------------------------------------------------------------- incremental runs

_REFERRERS = """SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"""


def changed_nodes(
    loaded: Loaded, revision: str, cwd: Path | None = None, folders: Sequence[Path] = ()
) -> frozenset[str] | None:
    """Every IRI that is the subject or object of a triple added to or removed from a file since `revision` (git).

    Files whose text is the same are not read again. For a changed file, the statements around the changed lines,
    before and after, are parsed and their triples compared, as the parser wrote them (so
    "01" and "1" differ: a change either way). Every added or removed triple is among those (`changed_statements`;
    a triple merely moved inside the file may count as touched too, which only checks more). When the text does not
    allow that (a long string, a directive after the first change), the whole file at `revision` is parsed and
    compared with the whole file now.

    The data at `revision` is taken to have conformed (so to have parsed: of a changed file only the statements
    around the change are read then). None when a change cannot be told node by node, and everything must be
    checked: data from standard input, blank nodes (they have no name to compare by), a changed file whose text at
    `revision` did not parse where it was read, or a changed rdfs:subClassOf triple (it changes the classes of
    nodes it does not name), argmap itself changed, or a folder given (`folders`) held other .ttl files at
    `revision`. GitError for a bad revision."""
    from .git import files_at, repository_root, resolve_revision

    cwd = cwd or Path.cwd()
    commit = resolve_revision(revision, cwd)
    if any(source.path == STDIN or source.blank_ids for source in loaded.files):
        return None
    root = repository_root(cwd)
    if _rules_changed(commit, cwd, root) or any(_folder_changed(commit, folder, root) for folder in folders):
        return None
    touched: set[str] = set()
    for source, old in zip(loaded.files, files_at(commit, loaded.paths, root), strict=True):
        data = source.text.encode("utf-8")
        old = None if old is None else old.removeprefix(b"\xef\xbb\xbf")
        if old == data:
            continue  # the same text: the same triples
        pair = _changed_statements(source, old, data) if old is not None else None
        if pair is None:  # the whole file then (none: a new file, all of whose triples are added) and now
            try:
                then = set() if old is None else _plain_quads(old)
            except (SyntaxError, ValueError, OSError, MemoryError):
                return None  # the file did not parse at the revision
            pair = (then, _current_quads(source))
        before, now = pair
        if before is None or now is None:
            return None  # blank nodes (or a quoted triple) at the revision: no names to compare by
        for t in before.symmetric_difference(now):  # a triple moved between files counts too
            if t.predicate.value == _SUBCLASS_OF:
                return None
            touched.add(t.subject.value)  # type: ignore[union-attr]
            if isinstance(t.object, ox.NamedNode):
                touched.add(t.object.value)
    return frozenset(touched)


def _current_quads(source: SourceFile) -> set[ox.Quad]:
    """A file's quads now: those the loader kept, else its text parsed again."""
    if source.kept is not None:
        return set(source.kept)
    return {ox.Quad(t.subject, t.predicate, t.object) for t in source.parse()}


def _changed_statements(
    source: SourceFile, old: bytes, new: bytes
) -> tuple[set[ox.Quad] | None, set[ox.Quad] | None] | None:
    """The triples of the statements around the changed lines (`old` and `new`: the file's bytes then and now),
    then and now; None when only the whole file will do (see `changed_statements`)."""
    texts = changed_statements(old, new, source.prefixes)
    if texts is None:
        return None
    try:
        return _plain_quads(texts[0]), _plain_quads(texts[1])
    except (SyntaxError, ValueError, OSError, MemoryError):
        return None


def _plain_quads(data: bytes) -> set[ox.Quad] | None:
    """The distinct quads of Turtle bytes; None when one holds a blank node or a quoted triple."""
    named, literal = ox.NamedNode, ox.Literal
    quads = set(ox.parse(input=data, format=ox.RdfFormat.TURTLE, base_iri=None))
    for q in quads:
        s, o = q.subject, q.object
        if s.__class__ is not named or (o.__class__ is not named and o.__class__ is not literal):
            return None
    return quads


def _folder_changed(commit: str, folder: Path, root: Path) -> bool:
    """Whether the .ttl files directly in `folder` are not the ones it held at `commit` (one added or removed)."""
    import subprocess

    root = root.resolve()
    try:
        relative = folder.resolve().relative_to(root).as_posix()
    except ValueError:
        return True
    prefix = "" if relative == "." else relative + "/"
    done = subprocess.run(["git", "ls-tree", "--name-only", commit, "--", prefix or "."], cwd=root, capture_output=True)
    if done.returncode != 0:
        return True
    then = {name[len(prefix) :] for name in done.stdout.decode("utf-8").splitlines() if name.endswith(".ttl")}
    now = {path.name for path in folder.glob("*.ttl")}
    return then != now


def _rules_changed(commit: str, cwd: Path, root: Path) -> bool:
    """Whether argmap itself (its code, shapes or vocabulary) differs from `commit`, when it lives in the same
    repository as the data: then the old data's verdict says nothing about the new rules, and all is checked."""
    import subprocess

    package = Path(__file__).resolve().parent
    try:
        package.relative_to(root.resolve())
    except ValueError:
        return False  # an installed argmap: its rules are not part of the data's history
    done = subprocess.run(["git", "diff", "--quiet", commit, "--", str(package)], cwd=cwd, capture_output=True)
    return done.returncode != 0


def affected_nodes(loaded: Loaded, touched: frozenset[str]) -> frozenset[str]:
    """What a change to the `touched` nodes can affect: they, and every node that reaches one of them in at most
    `reach` hops along its edges (at least one: a reference check on x reads whether x's targets exist; a
    shape on x reads the classes of x's values, or further when a shape nests, `Shapes.reach`)."""
    hops = max(1, compiled_shapes().reach)
    nodes, frontier = set(touched), set(touched)
    for _ in range(hops):
        if not frontier:
            break
        found = {s.value for (s,) in _rows(loaded.store, _REFERRERS, frozenset(frontier), "o")}
        frontier = found - nodes
        nodes |= frontier
    for shape in compiled_shapes().targeted:  # a shape's sh:targetNode is checked whatever changed
        nodes |= {n.value for n in shape.target_nodes if isinstance(n, ox.NamedNode)}
    return frozenset(nodes)


# ---------------------------------------------------------------------------- entry points


def validate(loaded: Loaded, engine: str = "argmap", only: frozenset[str] | None = None) -> Report:
    """SHACL and reference checks on data that parsed (`engine`: which SHACL engine, one of ENGINES); `only`:
    the nodes a change can affect (`affected_nodes`), for an incremental run, else everything."""
    project_iris = _project_iris(loaded.store, only)
    references = check_references(loaded, project_iris, only)
    # a dangling or doubly defined node also breaks shape rules; its own message says it better
    skip = frozenset(_expand(p.value) for p in references if p.rule == "dangling-reference") | frozenset(
        _expand(p.node) for p in references if p.rule == "duplicate-definition"
    )
    blank = frozenset(p.node.removeprefix("_:") for p in references if p.rule == "blank-node")
    # an IRI outside the project's namespaces has its own problem (prefix-mismatch or unknown-namespace)
    skip |= frozenset(iri for iri in project_iris if not _in_project_namespace(iri))
    problems = sorted(
        set(check_shapes(loaded, skip, blank, engine, only) + references),
        key=lambda p: (p.file, p.line, p.node, p.rule, p.message),
    )
    return Report([str(p) for p in loaded.paths], problems, len(loaded.store), ("syntax", "shacl", "references"))


def validate_paths(
    paths: Sequence[str | Path] | None = None, engine: str = "argmap", changed_since: str | None = None
) -> tuple[Report, Loaded | None]:
    """Every check on the given files (default: the data files); syntax errors of all files are collected.

    `changed_since` (a git revision whose data conformed, e.g. the base of a pull request): check only what the
    change since then can affect (`changed_nodes`, `affected_nodes`); the verdict is the full run's whenever the
    data at that revision conformed. Everything is checked when the change cannot be told node by node."""
    resolved = resolve_paths(paths)
    loaded, syntax = load_all(resolved)
    if syntax:
        problems = [
            Problem(str(s.location.path), s.location.line, "", s.rule, s.message, s.location.column) for s in syntax
        ]
        return Report([str(p) for p in resolved], problems, sum(f.count for f in loaded.files), ("syntax",)), None
    only = None
    if changed_since is not None:
        folders = [Path(p) for p in (paths or ()) if Path(p) != STDIN and Path(p).is_dir()]
        touched = changed_nodes(loaded, changed_since, folders=folders)
        only = affected_nodes(loaded, touched) if touched is not None else None
    return validate(loaded, engine, only), loaded


def load_valid(paths: Sequence[str | Path] | None = None) -> Loaded:
    """Load the data and insist it is valid: the entry point for build, serve and push. What is returned holds the
    store and the paths; the files' texts, needed only to locate problems, are released."""
    report, loaded = validate_paths(paths)
    if not report.conforms or loaded is None:
        raise InvalidData(report)
    return loaded.release()
