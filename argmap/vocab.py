"""The argmap vocabulary as a namespace where a mistyped term is an error (mirrors resources/vocab.ttl)."""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

from .config import VOCAB_IRI


class AM(DefinedNamespace):
    """Terms of https://w3id.org/argmap/vocab# ; `AM.Claim`, `AM.supports`; `AM.Clam` raises AttributeError."""

    _NS = Namespace(VOCAB_IRI)
    _fail = True

    # classes
    ActorGroup: URIRef
    ArgumentItem: URIRef
    ChallengeCategory: URIRef
    Check: URIRef
    Citable: URIRef
    Claim: URIRef
    ComparedProject: URIRef
    ComparisonTable: URIRef
    Conclusion: URIRef
    Dataset: URIRef
    Dimension: URIRef
    Document: URIRef
    Evidence: URIRef
    EventReport: URIRef
    Example: URIRef
    Figure: URIRef
    Grant: URIRef
    Implication: URIRef
    Inference: URIRef
    Model: URIRef
    OpposingView: URIRef
    Organisation: URIRef
    Paper: URIRef
    PaperVersion: URIRef
    Person: URIRef
    Principle: URIRef
    ProjectReading: URIRef
    Quote: URIRef
    Response: URIRef
    Section: URIRef
    Source: URIRef
    Statement: URIRef
    Supercomputer: URIRef
    TableCell: URIRef
    Thesis: URIRef

    # properties
    accessed: URIRef
    addresses: URIRef
    affiliation: URIRef
    arxivId: URIRef
    asOf: URIRef
    asOfNote: URIRef
    assignsRoleTo: URIRef
    attacks: URIRef
    author: URIRef
    authors: URIRef
    caption: URIRef
    cellText: URIRef
    citesAsEvidence: URIRef
    concerns: URIRef
    conclusion: URIRef
    contributedBy: URIRef
    country: URIRef
    developedBy: URIRef
    dimension: URIRef
    disclosedIn: URIRef
    doi: URIRef
    email: URIRef
    figureId: URIRef
    fundedBy: URIRef
    fundedItem: URIRef
    funder: URIRef
    grantNumber: URIRef
    hasVersion: URIRef
    heldBy: URIRef
    inCategory: URIRef
    inSection: URIRef
    inTable: URIRef
    instantiates: URIRef
    involves: URIRef
    issued: URIRef
    locator: URIRef
    maxValue: URIRef
    measures: URIRef
    minValue: URIRef
    modelledVersion: URIRef
    note: URIRef
    openReviewId: URIRef
    operatedBy: URIRef
    order: URIRef
    outlineId: URIRef
    partOf: URIRef
    premise: URIRef
    project: URIRef
    qualifies: URIRef
    quote: URIRef
    quotedFrom: URIRef
    refNumber: URIRef
    respondsTo: URIRef
    retracts: URIRef
    role: URIRef
    sectionNumber: URIRef
    source: URIRef
    statedIn: URIRef
    supersedes: URIRef
    supports: URIRef
    text: URIRef
    undercuts: URIRef
    unit: URIRef
    unresolved: URIRef
    url: URIRef
    usesInfrastructure: URIRef
    value: URIRef
    venue: URIRef
    versionLabel: URIRef
    year: URIRef
