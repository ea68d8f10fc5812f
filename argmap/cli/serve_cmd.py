"""`argmap serve`: the built site and a read-only SPARQL endpoint on 127.0.0.1."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from ..errors import ArgmapError
from .common import CommandError


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
    help="Query worker processes (queries that run at the same time); one more keeps a quick lane for cheap queries.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=16_000_000,
    show_default=True,
    help="Bytes a result may hold; a larger one is refused (422).",
)
@click.option(
    "--worker-memory",
    type=click.IntRange(min=64),
    default=1024,
    show_default=True,
    help="MB of memory a query may use; past it the query is stopped (503) and its worker replaced.",
)
def command(paths, port, host, site_dir, build_first, timeout, max_results, workers, max_bytes, worker_memory) -> None:
    """Serve the site and a read-only SPARQL 1.1 endpoint at /sparql.

    PATHS are the Turtle files the endpoint answers from (default: the data/ files). The endpoint takes
    GET and POST (query= form or application/sparql-query), answers SPARQL JSON/XML/CSV/TSV or
    Turtle/N-Triples/JSON-LD by the Accept header, refuses updates and federated SERVICE calls (its query
    workers cannot open network connections), and sends CORS headers.

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
            loaded.store,
            serve_dir,
            host=host,
            port=port,
            timeout=timeout,
            max_results=max_results,
            workers=workers,
            max_bytes=max_bytes,
            worker_memory=worker_memory,
        )
    except ArgmapError as exc:
        raise CommandError(str(exc)) from None

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
    if not server.engine.sandboxed:
        click.echo(
            "Warning: this system cannot stop the query workers opening network connections (seccomp); "
            "SERVICE calls are still refused by the query parser.",
            err=True,
        )
    click.echo("Press Ctrl+C to stop.", nl=True)
    _quiet_logs()
    try:
        server.serve_forever()  # uvicorn stops on Ctrl+C and SIGTERM
    finally:
        server.server_close()
    click.echo("Stopped.")


class _OneLine(logging.Formatter):
    """Server log lines without tracebacks: a client's mistake or disconnect is one line, not a stack."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return ""

    def formatStack(self, stack_info) -> str:  # noqa: N802
        return ""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return " ".join(super().format(record).split())


def _quiet_logs() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_OneLine("%(levelname)s: %(message)s"))
    for name in ("uvicorn", "uvicorn.error", "argmap.server"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.WARNING)
        logger.propagate = False
