"""The vocabulary module and the vocabulary document agree term for term, and a mistyped term is an error."""

from __future__ import annotations

import pytest
import rdflib

from argmap.config import VOCAB_IRI, VOCAB_PATH
from argmap.vocab import AM

RDF_TYPE = rdflib.RDF.type


def documented_terms() -> set[str]:
    """Local names of every term vocab.ttl defines (a subject with a type in the vocabulary namespace)."""
    graph = rdflib.Graph().parse(VOCAB_PATH, format="turtle")
    return {
        str(s)[len(VOCAB_IRI) :]
        for s in graph.subjects(RDF_TYPE, None)
        if isinstance(s, rdflib.URIRef) and str(s).startswith(VOCAB_IRI) and str(s) != VOCAB_IRI
    }


def test_every_documented_term_is_in_the_namespace_and_nothing_else():
    in_module = set(AM.__annotations__)
    documented = documented_terms()
    assert len(documented) > 90
    assert sorted(documented - in_module) == [], "in vocab.ttl, missing from argmap/vocab.py"
    assert sorted(in_module - documented) == [], "in argmap/vocab.py, not defined in vocab.ttl"


def test_a_term_is_its_iri_and_a_typo_is_an_error():
    assert str(AM.inSection) == VOCAB_IRI + "inSection"
    with pytest.raises(AttributeError, match="inSecton"):
        AM.inSecton  # noqa: B018 - the lookup itself must fail
