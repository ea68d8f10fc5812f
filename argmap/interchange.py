"""`argmap export`: the debate in the formats other tools read, and the one function that writes an export.

Every format is made here (or, for the RDF dumps and BibTeX the site also offers, by `argmap.export`) as
text in memory; `write_export` then puts it on standard output, in a file (atomically, with
`argmap.fmt.write_atomic`) or, for CSV, in a folder. Every exporter is deterministic: items in the model's
order (`Node.sort_key`), relations in IRI order, no clock, so two exports of the same data are
byte-identical.

Which items and relations each format carries:

* **Argdown**, **AIF JSON**, **AIF-RDF** carry the argument: statements and evidence as statements /
  I-nodes, named inferences (`am:Inference`) as arguments / RA-nodes, and the relations `supports`,
  `attacks` and `undercuts` (support I → RA → I, attack I → CA → I, undercut I → CA → RA). A support whose
  premise and conclusion a named inference already links *is* that inference (the vocabulary's reading of
  am:Inference), so it is one RA-node, not two. `qualifies`, `responds-to`, `instantiates`, `in-category`
  and `cites` have no counterpart in Argdown or AIF and are left out; sources are not statements.
* **GraphML** and **CSV** carry the map: every node the map shows (`analyse.argument_graph`: statements,
  evidence, inferences and sources) and every relation between them, one edge per relation.

Contributed text is escaped for each format: Argdown escapes every ASCII punctuation character with a
backslash (Argdown reads `\\x` as the character x), so no label can open a title, a tag, a link, a comment
or a relation; JSON and CSV go through their standard library writers; GraphML through networkx's XML writer.
What a format cannot hold is changed in one documented way: Argdown joins a statement's lines (a line
break inside a statement is a space to Argdown) and GraphML replaces the few characters XML 1.0 forbids
(control characters) with U+FFFD and writes a carriage return as a line feed (XML parsers do that anyway).
"""

from __future__ import annotations

import csv
import io
import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox

from . import export
from .config import PREFIXES, RDF_TYPE
from .errors import DataError
from .model import STATEMENT_KINDS, Model, Node, curie

if TYPE_CHECKING:
    from .load import Loaded

AIF = "http://www.arg.dundee.ac.uk/aif#"
RDFS_LABEL = PREFIXES["rdfs"] + "label"

#: The kinds that are statements in Argdown and I-nodes in AIF.
ARGUMENT_KINDS = (*sorted(STATEMENT_KINDS), "evidence")

#: The text AIFdb gives a scheme node that applies no named scheme.
RA_TEXT = "Default Inference"
CA_TEXT = "Default Conflict"


def statement_text(node: Node) -> str:
    """What an item says: its am:text, else its label (evidence, inferences), else its compact IRI."""
    for value in (node.text, node.label):
        if value and value.strip():
            return value
    return curie(node.iri)


# ------------------------------------------------------------------------------------ the argument, in AIF terms
@dataclass
class SchemeNode:
    """An RA-node (inference) or CA-node (conflict): what flows into it and what it points at."""

    type: str  # "RA" or "CA"
    iri: str | None = None  # a named inference keeps its IRI; other scheme nodes are anonymous
    premises: list[str] = field(default_factory=list)  # IRIs of I-nodes (or inferences) flowing in
    conclusions: list[str] = field(default_factory=list)  # IRIs of what it supports or attacks

    @property
    def text(self) -> str:
        return RA_TEXT if self.type == "RA" else CA_TEXT


@dataclass
class ArgumentGraph:
    """The argument as AIF sees it: I-nodes (statements and evidence) and scheme nodes between them."""

    inodes: list[Node]
    schemes: list[SchemeNode]
    inferences: dict[str, SchemeNode]  # inference IRI -> its RA-node


def aif_graph(model: Model) -> ArgumentGraph:
    """Statements and evidence as I-nodes; each named inference, each other support, each attack and each
    undercut as a scheme node, in the model's order."""
    inodes = model.of_kind(*ARGUMENT_KINDS)
    present = {n.iri for n in inodes}
    inferences: dict[str, SchemeNode] = {}
    for node in model.of_kind("inference"):
        scheme = SchemeNode("RA", iri=node.iri)
        scheme.premises = [e.source for e in model.incoming(node.iri, "premise") if e.source in present]
        scheme.conclusions = [e.target for e in model.outgoing(node.iri, "concludes") if e.target in present]
        inferences[node.iri] = scheme
    named = {(p, c) for s in inferences.values() for p in s.premises for c in s.conclusions}
    endpoints = present | set(inferences)
    schemes: list[SchemeNode] = list(inferences.values())
    for edge in model.edges:
        if edge.source not in present or edge.target not in endpoints:
            continue
        if edge.relation == "supports" and (edge.source, edge.target) not in named:
            schemes.append(SchemeNode("RA", premises=[edge.source], conclusions=[edge.target]))
        elif edge.relation == "attacks":
            schemes.append(SchemeNode("CA", premises=[edge.source], conclusions=[edge.target]))
        elif edge.relation == "undercuts" and edge.target in inferences:
            schemes.append(SchemeNode("CA", premises=[edge.source], conclusions=[edge.target]))
    return ArgumentGraph(inodes, schemes, inferences)


# ------------------------------------------------------------------------------------ AIF JSON
def aif_json(model: Model) -> str:
    """AIF JSON as AIFdb and OVA read it: `nodes` (nodeID, text, type I/RA/CA), `edges` (edgeID, fromID,
    toID, formEdgeID) and no `locutions` (the debate is a text, not a dialogue). Ids are numbers as strings:
    the I-nodes first, in the model's order, then the scheme nodes. No timestamps: nothing in the data says
    when a node was made, and a clock would make two exports differ."""
    graph = aif_graph(model)
    ids: dict[str, str] = {}
    nodes: list[dict[str, str]] = []
    for node in graph.inodes:
        ids[node.iri] = str(len(nodes) + 1)
        nodes.append({"nodeID": ids[node.iri], "text": statement_text(node), "type": "I"})
    scheme_ids = []
    for scheme in graph.schemes:
        scheme_ids.append(str(len(nodes) + 1))
        if scheme.iri:
            ids[scheme.iri] = scheme_ids[-1]
        nodes.append({"nodeID": scheme_ids[-1], "text": scheme.text, "type": scheme.type})
    edges: list[dict[str, str | None]] = []
    for scheme, sid in zip(graph.schemes, scheme_ids, strict=True):
        pairs = [(ids[p], sid) for p in scheme.premises] + [(sid, ids[c]) for c in scheme.conclusions]
        for source, target in pairs:
            edges.append({"edgeID": str(len(edges) + 1), "fromID": source, "toID": target, "formEdgeID": None})
    document = {"nodes": nodes, "edges": edges, "locutions": []}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------------ AIF-RDF
def aif_triples(model: Model) -> list[tuple]:
    """The argument in the AIF ontology: aif:I-node with aif:claimText; aif:RA-node and aif:CA-node with
    aif:Premise (what flows in) and aif:Conclusion (what it points at), as AIFdb's RDF has them. Statements,
    evidence and named inferences keep their IRIs; the other scheme nodes are blank nodes."""
    graph = aif_graph(model)
    triples: list[tuple] = []
    label = ox.NamedNode(RDFS_LABEL)
    a = ox.NamedNode(RDF_TYPE)
    for node in graph.inodes:
        subject = ox.NamedNode(node.iri)
        triples.append((subject, a, ox.NamedNode(AIF + "I-node")))
        triples.append((subject, ox.NamedNode(AIF + "claimText"), ox.Literal(statement_text(node))))
        triples.append((subject, label, ox.Literal(node.label)))
    for scheme in graph.schemes:
        term: ox.NamedNode | ox.BlankNode = ox.NamedNode(scheme.iri) if scheme.iri else ox.BlankNode()
        triples.append((term, a, ox.NamedNode(f"{AIF}{scheme.type}-node")))
        if scheme.iri and (named := model.node(scheme.iri)) is not None:
            triples.append((term, label, ox.Literal(named.label)))
        triples.extend((term, ox.NamedNode(AIF + "Premise"), ox.NamedNode(p)) for p in scheme.premises)
        triples.extend((term, ox.NamedNode(AIF + "Conclusion"), ox.NamedNode(c)) for c in scheme.conclusions)
    return triples


def aif_rdf(model: Model) -> str:
    """AIF-RDF as Turtle (argmap's deterministic writer, with the aif: prefix)."""
    return export.turtle_of(
        aif_triples(model),
        prefixes={**PREFIXES, "aif": AIF},
        header="The argument as AIF-RDF (http://www.arg.dundee.ac.uk/aif#), exported by argmap.",
    )


# ------------------------------------------------------------------------------------ Argdown
_ARGDOWN_SPECIAL = frozenset(string.punctuation)
_SAFE_TITLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")
_YAML_SAFE = frozenset(string.ascii_letters + string.digits + " :/._~%?&=+#@!$*-")


def argdown_escape(text: str) -> str:
    """One line of Argdown text that reads back as `text` with its whitespace runs made single spaces:
    every ASCII punctuation character is backslash-escaped, so none starts a title, tag, link, mention,
    comment, bold or italic range, special character or relation."""
    return "".join("\\" + c if c in _ARGDOWN_SPECIAL else c for c in " ".join(text.split()))


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar with every character but letters, digits and a few URL characters as
    \\uXXXX (surrogate pairs above the BMP): no brace, quote, comma or line break reaches Argdown's lexer."""
    out = []
    for char in text:
        if char in _YAML_SAFE:
            out.append(char)
            continue
        data = char.encode("utf-16-be")
        out.extend(f"\\u{int.from_bytes(data[i : i + 2], 'big'):04X}" for i in range(0, len(data), 2))
    return '"' + "".join(out) + '"'


def argdown_titles(model: Model) -> dict[str, str]:
    """A unique Argdown title for every statement, evidence and inference: its compact IRI when that is a
    plain name (`claim:open-weights-are-inert`), else `item-N`."""
    titles: dict[str, str] = {}
    taken: set[str] = set()
    for node in model.of_kind(*ARGUMENT_KINDS, "inference"):
        title = curie(node.iri)
        if not _SAFE_TITLE.match(title) or title in taken:
            title = f"item-{len(titles) + 1}"
            while title in taken:
                title += "-"
        titles[node.iri] = title
        taken.add(title)
    return titles


def argdown(model: Model) -> str:
    """The argument in Argdown (loose mode): a statement definition `[title]: text{iri, kind}` per statement
    and piece of evidence, an argument `<title>` with its premise-conclusion structure per named inference,
    then, per item, the relations it sends: supports (`+>`), attacks (`->`) and undercuts (`_>`). The
    relations come after the definitions so that no definition has children (Argdown would then end its
    text with a space)."""
    graph = aif_graph(model)
    titles = argdown_titles(model)

    def ref(iri: str) -> str:
        return f"<{titles[iri]}>" if iri in graph.inferences else f"[{titles[iri]}]"

    def definition(iri: str) -> str:
        node = model.nodes[iri]
        data = "{iri: " + _yaml_string(iri) + ", kind: " + _yaml_string(node.kind) + "}"
        return f"{ref(iri)}: {argdown_escape(statement_text(node))}{data}\n"

    parts = [
        "===\ntitle: argmap export\nmodel:\n    mode: loose\n===\n",
        "// Exported by argmap. Statement titles are compact IRIs; each item's data holds its IRI and kind.\n",
    ]
    parts.extend(definition(node.iri) for node in graph.inodes)
    for iri, scheme in graph.inferences.items():
        parts.append(definition(iri))
        if scheme.premises and scheme.conclusions:
            pcs = [f"({i}) {ref(p)}" for i, p in enumerate(scheme.premises, 1)]
            pcs += ["----", f"({len(scheme.premises) + 1}) {ref(scheme.conclusions[0])}"]
            parts.append("\n".join(pcs) + "\n")
    sent: dict[str, list[str]] = {}
    symbols = {"supports": "+>", "attacks": "->", "undercuts": "_>"}
    for edge in model.edges:  # sorted by source, target, relation
        if edge.source not in titles or edge.target not in titles or edge.source in graph.inferences:
            continue
        if edge.relation in symbols and (edge.relation != "undercuts" or edge.target in graph.inferences):
            sent.setdefault(edge.source, []).append(f"    {symbols[edge.relation]} {ref(edge.target)}")
    for iri in titles:
        if iri in sent:
            parts.append(ref(iri) + "\n" + "\n".join(sent[iri]) + "\n")
    return "\n".join(parts)


# ------------------------------------------------------------------------------------ the map: GraphML, CSV
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def map_rows(model: Model) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The map's nodes (id, kind, label, text, outline id, x, y) and its edges (source, target, relation),
    one edge per relation, in the model's order."""
    from .analyse import argument_graph, layered_layout

    graph = argument_graph(model)
    positions = layered_layout(model).positions
    nodes = []
    for iri in graph.nodes:
        node = model.nodes[iri]
        x, y = positions.get(iri, (0, 0))
        nodes.append(
            {
                "id": iri,
                "kind": node.kind,
                "label": node.label,
                "text": node.text or "",
                "outline_id": node.outline_id or "",
                "x": str(x),
                "y": str(y),
            }
        )
    edges = [
        {"source": u, "target": v, "relation": relation}
        for u, v, data in graph.edges(data=True)
        for relation in data["relations"]
    ]
    return nodes, edges


def graphml(model: Model) -> str:
    """The map as GraphML (Gephi, yEd, Cytoscape, networkx): node attributes kind, label, text, outline_id
    and the site map's x, y; one edge per relation, keyed by it, with the attribute relation."""
    import networkx as nx

    nodes, edges = map_rows(model)
    graph = nx.MultiDiGraph()
    for row in nodes:
        attributes: dict[str, object] = {k: _xml_text(v) for k, v in row.items() if k not in ("id", "x", "y") and v}
        attributes.update(x=int(row["x"]), y=int(row["y"]))
        graph.add_node(_xml_text(row["id"]), **attributes)
    for row in edges:
        graph.add_edge(
            _xml_text(row["source"]), _xml_text(row["target"]), key=row["relation"], relation=row["relation"]
        )
    return "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"


def _csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


CSV_NODE_COLUMNS = ["id", "kind", "label", "text", "outline_id", "x", "y"]
CSV_EDGE_COLUMNS = ["source", "target", "relation"]


def csv_files(model: Model) -> dict[str, str]:
    """nodes.csv and edges.csv (RFC 4180: quoted where needed, CRLF, UTF-8 without a byte-order mark);
    edges.csv's source and target are nodes.csv's id."""
    nodes, edges = map_rows(model)
    return {"nodes.csv": _csv(nodes, CSV_NODE_COLUMNS), "edges.csv": _csv(edges, CSV_EDGE_COLUMNS)}


# ------------------------------------------------------------------------------------ the formats and writing
Made = str | dict[str, str]


@dataclass(frozen=True)
class ExportFormat:
    """One export: its file suffix, media type, whether it writes several files, and how it is made."""

    name: str
    suffix: str
    media_type: str
    description: str
    make: Callable[[Loaded, Model], Made]

    @property
    def several_files(self) -> bool:
        return self.suffix == "/"


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("argdown", ".argdown", "text/x-argdown", "Argdown", lambda loaded, model: argdown(model)),
        ExportFormat("aif-json", ".json", "application/json", "AIF JSON (AIFdb, OVA)", lambda _, m: aif_json(m)),
        ExportFormat("aif-rdf", ".ttl", "text/turtle", "AIF-RDF, as Turtle", lambda _, m: aif_rdf(m)),
        ExportFormat("graphml", ".graphml", "application/graphml+xml", "GraphML", lambda _, m: graphml(m)),
        ExportFormat("csv", "/", "text/csv", "CSV: nodes.csv and edges.csv in a folder", lambda _, m: csv_files(m)),
        ExportFormat(
            "turtle",
            ".ttl",
            "text/turtle",
            "Turtle",
            lambda loaded, _: export.turtle(loaded.store, header=export.DUMP_HEADER),
        ),
        ExportFormat(
            "ntriples", ".nt", "application/n-triples", "N-Triples", lambda loaded, _: export.ntriples(loaded.store)
        ),
        ExportFormat(
            "jsonld", ".jsonld", "application/ld+json", "JSON-LD", lambda loaded, _: export.jsonld(loaded.store)
        ),
        ExportFormat("bibtex", ".bib", "application/x-bibtex", "BibTeX", lambda _, m: export.bibtex(m)),
    )
}


def make_export(name: str, loaded: Loaded, model: Model | None = None) -> Made:
    """The export `name` of loaded (valid) data: text, or file name -> text for a format of several files."""
    from .model import build_model

    try:
        chosen = FORMATS[name]
    except KeyError:
        raise DataError(f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}") from None
    return chosen.make(loaded, model if model is not None else build_model(loaded.store))


def write_export(made: Made, target: Path | None, stdout: BinaryIO | None = None) -> list[Path]:
    """Write an export: to `stdout` (a binary stream) when `target` is None, else to the file `target`
    atomically; a format of several files goes into the folder `target` (created if missing), each file
    atomically, after every file has been made. Returns the paths written. Raises DataError (one line) when
    it cannot write."""
    from .fmt import write_atomic

    if isinstance(made, dict):
        if target is None:
            raise DataError("this format writes several files: give a folder with -o/--output")
        if target.exists() and not target.is_dir():
            raise DataError(f"{target}: exists and is not a folder (this format writes {', '.join(made)} into one)")
        try:
            target.mkdir(exist_ok=True)
        except OSError as exc:
            raise DataError(f"{target}: cannot create the folder ({exc.strerror})") from None
        files = [(target / name, text) for name, text in made.items()]
    else:
        if target is None:
            if stdout is None:
                raise DataError("no output given")
            stdout.write(made.encode("utf-8"))
            stdout.flush()
            return []
        if target.is_dir():
            raise DataError(f"{target}: is a folder; give a file name to write to")
        files = [(target, made)]
    for path, text in files:
        try:
            write_atomic(path, text)
        except OSError as exc:
            raise DataError(f"{path}: cannot write it ({exc.strerror})") from None
    return [path for path, _ in files]


__all__ = [
    "AIF",
    "FORMATS",
    "ArgumentGraph",
    "ExportFormat",
    "SchemeNode",
    "aif_graph",
    "aif_json",
    "aif_rdf",
    "aif_triples",
    "argdown",
    "argdown_escape",
    "argdown_titles",
    "csv_files",
    "graphml",
    "make_export",
    "map_rows",
    "statement_text",
    "write_export",
]
