"""`argmap export`: the validated graph in a format another tool reads (Argdown, AIF, GraphML, CSV, RDF, BibTeX)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InvalidData
from ..interchange import FORMATS
from .common import ProblemsFound, data_option, library_errors


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    required=True,
    help="argdown, aif-json, aif-rdf, graphml, csv (a folder of nodes.csv and edges.csv), turtle, ntriples, "
    "jsonld or bibtex.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE|-",
    default="-",
    show_default=True,
    help="Where to write: a file (replaced atomically), - for standard output; for csv a folder.",
)
@data_option("export")
@library_errors
def command(fmt: str, output: str, paths: tuple[str, ...]) -> None:
    """Export the graph for other tools: Argdown, AIF (JSON, RDF), GraphML, CSV, Turtle, N-Triples, JSON-LD, BibTeX.

    The data must validate first (as `argmap validate`); nothing is written otherwise. Argdown, AIF JSON and
    AIF-RDF carry the argument (statements, evidence, inferences; supports, attacks, undercuts); GraphML and
    CSV the whole map (with sources and every relation). Output is deterministic: two exports of the same data
    are byte-identical. Exit codes: 0 written; 1 the data is invalid; 2 a bad option or an unwritable output.
    Formats and what each carries: docs/export.md.

    \b
    Examples:
      argmap export --format argdown -o debate.argdown
      argmap export --format aif-json > debate.json
      argmap export --format graphml -o debate.graphml
      argmap export --format csv -o debate-csv/          # debate-csv/nodes.csv and edges.csv
      cat new.ttl | argmap export --format turtle -d -
    """
    from ..interchange import make_export, write_export
    from ..validate import load_valid

    chosen = FORMATS[fmt]
    target = None if output == "-" else Path(output)
    if chosen.several_files and target is None:
        raise click.UsageError(f"--format {fmt} writes several files: give a folder with -o/--output")
    try:
        loaded = load_valid(list(paths) or None)
    except InvalidData as exc:
        click.echo(exc.report.format_text(), err=True, nl=False)
        raise ProblemsFound("the data does not validate, so nothing was exported; fix the problems above") from None
    made = make_export(fmt, loaded)
    written = write_export(made, target, sys.stdout.buffer)
    for path in written:
        click.echo(f"wrote {path}", err=True)
