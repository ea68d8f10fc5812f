"""Exports of the whole graph (or one node): Turtle, N-Triples, JSON-LD, VoID and BibTeX.

Each function returns a `str` and is deterministic: subjects, predicates and objects are sorted, blank
nodes get labels from their content, and nothing depends on hash order or the clock, so two exports of
the same data are byte-identical and a change to one node changes only that node's lines.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .config import BASE_IRI, PREFIXES, RDF_TYPE, VOCAB_IRI
from .vocab import AM

if TYPE_CHECKING:  # only annotations: `argmap query` prints Turtle without importing the model
    from .model import Model, Node

XSD = PREFIXES["xsd"]
XSD_STRING = XSD + "string"
RDF_LANG_STRING = PREFIXES["rdf"] + "langString"

_PN_LOCAL = re.compile(r"^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?[0-9]*\.[0-9]+$")
_DOUBLE = re.compile(r"^[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+$")

Triple = tuple  # (subject, predicate, object) pyoxigraph terms


# ------------------------------------------------------------------------------------ terms
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f\x85\u2028\u2029]')


def _escape_one(match: re.Match) -> str:
    char = match.group(0)
    # control characters and line separators as \uXXXX: one triple stays on one line
    return _STRING_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def _escape_string(text: str) -> str:
    return _NEEDS_ESCAPE.sub(_escape_one, text)


#: What an IRI in angle brackets may not hold as it is: controls, space, <>"{}|^`\\ and DEL.
_IRI_NEEDS_ESCAPE = re.compile('[\x00-\x20<>"{}|^`\\\\\x7f]')


def _escape_iri_char(match: re.Match) -> str:
    return f"\\u{ord(match.group(0)):04X}"


def _escape_iri(iri: str) -> str:
    if _IRI_NEEDS_ESCAPE.search(iri) is None:  # nearly every IRI: nothing to escape
        return iri
    return _IRI_NEEDS_ESCAPE.sub(_escape_iri_char, iri)


def _triples(store: ox.Store, subjects: Iterable[str] | None = None) -> list[Triple]:
    if subjects is None:
        return [(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)]
    found: list[Triple] = []
    for iri in subjects:
        found.extend(
            (q.subject, q.predicate, q.object) for q in store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
        )
    return found


def _blank_labels(triples: Sequence[Triple]) -> dict[str, str]:
    """Stable labels for blank nodes, from what they say rather than from the parser's random ids.

    Each blank node is ranked by its outgoing and incoming triples, a blank neighbour standing for its
    own rank; ranks are refined until they stop splitting (colour refinement), so two blank nodes that
    differ only further down (`[ ex:q [ ex:r 1 ] ]` and `[ ex:q [ ex:r 2 ] ]`) still get fixed labels.
    """
    blanks = sorted({t.value for triple in triples for t in (triple[0], triple[2]) if isinstance(t, ox.BlankNode)})
    if not blanks:
        return {}
    edges: dict[str, list[tuple[str, str, object]]] = defaultdict(list)
    for s, p, o in triples:
        if isinstance(s, ox.BlankNode):
            edges[s.value].append(("o", p.value, o))
        if isinstance(o, ox.BlankNode):
            edges[o.value].append(("i", p.value, s))
    colour = dict.fromkeys(blanks, "")
    classes = 1
    for _ in range(len(blanks)):
        signature = {
            b: "\n".join(
                sorted(
                    f"{d} {p} " + ("_" + colour[t.value] if isinstance(t, ox.BlankNode) else str(t))
                    for d, p, t in edges[b]
                )
            )
            for b in blanks
        }
        ranks = {sig: f"{i:06d}" for i, sig in enumerate(sorted(set(signature.values())))}
        colour = {b: ranks[signature[b]] for b in blanks}
        if len(ranks) == classes and _ > 0:
            break
        classes = len(ranks)
    ranked = sorted(blanks, key=lambda b: (colour[b], b))  # b breaks ties only between indistinguishable nodes
    return {b: f"b{i}" for i, b in enumerate(ranked)}


#: Prefixed names already worked out, per prefix table: IRI -> (prefix, prefixed name), or None when no prefix
#: fits. An export names the same few thousand IRIs over and over (every page's Turtle and JSON-LD); each is
#: matched against the prefixes once. Emptied when it grows past _NAMES_MAX, so it stays small in a long-lived
#: process.
_NAMES: dict[tuple[tuple[str, str], ...], dict[str, tuple[str, str] | None]] = {}
_NAMES_MAX = 1 << 18


@functools.lru_cache(maxsize=64)  # a build makes a writer per page, always with the same few prefix tables
def _longest_first(prefixes: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """(prefix, namespace) pairs, the longest namespace first (ties by prefix): the order names are tried in."""
    return tuple(sorted(prefixes, key=lambda kv: (-len(kv[1]), kv[0])))


class _Writer:
    """Turns terms into Turtle or N-Triples text, remembering which prefixes were used."""

    def __init__(self, prefixes: dict[str, str], blanks: dict[str, str]):
        self.prefixes = _longest_first(tuple(prefixes.items()))
        self.blanks = blanks
        self.used: set[str] = set()
        self._names = _NAMES.setdefault(self.prefixes, {})

    def _prefixed(self, iri: str) -> tuple[str, str] | None:
        """(prefix, prefixed name) by the longest namespace that leaves a valid local name; None if none does."""
        names = self._names
        if iri in names:
            return names[iri]
        found = None
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and _PN_LOCAL.match(iri[len(ns) :]):
                found = (prefix, f"{prefix}:{iri[len(ns) :]}")
                break
        if len(names) >= _NAMES_MAX:
            names.clear()
        names[iri] = found
        return found

    def iri(self, iri: str, turtle: bool = True) -> str:
        if turtle and (found := self._prefixed(iri)) is not None:
            self.used.add(found[0])
            return found[1]
        return f"<{_escape_iri(iri)}>"

    def compact(self, iri: str) -> str:
        """A prefixed name when one fits, else the IRI itself (JSON-LD: no angle brackets)."""
        if (found := self._prefixed(iri)) is not None:
            self.used.add(found[0])
            return found[1]
        return iri

    def node_id(self, term) -> str:
        if isinstance(term, ox.BlankNode):
            return "_:" + self.blanks.get(term.value, term.value)
        return self.compact(term.value)

    def term(self, term, turtle: bool = True) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value, turtle)
        if isinstance(term, ox.BlankNode):
            return "_:" + self.blanks.get(term.value, term.value)
        if isinstance(term, ox.Literal):
            return self.literal(term, turtle)
        raise TypeError(f"cannot serialise {term!r}")

    def literal(self, literal: ox.Literal, turtle: bool = True) -> str:
        text = f'"{_escape_string(literal.value)}"'
        if literal.language:
            return f"{text}@{literal.language}"
        datatype = literal.datatype.value
        if datatype == XSD_STRING:
            return text
        if turtle:
            value = literal.value
            if datatype == XSD + "integer" and _INTEGER.match(value):
                return value
            if datatype == XSD + "decimal" and _DECIMAL.match(value):
                return value
            if datatype == XSD + "double" and _DOUBLE.match(value):
                return value
            if datatype == XSD + "boolean" and value in ("true", "false"):
                return value
        return f"{text}^^{self.iri(datatype, turtle)}"


def _sort_key(term, blanks: dict[str, str] | None = None) -> tuple:
    """Objects in a fixed order: IRIs, then blank nodes by their content label, then literals."""
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, ox.BlankNode):
        label = (blanks or {}).get(term.value, term.value)
        return (1, f"{len(label):04d}{label}", "", "")
    return (2, term.value, term.datatype.value if term.datatype else "", term.language or "")


def _by_subject(triples: Sequence[Triple], writer: _Writer) -> list[tuple[object, dict[str, list]]]:
    """Triples grouped by subject (IRIs sorted, then blank nodes by label): [(subject, {predicate: objects})]."""
    grouped: dict = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        grouped[s][p.value].append(o)
    order = sorted(grouped, key=lambda t: (isinstance(t, ox.BlankNode), writer.blanks.get(t.value, t.value)))
    return [(subject, grouped[subject]) for subject in order]


# ------------------------------------------------------------------------------------ Turtle
#: The comment atop the Turtle dump: the site's data/argmap.ttl and `argmap export --format turtle` alike.
DUMP_HEADER = "The Public AI debate as an argument graph (argmap). Subjects sorted by IRI."


def turtle(
    store: ox.Store,
    subjects: Iterable[str] | None = None,
    prefixes: dict[str, str] | None = None,
    header: str | None = None,
) -> str:
    """Turtle with one block per subject, subjects sorted by IRI, `a` first, then predicates and objects
    sorted; only the prefixes used are declared. `subjects` limits the output to those nodes."""
    triples = _triples(store, subjects)
    return turtle_of(triples, prefixes, header)


def turtle_of(triples: Sequence[Triple], prefixes: dict[str, str] | None = None, header: str | None = None) -> str:
    return "".join(turtle_chunks(triples, prefixes, header))


def turtle_chunks(
    triples: Sequence[Triple], prefixes: dict[str, str] | None = None, header: str | None = None
) -> Iterator[str]:
    """`turtle_of`'s text in pieces (the header and prefixes, then a block per subject), for writing a large
    graph to a file without holding its whole text twice."""
    writer = _Writer(PREFIXES if prefixes is None else prefixes, _blank_labels(triples))
    blocks = []
    for subject, predicates in _by_subject(triples, writer):
        lines = []
        for predicate in sorted(predicates, key=lambda p: (p != RDF_TYPE, p)):
            objects = sorted(set(predicates[predicate]), key=lambda t: _sort_key(t, writer.blanks))
            verb = "a" if predicate == RDF_TYPE else writer.iri(predicate)
            rendered = [writer.term(o) for o in objects]
            if len(rendered) > 1 and sum(len(r) for r in rendered) > 60:
                joiner = " ,\n" + " " * (8 + len(verb) + 1)
                lines.append(f"{verb} " + joiner.join(rendered))
            else:
                lines.append(f"{verb} " + " , ".join(rendered))
        blocks.append(writer.term(subject) + "\n    " + " ;\n    ".join(lines) + " .\n")
    head = "".join(f"# {line}\n".replace("# \n", "#\n") for line in (header or "").splitlines())
    declared = "".join(
        f"@prefix {p}: <{ns}> .\n"
        for p, ns in sorted(
            (p, ns) for p, ns in (PREFIXES if prefixes is None else prefixes).items() if p in writer.used
        )
    )
    yield head + (declared + "\n" if declared else "")
    for i, block in enumerate(blocks):
        yield block if i == 0 else "\n" + block


# ------------------------------------------------------------------------------------ canonical Turtle
#: Predicates written first, in this order, before the rest in alphabetical order of their written form.
CANONICAL_PREDICATE_ORDER = (RDF_TYPE, PREFIXES["rdfs"] + "label", str(AM.text))
#: The prefix block every canonical data file starts with (docs/data-model.md): am, rdf, rdfs, xsd and the
#: project's id namespaces, in the configured order.
CANONICAL_PREFIXES = {
    p: ns for p, ns in PREFIXES.items() if p in ("am", "rdf", "rdfs", "xsd") or ns.startswith(BASE_IRI)
}


def _comment_lines(lines: Sequence[str]) -> str:
    return "".join(line + "\n" for line in lines)


def canonical_turtle_of(
    triples: Sequence[Triple],
    extra_prefixes: dict[str, str] | None = None,
    header: Sequence[str] = (),
    comments: dict[str, list[str]] | None = None,
    trailer: Sequence[str] = (),
    prefix_block: bool = True,
) -> str:
    """The canonical layout of a data file (what `argmap fmt` writes).

    The fixed prefix block (CANONICAL_PREFIXES, then any `extra_prefixes` the file declares and uses,
    sorted); subjects sorted by IRI (blank nodes last, labelled from their content); in each block
    rdf:type, rdfs:label and am:text first, then the other predicates in alphabetical order; one object
    per line where a predicate has several. `header` and `trailer` are comment lines kept at the top and
    the bottom; `comments` maps a subject IRI to the comment lines written directly above its block.
    """
    fixed = dict(CANONICAL_PREFIXES)
    fixed_ns = set(fixed.values())
    extras = {p: ns for p, ns in (extra_prefixes or {}).items() if p not in fixed and ns not in fixed_ns and ns}
    writer = _Writer({**fixed, **extras}, _blank_labels(triples))
    comments = comments or {}
    blocks = []
    for subject, predicates in _by_subject(triples, writer):
        written = {p: ("a" if p == RDF_TYPE else writer.iri(p)) for p in predicates}
        rank = {p: CANONICAL_PREDICATE_ORDER.index(p) for p in predicates if p in CANONICAL_PREDICATE_ORDER}
        order = sorted(predicates, key=lambda p: (rank.get(p, len(CANONICAL_PREDICATE_ORDER)), written[p]))
        lines = []
        for predicate in order:
            rendered = [
                writer.term(o) for o in sorted(set(predicates[predicate]), key=lambda t: _sort_key(t, writer.blanks))
            ]
            if len(rendered) == 1:
                lines.append(f"{written[predicate]} {rendered[0]}")
            else:
                lines.append(written[predicate] + "\n        " + " ,\n        ".join(rendered))
        head = writer.term(subject)
        if lines[0].startswith("a ") and "\n" not in lines[0]:
            text = f"{head} {lines[0]}" + "".join(" ;\n    " + line for line in lines[1:]) + " .\n"
        else:
            text = head + "\n    " + " ;\n    ".join(lines) + " .\n"
        note = comments.get(subject.value, []) if isinstance(subject, ox.NamedNode) else []
        blocks.append(_comment_lines(note) + text)
    parts = []
    if header:
        parts.append(_comment_lines(header))
    if prefix_block:
        declared = {**fixed, **{p: ns for p, ns in sorted(extras.items()) if p in writer.used}}
        width = max(len(p) for p in declared) + 2
        parts.append("".join(f"@prefix {(p + ':').ljust(width)}<{ns}> .\n" for p, ns in declared.items()))
    parts.extend(blocks)
    if trailer:
        parts.append(_comment_lines(trailer))
    return "\n".join(parts)


# ------------------------------------------------------------------------------------ N-Triples
def ntriples(store: ox.Store) -> str:
    """N-Triples, one triple a line, lines sorted."""
    return ntriples_of(_triples(store))


def ntriples_of(triples: Sequence[Triple]) -> str:
    return "".join(ntriples_lines(triples))


def ntriples_lines(triples: Sequence[Triple]) -> list[str]:
    """`ntriples_of`'s lines, sorted, each ending in a newline."""
    writer = _Writer({}, _blank_labels(triples))
    return sorted(f"{writer.term(s, False)} {writer.term(p, False)} {writer.term(o, False)} .\n" for s, p, o in triples)


# ------------------------------------------------------------------------------------ JSON-LD
def _jsonld_nodes(triples: Sequence[Triple], writer: _Writer) -> list[dict]:
    nodes = []
    for subject, predicates in _by_subject(triples, writer):
        node: dict[str, object] = {"@id": writer.node_id(subject)}
        for predicate, objects in predicates.items():
            objects = sorted(set(objects), key=lambda t: _sort_key(t, writer.blanks))
            if predicate == RDF_TYPE and all(isinstance(o, ox.NamedNode) for o in objects):
                node["@type"] = [writer.compact(o.value) for o in objects]
                continue
            values = []
            for obj in objects:
                if isinstance(obj, (ox.NamedNode, ox.BlankNode)):
                    values.append({"@id": writer.node_id(obj)})
                elif obj.language:
                    values.append({"@value": obj.value, "@language": obj.language})
                elif obj.datatype.value == XSD_STRING:
                    values.append(obj.value)
                else:
                    values.append({"@value": obj.value, "@type": writer.compact(obj.datatype.value)})
            node[writer.compact(predicate)] = values
        nodes.append(node)
    return nodes


def jsonld_document(triples: Sequence[Triple], prefixes: dict[str, str] | None = None) -> dict:
    """A JSON-LD document (compact IRIs, a @context with the prefixes used) for these triples."""
    writer = _Writer(PREFIXES if prefixes is None else prefixes, _blank_labels(triples))
    nodes = _jsonld_nodes(triples, writer)
    context = {p: ns for p, ns in sorted((PREFIXES if prefixes is None else prefixes).items()) if p in writer.used}
    if len(nodes) == 1:
        return {"@context": context, **nodes[0]}
    return {"@context": context, "@graph": nodes}


def jsonld(store: ox.Store, subjects: Iterable[str] | None = None) -> str:
    """The graph (or the given subjects) as JSON-LD, keys sorted, two-space indent."""
    return jsonld_of(_triples(store, subjects))


def jsonld_of(triples: Sequence[Triple]) -> str:
    return "".join(jsonld_chunks(triples))


def jsonld_chunks(triples: Sequence[Triple]) -> Iterator[str]:
    """`jsonld_of`'s text in the encoder's pieces, made as they are written (not a list of them all)."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, sort_keys=True)
    yield from encoder.iterencode(jsonld_document(triples))
    yield "\n"


# ------------------------------------------------------------------------------------ VoID
def void(
    store: ox.Store,
    model: Model,
    dumps: dict[str, str],
    base_url: str | None = None,
    void_path: str = "data/void.ttl",
    triples: Sequence[Triple] | None = None,
) -> str:
    """A VoID description of the dataset: size, class and property partitions, and where the dumps are.

    `dumps` maps a media type to the dump's path below the site root. With `base_url` every IRI is
    absolute; without it, the dataset and dump IRIs are relative to the VoID file itself. `triples`: the
    store's triples, when the caller has them already (read from the store otherwise).
    """
    triples = _triples(store) if triples is None else triples
    subjects = {s.value for s, _, _ in triples if isinstance(s, ox.NamedNode)}
    objects = {str(o) for _, _, o in triples}
    classes = Counter(o.value for s, p, o in triples if p.value == RDF_TYPE and isinstance(o, ox.NamedNode))
    properties = Counter(p.value for _, p, _ in triples)
    entities = {
        s.value
        for s, p, o in triples
        if p.value == RDF_TYPE and isinstance(s, ox.NamedNode) and s.value.startswith(BASE_IRI)
    }

    depth = void_path.count("/")

    def here(path: str) -> str:
        if base_url:
            return f"<{_escape_iri(base_url + path)}>"
        return f"<{_escape_iri('../' * depth + path)}>"

    papers = model.papers()
    title = papers[0].text or papers[0].label if papers else "argmap"
    w = _Writer({**PREFIXES, "void": "http://rdfs.org/ns/void#", "foaf": "http://xmlns.com/foaf/0.1/"}, {})
    lit = lambda value: f'"{_escape_string(str(value))}"'  # noqa: E731
    lines = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"{here(void_path + '#dataset')} a void:Dataset ;",
        f"    dcterms:title {lit('The argument of “' + title + '” as a knowledge graph')} ;",
        "    dcterms:description "
        + lit(
            "Claims, principles, examples, opposing views, responses and the evidence behind them, with the "
            "sources they cite, modelled by the argmap project."
        )
        + " ;",
    ]
    for paper in papers:
        if paper.arxiv_id:
            lines.append(f"    dcterms:source <https://arxiv.org/abs/{_escape_iri(paper.arxiv_id)}> ;")
    lines += [
        f"    foaf:homepage {here('index.html')} ;",
        f"    void:uriSpace {lit(BASE_IRI)} ;",
        f"    void:vocabulary <{_escape_iri(VOCAB_IRI)}> ;",
        f"    void:triples {len(triples)} ;",
        f"    void:entities {len(entities)} ;",
        f"    void:distinctSubjects {len(subjects)} ;",
        f"    void:distinctObjects {len(objects)} ;",
        f"    void:properties {len(properties)} ;",
        f"    void:classes {len(classes)} ;",
    ]
    for path in sorted(dumps.values()):
        lines.append(f"    void:dataDump {here(path)} ;")
    for media in sorted(dumps):
        lines.append(
            f"    void:feature <{_escape_iri(_FEATURES.get(media, 'http://www.w3.org/ns/formats/' + media))}> ;"
        )
    theses = model.theses()
    if theses:
        lines.append(f"    void:exampleResource <{_escape_iri(theses[0].iri)}> ;")
    for cls, count in sorted(classes.items()):
        lines.append(f"    void:classPartition [ void:class {w.iri(cls)} ; void:entities {count} ] ;")
    for prop, count in sorted(properties.items()):
        lines.append(f"    void:propertyPartition [ void:property {w.iri(prop)} ; void:triples {count} ] ;")
    lines[-1] = lines[-1][:-2] + " ."
    declared = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items()) if p in w.used and p != "xsd"]
    return "\n".join(declared + lines) + "\n"


_FEATURES = {
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
}


# ------------------------------------------------------------------------------------ BibTeX
_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bib_escape(text: str) -> str:
    """Text safe inside a BibTeX braced field (LaTeX specials escaped, no unbalanced braces)."""
    return "".join(_BIB_SPECIAL.get(c, c) for c in " ".join(text.split()))


def _bib_verbatim(text: str) -> str | None:
    """URLs and DOIs go in as they are (the url package reads them verbatim) unless they could break the entry."""
    text = text.strip()
    if not text or any(c in text for c in "{}\\") or any(c.isspace() for c in text):
        return None
    return text


def bib_key(node: Node) -> str:
    local = node.iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    key = re.sub(r"[^A-Za-z0-9_:.-]", "-", local).strip("-") or "source"
    return key


def bibtex(model: Model) -> str:
    """A BibTeX entry for every source (and the paper itself), keys from the IRIs, sorted by key."""
    entries = []
    nodes = model.of_kind("source", "paper")
    keys = Counter(bib_key(n) for n in nodes)
    for node in sorted(nodes, key=lambda n: (bib_key(n), n.iri)):
        key = bib_key(node) if keys[bib_key(node)] == 1 else f"{bib_key(node)}-{node.kind}"
        fields: list[tuple[str, str]] = []
        if node.authors:
            fields.append(("author", bib_escape(node.authors)))
        fields.append(("title", "{" + bib_escape(node.text or node.label) + "}"))
        year = node.year
        if not year and node.kind == "paper":
            versions = model.linked(node.iri, AM.modelledVersion)
            year = versions[0].issued[:4] if versions and versions[0].issued else None
        if year:
            fields.append(("year", bib_escape(year[:4] if re.match(r"^\d{4}", year) else year)))
        if node.venue:
            fields.append(("howpublished", bib_escape(node.venue)))
        if node.arxiv_id and (eprint := _bib_verbatim(node.arxiv_id)):
            fields.append(("eprint", eprint))
            fields.append(("archiveprefix", "arXiv"))
        if node.doi and (doi := _bib_verbatim(node.doi)):
            fields.append(("doi", doi))
        if node.url and (url := _bib_verbatim(node.url)) and re.match(r"^https?://", node.url.strip(), re.IGNORECASE):
            fields.append(("url", url))
        if node.accessed:
            fields.append(("urldate", bib_escape(node.accessed)))
        note = f"argmap: {node.iri}"
        fields.append(("note", bib_escape(note)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


__all__ = [
    "bibtex",
    "bib_escape",
    "canonical_turtle_of",
    "jsonld",
    "jsonld_chunks",
    "jsonld_document",
    "ntriples",
    "ntriples_lines",
    "turtle",
    "turtle_chunks",
    "turtle_of",
    "void",
]
