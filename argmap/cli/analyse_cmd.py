"""`argmap analyse`: which statements stand, what a retraction would change, where the evidence is thin.

The library (`argmap.reasoning`) computes; this module only renders, as a table for people, Markdown for a PR
comment or a report, or JSON for tools. Labels are contributed text: they go through the same escaping as
`argmap diff` (`plain` for the terminal, `md`/`code` for Markdown).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

import click

from ..model import Model
from ..reasoning import SEMANTICS, Analysis, analyse, find_items, short_name
from .common import CommandError, data_option, format_option, library_errors
from .diff_cmd import code, md, plain

#: How far a label is shown before it is cut (the JSON keeps IRIs only; labels are in the data).
LABEL_WIDTH = 70
#: How many items a list in the table or Markdown shows before "… and N more".
LIST_LIMIT = 25
KIND_PLURALS = {
    "claim": "claims",
    "challenge": "challenges",
    "principle": "principles",
    "example": "examples",
    "view": "views",
    "response": "responses",
    "implication": "implications",
    "evidence": "pieces of evidence",
    "inference": "inferences",
}


class Writer:
    """How one format writes an item, a heading and a list entry."""

    def __init__(self, model: Model, names: dict[str, str], markdown: bool):
        self.model, self.markdown, self.names = model, markdown, names
        self.escape: Callable[[str], str] = md if markdown else plain
        self.ident: Callable[[str], str] = code if markdown else plain

    def clip(self, text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"

    def item(self, iri: str, label: bool = True) -> str:
        name = self.ident(self.short(iri))
        if not label:
            return name
        return f"{name} “{self.escape(self.clip(self.model.label(iri)))}”"

    def short(self, iri: str) -> str:
        return short_name(self.model, iri, self.names)

    def list(self, iris: list[str] | tuple[str, ...]) -> str:
        shown = ", ".join(self.item(i, label=False) for i in iris[:LIST_LIMIT])
        return shown + (f", … and {len(iris) - LIST_LIMIT} more" if len(iris) > LIST_LIMIT else "")

    def heading(self, text: str) -> str:
        return f"\n### {text}\n" if self.markdown else f"\n{text}"

    def entry(self, text: str) -> str:
        return f"- {text}" if self.markdown else f"  {text}"


def _by_kind(model: Model, iris: tuple[str, ...], of_all: bool = True) -> str:
    counts = Counter(model.nodes[i].kind for i in iris)
    totals = Counter(n.kind for n in model.nodes.values())
    parts = []
    for kind, plural in KIND_PLURALS.items():
        if counts[kind]:
            parts.append(f"{counts[kind]} of {totals[kind]} {plural}" if of_all else f"{counts[kind]} {plural}")
    return "; ".join(parts)


def render(a: Analysis, model: Model, w: Writer) -> str:
    counts = a.counts()
    lines = []
    title = (
        f"argmap analyse: {a.semantics} semantics, {len(a.status)} items: {counts['accepted']} accepted, "
        f"{counts['rejected']} rejected, {counts['undecided']} undecided"
    )
    lines.append(f"## {title}" if w.markdown else title)
    if a.semantics != "grounded":
        lines.append(f"\n{a.labellings} {a.semantics} labelling(s); a status holds in all of them, else undecided.")
    if a.retracted:
        lines.append(f"\nAs if retracted: {w.list(a.retracted)}.")

    def status_line(iri: str) -> str:
        s = a.status[iri]
        return w.entry(f"{s.value}: {w.item(iri)}: {w.escape(s.reason)}")

    key = [n.iri for n in model.theses() + model.conclusions() + model.of_kind("view") if n.iri in a.status]
    lines.append(w.heading("The thesis and the opposing views"))
    lines.extend(status_line(i) for i in key)
    others = [n.iri for n in model.of_kind(*KIND_PLURALS) if n.iri in a.status and n.iri not in key]
    shown = [i for i in others if a.status[i].value != "accepted"]
    lines.append(w.heading(f"Every other item not accepted ({len(shown)})"))
    lines.extend(status_line(i) for i in shown) if shown else lines.append(w.entry("none"))

    if a.retracted:
        lines.append(w.heading(f"What the retraction changes beyond the retracted items ({len(a.changes)})"))
        if a.changes:
            lines.extend(w.entry(f"{w.item(c.iri)} {c.what}") for c in a.changes)
        else:
            lines.append(w.entry("nothing else: every other status stays as it is"))

    h = a.health
    lines.append(w.heading("Evidence health"))
    lines.append(w.entry(f"no evidence ({len(h.no_evidence)}): {w.list(h.no_evidence) or 'none'}"))
    lines.append(
        w.entry(
            f"only the paper quoting itself ({len(h.paper_only)}: {_by_kind(model, h.paper_only)}): "
            f"{w.list(h.paper_only) or 'none'}"
        )
    )
    lines.append(
        w.entry(
            f"backed by an outside source ({len(h.outside_backed)}: {_by_kind(model, h.outside_backed)}): "
            f"{w.list(h.outside_backed) or 'none'}"
        )
    )
    single = ", ".join(f"{w.item(s, label=False)} ({w.ident(w.short(src))})" for s, src in h.single_source[:LIST_LIMIT])
    more = f", … and {len(h.single_source) - LIST_LIMIT} more" if len(h.single_source) > LIST_LIMIT else ""
    lines.append(w.entry(f"a single outside source ({len(h.single_source)}): {single + more or 'none'}"))
    stale = ", ".join(f"{w.item(f, label=False)} (as of {w.escape(d)})" for f, d in h.stale[:LIST_LIMIT])
    lines.append(
        w.entry(
            f"figures older than {a.stale_after} months before {a.as_of} ({len(h.stale)}): {stale or 'none'}"
            + (f", … and {len(h.stale) - LIST_LIMIT} more" if len(h.stale) > LIST_LIMIT else "")
        )
    )
    lines.append(w.entry(f"sources cited by nothing ({len(h.uncited_sources)}): {w.list(h.uncited_sources) or 'none'}"))
    verbs = {"qualifies": "qualified", "attacks": "attacked", "undercuts": "undercut"}
    challenged = ", ".join(
        f"{w.item(i, label=False)} ({verbs[r]} by {w.ident(w.short(c))})" for i, c, r in h.challenged
    )
    lines.append(w.entry(f"challenged by an outside check ({len(h.challenged)}): {challenged or 'none'}"))

    st = a.structure
    lines.append(w.heading("Structure"))
    cycles = "; ".join(" → ".join(w.item(i, label=False) for i in c + c[:1]) for c in st.support_cycles)
    lines.append(w.entry(f"support cycles ({len(st.support_cycles)}): {cycles or 'none'}"))
    if st.load_bearing:
        top = max(len(s) for _, s in st.load_bearing)
        heavy = [(e, s) for e, s in st.load_bearing if len(s) == top]
        text = "; ".join(f"{w.item(e)}: {w.list(s)}" for e, s in heavy[:5])
        more = f"; … and {len(heavy) - 5} more" if len(heavy) > 5 else ""
        lines.append(
            w.entry(f"most load-bearing evidence ({top} statement(s) lose all support without it): {text}{more}")
        )
    else:
        lines.append(w.entry("most load-bearing evidence: no single piece of evidence is the only support of anything"))
    if st.longest_chains:
        steps = len(st.longest_chains[0]) - 1
        chains = [c for c in st.longest_chains if len(c) - 1 == steps]
        for chain in chains[:3]:
            path = " → ".join(w.item(i, label=False) for i in chain)
            lines.append(w.entry(f"longest chain from evidence to the thesis ({steps} steps): {path}"))
    else:
        lines.append(w.entry("no chain of support reaches the thesis"))
    return "\n".join(lines) + "\n"


def render_table(a: Analysis, model: Model) -> str:
    return render(a, model, Writer(model, a.names, markdown=False))


def render_markdown(a: Analysis, model: Model) -> str:
    return render(a, model, Writer(model, a.names, markdown=True))


def render_json(a: Analysis, model: Model) -> str:
    return json.dumps(a.to_dict(), indent=2, ensure_ascii=False) + "\n"


ANALYSE_FORMATS: dict[str, Callable[[Analysis, Model], str]] = {
    "table": render_table,
    "markdown": render_markdown,
    "json": render_json,
}


@click.command("analyse")
@data_option("analyse")
@format_option(ANALYSE_FORMATS, "table", "table for people, markdown for a report or PR comment, json for tools.")
@click.option(
    "--semantics",
    type=click.Choice(SEMANTICS),
    default="grounded",
    show_default=True,
    help="Which extensions decide a status (preferred and stable: accepted only if accepted in every one).",
)
@click.option(
    "--retract",
    "retract",
    multiple=True,
    metavar="ID",
    help="Analyse as if this item were retracted and list what changes (repeatable): a prefixed name, an IRI, "
    "an outline id (R3d) or a figure id (F2); a source stands for all its evidence.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="The date figures are judged stale against (YYYY-MM-DD; default: today).",
)
@click.option(
    "--stale-after",
    type=click.IntRange(min=0),
    default=12,
    show_default=True,
    metavar="MONTHS",
    help="A figure older than this many months before --as-of is stale.",
)
@library_errors
def command(paths, fmt, semantics, retract, as_of, stale_after) -> None:
    """Show which statements stand, what a retraction would change, and where the evidence is thin.

    Every statement, piece of evidence and inference gets accepted, rejected or undecided under abstract
    argumentation over the attack and undercut relations, with support read as in docs/analysis.md (a
    statement whose every support is defeated is not accepted). Exit code 0 when the analysis ran, 2 when it
    could not (bad Turtle, an unknown --retract id).

    \b
    Examples:
      argmap analyse
      argmap analyse --retract R3d --retract F2
      argmap analyse --semantics preferred --format json
      argmap analyse --as-of 2026-06-30 --stale-after 6 --format markdown
    """
    from ..load import load_paths
    from ..model import build_model

    loaded = load_paths(list(paths) or None)
    model = build_model(loaded.store)
    if not any(n.kind in KIND_PLURALS for n in model.nodes.values()):
        raise CommandError("the data holds no statement, evidence or inference to analyse")
    targets = find_items(loaded.store, model, retract) if retract else []
    result = analyse(model, semantics=semantics, retract=targets, as_of=as_of, stale_after=stale_after)
    click.echo(ANALYSE_FORMATS[fmt](result, model), nl=False)
