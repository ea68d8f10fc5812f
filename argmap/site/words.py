"""What the reader sees, in one place: the words for kinds, relations, links and fields; how kinds and
relations are drawn; the site's navigation; where each node's page lives; and the text the map's search box
matches.

The model (`argmap.model`) says what the debate holds; this module says how the site puts it into words.
Nothing here reads the store: every function takes the model or one of its nodes.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
import unicodedata
from decimal import Decimal, InvalidOperation

from ..config import BASE_IRI
from ..model import Model, Node
from ..vocab import AM

# ------------------------------------------------------------------------------------------- words
#: kind -> (singular, plural), for badges, the legend and the build summary.
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
    "grant": ("Grant", "Grants"),
    "table": ("Comparison table", "Comparison tables"),
    "project": ("Compared project", "Compared projects"),
    "dimension": ("Dimension", "Dimensions"),
    "cell": ("Table cell", "Table cells"),
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

#: relation -> its name in the map's legend.
RELATION_LABELS = {
    "supports": "supports",
    "attacks": "attacks",
    "undercuts": "undercuts (attacks an inference)",
    "qualifies": "qualifies",
    "responds-to": "responds to",
    "instantiates": "is an instance of",
    "in-category": "in challenge category",
    "concludes": "inference concludes",
    "premise": "premise of inference",
    "cites": "cites (source)",
    "retracts": "retracts",
    "supersedes": "supersedes",
}

#: Plain links a page shows, in display order: predicate -> (outgoing words, incoming words).
#: Every predicate of `argmap.model.LINK_PREDICATES` has its words here (a test checks).
LINK_WORDS: dict[str, tuple[str, str]] = {
    str(AM.heldBy): ("Held by", "Holds the view"),
    str(AM.assignsRoleTo): ("Assigns a role to", "Given a role by"),
    str(AM.addresses): ("Addresses", "Addressed by"),
    str(AM.involves): ("Involves", "Involved in"),
    str(AM.concerns): ("Concerns", "Concerned by"),
    str(AM.usesInfrastructure): ("Uses infrastructure", "Used by"),
    str(AM.developedBy): ("Developed by", "Developed"),
    str(AM.operatedBy): ("Operated by", "Operates"),
    str(AM.affiliation): ("Affiliation", "Members"),
    str(AM.author): ("Author", "Author of"),
    str(AM.fundedBy): ("Funded by (grant)", "Funds the work of"),
    str(AM.funder): ("Funder", "Grants awarded"),
    str(AM.fundedItem): ("Funds", "Funded by (grant)"),
    str(AM.disclosedIn): ("Disclosed in", "Discloses"),
    str(AM.contributedBy): ("Contributed by", "Contributed"),
    str(AM.quotedFrom): ("Words quoted from", "Quoted in"),
    str(AM.statedIn): ("Stated in", "Statements"),
    str(AM.inSection): ("Section", "In this section"),
    str(AM.partOf): ("Part of", "Parts"),
    str(AM.hasVersion): ("Versions", "Version of"),
    str(AM.modelledVersion): ("Modelled version", "Modelled version of"),
    str(AM.inTable): ("In table", "Rows and columns"),
    str(AM.project): ("Row", "Cells"),
    str(AM.dimension): ("Column", "Cells"),
}

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

#: An argument status (argmap.reasoning) as a badge says it, and what the badge's title explains.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "accepted": ("Accepted", "stands: nothing that stands attacks it"),
    "rejected": ("Rejected", "falls: something that stands attacks it"),
    "undecided": ("Undecided", "neither stands nor falls: an attack on it is in dispute, or its support is gone"),
}

#: An evidence-health flag (argmap.reasoning) as a badge says it, and how the health page heads its list.
FLAG_WORDS: dict[str, tuple[str, str]] = {
    "no-evidence": ("No evidence", "Statements with no evidence at all"),
    "paper-only": ("Only the paper's own words", "Statements resting only on the paper quoting itself"),
    "single-source": ("Single source", "Statements resting on a single outside source"),
    "challenged-by-check": ("Challenged by an outside check", "Statements an outside check questions"),
    "stale": ("Stale figure", "Figures older than the freshness limit"),
}

#: The site's navigation: (page file, link below the root, label). The console adds its own entry.
NAV = (
    ("index.html", "", "Home"),
    ("map/index.html", "map/", "Map"),
    ("tree/index.html", "tree/", "Debate tree"),
    ("outline/index.html", "outline/", "Outline"),
    ("views/index.html", "views/", "Views"),
    ("evidence/index.html", "evidence/", "Evidence"),
    ("health/index.html", "health/", "Health"),
    ("sources/index.html", "sources/", "Sources"),
    ("data/index.html", "data/", "Data"),
)
CONSOLE_NAV = ("query/index.html", "query/", "Query")

# ------------------------------------------------------------------------------------------- looks
#: How each kind looks on the map and in the legend: vis-network shape, fill, border.
KIND_STYLE: dict[str, dict] = {
    "claim": {"shape": "box", "color": "#dbeafe", "border": "#1d4ed8"},
    "challenge": {"shape": "hexagon", "color": "#fed7aa", "border": "#c2410c", "size": 18, "font": 14},
    "principle": {"shape": "star", "color": "#bbf7d0", "border": "#15803d", "size": 20, "font": 14},
    "example": {"shape": "diamond", "color": "#99f6e4", "border": "#0f766e", "size": 12},
    "view": {"shape": "triangleDown", "color": "#fecaca", "border": "#b91c1c", "size": 20, "font": 15},
    "response": {"shape": "ellipse", "color": "#e9d5ff", "border": "#7e22ce"},
    "implication": {"shape": "box", "color": "#e2e8f0", "border": "#475569", "dashed": True},
    "evidence": {"shape": "dot", "color": "#fde68a", "border": "#b45309", "size": 9},
    "inference": {"shape": "triangle", "color": "#e5e7eb", "border": "#6b7280", "size": 8},
    "source": {"shape": "square", "color": "#d1d5db", "border": "#374151", "size": 8},
}

#: How each relation is drawn; the first in this order names an edge that stands for several.
RELATION_STYLE: dict[str, dict] = {
    "attacks": {"color": "#b91c1c", "width": 2.5, "dashes": False},
    "undercuts": {"color": "#b91c1c", "width": 2, "dashes": [8, 4]},
    "supports": {"color": "#15803d", "width": 2, "dashes": False},
    "qualifies": {"color": "#b45309", "width": 2, "dashes": [2, 4]},
    "responds-to": {"color": "#7e22ce", "width": 1.5, "dashes": [6, 3]},
    "instantiates": {"color": "#0f766e", "width": 1, "dashes": False},
    "in-category": {"color": "#c2410c", "width": 1, "dashes": False},
    "concludes": {"color": "#6b7280", "width": 1, "dashes": False},
    "premise": {"color": "#6b7280", "width": 1, "dashes": [4, 4]},
    "cites": {"color": "#9ca3af", "width": 1, "dashes": [1, 3]},
    "retracts": {"color": "#111827", "width": 1, "dashes": [10, 4]},
    "supersedes": {"color": "#111827", "width": 1, "dashes": [10, 4]},
}


# ------------------------------------------------------------------------------------------- a node in words
def kind_label(node: Node) -> str:
    """What a badge says: Thesis, Conclusion, Figure/Quote/Check for evidence, else the kind's label."""
    if node.is_thesis:
        return "Thesis"
    if node.is_conclusion:
        return "Conclusion"
    if node.kind == "evidence":
        for name in ("Figure", "Quote", "Check"):
            if name in node.types:
                return name
    return KIND_LABELS.get(node.kind, (node.kind.title(),))[0]


def format_number(lexical: str | None) -> str:
    """'6000000' as '6,000,000'; a lexical form that is not a number stays as it is."""
    if lexical is None:
        return ""
    try:
        number = Decimal(lexical)
    except InvalidOperation:
        return lexical
    if number == number.to_integral_value() and "e" not in lexical.lower():
        return f"{int(number):,}"
    return f"{number:,}"


def figure_text(node: Node) -> str | None:
    """The figure as a reader says it: '6,000,000 downloads per month', '1,000,000–2,000,000 …', 'at least …'."""
    if node.value is None and node.min_value is None:
        return None
    unit = f" {node.unit}" if node.unit else ""
    if node.value is not None:
        return f"{format_number(node.value)}{unit}"
    if node.max_value is not None:
        return f"{format_number(node.min_value)}–{format_number(node.max_value)}{unit}"
    return f"at least {format_number(node.min_value)}{unit}"


@functools.cache
def _combining_marks() -> dict[int, None]:
    """str.translate's table deleting every combining mark (the accents NFKD splits off): made once, 0.1 s."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def search_text(*parts: str | None) -> str:
    """Lower-case words without accents, for the map's search box."""
    text = " ".join(p for p in parts if p)
    if not text.isascii():  # ASCII has no accents to strip (and most of the data is ASCII)
        text = unicodedata.normalize("NFKD", text).translate(_combining_marks())
    return " ".join(re.findall(r"\w+", text.casefold()))


def node_search_text(node: Node) -> str:
    """The words the map's search box finds a node by: its label, text, quote, note, outline id, measure."""
    return search_text(node.label, node.text, node.quote, node.note, node.outline_id, node.measures)


# ------------------------------------------------------------------------------------------- permalinks
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.~-]*$")
#: First path segments the site's own pages use; a node IRI starting with one goes under node/.
RESERVED_TOP = frozenset(
    {
        "static",
        "data",
        "map",
        "outline",
        "tree",
        "health",
        "views",
        "sources",
        "query",
        "node",
        "index.html",
        "404.html",
    }
)


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


def page_folders(model: Model) -> dict[str, str]:
    """IRI -> the folder of its page below the site root (`claim/open-weights-are-inert/`), for every node that
    gets a page (all but table cells, and IRIs outside the base). Two IRIs sanitised to the same folder both
    keep a page: the later one (in IRI order) moves to its hashed folder."""
    folders: dict[str, str] = {}
    used: set[str] = set()
    for iri in sorted(model.nodes):
        if model.nodes[iri].kind == "cell":
            continue
        folder = permalink(iri)
        if folder is None:
            continue
        if folder in used:
            folder = _hashed(iri)
        used.add(folder)
        folders[iri] = folder
    return folders
