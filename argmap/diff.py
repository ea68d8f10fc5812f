"""What a change does to the argument: two versions of the data compared as models, not as lines.

Each side is read with the project's loader (`argmap.load`) and turned into the typed model
(`argmap.model.build_model`); the comparison is made between the two models:

- nodes added, removed or changed (a changed label, value, unit, date …), by kind and label;
- renames: a node that disappears while a node with the same content (or the same types and label) appears
  under a new IRI;
- relation changes between nodes present on both sides (a rename is followed, so it is not also reported
  as relations lost and gained);
- what that means for the argument, as `Finding`s made by the functions in `RULES` ("claim Y lost its only
  supporting evidence", "view V3 has a new response", "source Z is now cited by nothing");
- permalinks: every project IRI that is removed or renamed breaks links to it, and is refused unless the new
  data says `X am:supersedes <old>` or `X am:retracts <old>`.

A side is a git revision (read with `git cat-file`, never by checking anything out), the work tree, or a
file or folder. The library returns a `Diff`; rendering it (text, Markdown, JSON) is the CLI's job.
Argument status changes (accepted / rejected / undecided, from `argmap.reasoning`) are the rule `status_changes`.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from .config import BASE_IRI
from .errors import DataError, GitError
from .git import git_output, repository_root, resolve_revision
from .load import RDF_TYPE, TurtleSyntaxError, load_paths
from .model import (
    LINK_PREDICATES,
    LITERAL_FIELDS,
    RELATION_OF,
    STATEMENT_KINDS,
    Model,
    Node,
    build_model,
    curie,
)
from .site.words import figure_text, format_number, kind_label
from .vocab import AM

SUPERSEDES = str(AM.supersedes)
RETRACTS = str(AM.retracts)
#: Model fields compared for "changed"; `source` is a relation ("cites"), reported with the relations.
IGNORED_FIELDS = frozenset({"iri", "page", "section_order", "source", "kind"})
#: Display names for model fields that do not read well as they are.
FIELD_NAMES = {
    "as_of": "as of",
    "as_of_note": "as-of note",
    "min_value": "minimum",
    "max_value": "maximum",
    "outline_id": "outline id",
    "figure_id": "figure id",
    "arxiv_id": "arXiv id",
    "doi": "DOI",
    "url": "web address",
    "ref_number": "reference number",
    "openreview_id": "OpenReview id",
    "contributed_by": "contributed by",
    "section_number": "section number",
    "version_label": "version",
    "cell_text": "cell",
}


# ----------------------------------------------------------------------------------------- sides
@dataclass
class Side:
    """One version of the data: what to call it and the model read from it."""

    name: str
    model: Model
    #: every IRI the side's triples mention as object of am:supersedes / am:retracts -> (by whom, how)
    replaced: dict[str, tuple[str, str]]
    #: every triple with an IRI subject: (subject, predicate, object IRI or literal in N-Triples syntax)
    triples: frozenset[tuple[str, str, str]] = frozenset()
    #: how many triples have a blank node as subject or object (they have no stable name to compare by)
    blank: int = 0


def default_base(cwd: Path) -> tuple[str, str]:
    """(name, commit) of where the current branch left the main line: merge-base with origin/main, else main."""
    repository_root(cwd)
    for branch in ("origin/main", "main"):
        try:
            resolve_revision(branch, cwd)
        except GitError:
            continue
        try:
            commit = git_output(["merge-base", branch, "HEAD"], cwd).decode("ascii").strip()
        except GitError:
            continue
        return f"merge-base of {branch} and HEAD", commit
    raise GitError("found neither origin/main nor main to compare with; name the BASE revision")


def _data_folder(root: Path, data: Path) -> str:
    try:
        relative = data.resolve().relative_to(root.resolve())
    except ValueError:
        raise GitError(f"{data}: the data folder is not inside the repository at {root}") from None
    return relative.as_posix() if str(relative) != "." else ""


def read_revision(revision: str, data: Path, cwd: Path) -> Side:
    """The model of the `*.ttl` files directly in `data` as they are at `revision` (nothing is checked out)."""
    root = repository_root(cwd)
    commit = resolve_revision(revision, cwd)
    folder = _data_folder(root, data)
    listing = git_output(["ls-tree", "-z", commit, "--", f"{folder}/" if folder else "."], root)
    names = []
    for entry in filter(None, listing.decode("utf-8").split("\0")):
        info, _, name = entry.partition("\t")
        if info.split()[1] == "blob" and name.endswith(".ttl"):
            names.append(name)
    temp = Path(tempfile.mkdtemp(prefix="argmap-diff-"))
    try:
        paths = []
        for name in sorted(names):
            target = temp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(git_output(["cat-file", "blob", f"{commit}:{name}"], root))
            paths.append(target)
        label = f"{revision} ({commit[:10]})" if revision != commit else commit[:10]
        return _side(label, paths, rename_from=f"{temp}/", rename_to=f"{revision}:")
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def read_paths(path: Path, name: str | None = None) -> Side:
    """The model of one Turtle file, or of the `*.ttl` files in a folder."""
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    if path.is_dir():
        paths = sorted(path.glob("*.ttl"))
    else:
        paths = [path]
    return _side(name or str(path), paths)


def _side(name: str, paths: list[Path], rename_from: str = "", rename_to: str = "") -> Side:
    try:
        loaded = load_paths(paths, keep=True) if paths else None
    except TurtleSyntaxError as exc:
        loc = exc.problem.location
        where = str(loc.path).replace(rename_from, rename_to, 1) if rename_from else str(loc.path)
        raise DataError(f"{where}:{loc.line}:{loc.column}: Turtle syntax error: {exc.problem.message}") from None
    except DataError as exc:
        message = str(exc).replace(rename_from, rename_to) if rename_from else str(exc)
        raise DataError(message) from None
    if loaded is None:
        model = build_model(ox.Store())
        return Side(name, model, {})
    replaced: dict[str, tuple[str, str]] = {}
    triples: set[tuple[str, str, str]] = set()
    blank = 0
    kept = [source.kept or [] for source in loaded.files]  # each file's triples in the parser's order
    for quads in kept:
        for triple in quads:
            subject, obj = triple.subject, triple.object
            if isinstance(subject, ox.NamedNode) and isinstance(obj, ox.NamedNode | ox.Literal):
                triples.add((subject.value, triple.predicate.value, str(obj)))
            else:
                blank += 1
    for how, predicate in (("supersedes", SUPERSEDES), ("retracts", RETRACTS)):
        for quads in kept:
            for triple in quads:
                subject, obj = triple.subject, triple.object
                if (
                    triple.predicate.value == predicate
                    and isinstance(subject, ox.NamedNode)
                    and isinstance(obj, ox.NamedNode)
                ):
                    replaced.setdefault(obj.value, (subject.value, how))
    return Side(name, build_model(loaded.store), replaced, frozenset(triples), blank)


# ------------------------------------------------------------------------------------------ result
@dataclass(frozen=True)
class Ref:
    """A node as a reader names it: kind, short id (outline or figure id) and label."""

    iri: str
    curie: str
    kind: str
    kind_label: str
    label: str
    short_id: str | None = None

    @classmethod
    def of(cls, model: Model, iri: str) -> Ref:
        node = model.node(iri)
        if node is None:
            return cls(iri, curie(iri), "unknown", "Item", model.label(iri))
        return cls(iri, curie(iri), node.kind, kind_label(node), node.label, node.outline_id or node.figure_id)


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class NodeChange:
    """A node added, removed or changed. `relations` are its outgoing relations (added/removed nodes only)."""

    change: Literal["added", "removed", "changed"]
    node: Ref
    summary: str | None = None  # a figure as a reader says it: "6,000,000 downloads per month, as of 2026-01-29"
    fields: tuple[FieldChange, ...] = ()
    relations: tuple[tuple[str, Ref], ...] = ()


@dataclass(frozen=True)
class Rename:
    old: Ref
    new: Ref
    how: Literal["same content", "same label"]


@dataclass(frozen=True)
class RelationChange:
    change: Literal["added", "removed"]
    source: Ref
    relation: str
    target: Ref


@dataclass(frozen=True)
class OtherChange:
    """A triple added or removed that the node, field and relation changes do not already say."""

    change: Literal["added", "removed"]
    subject: str
    predicate: str
    object: str


@dataclass(frozen=True)
class Finding:
    """What a change means for the argument. `code` is stable (for tools); `message` reads after the subject."""

    code: str
    subject: Ref
    message: str
    related: tuple[Ref, ...] = ()


@dataclass(frozen=True)
class PermalinkChange:
    """A project IRI that no longer names a node: links to it break unless something supersedes or retracts it."""

    iri: str
    old: Ref
    change: Literal["removed", "renamed"]
    new: Ref | None = None
    replaced_by: Ref | None = None
    how: Literal["supersedes", "retracts"] | None = None

    @property
    def allowed(self) -> bool:
        return self.how is not None


@dataclass
class Diff:
    base: str
    head: str
    added: list[NodeChange] = field(default_factory=list)
    removed: list[NodeChange] = field(default_factory=list)
    changed: list[NodeChange] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    relations: list[RelationChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    permalinks: list[PermalinkChange] = field(default_factory=list)
    other: list[OtherChange] = field(default_factory=list)
    #: change in the number of triples with blank nodes (compared by count only: they have no stable names)
    blank_delta: int = 0

    @property
    def refused(self) -> list[PermalinkChange]:
        """Removed or renamed IRIs that nothing supersedes or retracts: the change must not land as it is."""
        return [p for p in self.permalinks if not p.allowed]

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.renamed
            or self.relations
            or self.other
            or self.blank_delta
        )

    def to_dict(self) -> dict:
        data = asdict(self)
        for item, out in zip(self.permalinks, data["permalinks"], strict=True):
            out["allowed"] = item.allowed
        data["refused"] = [p.iri for p in self.refused]
        return data


# ------------------------------------------------------------------------------------- comparison
def _fields(node: Node) -> dict[str, object]:
    return {f.name: getattr(node, f.name) for f in dataclasses.fields(node) if f.name not in IGNORED_FIELDS}


def _fingerprint(model: Model, node: Node) -> tuple:
    out = tuple(sorted((e.relation, e.target) for e in model.outgoing(node.iri)))
    links = tuple(sorted((link.predicate, link.target) for link in model.links_from(node.iri)))
    return (tuple(sorted(_fields(node).items(), key=lambda kv: kv[0])), node.source, out, links)


def _renames(base: Model, head: Model, removed: list[str], added: list[str]) -> list[tuple[str, str, str]]:
    """(old, new, how) pairs: a removed node whose content (or types and label) an added node has."""
    pairs: list[tuple[str, str, str]] = []
    free = set(added)
    by_print: dict[tuple, list[str]] = {}
    for iri in added:
        by_print.setdefault(_fingerprint(head, head.nodes[iri]), []).append(iri)
    left = []
    for iri in removed:
        candidates = [c for c in by_print.get(_fingerprint(base, base.nodes[iri]), []) if c in free]
        if candidates:
            pairs.append((iri, candidates[0], "same content"))
            free.discard(candidates[0])
        else:
            left.append(iri)
    for iri in left:
        old = base.nodes[iri]
        same = (old.types, old.label)
        candidates = [c for c in sorted(free) if old.label and (head.nodes[c].types, head.nodes[c].label) == same]
        if len(candidates) == 1:
            pairs.append((iri, candidates[0], "same label"))
            free.discard(candidates[0])
    return pairs


def _display(name: str, value: object, mapping: dict[str, str]) -> str | None:
    if value is None or value == () or value == "":
        return None
    if isinstance(value, tuple):
        return ", ".join(curie(mapping.get(str(v), str(v))) for v in value)
    if name == "section":
        return curie(mapping.get(str(value), str(value)))
    if name in ("value", "min_value", "max_value"):
        return format_number(str(value))
    return str(value)


def _summary(node: Node) -> str | None:
    text = figure_text(node)
    if text and node.as_of:
        return f"{text}, as of {node.as_of}"
    return text


def _outgoing(model: Model, iri: str) -> tuple[tuple[str, Ref], ...]:
    return tuple((e.relation, Ref.of(model, e.target)) for e in model.outgoing(iri))


def compare(base: Side, head: Side) -> Diff:
    """Compare two sides; see the module docstring for what is reported."""
    old, new = base.model, head.model
    removed_iris = sorted(set(old.nodes) - set(new.nodes))
    added_iris = sorted(set(new.nodes) - set(old.nodes))
    pairs = _renames(old, new, removed_iris, added_iris)
    renamed_old = {o: n for o, n, _ in pairs}
    renamed_new = {n for _, n, _ in pairs}
    mapping = dict(renamed_old)  # base IRI -> head IRI

    result = Diff(base.name, head.name)
    for o, n, how in pairs:
        result.renamed.append(Rename(Ref.of(old, o), Ref.of(new, n), how))  # type: ignore[arg-type]
    for iri in added_iris:
        if iri not in renamed_new:
            node = new.nodes[iri]
            result.added.append(NodeChange("added", Ref.of(new, iri), _summary(node), relations=_outgoing(new, iri)))
    for iri in removed_iris:
        if iri not in renamed_old:
            ref, summary = Ref.of(old, iri), _summary(old.nodes[iri])
            result.removed.append(NodeChange("removed", ref, summary, relations=_outgoing(old, iri)))

    both = [(iri, iri) for iri in sorted(set(old.nodes) & set(new.nodes))] + [(o, n) for o, n, _ in pairs]
    for o, n in both:
        before, after = _fields(old.nodes[o]), _fields(new.nodes[n])
        changes = []
        for name in sorted(set(before) | set(after)):
            a, b = _display(name, before.get(name), mapping), _display(name, after.get(name), {})
            if a != b:
                changes.append(FieldChange(FIELD_NAMES.get(name, name.replace("_", " ")), a, b))
        links_before = {(p, mapping.get(t, t)) for p, t in ((x.predicate, x.target) for x in old.links_from(o))}
        links_after = {(x.predicate, x.target) for x in new.links_from(n)}
        for predicate in sorted({p for p, _ in links_before ^ links_after}):
            if predicate in (str(AM.inSection), str(AM.contributedBy)):
                continue  # already the node's `section` and `contributed_by` fields
            name = curie(predicate).split(":", 1)[-1]
            a_set = sorted(curie(t) for p, t in links_before if p == predicate)
            b_set = sorted(curie(t) for p, t in links_after if p == predicate)
            changes.append(FieldChange(name, ", ".join(a_set) or None, ", ".join(b_set) or None))
        if changes:
            result.changed.append(NodeChange("changed", Ref.of(new, n), _summary(new.nodes[n]), tuple(changes)))

    present = {n for _, n in both}
    edges_before = {(mapping.get(e.source, e.source), e.relation, mapping.get(e.target, e.target)) for e in old.edges}
    edges_after = {(e.source, e.relation, e.target) for e in new.edges}
    changes_of_edges = (("removed", edges_before - edges_after, old), ("added", edges_after - edges_before, new))
    for change, edges, model in changes_of_edges:
        reverse = {v: k for k, v in mapping.items()} if change == "removed" else {}
        for s, relation, t in sorted(edges):
            if s not in present:
                continue  # an added or removed node: its relations are listed with it
            source = Ref.of(new, s) if s in new.nodes else Ref.of(model, reverse.get(s, s))
            target = Ref.of(model, reverse.get(t, t)) if change == "removed" else Ref.of(new, t)
            result.relations.append(RelationChange(change, source, relation, target))  # type: ignore[arg-type]

    for o in removed_iris:
        if not o.startswith(BASE_IRI):
            continue
        by = head.replaced.get(o)
        replaced_by = Ref.of(new, by[0]) if by else None
        replaced_how = by[1] if by else None
        new_ref = Ref.of(new, renamed_old[o]) if o in renamed_old else None
        result.permalinks.append(
            PermalinkChange(o, Ref.of(old, o), "renamed" if new_ref else "removed", new_ref, replaced_by, replaced_how)  # type: ignore[arg-type]
        )

    touched = {c.node.iri for c in result.added + result.removed + result.changed}
    touched |= {r.old.iri for r in result.renamed} | {r.new.iri for r in result.renamed}
    touched |= {r.source.iri for r in result.relations}
    result.other = _other_changes(base, head, mapping, touched)
    result.blank_delta = head.blank - base.blank
    for rule in RULES:
        result.findings.extend(rule(old, new, mapping))
    return result


#: Predicates the model reads into nodes, fields, relations and links: their changes are reported as those.
EXPLAINED = frozenset({RDF_TYPE.value, *LITERAL_FIELDS, *RELATION_OF, *LINK_PREDICATES})


def _other_changes(base: Side, head: Side, mapping: dict[str, str], touched: set[str]) -> list[OtherChange]:
    """Every triple change not already shown: a predicate the model does not read, a subject that is no node, or
    a change the model cannot see (a datatype, a language tag, a second label). So "no change" means the graphs
    are the same (up to blank nodes), not merely that the models are."""

    def renamed(term: str) -> str:
        if term.startswith("<") and term.endswith(">"):
            return f"<{mapping.get(term[1:-1], term[1:-1])}>"
        return term

    before = {(mapping.get(s, s), p, renamed(o)) for s, p, o in base.triples}
    after = set(head.triples)
    found = []
    for change, triples, model in (("removed", before - after, base.model), ("added", after - before, head.model)):
        reverse = {v: k for k, v in mapping.items()} if change == "removed" else {}
        for s, p, o in sorted(triples):
            if p in EXPLAINED and reverse.get(s, s) in model.nodes and (s in touched or reverse.get(s, s) in touched):
                continue
            obj = curie(o[1:-1]) if o.startswith("<") and o.endswith(">") else o
            found.append(OtherChange(change, curie(s), curie(p), obj))  # type: ignore[arg-type]
    return found


# ----------------------------------------------------------------------------------------- rules
#: A rule reads both models and the rename map (base IRI -> head IRI) and says what the change means.
Rule = Callable[[Model, Model, dict[str, str]], list[Finding]]


def _supporting_evidence(model: Model, iri: str) -> list[str]:
    return [n.iri for n in model.sources_of(iri, "supports") if n.kind == "evidence"]


def lost_evidence(old: Model, new: Model, mapping: dict[str, str]) -> list[Finding]:
    """A statement that had supporting evidence and has none now."""
    found = []
    for o in sorted(old.nodes):
        n = mapping.get(o, o)
        if old.nodes[o].kind not in STATEMENT_KINDS or n not in new.nodes:
            continue
        before = _supporting_evidence(old, o)
        if before and not _supporting_evidence(new, n):
            lost = tuple(Ref.of(old, e) for e in before)
            if len(before) == 1:
                message = "lost its only supporting evidence"
            else:
                message = f"lost all {len(before)} pieces of its supporting evidence"
            found.append(Finding("lost-evidence", Ref.of(new, n), message, lost))
    return found


def response_changes(old: Model, new: Model, mapping: dict[str, str]) -> list[Finding]:
    """A view that gains or loses a response (a view new on this side is not news twice)."""
    found = []
    for n in sorted(new.nodes):
        if new.nodes[n].kind != "view":
            continue
        reverse = {v: k for k, v in mapping.items()}
        o = reverse.get(n, n)
        if o not in old.nodes:
            continue  # a new view: its responses are listed with it
        after = {r.iri for r in new.responses(n)}
        before = {mapping.get(r.iri, r.iri) for r in old.responses(o)}
        for r in sorted(after - before):
            found.append(Finding("new-response", Ref.of(new, n), "has a new response", (Ref.of(new, r),)))
        for r in sorted(before - after):
            found.append(Finding("lost-response", Ref.of(new, n), "lost a response", (Ref.of(old, reverse.get(r, r)),)))
        if before and not after:
            found.append(Finding("no-response", Ref.of(new, n), "has no response any more"))
    return found


def uncited_sources(old: Model, new: Model, mapping: dict[str, str]) -> list[Finding]:
    """A source that was cited and is cited by nothing now; a new source that nothing cites."""
    reverse = {v: k for k, v in mapping.items()}
    found = []
    for n in sorted(new.nodes):
        if new.nodes[n].kind != "source" or new.incoming(n, "cites"):
            continue
        o = reverse.get(n, n)
        if o not in old.nodes:
            found.append(Finding("new-source-uncited", Ref.of(new, n), "is new and cited by nothing"))
        elif old.incoming(o, "cites"):
            citing = tuple(Ref.of(old, e.source) for e in old.incoming(o, "cites"))
            found.append(Finding("source-uncited", Ref.of(new, n), "is now cited by nothing", citing))
    return found


def status_changes(old: Model, new: Model, mapping: dict[str, str]) -> list[Finding]:
    """An item on both sides whose argument status (grounded semantics, `argmap.reasoning`) changed: "this change
    makes view V3 undecided". Items new or removed on one side are listed as added or removed instead."""
    from .reasoning import statuses

    before, after = statuses(old), statuses(new)
    found = []
    for o in sorted(before, key=lambda iri: old.nodes[iri].sort_key()):
        n = mapping.get(o, o)
        if n in after and after[n] != before[o]:
            message = f"becomes {after[n]} (was {before[o]})"
            found.append(Finding("status-changed", Ref.of(new, n), message))
    return found


#: The rules `compare` runs, in order.
RULES: list[Rule] = [lost_evidence, response_changes, uncited_sources, status_changes]


# ---------------------------------------------------------------------------------------- the API
WORK_TREE = "work tree"


@dataclass(frozen=True)
class Spec:
    """What one side of a comparison is: a revision, a path, or the work tree's data folder."""

    revision: str | None = None
    path: Path | None = None
    name: str | None = None


def choose_sides(base: str | None, head: str | None, cwd: Path) -> tuple[Spec, Spec]:
    """Turn the command's BASE and HEAD into sides, the way `git diff` reads its arguments.

    No BASE: where the branch left the main line (merge-base with origin/main, else main). No HEAD: the work
    tree. A name that exists on disk is a file or folder; anything else is a git revision.
    """

    def one(arg: str) -> Spec:
        candidate = Path(arg) if Path(arg).is_absolute() else cwd / arg
        if candidate.exists():
            return Spec(path=candidate, name=arg)
        return Spec(revision=arg)

    if base is None:
        name, commit = default_base(cwd)
        base_spec = Spec(revision=commit, name=name)
    else:
        base_spec = one(base)
    head_spec = one(head) if head is not None else Spec(name=WORK_TREE)
    return base_spec, head_spec


def read_side(spec: Spec, data: Path, cwd: Path) -> Side:
    if spec.path is not None:
        return read_paths(spec.path, spec.name)
    if spec.revision is not None:
        side = read_revision(spec.revision, data, cwd)
        if spec.name:
            side.name = f"{spec.name} ({side.name})"
        return side
    return read_paths(data, f"{WORK_TREE} ({data})" if spec.name == WORK_TREE else spec.name)


def diff(base: str | None = None, head: str | None = None, data: str | Path = "data", cwd: Path | None = None) -> Diff:
    """Compare BASE with HEAD (see `choose_sides`); `data` is the folder of Turtle files inside the repository."""
    where = Path(cwd) if cwd is not None else Path.cwd()
    data_path = Path(data) if Path(data).is_absolute() else where / data
    base_spec, head_spec = choose_sides(base, head, where)
    sides = [read_side(spec, data_path, where) for spec in (base_spec, head_spec)]
    if all(not s.model.nodes for s in sides):
        raise DataError(f"no Turtle data on either side (looked for *.ttl in {data} for revisions and the work tree)")
    return compare(*sides)


__all__ = [
    "Diff",
    "Finding",
    "FieldChange",
    "NodeChange",
    "OtherChange",
    "PermalinkChange",
    "Ref",
    "RelationChange",
    "Rename",
    "RULES",
    "Side",
    "compare",
    "diff",
    "read_paths",
    "read_revision",
]
