"""`argmap serve`: the built site and a read-only SPARQL endpoint on 127.0.0.1."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from ..errors import ArgmapError


def _stop(signum, frame):  # SIGTERM: stop like Ctrl+C, so the query workers are shut down too
    raise KeyboardInterrupt


@click.command("serve")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. Anything but 127.0.0.1 lets other machines query the endpoint.",
)
@click.option(
    "--dir",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The built site to serve.",
)
@click.option("--build", "build_first", is_flag=True, help="Build the site into --dir first (as `argmap build`).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a SPARQL query may run before it is stopped (503).",
)
@click.option(
    "--max-results",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows (or triples) a result may hold; a larger one is refused (422) with a hint to add LIMIT.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=32),
    default=2,
    show_default=True,
    help="Query worker processes (queries that run at the same time).",
)
def command(paths, port, host, site_dir, build_first, timeout, max_results, workers) -> None:
    """Serve the site and a read-only SPARQL 1.1 endpoint at /sparql.

    PATHS are the Turtle files the endpoint answers from (default: the data/ files). The endpoint takes
    GET and POST (query= form or application/sparql-query), answers SPARQL JSON/XML/CSV/TSV or
    Turtle/N-Triples/JSON-LD by the Accept header, refuses updates, and sends CORS headers.

    \b
    Examples:
      argmap serve --build
      argmap serve --port 8080 --timeout 5
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s a am:OpposingView }' \\
           http://127.0.0.1:8000/sparql
    """
    from ..load import load_paths
    from ..server import make_server
    from .build_cmd import build_and_report

    try:
        loaded = build_and_report(paths, site_dir) if build_first else load_paths(paths or None)
        serve_dir = site_dir if site_dir.is_dir() else None
        server = make_server(
            loaded.store, serve_dir, host=host, port=port, timeout=timeout, max_results=max_results, workers=workers
        )
    except ArgmapError as exc:
        raise click.ClickException(str(exc)) from None

    triples = loaded.triple_count()
    if serve_dir is None:
        click.echo(f"No site in {site_dir}/ (run `argmap build`, or add --build): serving only the SPARQL endpoint.")
    else:
        click.echo(
            f"Serving {site_dir}/ and a read-only SPARQL endpoint ({triples} triples; "
            f"{timeout:g} s timeout, {max_results} result cap)."
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: bound to {host}; other machines can reach this server.", err=True)
    click.echo(f"  Site:   {server.url}")
    click.echo(f"  SPARQL: {server.endpoint_url}")
    click.echo("Press Ctrl+C to stop.", nl=True)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
