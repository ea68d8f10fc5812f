"""`argmap build`: render the validated graph into a static website."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..errors import ArgmapError, InvalidData
from .common import CommandError, ProblemsFound


@click.command("build")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site into (created if missing).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Where the site will be published, e.g. https://example.org/argmap/ : used for canonical "
    "links, sitemap.xml and the VoID file. Links between pages stay relative either way.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that render the pages [default: one per CPU, at most 4, for a site of 2,000 to 40,000 pages; "
    "else one: fewer pages are quicker in one, and each process holds its own copy of much of a larger debate]. "
    "A site of fewer than 2,000 pages is always rendered in one. The site is the same whatever the number.",
)
def command(paths: tuple[str, ...], out_dir: Path, base_url: str | None, jobs: int | None) -> None:
    """Render the graph as a static website: home, map, debate tree, a page per node, evidence health, search.

    PATHS default to data/claims.ttl and data/evidence.ttl, as for `validate`; the data must validate.
    The site needs no server code and loads nothing from other sites; serve it with `argmap serve`.

    \b
    Examples:
      argmap build
      argmap build --out public/ --base-url https://example.org/argmap/
      argmap build data/ && argmap serve
    """
    build_and_report(paths, out_dir, base_url, jobs)
    click.echo(f"Open it with `argmap serve --dir {out_dir}`.")


def build_and_report(paths: tuple[str, ...], out_dir: Path, base_url: str | None = None, jobs: int | None = None):
    """Validate the data, build the site, print what was written; return the loaded data (for `serve --build`).

    Invalid data: print the validation report and stop with a one-line error, writing nothing."""
    from ..site.build import build_site
    from ..validate import load_valid

    started = time.perf_counter()
    try:
        loaded = load_valid(list(paths) or None)
        result = build_site(loaded, out_dir, base_url=base_url, jobs=jobs)
    except InvalidData as exc:
        click.echo(exc.report.format_text(), err=True, nl=False)
        raise ProblemsFound(
            "the data does not validate, so no site was built; fix the problems above (`argmap validate`)"
        ) from None
    except ArgmapError as exc:
        raise CommandError(str(exc)) from None
    click.echo(result.summary(time.perf_counter() - started), nl=False)
    return loaded
