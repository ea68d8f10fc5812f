"""`argmap validate`: syntax, shapes and references, every problem with file and line."""

from __future__ import annotations

import click

from ..errors import ArgmapError
from ..validate import REPORT_FORMATS, validate_paths


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(REPORT_FORMATS)),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for ::error annotations in CI.",
)
def command(paths: tuple[str, ...], fmt: str) -> None:
    """Check Turtle files: syntax, SHACL shapes and references.

    PATHS default to data/claims.ttl and data/evidence.ttl; a directory stands for its .ttl files.
    Exit code 0 when everything conforms, 1 when there are problems, 2 when the check could not run.

    Example: argmap validate data/claims.ttl data/evidence.ttl --format github
    """
    try:
        report, _ = validate_paths(paths)
    except ArgmapError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    click.echo(REPORT_FORMATS[fmt](report), nl=False)
    raise SystemExit(0 if report.conforms else 1)
