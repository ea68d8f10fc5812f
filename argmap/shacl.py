"""SHACL core on the pyoxigraph store: the shapes file compiled once, run over the store the loader built.

`compile_shapes` reads resources/shapes.ttl (the one source of the rules) into `Shape` objects and refuses, naming
the shape, any SHACL feature this engine does not implement (`ShapesError`): a new rule in shapes.ttl either
works here or fails loudly, never silently passes. `run` evaluates the shapes on a store and returns `Result`s
with what pySHACL's report holds (focus node, path, value, constraint component, source shape, messages):
`argmap.validate` turns them into problems exactly as it does pySHACL's (`--engine pyshacl`), and
tests/test_shacl_engine.py checks the two agree on every fixture and on hundreds of mutated files.

Semantics follow pySHACL 0.40 where SHACL leaves room, because pySHACL is the oracle:
- the data graph pySHACL saw had each node's vocabulary superclasses added as types (argmap.validate's
  `_rdflib_graph`), and pySHACL follows `rdfs:subClassOf` triples of the data graph only; `_Data.classes_of`
  does the same, in that order;
- `sh:datatype` accepts a literal of the datatype unless rdflib calls it ill-typed (`"2026-13-45"^^xsd:date`)
  or its value is not of the Python type pySHACL expects; a plain literal is xsd:string; rdflib decides, so
  the two engines cannot drift apart on what a well-formed date is;
- string lengths and patterns read the literal's lexical form as rdflib normalises it ("01"^^xsd:integer is "1").

What the changed nodes can affect (for incremental runs): a shape on node x reads x's own triples and, through
`sh:class` or a nested shape on a value, the triples of nodes up to `Shapes.reach` hops away along x's edges.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .errors import ArgmapError

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF + "type"
SUBCLASS = RDFS + "subClassOf"
XSD_STRING = XSD + "string"
LANG_STRING = RDF + "langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # no Triple in argmap data: the loader refuses RDF-star


class ShapesError(ArgmapError):
    """The shapes file uses SHACL this engine does not implement, or uses it wrongly."""


# ------------------------------------------------------------------------------------------- compiled shapes


@dataclass(frozen=True)
class Constraint:
    """One constraint component of a shape and its parameter, e.g. ('MinCount', 1) or ('Class', 'am:Source')."""

    component: str  # the local name without 'ConstraintComponent': MinCount, Class, Or, …
    param: object


@dataclass
class Shape:
    node: ox.NamedNode | ox.BlankNode
    name: str  # the named shape it belongs to ('FigureShape'), as argmap reports it
    path: str | None = None  # a property shape's predicate
    inverse: bool = False  # sh:path [ sh:inversePath p ]
    target_classes: tuple[str, ...] = ()
    target_nodes: tuple[Term, ...] = ()
    target_subjects_of: tuple[str, ...] = ()
    target_objects_of: tuple[str, ...] = ()
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    messages: tuple[str, ...] = ()
    deactivated: bool = False

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of)


@dataclass
class Shapes:
    """Every shape of the file; `targeted` are the ones validation starts from."""

    targeted: list[Shape]
    prefixes: dict[str, str]
    #: predicates some shape follows (forward / inverse), so the data index holds only those
    predicates: frozenset[str]
    inverse_predicates: frozenset[str]
    #: how many hops along a focus node's edges its shapes read (0: its own triples and nothing further)
    reach: int


#: Shape-level terms that are not constraints (read elsewhere, or documentation only).
_NOT_CONSTRAINTS = {
    "path",
    "property",
    "message",
    "name",
    "description",
    "order",
    "group",
    "defaultValue",
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "deactivated",
    "flags",
    "severity",
}
#: Constraint components implemented here (local names of their parameters).
_PARAMETERS = {
    "class": "Class",
    "datatype": "Datatype",
    "nodeKind": "NodeKind",
    "minCount": "MinCount",
    "maxCount": "MaxCount",
    "minLength": "MinLength",
    "maxLength": "MaxLength",
    "pattern": "Pattern",
    "in": "In",
    "hasValue": "HasValue",
    "node": "Node",
    "not": "Not",
    "and": "And",
    "or": "Or",
    "xone": "Xone",
}
_NODE_KINDS = {
    SH + "IRI": (ox.NamedNode,),
    SH + "BlankNode": (ox.BlankNode,),
    SH + "Literal": (ox.Literal,),
    SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
    SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
}


class _Graph:
    """A small graph held as subject -> predicate -> objects (the shapes file is a few hundred triples)."""

    def __init__(self, triples: Iterable[ox.Triple]):
        self.out: dict[Term, dict[str, list[Term]]] = {}
        for t in triples:
            self.out.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def objects(self, s: Term, p: str) -> list[Term]:
        return self.out.get(s, {}).get(p, [])

    def subjects(self, p: str, o: Term) -> list[Term]:
        return [s for s, props in self.out.items() if o in props.get(p, ())]

    def items(self, head: Term, where: str) -> list[Term]:
        """The members of an RDF list."""
        found: list[Term] = []
        node = head
        while not (isinstance(node, ox.NamedNode) and node.value == RDF + "nil"):
            first, rest = self.objects(node, RDF + "first"), self.objects(node, RDF + "rest")
            if len(first) != 1 or len(rest) != 1 or len(found) > 10_000:
                raise ShapesError(f"{where}: expects an RDF list ( … ), found {node}")
            found.append(first[0])
            node = rest[0]
        return found


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def compile_shapes(path: Path) -> Shapes:
    """Read a SHACL shapes file (Turtle) into Shapes; ShapesError names any shape using SHACL not implemented here."""
    parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    graph = _Graph(ox.Triple(q.subject, q.predicate, q.object) for q in parser)
    prefixes = dict(parser.prefixes)

    def shown(node: Term) -> str:
        if isinstance(node, ox.NamedNode):
            for name, ns in prefixes.items():
                if node.value.startswith(ns) and re.fullmatch(r"[\w.-]*", node.value[len(ns) :]):
                    return f"{name}:{node.value[len(ns) :]}"
            return f"<{node.value}>"
        return str(node)

    declared = set()
    for kind in ("NodeShape", "PropertyShape"):
        declared |= set(graph.subjects(RDF_TYPE, ox.NamedNode(SH + kind)))
    # the name argmap reports: a named shape's local name, passed on to its property shapes (validate's rule)
    names: dict[Term, str] = {}
    for shape in sorted((s for s in declared if isinstance(s, ox.NamedNode)), key=lambda s: s.value):
        names[shape] = _local(shape.value)
        for prop in graph.objects(shape, SH + "property"):
            names.setdefault(prop, _local(shape.value))

    compiled: dict[Term, Shape] = {}
    predicates: set[str] = set()
    inverse: set[str] = set()

    def build(node: Term) -> Shape:
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            raise ShapesError(f"{SHAPES_NAME}: a shape must be an IRI or a blank node, found {node}")
        if node in compiled:
            return compiled[node]
        where = f"{SHAPES_NAME}: {shown(node)}"
        shape = Shape(node, names.get(node, "shape"))
        compiled[node] = shape  # before the parts: a shape may refer to itself
        props = graph.out.get(node, {})
        for predicate in props:
            if not predicate.startswith(SH):
                continue
            name = predicate[len(SH) :]
            if name not in _NOT_CONSTRAINTS and name not in _PARAMETERS:
                raise ShapesError(
                    f"{where} uses sh:{name}, which argmap's SHACL engine does not implement "
                    "(argmap/shacl.py implements SHACL core's "
                    + ", ".join(f"sh:{p}" for p in sorted(_PARAMETERS))
                    + "); implement it there, or run with --engine pyshacl"
                )
        for severity in props.get(SH + "severity", ()):
            if severity != ox.NamedNode(SH + "Violation"):
                raise ShapesError(f"{where}: sh:severity {shown(severity)} is not supported (only sh:Violation)")
        shape.deactivated = any(
            isinstance(d, ox.Literal) and d.value.strip().lower() in ("true", "1")
            for d in props.get(SH + "deactivated", ())
        )
        shape.messages = tuple(m.value for m in props.get(SH + "message", ()) if isinstance(m, ox.Literal))
        paths = props.get(SH + "path", ())
        if len(paths) > 1:
            raise ShapesError(f"{where} has {len(paths)} sh:path values; a property shape has one")
        if paths:
            shape.path, shape.inverse = _path(graph, paths[0], where, shown)
            (inverse if shape.inverse else predicates).add(shape.path)
        shape.target_classes = tuple(_iri(c, where, "sh:targetClass") for c in props.get(SH + "targetClass", ()))
        shape.target_nodes = tuple(props.get(SH + "targetNode", ()))
        shape.target_subjects_of = tuple(
            _iri(p, where, "sh:targetSubjectsOf") for p in props.get(SH + "targetSubjectsOf", ())
        )
        shape.target_objects_of = tuple(
            _iri(p, where, "sh:targetObjectsOf") for p in props.get(SH + "targetObjectsOf", ())
        )
        predicates.update(shape.target_subjects_of)
        inverse.update(shape.target_objects_of)
        for param in sorted(props, key=lambda p: p):
            if not param.startswith(SH) or param[len(SH) :] not in _PARAMETERS:
                continue
            name = param[len(SH) :]
            component = _PARAMETERS[name]
            for value in props[param]:
                shape.constraints.append(Constraint(component, _parameter(graph, name, value, props, where, build)))
        shape.properties = [build(p) for p in props.get(SH + "property", ())]
        for prop in shape.properties:
            if prop.path is None:
                raise ShapesError(f"{where}: its sh:property {shown(prop.node)} has no sh:path")
        return shape

    targeted = []
    for node in sorted(graph.out, key=str):
        props = graph.out[node]
        if any(SH + t in props for t in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")):
            targeted.append(build(node))
    for node in declared:  # compiled (and so checked) even when only reached through another shape
        build(node)
    reach = max((_reach(s, set()) for s in targeted), default=0)
    return Shapes(targeted, prefixes, frozenset(predicates), frozenset(inverse), max(reach, 0))


SHAPES_NAME = "shapes.ttl"


def _iri(node: Term, where: str, what: str) -> str:
    if not isinstance(node, ox.NamedNode):
        raise ShapesError(f"{where}: {what} must be an IRI, found {node}")
    return node.value


def _path(graph: _Graph, node: Term, where: str, shown: Callable[[Term], str]) -> tuple[str, bool]:
    if isinstance(node, ox.NamedNode):
        return node.value, False
    inverse = graph.objects(node, SH + "inversePath")
    if isinstance(node, ox.BlankNode) and len(inverse) == 1 and isinstance(inverse[0], ox.NamedNode):
        if set(graph.out.get(node, {})) == {SH + "inversePath"}:
            return inverse[0].value, True
    raise ShapesError(
        f"{where}: sh:path {shown(node)} is not a predicate or [ sh:inversePath predicate ]: "
        "argmap's SHACL engine implements those paths only (use --engine pyshacl for others)"
    )


def _parameter(graph: _Graph, name: str, value: Term, props: dict, where: str, build: Callable[[Term], Shape]):
    def literal_int() -> int:
        if not isinstance(value, ox.Literal) or not re.fullmatch(r"[+-]?\d+", value.value.strip()):
            raise ShapesError(f"{where}: sh:{name} must be an integer, found {value}")
        return int(value.value)

    if name in ("minCount", "maxCount", "minLength", "maxLength"):
        return literal_int()
    if name in ("class", "datatype"):
        return _iri(value, where, f"sh:{name}")
    if name == "nodeKind":
        if not isinstance(value, ox.NamedNode) or value.value not in _NODE_KINDS:
            raise ShapesError(f"{where}: sh:nodeKind {value} is not one of SHACL's six node kinds")
        return value.value
    if name == "pattern":
        if not isinstance(value, ox.Literal):
            raise ShapesError(f"{where}: sh:pattern must be a string")
        flags = 0
        for given in props.get(SH + "flags", ())[:1]:
            text = given.value.lower() if isinstance(given, ox.Literal) else ""
            for letter, flag in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL), ("x", re.VERBOSE)):
                if letter in text:
                    flags |= flag
        try:
            return re.compile(value.value, flags)
        except re.error as exc:
            raise ShapesError(f"{where}: sh:pattern {value.value!r} is not a regular expression ({exc})") from None
    if name == "in":
        return tuple(graph.items(value, where))
    if name == "hasValue":
        return value
    if name in ("node", "not"):
        return build(value)
    # and, or, xone: a list of shapes
    return tuple(build(member) for member in graph.items(value, where))


def _reach(shape: Shape, seen: set[int]) -> int:
    """Hops along edges a shape reads from its focus node: -1 nothing (only the term itself), 0 its own triples."""
    if id(shape) in seen:
        return 0
    seen = seen | {id(shape)}
    own = -1
    for c in shape.constraints:
        if c.component == "Class":
            own = max(own, 0)
        elif c.component in ("Node", "Not"):
            own = max(own, _reach(c.param, seen))  # type: ignore[arg-type]
        elif c.component in ("And", "Or", "Xone"):
            own = max([own, *(_reach(s, seen) for s in c.param)])  # type: ignore[attr-defined]
    for prop in shape.properties:
        own = max(own, _reach(prop, seen))
    if shape.path is None:
        return own
    # a property shape reads the focus node's triples (0) and applies its constraints to values one hop away
    return max(0, own + 1)


# ------------------------------------------------------------------------------------------- the data


class _Data:
    """What the shapes read of the store, indexed once: the followed predicates, and the types."""

    def __init__(
        self,
        store: ox.Store,
        superclasses: dict[str, tuple[str, ...]],
        sparse: frozenset[Term] | None = None,
    ):
        """`sparse`: the only focus nodes there will be (a few): read their triples one by one, index nothing."""
        self.store = store
        self.sparse = sparse
        self._out: dict[str, dict[Term, list[Term]]] = {}
        self._in: dict[str, dict[Term, list[Term]]] = {}
        self._types: dict[Term, list[str]] | None = None
        self.superclasses = superclasses
        #: rdfs:subClassOf triples of the data graph itself (pySHACL follows them)
        self.data_subclass: dict[str, list[str]] = {}
        for q in store.quads_for_pattern(None, ox.NamedNode(SUBCLASS), None, ox.DefaultGraph()):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                self.data_subclass.setdefault(q.subject.value, []).append(q.object.value)
        self._classes: dict[Term, frozenset[str]] = {}
        self._members: dict[str, list[Term]] | None = None
        self._types_index: dict[str, dict[Term, list[Term]]] = {}

    @property
    def types(self) -> dict[Term, list[str]]:
        """Node -> its asserted types (every typed node of the store, or only the sparse ones)."""
        if self._types is None:
            self._types = {}
            if self.sparse is None:
                for q in self.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, ox.DefaultGraph()):
                    if isinstance(q.object, ox.NamedNode):
                        self._types.setdefault(q.subject, []).append(q.object.value)
            else:
                for node in self.sparse:
                    self._types[node] = self.asserted(node)
        return self._types

    def asserted(self, node: Term) -> list[str]:
        if self._types is not None and node in self._types:
            return self._types[node]
        if self.sparse is None or isinstance(node, ox.Literal):
            return []
        rdf_type = ox.NamedNode(RDF_TYPE)
        return [
            q.object.value
            for q in self.store.quads_for_pattern(node, rdf_type, None, ox.DefaultGraph())  # type: ignore[arg-type]
            if isinstance(q.object, ox.NamedNode)
        ]

    def lookup(self, predicate: str, inverse: bool = False) -> Callable[[Term, list[Term]], list[Term]]:
        """A `get(focus, default)` for the values of one predicate: an index's, or one query per node when sparse."""
        if self.sparse is None or (predicate == RDF_TYPE and inverse):
            return self.index(predicate, inverse).get
        if predicate == RDF_TYPE:
            return lambda focus, default: [ox.NamedNode(c) for c in sorted(self.materialised_types(focus))] or default
        cache: dict[Term, list[Term]] = {}
        node = ox.NamedNode(predicate)
        graph = ox.DefaultGraph()

        def get(focus: Term, default: list[Term]) -> list[Term]:
            found = cache.get(focus)
            if found is None:
                if inverse:
                    found = [q.subject for q in self.store.quads_for_pattern(None, node, focus, graph)]
                elif isinstance(focus, ox.Literal):
                    found = []
                else:
                    found = [q.object for q in self.store.quads_for_pattern(focus, node, None, graph)]
                cache[focus] = found
            return found or default

        return get

    def index(self, predicate: str, inverse: bool = False) -> dict[Term, list[Term]]:
        """Subject -> its objects for one predicate (object -> subjects when inverse), built on first use."""
        if predicate == RDF_TYPE:
            return self._type_index(inverse)
        indexes = self._in if inverse else self._out
        found = indexes.get(predicate)
        if found is None:
            found = indexes[predicate] = {}
            get = found.get
            for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.DefaultGraph()):
                key, value = (q.object, q.subject) if inverse else (q.subject, q.object)
                listed = get(key)
                if listed is None:
                    found[key] = [value]
                else:
                    listed.append(value)
        return found

    def _type_index(self, inverse: bool) -> dict[Term, list[Term]]:
        """rdf:type as pySHACL's data graph held it: each node's vocabulary superclasses added."""
        key = "inverse" if inverse else "forward"
        found = self._types_index.get(key)
        if found is None:
            found = self._types_index[key] = {}
            for node in self.types:
                for cls in sorted(self.materialised_types(node)):
                    if inverse:
                        found.setdefault(ox.NamedNode(cls), []).append(node)
                    else:
                        found.setdefault(node, []).append(ox.NamedNode(cls))
        return found

    def materialised_types(self, node: Term) -> set[str]:
        asserted = self.types.get(node) if self.sparse is None else self.asserted(node)
        asserted = asserted or []
        result = set(asserted)
        for cls in asserted:
            result.update(self.superclasses.get(cls, ()))
        return result

    def classes_of(self, node: Term) -> frozenset[str]:
        """The classes `node` is an instance of, as pySHACL's rdf:type/rdfs:subClassOf* found them."""
        found = self._classes.get(node)
        if found is None:
            result = self.materialised_types(node)
            if self.data_subclass:
                todo = list(result)
                while todo:
                    for sup in self.data_subclass.get(todo.pop(), ()):
                        if sup not in result:
                            result.add(sup)
                            todo.append(sup)
            found = self._classes[node] = frozenset(result)
        return found

    def instances(self, cls: str) -> list[Term]:
        if self._members is None:
            self._members = {}
            for node in self.types:
                for c in self.classes_of(node):
                    self._members.setdefault(c, []).append(node)
        return self._members.get(cls, [])


# ------------------------------------------------------------------------------------------- literals


_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]*")
_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PLAIN_URI = re.compile(r"[^\s<>\"{}|^`\\]*")


def _typed_fast(lexical: str, datatype: str) -> tuple[bool | None, object, str] | None:
    """What rdflib says of the commonest well-formed typed literals, without importing rdflib (0.2 s); None when
    unsure. tests/test_shacl_engine.py holds each answer to rdflib's own."""
    import datetime

    if datatype == XSD + "integer" and _CANONICAL_INTEGER.fullmatch(lexical):
        return False, int(lexical), lexical
    if datatype == XSD + "date" and _PLAIN_DATE.fullmatch(lexical) and not lexical.startswith("0000"):
        try:
            return False, datetime.date.fromisoformat(lexical), lexical
        except ValueError:
            return None
    if datatype == XSD + "gYear":  # rdflib has no reading of xsd:gYear: every lexical form is kept as it is
        return None, None, lexical
    if datatype == XSD + "anyURI" and _PLAIN_URI.fullmatch(lexical):
        return False, lexical, lexical
    if datatype == XSD + "boolean" and lexical in ("true", "false"):
        return False, lexical == "true", lexical
    return None


@lru_cache(maxsize=65536)
def _typed(lexical: str, datatype: str) -> tuple[bool | None, object, str]:
    """(ill-typed?, value, lexical form) of a typed literal as rdflib reads it (pySHACL's view of literals)."""
    fast = _typed_fast(lexical, datatype)
    if fast is not None:
        return fast
    return _typed_by_rdflib(lexical, datatype)


def _typed_by_rdflib(lexical: str, datatype: str) -> tuple[bool | None, object, str]:
    import rdflib  # only for literals with a datatype other than xsd:string: rdflib is the oracle's reader

    with quiet_rdflib():
        literal = rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype))
    return literal.ill_typed, literal.value, str(literal)


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs (with a traceback, on stderr) each ill-typed literal it makes; whether it is ill-typed is the
    question we ask it, so that log is switched off while we ask (the library never prints)."""
    import logging

    log = logging.getLogger("rdflib.term")
    was, log.disabled = log.disabled, True
    try:
        yield
    finally:
        log.disabled = was


def _is_plain(term: ox.Literal) -> bool:
    return term.language is not None or term.datatype.value == XSD_STRING


def _matches_datatype(term: Term, rule: str) -> bool:
    """pySHACL's DatatypeConstraintComponent on one value."""
    if not isinstance(term, ox.Literal):
        return False
    if rule == RDFS + "Literal":
        return True
    if term.language is not None:
        return rule == LANG_STRING
    datatype = term.datatype.value
    if datatype == XSD_STRING:  # rdflib holds it as a plain literal (no datatype)
        return rule == XSD_STRING
    if rule == RDFS + "Datatype":
        return True
    if datatype != rule:
        return False
    ill, value, _ = _typed(term.value, datatype)
    if ill is True:
        return False
    return _python_type_fits(value, rule)


def _python_type_fits(value: object, rule: str) -> bool:
    """pySHACL's _assert_actual_datatype: the value rdflib made must be of the datatype's Python type."""
    import datetime
    from decimal import Decimal

    expected: dict[str, type | tuple[type, ...]] = {
        XSD + "integer": int,
        XSD + "float": float,
        XSD + "decimal": Decimal,
        XSD + "boolean": bool,
        XSD + "date": datetime.date,
        XSD + "time": datetime.time,
        XSD + "dateTime": datetime.datetime,
    }
    wanted = expected.get(rule)
    return True if wanted is None else isinstance(value, wanted)


def lexical(term: Term) -> str:
    """The string SHACL's length and pattern constraints read (rdflib's normalised lexical form for typed literals)."""
    if isinstance(term, ox.Literal) and not _is_plain(term):
        return _typed(term.value, term.datatype.value)[2]
    return str(term.value) if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) else str(term)


# ------------------------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Result:
    """One validation result, as pySHACL's report states it."""

    focus: Term
    path: str | None
    value: Term | None
    component: str  # the constraint component IRI, e.g. sh:MinCountConstraintComponent
    shape: Shape = field(compare=False, hash=False)
    messages: tuple[str, ...] = ()


class _Evaluator:
    def __init__(self, shapes: Shapes, data: _Data):
        self.shapes = shapes
        self.data = data
        self._prefixes = shapes.prefixes

    # the entry point: every targeted shape on its focus nodes
    def run(self, only: frozenset[Term] | None) -> list[Result]:
        results: list[Result] = []
        for shape in self.shapes.targeted:
            if shape.deactivated:
                continue
            foci = self.focus_nodes(shape)
            if only is not None:
                foci = [f for f in foci if f in only]
            results += self.validate_many(shape, foci)
        return results

    def focus_nodes(self, shape: Shape) -> list[Term]:
        found: dict[Term, None] = {}
        for node in shape.target_nodes:
            found[node] = None
        for cls in shape.target_classes:
            found.update(dict.fromkeys(self.data.instances(cls)))
        graph = ox.DefaultGraph()
        for predicate in shape.target_subjects_of:
            for q in self.data.store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                found[q.subject] = None
        for predicate in shape.target_objects_of:
            for q in self.data.store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                found[q.object] = None
        return list(found)

    def validate_many(self, shape: Shape, foci: list[Term]) -> list[Result]:
        """The shape on each focus node: one pass per constraint over all of them."""
        if shape.deactivated or not foci:
            return []
        pairs: list[tuple[Term, list[Term]]]
        if shape.path is None:
            pairs = [(f, [f]) for f in foci]
        else:
            get = self.data.lookup(shape.path, shape.inverse)
            none: list[Term] = []
            pairs = [(f, get(f, none)) for f in foci]
        results: list[Result] = []
        for constraint in shape.constraints:
            results += self.check(shape, constraint, pairs)
        if shape.properties:
            nodes = foci if shape.path is None else [v for _, vs in pairs for v in vs]
            for prop in shape.properties:
                results += self.validate_many(prop, nodes)
        return results

    def conforms(self, value: Term, shape: Shape) -> bool:
        return not self.validate_many(shape, [value])

    def check(self, shape: Shape, c: Constraint, pairs: list[tuple[Term, list[Term]]]) -> list[Result]:
        kind, param = c.component, c.param
        bad: list[tuple[Term, Term | None]]
        if kind == "MinCount":
            bad = [(f, None) for f, vs in pairs if len(vs) < param]  # type: ignore[operator]
        elif kind == "MaxCount":
            bad = [(f, None) for f, vs in pairs if len(vs) > param]  # type: ignore[operator]
        elif kind == "Class":
            classes_of = self.data.classes_of
            bad = [(f, v) for f, vs in pairs for v in vs if isinstance(v, ox.Literal) or param not in classes_of(v)]
        elif kind == "Datatype":
            bad = [(f, v) for f, vs in pairs for v in vs if not _matches_datatype(v, param)]  # type: ignore[arg-type]
        elif kind == "NodeKind":
            kinds = _NODE_KINDS[param]  # type: ignore[index]
            bad = [(f, v) for f, vs in pairs for v in vs if not isinstance(v, kinds)]
        elif kind == "MinLength":
            if not param:
                return []
            bad = [(f, v) for f, vs in pairs for v in vs if isinstance(v, ox.BlankNode) or len(lexical(v)) < param]  # type: ignore[operator]
        elif kind == "MaxLength":
            bad = [(f, v) for f, vs in pairs for v in vs if isinstance(v, ox.BlankNode) or len(lexical(v)) > param]  # type: ignore[operator]
        elif kind == "Pattern":
            search = param.search  # type: ignore[attr-defined]
            bad = [(f, v) for f, vs in pairs for v in vs if isinstance(v, ox.BlankNode) or not search(lexical(v))]
        elif kind == "In":
            bad = [(f, v) for f, vs in pairs for v in vs if v not in param]  # type: ignore[operator]
        elif kind == "HasValue":
            bad = [(f, None) for f, vs in pairs if param not in vs]
        elif kind == "Node":
            bad = [(f, v) for f, vs in pairs for v in vs if not self.conforms(v, param)]  # type: ignore[arg-type]
        elif kind == "Not":
            bad = [(f, v) for f, vs in pairs for v in vs if self.conforms(v, param)]  # type: ignore[arg-type]
        elif kind == "And":
            bad = [(f, v) for f, vs in pairs for v in vs if not all(self.conforms(v, s) for s in param)]  # type: ignore[attr-defined]
        elif kind == "Or":
            bad = [(f, v) for f, vs in pairs for v in vs if not any(self.conforms(v, s) for s in param)]  # type: ignore[attr-defined]
        elif kind == "Xone":
            bad = [(f, v) for f, vs in pairs for v in vs if sum(self.conforms(v, s) for s in param) != 1]  # type: ignore[attr-defined]
        else:  # compile_shapes refuses every other component
            raise ShapesError(f"sh:{kind} is not implemented")
        if not bad:
            return []
        component = f"{SH}{kind}ConstraintComponent"
        path = shape.path if not shape.inverse else None
        return [
            Result(f, path, v, component, shape, shape.messages or (self.generic_message(shape, c, f, v),))
            for f, v in bad
        ]

    # pySHACL's messages for shapes without sh:message (argmap's shapes all have one; kept close, not pinned)
    def shown(self, node: Term | str) -> str:
        iri = node if isinstance(node, str) else node.value if isinstance(node, ox.NamedNode) else None
        if iri is None:
            return str(node)
        for name, ns in self._prefixes.items():
            if iri.startswith(ns) and re.fullmatch(r"[\w.-]*", iri[len(ns) :]):
                return f"{name}:{iri[len(ns) :]}"
        return f"<{iri}>"

    def generic_message(self, shape: Shape, c: Constraint, focus: Term, value: Term | None) -> str:
        kind, param = c.component, c.param
        target = f"<{focus.value}>" if isinstance(focus, ox.NamedNode) else str(focus)
        on = f"{target}->{self.shown(shape.path)}" if shape.path else target
        if kind == "MinCount":
            return f"Less than {param} values on {on}"
        if kind == "MaxCount":
            return f"More than {param} values on {on}"
        if kind == "Class":
            return f"Value does not have class {self.shown(param)}"  # type: ignore[arg-type]
        if kind == "Datatype":
            return f"Value is not Literal with datatype {self.shown(param)}"  # type: ignore[arg-type]
        if kind == "NodeKind":
            return f"Value is not of Node Kind {self.shown(param)}"  # type: ignore[arg-type]
        if kind == "MinLength":
            return f"String length not >= {param}"
        if kind == "MaxLength":
            return f"String length not <= {param}"
        if kind == "Pattern":
            return f"Value does not match pattern '{param.pattern}'"  # type: ignore[attr-defined]
        return f"Value does not conform to the shape's sh:{kind[0].lower() + kind[1:]} constraint"


def run(
    store: ox.Store,
    shapes: Shapes,
    superclasses: dict[str, tuple[str, ...]],
    only: frozenset[Term] | None = None,
) -> list[Result]:
    """Every validation result of the shapes on the store (focus nodes limited to `only` when given)."""
    sparse = None
    if only is not None and len(only) <= SPARSE_LIMIT and RDF_TYPE not in shapes.inverse_predicates:
        sparse = only
    return _Evaluator(shapes, _Data(store, superclasses, sparse)).run(only)


#: Up to this many focus nodes, read each one's triples by itself instead of indexing the store.
SPARSE_LIMIT = 2000
