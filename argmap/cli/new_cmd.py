"""`argmap new evidence|source|claim`: add one item to the data, asking for what is missing (or, with
--no-input, failing with the list of missing flags), validated before anything is saved."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import click

from .. import new as lib
from ..load import short
from ..new import ClaimInput, Dataset, EvidenceInput, SourceInput
from .common import EXIT_PROBLEMS, CommandError, library_errors


def shown(text: str) -> str:
    """Contributed text as it may be printed to a terminal: control and format characters neutralised."""
    return "".join("?" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


class Asker:
    """Asks for what a flag did not give, unless --no-input: then it only collects the missing flags."""

    def __init__(self, no_input: bool, walkthrough: bool):
        self.no_input = no_input
        self.walkthrough = walkthrough  # no flags given: also offer the optional questions
        self.missing: list[str] = []

    def need(self, value: str | None, flag: str, question: str, **kwargs) -> str:
        if value:
            return value
        if self.no_input:
            self.missing.append(flag)
            return ""
        return str(click.prompt(question, **kwargs)).strip()

    def maybe(self, value: str | None, question: str) -> str:
        if value or self.no_input or not self.walkthrough:
            return value or ""
        return str(click.prompt(question + " (optional, Enter to skip)", default="", show_default=False)).strip()

    def stop_if_missing(self) -> None:
        if self.missing:
            raise CommandError(f"missing {', '.join(dict.fromkeys(self.missing))} (--no-input never prompts)")

    def pick(self, ds: Dataset, ref: str, flag: str, *classes: str) -> str:
        """One item for a reference: itself, the only match of a search word, or the user's pick from a list."""
        while True:
            found = lib.resolve(ds, ref, *classes)
            if len(found) == 1:
                return found[0].iri
            if not found:
                message = f"{flag} {ref!r}: nothing in the data matches; try a prefixed name, e.g. response:…"
            elif self.no_input:
                names = ", ".join(c.curie for c in found[:12]) + (", …" if len(found) > 12 else "")
                raise CommandError(f"{flag} {ref!r} matches {len(found)} items ({names}); give one of them")
            elif len(found) <= 15:
                click.echo(f"{shown(ref)!r} matches {len(found)} items:")
                for number, candidate in enumerate(found, start=1):
                    click.echo(f"  {number:>2}) {shown(str(candidate))[:110]}")
                choice = click.prompt("Pick one", type=click.IntRange(1, len(found)))
                return found[choice - 1].iri
            else:
                message = f"{flag} {ref!r} matches {len(found)} items; use more words or a prefixed name"
            if self.no_input:
                raise CommandError(message)
            click.echo(message)
            ref = click.prompt("Which item? (prefixed name, IRI or search words)").strip()


def relations_of(asker: Asker, ds: Dataset, flags: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    chosen = [
        (rel, asker.pick(ds, ref, f"--{rel}", lib.RELATION_TARGETS[rel])) for rel in lib.RELATIONS for ref in flags[rel]
    ]
    if chosen or asker.no_input:
        return chosen
    while True:
        rel = click.prompt("Relation", type=click.Choice(lib.RELATIONS), default="supports")
        verb = {"qualifies": "qualify", "retracts": "retract", "supersedes": "supersede"}.get(rel, rel[:-1])
        ref = click.prompt(f"Which item does it {verb}? (prefixed name, IRI or search words)").strip()
        chosen.append((rel, asker.pick(ds, ref, f"--{rel}", lib.RELATION_TARGETS[rel])))
        if not click.confirm("Another relation?", default=False):
            return chosen


def _source_input(opts: dict) -> SourceInput:
    """The new source's fields as the --source-* flags give them."""
    fields = ("url", "title", "authors", "year", "doi", "arxiv")
    return SourceInput(**{name: opts[f"source_{name}"] or "" for name in fields})


def source_of(asker: Asker, ds: Dataset, opts: dict, for_check: bool) -> tuple[str, SourceInput | None]:
    """(existing source IRI, None) or ("", the new source's fields)."""
    if opts["source"]:
        return asker.pick(ds, opts["source"], "--source", "Source", "Document"), None
    given = _source_input(opts)
    if not given.identified and not asker.no_input:
        answer = click.prompt("Source: its URL, DOI or arXiv id, or an existing source (id or search words)").strip()
        if lib._DOI.match(answer):
            given.doi = answer
        elif lib._ARXIV.match(answer):
            given.arxiv = answer
        elif answer.lower().startswith(("http://", "https://")) and lib.expand(answer) not in ds.of_class("Source"):
            given.url = answer
        else:
            return asker.pick(ds, answer, "--source", "Source", "Document"), None
    if not given.identified:
        asker.missing.append("--source (or --source-url, --source-doi, --source-arxiv)")
        return "", None
    given = given.normalised()
    found = lib.find_source(ds, given)
    if found:
        click.echo(f"Source: {short(found[0])} is already in the data (same {found[1]}); reusing it.")
        return found[0], None
    click.echo("Source: not in the data yet; it will be added.")
    given.title = asker.need(given.title, "--source-title", "Source title")
    given.authors = asker.maybe(given.authors, "Source authors (e.g. 'A. Author, B. Author')")
    given.year = asker.need(given.year, "--source-year", "Source year (YYYY)")
    return "", given.normalised() if not asker.missing else given


def report_and_save(prepared: lib.Prepared, add: lib.Addition, dry_run: bool) -> None:
    for note in add.notes:
        click.echo(note)
    if dry_run:
        click.echo(f"# would add to {prepared.path}:")
        click.echo(prepared.turtle, nl=False)
    if not prepared.report.conforms:
        click.echo(prepared.report.format_text(), nl=False, err=True)
        raise SystemExit(_refuse(dry_run))
    if dry_run:
        click.echo("# the data validates with this addition; nothing written (--dry-run)")
        return
    lib.save(prepared)
    made = ", ".join(short(iri) for iri in add.minted) or f"{len(add.triples)} citation(s)"
    click.echo(f"Added {made} to {prepared.path} ({len(add.triples)} triples); the data validates.")
    click.echo("Next: `argmap diff`, then commit and open a pull request (see CONTRIBUTING.md).")


def _refuse(dry_run: bool) -> int:
    verb = "would not be saved" if dry_run else "not saved: nothing was written"
    click.echo(f"Error: the data does not validate with this addition; {verb}", err=True)
    return EXIT_PROBLEMS


def common_options(func: Callable) -> Callable:
    func = click.option("--no-input", is_flag=True, help="Never ask; fail (exit 2) naming the missing flags.")(func)
    func = click.option("--dry-run", is_flag=True, help="Print the Turtle that would be added; write nothing.")(func)
    func = click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("data"),
        show_default=True,
        help="The data folder (claims.ttl, evidence.ttl).",
    )(func)
    func = click.option("--id", "local", metavar="LOCALNAME", help="The new IRI's local name (default: minted).")(func)
    return func


def source_options(func: Callable) -> Callable:
    for name, help_text in reversed(
        [
            ("--source-url", "The source's web address."),
            ("--source-title", "Its title."),
            ("--source-authors", "Its authors, in order, as one string."),
            ("--source-year", "Its year (YYYY)."),
            ("--source-doi", "Its DOI, e.g. 10.1038/s41586-024-08141-1."),
            ("--source-arxiv", "Its arXiv id, e.g. 2507.09296."),
        ]
    ):
        func = click.option(name, help=help_text)(func)
    func = click.option("--orcid", help="Your ORCID iD (optional), e.g. 0000-0002-1825-0097.")(func)
    func = click.option("--contributor", help="Your name (or the id of an existing person/organisation).")(func)
    return func


def relation_options(func: Callable) -> Callable:
    for rel in reversed(lib.RELATIONS):
        target = "inference" if rel == "undercuts" else "item"
        func = click.option(f"--{rel}", multiple=True, metavar="ID", help=f"The {target} it {rel} (repeatable).")(func)
    return func


@click.group("new")
def command() -> None:
    """Add evidence, a source or a claim to the data: asks for what flags do not give, validates, saves atomically.

    \b
    Examples:
      argmap new evidence
      argmap new evidence --kind quote --supports R1b --quote "…" --locator "§6" \\
        --source-arxiv 2507.09296 --contributor "Ada Lovelace" --label "…" --no-input --dry-run
    """


@command.command("evidence")
@click.option("--kind", type=click.Choice(list(lib.EVIDENCE_KINDS)), help="quote, figure or check.")
@click.option("--label", help="A short label (at most 120 characters).")
@click.option("--text", help="What it says or what was checked and found (required for a check), your words.")
@relation_options
@click.option("--quote", help="The verbatim words, at most one sentence.")
@click.option("--locator", help="Where in the source: page, section, paragraph.")
@click.option("--value", help="A figure's number, written in full (6000000).")
@click.option("--min", "min_value", help="A range's lower bound (instead of --value).")
@click.option("--max", "max_value", help="A range's upper bound.")
@click.option("--unit", help='What the number counts, e.g. "downloads per month".')
@click.option("--measures", help="What quantity the figure states, in words.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="When the figure held (YYYY-MM for a month).")
@click.option("--source", metavar="ID", help="An existing source (prefixed name, IRI or search words).")
@source_options
@common_options
@library_errors
def evidence_command(**opts) -> None:
    """Add an am:Quote, am:Figure or am:Check to data/evidence.ttl.

    Without flags it asks for each field in turn; each flag skips its question. An existing source is
    found (by DOI, arXiv id, URL or title) and reused; you are added as an am:Person once.

    \b
    Example:
      argmap new evidence --kind figure --label "Pythia: 900k monthly downloads" \\
        --supports response:popular-open-models-privately-pretrained --value 900000 \\
        --unit "downloads per month" --measures "Monthly downloads of Pythia on Hugging Face" \\
        --as-of 2026-01-29 --locator "model page, Downloads last month" \\
        --source-url https://huggingface.co/EleutherAI/pythia-70m-deduped --contributor "Ada Lovelace" --no-input
    """
    ds = Dataset.load(opts["data_dir"])
    asker = Asker(opts["no_input"], walkthrough=opts["label"] is None and opts["kind"] is None)
    kind = opts["kind"] or (
        "" if asker.no_input else click.prompt("Kind", type=click.Choice(list(lib.EVIDENCE_KINDS)), default="quote")
    )
    if not kind:
        asker.missing.append("--kind")
    label = asker.need(opts["label"], "--label", "Label (a short title for this evidence)")
    if asker.no_input and not any(opts[r] for r in lib.RELATIONS):
        asker.missing.append("--supports (or --attacks, --qualifies, --undercuts, --retracts, --supersedes)")
    relations = relations_of(asker, ds, {r: opts[r] for r in lib.RELATIONS}) if not asker.missing else []
    quote, text, fig = opts["quote"] or "", opts["text"] or "", {}
    if kind == "quote":
        quote = asker.need(quote, "--quote", "Quote (verbatim, at most one sentence)")
    if kind == "check":
        text = asker.need(text, "--text", "What did you check, and what did you find?")
    else:
        text = asker.maybe(text, "A note in your own words")
    if kind == "figure":
        fig["measures"] = asker.need(opts["measures"], "--measures", "What does the figure measure?")
        if opts["value"] or opts["min_value"]:
            fig["value"], fig["min_value"] = opts["value"] or "", opts["min_value"] or ""
        else:
            fig["value"] = asker.need(None, "--value (or --min)", "Value (a number, written in full)")
            fig["min_value"] = ""
        fig["max_value"] = opts["max_value"] or ""
        fig["unit"] = asker.need(opts["unit"], "--unit", "Unit (e.g. downloads per month)")
        fig["as_of"] = asker.need(opts["as_of"], "--as-of", "As of (YYYY-MM-DD, or YYYY-MM for a month)")
        quote = asker.maybe(quote, "The sentence stating it, verbatim")
    locator = asker.need(opts["locator"], "--locator", "Locator (page, section or paragraph in the source)")
    asker.stop_if_missing()
    source, new_source = source_of(asker, ds, opts, kind == "check")
    who = asker.need(opts["contributor"], "--contributor", "Your name (as it should appear)")
    orcid = opts["orcid"] or ""
    if not orcid and who and asker.walkthrough and not lib.find_agent(ds, who):
        orcid = asker.maybe("", "Your ORCID iD")
    asker.stop_if_missing()
    given = EvidenceInput(
        kind=kind,
        label=label,
        relations=relations,
        source=source,
        new_source=new_source,
        contributor=who,
        orcid=orcid,
        locator=locator,
        text=text,
        quote=quote,
        local=opts["local"] or "",
        **fig,
    )
    if quote and lib.several_sentences(quote):
        click.echo("Note: the quote looks like more than one sentence; quote at most one (see CONTRIBUTING.md).")
    add = lib.build_evidence(ds, given)
    report_and_save(lib.prepare(ds, add), add, opts["dry_run"])


@command.command("source")
@source_options
@click.option("--cited-by", multiple=True, metavar="ID", help="A statement that cites it (am:citesAsEvidence).")
@common_options
@library_errors
def source_command(**opts) -> None:
    """Add an am:Source to data/evidence.ttl, or find the one already there (by DOI, arXiv id, URL or title).

    A source must be cited by something: give --cited-by for the statements that cite it, or add the
    evidence that uses it with `argmap new evidence --source …`.

    \b
    Example:
      argmap new source --source-arxiv 2304.01373 --source-title "Pythia: a suite for analyzing LLMs" \\
        --source-authors "S. Biderman, H. Schoelkopf" --cited-by claim:community-models-matched-closed --no-input
    """
    ds = Dataset.load(opts["data_dir"])
    asker = Asker(opts["no_input"], walkthrough=not any(opts[k] for k in ("source_url", "source_doi", "source_arxiv")))
    cited = [asker.pick(ds, ref, "--cited-by", "Statement") for ref in opts["cited_by"]]
    given = _source_input(opts)
    if not given.identified:
        if asker.no_input:
            asker.missing.append("--source-url (or --source-doi, --source-arxiv)")
        else:
            given.url = click.prompt("Source URL").strip()
    asker.stop_if_missing()
    given = given.normalised()
    if not lib.find_source(ds, given):
        given.title = asker.need(given.title, "--source-title", "Title")
        given.authors = asker.maybe(given.authors, "Authors")
        given.year = asker.need(given.year, "--source-year", "Year (YYYY)")
        asker.stop_if_missing()
        given = given.normalised()
    if not cited and not asker.no_input:
        ref = click.prompt("Which statement cites it? (Enter to skip)", default="", show_default=False).strip()
        cited = [asker.pick(ds, ref, "--cited-by", "Statement")] if ref else []
    add, iri = lib.build_source(ds, given, cited, opts["contributor"] or "", opts["orcid"] or "", opts["local"] or "")
    if not add.triples:
        click.echo(add.notes[0])
        click.echo("Nothing to add.")
        return
    report_and_save(lib.prepare(ds, add), add, opts["dry_run"])


@command.command("claim")
@click.option("--kind", type=click.Choice(list(lib.CLAIM_KINDS)), help="What kind of statement.")
@click.option("--label", help="A short label (at most 120 characters).")
@click.option("--text", help="The statement in your own words, one to three sentences.")
@click.option("--section", metavar="ID", help="The paper section it comes from, e.g. sec:s3-2 or '3.2'.")
@click.option("--paper", metavar="ID", help="The paper that states it (default: the only paper).")
@click.option("--responds-to", "responds_to", metavar="ID", help="For a response: the opposing view it answers.")
@click.option("--outline-id", "outline_id", help="Its outline id, e.g. R2f.")
@click.option("--order", help="Its place among its siblings (default for a response: after the others).")
@relation_options
@common_options
@library_errors
def claim_command(**opts) -> None:
    """Add a statement (claim, response, …) to data/claims.ttl.

    \b
    Example:
      argmap new claim --kind response --responds-to view:market-is-working --section sec:s6 \\
        --label "Open releases can stop" --text "What one firm releases today it may withhold tomorrow." --no-input
    """
    ds = Dataset.load(opts["data_dir"])
    asker = Asker(opts["no_input"], walkthrough=opts["label"] is None)
    kind = opts["kind"] or (
        "claim" if asker.no_input else click.prompt("Kind", type=click.Choice(list(lib.CLAIM_KINDS)), default="claim")
    )
    label = asker.need(opts["label"], "--label", "Label (short)")
    text = asker.need(opts["text"], "--text", "The statement, in your own words")
    section_ref = asker.need(opts["section"], "--section", "Section (e.g. sec:s3-2 or a word of its heading)")
    papers = ds.of_class("Paper")
    paper_ref = opts["paper"] or (papers[0] if len(papers) == 1 else "")
    paper_ref = asker.need(paper_ref, "--paper", "Which paper states it?")
    responds = opts["responds_to"] or ""
    if kind == "response":
        responds = asker.need(responds, "--responds-to", "Which opposing view does it answer?")
    asker.stop_if_missing()
    given = ClaimInput(
        kind=kind,
        label=label,
        text=text,
        section=asker.pick(ds, section_ref, "--section", "Section"),
        paper=asker.pick(ds, paper_ref, "--paper", "Document"),
        relations=relations_of(asker, ds, {r: opts[r] for r in lib.RELATIONS})
        if asker.walkthrough
        else [(r, asker.pick(ds, ref, f"--{r}", lib.RELATION_TARGETS[r])) for r in lib.RELATIONS for ref in opts[r]],
        responds_to=asker.pick(ds, responds, "--responds-to", "OpposingView") if responds else "",
        outline_id=opts["outline_id"] or "",
        order=opts["order"] or "",
        local=opts["local"] or "",
    )
    add = lib.build_claim(ds, given)
    report_and_save(lib.prepare(ds, add), add, opts["dry_run"])
