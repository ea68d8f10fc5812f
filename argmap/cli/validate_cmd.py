"""`argmap validate`: syntax, shapes and references, every problem with file and line."""

from __future__ import annotations

import click

from ..errors import ArgmapError
from ..validate import ENGINES, REPORT_FORMATS, validate_paths
from .common import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, format_option


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@format_option(REPORT_FORMATS, "text", "text for people, json for tools, github for ::error annotations in CI.")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="argmap",
    show_default=True,
    help="SHACL engine: argmap's own on the pyoxigraph store, or pySHACL (the reference it is tested against; slow).",
)
@click.option(
    "--changed-since",
    "changed_since",
    metavar="REV",
    help="Check only what the change since git revision REV can affect (its data conformed: e.g. a pull "
    "request's base). Same verdict as a full run, faster.",
)
def command(paths: tuple[str, ...], fmt: str, engine: str, changed_since: str | None) -> None:
    """Check Turtle files: syntax, SHACL shapes and references.

    PATHS default to data/claims.ttl and data/evidence.ttl; a directory stands for its .ttl files.
    Exit code 0 when everything conforms, 1 when there are problems (each with file and line),
    2 when the check could not run (a missing file, a file over the size limit, an internal error).

    Example: argmap validate data/claims.ttl data/evidence.ttl --format github

    Example: argmap validate --changed-since origin/main
    """
    try:
        report, _ = validate_paths(paths, engine, changed_since)
    except ArgmapError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(EXIT_ERROR) from None
    except Exception as exc:  # a bug, not the user's input: say so, exit 2
        click.echo(
            f"Error: validation crashed ({type(exc).__name__}: {str(exc)[:200]}); this is a bug in argmap, "
            "please report it with the input that caused it",
            err=True,
        )
        raise SystemExit(EXIT_ERROR) from None
    click.echo(REPORT_FORMATS[fmt](report), nl=False)
    raise SystemExit(EXIT_OK if report.conforms else EXIT_PROBLEMS)
