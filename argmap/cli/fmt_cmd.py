"""`argmap fmt`: rewrite Turtle files in the one canonical layout, or `--check` that they are in it."""

from __future__ import annotations

import click

from ..fmt import format_paths, write_atomic
from ..load import resolve_paths
from .common import EXIT_PROBLEMS, library_errors


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change and exit 1 if any.")
@library_errors
def command(paths: tuple[str, ...], check: bool) -> None:
    """Rewrite Turtle files in canonical form: the graph stays the same, only the layout changes.

    Canonical form: a fixed prefix block; subjects sorted by IRI; rdf:type, rdfs:label and am:text
    first, then the other predicates alphabetically; one object per line where there are several.
    The top-of-file comment stays at the top and a comment before a subject's block travels with it;
    any comment that cannot be kept is named on stderr. Every file is parsed before any is written,
    and each is replaced atomically. PATHS default to data/claims.ttl and data/evidence.ttl.
    Exit code 0 when done (or, with --check, nothing would change), 1 when --check finds a file to
    reformat, 2 when a file cannot be read or parsed.

    \b
    Examples:
      argmap fmt
      argmap fmt --check data/
    """
    results = format_paths(resolve_paths(paths))
    changed = [r for r in results if r.changed]
    for result in results:
        for comment in result.dropped:
            click.echo(f"{result.path}:{comment.line}: comment {comment.fate}: {comment.text}", err=True)
        for comment in result.moved:
            click.echo(f"{result.path}:{comment.line}: comment {comment.fate}", err=True)
    if check:
        for result in changed:
            click.echo(f"would reformat {result.path}")
        if changed:
            click.echo(f"{len(changed)} of {len(results)} file(s) would be reformatted; run `argmap fmt`")
            raise SystemExit(EXIT_PROBLEMS)
        click.echo(f"{len(results)} file(s) already canonical")
        return
    for result in changed:
        write_atomic(result.path, result.text)
        click.echo(f"reformatted {result.path}")
    click.echo(f"{len(changed)} file(s) reformatted, {len(results) - len(changed)} already canonical")
