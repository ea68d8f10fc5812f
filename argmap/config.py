"""The one place where IRIs and default paths are configured."""

from __future__ import annotations

from pathlib import Path

#: Base of every node the project mints; a node's site permalink is its IRI path below this base.
BASE_IRI = "https://w3id.org/argmap/id/"
#: The vocabulary namespace.
VOCAB_IRI = "https://w3id.org/argmap/vocab#"

RESOURCES = Path(__file__).parent / "resources"
VOCAB_PATH = RESOURCES / "vocab.ttl"
SHAPES_PATH = RESOURCES / "shapes.ttl"
QUERIES_DIR = RESOURCES / "queries"

#: The data files `validate`, `query` and `build` read when no paths are given.
DEFAULT_DATA = ("data/claims.ttl", "data/evidence.ttl")

#: Prefixes bound in every serialization and prepended to every query.
PREFIXES = {
    "am": VOCAB_IRI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "paper": BASE_IRI + "paper/",
    "sec": BASE_IRI + "section/",
    "claim": BASE_IRI + "claim/",
    "challenge": BASE_IRI + "challenge/",
    "principle": BASE_IRI + "principle/",
    "example": BASE_IRI + "example/",
    "view": BASE_IRI + "view/",
    "response": BASE_IRI + "response/",
    "implication": BASE_IRI + "implication/",
    "inference": BASE_IRI + "inference/",
    "evidence": BASE_IRI + "evidence/",
    "source": BASE_IRI + "source/",
    "person": BASE_IRI + "person/",
    "org": BASE_IRI + "org/",
    "group": BASE_IRI + "group/",
    "model": BASE_IRI + "model/",
    "infra": BASE_IRI + "infra/",
    "table": BASE_IRI + "table/",
    "grant": BASE_IRI + "grant/",
    "reading": BASE_IRI + "reading/",
}

#: rdf:type as an IRI string (the one predicate every module asks about).
RDF_TYPE = PREFIXES["rdf"] + "type"


def compact(iri: str) -> tuple[str, str] | None:
    """(prefix, local name) for the longest configured namespace `iri` starts with; None when none does."""
    best = max((p for p, ns in PREFIXES.items() if iri.startswith(ns)), key=lambda p: len(PREFIXES[p]), default=None)
    return None if best is None else (best, iri[len(PREFIXES[best]) :])
