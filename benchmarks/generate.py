"""A synthetic debate in argmap's vocabulary, at a given node count, in the shipped data's proportions.

Seeded and deterministic: the same `--nodes` and `--seed` give the same bytes.

How it is made. The shipped data (data/*.ttl) is counted with SPARQL at run time: nodes per class and IRI-valued
edges per node by relation. Each class gets its share of the requested nodes (largest remainder, at least one
node per shipped node so every reference has somewhere to point). Every synthetic node is a copy of a shipped
node of its class (its template), with all of the template's triples, in the file the template's triples come
from: so per-class shapes, literal datatypes and edge counts are those of real data, and the output validates.
An edge to a shipped node becomes an edge to some copy of that node (usually the copy with the same number, so
each copy reads like another paper's argument; sometimes another copy, so the copies are woven together). The
result maps onto the shipped graph edge for edge, so it has no cycle of a relation the shipped data lacks.

Usage: python benchmarks/generate.py --nodes 10k [--seed 1] [--out DIR]   (writes DIR/claims.ttl, DIR/evidence.ttl)
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = (ROOT / "data" / "claims.ttl", ROOT / "data" / "evidence.ttl")
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}

AM = "https://w3id.org/argmap/vocab#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: String literals that get the copy number, so copies read apart; their length limits are the shapes' (shapes.ttl).
MARKED = {RDFS_LABEL: 120, AM + "text": 1200}
#: A source's identifiers, which validate's duplicate-source rule keeps unique: a copy's URL gets its copy number
#: in the fragment (which keeps two URLs apart), its DOI a suffix; an arXiv id cannot take one, so a copy gives
#: a synthetic URL instead (when the source has no URL or DOI of its own).
URL, DOI, ARXIV = AM + "url", AM + "doi", AM + "arxivId"
ANY_URI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")
#: Chance that an edge stays inside its own copy (the rest point at a random copy of the same target).
LOCAL = 0.9
#: Classes whose nodes must be pointed at (validate's source-uncited rule), by which relations. Their copies are
#: allocated last, each copy only where a node pointing at it has the same copy number, and those edges stay local.
NEEDS_REFERRER = {AM + "Source": (AM + "source", AM + "citesAsEvidence")}

CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?node) AS ?n) WHERE { ?node a ?class } GROUP BY ?class ORDER BY ?class"""
EDGE_COUNTS = """
SELECT ?relation (COUNT(*) AS ?n) WHERE { ?s ?relation ?o . ?s a ?any FILTER(isIRI(?o) && ?relation != rdf:type) }
GROUP BY ?relation ORDER BY ?relation"""
NODE_COUNT = "SELECT (COUNT(DISTINCT ?node) AS ?n) WHERE { ?node a ?class }"
TRIPLE_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass(frozen=True)
class Profile:
    """What a graph looks like, counted with SPARQL: nodes, triples, nodes per class, edges per node by relation."""

    nodes: int
    triples: int
    classes: dict[str, int]
    edges: dict[str, int]

    def class_share(self, cls: str) -> float:
        return self.classes.get(cls, 0) / self.nodes

    def edges_per_node(self, relation: str) -> float:
        return self.edges.get(relation, 0) / self.nodes


def _count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


def profile(store: ox.Store) -> Profile:
    prefixes = {"rdf": RDF_TYPE.rsplit("#", 1)[0] + "#"}
    classes = {row["class"].value: int(row["n"].value) for row in store.query(CLASS_COUNTS)}
    edges = {row["relation"].value: int(row["n"].value) for row in store.query(EDGE_COUNTS, prefixes=prefixes)}
    return Profile(_count(store, NODE_COUNT), _count(store, TRIPLE_COUNT), classes, edges)


def store_of(paths: Sequence[Path]) -> ox.Store:
    store = ox.Store()
    for path in paths:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def parse_size(text: str) -> int:
    """'10k' -> 10000; '2500' -> 2500."""
    if text.lower() in SIZES:
        return SIZES[text.lower()]
    scale = 1_000 if text.lower().endswith("k") else 1
    try:
        return int(float(text.lower().removesuffix("k")) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a node count: {text!r} (try 1k, 10k, 100k or a number)") from None


def _allocate(total: int, counts: dict[str, int]) -> dict[str, int]:
    """Split `total` over the classes in proportion to `counts` (largest remainder), each at least its count."""
    whole = sum(counts.values())
    exact = {c: total * n / whole for c, n in counts.items()}
    share = {c: max(int(x), counts[c]) for c, x in exact.items()}
    short = total - sum(share.values())
    for cls in sorted(exact, key=lambda c: (-(exact[c] - int(exact[c])), c))[: max(short, 0)]:
        share[cls] += 1
    return share


def _copy_iri(iri: str, copy: int) -> str:
    return iri if copy == 0 else f"{iri}--{copy}"


def _mark(literal: ox.Literal, limit: int, copy: int) -> ox.Literal:
    if copy == 0:
        return literal
    suffix = f" ({copy})"
    return ox.Literal(literal.value[: limit - len(suffix)] + suffix, datatype=literal.datatype)


def generate(nodes: int, seed: int = 1, shipped: Sequence[Path] = SHIPPED) -> dict[str, str]:
    """File name -> Turtle text of a synthetic debate of `nodes` nodes (typed subjects)."""
    per_file = {Path(p).name: list(ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)) for p in shipped}
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for triples in per_file.values() for t in triples)
    counted = profile(store)
    if nodes < counted.nodes:
        raise SystemExit(f"generate: at least {counted.nodes} nodes (one copy of each shipped node), not {nodes}")

    # templates: the shipped nodes of each class, in a seeded order (it decides which join the last, partial copy)
    rng = random.Random(seed)
    of_class: dict[str, list[str]] = defaultdict(list)
    for row in store.query("SELECT ?node ?class WHERE { ?node a ?class } ORDER BY ?node"):
        of_class[row["class"].value].append(row["node"].value)
    referrers: dict[str, list[tuple[str, str]]] = defaultdict(list)  # node -> (referrer, relation) by needed relations
    needed = {rel for rels in NEEDS_REFERRER.values() for rel in rels}
    for q in sorted(store.quads_for_pattern(None, None, None), key=str):
        if q.predicate.value in needed:
            referrers[q.object.value].append((q.subject.value, q.predicate.value))
    shares = _allocate(nodes, counted.classes)
    orders: dict[str, list[str]] = {}  # class -> its templates in the order copies are made
    copies: dict[str, int] = {}  # shipped node -> how many copies of it there are

    def place(cls: str) -> None:
        for i, template in enumerate(orders[cls]):
            copies[template] = len(range(i, shares[cls], len(orders[cls])))

    for cls in sorted(shares, key=lambda c: (c in NEEDS_REFERRER, c)):
        templates = sorted(set(of_class[cls]))
        rng.shuffle(templates)
        if cls in NEEDS_REFERRER:
            # the partial copy takes only nodes with enough edges pointing at them to cover one more copy;
            # should there be too few (at small sizes), the nodes left over go to the largest other class
            full, part = divmod(shares[cls], len(templates))
            ok = [t for t in templates if sum(copies[r] for r, _ in referrers[t]) > full]
            templates = ok + [t for t in templates if t not in ok]
            if part > len(ok):
                largest = max((c for c in shares if c not in NEEDS_REFERRER), key=lambda c: (shares[c], c))
                shares[cls] -= part - len(ok)
                shares[largest] += part - len(ok)
                place(largest)
        orders[cls] = templates
        place(cls)
    plan = [(orders[c][i % len(orders[c])], i // len(orders[c])) for c in sorted(shares) for i in range(shares[c])]

    # edges that must cover every copy of their target: local where possible, then moved to uncovered copies
    pinned: dict[tuple[str, int, str, str], int] = {}  # (referrer, its copy, relation, target) -> target's copy
    for target, refs in sorted(referrers.items()):
        n = copies[target]
        chosen = {(r, j, rel): j if j < n else rng.randrange(n) for r, rel in refs for j in range(copies.get(r, 0))}
        hits = Counter(chosen.values())
        for missing in (k for k in range(n) if not hits[k]):
            spare = next((key for key, k in chosen.items() if hits[k] > 1), None)
            if spare is not None:
                hits[chosen[spare]] -= 1
                chosen[spare], hits[missing] = missing, 1
        pinned.update({(r, j, rel, target): k for (r, j, rel), k in chosen.items()})

    # each template's triples, grouped by the file they come from, in file order
    blocks: dict[str, list[tuple[str, ox.Triple]]] = defaultdict(list)
    for name, triples in per_file.items():
        for t in triples:
            blocks[t.subject.value].append((name, t))

    out: dict[str, list[ox.Triple]] = {name: [] for name in per_file}
    for template, copy in sorted(plan, key=lambda tc: (tc[1], tc[0])):
        subject = ox.NamedNode(_copy_iri(template, copy))
        for name, t in blocks[template]:
            obj = t.object
            if isinstance(obj, ox.NamedNode) and obj.value in copies:
                n = copies[obj.value]
                pin = pinned.get((template, copy, t.predicate.value, obj.value))
                target = pin if pin is not None else copy if copy < n and rng.random() < LOCAL else rng.randrange(n)
                obj = ox.NamedNode(_copy_iri(obj.value, target))
            elif isinstance(obj, ox.Literal) and t.predicate.value in MARKED:
                obj = _mark(obj, MARKED[t.predicate.value], copy)
            elif copy and isinstance(obj, ox.Literal) and t.predicate.value in (URL, DOI, ARXIV):
                if t.predicate.value == DOI:
                    obj = ox.Literal(f"{obj.value}-copy{copy}", datatype=obj.datatype)
                elif t.predicate.value == URL:
                    joiner = "-" if "#" in obj.value else "#"
                    obj = ox.Literal(f"{obj.value}{joiner}copy-{copy}", datatype=obj.datatype)
                elif any(other.predicate.value in (URL, DOI) for _, other in blocks[template]):
                    continue
                else:
                    url = f"https://example.org/argmap-benchmark/arxiv-{obj.value}-copy-{copy}"
                    out[name].append(ox.Triple(subject, ox.NamedNode(URL), ox.Literal(url, datatype=ANY_URI)))
                    continue
            out[name].append(ox.Triple(subject, t.predicate, obj))

    _repoint_readings(out)

    from argmap.config import PREFIXES

    header = f"# Synthetic argmap debate: {nodes} nodes, seed {seed}, made by benchmarks/generate.py. Not real data.\n"
    return {
        name: header + ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()
        for name, triples in out.items()
    }


RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
READING = AM + "ProjectReading"


def _template(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The shipped node (or literal) a generated term was copied from: `x--3` -> `x`, a marked literal unmarked."""
    value = getattr(term, "value", "")
    if isinstance(term, ox.Literal):
        return value.rsplit(" (", 1)[0] if value.endswith(")") else value
    return value.rsplit("--", 1)[0]


def _repoint_readings(out: dict[str, list[ox.Triple]]) -> None:
    """A copied am:ProjectReading must name a triple of the copy: its rdf:object follows the link its (copied)
    rdf:subject has, and a reading whose link the copy does not have is left out, as the data would be."""
    objects: dict[tuple[str, str], list] = defaultdict(list)
    for triples in out.values():
        for t in triples:
            objects[(t.subject.value, t.predicate.value)].append(t.object)
    readings = {
        t.subject.value
        for triples in out.values()
        for t in triples
        if t.predicate.value == RDF_TYPE and t.object.value == READING
    }
    for name, triples in out.items():
        parts: dict[str, dict[str, ox.Triple]] = defaultdict(dict)
        for t in triples:
            if t.subject.value in readings and t.predicate.value.startswith(RDF_NS) and t.predicate.value != RDF_TYPE:
                parts[t.subject.value][t.predicate.value[len(RDF_NS) :]] = t
        drop: set[str] = set()
        fixed: dict[ox.Triple, ox.Triple] = {}
        for reading, part in parts.items():
            s, p, o = (part.get(k) for k in ("subject", "predicate", "object"))
            if s is None or p is None or o is None:
                continue
            found = [x for x in objects[(s.object.value, p.object.value)] if _template(x) == _template(o.object)]
            if not found:
                drop.add(reading)
            elif o.object not in found:
                fixed[o] = ox.Triple(o.subject, o.predicate, found[0])
        out[name] = [fixed.get(t, t) for t in triples if t.subject.value not in drop]


def write(nodes: int, seed: int, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate(nodes, seed).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def compare(shipped: Profile, made: Profile) -> str:
    """A table of class shares and edges per node by relation, shipped beside generated."""

    def short(iri: str) -> str:
        return iri.replace(AM, "am:")

    lines = [
        f"{'':34} {'shipped':>10} {'generated':>10}",
        f"{'nodes':34} {shipped.nodes:>10} {made.nodes:>10}",
        f"{'triples per node':34} {shipped.triples / shipped.nodes:>10.2f} {made.triples / made.nodes:>10.2f}",
    ]
    for cls in sorted(shipped.classes, key=lambda c: -shipped.classes[c]):
        lines.append(f"{'share ' + short(cls):34} {shipped.class_share(cls):>10.3f} {made.class_share(cls):>10.3f}")
    for rel in sorted(shipped.edges, key=lambda r: -shipped.edges[r]):
        lines.append(
            f"{'per node ' + short(rel):34} {shipped.edges_per_node(rel):>10.3f} {made.edges_per_node(rel):>10.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=parse_size, default="1k", help="node count: 1k, 10k, 100k or a number")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="folder to write (default benchmarks/data/SIZE)")
    parser.add_argument("--compare", action="store_true", help="print the shipped and generated proportions")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "benchmarks" / "data" / str(args.nodes)
    paths = write(args.nodes, args.seed, out)
    made = profile(store_of(paths))
    print(f"wrote {', '.join(str(p) for p in paths)}: {made.nodes} nodes, {made.triples} triples", file=sys.stderr)
    if args.compare:
        print(compare(profile(store_of(SHIPPED)), made))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

__all__ = ["Profile", "compare", "generate", "parse_size", "profile", "store_of", "write"]
