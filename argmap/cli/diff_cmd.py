"""`argmap diff`: what a change does to the argument, as text, Markdown (a PR comment, a job summary) or JSON.

The library (`argmap.diff`) compares; this module only renders. Every label comes from contributed data, so
it is made inert before it is shown: control and formatting characters are escaped in text, and Markdown
punctuation, HTML and @mentions are escaped in Markdown.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable

import click

from ..diff import Diff, Finding, NodeChange, OtherChange, PermalinkChange, Ref, RelationChange, diff
from .common import ProblemsFound, format_option, library_errors

#: relation -> (as a participle after a new node, as a verb between two nodes)
RELATION_PHRASES = {
    "supports": ("supporting", "supports"),
    "attacks": ("attacking", "attacks"),
    "undercuts": ("undercutting", "undercuts"),
    "qualifies": ("qualifying", "qualifies"),
    "responds-to": ("responding to", "responds to"),
    "instantiates": ("instantiating", "instantiates"),
    "in-category": ("in challenge category", "is in challenge category"),
    "premise": ("a premise of", "is a premise of"),
    "concludes": ("concluding", "concludes"),
    "cites": ("citing", "cites"),
    "retracts": ("retracting", "retracts"),
    "supersedes": ("superseding", "supersedes"),
}


# ---------------------------------------------------------------------------------------- escaping
def plain(text: str) -> str:
    """Contributed text for a terminal: control and formatting characters (escape sequences, bidi overrides)
    shown as \\uXXXX, so a label can neither move the cursor nor reorder what follows it."""
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


_MD_PUNCTUATION = set("\\`*_{}[]()#+-.!|~:")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def md(text: str) -> str:
    """Contributed text for Markdown: one line, every Markdown punctuation mark backslash-escaped, HTML as
    entities, `@` followed by a zero-width space so a label cannot mention (notify) anyone."""
    out = []
    for c in text:
        if unicodedata.category(c) in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif c in _HTML:
            out.append(_HTML[c])
        elif c in _MD_PUNCTUATION:
            out.append("\\" + c)
        elif c == "@":
            out.append("@\u200b")
        else:
            out.append(c)
    return "".join(out)


def code(text: str) -> str:
    """An inline code span that holds `text` verbatim, whatever backticks it contains."""
    text = " ".join(text.splitlines())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# ---------------------------------------------------------------------------------------- wording
class Words:
    """How one output format writes a node reference, an identifier and a heading."""

    def __init__(self, escape: Callable[[str], str], ident: Callable[[str], str], markdown: bool):
        self.escape, self.ident, self.markdown = escape, ident, markdown

    def ref(self, ref: Ref, *, lower: bool = False, with_iri: bool = True) -> str:
        if ref.kind == "unknown":  # referred to, typed nowhere on this side
            named = f" “{self.escape(ref.label)}”" if ref.label != ref.curie else ""
            return f"{self.ident(ref.curie)}{named} (defined nowhere)"
        kind = ref.kind_label.lower() if lower else ref.kind_label
        short = f" {self.escape(ref.short_id)}" if ref.short_id else ""
        iri = f" ({self.ident(ref.curie)})" if with_iri else ""
        return f"{self.escape(kind)}{short} “{self.escape(ref.label)}”{iri}"

    def heading(self, text: str) -> str:
        return f"\n#### {text}\n" if self.markdown else f"\n{text}"

    def item(self, text: str) -> str:
        return f"- {text}" if self.markdown else f"  {text}"


def _node_line(w: Words, change: NodeChange) -> str:
    text = w.ref(change.node)
    if change.summary:
        text += f": {w.escape(change.summary)}"
    if change.relations:
        text += "; " + ", ".join(
            f"{RELATION_PHRASES.get(rel, (rel, rel))[0]} {w.ref(target, lower=True, with_iri=False)}"
            for rel, target in change.relations
        )
    return text


def _changed_line(w: Words, change: NodeChange) -> str:
    parts = []
    for f in change.fields:
        old = w.escape(f.old) if f.old is not None else "(none)"
        new = w.escape(f.new) if f.new is not None else "(none)"
        parts.append(f"{w.escape(f.name)} {old} → {new}")
    return f"{w.ref(change.node)}: " + "; ".join(parts)


def _relation_line(w: Words, change: RelationChange) -> str:
    verb = RELATION_PHRASES.get(change.relation, (change.relation, change.relation))[1]
    now = "now" if change.change == "added" else "no longer"
    return f"{w.ref(change.source)} {now} {verb} {w.ref(change.target, lower=True)}"


def _finding_line(w: Words, finding: Finding) -> str:
    text = f"{w.ref(finding.subject)} {finding.message}"
    if finding.related:
        text += ": " + ", ".join(w.ref(r, lower=True) for r in finding.related)
    return text


def _other_line(w: Words, item: OtherChange) -> str:
    sign = "+" if item.change == "added" else "−"
    return f"{sign} {w.ident(item.subject)} {w.ident(item.predicate)} {w.ident(item.object)}"


def _blank_lines(result: Diff) -> list[str]:
    if not result.blank_delta:
        return []
    return [f"{result.blank_delta:+d} triple(s) with blank nodes (compared by count: blank nodes have no names)"]


def _permalink_line(w: Words, item: PermalinkChange) -> str:
    if item.change == "renamed" and item.new is not None:
        what = f"{w.ident(item.old.curie)} renamed to {w.ident(item.new.curie)} ({w.ref(item.old, with_iri=False)})"
    else:
        what = f"{w.ident(item.old.curie)} removed ({w.ref(item.old, with_iri=False)})"
    if item.replaced_by is not None and item.how is not None:
        how = "superseded" if item.how == "supersedes" else "retracted"
        return f"{what}: {how} by {w.ref(item.replaced_by, lower=True)}, allowed"
    return f"{what}: refused, links to it would break; keep it, or add `am:supersedes` or `am:retracts` pointing at it"


def render(result: Diff, w: Words) -> str:
    lines = []
    title = f"argmap diff: {w.escape(result.base)} → {w.escape(result.head)}"
    lines.append(f"### {title}" if w.markdown else title)
    if result.empty:
        lines.append("\nNo change to the argument.")
        return "\n".join(lines) + "\n"
    counts = (
        f"{len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed, "
        f"{len(result.renamed)} renamed, {len(result.relations)} relation change(s)"
        + (f", {len(result.other)} other statement(s)" if result.other else "")
    )
    lines.append(f"\n{counts}" if not w.markdown else f"\n{counts}.")
    sections: list[tuple[str, list[str]]] = [
        (f"Refused: {len(result.refused)} permalink(s) would break", [_permalink_line(w, p) for p in result.refused]),
        ("What it means for the argument", [_finding_line(w, f) for f in result.findings]),
        ("Added", [_node_line(w, c) for c in result.added]),
        ("Removed", [_node_line(w, c) for c in result.removed]),
        ("Changed", [_changed_line(w, c) for c in result.changed]),
        (
            "Renamed",
            [_permalink_line(w, p) for p in result.permalinks if p.change == "renamed" and p.allowed]
            + [
                f"{w.ident(r.old.curie)} → {w.ident(r.new.curie)} ({w.ref(r.new, with_iri=False)})"
                for r in result.renamed
                if not any(p.iri == r.old.iri for p in result.permalinks)
            ],
        ),
        (
            "Removed with a replacement",
            [_permalink_line(w, p) for p in result.permalinks if p.change == "removed" and p.allowed],
        ),
        ("Relations", [_relation_line(w, r) for r in result.relations]),
        ("Other statements", [_other_line(w, o) for o in result.other] + _blank_lines(result)),
    ]
    for heading, items in sections:
        if items:
            lines.append(w.heading(f"{heading} ({len(items)})" if not heading.startswith("Refused") else heading))
            lines.extend(w.item(i) for i in items)
    return "\n".join(lines) + "\n"


def render_text(result: Diff) -> str:
    return render(result, Words(plain, plain, markdown=False))


def render_markdown(result: Diff) -> str:
    return render(result, Words(md, code, markdown=True))


def render_json(result: Diff) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


DIFF_FORMATS = {"text": render_text, "markdown": render_markdown, "json": render_json}


@click.command("diff")
@click.argument("base", required=False)
@click.argument("head", required=False)
@format_option(DIFF_FORMATS, "text", "text for people, markdown for a PR comment or job summary, json for tools.")
@click.option(
    "--data",
    default="data",
    show_default=True,
    type=click.Path(file_okay=False, path_type=str),
    help="The folder of Turtle files read at each git revision and in the work tree.",
)
@library_errors
def command(base: str | None, head: str | None, fmt: str, data: str) -> None:
    """Show what a change does to the argument: nodes, relations, evidence, permalinks.

    BASE and HEAD are git revisions (read with git, nothing is checked out) or files or folders of Turtle;
    a name that exists on disk is a file or folder. Like `git diff`: with no HEAD the work tree is compared;
    with no BASE either, the base is where the current branch left the main line (the merge base of HEAD
    with origin/main, else main).

    Exit code 0 when the change may land; 1 when it removes or renames a project IRI that nothing supersedes
    or retracts (links to it would break); 2 when the comparison could not run (a bad revision, bad Turtle).

    Example: argmap diff main HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    result = diff(base, head, data=data)
    click.echo(DIFF_FORMATS[fmt](result), nl=False)
    if result.refused:
        names = ", ".join(p.old.curie for p in result.refused)
        raise ProblemsFound(
            f"{len(result.refused)} IRI(s) removed or renamed without am:supersedes or am:retracts: {names}"
        )
