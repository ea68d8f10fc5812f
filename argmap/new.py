"""Contributions (`argmap new`): build the triples of a new evidence, source or claim, check and save them.

The library never prompts: it resolves references (a prefixed name, an IRI or a search word) to
candidates, finds existing sources and contributors so they are reused rather than duplicated, mints
readable IRIs that are not taken, and turns the result into the target file's new canonical text. That
text is validated together with the rest of the data before anything is written, and written atomically.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from .config import DEFAULT_DATA, PREFIXES, RDF_TYPE, VOCAB_IRI
from .errors import ContributionError
from .export import canonical_turtle_of
from .fmt import canonical_text, write_atomic
from .load import SourceFile, TurtleSyntaxError, load_paths, load_sources, short
from .validate import Report, source_identifier, validate, vocabulary
from .vocab import AM

RDFS_LABEL = PREFIXES["rdfs"] + "label"
XSD = PREFIXES["xsd"]
RELATIONS = ("supports", "attacks", "qualifies", "undercuts", "retracts", "supersedes")
#: which class a relation's target must have (retracts and supersedes: an item of the same kind)
RELATION_TARGETS = {rel: "ArgumentItem" for rel in RELATIONS} | {"undercuts": "Inference"}
EVIDENCE_KINDS = {"quote": "Quote", "figure": "Figure", "check": "Check"}
#: `argmap new claim --kind`: the class and the prefix its IRI is minted under
CLAIM_KINDS = {
    "claim": ("Claim", "claim"),
    "response": ("Response", "response"),
    "view": ("OpposingView", "view"),
    "implication": ("Implication", "implication"),
    "example": ("Example", "example"),
    "principle": ("Principle", "principle"),
}
_LOCAL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.IGNORECASE)
_ARXIV = re.compile(r"^(?:arxiv:|https?://arxiv\.org/(?:abs|pdf|html)/)?(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?$", re.I)
_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


# ------------------------------------------------------------------------------------ the data
def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term's value (a quoted triple, which the data does not use, as its N-Triples text)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


@dataclass(frozen=True)
class Candidate:
    iri: str
    curie: str
    label: str
    kind: str  # the am: class name shown in a pick list

    def __str__(self) -> str:
        return f"{self.curie} ({self.kind}): {self.label}"


@dataclass
class Items:
    """The items of a store, as the item finder (`resolve`) looks them up: by class, IRI, label and ids.
    `argmap new` uses it through `Dataset`; `argmap analyse --retract` on any loaded store."""

    store: ox.Store

    def types(self, iri: str) -> set[str]:
        node = ox.NamedNode(iri)
        return {_value(q.object) for q in self.store.quads_for_pattern(node, ox.NamedNode(RDF_TYPE), None)}

    def values(self, iri: str, predicate: str) -> list[str]:
        node = ox.NamedNode(iri)
        return sorted(_value(q.object) for q in self.store.quads_for_pattern(node, ox.NamedNode(predicate), None))

    def value(self, iri: str, predicate: str) -> str:
        found = self.values(iri, predicate)
        return found[0] if found else ""

    def taken(self, iri: str) -> bool:
        """Is the IRI used anywhere, as subject or object? (Then it may not be minted again.)"""
        node = ox.NamedNode(iri)
        return any(True for _ in self.store.quads_for_pattern(node, None, None)) or any(
            True for _ in self.store.quads_for_pattern(None, None, node)
        )

    def of_class(self, *class_names: str) -> list[str]:
        """Every typed IRI whose class is one of `am:<class_name>` or a subclass of one, sorted."""
        _, supers = vocabulary()
        wanted = {str(AM[name]) for name in class_names}
        found = set()
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None):
            if isinstance(quad.subject, ox.NamedNode) and wanted & supers.get(_value(quad.object), frozenset()):
                found.add(quad.subject.value)
        return sorted(found)

    def candidate(self, iri: str) -> Candidate:
        kinds = sorted(t[len(VOCAB_IRI) :] for t in self.types(iri) if t.startswith(VOCAB_IRI))
        return Candidate(iri, short(iri), self.value(iri, RDFS_LABEL), "/".join(kinds) or "untyped")


@dataclass
class Dataset(Items):
    """The data folder's two files, parsed, and one store over both."""

    folder: Path
    claims: SourceFile
    evidence: SourceFile

    @classmethod
    def load(cls, folder: str | Path = "data") -> Dataset:
        folder = Path(folder)
        if not folder.is_dir():
            raise ContributionError(f"{folder}: no such data folder (give --data DIR)")
        loaded = load_paths([folder / Path(name).name for name in DEFAULT_DATA])
        claims, evidence = loaded.files
        return cls(store=loaded.store, folder=folder, claims=claims, evidence=evidence)


def expand(ref: str) -> str | None:
    """The IRI a reference names when it is a full IRI or a project prefixed name; None for a search word."""
    ref = ref.strip()
    if ref.startswith("<") and ref.endswith(">"):
        return ref[1:-1]
    if re.match(r"^https?://", ref):
        return ref
    prefix, colon, local = ref.partition(":")
    if colon and prefix in PREFIXES and local and " " not in local:
        return PREFIXES[prefix] + local
    return None


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", unicodedata.normalize("NFKC", text).casefold()).split())


def resolve(ds: Items, ref: str, *class_names: str) -> list[Candidate]:
    """The items of class `class_name` a reference may mean: exactly one for an IRI or prefixed name
    (an error when it names nothing of that class), any number for a search word (an exact outline
    id such as R2a wins; otherwise every item whose name, label or text holds all the words)."""
    pool = ds.of_class(*class_names)
    what = " or ".join(f"am:{name}" for name in class_names)
    iri = expand(ref)
    if iri is not None:
        if iri in pool:
            return [ds.candidate(iri)]
        import difflib

        near = difflib.get_close_matches(short(iri), [short(i) for i in pool], n=1, cutoff=0.75)
        why = "is not" if ds.types(iri) else "names nothing in the data, so it is not"
        hint = f"; did you mean {near[0]}?" if near else ""
        raise ContributionError(f"{ref} {why} an {what}{hint}")
    words = _fold(ref).split()
    if not words:
        raise ContributionError("an empty reference: give a prefixed name, an IRI or a search word")
    ids = ("outlineId", "sectionNumber", "figureId")
    exact = [i for i in pool if " ".join(words) in {_fold(ds.value(i, str(AM[name]))) for name in ids} - {""}]
    if exact:
        return [ds.candidate(i) for i in exact]
    found = []
    for iri in pool:
        hay = _fold(" ".join([short(iri), ds.value(iri, RDFS_LABEL), ds.value(iri, str(AM.outlineId))]))
        hay += " " + " ".join(_fold(ds.value(iri, str(AM[name]))) for name in ("text", "quote", "note"))
        if all(w in hay for w in words):
            found.append(ds.candidate(iri))
    return found


# ------------------------------------------------------------------------------------ normalising input
def slug(text: str, max_length: int = 60) -> str:
    """A readable local name: ASCII lowercase words joined by '-', cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text).split()
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > max_length:
            break
        out = candidate
    return out or (words[0][:max_length] if words else "item")


def mint(ds: Dataset, prefix: str, local: str, reserved: Iterable[str] = ()) -> str:
    """`prefix:local`, or `local-2`, `local-3`, … : the first IRI nobody uses yet."""
    reserved = set(reserved)
    base = PREFIXES[prefix] + local
    iri, n = base, 1
    while ds.taken(iri) or iri in reserved:
        n += 1
        iri = f"{base}-{n}"
    return iri


def chosen_id(ds: Dataset, prefix: str, local: str) -> str:
    """An IRI the contributor chose with --id: must be a readable local name nobody uses yet."""
    if not _LOCAL.match(local):
        raise ContributionError(f"--id {local!r}: use lowercase words joined by '-', e.g. llama-downloads-2026")
    iri = PREFIXES[prefix] + local
    if ds.taken(iri):
        raise ContributionError(f"--id {local}: {short(iri)} is taken; an IRI is never reused, choose another")
    return iri


def number(text: str, flag: str) -> ox.Literal:
    raw = text.strip().replace("_", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ContributionError(f"{flag} {text!r}: not a number; write it in full, e.g. 6000000 or 0.75") from None
    if not value.is_finite():
        raise ContributionError(f"{flag} {text!r}: not a number")
    if re.match(r"^[+-]?\d+$", raw):
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(format(value, "f"), datatype=ox.NamedNode(XSD + "decimal"))


def as_of_date(text: str) -> tuple[ox.Literal, str | None]:
    """An xsd:date from YYYY-MM-DD, or from YYYY-MM (the month's last day, and a note saying so)."""
    raw = text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}$", raw):
        try:
            dt.date.fromisoformat(raw)
        except ValueError:
            raise ContributionError(f"--as-of {text!r}: no such date") from None
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date")), None
    month = re.match(r"^(\d{4})-(\d{2})$", raw)
    if month and 1 <= int(month.group(2)) <= 12:
        year, mon = int(month.group(1)), int(month.group(2))
        last = dt.date(year, mon, calendar.monthrange(year, mon)[1]).isoformat()
        note = f"The source gives the month only ({raw}); the last day of the month stands for it."
        return ox.Literal(last, datatype=ox.NamedNode(XSD + "date")), note
    raise ContributionError(f"--as-of {text!r}: give a date as YYYY-MM-DD (or YYYY-MM for a month), e.g. 2026-01-29")


def orcid_url(text: str) -> str:
    match = _ORCID.match(text.strip())
    if not match:
        raise ContributionError(f"--orcid {text!r}: an ORCID iD looks like 0000-0002-1825-0097")
    digits = match.group(1).replace("-", "").upper()
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        raise ContributionError(f"--orcid {text!r}: the check digit is wrong; copy the iD from orcid.org")
    return "https://orcid.org/" + match.group(1).upper()


def norm_doi(text: str) -> str:
    match = _DOI.match(text.strip())
    if not match:
        raise ContributionError(f"--source-doi {text!r}: a DOI looks like 10.1038/s41586-024-08141-1")
    return match.group(1)


def norm_arxiv(text: str) -> str:
    match = _ARXIV.match(text.strip())
    if not match:
        raise ContributionError(f"--source-arxiv {text!r}: an arXiv id looks like 2507.09296")
    return match.group(1)


def norm_url(text: str) -> str:
    url = text.strip()
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        raise ContributionError(f"--source-url {text!r}: give an http(s) address")
    return url


# ------------------------------------------------------------------------------------ what is added
def lit(text: str) -> ox.Literal:
    return ox.Literal(text)


def node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@dataclass
class Addition:
    """New triples for one file, the IRIs minted, and what was reused (for the summary)."""

    target: str  # "claims" or "evidence"
    triples: list[ox.Triple] = field(default_factory=list)
    minted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(node(subject), node(predicate), obj))

    def reserved(self) -> set[str]:
        return set(self.minted)


@dataclass
class SourceInput:
    url: str = ""
    title: str = ""
    authors: str = ""
    year: str = ""
    doi: str = ""
    arxiv: str = ""

    def normalised(self) -> SourceInput:
        url = norm_url(self.url) if self.url else ""
        doi = norm_doi(self.doi) if self.doi else ""
        arxiv = norm_arxiv(self.arxiv) if self.arxiv else ""
        if url and not arxiv and _ARXIV.match(url):
            arxiv = norm_arxiv(url)
        if url and not doi and _DOI.match(url):
            doi = norm_doi(url)
        year = self.year.strip()
        if not year and arxiv:
            year = "20" + arxiv[:2]
        if year and not re.match(r"^\d{4}$", year):
            raise ContributionError(f"--source-year {self.year!r}: give the year as four digits, e.g. 2025")
        return SourceInput(url, " ".join(self.title.split()), " ".join(self.authors.split()), year, doi, arxiv)

    @property
    def identified(self) -> bool:
        return bool(self.url or self.doi or self.arxiv)


def find_source(ds: Dataset, given: SourceInput) -> tuple[str, str] | None:
    """An existing source (or paper) with the same DOI, arXiv id, URL or title: (IRI, what matched).

    Identifiers meet as validate's duplicate-source rule has them meet (`source_identifier`), so a source that
    rule would call a duplicate is reused, never added again."""
    pool = sorted(set(ds.of_class("Source")) | set(ds.of_class("Document")))
    predicates = [str(AM.doi), str(AM.arxivId), str(AM.url)]
    wanted = {
        key
        for predicate, value in zip(predicates, (given.doi, given.arxiv, given.url), strict=True)
        if value and (key := source_identifier(predicate, value))
    }
    held = {
        iri: {key for p in predicates for v in ds.values(iri, p) if (key := source_identifier(p, v))} for iri in pool
    }
    for what in ("DOI", "arXiv id", "URL"):
        keys = {key for key in wanted if key[0] == what}
        for iri in pool:
            if keys & held[iri]:
                return iri, what
    title = _fold(given.title)
    if title:
        for iri in pool:
            if title in [_fold(t) for t in ds.values(iri, str(AM.text))]:
                return iri, "title"
    return None


def short_citation(authors: str, year: str, title: str) -> str:
    names = [n.strip() for n in re.split(r",|;|\band\b|&", authors) if n.strip() and n.strip() != "et al."]
    if not names:
        return f"{title[:60]} {year}".strip()
    surname = names[0].split()[-1]
    return f"{surname} et al. {year}" if len(names) > 1 else f"{surname} {year}"


def add_source(ds: Dataset, add: Addition, given: SourceInput, local: str | None = None) -> str:
    """Mint a new am:Source (the caller has checked that none matches) and return its IRI."""
    label = short_citation(given.authors, given.year, given.title)
    if local:
        iri = chosen_id(ds, "source", local)
    else:
        names = [n for n in re.split(r",|;|\band\b|&", given.authors) if n.strip()]
        stem = slug(f"{names[0].split()[-1]} {given.year}") if names else slug(given.title, 40)
        iri = mint(ds, "source", stem, add.reserved())
    add.minted.append(iri)
    add.add(iri, RDF_TYPE, node(str(AM.Source)))
    add.add(iri, RDFS_LABEL, lit(label))
    add.add(iri, str(AM.text), lit(given.title))
    if given.authors:
        add.add(iri, str(AM.authors), lit(given.authors))
    if given.year:
        add.add(iri, str(AM.year), ox.Literal(given.year, datatype=node(XSD + "gYear")))
    if given.url:
        add.add(iri, str(AM.url), ox.Literal(given.url, datatype=node(XSD + "anyURI")))
    if given.doi:
        add.add(iri, str(AM.doi), lit(given.doi))
    if given.arxiv:
        add.add(iri, str(AM.arxivId), lit(given.arxiv))
    return iri


def find_agent(ds: Dataset, name: str, orcid: str = "") -> tuple[str, str] | None:
    """An existing person or organisation: by prefixed name or IRI, by ORCID, or by exact name."""
    url = orcid_url(orcid) if orcid else ""
    iri = expand(name)
    if iri is not None:
        if str(AM.Person) in ds.types(iri) or str(AM.Organisation) in ds.types(iri):
            return iri, "id"
        raise ContributionError(f"--contributor {name}: not an am:Person or am:Organisation in the data")
    people = ds.of_class("Person") + ds.of_class("Organisation")
    if url:
        for person in people:
            if url in ds.values(person, str(AM.url)):
                return person, "ORCID"
    for person in people:
        if _fold(ds.value(person, RDFS_LABEL)) == _fold(name):
            return person, "name"
    return None


def contributor(ds: Dataset, add: Addition, name: str, orcid: str = "") -> str:
    """The contributor's IRI: an existing agent (see find_agent), else a new am:Person with the optional ORCID."""
    found = find_agent(ds, name, orcid)
    if found:
        if found[1] != "id":
            add.notes.append(f"Contributor: {short(found[0])} is already in the data (same {found[1]}); reusing it.")
        return found[0]
    if not name.strip():
        raise ContributionError("--contributor: give your name")
    url = orcid_url(orcid) if orcid else ""
    iri = mint(ds, "person", slug(name, 40), add.reserved())
    add.minted.append(iri)
    add.add(iri, RDF_TYPE, node(str(AM.Person)))
    add.add(iri, RDFS_LABEL, lit(" ".join(name.split())))
    if url:
        add.add(iri, str(AM.url), ox.Literal(url, datatype=node(XSD + "anyURI")))
    return iri


def next_figure_id(ds: Dataset) -> str:
    numbers = [
        int(m.group(1))
        for q in ds.store.quads_for_pattern(None, node(str(AM.figureId)), None)
        if (m := re.match(r"^F(\d+)$", _value(q.object)))
    ]
    return f"F{max(numbers, default=0) + 1}"


# ------------------------------------------------------------------------------------ checking and saving
@dataclass
class Prepared:
    """The target file's new text, the validation report of the whole data with it, and the new blocks."""

    path: Path
    text: str
    report: Report
    turtle: str  # the new triples alone, in canonical layout (what --dry-run prints)
    original: str = ""  # the file as it was read: saving refuses if it has changed since


def prepare(ds: Dataset, add: Addition) -> Prepared:
    """The target file with the addition, in canonical form, validated with the rest of the data.

    The target file must already be canonical (`argmap fmt`), so that the change is only the addition."""
    source = ds.evidence if add.target == "evidence" else ds.claims
    if canonical_text(source).changed:
        raise ContributionError(
            f"{source.path} is not in canonical form; run `argmap fmt {source.path}` (and commit that) first, "
            "so this change holds only your addition"
        )
    result = canonical_text(source, add.triples)
    other = ds.claims if add.target == "evidence" else ds.evidence
    texts = [(source.path, result.text), (other.path, other.text)]
    if add.target == "evidence":
        texts.reverse()
    loaded, problems = load_sources(texts)
    if problems:
        raise TurtleSyntaxError(problems[0])
    report = validate(loaded)
    blocks = canonical_turtle_of([(t.subject, t.predicate, t.object) for t in add.triples], prefix_block=False)
    return Prepared(source.path, result.text, report, blocks, source.text)


def save(prepared: Prepared) -> None:
    if not prepared.report.conforms:
        raise ContributionError("the data would not validate with this addition; nothing was written")
    try:
        now = prepared.path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContributionError(f"{prepared.path}: cannot read it again before saving ({exc.strerror})") from None
    if now != prepared.original:
        raise ContributionError(f"{prepared.path} changed while this ran; nothing was written: run the command again")
    write_atomic(prepared.path, prepared.text)


def several_sentences(quote: str) -> bool:
    """Does a quote look like more than one sentence? (A hint for the contributor, not a rule.)"""
    return bool(re.search(r"[.!?][\"”’)]?\s+[A-Z“\"]", quote.strip()))


# ------------------------------------------------------------------------------------ the three builders
@dataclass
class EvidenceInput:
    kind: str
    label: str
    relations: Sequence[tuple[str, str]]  # (relation, target IRI)
    source: str  # IRI of an existing source, or "" when `new_source` is given
    new_source: SourceInput | None
    contributor: str
    orcid: str = ""
    locator: str = ""
    text: str = ""
    quote: str = ""
    value: str = ""
    min_value: str = ""
    max_value: str = ""
    unit: str = ""
    measures: str = ""
    as_of: str = ""
    local: str = ""


def build_evidence(ds: Dataset, given: EvidenceInput) -> Addition:
    add = Addition("evidence")
    if given.kind not in EVIDENCE_KINDS:
        raise ContributionError(f"--kind {given.kind}: choose quote, figure or check")
    iri = chosen_id(ds, "evidence", given.local) if given.local else mint(ds, "evidence", slug(given.label))
    add.minted.append(iri)
    add.add(iri, RDF_TYPE, node(str(AM[EVIDENCE_KINDS[given.kind]])))
    add.add(iri, RDFS_LABEL, lit(given.label.strip()))
    if given.kind == "check" or given.text:
        add.add(iri, str(AM.note), lit(given.text.strip()))
    if given.quote:
        add.add(iri, str(AM.quote), lit(given.quote.strip()))
    add.add(iri, str(AM.locator), lit(given.locator.strip()))
    if given.kind == "figure":
        add.add(iri, str(AM.figureId), lit(next_figure_id(ds)))
        add.add(iri, str(AM.measures), lit(given.measures.strip()))
        add.add(iri, str(AM.unit), lit(given.unit.strip()))
        date, note = as_of_date(given.as_of)
        add.add(iri, str(AM.asOf), date)
        if note:
            add.add(iri, str(AM.asOfNote), lit(note))
        for flag, predicate, raw in (
            ("--value", "value", given.value),
            ("--min", "minValue", given.min_value),
            ("--max", "maxValue", given.max_value),
        ):
            if raw:
                add.add(iri, str(AM[predicate]), number(raw, flag))
    source = given.source
    if not source and given.new_source is not None:
        source = add_source(ds, add, given.new_source)
    add.add(iri, str(AM.source), node(source))
    add.add(iri, str(AM.contributedBy), node(contributor(ds, add, given.contributor, given.orcid)))
    for relation, target in given.relations:
        add.add(iri, str(AM[relation]), node(target))
    return add


def build_source(
    ds: Dataset, given: SourceInput, cited_by: Sequence[str] = (), who: str = "", orcid: str = "", local: str = ""
) -> tuple[Addition, str]:
    """A new source (or the existing one it matches), with `cited_by` statements citing it."""
    add = Addition("evidence")
    found = find_source(ds, given)
    if found:
        iri = found[0]
        add.notes.append(f"{short(iri)} is already in the data (same {found[1]}): reused, not duplicated")
    else:
        iri = add_source(ds, add, given, local or None)
        if who:
            add.add(iri, str(AM.contributedBy), node(contributor(ds, add, who, orcid)))
    cites = node(str(AM.citesAsEvidence))
    for statement in cited_by:
        if not any(True for _ in ds.store.quads_for_pattern(node(statement), cites, node(iri))):
            add.add(statement, str(AM.citesAsEvidence), node(iri))
    return add, iri


@dataclass
class ClaimInput:
    kind: str
    label: str
    text: str
    section: str  # IRI
    paper: str  # IRI
    relations: Sequence[tuple[str, str]] = ()
    responds_to: str = ""
    outline_id: str = ""
    order: str = ""
    local: str = ""


def build_claim(ds: Dataset, given: ClaimInput) -> Addition:
    if given.kind not in CLAIM_KINDS:
        raise ContributionError(f"--kind {given.kind}: choose one of {', '.join(CLAIM_KINDS)}")
    cls, prefix = CLAIM_KINDS[given.kind]
    add = Addition("claims")
    iri = chosen_id(ds, prefix, given.local) if given.local else mint(ds, prefix, slug(given.label))
    add.minted.append(iri)
    add.add(iri, RDF_TYPE, node(str(AM[cls])))
    add.add(iri, RDFS_LABEL, lit(given.label.strip()))
    add.add(iri, str(AM.text), lit(given.text.strip()))
    add.add(iri, str(AM.statedIn), node(given.paper))
    add.add(iri, str(AM.inSection), node(given.section))
    if given.outline_id:
        add.add(iri, str(AM.outlineId), lit(given.outline_id.strip()))
    if given.responds_to:
        add.add(iri, str(AM.respondsTo), node(given.responds_to))
    order = given.order
    if not order and given.kind == "response" and given.responds_to:
        siblings = [
            _value(q.subject)
            for q in ds.store.quads_for_pattern(None, node(str(AM.respondsTo)), node(given.responds_to))
        ]
        order = str(max((int(ds.value(s, str(AM.order)) or 0) for s in siblings), default=0) + 1)
    if order:
        add.add(iri, str(AM.order), number(order, "--order"))
    for relation, target in given.relations:
        add.add(iri, str(AM[relation]), node(target))
    return add
